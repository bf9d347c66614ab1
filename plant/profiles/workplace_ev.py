"""Employees' cars charged at work: when they are parked, and what they draw unmanaged.

Shift k of ``production.calendar`` starts at s_k = first_shift_start_hour + k·shift_hours; its
cars are parked in the whole hours a_k … a_k + H − 1 (mod 24), a_k = ⌊s_k⌋ mod 24,
H = ⌊shift_hours⌋, on production days. A shift past midnight wraps within the day it started
(its hours after midnight are that day's early hours), as the model's days are cyclic.
Unmanaged, a car charges at its charger's full power P from its first parked hour until the
commute is back in the pack: it draws e = E_commute/η_c from the site, P in each of the first
⌊e/P⌋ hours and the remainder in the next (docs/workplace-ev.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from plant.profiles.calendar import production_days
from plant.schema import Calendar, WorkplaceEVFleet

if TYPE_CHECKING:
    import pandas as pd

HOURS = 24
KW_PER_MW = 1000.0


def parked_hours(calendar: Calendar, shift: int) -> list[int]:
    """Hours of the day (0-23, in order from arrival) that shift ``shift``'s cars are parked."""
    start = calendar.first_shift_start_hour + shift * calendar.shift_hours
    first = int(np.floor(start)) % HOURS
    return [(first + i) % HOURS for i in range(int(np.floor(calendar.shift_hours)))]


def unmanaged_kw_per_car(fleet: WorkplaceEVFleet, n_hours: int) -> np.ndarray:
    """What one car draws in each of its ``n_hours`` parked hours when charged unmanaged [kW]."""
    left = fleet.commute_kwh / fleet.charge_efficiency
    draw = np.zeros(n_hours)
    for i in range(n_hours):
        draw[i] = min(fleet.charger_kw, left)
        left -= draw[i]
    if left > 1e-9:
        raise ValueError(f"a car needs {fleet.commute_kwh / fleet.charge_efficiency:.1f} kWh "
                         f"from the grid, more than its {fleet.charger_kw:g} kW charger gives "
                         f"in {n_hours} h")
    return draw


def daily_charge_mwh(fleet: WorkplaceEVFleet) -> float:
    """What the whole fleet draws on a production day to recharge its commutes [MWh]."""
    return fleet.cars * fleet.commute_kwh / fleet.charge_efficiency / KW_PER_MW


def unmanaged_charging_mw(index: pd.DatetimeIndex, calendar: Calendar, country: str,
                          fleet: WorkplaceEVFleet) -> np.ndarray:
    """The fleet's hourly load when every car charges unmanaged [MW] (module docstring)."""
    n = len(index)
    production_day = production_days(index, calendar, country)[::HOURS]
    day_start = np.arange(n // HOURS) * HOURS
    load = np.zeros(n)
    for shift, cars in enumerate(fleet.cars_per_shift):
        hours = parked_hours(calendar, shift)
        for hour, kw in zip(hours, unmanaged_kw_per_car(fleet, len(hours)), strict=True):
            if kw > 0:
                load[day_start + hour] += production_day * cars * kw / KW_PER_MW
    return load
