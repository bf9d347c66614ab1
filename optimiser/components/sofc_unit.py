"""SOFC self-generation with fuel use from the digital twin's convex piecewise-linear curve.

With K(y) the nameplate capacity (net AC power with new stacks, the basis of ``capex_per_kw``),
P(y,t) the net AC output, U(y,t) the online capacity and F(y,t) the fuel input (LHV), all in
MW, and the twin's fit per unit of rated power at half the stack life (a_k, b_k):
    P ≤ U ≤ A·ρ·K(y),   P ≥ x_min·U,   F ≥ a_k·P + b_k·U  for every segment k,
    Q ≤ h_1·P + h_0·U  (recovered heat into the technology's heat class),
with A the availability and ρ = P_rated(half life)/P_rated(new) the power a half-aged stack
still delivers at full load: the ageing derates what the capacity delivers, not its price.
This is the linear relaxation of unit commitment (online capacity continuous): idling units
burn b_k·U, so running at part load costs fuel as in the twin. With ``commitment: true`` the
online capacity is U = ρ·u·n(y,t), n integer (mixed-integer), u the nameplate unit size, so
the minimum load applies to whole units. Stack replacements are charged by operating hours:
c̄(y)·φ/H_stack per nameplate kW and online hour, i.e. Σ_t w_t (U(y,t)/ρ)·c̄(y)·φ·1000/H_stack
a year (c̄ the span mean of capex per kW, φ the replaced share, H_stack the stack life in
hours). The first stack is in the capex, so over a plant life of n stack lives this charges
about half a stack more than the whole replacements bought (conservative).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from optimiser.components._investment import KW_PER_MW, add_capacity, tech_block
from optimiser.components._registry import registers
from optimiser.context import Context
from optimiser.inputs import ModelInputs
from plant.schema import SOFC


@registers("sofc")
def add(ctx: Context, name: str, tech: SOFC) -> None:
    """Add one SOFC technology (its fit must be in ``ctx.inputs.sofc_fits``)."""
    inputs = ctx.inputs
    fit = inputs.sofc_fits[name]
    years, steps = inputs.years, range(inputs.n_steps)
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    block.power = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.online = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.fuel = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    x_min = max(tech.min_load_fraction, fit.min_load_fraction)
    derate = mid_life_derating(inputs, name)
    if tech.commitment:
        block.units_on = pyo.Var(years, steps, domain=pyo.NonNegativeIntegers)
        block.commit = pyo.Constraint(years, steps, rule=lambda b, y, t: b.online[y, t]
                                      == derate * tech.unit_size_mw * b.units_on[y, t])
    segments = range(len(fit.slopes))
    block.online_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.online[y, t] <= tech.availability * derate * cap[y])
    block.max_load = pyo.Constraint(years, steps,
                                    rule=lambda b, y, t: b.power[y, t] <= b.online[y, t])
    block.min_load = pyo.Constraint(years, steps,
                                    rule=lambda b, y, t: b.power[y, t] >= x_min * b.online[y, t])
    block.fuel_curve = pyo.Constraint(
        years, steps, segments,
        rule=lambda b, y, t, k: b.fuel[y, t] >= float(fit.slopes[k]) * b.power[y, t]
        + float(fit.intercepts[k]) * b.online[y, t])
    ctx.add_balance("electricity", lambda y, t: block.power[y, t])
    ctx.local_generation.append(lambda y, t: block.power[y, t])
    outputs: dict[str, Any] = {"electricity": lambda y, t: block.power[y, t]}
    if tech.heat_class is not None:
        block.heat = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
        block.heat_limit = pyo.Constraint(
            years, steps, rule=lambda b, y, t: b.heat[y, t] <= float(fit.heat_slope)
            * b.power[y, t] + float(fit.heat_intercept) * b.online[y, t])
        ctx.add_balance(tech.heat_class, lambda y, t: block.heat[y, t])
        outputs[tech.heat_class] = lambda y, t: block.heat[y, t]
    for y in years:
        ctx.add_fuel_use(name, tech.fuel, y, ctx.annual_sum(block.fuel, y))
        ctx.add_cost("variable_om", y,
                     ctx.annual_sum(block.power, y) * inputs.price(tech.variable_om_per_mwh, y),
                     tech=name)
        ctx.add_cost("stack_replacement", y, ctx.annual_sum(block.online, y)
                     * stack_cost_per_online_mwh(inputs, tech, y) / derate, tech=name)
        ctx.capacity[(name, y)] = cap[y]
    ctx.output[name] = outputs


def mid_life_derating(inputs: ModelInputs, name: str) -> float:
    """ρ: full-load net AC power of a stack at half its life over that of a new stack."""
    rated = inputs.sofc_curves[name]["rated_power_kw"]
    new = float(rated.sel(operating_hours=0.0))
    return float(inputs.sofc_fits[name].rated_power_kw) / new


def stack_cost_per_online_mwh(inputs: ModelInputs, tech: SOFC, year: int) -> float:
    """Stack replacement cost per nameplate MW online for an hour: c̄(y)·φ·1000/H_stack
    [currency/MWh]. Online capacity U is in derated MW, so the model charges U/ρ of it."""
    capex = inputs.price(tech.capex_per_kw, year)
    return capex * tech.stack_replacement_fraction_of_capex * KW_PER_MW / tech.stack_life_hours
