"""Hourly wind output per MW from a seeded, autocorrelated Weibull wind speed series.

u(t) = F⁻¹_Weibull(k, λ)(Φ(z(t))) where z is a unit-variance AR(1) series with e-folding time
τ (ρ = exp(−1/τ)) and Φ the normal CDF, so u has exactly a Weibull marginal. A seasonal factor
(+15 % in mid-January, −15 % in mid-July) and a mild diurnal cycle modulate λ. Output is the
turbine's power curve (windpowerlib OEDB data, ``plant/data/power_curves.csv``) with λ found
by bisection so the annual capacity factor matches the plan.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as ir

import numpy as np
import pandas as pd
from scipy import stats

from plant.profiles.weather import ar1
from plant.schema import Resources, WindTurbine


@cache
def power_curve(turbine: str) -> tuple[np.ndarray, np.ndarray]:
    """(wind speed [m/s], output per rated power [-]) of a turbine in the curve table."""
    with ir.files("plant.data").joinpath("power_curves.csv").open() as fh:
        table = pd.read_csv(fh, comment="#")
    power = table[turbine].to_numpy(dtype=float)
    return table["wind_speed_m_s"].to_numpy(dtype=float), power / power.max()


def wind_quantiles(index: pd.DatetimeIndex, resources: Resources,
                   rng: np.random.Generator) -> np.ndarray:
    """Hourly uniform quantiles Φ(z) of an AR(1) series, shared by every turbine."""
    rho = float(np.exp(-1.0 / resources.wind_autocorrelation_hours))
    return stats.norm.cdf(ar1(len(index), rho, rng))


def _modulation(index: pd.DatetimeIndex) -> np.ndarray:
    doy = np.asarray(index.dayofyear, dtype=float)
    hour = np.asarray(index.hour, dtype=float)
    return (1.0 + 0.15 * np.cos(2 * np.pi * (doy - 15) / 365.0)) * (
        1.0 + 0.05 * np.cos(2 * np.pi * (hour - 15) / 24.0))


def wind_output_per_mw(index: pd.DatetimeIndex, quantiles: np.ndarray, resources: Resources,
                       tech: WindTurbine) -> np.ndarray:
    """Hourly output per MW rated [MW/MW] with the technology's capacity factor."""
    speeds, curve = power_curve(tech.turbine)
    base = stats.weibull_min.ppf(np.clip(quantiles, 1e-9, 1 - 1e-9),
                                 resources.wind_weibull_shape) * _modulation(index)
    target = tech.capacity_factor

    def cf(scale: float) -> float:
        return float(np.interp(base * scale, speeds, curve, right=0.0).mean())

    grid = np.linspace(0.2, 20.0, 100)
    cfs = np.array([cf(s) for s in grid])
    lo, hi = 0.2, float(grid[np.argmax(cfs)])  # CF rises with scale up to this point
    if not cf(lo) < target < cfs.max():
        raise ValueError(f"capacity factor {target} cannot be reached with {tech.turbine}")
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if cf(mid) < target:
            lo = mid
        else:
            hi = mid
    return np.interp(base * 0.5 * (lo + hi), speeds, curve, right=0.0)
