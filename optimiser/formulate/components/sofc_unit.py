"""SOFC self-generation: fuel from the twin's life-average curve, hot standby, cold starts and
stacks bought as they wear out (docs/optimiser.md, "SOFC"; the twin's figures come from
:mod:`optimiser.formulate.sofc_twin`).

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
  round each representative day (cyclic), over the year at hourly resolution; a start draws
  its site electricity in its hour;
* thermal cycles: Σ_t w_t S(y,t) + Σ_d S_d(y,d) ≤ N·H_max(y), H_max the most that can be
  hot (A·ρ̄·K), N the starts a year a stack's cycle budget allows
  (thermal_cycles_per_stack × A·8760/L);
* stacks as bought: wear W(y) = [Σ_t w_t U(y,t) + (L/N_c)·starts(y)]/(8760·ρ̄) ≤ V(y)
  [mean nameplate MW worn; a cold start wears 1/N_c of a stack, N_c the thermal cycles a
  stack tolerates], and through every year y the wear allowed is covered by stacks bought:
  Σ_{y'≤y} 8760·n_{y'}·V(y') ≤ L·(½·K_existing + Σ_{b≤y} B(b) + Σ_{y'≤y} R(y')),
  with n the span's years, B the capacity built (its first stack is in the capex), R the
  stacks bought in span y [MW], charged R(y)·c̄(y)·φ·1000/n_y a year of the span.

With ``commitment: true`` the online and hot capacities are whole units:
U = ρ̄·u·n_on, H = ρ̄·u·n_hot (integers), u the nameplate unit size, H ≤ ρ̄·K in each hour and
the availability as hot hours a year. The capex salvage leaves out the stack share φ (its
stacks are bought as they wear). docs/optimiser.md ("SOFC") has the whole formulation.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.components._investment import (
    KW_PER_MW,
    add_capacity,
    existing_capacity,
    hold_linked,
    tech_block,
)
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import HOURS
from plant.schema import SOFC

#: hours in a year
HOURS_PER_YEAR = 8760.0


@registers("sofc")
def add(ctx: Context, name: str, tech: SOFC) -> None:
    """Add one SOFC technology (its twin figures must be in ``ctx.inputs.sofc``)."""
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech,
                       salvage_share=1.0 - tech.stack_replacement_fraction_of_capex)
    allowance = _add_stack_purchases(ctx, block, name, tech, cap)
    if ctx.inputs.dispatch:
        _add_dispatch(ctx, block, name, tech, cap, allowance)
    for y in ctx.inputs.years:
        ctx.capacity[(name, y)] = cap[y]


def _add_dispatch(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                  cap: dict[int, Any], allowance: dict[int, Any]) -> None:
    """Power, online and hot capacity, fuel, heat, starts and stack wear of each step: it
    supplies P to electricity (exportable) and Q to its heat class, draws the standby and
    start electricity, and burns its fuel."""
    inputs, unit = ctx.inputs, ctx.inputs.sofc[name]
    fit, rho = unit.fit, unit.rated_ratio
    years, steps = inputs.years, range(inputs.n_steps)
    block.power = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.online = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.hot = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.fuel = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    x_min = max(tech.min_load_fraction, fit.min_load_fraction)
    hot_cap = hot_capacity(ctx, tech, cap, rho)
    if tech.commitment:
        _add_whole_units(ctx, block, tech, rho, cap)
    block.hot_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.hot[y, t] <= hot_cap[y])
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

    def power(y: int, t: int) -> Any:
        return block.power[y, t]

    ctx.supply(name, "electricity", power, exportable=power)
    ctx.draw(name, "electricity", lambda y, t: standby_power
             * (block.hot[y, t] - block.online[y, t]))
    if tech.heat_class is not None:
        block.heat = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
        block.heat_limit = pyo.Constraint(
            years, steps, rule=lambda b, y, t: b.heat[y, t] <= float(fit.heat_slope)
            * b.power[y, t] + float(fit.heat_intercept) * b.online[y, t])
        ctx.supply(name, tech.heat_class, lambda y, t: block.heat[y, t])
    starts, start_at = _add_starts(ctx, block, name, tech, cap, hot_cap)
    wear = _add_wear(ctx, block, name, tech, start_at)
    if inputs.fixed is not None:
        _charge_wear_beyond_plan(ctx, block, name, tech, wear)
    elif inputs.linked is not None:
        _add_wear_beyond_master(ctx, block, name, tech, wear, allowance)
    else:
        block.wear = pyo.Constraint(years, rule=lambda b, y: wear[y] <= allowance[y])
    for y in years:
        ctx.add_fuel_use(name, tech.fuel, y, ctx.annual_sum(block.fuel, y)
                         + unit.start_fuel / rho * starts[y])
        ctx.add_cost("variable_om", y,
                     ctx.annual_sum(block.power, y) * inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)


def hot_capacity(ctx: Context, tech: SOFC, cap: dict[int, Any], rho: float,
                 ) -> dict[int, Any]:
    """Most capacity that can be hot in an hour [MW of life-average rating]: A·ρ̄·K, or ρ̄·K
    with ``commitment`` (whole units; the availability then limits hot hours a year)."""
    share = rho if tech.commitment else tech.availability * rho
    return {y: share * cap[y] for y in ctx.inputs.years}


def _add_whole_units(ctx: Context, block: pyo.Block, tech: SOFC, rho: float,
                     cap: dict[int, Any]) -> None:
    """``commitment``: online and hot capacity in whole units of ``unit_size_mw``, and the
    availability as hot hours a year: Σ_t w_t H ≤ A·8760·ρ̄·K (an hourly A·ρ̄·K would leave
    a whole unit cold: 3 of 4 units at A = 0.9)."""
    years, steps = ctx.inputs.years, range(ctx.inputs.n_steps)
    block.units_on = pyo.Var(years, steps, domain=pyo.NonNegativeIntegers)
    block.units_hot = pyo.Var(years, steps, domain=pyo.NonNegativeIntegers)
    size = rho * tech.unit_size_mw
    block.commit = pyo.Constraint(years, steps, rule=lambda b, y, t: b.online[y, t]
                                  == size * b.units_on[y, t])
    block.commit_hot = pyo.Constraint(years, steps, rule=lambda b, y, t: b.hot[y, t]
                                      == size * b.units_hot[y, t])
    block.availability = pyo.Constraint(years, rule=lambda b, y: ctx.annual_sum(b.hot, y)
                                        <= tech.availability * HOURS_PER_YEAR * rho * cap[y])


def _add_starts(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                cap: dict[int, Any], hot_cap: dict[int, Any]) -> tuple[dict[int, Any], Any]:
    """Cold starts inside days and between calendar days, their site electricity, the
    start-up time and the thermal cycle limit; returns the starts of each year [MW of
    life-average rating] and f(y, t), the starts of a step per day it stands for."""
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
    start_at = _starts_by_step(ctx, block, order)
    _add_start_up_time(ctx, block, hot_cap, start_at, math.ceil(unit.start_hours - 1e-9))
    start_power = unit.start_electricity / rho
    ctx.draw(name, "electricity", lambda y, t: start_power * start_at(y, t))
    starts = {y: pyo.quicksum(float(inputs.step_weight[t]) * block.start[y, t] for t in inside)
              + pyo.quicksum(block.start_day[y, d] for d in range(len(order))) for y in years}
    block.cycle_limit = pyo.Constraint(
        years, rule=lambda b, y: starts[y] <= unit.max_starts_per_year * hot_cap[y])
    for y in years:
        ctx.add_limit(y, f"thermal cycle limit of {name}", block.cycle_limit[y],
                      f"technologies.{name}.thermal_cycles_per_stack")
    return starts, start_at


def _add_wear(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
              start_at: Any) -> dict[int, Any]:
    """W(y) = [Σ_t w_t U + (L/N_c)·starts]/(8760·ρ̄) [mean nameplate MW worn] as a running
    total over the year's steps (a row summing every hour made an hourly year's dual simplex
    10× slower: the dense row fills the basis factors); returns W(y), the total's last step."""
    inputs = ctx.inputs
    unit = inputs.sofc[name]
    hours_per_start = (unit.life_hours / tech.thermal_cycles_per_stack
                       if tech.thermal_cycles_per_stack > 0 else 0.0)
    scale = 1.0 / (unit.rated_ratio * HOURS_PER_YEAR)
    w = inputs.step_weight
    years, steps = inputs.years, range(inputs.n_steps)
    block.worn = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.worn_step = pyo.Constraint(years, steps, rule=lambda b, y, t: b.worn[y, t] == (
        b.worn[y, t - 1] if t else 0.0) + scale * float(w[t]) * (
        b.online[y, t] + hours_per_start * start_at(y, t)))
    return {y: block.worn[y, inputs.n_steps - 1] for y in years}


def _starts_by_step(ctx: Context, block: pyo.Block, order: list[int]) -> Any:
    """f(y, t): the capacity started in step t per day it stands for: S(t) inside a day; at
    hour 0 of period p the calendar days' starts Σ_{d: p(d)=p} S_d(d) / w_p (at hourly
    resolution, S_d of that day)."""
    w = ctx.inputs.step_weight
    days_of: dict[int, list[int]] = {}
    for d, p in enumerate(order):
        days_of.setdefault(p, []).append(d)

    def start_at(y: int, t: int) -> Any:
        if t % HOURS:
            return block.start[y, t]
        days = days_of.get(t // HOURS, [])
        return pyo.quicksum(block.start_day[y, d] for d in days) / float(w[t]) if days else 0.0

    return start_at


def _add_start_up_time(ctx: Context, block: pyo.Block, hot_cap: dict[int, Any],
                       start_at: Any, tau: int) -> None:
    """Σ_{k=1..τ} S(t+k) ≤ H_max − H(t) (module notes): over the year when the steps are its
    hours in calendar order, else round each representative day (cyclic, as a day's
    stores: an overnight stop counts), leaving out the starts at hour 0, which come from
    the calendar's previous day (another period).

    The window's sum is a difference of running totals C(t) = C(t−1) + S(t) over the cycle
    (the year, or the day): C(t+τ) − C(t), or C(end) − C(t) + C(t+τ−cycle) where the window
    wraps; three columns a row instead of τ (an hourly year with τ = 41 h had 360,000
    nonzeros more and verified 4× slower)."""
    inputs = ctx.inputs
    n = inputs.n_steps
    cycle = n if inputs.chronological else HOURS
    tau = min(tau, cycle - 1)
    if tau < 1:
        return
    years, steps = inputs.years, range(n)
    block.started_by = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    total = block.started_by

    def counted(y: int, t: int) -> Any:
        return start_at(y, t) if cycle == n or t % HOURS else 0.0

    block.started_by_step = pyo.Constraint(years, steps, rule=lambda b, y, t: total[y, t] == (
        total[y, t - 1] if t % cycle else 0.0) + counted(y, t))

    def window(y: int, t: int) -> Any:
        first, i = t - t % cycle, t % cycle
        if i + tau < cycle:
            return total[y, first + i + tau] - total[y, t]
        return total[y, first + cycle - 1] - total[y, t] + total[y, first + i + tau - cycle]

    block.start_up_time = pyo.Constraint(
        years, steps, rule=lambda b, y, t: window(y, t) <= hot_cap[y] - b.hot[y, t])


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
    life = inputs.sofc[name].life_hours
    existing = 0.5 * existing_capacity(ctx, name, inputs.spans.years[0])
    if inputs.linked is not None:  # the master's stacks: results only, not the objective
        linked = inputs.linked
        for y in years:
            hold_linked(ctx, allowance[y])
            bought[y].fix(max(float(linked.get(bought[y].name, 0.0)), 0.0))
            _charge_stacks(ctx, name, tech, y, bought[y])
        if inputs.spans.years[-1] in years:
            def planned(var: str, y: int) -> float:
                return float(linked.get(f"{block.name}.{var}[{y}]", 0.0))
            left = life * sum(planned("build", y) + planned("stacks_bought", y)
                              for y in inputs.spans.years) - sum(
                inputs.span[y] * HOURS_PER_YEAR * planned("wear_allowance", y)
                for y in inputs.spans.years)
            _credit_unworn_stacks(ctx, name, tech, left / life)
        return {y: allowance[y] for y in years}
    if inputs.fixed is not None:
        _hold_stacks(ctx, block, name, tech)
        return {y: allowance[y] for y in years}
    build = block.build

    def stock(b: pyo.Block, y: int) -> Any:
        done = [v for v in years if v <= y]
        return (pyo.quicksum(inputs.span[v] * HOURS_PER_YEAR * allowance[v] for v in done)
                <= life * (existing + pyo.quicksum(build[v] + bought[v] for v in done)))

    block.stack_stock = pyo.Constraint(years, rule=stock)
    left = life * pyo.quicksum(build[v] + bought[v] for v in years) - pyo.quicksum(
        inputs.span[v] * HOURS_PER_YEAR * allowance[v] for v in years)
    _credit_unworn_stacks(ctx, name, tech, left / life)
    for y in years:
        ctx.investments[allowance[y].name] = allowance[y]
        ctx.investments[bought[y].name] = bought[y]
        ctx.linking[allowance[y].name] = allowance[y]
        _charge_stacks(ctx, name, tech, y, bought[y])
    return {y: allowance[y] for y in years}


def _hold_stacks(ctx: Context, block: pyo.Block, name: str, tech: SOFC) -> None:
    """Dispatch-only model (hourly verification, one year at a time): the planning run's
    stacks bought and wear allowances held (for the record; :func:`_charge_wear_beyond_plan`
    prices what the year wears)."""
    inputs = ctx.inputs
    fixed = inputs.fixed
    assert fixed is not None
    for y in inputs.years:
        bought, allowance = block.stacks_bought[y], block.wear_allowance[y]
        bought.fix(float(fixed.get(bought.name, 0.0)))
        allowance.fix(float(fixed.get(allowance.name, 0.0)))
        _charge_stacks(ctx, name, tech, y, bought)


def _charge_wear_beyond_plan(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                             wear: dict[int, Any]) -> None:
    """Dispatch-only model: the year's wear W(y) beyond the plan's allowance V'(y) (or short
    of it) is charged (credited) at what it takes from the unworn-stack credit at the
    horizon's end, (8760·n_y)·(W − V')·credit/L, as a stack replacement cost of the year.
    A cost, not a bound on the stock: a real year may wear more than the plan bought (a row
    summing every hour made the hourly dual simplex 10× slower)."""
    inputs, spans = ctx.inputs, ctx.inputs.spans
    life = inputs.sofc[name].life_hours
    per_mw_hour = credit_price(ctx, tech) * spans.discount(spans.horizon_end) / life
    for y in inputs.years:
        planned = float(block.wear_allowance[y].value or 0.0)
        hours = inputs.span[y] * HOURS_PER_YEAR * (wear[y] - planned)
        ctx.add_cost("stack_replacement", y, per_mw_hour * hours / inputs.annual_discount[y],
                     tech=name)


def _add_wear_beyond_master(ctx: Context, block: pyo.Block, name: str, tech: SOFC,
                            wear: dict[int, Any], allowance: dict[int, Any]) -> None:
    """A decomposition's year: W(y) ≤ V(y) + X(y), the excess X priced above any stack the
    master could buy for it (the horizon's highest stack price per hour of wear, a yearly
    operating cost), so X = 0 at the optimum and V keeps its cut; without X a year whose
    allowance binds rations the hours of a tiny unit (an hourly year took 100 s, not 7)."""
    inputs = ctx.inputs
    life = inputs.sofc[name].life_hours
    price = (max(max(inputs.price(tech.capex_per_kw, y), tech.capex_per_kw.at(y))
                 for y in inputs.spans.years)
             * tech.stack_replacement_fraction_of_capex * KW_PER_MW * HOURS_PER_YEAR / life)
    block.wear_excess = pyo.Var(inputs.years, domain=pyo.NonNegativeReals)
    block.wear = pyo.Constraint(inputs.years, rule=lambda b, y: wear[y]
                                <= allowance[y] + b.wear_excess[y])
    for y in inputs.years:
        ctx.add_cost("variable_om", y, 2.0 * price * block.wear_excess[y], tech=name)


def _credit_unworn_stacks(ctx: Context, name: str, tech: SOFC, stacks: Any) -> None:
    """Salvage of the stacks left unworn at the horizon's end [nameplate MW of stacks],
    at :func:`credit_price` discounted from the horizon's end (the capex salvage leaves the
    stack share out). ``stacks`` leaves out the existing units' stock (the plan paid for
    none of it): it may be negative, the existing stack the plan wore."""
    spans = ctx.inputs.spans
    last = spans.years[-1]
    to_last = spans.discount(spans.horizon_end) / spans.discount(last)
    ctx.add_cost("salvage", last, -credit_price(ctx, tech) * to_last * stacks, tech=name)


def credit_price(ctx: Context, tech: SOFC) -> float:
    """What an unworn stack is worth at the horizon's end [currency per nameplate MW]: the
    lowest stack price of the horizon, span means (replacements) and build years' own prices
    (first stacks, in the capex), so that no stack is ever bought or built to be sold back."""
    inputs, spans = ctx.inputs, ctx.inputs.spans
    capex = min(min(inputs.price(tech.capex_per_kw, y), tech.capex_per_kw.at(y))
                for y in spans.years)
    return capex * tech.stack_replacement_fraction_of_capex * KW_PER_MW


def _charge_stacks(ctx: Context, name: str, tech: SOFC, year: int, bought: Any) -> None:
    """R(y)·c̄(y)·φ·1000 spread over the span's years [currency a year]."""
    inputs = ctx.inputs
    price = (inputs.price(tech.capex_per_kw, year) * tech.stack_replacement_fraction_of_capex
             * KW_PER_MW)
    ctx.add_cost("stack_replacement", year, bought * price / inputs.span[year], tech=name)

