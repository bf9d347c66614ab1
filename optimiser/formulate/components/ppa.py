"""Power purchase agreements: electricity bought from a plant the site does not own
(docs/accounting.md, "Contractual instruments").

A PPA k's plant produces A_k(y,t) = K_k·cf_k(t)·w_k(y) for the site in step t of year y, with
K_k the contracted plant's rating, cf_k the hourly capacity factor of its technology and
w_k(y) = Σ_{τ ∈ span(y), s ≤ τ < s+T} v^(τ−y₀) (1 − d)^(τ − b) / δ_y the discount-weighted
share of the span inside the contract (start s, term T), each year derated by the plant's age
since it was built (b) with the technology's degradation d (0 for wind). The share contracted
is z_k = 1, or for an ``optional`` contract a decision 0 ≤ z_k ≤ 1 taken once for the whole
term (business as usual signs none).

``private_wire``: the site takes g_k(y,t) ≤ z_k·A_k(y,t) into its electricity balance; the
rest is spilled. Payment is as produced, p̄_k(y)·z_k·Σ_t w_t A_k(y,t) a year, whether used or
not (cost category ``ppa``). Behind the meter, the energy is not grid import: it counts in
scope 2 at its plant's factor, zero for solar and wind (GHG Protocol scope 2, direct line),
and it is not the site's own generation (it cannot be exported by the site).

``virtual``: nothing flows to the site. The contract settles each MWh produced at the strike
less the market price, (p̄_k(y) − m̄_k(y))·z_k·Σ_t w_t A_k(y,t) a year (cost category ``ppa``,
negative when the market pays more than the strike), and brings certificates
V_k(y,t) = z_k·A_k(y,t) for the hours they were produced in
(optimiser/formulate/components/certificates.py counts them).

p̄ and m̄ are span means of the price trajectories
(:meth:`optimiser.formulate.inputs.ModelInputs.price`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.components._investment import hold_linked
from optimiser.formulate.context import AtKey, Context
from plant.schema import PowerPurchaseAgreement, SolarPV


def contract_weight(ctx: Context, ppa: PowerPurchaseAgreement, year: int) -> float:
    """w_k(y): share of the span of ``year`` inside the contract, derated by plant age; in a
    dispatch-only model (``inputs.fixed``), whether the contract runs in the span's last
    year, derated to it (optimiser/verify/hourly.py)."""
    tech = ctx.inputs.plan.technologies[ppa.technology]
    d = tech.degradation_per_year if isinstance(tech, SolarPV) else 0.0
    spans = ctx.inputs.spans
    if ctx.inputs.fixed is not None:
        tau = spans.calendar(year)[-1]
        running = ppa.start_year <= tau < ppa.start_year + ppa.term_years
        return (1.0 - d) ** (tau - ppa.build_year) if running else 0.0
    inside = spans.cohort_weight(ppa.start_year, ppa.term_years, year, d)
    return inside * (1.0 - d) ** (ppa.start_year - ppa.build_year)


def available(ctx: Context, name: str, year: int) -> np.ndarray:
    """A_k(y, t): what PPA ``name``'s plant produces for the site in each step of ``year``
    if the whole contract is signed [MW] (computed once per PPA and year, then kept)."""
    key = ("ppa_available", name, year)
    if key not in ctx.memo:
        ppa = ctx.inputs.plan.ppas[name]
        cf = ctx.inputs.capacity_factor(ppa.technology)
        ctx.memo[key] = ppa.capacity_mw * cf * contract_weight(ctx, ppa, year)
    return ctx.memo[key]


def unit_settlement(ctx: Context, ppa: PowerPurchaseAgreement, year: int) -> float:
    """What the site pays per MWh produced in ``year``: the price (private wire) or the
    strike less the market price (virtual, may be negative)."""
    pay = ctx.inputs.price(ppa.price_per_mwh, year)
    if ppa.market_price_per_mwh is not None:
        pay -= ctx.inputs.price(ppa.market_price_per_mwh, year)
    return pay


def settlement(ctx: Context, name: str, year: int) -> Any:
    """What PPA ``name`` costs the site in ``year``: z_k·Σ_t w_t A_k(y,t)·(unit settlement)."""
    ppa = ctx.inputs.plan.ppas[name]
    produced = ctx.inputs.annual(available(ctx, name, year))
    return ctx.m.ppa_share[name] * produced * unit_settlement(ctx, ppa, year)


def add_ppas(ctx: Context) -> None:
    """Add every PPA of the plan: the share contracted, hourly take (private wire) and
    settlement; ``m.ppa_share[k]`` is z_k."""
    inputs, m = ctx.inputs, ctx.m
    names = list(inputs.plan.ppas)
    years, steps = inputs.years, range(inputs.n_steps)
    m.ppa_share = pyo.Var(names, bounds=(0.0, 1.0))
    m.ppa_take = pyo.Var(years, steps, names, domain=pyo.NonNegativeReals)
    m.ppa_take_cap = pyo.ConstraintList()
    for name in names:
        ppa = inputs.plan.ppas[name]
        share = m.ppa_share[name]
        if inputs.fixed is not None:
            share.fix(inputs.fixed[share.name])
        elif not ppa.optional:
            share.fix(1.0)
        elif inputs.linked is not None:
            hold_linked(ctx, share)
        else:
            ctx.linking[share.name] = share
        ctx.investments[share.name] = share
        ctx.nonmonotone.add(share.name)  # paid for as produced
        for y in years:
            cap = available(ctx, name, y)
            for t in steps:
                take = m.ppa_take[y, t, name]
                if ppa.kind == "virtual" or cap[t] <= 0.0:
                    take.fix(0.0)
                elif ppa.optional:
                    m.ppa_take_cap.add(take <= share * float(cap[t]))
                else:
                    take.setub(float(cap[t]))
            ctx.add_cost("ppa", y, settlement(ctx, name, y))
        ctx.add_balance("electricity", AtKey(m.ppa_take, name))
