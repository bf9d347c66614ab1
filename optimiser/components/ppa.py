"""Power purchase agreements: electricity bought from a plant the site does not own.

A private-wire PPA k delivers up to A_k(y,t) = K_k·cf_k(t)·w_k(y) in step t of year y, with K_k
the contracted plant's rating, cf_k the hourly capacity factor of its technology and
w_k(y) = Σ_{τ ∈ span(y), s ≤ τ < s+T} v^(τ−y₀) (1 − d)^(τ − b) / δ_y the discount-weighted
share of the span inside the contract (start s, term T), each year derated by the plant's age
since it was built (b) with the technology's degradation d (0 for wind). The site takes
g_k(y,t) ≤ A_k(y,t) into its electricity balance; the rest is spilled. Payment is as
produced: p̄_k(y)·Σ_t w_t A_k(y,t) a year whether used or not (a constant in the objective,
cost category ``ppa``). Behind the
meter, the energy is not grid import: it counts in scope 2 at its plant's factor, zero for
solar and wind (GHG Protocol scope 2, direct line), and it is not the site's own generation
(it cannot be exported by the site).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from optimiser.context import AtKey, Context
from plant.schema import PowerPurchaseAgreement, SolarPV


def contract_weight(ctx: Context, ppa: PowerPurchaseAgreement, year: int) -> float:
    """w_k(y): share of the span of ``year`` inside the contract, derated by plant age."""
    tech = ctx.inputs.plan.technologies[ppa.technology]
    d = tech.degradation_per_year if isinstance(tech, SolarPV) else 0.0
    spans = ctx.inputs.spans
    inside = spans.cohort_weight(ppa.start_year, ppa.term_years, year, d)
    return inside * (1.0 - d) ** (ppa.start_year - ppa.build_year)


def available(ctx: Context, name: str, year: int) -> np.ndarray:
    """A_k(y, t): what PPA ``name`` can deliver in each step of ``year`` [MW]."""
    ppa = ctx.inputs.plan.ppas[name]
    cf = ctx.inputs.capacity_factor(ppa.technology)
    return ppa.capacity_mw * cf * contract_weight(ctx, ppa, year)


def add_ppas(ctx: Context) -> None:
    """Add every PPA of the plan: hourly take, balance term and payment."""
    inputs, m = ctx.inputs, ctx.m
    names = list(inputs.plan.ppas)
    years, steps = inputs.years, range(inputs.n_steps)
    m.ppa_take = pyo.Var(years, steps, names, domain=pyo.NonNegativeReals)
    for name in names:
        ppa = inputs.plan.ppas[name]
        for y in years:
            cap = available(ctx, name, y)
            for t in steps:
                m.ppa_take[y, t, name].setub(float(cap[t]))
            ctx.add_cost("ppa", y, inputs.annual(cap) * inputs.price(ppa.price_per_mwh, y))
        ctx.add_balance("electricity", AtKey(m.ppa_take, name))
