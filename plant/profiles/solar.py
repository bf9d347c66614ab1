"""Hourly PV output per MWp from pvlib's solar geometry and clear-sky model.

Steps: solar position (pvlib, NREL SPA) -> Ineichen clear-sky irradiance with a fixed Linke
turbidity -> a seeded clear-sky index (day-to-day AR(1) with hourly noise, Beta-like bounds)
-> Erbs decomposition -> isotropic transposition to the module plane -> a simple temperature
derating -> scaled so the annual yield equals the plan's ``specific_yield_kwh_per_kwp``
(clipped at rated power). References: Ineichen & Perez (2002) Solar Energy 73(3) 151-157;
Erbs, Klein & Duffie (1982) Solar Energy 28(4) 293-302; pvlib-python (Holmgren et al. 2018,
JOSS 3(29) 884).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from plant.profiles.weather import ar1
from plant.schema import Resources, SiteInfo, SolarPV

_TEMP_COEFF_PER_K = -0.004  # crystalline Si power temperature coefficient [1/K]
_NOCT_RISE_K_PER_W_M2 = 25.0 / 800.0  # cell temperature rise at NOCT conditions [K m²/W]


def plane_of_array_irradiance(index: pd.DatetimeIndex, utc_offset_h: float, site: SiteInfo,
                              resources: Resources, tilt_deg: float, azimuth_deg: float,
                              rng: np.random.Generator) -> np.ndarray:
    """Hourly plane-of-array irradiance [W/m²] at mid-hour, with seeded clouds."""
    times = (index + pd.Timedelta(minutes=30) - pd.Timedelta(hours=utc_offset_h)).tz_localize(
        "UTC")
    position = pvlib.solarposition.get_solarposition(times, site.latitude_deg,
                                                     site.longitude_deg, site.altitude_m)
    airmass = pvlib.atmosphere.get_relative_airmass(position["apparent_zenith"])
    pressure = pvlib.atmosphere.alt2pres(site.altitude_m)
    am_abs = pvlib.atmosphere.get_absolute_airmass(airmass, pressure)
    dni_extra = pvlib.irradiance.get_extra_radiation(times)
    clear = pvlib.clearsky.ineichen(position["apparent_zenith"], am_abs,
                                    resources.linke_turbidity, site.altitude_m, dni_extra)
    kc = clear_sky_index(len(index), resources.mean_clear_sky_index, rng)
    ghi = (clear["ghi"].to_numpy() * kc)
    split = pvlib.irradiance.erbs(ghi, position["zenith"].to_numpy(), times.dayofyear)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt_deg, azimuth_deg, position["apparent_zenith"].to_numpy(),
        position["azimuth"].to_numpy(), np.nan_to_num(split["dni"]), ghi,
        np.nan_to_num(split["dhi"]), dni_extra=dni_extra.to_numpy(), model="isotropic",
        albedo=0.2)
    return np.nan_to_num(np.asarray(poa["poa_global"], dtype=float)).clip(min=0.0)


def clear_sky_index(n_hours: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    """Hourly clear-sky index in [0.05, 1.0] with the given mean.

    A daily AR(1) anomaly (ρ = 0.5, weather systems lasting days) plus hourly AR(1) noise
    (ρ = 0.8) is mapped through a logistic curve and rescaled to the requested mean.
    """
    days = n_hours // 24 + 1
    daily = np.repeat(ar1(days, 0.5, rng), 24)[:n_hours]
    hourly = ar1(n_hours, 0.8, rng)
    z = 1.2 * daily + 0.5 * hourly
    centre = np.log(mean / (1.0 - mean))
    kc = 1.0 / (1.0 + np.exp(-(centre + z)))
    for _ in range(20):  # rescale to the mean while staying in bounds
        kc = np.clip(kc * mean / kc.mean(), 0.05, 1.0)
    return kc


def pv_output_per_mw(poa_w_m2: np.ndarray, air_temperature_c: np.ndarray,
                     tech: SolarPV) -> np.ndarray:
    """Hourly output per MWp [MW/MW], calibrated to the technology's annual yield.

    P = s · G_poa/1000 · (1 + γ (T_cell − 25)), T_cell = T_air + G_poa · 25/800, clipped at 1,
    with the scale s chosen so Σ P = yield/1000 [h] (bisection; clipping makes it non-linear).
    """
    t_cell = air_temperature_c + poa_w_m2 * _NOCT_RISE_K_PER_W_M2
    raw = poa_w_m2 / 1000.0 * (1.0 + _TEMP_COEFF_PER_K * (t_cell - 25.0))
    # kWh/kWp per year equals full-load hours per year
    return calibrate_to_total(raw.clip(min=0.0), tech.specific_yield_kwh_per_kwp)


def calibrate_to_total(shape: np.ndarray, target_full_load_hours: float) -> np.ndarray:
    """Scale ``shape`` so that Σ min(s·shape, 1) equals the target [h]."""
    total = shape.sum()
    if total <= 0:
        raise ValueError("profile shape is zero all year")
    if target_full_load_hours >= np.count_nonzero(shape):
        raise ValueError(f"{target_full_load_hours:.0f} full-load hours cannot be reached")
    lo, hi = 0.0, target_full_load_hours / total
    while np.minimum(hi * shape, 1.0).sum() < target_full_load_hours:
        hi *= 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.minimum(mid * shape, 1.0).sum() < target_full_load_hours:
            lo = mid
        else:
            hi = mid
    return np.minimum(hi * shape, 1.0)
