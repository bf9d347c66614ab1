"""Solar PV and wind: output up to capacity × hourly capacity factor (curtailment allowed).

g(y,t) ≤ K_out(y)·cf(t); cost: capex, fixed O&M on K(y), variable O&M·Σ_t w_t g(y,t). The
capacity factors are the profile's (calibrated to the first-year yield) without negligible
hours: factors below 1e-4 are set to 0 and the rest scaled to keep the yield
(:func:`~optimiser.formulate.inputs.without_negligible_hours`); hours with cf = 0 have no output
variable, so the modelled yield equals the calibrated one. For PV, K_out is the capacity
derated by age, Σ_b K_b·mean_τ (1 − d)^(τ − b) over the alive years of each span
(``degradation_per_year`` d; :func:`~optimiser.formulate.components._investment.add_aged_capacity`);
for wind K_out = K.
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimiser.formulate.components._investment import add_aged_capacity, add_capacity, tech_block
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import Context
from plant.schema import SolarPV, WindTurbine


@registers("solar_pv", "wind")
def add(ctx: Context, name: str, tech: SolarPV | WindTurbine) -> None:
    """Add one solar or wind technology: it supplies g to electricity, all of it exportable."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    limit, key = tech.build_limit()
    cap = add_capacity(ctx, block, name, tech, max_total=limit, limit_key=key)
    out_cap = cap
    if isinstance(tech, SolarPV) and tech.degradation_per_year > 0:
        out_cap = add_aged_capacity(ctx, block, name, tech, tech.degradation_per_year)
    cf = inputs.capacity_factor(name)
    block.gen = pyo.Var(inputs.years, range(inputs.n_steps), domain=pyo.NonNegativeReals)
    for y in inputs.years:
        for t in range(inputs.n_steps):
            if cf[t] <= 0:
                block.gen[y, t].fix(0.0)

    def available(b: pyo.Block, y: int, t: int) -> object:
        if cf[t] <= 0:
            return pyo.Constraint.Skip
        return b.gen[y, t] <= out_cap[y] * float(cf[t])

    block.available = pyo.Constraint(inputs.years, range(inputs.n_steps), rule=available)

    def gen(y: int, t: int) -> object:
        return block.gen[y, t]

    ctx.supply(name, "electricity", gen, exportable=gen)
    for y in inputs.years:
        ctx.add_cost("variable_om", y,
                     ctx.annual_sum(block.gen, y) * inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)
        ctx.capacity[(name, y)] = cap[y]
