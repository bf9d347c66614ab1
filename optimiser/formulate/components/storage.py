"""Batteries and thermal stores: power and energy sized separately, state of charge tracked.

Within a day (period p, hours h = 0..23), with standing loss λ per hour:
    s(p,h) = (1 − λ)·s(p,h−1) + η_c·c(p,h) − d(p,h)/η_d,
    c ≤ P, d ≤ P, 0 ≤ s ≤ E, E_min_dur·P ≤ E ≤ E_max_dur·P,
with η_c = η_d = √RTE. E is the usable energy capacity: ``capex_per_kwh`` and an existing
asset's ``energy_mwh`` are per usable kWh (a battery's ``usable_fraction`` only converts to
nameplate for display). P is the charge and discharge power rating, priced by
``capex_per_kw``; thermal stores have one too (heat exchangers, pumps), bounded by their
duration range like batteries.

Daily stores (max duration ≤ 24 h) are cyclic within each representative day: s(p,−1) =
s(p,23). Seasonal stores (max duration > 24 h) are linked across the year's sequence of days
(Kotzur et al. 2018, Applied Energy 214, 277-292): s(p,h) is then the change since the start
of the day, and a level L(d) at the start of each calendar day d follows
L(d+1) = (1 − λ)^24·L(d) + s(p(d), 23), with L(365) = L(0), and
0 ≤ L(d) + min_h s(p(d),h), L(d) + max_h s(p(d),h) ≤ E
(standing loss on L within a day is neglected in these bounds). With the plan's
``profiles.aggregation.link_storage: all`` every store is linked this way (batteries under an
hourly clean-electricity target excepted: their clean ledger is cyclic within the day).

Ageing of a battery (docs/storage.md, "Ageing"; linear, so the plan stays an LP). Calendar
fade f derates each energy cohort by age: the energy the rows read is
Σ_b w_f(b, y)·B_E(b) + existing aged, w_f the cohort weight with degradation f
(:func:`~optimiser.formulate.components._investment.add_aged_capacity`), and the fleet at the
span's end likewise. The plan may augment (build energy in a later year, at that year's
``capex_per_kwh``, with no new power) or oversize at the start; a cohort retires after its
``service_life_years`` (``end_of_life_share``). Cycle fade k per equivalent full cycle is bought
back as it wears, as REopt's augmentation strategy does (NREL REopt.jl,
``battery_degradation.jl``): each MWh discharged wears k MWh of capacity, so year y pays
k·c_E(y)·Σ_t w_t d(y,t) ("augmentation" costs, c_E the year's price per MWh of energy), and
emits k·e_E(y)·Σ_t w_t d(y,t) (scope 3 embodied, e_E the embodied emissions per MWh), every
year like the cost (not a one-off: not in ``ctx.embodied``, which holds what is built). A
cycle counts energy discharged (after losses), as REopt's cycle fade does.

At full hourly resolution (365 days in calendar order, :attr:`ModelInputs.chronological`) every
store instead keeps one chronological state of charge, cyclic over the year:
s(t) = (1 − λ)·s(t−1) + η_c·c(t) − d(t)/η_d with s(−1) = s(8759), 0 ≤ s ≤ E. This is exact
at that resolution and needs neither day levels nor swings (as PyPSA's cyclic stores).
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.components._investment import (
    KW_PER_MW,
    add_aged_capacity,
    add_capacity,
    tech_block,
    usable_capacity,
)
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import HOURS
from plant.schema import Battery, ThermalStorage
from plant.trajectory import Trajectory


@registers("battery", "thermal_storage")
def add(ctx: Context, name: str, tech: Battery | ThermalStorage) -> None:
    """Add one storage technology: it supplies its carrier the net discharge d − c, the
    discharge of an electricity store being exportable."""
    inputs = ctx.inputs
    years, steps = inputs.years, range(inputs.n_steps)
    block = tech_block(ctx, name)
    if isinstance(tech, Battery):
        carrier = "electricity"
        eta = math.sqrt(tech.round_trip_efficiency)
        loss = tech.self_discharge_per_hour
    else:
        carrier = tech.heat_class
        eta, loss = 1.0, tech.loss_per_hour
    min_dur, max_dur = tech.min_duration_h, tech.max_duration_h
    power = add_capacity(ctx, block, name, tech, var="build_power")
    energy = add_capacity(ctx, block, name, tech, var="build_energy",
                          capex_per_kw=tech.capex_per_kwh, fixed_om_per_kw=Trajectory(0.0),
                          existing_field="energy_mwh", use_tech_limit=False,
                          embodied_per_unit=tech.embodied_t_co2e_per_mwh)
    fade = tech.calendar_fade_per_year if isinstance(tech, Battery) else 0.0
    energy_left = energy if fade <= 0 else add_aged_capacity(
        ctx, block, name, tech, fade, var="build_energy", existing_field="energy_mwh")
    # dispatch rows read the capacity usable in every year of the span (docs "Adequacy")
    power_use = usable_capacity(ctx, block, name, power, "build_power")
    energy_use = usable_capacity(ctx, block, name, energy_left, "build_energy", "energy_mwh",
                                 degradation=fade)
    block.charge = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.discharge = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    chronological = inputs.chronological
    clean_targets = inputs.plan.accounting.clean_electricity_targets
    ledger = carrier == "electricity" and bool(clean_targets)
    seasonal = not chronological and (max_dur > HOURS or (
        inputs.plan.profiles.aggregation.link_storage == "all" and not ledger))
    block.soc = pyo.Var(years, steps, domain=pyo.Reals if seasonal else pyo.NonNegativeReals)

    block.charge_limit = pyo.Constraint(years, steps,
                                        rule=lambda b, y, t: b.charge[y, t] <= power_use[y])
    block.discharge_limit = pyo.Constraint(years, steps,
                                           rule=lambda b, y, t: b.discharge[y, t]
                                           <= power_use[y])

    def state(b: pyo.Block, y: int, t: int) -> Any:
        h = t % HOURS
        if chronological:
            prev = b.soc[y, t - 1 if t > 0 else inputs.n_steps - 1]
        elif h > 0:
            prev = b.soc[y, t - 1]
        else:
            prev = 0.0 if seasonal else b.soc[y, t + HOURS - 1]
        return b.soc[y, t] == (1 - loss) * prev + eta * b.charge[y, t] - b.discharge[y, t] / eta

    block.state = pyo.Constraint(years, steps, rule=state)
    if ledger and not seasonal:
        _add_clean_ledger(ctx, block, eta, loss)
    if inputs.fixed is None and inputs.linked is None:  # else held at given values
        block.duration_min = pyo.Constraint(years, rule=lambda b, y: energy[y]
                                            >= min_dur * power[y])
        block.duration_max = pyo.Constraint(years, rule=lambda b, y: energy[y]
                                            <= max_dur * power[y])
    if seasonal and inputs.dispatch:
        _link_days(ctx, block, energy_use, loss)
    else:
        block.soc_limit = pyo.Constraint(years, steps,
                                         rule=lambda b, y, t: b.soc[y, t] <= energy_use[y])

    def discharge(y: int, t: int) -> Any:
        return block.discharge[y, t]

    # one net term, not a supply and a draw: what a store charges is not site consumption
    ctx.supply(name, carrier, lambda y, t: block.discharge[y, t] - block.charge[y, t],
               exportable=discharge if carrier == "electricity" else None)
    wear = tech.cycle_fade_per_cycle if isinstance(tech, Battery) else 0.0
    for y in years:
        ctx.add_cost("variable_om", y, ctx.annual_sum(block.discharge, y)
                     * inputs.price(tech.variable_om_per_mwh, y), tech=name)
        if wear > 0:  # the capacity each MWh discharged wears, bought back that year
            worn = ctx.annual_sum(block.discharge, y) * wear
            ctx.add_cost("augmentation", y, worn * inputs.price(tech.capex_per_kwh, y)
                         * KW_PER_MW, tech=name)
            made = inputs.price(tech.embodied_t_co2e_per_mwh, y)
            if made > 0:  # and the emissions of making it, every year it is bought
                ctx.add_emission("scope3_embodied", y, worn * made)
        ctx.capacity[(name, y)] = power[y]
        ctx.capacity[(f"{name}:energy", y)] = energy[y]
        if fade > 0:
            ctx.capacity[(f"{name}:usable_energy", y)] = energy_left[y]


def _add_clean_ledger(ctx: Context, block: pyo.Block, eta: float, loss: float) -> None:
    """The clean part of the state of charge, for hourly-matched clean-electricity targets:
    s_c(t) = (1 − λ)·s_c(t−1) + η·c_c(t) − d_c(t)/η with c_c ≤ c, d_c ≤ d, 0 ≤ s_c ≤ s, cyclic
    like s. What a store discharges counts as clean only up to what it charged from clean
    supply (docs/accounting.md)."""
    inputs = ctx.inputs
    years, steps = inputs.years, range(inputs.n_steps)
    block.clean_charge = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.clean_discharge = pyo.Var(years, steps, domain=pyo.NonNegativeReals)
    block.clean_soc = pyo.Var(years, steps, domain=pyo.NonNegativeReals)

    def state(b: pyo.Block, y: int, t: int) -> Any:
        if inputs.chronological:
            prev = b.clean_soc[y, t - 1 if t > 0 else inputs.n_steps - 1]
        else:
            prev = b.clean_soc[y, t - 1 if t % HOURS else t + HOURS - 1]
        return b.clean_soc[y, t] == ((1 - loss) * prev + eta * b.clean_charge[y, t]
                                     - b.clean_discharge[y, t] / eta)

    block.clean_state = pyo.Constraint(years, steps, rule=state)
    block.clean_charge_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.clean_charge[y, t] <= b.charge[y, t])
    block.clean_discharge_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.clean_discharge[y, t] <= b.discharge[y, t])
    block.clean_soc_limit = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.clean_soc[y, t] <= b.soc[y, t])
    ctx.clean_storage.append((lambda y, t: block.clean_charge[y, t],
                              lambda y, t: block.clean_discharge[y, t]))


def _link_days(ctx: Context, block: pyo.Block, energy: dict[int, Any], loss: float) -> None:
    inputs = ctx.inputs
    years = inputs.years
    order = inputs.profiles["day_period"].values
    n_periods = inputs.n_steps // HOURS
    block.level = pyo.Var(years, range(366), domain=pyo.NonNegativeReals)
    block.swing_max = pyo.Var(years, range(n_periods), domain=pyo.Reals)
    block.swing_min = pyo.Var(years, range(n_periods), domain=pyo.NonPositiveReals)
    steps = range(inputs.n_steps)
    block.swing_up = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.swing_max[y, t // HOURS] >= b.soc[y, t])
    block.swing_down = pyo.Constraint(
        years, steps, rule=lambda b, y, t: b.swing_min[y, t // HOURS] <= b.soc[y, t])
    decay = (1 - loss) ** HOURS
    block.level_next = pyo.Constraint(years, range(365), rule=lambda b, y, d: b.level[y, d + 1]
                                      == decay * b.level[y, d]
                                      + b.soc[y, int(order[d]) * HOURS + HOURS - 1])
    block.level_cyclic = pyo.Constraint(years, rule=lambda b, y: b.level[y, 365] == b.level[y, 0])
    block.level_top = pyo.Constraint(years, range(365), rule=lambda b, y, d: b.level[y, d]
                                     + b.swing_max[y, int(order[d])] <= energy[y])
    block.level_bottom = pyo.Constraint(years, range(365), rule=lambda b, y, d: b.level[y, d]
                                        + b.swing_min[y, int(order[d])] >= 0)
