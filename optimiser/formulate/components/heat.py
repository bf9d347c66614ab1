"""Heat supply: heat pumps, electric heaters/ovens and fuel-fired boilers/furnaces.

Each has one heat capacity K (MW_th) shared by the heat classes it serves:
Σ_c q(y,t,c) ≤ U(y) with U(y) ≤ K(y) and U(y) ≤ F(y), the fleet alive at the end of the span
(:func:`~optimiser.formulate.components._investment.add_firm_capacity`). Heat pump electricity:
Σ_c q(y,t,c)/COP(t,c), COP from the hourly profile (air temperature, class temperature).
Electric heater: Σ_c q/η. Boiler fuel (LHV, annual, free choice among its fuels):
Σ_f F(y,f) = Σ_t w_t Σ_c q(y,t,c) / η(y).

An existing boiler that states its own efficiency η_a (``existing_assets.<a>.efficiency``)
is a cohort of its own: q_a(y,t,c) ≥ 0 with Σ_c q_a ≤ K_a(y), the rest of the fleet
Σ_c q ≤ U(y) − Σ_a K_a(y), and fuel Σ_f F(y,f) = Σ_t w_t Σ_c (q/η(y) + Σ_a q_a/η_a).
K_a(y) = K_a while the asset is alive at the end of y's span (the fleet F(y) and the
hourly verification hold), its span-weighted share w(b_a, y)·K_a without stress days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.components._investment import (
    add_capacity,
    fleet_year,
    tech_block,
    usable_capacity,
)
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import AtKey, Context
from plant.schema import ElectricHeater, ExistingAsset, FuelBoiler, HeatPump


def _heat_vars(ctx: Context, block: pyo.Block, name: str, classes: list[str],
               cap: dict[int, Any], reserved: dict[int, float] | None = None) -> None:
    """q(y,t,c) with Σ_c q ≤ U(y) − the capacity ``reserved`` for own-efficiency cohorts;
    q(·,·,c) is supplied to heat class c."""
    inputs = ctx.inputs
    steps = range(inputs.n_steps)
    block.heat = pyo.Var(inputs.years, steps, classes, domain=pyo.NonNegativeReals)
    usable = usable_capacity(ctx, block, name, cap)

    def limit(b: pyo.Block, y: int, t: int) -> Any:
        heat = pyo.quicksum(b.heat[y, t, c] for c in classes)
        if reserved and reserved[y]:
            return heat <= usable[y] - reserved[y]
        return heat <= usable[y]

    block.heat_limit = pyo.Constraint(inputs.years, steps, rule=limit)
    for c in classes:
        ctx.supply(name, c, AtKey(block.heat, c))


def _finish(ctx: Context, name: str, tech: Any, block: pyo.Block, classes: list[str],
            cap: dict[int, Any], cohorts: tuple[str, ...] = ()) -> None:
    """Variable O&M on all the heat (its own-efficiency ``cohorts`` included) and the
    capacity of the technology."""
    for y in ctx.inputs.years:
        total = pyo.quicksum(ctx.annual_sum(AtKey(block.heat, c), y) for c in classes)
        if cohorts:
            total += pyo.quicksum(ctx.annual_sum(_Cohort(block, a, c), y)
                                  for a in cohorts for c in classes)
        ctx.add_cost("variable_om", y, total * ctx.inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)
        ctx.capacity[(name, y)] = cap[y]


class _Cohort:
    """View of ``block.own_heat[a, y, t, c]`` as a (y, t)-indexed variable."""

    def __init__(self, block: pyo.Block, asset: str, heat_class: str):
        self.block, self.asset, self.heat_class = block, asset, heat_class

    def __getitem__(self, yt: tuple[int, int]) -> Any:
        return self.block.own_heat[self.asset, yt[0], yt[1], self.heat_class]

    def __call__(self, y: int, t: int) -> Any:
        return self[y, t]


def own_efficiency_assets(ctx: Context, name: str) -> dict[str, float]:
    """η_a of the existing assets of technology ``name`` that state their own efficiency."""
    return {a: asset.efficiency for a, asset in ctx.inputs.plan.existing_assets.items()
            if asset.technology == name and asset.efficiency is not None}


def cohort_limit(ctx: Context, asset: ExistingAsset, year: int) -> float:
    """K_a(y) of the module docstring [MW]."""
    tech = ctx.inputs.plan.technologies[asset.technology]
    life = asset.lifetime_years or tech.service_life_years
    if ctx.inputs.fixed is None and not ctx.inputs.plan.profiles.aggregation.stress_days:
        return ctx.inputs.spans.cohort_weight(asset.build_year, life, year) * asset.capacity_mw
    tau = fleet_year(ctx, year)
    return asset.capacity_mw if asset.build_year <= tau < asset.build_year + life else 0.0


def _cohort_vars(ctx: Context, block: pyo.Block, classes: list[str],
                 assets: list[str]) -> dict[int, float]:
    """q_a(y,t,c) ≥ 0 with Σ_c q_a ≤ K_a(y) for each own-efficiency asset; returns
    Σ_a K_a(y), the capacity they hold [MW] (:func:`_supply_cohorts` registers their heat)."""
    inputs = ctx.inputs
    years, steps = inputs.years, range(inputs.n_steps)
    existing = inputs.plan.existing_assets
    limit = {(a, y): cohort_limit(ctx, existing[a], y) for a in assets for y in years}
    block.own_heat = pyo.Var(assets, years, steps, classes, domain=pyo.NonNegativeReals)
    block.own_heat_limit = pyo.Constraint(
        assets, years, steps,
        rule=lambda b, a, y, t: pyo.quicksum(b.own_heat[a, y, t, c] for c in classes)
        <= limit[a, y])
    return {y: sum(limit[a, y] for a in assets) for y in years}


def _supply_cohorts(ctx: Context, name: str, block: pyo.Block, classes: list[str],
                    assets: list[str]) -> None:
    """q_a(·,·,c) of each own-efficiency asset is supplied to heat class c (after the rest of
    the fleet's q, so the technology's output is q + Σ_a q_a)."""
    for a in assets:
        for c in classes:
            ctx.supply(name, c, _Cohort(block, a, c))


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

    ctx.draw(name, "electricity", power)
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

    ctx.draw(name, "electricity", power)
    _finish(ctx, name, tech, block, classes, cap)


@registers("fuel_boiler")
def add_fuel_boiler(ctx: Context, name: str, tech: FuelBoiler) -> None:
    """Fuel-fired boiler or furnace."""
    inputs = ctx.inputs
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    classes = list(tech.serves)
    assets = own_efficiency_assets(ctx, name)
    reserved = _cohort_vars(ctx, block, classes, list(assets)) if assets else None
    _heat_vars(ctx, block, name, classes, cap, reserved)
    _supply_cohorts(ctx, name, block, classes, list(assets))
    block.fuel = pyo.Var(inputs.years, list(tech.fuels), domain=pyo.NonNegativeReals)

    def fuel_needed(b: pyo.Block, y: int) -> Any:
        """Σ_f F·η(y) = Σ_t w_t Σ_c (q + Σ_a q_a·η(y)/η_a) (the module docstring × η(y))."""
        eta = tech.efficiency.at(y)
        heat = pyo.quicksum(ctx.annual_sum(AtKey(b.heat, c), y) for c in classes)
        for a, eta_a in assets.items():
            heat += eta / eta_a * pyo.quicksum(ctx.annual_sum(_Cohort(b, a, c), y)
                                               for c in classes)
        return pyo.quicksum(b.fuel[y, f] for f in tech.fuels) * eta == heat

    block.fuel_balance = pyo.Constraint(inputs.years, rule=fuel_needed)
    for y in inputs.years:
        for f in tech.fuels:
            ctx.add_fuel_use(name, f, y, block.fuel[y, f])
    _finish(ctx, name, tech, block, classes, cap, tuple(assets))
