"""Solar PV and wind: output up to capacity × hourly capacity factor (curtailment allowed).

g(y,t) ≤ K(y)·cf(t); cost: capex, fixed O&M, variable O&M·Σ_t w_t g(y,t). Degradation of PV is
folded into the calibrated yield (first-year value), a small optimism of ~0.4 %/yr of age.
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimiser.components._investment import add_capacity, tech_block
from optimiser.context import Context
from plant.schema import SolarPV, WindTurbine

#: capacity factors below this are treated as zero (< 0.01 % of annual output)
CF_FLOOR = 1e-3


def add(ctx: Context, name: str, tech: SolarPV | WindTurbine) -> None:
    """Add one solar or wind technology."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    limit = tech.max_capacity_mw
    if isinstance(tech, SolarPV) and tech.max_area_m2 is not None:
        by_area = tech.max_area_m2 / tech.area_m2_per_kw / 1000.0
        limit = by_area if limit is None else min(limit, by_area)
    cap = add_capacity(ctx, block, name, tech, max_total=limit)
    cf = inputs.series("capacity_factor", tech=name).copy()
    cf[cf < CF_FLOOR] = 0.0  # dawn/dusk slivers: numerically harmful, energetically nil
    block.gen = pyo.Var(inputs.years, range(inputs.n_steps), domain=pyo.NonNegativeReals)
    for y in inputs.years:
        for t in range(inputs.n_steps):
            if cf[t] <= 0:
                block.gen[y, t].fix(0.0)

    def available(b: pyo.Block, y: int, t: int) -> object:
        if cf[t] <= 0:
            return pyo.Constraint.Skip
        return b.gen[y, t] <= cap[y] * float(cf[t])

    block.available = pyo.Constraint(inputs.years, range(inputs.n_steps), rule=available)
    ctx.add_balance("electricity", lambda y, t: block.gen[y, t])
    ctx.local_generation.append(lambda y, t: block.gen[y, t])
    for y in inputs.years:
        ctx.add_cost("variable_om", y,
                     ctx.annual_sum(block.gen, y) * tech.variable_om_per_mwh.at(y))
        ctx.capacity[(name, y)] = cap[y]
    ctx.output[name] = {"electricity": lambda y, t: block.gen[y, t]}
