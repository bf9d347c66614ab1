"""Heat supply: heat pumps, electric heaters/ovens and fuel-fired boilers/furnaces.

Each has one heat capacity K (MW_th) shared by the heat classes it serves:
Σ_c q(y,t,c) ≤ U(y) with U(y) ≤ K(y) and U(y) ≤ F(y), the fleet alive at the end of the span
(:func:`~optimiser.components._investment.add_firm_capacity`). Heat pump electricity:
Σ_c q(y,t,c)/COP(t,c), COP from the hourly profile (air temperature, class temperature).
Electric heater: Σ_c q/η. Boiler fuel (LHV, annual, free choice among its fuels):
Σ_f F(y,f) = Σ_t w_t Σ_c q(y,t,c) / η(y).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.components._investment import add_capacity, tech_block, usable_capacity
from optimiser.components._registry import registers
from optimiser.context import AtKey, Context
from plant.schema import ElectricHeater, FuelBoiler, HeatPump


def _heat_vars(ctx: Context, block: pyo.Block, name: str, classes: list[str],
               cap: dict[int, Any]) -> None:
    inputs = ctx.inputs
    steps = range(inputs.n_steps)
    block.heat = pyo.Var(inputs.years, steps, classes, domain=pyo.NonNegativeReals)
    usable = usable_capacity(ctx, block, name, cap)
    block.heat_limit = pyo.Constraint(
        inputs.years, steps,
        rule=lambda b, y, t: pyo.quicksum(b.heat[y, t, c] for c in classes) <= usable[y])
    for c in classes:
        ctx.add_balance(c, AtKey(block.heat, c))


def _finish(ctx: Context, name: str, tech: Any, block: pyo.Block, classes: list[str],
            cap: dict[int, Any]) -> None:
    for y in ctx.inputs.years:
        total = pyo.quicksum(ctx.annual_sum(AtKey(block.heat, c), y) for c in classes)
        ctx.add_cost("variable_om", y, total * ctx.inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)
        ctx.capacity[(name, y)] = cap[y]
    ctx.output[name] = {c: (lambda y, t, c=c: block.heat[y, t, c]) for c in classes}


@registers("heat_pump")
def add_heat_pump(ctx: Context, name: str, tech: HeatPump) -> None:
    """Electric heat pump."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    cop = {c: inputs.series("cop", heat_pump=name, heat_class=c) for c in tech.serves}
    classes = [c for c in tech.serves if np.all(cop[c] > 0)]
    _heat_vars(ctx, block, name, classes, cap)
    inv = {c: 1.0 / cop[c] for c in classes}

    def power(y: int, t: int) -> Any:
        return pyo.quicksum(float(inv[c][t]) * block.heat[y, t, c] for c in classes)

    ctx.add_balance("electricity", lambda y, t: -power(y, t))
    ctx.consumption[name] = {"electricity": power}
    _finish(ctx, name, tech, block, classes, cap)


@registers("electric_heater")
def add_electric_heater(ctx: Context, name: str, tech: ElectricHeater) -> None:
    """Electric boiler, resistive heater or oven."""
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    classes = list(tech.serves)
    _heat_vars(ctx, block, name, classes, cap)
    def power(y: int, t: int) -> Any:
        return pyo.quicksum(block.heat[y, t, c] for c in classes) / tech.efficiency

    ctx.add_balance("electricity", lambda y, t: -power(y, t))
    ctx.consumption[name] = {"electricity": power}
    _finish(ctx, name, tech, block, classes, cap)


@registers("fuel_boiler")
def add_fuel_boiler(ctx: Context, name: str, tech: FuelBoiler) -> None:
    """Fuel-fired boiler or furnace."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    classes = list(tech.serves)
    _heat_vars(ctx, block, name, classes, cap)
    block.fuel = pyo.Var(inputs.years, list(tech.fuels), domain=pyo.NonNegativeReals)

    def fuel_needed(b: pyo.Block, y: int) -> Any:
        heat = pyo.quicksum(ctx.annual_sum(AtKey(b.heat, c), y) for c in classes)
        return pyo.quicksum(b.fuel[y, f] for f in tech.fuels) * tech.efficiency.at(y) == heat

    block.fuel_balance = pyo.Constraint(inputs.years, rule=fuel_needed)
    for y in inputs.years:
        for f in tech.fuels:
            ctx.add_fuel_use(name, f, y, block.fuel[y, f])
    _finish(ctx, name, tech, block, classes, cap)
