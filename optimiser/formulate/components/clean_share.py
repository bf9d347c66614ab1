"""Clean-electricity share targets (``accounting.clean_electricity_targets``;
docs/accounting.md, "Clean-electricity share").

For each modelled year y at or after a target's year, with share s (the latest target that
applies), time steps t with weights w_t:

    L(y,t) = D(t) − savings(y,t) − unserved(y,t) + electricity drawn by electric heat(y,t)
    G(y,t) = output of carbon-free technologies (``carbon_free``: solar, wind) + PPA take
             + hourly instruments: hourly certificates c_h(y,t) and the certificates of
             virtual PPAs V_v(y,t) (optimiser/formulate/components/certificates.py); in hourly
             matching only u_v(y,t) ≤ V_v(y,t) of the latter, with
             Σ_h c_h(y,t) + Σ_v u_v(y,t) ≤ I(y,t): a certificate matches grid import in its
             hour, not consumption that storage or an SOFC supplied
    N(y,t) = other local generation (SOFC, storage discharge less its clean part d_c)

hourly matching, with matched M ≥ 0 and clean export e ≥ 0 per step:

    M ≤ L,   M + Σ_k c_k ≤ G − e + Σ_k d_k,   e ≥ X − N,   Σ_t w_t M ≥ s·Σ_t w_t L + σ(y)

where c_k, d_k are the clean charge and discharge of each electricity store's clean
sub-ledger (optimiser/formulate/components/storage.py). Export is taken from other local generation
first, and the rest of it from clean supply. Stores with a seasonal state of charge keep no
ledger, so their discharge never counts as clean: conservative.

annual matching:  Σ_t w_t G(t) + Σ_a C_a(y) ≥ s·Σ_t w_t L⁺, with G the clean electricity
whose attributes the site holds (its carbon-free output, exported or not: it keeps the
certificates; what it takes from its PPAs; its hourly instruments), C_a the annual
certificates bought and L⁺ = L + Σ_k (c_k − d_k) the consumption
with the stores' losses (over a year, a store's net charging is its losses).

monthly matching: M_m ≤ Σ_t n_m,t L⁺(t), M_m ≤ Σ_t n_m,t G(t) for each month m, and
Σ_m M_m ≥ s·Σ_t w_t L⁺, with n_m,t the days of month m that step t stands for
(:meth:`~optimiser.formulate.inputs.ModelInputs.month_weights`); annual certificates do not count.

N excludes the clean part of storage discharge (d − d_c), so export is never covered by
discharge that still counts as clean.

σ is a slack fixed at 0 that is freed, and priced, only to diagnose an infeasible plan. The
dual of each row, divided by the year's discount factor, is the implied price of one more MWh
of matched clean electricity a year; 1 % of the year's consumption times that price is what
one more percentage point costs.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.components.certificates import (
    annual_certificates,
    counted_virtual_ppas,
    hourly_certificates,
    hourly_instruments,
)
from optimiser.formulate.components.ppa import available
from optimiser.formulate.context import Context
from plant.schema import CleanElectricityTarget, Plan


def target_in(plan: Plan, year: int) -> CleanElectricityTarget | None:
    """The clean-electricity target that applies in ``year``: the latest one set for it or
    before."""
    applying = [t for t in plan.accounting.clean_electricity_targets if t.year <= year]
    return max(applying, key=lambda t: t.year) if applying else None


def add_clean_share_targets(ctx: Context) -> None:
    """The rows of :mod:`this module <optimiser.formulate.components.clean_share>` for every year a
    target applies; ``m.clean_share[y]`` is the share row."""
    inputs, m, plan = ctx.inputs, ctx.m, ctx.inputs.plan
    years = [y for y in inputs.years if target_in(plan, y) is not None]
    steps = range(inputs.n_steps)
    m.clean_share = pyo.Constraint(years)
    m.clean_share_slack = pyo.Var(years, domain=pyo.NonNegativeReals)
    if not years:
        return
    m.clean_export = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    m.clean_matched = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    m.clean_month = pyo.Var(years, range(12), domain=pyo.NonNegativeReals)
    virtual = counted_virtual_ppas(plan)
    m.clean_vppa = pyo.Var(years, steps, virtual, domain=pyo.NonNegativeReals)
    m.clean_rows = pyo.ConstraintList()
    w, months = inputs.step_weight, inputs.month_weights()
    for y in years:
        target = target_in(plan, y)
        assert target is not None
        hourly = target.matching == "hourly"
        for t in steps:
            load, other = _load(ctx, y, t), _other(ctx, y, t)
            m.clean_rows.add(m.clean_export[y, t] >= m.grid_export[y, t] - other)
            if hourly:
                clean = _clean_in_hour(ctx, y, t, virtual)
                charge = sum(c(y, t) for c, _ in ctx.clean_storage)
                discharge = sum(d(y, t) for _, d in ctx.clean_storage)
                m.clean_rows.add(m.clean_matched[y, t] <= load)
                m.clean_rows.add(m.clean_matched[y, t] + charge
                                 <= clean - m.clean_export[y, t] + discharge)
            else:
                m.clean_matched[y, t].fix(0.0)
                for v in virtual:
                    m.clean_vppa[y, t, v].fix(0.0)
        if hourly:
            consumed = pyo.quicksum(float(w[t]) * _load(ctx, y, t) for t in steps)
            matched = pyo.quicksum(float(w[t]) * m.clean_matched[y, t] for t in steps)
        else:  # storage losses are consumption too
            consumed = pyo.quicksum(float(w[t]) * _load_with_losses(ctx, y, t) for t in steps)
        if target.matching == "monthly":
            for k in range(12):
                n = months[k]
                m.clean_rows.add(m.clean_month[y, k] <= pyo.quicksum(
                    float(n[t]) * _load_with_losses(ctx, y, t) for t in steps if n[t] > 0))
                m.clean_rows.add(m.clean_month[y, k] <= pyo.quicksum(
                    float(n[t]) * _clean(ctx, y, t) for t in steps if n[t] > 0))
            matched = pyo.quicksum(m.clean_month[y, k] for k in range(12))
        elif not hourly:
            matched = pyo.quicksum(float(w[t]) * _clean(ctx, y, t)
                                   for t in steps) + annual_certificates(ctx, y)
        slack = m.clean_share_slack[y]
        slack.fix(0.0)
        m.clean_share[y] = matched + slack >= target.share * consumed
        ctx.add_cost("target_slack", y, slack * m.penalty_target_slack)


def _load(ctx: Context, y: int, t: int) -> Any:
    """L(y,t): electricity the site consumes [MW]."""
    plan, m = ctx.inputs.plan, ctx.m
    load = float(ctx.inputs.demand("electricity", y)[t]) - m.unserved[y, t, "electricity"]
    for name, tech in plan.technologies.items():
        if tech.cuts_demand and "electricity" in ctx.output.get(name, {}):
            load = load - ctx.output[name]["electricity"](y, t)
    for drawn in ctx.consumption.values():
        if "electricity" in drawn:
            load = load + drawn["electricity"](y, t)
    return load


def _clean(ctx: Context, y: int, t: int) -> Any:
    """G(y,t): carbon-free generation, PPA take and hourly instruments [MW]."""
    return _carbon_free(ctx, y, t) + _ppa_take(ctx, y, t) + hourly_instruments(ctx, y, t)


def _carbon_free(ctx: Context, y: int, t: int) -> Any:
    """Output of the site's carbon-free technologies (``carbon_free``: solar, wind) [MW]."""
    return pyo.quicksum(ctx.output[n]["electricity"](y, t)
                        for n, tech in ctx.inputs.plan.technologies.items()
                        if tech.carbon_free and n in ctx.output)


def _ppa_take(ctx: Context, y: int, t: int) -> Any:
    """What the site takes from its private-wire PPAs [MW]."""
    return pyo.quicksum(ctx.m.ppa_take[y, t, n] for n in ctx.inputs.plan.ppas)


def _clean_in_hour(ctx: Context, y: int, t: int, virtual: list[str]) -> Any:
    """G(y,t) for hourly matching, with the rows that bound its instruments to the hour's
    import (module docstring)."""
    m = ctx.m
    used = hourly_certificates(ctx, y, t) + pyo.quicksum(m.clean_vppa[y, t, v] for v in virtual)
    for v in virtual:
        m.clean_rows.add(m.clean_vppa[y, t, v]
                         <= m.ppa_share[v] * float(available(ctx, v, y)[t]))
    if virtual:
        m.clean_rows.add(used <= m.grid_import[y, t])
    return _carbon_free(ctx, y, t) + _ppa_take(ctx, y, t) + used


def _other(ctx: Context, y: int, t: int) -> Any:
    """N(y,t): local generation that is not clean (SOFC, storage discharge less its clean
    part) [MW]."""
    return (pyo.quicksum(g(y, t) for g in ctx.local_generation) - _carbon_free(ctx, y, t)
            - pyo.quicksum(d(y, t) for _, d in ctx.clean_storage))


def _load_with_losses(ctx: Context, y: int, t: int) -> Any:
    """L(y,t) + Σ_k (c_k − d_k): consumption with the stores' net charging [MW]; over a month
    or a year the latter is their losses (and what they carry over)."""
    return _load(ctx, y, t) - _storage_net(ctx, y, t)


def _storage_net(ctx: Context, y: int, t: int) -> Any:
    """Σ_k (d_k − c_k): discharge less charge of every electricity store [MW]."""
    return pyo.quicksum(ctx.output[n]["electricity"](y, t)
                        for n, tech in ctx.inputs.plan.technologies.items()
                        if tech.stores_electricity and n in ctx.output)
