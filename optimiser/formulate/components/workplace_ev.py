"""Smart charging and vehicle-to-building (V2B) for the employees' cars (docs/workplace-ev.md).

The fleet of ``demand.workplace_evs`` charges unmanaged unless enrolled: its load U(t) is the
electricity demand's ``workplace_ev`` component (:mod:`plant.profiles.workplace_ev`). A lever's
capacity K(y) [MW] is the charger power it has bought (cohorts that retire); it enrols the
charger power X(y) ≤ F(y) of cars, F(y) its chargers alive at the end of y's span (the
fewest in the span: cohorts are built at modelled years and retire inside spans;
:func:`~optimiser.formulate.components._investment.add_firm_capacity`), and the levers of
one fleet enrol at most the fleet together, Σ_levers X(y) ≤ K_fleet, K_fleet = cars × P (P
the charger's power). Chargers beyond the fleet are idle (a new cohort may overlap the one it
replaces). The share enrolled is σ(y) = X(y)/K_fleet, the same in every shift.

On day p (a representative day, or a calendar day at full resolution) a share ρ(p) of the
fleet comes, ρ(p) = Σ_h U(p,h) / U_day, U_day what the fleet draws on a production day (a
typical day stands for a mix of production days and others; this keeps its managed charging
equal to the unmanaged charging it removes). Shift k (N_k of the N cars, parked in hours
h_0 … h_{H−1}, :func:`plant.profiles.workplace_ev.parked_hours`) holds enrolled charger power
x_k(y) = X(y)·N_k/N. With charge c and discharge d [MW] in the i-th parked hour:

    0 ≤ c_i ≤ ρ·x_k,  c_i + d_i ≤ ρ·x_k (one charger, either way)
    smart:  Σ_i η_c·c_i = ρ·x_k·E_c/P                     (each car gets its commute back)
    V2B:    s_i = s_{i−1} + η_c·c_i − d_i/η_d,  s_{−1} = ρ·x_k·SoC_arr·E/P,
            ρ·x_k·SoC_min·E/P ≤ s_i ≤ ρ·x_k·SoC_max·E/P,  s_{H−1} ≥ ρ·x_k·(SoC_arr·E + E_c)/P

(E the pack, E_c the commute energy; x_k·E/P is the enrolled cars' pack energy in MWh). Every
enrolled car is thus never below the floor and leaves with its commute. The lever supplies
σ(y)·U(t) + d(t) (the unmanaged load removed, and the discharge) and draws c(t); it pays
variable O&M per MWh discharged (V2B) or charged (smart). A night shift wraps within its day,
as a daily store does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.components._investment import (
    add_capacity,
    add_firm_capacity,
    tech_block,
)
from optimiser.formulate.components._registry import registers
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import HOURS
from plant.profiles.workplace_ev import KW_PER_MW, daily_charge_mwh, parked_hours
from plant.schema import SmartCharging, VehicleToBuilding, WorkplaceEVFleet

#: ctx.memo key of the enrolment columns X of the fleet's levers added so far
_LEVERS = ("workplace_ev", "levers")


@registers("ev_smart_charging", "ev_v2b")
def add(ctx: Context, name: str, tech: SmartCharging | VehicleToBuilding) -> None:
    """Add one workplace-EV lever (module docstring)."""
    inputs = ctx.inputs
    fleet = inputs.plan.demand.workplace_evs
    assert fleet is not None, "plant.checks requires demand.workplace_evs for this kind"
    fleet_mw = fleet.cars * fleet.charger_kw / KW_PER_MW
    block = tech_block(ctx, name)
    cap = add_capacity(ctx, block, name, tech)
    firm = add_firm_capacity(ctx, block, name)  # None where cap is already the span's end
    for y in inputs.years:
        ctx.capacity[(name, y)] = cap[y]
    if not inputs.dispatch:
        return
    enrolled = _enrol(ctx, block, name, cap if firm is None else firm, fleet_mw)
    unmanaged = unmanaged_load(ctx)
    presence = unmanaged.reshape(-1, HOURS).sum(axis=1) / daily_charge_mwh(fleet)
    charge, discharge = _add_shifts(ctx, block, fleet, enrolled, np.clip(presence, 0.0, 1.0),
                                    isinstance(tech, VehicleToBuilding))
    share = {y: enrolled[y] / fleet_mw for y in inputs.years}

    def supplied(y: int, t: int) -> Any:
        return share[y] * float(unmanaged[t]) + discharge(y, t)

    ctx.supply(name, "electricity", supplied)
    ctx.draw(name, "electricity", charge)
    paid = discharge if isinstance(tech, VehicleToBuilding) else charge
    for y in inputs.years:
        ctx.add_cost("variable_om", y, ctx.annual_sum(paid, y)
                     * inputs.price(tech.variable_om_per_mwh, y), tech=name)


def unmanaged_load(ctx: Context) -> np.ndarray:
    """U(t): the fleet charging unmanaged on the model's time grid [MW]."""
    comp = ctx.inputs.profiles["demand"].sel(carrier="electricity", component="workplace_ev")
    return np.asarray(comp.values, dtype=float).reshape(-1)


def _enrol(ctx: Context, block: pyo.Block, name: str, alive: dict[int, Any],
           fleet_mw: float) -> dict[int, Any]:
    """X(y) ≤ F(y), the charger power of cars this lever enrols, at most its chargers alive
    in every year of the span (F: the fleet at the span's end, the span's smallest; cohorts
    are built at modelled years and retire inside spans), and Σ X(y) ≤ K_fleet over this
    lever and the fleet's levers added before it (the last lever's rows cover them all): an
    operating limit, so it holds in a year's subproblem and hour by hour too."""
    years = ctx.inputs.years
    block.enrolled = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.enrolled_alive = pyo.Constraint(years, rule=lambda b, y: b.enrolled[y] <= alive[y])
    levers: list[Any] = ctx.memo.setdefault(_LEVERS, [])
    levers.append(block.enrolled)
    block.whole_fleet = pyo.Constraint(years, rule=lambda b, y: sum(
        x[y] for x in levers) <= fleet_mw)
    for y in years:
        ctx.add_limit(y, f"cars of the workplace fleet (with {name})", block.whole_fleet[y],
                      "demand.workplace_evs.cars_per_shift")
    return {y: block.enrolled[y] for y in years}


class _OnGrid:
    """var[y, k, p, i] summed over the cells (shift, day, parked hour) of each step t: a
    balance term f(y, t), and a (y, t)-indexed view for :meth:`Context.annual_sum`."""

    def __init__(self, var: Any, where: dict[int, list[tuple[int, int, int]]]):
        self.var, self.where = var, where

    def __call__(self, y: int, t: int) -> Any:
        return sum(self.var[y, k, p, i] for k, p, i in self.where.get(t, []))

    def __getitem__(self, yt: tuple[int, int]) -> Any:
        return self(*yt)


def _add_shifts(ctx: Context, block: pyo.Block, fleet: WorkplaceEVFleet,
                enrolled: dict[int, Any],
                presence: np.ndarray, v2b: bool) -> tuple[_OnGrid, _OnGrid]:
    """Charge (and for V2B discharge and state of charge) of each shift's enrolled cars in
    their parked hours; returns c(y, t) and d(y, t) on the time grid."""
    inputs = ctx.inputs
    calendar = inputs.plan.production.calendar
    years, n_days = inputs.years, inputs.n_steps // HOURS
    cars = fleet.cars
    hours = [parked_hours(calendar, k) for k in range(len(fleet.cars_per_shift))]
    days = [(k, p) for k, n_k in enumerate(fleet.cars_per_shift) if n_k > 0
            for p in range(n_days) if presence[p] > 0]
    index = [(k, p, i) for k, p in days for i in range(len(hours[k]))]
    where: dict[int, list[tuple[int, int, int]]] = {}
    for k, p, i in index:
        where.setdefault(p * HOURS + hours[k][i], []).append((k, p, i))
    block.cells = pyo.Set(initialize=index, dimen=3)
    block.charge = pyo.Var(years, block.cells, domain=pyo.NonNegativeReals)
    block.discharge = pyo.Var(years, block.cells, domain=pyo.NonNegativeReals)
    if not v2b:
        block.discharge.fix(0.0)

    def power(y: int, k: int, p: int) -> Any:
        """ρ(p)·x_k(y): enrolled charger power of shift k present on day p [MW]."""
        return float(presence[p] * fleet.cars_per_shift[k] / cars) * enrolled[y]

    block.charge_limit = pyo.Constraint(years, block.cells, rule=lambda b, y, k, p, i:
                                        b.charge[y, k, p, i] <= power(y, k, p))
    hours_of_pack = fleet.pack_kwh / fleet.charger_kw  # x_k·E/P: the cars' packs [MWh]
    eta_c, eta_d = fleet.charge_efficiency, fleet.discharge_efficiency
    last = {(k, p): len(hours[k]) - 1 for k, p in days}
    if v2b:
        _add_state(block, years, days, last, power, hours_of_pack, fleet, eta_c, eta_d)
    else:
        block.commute = pyo.Constraint(years, days, rule=lambda b, y, k, p: sum(
            eta_c * b.charge[y, k, p, i] for i in range(last[(k, p)] + 1))
            == power(y, k, p) * fleet.commute_kwh / fleet.charger_kw)

    return _OnGrid(block.charge, where), _OnGrid(block.discharge, where)


def _add_state(block: pyo.Block, years: list[int], days: list[tuple[int, int]],
               last: dict[tuple[int, int], int], power: Any, hours_of_pack: float,
               fleet: WorkplaceEVFleet, eta_c: float, eta_d: float) -> None:
    """V2B: the enrolled cars' state of charge in each parked hour, its floor and ceiling,
    and the commute at departure (module docstring)."""
    block.charger_limit = pyo.Constraint(years, block.cells, rule=lambda b, y, k, p, i:
                                         b.charge[y, k, p, i] + b.discharge[y, k, p, i]
                                         <= power(y, k, p))
    block.soc = pyo.Var(years, block.cells, domain=pyo.NonNegativeReals)

    def state(b: pyo.Block, y: int, k: int, p: int, i: int) -> Any:
        before = (b.soc[y, k, p, i - 1] if i > 0
                  else power(y, k, p) * fleet.arrival_soc * hours_of_pack)
        return b.soc[y, k, p, i] == (before + eta_c * b.charge[y, k, p, i]
                                     - b.discharge[y, k, p, i] / eta_d)

    block.state = pyo.Constraint(years, block.cells, rule=state)
    block.floor = pyo.Constraint(years, block.cells, rule=lambda b, y, k, p, i:
                                 b.soc[y, k, p, i] >= power(y, k, p) * fleet.floor_soc
                                 * hours_of_pack)
    block.ceiling = pyo.Constraint(years, block.cells, rule=lambda b, y, k, p, i:
                                   b.soc[y, k, p, i] <= power(y, k, p) * fleet.max_soc
                                   * hours_of_pack)
    block.departure = pyo.Constraint(years, days, rule=lambda b, y, k, p:
                                     b.soc[y, k, p, last[(k, p)]] >= power(y, k, p)
                                     * fleet.departure_soc * hours_of_pack)
