"""What the results say about each SOFC: the twin's curves and life, how often it starts,
how many hours it runs at which load, and the stacks bought
(optimiser/formulate/components/sofc_unit.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.formulate.context import Context
from optimiser.formulate.evaluate import value_or_zero
from optimiser.formulate.inputs import HOURS

#: upper edges of the load bands of :func:`load_hours`: net AC power over the capacity that
#: can be online (availability × life-average rating of the capacity installed)
LOAD_BANDS = (0.3, 0.5, 0.7, 0.9, 1.0)
LOAD_BAND_NAMES = ("standby", "up to 30 %", "30-50 %", "50-70 %", "70-90 %", "90-100 %")


def add_sofc_results(ds: xr.Dataset, ctx: Context) -> None:
    """The twin's curves (for the report) and the SOFC operation variables, in place."""
    units = ctx.inputs.sofc
    if not units:
        return
    names = list(units)
    _add_curves(ds, ctx, names)
    ds["sofc_life_hours"] = xr.DataArray([units[n].life_hours for n in names], dims="sofc",
                                         attrs={"units": "h", "long_name": "stack life"})
    ds["sofc_rated_ratio"] = xr.DataArray(
        [units[n].rated_ratio for n in names], dims="sofc", attrs={
            "units": "1", "long_name": "life-average full-load power over a new stack's"})
    ds["sofc_rated_efficiency"] = xr.DataArray(
        [1.0 / float(units[n].fit.fuel(1.0)) for n in names], dims="sofc", attrs={
            "units": "1", "long_name": "life-average net AC efficiency at full load (LHV)"})
    ds["sofc_start_hours"] = xr.DataArray([units[n].start_hours for n in names], dims="sofc",
                                          attrs={"units": "h", "long_name": "cold start time"})
    if not ctx.inputs.dispatch:
        return
    years = ctx.inputs.years
    _add_hot_and_online(ds, ctx, names)
    starts = np.zeros((len(names), len(years)))
    bought = np.zeros((len(names), len(years)))
    hours = np.zeros((len(names), len(years), len(LOAD_BAND_NAMES)))
    for i, name in enumerate(names):
        block = getattr(ctx.m, f"tech_{name}")
        for j, y in enumerate(years):
            rated = units[name].rated_ratio * value_or_zero(ctx.capacity[(name, y)])
            hot_max = rated * (1.0 if units[name].commitment else units[name].availability)
            starts[i, j] = _starts(ctx, block, y) / hot_max if hot_max > 1e-9 else 0.0
            bought[i, j] = value_or_zero(block.stacks_bought[y]) / ctx.inputs.span[y]
            hours[i, j] = load_hours(ctx, block, y, units[name].availability * rated)
    ds["sofc_starts"] = xr.DataArray(starts, dims=("sofc", "year"), attrs={
        "units": "1/yr", "long_name": "cold starts a year: capacity started over the most "
        "that can be hot (availability × life-average rating × capacity; whole units: "
        "life-average rating × capacity)"})
    ds["sofc_stacks_bought"] = xr.DataArray(bought, dims=("sofc", "year"), attrs={
        "units": "MW/yr", "long_name": "replacement stacks bought a year (nameplate MW)"})
    ds["sofc_load_hours"] = xr.DataArray(hours, dims=("sofc", "year", "sofc_load_band"),
                                         coords={"sofc_load_band": list(LOAD_BAND_NAMES)},
                                         attrs={"units": "h/yr", "long_name": (
                                             "hours a year at each load (net AC power over "
                                             "what can be online: availability × life-"
                                             "average rating × capacity; standby: hot, no "
                                             "power)")})


def _add_hot_and_online(ds: xr.Dataset, ctx: Context, names: list[str]) -> None:
    """Hot and online capacity of each SOFC by year, period and hour [MW of life-average
    rating]: standby is hot − online."""
    inputs = ctx.inputs
    shape = (len(names), len(inputs.years), inputs.n_steps // HOURS, HOURS)
    hot, online = np.zeros(shape), np.zeros(shape)
    for i, name in enumerate(names):
        block = getattr(ctx.m, f"tech_{name}")
        for j, y in enumerate(inputs.years):
            hot[i, j] = np.reshape([value_or_zero(block.hot[y, t])
                                    for t in range(inputs.n_steps)], shape[2:])
            online[i, j] = np.reshape([value_or_zero(block.online[y, t])
                                       for t in range(inputs.n_steps)], shape[2:])
    dims = ("sofc", "year", "period", "hour")
    ds["sofc_hot"] = xr.DataArray(hot, dims=dims, attrs={
        "units": "MW", "long_name": "hot capacity (online or in hot standby), life-average "
        "rating"})
    ds["sofc_online"] = xr.DataArray(online, dims=dims, attrs={
        "units": "MW", "long_name": "online capacity (producing), life-average rating"})


def _starts(ctx: Context, block: Any, year: int) -> float:
    """Capacity started in ``year`` [MW of life-average rating]: inside days and between
    calendar days."""
    w = ctx.inputs.step_weight
    inside = sum(float(w[t]) * value_or_zero(v) for (y, t), v in block.start.items()
                 if y == year)
    between = sum(value_or_zero(v) for (y, _d), v in block.start_day.items() if y == year)
    return inside + between


def load_hours(ctx: Context, block: Any, year: int, capacity: float) -> np.ndarray:
    """Hours a year in each band of :data:`LOAD_BAND_NAMES` [h]: the hot capacity's time
    split between standby (hot, no power) and the band of the power's share of
    ``capacity``, what can be online (equivalent hours when only part of it is hot)."""
    out = np.zeros(len(LOAD_BAND_NAMES))
    if capacity <= 1e-9:
        return out
    w = ctx.inputs.step_weight
    for t in range(ctx.inputs.n_steps):
        power = value_or_zero(block.power[year, t])
        hot = value_or_zero(block.hot[year, t])
        online = value_or_zero(block.online[year, t])
        out[0] += float(w[t]) * max(hot - online, 0.0) / capacity
        if power > 1e-9:
            band = int(np.searchsorted(LOAD_BANDS, min(power / capacity, 1.0) - 1e-12))
            out[1 + band] += float(w[t])
    return out


def _add_curves(ds: xr.Dataset, ctx: Context, names: list[str]) -> None:
    """The twin's efficiency and heat curves at the ages 0, L/2 and L (for the report)."""
    units = ctx.inputs.sofc
    first = units[names[0]].curve
    n = first.sizes["load"]
    shape = (len(names), first.sizes["operating_hours"], n)
    arrays = {k: np.full(shape, np.nan) for k in ("load_fraction", "efficiency_lhv",
                                                   "heat_kw", "power_kw", "fuel_kw")}
    for i, name in enumerate(names):
        for k in arrays:
            arrays[k][i] = units[name].curve[k].transpose("operating_hours", "load").values
    dims = ("sofc", "sofc_age", "sofc_point")
    for k, values in arrays.items():
        ds[f"sofc_curve_{k}"] = xr.DataArray(values, dims=dims, attrs=dict(first[k].attrs))
    ds.coords["sofc"] = names
    ds.coords["sofc_age"] = ["new", "half life", "end of life"]
    ds["sofc_curve_hours"] = xr.DataArray(
        [units[name].curve["operating_hours"].values for name in names],
        dims=("sofc", "sofc_age"), attrs={"units": "h", "long_name": "stack age"})
    ds["sofc_fit_max_error"] = xr.DataArray([units[n].fit.max_error for n in names],
                                            dims="sofc", attrs={
                                                "units": "1", "long_name": "largest relative "
                                                "error of the convex fuel fit"})
