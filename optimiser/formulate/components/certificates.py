"""Contractual instruments against grid imports, and market-based scope 2
(docs/accounting.md, "Contractual instruments").

Instruments that count (deliverable from the site's market, or legacy; ``counts_toward_target``):

    annual certificates a   C_a(y) ≥ 0 bought per year               cost p_a(y)·C_a(y)
    hourly certificates h   c_h(y,t) ≥ 0 bought per step             cost p_h(y)·Σ_t w_t c_h(y,t)
    virtual PPAs v          claimed q_v(y,t) ≤ V_v(y,t) = z_v·A_v(y,t) (components/ppa.py)

Every hourly certificate is for one hour's import: Σ_h c_h(y,t) ≤ I(y,t). By
``accounting.scope2_matching``:

    annual:  B(y) = Σ_a C_a + Σ_h Σ_t w_t c_h + Σ_v Σ_t w_t q_v ≤ Σ_t w_t I(y,t)  (each year)
    hourly:  B(y) = Σ_t w_t (Σ_h c_h + Σ_v q_v),  Σ_h c_h(y,t) + Σ_v q_v(y,t) ≤ I(y,t)  (each
             step), and Σ_a C_a ≤ Σ_t w_t I(y,t): annual certificates count toward nothing in
             scope 2 (they may still be bought for an annual clean-electricity target)

and market-based scope 2 is r(y)·(Σ_t w_t I − B(y)), with B(y) the instruments counted and r
the residual-mix factor (default: the location factor). Caps: Σ_t w_t c_h ≤
``max_mwh_per_year`` and C_a ≤ ``max_mwh_per_year``.

Prices are the mutable Params ``price_certificate[y, name]`` (span means) that a sweep
updates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.components.ppa import available
from optimiser.formulate.context import Context
from plant.accounting import deliverable
from plant.schema import Certificate, Plan


def counted_certificates(plan: Plan) -> dict[str, Certificate]:
    """Certificates the plan may buy: deliverable and counting toward targets."""
    return {n: c for n, c in plan.certificates.items()
            if c.counts_toward_target and deliverable(plan, c)}


def counted_virtual_ppas(plan: Plan) -> list[str]:
    """Virtual PPAs whose certificates count (deliverable, or legacy)."""
    return [n for n, p in plan.ppas.items() if p.kind == "virtual" and deliverable(plan, p)]


def virtual_certificates(ctx: Context, y: int, t: int) -> Any:
    """Σ_v V_v(y,t): certificates the counted virtual PPAs bring in step t [MW]."""
    m = ctx.m
    return pyo.quicksum(m.ppa_share[v] * float(available(ctx, v, y)[t])
                        for v in counted_virtual_ppas(ctx.inputs.plan))


def hourly_certificates(ctx: Context, y: int, t: int) -> Any:
    """Σ_h c_h(y,t): hourly certificates bought for step t [MW]."""
    m = ctx.m
    return pyo.quicksum(m.certificates_hourly[y, t, n] for n in _hourly(ctx.inputs.plan))


def hourly_instruments(ctx: Context, y: int, t: int) -> Any:
    """Hourly certificates bought and virtual-PPA certificates of step t [MW]: clean
    supply in monthly and annual matching (optimiser/formulate/components/clean_share.py)."""
    return hourly_certificates(ctx, y, t) + virtual_certificates(ctx, y, t)


def annual_certificates(ctx: Context, y: int) -> Any:
    """Σ_a C_a(y): annual certificates bought in ``y`` [MWh]."""
    return pyo.quicksum(ctx.m.certificates[y, n] for n in _annual(ctx.inputs.plan))


def _hourly(plan: Plan) -> list[str]:
    return [n for n, c in counted_certificates(plan).items() if c.granularity == "hourly"]


def _annual(plan: Plan) -> list[str]:
    return [n for n, c in counted_certificates(plan).items() if c.granularity == "annual"]


def add_certificates(ctx: Context) -> None:
    """The instruments of this module, their costs and market-based scope 2. Call after
    :func:`~optimiser.formulate.components.markets.add_grid` and
    :func:`~optimiser.formulate.components.ppa.add_ppas`."""
    inputs, m, plan = ctx.inputs, ctx.m, ctx.inputs.plan
    years, steps = inputs.years, range(inputs.n_steps)
    certs = counted_certificates(plan)
    hourly, annual, virtual = _hourly(plan), _annual(plan), counted_virtual_ppas(plan)
    hourly_match = plan.accounting.scope2_matching == "hourly"
    m.certificates = pyo.Var(years, annual, domain=pyo.NonNegativeReals)
    m.certificates_hourly = pyo.Var(years, steps, hourly, domain=pyo.NonNegativeReals)
    m.ppa_certificates_claimed = pyo.Var(years, steps, virtual, domain=pyo.NonNegativeReals)
    m.price_certificate = pyo.Param(years, list(certs), mutable=True, initialize=lambda _, y, n:
                                    inputs.spans.mean(certs[n].price_per_mwh, y))
    m.instrument_rows = pyo.ConstraintList()
    w = inputs.step_weight
    market = inputs.factors.grid.market  # the residual mix, or the location factor
    for y in years:
        supply = {v: available(ctx, v, y) for v in virtual}
        for t in steps:
            for v in virtual:
                m.instrument_rows.add(m.ppa_certificates_claimed[y, t, v]
                                      <= m.ppa_share[v] * float(supply[v][t]))
            per_hour = pyo.quicksum(m.certificates_hourly[y, t, n] for n in hourly)
            if hourly_match:
                per_hour = per_hour + pyo.quicksum(m.ppa_certificates_claimed[y, t, v]
                                                   for v in virtual)
            if hourly or (hourly_match and virtual):
                m.instrument_rows.add(per_hour <= m.grid_import[y, t])
        counted = _counted(ctx, y, hourly, annual, virtual, hourly_match)
        imported = ctx.annual_sum(m.grid_import, y)
        m.add_component(f"certificates_cover_{y}", pyo.Constraint(expr=counted <= imported))
        if hourly_match and annual:
            m.instrument_rows.add(annual_certificates(ctx, y) <= imported)
        ctx.add_emission("scope2_market", y, (imported - counted) * market[y])
        for n in annual:
            ctx.add_cost("certificates", y, m.certificates[y, n] * m.price_certificate[y, n])
            _cap(ctx, y, n, m.certificates[y, n], certs[n])
        for n in hourly:
            bought = pyo.quicksum(float(w[t]) * m.certificates_hourly[y, t, n] for t in steps)
            ctx.add_cost("certificates", y, bought * m.price_certificate[y, n])
            _cap(ctx, y, n, bought, certs[n])


def _counted(ctx: Context, y: int, hourly: list[str], annual: list[str],
             virtual: list[str], hourly_match: bool) -> Any:
    """B(y): instruments counted against the year's imports [MWh]."""
    m, w = ctx.m, ctx.inputs.step_weight
    steps = range(ctx.inputs.n_steps)
    per_step = pyo.quicksum(float(w[t]) * (
        pyo.quicksum(m.certificates_hourly[y, t, n] for n in hourly)
        + pyo.quicksum(m.ppa_certificates_claimed[y, t, v] for v in virtual)) for t in steps)
    if hourly_match:
        return per_step
    return per_step + pyo.quicksum(m.certificates[y, n] for n in annual)


def _cap(ctx: Context, y: int, name: str, bought: Any, cert: Certificate) -> None:
    """A certificate's annual cap, registered as a limit that may bind."""
    if cert.max_mwh_per_year is None:
        return
    cap = cert.max_mwh_per_year.at(y)
    if hasattr(bought, "setub"):  # an annual certificate's variable
        bought.setub(cap)
        row = bought
    else:
        row = pyo.Constraint(expr=bought <= cap)
        ctx.m.add_component(f"cap_certificates_{name}_{y}", row)
    ctx.add_limit(y, f"cap on certificates {name}", row,
                  f"certificates.{name}.max_mwh_per_year")


def counted_mwh(ctx: Context, y: int) -> Any:
    """B(y) of the built model [MWh] (for results)."""
    plan = ctx.inputs.plan
    return _counted(ctx, y, _hourly(plan), _annual(plan), counted_virtual_ppas(plan),
                    plan.accounting.scope2_matching == "hourly")


def virtual_supply(ctx: Context, name: str, y: int) -> np.ndarray:
    """V_v(y,t) for one virtual PPA over the steps of ``y`` [MW] (for results)."""
    return float(pyo.value(ctx.m.ppa_share[name])) * available(ctx, name, y)


def claim_all(ctx: Context) -> None:
    """After the solve, count every virtual-PPA certificate the rules allow.

    The site holds all of them, but a solve where no target binds is indifferent to how many
    it counts. Raising q_v(y,t) to the most the rows of the module docstring allow (taken in
    the order of the plan's PPAs and steps) only lowers market-based scope 2, so every target
    row stays met and the objective is unchanged.
    """
    inputs, m, plan = ctx.inputs, ctx.m, ctx.inputs.plan
    virtual = counted_virtual_ppas(plan)
    if not virtual:
        return
    hourly, annual = _hourly(plan), _annual(plan)
    w, steps = inputs.step_weight, range(inputs.n_steps)
    for y in inputs.years:
        bought = [sum(pyo.value(m.certificates_hourly[y, t, n]) for n in hourly) for t in steps]
        imports = [pyo.value(m.grid_import[y, t]) for t in steps]
        room_year = sum(float(w[t]) * (imports[t] - bought[t]) for t in steps) - sum(
            pyo.value(m.certificates[y, n]) for n in annual)
        room = [imports[t] - bought[t] for t in steps]
        for v in virtual:
            supply = virtual_supply(ctx, v, y)
            for t in steps:
                q = float(supply[t])
                if plan.accounting.scope2_matching == "hourly":
                    q = min(q, max(room[t], 0.0))
                    room[t] -= q
                else:
                    q = min(q, max(room_year, 0.0) / float(w[t])) if w[t] > 0 else 0.0
                    room_year -= float(w[t]) * q
                m.ppa_certificates_claimed[y, t, v].set_value(q, skip_validation=True)
