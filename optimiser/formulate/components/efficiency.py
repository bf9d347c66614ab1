"""Energy-efficiency measures: saved energy bought per MWh of annual saving.

S(y) = Σ_{alive builds} B(y') [MWh/yr] with S(y) ≤ s_max·D(y), D(y) the carrier's annual demand
before measures. The hourly demand is reduced in proportion, d(t)·(1 − S(y)/D(y)), entered in
the balance as a supply term S(y)·d(t)/D(y). Capex: B(y')·c(y') with c per MWh/yr.
For numerical scaling the variables are in average MW (MWh/yr ÷ 8760).
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimiser.formulate.components._investment import add_capacity, tech_block
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import Context
from plant.schema import EfficiencyMeasure
from plant.trajectory import Trajectory

HOURS_YEAR = 8760.0


@registers("efficiency")
def add(ctx: Context, name: str, tech: EfficiencyMeasure) -> None:
    """Add one efficiency measure: it supplies its carrier the saving S(y)·d(t)/D(y)."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    # variables in average MW saved; add_capacity multiplies per-kW prices by 1000, so the
    # price per MWh/yr becomes × 8760 / 1000 per "kW average"
    saved = add_capacity(ctx, block, name, tech,
                         capex_per_kw=tech.capex_per_mwh_saved_per_year.scaled(HOURS_YEAR / 1e3),
                         fixed_om_per_kw=Trajectory(0.0), use_tech_limit=False)
    ctx.nonmonotone.update(saved[y].name for y in inputs.years)  # forced supply
    carrier = tech.carrier
    demand = {y: inputs.demand(carrier, y) for y in inputs.years}
    annual = {y: inputs.annual(demand[y]) for y in inputs.years}

    def limit(b: pyo.Block, y: int) -> object:
        return saved[y] <= tech.max_saving_fraction * annual[y] / HOURS_YEAR

    if inputs.fixed is None and inputs.linked is None:  # else the saving is held
        block.saving_limit = pyo.Constraint(inputs.years, rule=limit)
        for y in inputs.years:
            ctx.add_limit(y, f"saving limit of {name}", block.saving_limit[y],
                          f"technologies.{name}.max_saving_fraction")
    share = {y: demand[y] / annual[y] * HOURS_YEAR if annual[y] > 0 else demand[y] * 0.0
             for y in inputs.years}
    ctx.supply(name, carrier, lambda y, t: float(share[y][t]) * saved[y])
    for y in inputs.years:
        ctx.capacity[(name, y)] = saved[y] * HOURS_YEAR  # MWh/yr
