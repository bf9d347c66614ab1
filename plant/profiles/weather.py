"""Synthetic hourly air temperature (seeded), for heating and cooling demand and heat-pump COP."""

from __future__ import annotations

import numpy as np
import pandas as pd

from plant.schema import Climate


def ar1(n: int, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) series with unit variance: x[t] = ρ x[t-1] + √(1-ρ²) ε[t]."""
    from scipy.signal import lfilter

    shocks = rng.standard_normal(n) * np.sqrt(1.0 - correlation**2)
    shocks[0] = rng.standard_normal()
    return lfilter([1.0], [1.0, -correlation], shocks)


def air_temperature(index: pd.DatetimeIndex, climate: Climate,
                    rng: np.random.Generator) -> np.ndarray:
    """Hourly air temperature [°C].

    T(t) = T_mean − A_s cos(2π (d − d_cold)/365) − A_d cos(2π (h − 3)/24) + σ w(d),
    with d the day of year, h the hour, and w a day-to-day AR(1) anomaly (ρ = 0.75 between
    days, interpolated hourly). The daily minimum falls near 03:00 and the maximum near 15:00.
    """
    doy = np.asarray(index.dayofyear, dtype=float) + np.asarray(index.hour) / 24.0
    hour = np.asarray(index.hour, dtype=float)
    seasonal = -climate.seasonal_amplitude_c * np.cos(
        2 * np.pi * (doy - climate.coldest_day_of_year) / 365.0)
    diurnal = -climate.diurnal_amplitude_c * np.cos(2 * np.pi * (hour - 3.0) / 24.0)
    n_days = len(index) // 24 + 2
    daily = ar1(n_days, 0.75, rng) * climate.weather_noise_c
    anomaly = np.interp(np.arange(len(index)) / 24.0, np.arange(n_days), daily)
    return climate.mean_temperature_c + seasonal + diurnal + anomaly


def heating_degree_hours(temperature_c: np.ndarray, base_c: float) -> np.ndarray:
    """Heating degree-hours per hour [K·h]: max(0, T_base − T)."""
    return np.maximum(0.0, base_c - temperature_c)


def cooling_degree_hours(temperature_c: np.ndarray, base_c: float) -> np.ndarray:
    """Cooling degree-hours per hour [K·h]: max(0, T − T_base)."""
    return np.maximum(0.0, temperature_c - base_c)
