"""Hourly shapes of grid carbon intensity and import price around their annual means."""

from __future__ import annotations

import numpy as np
import pandas as pd

from plant.schema import Grid


def carbon_intensity_shape(index: pd.DatetimeIndex, grid: Grid) -> np.ndarray:
    """Relative carbon intensity per hour, mean 1 over the year.

    Two bumps on a flat 1: a midday dip that is deepest in midsummer (solar), with the factor
    ``summer_midday_factor`` at 12:00 in early July, and an evening peak that is highest in
    midwinter, ``winter_evening_factor`` at 18:30 in early January. Both are Gaussian in hour
    (σ = 2.5 h and 1.5 h) and cosine-weighted over the season; the result is normalised to
    mean 1 so the annual trajectory keeps its meaning.
    """
    shape = grid.carbon_intensity_shape
    doy = np.asarray(index.dayofyear, dtype=float)
    hour = np.asarray(index.hour, dtype=float) + 0.5
    summer = 0.5 * (1 - np.cos(2 * np.pi * (doy - 5) / 365.0))  # 1 in early July, 0 in Jan
    winter = 1.0 - summer
    midday = np.exp(-0.5 * ((hour - 12.5) / 2.5) ** 2)
    evening = np.exp(-0.5 * ((hour - 18.5) / 1.5) ** 2)
    rel = (1.0 + (shape.summer_midday_factor - 1.0) * summer * midday
           + (shape.winter_evening_factor - 1.0) * winter * evening)
    return rel / rel.mean()


def price_shape(index: pd.DatetimeIndex, grid: Grid) -> np.ndarray:
    """Relative import price per hour from the time-of-use bands, mean 1 over the year."""
    rel = np.ones(len(index))
    hour = np.asarray(index.hour)
    weekday = np.asarray(index.dayofweek) < 5
    month = np.asarray(index.month)
    for band in grid.time_of_use:
        start, end = band.hours
        mask = (hour >= start) & (hour < end) & np.isin(month, band.months)
        if band.days == "weekdays":
            mask &= weekday
        elif band.days == "weekends":
            mask &= ~weekday
        rel[mask] *= band.multiplier
    return rel / rel.mean()
