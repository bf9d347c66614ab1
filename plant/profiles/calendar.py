"""The hourly year and the production calendar (local standard time, 8760 hours).

The profile year's weekdays and public holidays are used; 29 February is dropped in leap
years so every year has 8760 hours. Daylight-saving shifts are ignored (shifts are placed in
local standard time), an error of at most one hour for half the year.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from plant.schema import Calendar

if TYPE_CHECKING:
    # pandas and holidays are imported where they are used: plan validation reads
    # HOURS_PER_YEAR from here and should not pay for them
    import pandas as pd

HOURS_PER_YEAR = 8760
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hourly_index(year: int) -> pd.DatetimeIndex:
    """8760 naive hourly timestamps of ``year`` in local standard time (no 29 February)."""
    import pandas as pd

    idx = pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h")
    idx = idx[~((idx.month == 2) & (idx.day == 29))]
    assert len(idx) == HOURS_PER_YEAR
    return idx


def standard_utc_offset_hours(timezone: str, year: int) -> float:
    """UTC offset of the zone's standard (winter) time [h], e.g. 0 for London, 9 for Tokyo."""
    zone = ZoneInfo(timezone)
    offsets = [dt.datetime(year, m, 15, tzinfo=zone).utcoffset() for m in (1, 7)]
    return min(o.total_seconds() for o in offsets if o is not None) / 3600.0


def _in_shutdown(index: pd.DatetimeIndex, start: str, end: str) -> np.ndarray:
    md = index.strftime("%m-%d")
    if start <= end:
        return np.asarray((md >= start) & (md <= end))
    return np.asarray((md >= start) | (md <= end))  # wraps over the new year


def production_days(index: pd.DatetimeIndex, calendar: Calendar, country: str) -> np.ndarray:
    """Boolean per hour: the hour's date is a production day (working day, no holiday)."""
    weekday_ok = np.isin(np.asarray(index.dayofweek),
                         [_WEEKDAYS.index(d) for d in calendar.working_days])
    ok = weekday_ok.copy()
    if calendar.national_holidays:
        import holidays

        days = holidays.country_holidays(country, years=sorted(set(index.year)))
        is_holiday = np.array([d in days for d in index.date])
        ok &= ~is_holiday
    for shutdown in calendar.shutdowns:
        ok &= ~_in_shutdown(index, shutdown.start, shutdown.end)
    return ok


def production_activity(index: pd.DatetimeIndex, calendar: Calendar, country: str) -> np.ndarray:
    """Share of each hour spent producing (0-1): shifts on production days.

    Shifts run back to back from ``first_shift_start_hour`` for
    ``shifts_per_day × shift_hours`` hours, wrapping past midnight; a partial hour counts
    with its fraction.
    """
    span = calendar.shifts_per_day * calendar.shift_hours
    start = calendar.first_shift_start_hour
    hour = np.asarray(index.hour, dtype=float)
    # overlap of [h, h+1) with [start, start+span) on a 24 h circle, for this day and the day
    # before (a shift running past midnight belongs to the previous day)
    since_start = (hour - start) % 24
    today = np.clip(span - since_start, 0.0, 1.0)
    days = production_days(index, calendar, country)
    yesterday = np.roll(days, 24)
    since_prev = since_start + 24
    spill = np.clip(span - since_prev, 0.0, 1.0)
    return np.where(days, today, 0.0) + np.where(yesterday, spill, 0.0) * (since_prev < span)
