"""Capacity that is built, ages and retires; its capex, fixed O&M and salvage value.

Capacity in year y: K(y) = K_exist(y) + Σ_{y' ≤ y, y' + L > y} B(y'), with B(y') the capacity
built in investment year y' and L the lifetime. Capex B(y')·c(y') is paid in y'; fixed O&M
K(y)·f(y) every year; capacity that outlives the horizon returns a linear salvage value
B(y')·c(y')·(y' + L − T_end)/L at T_end, the first year after the horizon (discounted to y'
here so that the objective's one-off discounting applies).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from optimiser.context import Context
from plant.schema.technologies import TechnologyBase
from plant.trajectory import Trajectory

KW_PER_MW = 1000.0


def existing_capacity(ctx: Context, tech_name: str, year: int, field: str = "capacity_mw",
                      ) -> float:
    """Capacity of existing assets of ``tech_name`` still alive in ``year``."""
    plan = ctx.inputs.plan
    tech = plan.technologies[tech_name]
    total = 0.0
    for asset in plan.existing_assets.values():
        if asset.technology != tech_name:
            continue
        life = asset.lifetime_years or tech.lifetime_years
        if asset.build_year <= year < asset.build_year + life:
            total += getattr(asset, field) or 0.0
    return total


def add_capacity(ctx: Context, block: pyo.Block, name: str, tech: TechnologyBase, *,
                 var: str = "build", capex_per_kw: Trajectory | None = None,
                 fixed_om_per_kw: Trajectory | None = None, existing_field: str = "capacity_mw",
                 max_total: float | None = None, use_tech_limit: bool = True,
                 ) -> dict[int, Any]:
    """Add build variables for one capacity of a technology; return K(y) expressions [MW].

    ``capex_per_kw`` and ``fixed_om_per_kw`` default to the technology's per-kW fields; pass
    per-kWh trajectories for energy capacities (MWh and per-kWh give the same factor 1000).
    The build limit is ``max_total`` if given, else the technology's ``max_capacity_mw`` unless
    ``use_tech_limit`` is false (a second capacity such as storage energy, which that power
    limit does not bound).
    """
    inputs = ctx.inputs
    years, r = inputs.years, inputs.plan.finance.discount_rate
    life = tech.lifetime_years
    build = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(var, build)
    capex = tech.capex_per_kw if capex_per_kw is None else capex_per_kw
    fom = tech.fixed_om_per_kw_year if fixed_om_per_kw is None else fixed_om_per_kw
    limit = max_total if max_total is not None else (
        tech.max_capacity_mw if use_tech_limit else None)
    total = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_total", total)
    cap: dict[int, Any] = {}
    for y in years:
        if tech.first_year is not None and y < tech.first_year:
            build[y].fix(0.0)
        elif tech.max_build_rate_mw_per_year is not None:
            build[y].setub(tech.max_build_rate_mw_per_year * inputs.span[y])
        alive = [b for b in years if b <= y < b + life]
        existing = existing_capacity(ctx, name, y, existing_field)
        new = pyo.quicksum(build[b] for b in alive)
        # one capacity variable per year keeps hourly rows short (one column, not one per cohort)
        block.add_component(f"{var}_total_{y}", pyo.Constraint(expr=total[y] == existing + new))
        cap[y] = total[y]
        if limit is not None:
            block.add_component(f"{var}_limit_{y}",
                                pyo.Constraint(expr=new <= max(limit - existing, 0.0)))
        ctx.add_cost("capex", y, build[y] * capex.at(y) * KW_PER_MW)
        ctx.capex[(name, y)].append(build[y] * capex.at(y) * KW_PER_MW)
        if var in ("build", "build_power"):
            ctx.builds[(name, y)] = build[y]
        remaining = y + life - inputs.horizon_end
        if remaining > 0:
            factor = remaining / life * (1 + r) ** -(inputs.horizon_end - y)
            ctx.add_cost("salvage", y, -build[y] * capex.at(y) * KW_PER_MW * factor)
        ctx.add_cost("fixed_om", y, cap[y] * fom.at(y) * KW_PER_MW)
    return cap


def tech_block(ctx: Context, name: str) -> pyo.Block:
    """A Pyomo block named ``tech_<name>`` holding one technology's components."""
    block = pyo.Block()
    ctx.m.add_component(f"tech_{name}", block)
    return block
