"""SOFC self-generation: fuel from the twin's life-average curve, hot standby, cold starts and
stacks bought as they wear out (docs/optimiser.md, "SOFC"; the twin's figures come from
:mod:`optimiser.sofc_twin`).

With K(y) the nameplate capacity (net AC power with new stacks, the basis of ``capex_per_kw``)
and ρ̄ the life-average full-load power over a new stack's (sofc/life.py), all powers in MW
of life-average rating (nameplate × ρ̄):

* hot capacity H(y,t) ≤ A·ρ̄·K(y) (A the availability), online capacity U ≤ H, net AC power
  x_min·U ≤ P ≤ U; fuel F ≥ a_k·P + b_k·U for every segment k of the convex fit, plus hot
  standby s·(H − U)/ρ̄ and cold starts e·S/ρ̄ (s, e: the twin's standby fuel per MW and start
  fuel per MW nameplate); standby draws σ·(H − U)/ρ̄ of site electricity;
  recovered heat Q ≤ h_1·P + h_0·U into the technology's heat class;
* starts S(y,t) ≥ H(y,t) − H(y,t−1) inside each day, and S_d(y,d) ≥ H(y,p(d),0) −
  H(y,p(d−1),23) between calendar days d−1 and d (p(d): the day's period); so a plant with
  representative days counts the starts of its calendar sequence;
* start-up time τ (the twin's cold start): Σ_{k=1..τ} S(y,t+k) ≤ A·ρ̄·K(y) − H(y,t) (what
  becomes hot within τ hours is cold now: the linear relaxation of a minimum down time),
  inside a day for representative days, over the year at hourly resolution;
* thermal cycles: Σ_t w_t S(y,t) + Σ_d S_d(y,d) ≤ N·ρ̄·K(y), N the starts a year a stack's
  cycle budget allows (thermal_cycles_per_stack × A·8760/L);
* stacks as bought: wear W(y) = Σ_t w_t U(y,t)/ρ̄ [nameplate MWh] ≤ V(y), and through every
  year y the wear allowed is covered by stacks bought:
  Σ_{y'≤y} n_{y'}·V(y') ≤ L·(½·K_existing + Σ_{b≤y} B(b) + Σ_{y'≤y} R(y')),
  with n the span's years, B the capacity built (its first stack is in the capex), R the
  stacks bought in span y [MW], charged R(y)·c̄(y)·φ·1000/n_y a year of the span.

With ``commitment: true`` the online and hot capacities are whole units:
U = ρ̄·u·n_on, H = ρ̄·u·n_hot (integers), u the nameplate unit size.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from optimiser.components._investment import (
    KW_PER_MW,
    add_capacity,
    existing_capacity,
    hold_linked,
    tech_block,
)
from optimiser.components._registry import registers
from optimiser.context import Context
from optimiser.inputs import HOURS
from plant.schema import SOFC


@registers("sofc")
def add(ctx: Context, name: str, tech: SOFC) -> None:
    """Add one SOFC technology (its twin figures must be in ``ctx.inputs.sofc``)."""
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    allowance = _add_stack_purchases(ctx, block, name, tech, cap)
    if ctx.inputs.dispatch:
        _add_dispatch(ctx, block, name, tech, cap, allowance)
    for y in ctx.inputs.years:
        ctx.capacity[(name, y)] = cap[y]


def _add_dispatch(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                  cap: dict[int, Any], allowance: dict[int, Any]) -> None:
    """Power, online and hot capacity, fuel, heat, starts and stack wear of each step."""
    inputs, unit = ctx.inputs, ctx.inputs.sofc[name]
    fit, rho = unit.fit, unit.rated_ratio
    years, steps = inputs.years, range(inputs.n_steps)
    block.power = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.online = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.hot = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.fuel = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    x_min = max(tech.min_load_fraction, fit.min_load_fraction)
    if tech.commitment:
        _add_whole_units(block, tech, rho, years, steps)
    block.hot_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.hot[y, t] <= tech.availability * rho * cap[y])
    block.online_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.online[y, t] <= b.hot[y, t])
    block.max_load = pyo.Constraint(years, steps,
                                    rule=lambda b, y, t: b.power[y, t] <= b.online[y, t])
    block.min_load = pyo.Constraint(years, steps,
                                    rule=lambda b, y, t: b.power[y, t] >= x_min * b.online[y, t])
    block.fuel_curve = pyo.Constraint(
        years, steps, range(len(fit.slopes)),
        rule=lambda b, y, t, k: b.fuel[y, t] >= float(fit.slopes[k]) * b.power[y, t]
        + float(fit.intercepts[k]) * b.online[y, t]
        + unit.standby_fuel / rho * (b.hot[y, t] - b.online[y, t]))
    standby_power = unit.standby_electricity / rho
    ctx.add_balance("electricity", lambda y, t: block.power[y, t]
                    - standby_power * (block.hot[y, t] - block.online[y, t]))
    ctx.consumption[name] = {"electricity": lambda y, t: standby_power
                             * (block.hot[y, t] - block.online[y, t])}
    ctx.local_generation.append(lambda y, t: block.power[y, t])
    outputs: dict[str, Any] = {"electricity": lambda y, t: block.power[y, t]}
    if tech.heat_class is not None:
        block.heat = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
        block.heat_limit = pyo.Constraint(
            years, steps, rule=lambda b, y, t: b.heat[y, t] <= float(fit.heat_slope)
            * b.power[y, t] + float(fit.heat_intercept) * b.online[y, t])
        ctx.add_balance(tech.heat_class, lambda y, t: block.heat[y, t])
        outputs[tech.heat_class] = lambda y, t: block.heat[y, t]
    starts = _add_starts(ctx, block, name, tech, cap)
    block.wear = pyo.Constraint(years, rule=lambda b, y: ctx.annual_sum(b.online, y) / rho
                                <= allowance[y])
    for y in years:
        ctx.add_fuel_use(name, tech.fuel, y, ctx.annual_sum(block.fuel, y)
                         + unit.start_fuel / rho * starts[y])
        ctx.add_cost("variable_om", y,
                     ctx.annual_sum(block.power, y) * inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)
    ctx.output[name] = outputs


def _add_whole_units(block: pyo.Block, tech: SOFC, rho: float, years: list[int],
                     steps: range) -> None:
    """``commitment``: online and hot capacity in whole units of ``unit_size_mw``."""
    block.units_on = pyo.Var(years, steps, domain=pyo.NonNegativeIntegers)
    block.units_hot = pyo.Var(years, steps, domain=pyo.NonNegativeIntegers)
    size = rho * tech.unit_size_mw
    block.commit = pyo.Constraint(years, steps, rule=lambda b, y, t: b.online[y, t]
                                  == size * b.units_on[y, t])
    block.commit_hot = pyo.Constraint(years, steps, rule=lambda b, y, t: b.hot[y, t]
                                      == size * b.units_hot[y, t])


def _add_starts(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                cap: dict[int, Any]) -> dict[int, Any]:
    """Cold starts inside days and between calendar days, the start-up time and the thermal
    cycle limit; returns the starts of each year [MW of life-average rating]."""
    inputs, unit = ctx.inputs, ctx.inputs.sofc[name]
    rho = unit.rated_ratio
    years, steps = inputs.years, range(inputs.n_steps)
    order = [int(p) for p in inputs.profiles["day_period"].values]
    inside = [t for t in steps if t % HOURS]
    block.start = pyo.Var(years, inside, domain=pyo.NonNegativeReals)
    block.start_day = pyo.Var(years, range(len(order)), domain=pyo.NonNegativeReals)
    block.start_inside = pyo.Constraint(
        years, inside, rule=lambda b, y, t: b.start[y, t] >= b.hot[y, t] - b.hot[y, t - 1])
    block.start_between = pyo.Constraint(
        years, range(len(order)), rule=lambda b, y, d: b.start_day[y, d]
        >= b.hot[y, order[d] * HOURS] - b.hot[y, order[d - 1] * HOURS + HOURS - 1])
    _add_start_up_time(ctx, block, tech, cap, rho, math.ceil(unit.start_hours - 1e-9))
    starts = {y: pyo.quicksum(float(inputs.step_weight[t]) * block.start[y, t] for t in inside)
              + pyo.quicksum(block.start_day[y, d] for d in range(len(order))) for y in years}
    block.cycle_limit = pyo.Constraint(
        years, rule=lambda b, y: starts[y] <= unit.max_starts_per_year * rho * cap[y])
    for y in years:
        ctx.add_limit(y, f"thermal cycle limit of {name}", block.cycle_limit[y],
                      f"technologies.{name}.thermal_cycles_per_stack")
    return starts


def _add_start_up_time(ctx: Context, block: pyo.Block, tech: SOFC, cap: dict[int, Any],
                       rho: float, tau: int) -> None:
    """Σ_{k=1..τ} S(t+k) ≤ A·ρ̄·K − H(t): inside each representative day, or over the whole
    year when the steps are its hours in calendar order (module notes)."""
    inputs = ctx.inputs
    n = inputs.n_steps
    chronological = inputs.chronological
    tau = min(tau, n - 1)
    if tau < 1:
        return

    def start_at(y: int, s: int) -> Any:
        if s % HOURS:
            return block.start[y, s]
        return block.start_day[y, s // HOURS] if chronological else None

    def window(y: int, t: int) -> list[Any]:
        if chronological:
            later = [(t + k) % n for k in range(1, tau + 1)]
        else:
            day_end = (t // HOURS + 1) * HOURS
            later = list(range(t + 1, min(t + tau + 1, day_end)))
        return [v for s in later if (v := start_at(y, s)) is not None]

    def rule(b: pyo.Block, y: int, t: int) -> Any:
        terms = window(y, t)
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum(terms) <= tech.availability * rho * cap[y] - b.hot[y, t]

    block.start_up_time = pyo.Constraint(inputs.years, range(n), rule=rule)


def _add_stack_purchases(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                         cap: dict[int, Any]) -> dict[int, Any]:
    """Wear allowance V(y) and stacks bought R(y) (module notes); returns V by year.

    A decomposition's master holds the stock rows and R; its yearly subproblems read V(y)
    as a linking column. A dispatch-only model holds V and R at the planning run's values."""
    inputs = ctx.inputs
    years = inputs.years
    block.wear_allowance = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.stacks_bought = pyo.Var(years, domain=pyo.NonNegativeReals)
    allowance, bought = block.wear_allowance, block.stacks_bought
    if inputs.linked is not None:
        for y in years:
            hold_linked(ctx, allowance[y])
            bought[y].fix(0.0)
        return {y: allowance[y] for y in years}
    if inputs.fixed is not None:
        for y in years:
            allowance[y].fix(inputs.fixed[allowance[y].name])
            bought[y].fix(inputs.fixed[bought[y].name])
            _charge_stacks(ctx, name, tech, y, bought[y])
        return {y: allowance[y] for y in years}
    life = inputs.sofc[name].life_hours
    existing = 0.5 * existing_capacity(ctx, name, years[0])
    build = block.build

    def stock(b: pyo.Block, y: int) -> Any:
        done = [v for v in years if v <= y]
        return (pyo.quicksum(inputs.span[v] * allowance[v] for v in done)
                <= life * (existing + pyo.quicksum(build[v] + bought[v] for v in done)))

    block.stack_stock = pyo.Constraint(years, rule=stock)
    for y in years:
        ctx.investments[allowance[y].name] = allowance[y]
        ctx.investments[bought[y].name] = bought[y]
        ctx.linking[allowance[y].name] = allowance[y]
        _charge_stacks(ctx, name, tech, y, bought[y])
    return {y: allowance[y] for y in years}


def _charge_stacks(ctx: Context, name: str, tech: SOFC, year: int, bought: Any) -> None:
    """R(y)·c̄(y)·φ·1000 spread over the span's years [currency a year]."""
    inputs = ctx.inputs
    price = (inputs.price(tech.capex_per_kw, year) * tech.stack_replacement_fraction_of_capex
             * KW_PER_MW)
    ctx.add_cost("stack_replacement", year, bought * price / inputs.span[year], tech=name)

