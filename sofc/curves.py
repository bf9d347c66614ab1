"""Efficiency and heat curves versus load for the optimiser, their convex fit, and a disk cache.

:func:`system_curve` samples :func:`sofc.system.evaluate_system` from the
minimum turndown to full load, for one or more stack ages, and returns an
``xarray.Dataset`` with dims ``(operating_hours, load)``; the ``load``
coordinate is the stack current as a fraction of the design current and the
variable ``load_fraction`` is net AC power over rated net AC power at the same
age. Curves are cached on disk as netCDF, keyed by a SHA-256 hash of the
configuration, the cell parameters, the sampling and :data:`MODEL_VERSION`.

:func:`piecewise_fit` turns one curve into a convex piecewise-linear fuel
model for an LP, normalised per kW of rated net AC power.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from sofc.errors import SofcInputError
from sofc.params import CellParameters, SystemConfig, read_cell_parameters
from sofc.system import evaluate_system, steam_to_carbon
from sofc.thermo import ethanol_lhv_liquid

__all__ = [
    "MODEL_VERSION",
    "cache_dir",
    "curve_key",
    "system_curve",
    "thermal_min_load",
    "PiecewiseFit",
    "piecewise_fit",
]

_log = logging.getLogger(__name__)
_warned_folders: set[Path] = set()
"""Cache folders already warned about in this process (one line each, not one per curve)."""

MODEL_VERSION = "sofc-3"
"""Part of the cache key; bump when model equations change."""

_VARIABLES: dict[str, tuple[str, str, float]] = {
    # name: (SystemResult attribute, units, scale from SI)
    "power_kw": ("power", "kW", 1e-3),
    "fuel_kw": ("fuel", "kW", 1e-3),
    "heat_kw": ("heat", "kW", 1e-3),
    "heat_available_kw": ("heat_available", "kW", 1e-3),
    "total_efficiency_lhv": ("total_efficiency", "1", 1.0),
    "dew_point_c": ("dew_point", "degC", 1.0),
    "dc_power_kw": ("dc_power", "kW", 1e-3),
    "efficiency_lhv": ("efficiency", "1", 1.0),
    "stack_efficiency_lhv": ("stack_efficiency", "1", 1.0),
    "stack_voltage_v": ("stack_voltage", "V", 1.0),
    "cell_voltage_v": ("cell_voltage", "V", 1.0),
    "current_a": ("current", "A", 1.0),
    "current_density_a_cm2": ("current_density", "A/cm2", 1e-4),
    "fuel_utilisation": ("fuel_utilisation", "1", 1.0),
    "air_ratio": ("air_ratio", "1", 1.0),
    "blower_kw": ("blower", "kW", 1e-3),
    "auxiliary_fuel_kw": ("auxiliary_fuel", "kW", 1e-3),
    "heater_kw": ("heater", "kW", 1e-3),
    "reformer_duty_kw": ("reformer_duty", "kW", 1e-3),
    "afterburner_temperature_c": ("afterburner_temperature", "degC", 1.0),
    "flue_temperature_c": ("flue_temperature", "degC", 1.0),
    "ethanol_kg_h": ("ethanol_flow", "kg/h", 46.068e-3 * 3600),
    "ohmic_loss_v": ("ohmic", "V", 1.0),
    "activation_loss_v": ("activation", "V", 1.0),
    "concentration_loss_v": ("concentration", "V", 1.0),
}
_LONG_NAMES = {
    "power_kw": "net AC power",
    "fuel_kw": "ethanol input (LHV, liquid)",
    "heat_kw": "process heat to the sink (return to supply temperature)",
    "heat_available_kw": "heat left in the flue above ambient + 15 K (any sink)",
    "total_efficiency_lhv": "net AC power plus process heat over fuel (LHV)",
    "efficiency_lhv": "net AC electrical efficiency (LHV)",
}


def cache_dir() -> Path:
    """Curve cache folder: ``$CNPLAN_CACHE_DIR/sofc`` or ``~/.cache/cnplan/sofc``."""
    root = os.environ.get("CNPLAN_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "cnplan"
    return base / "sofc"


def curve_key(config: SystemConfig, params: CellParameters, n_points: int,
              operating_hours: Sequence[float]) -> str:
    """SHA-256 hex digest identifying a curve (configuration, parameters, sampling, version)."""
    payload = {
        "version": MODEL_VERSION,
        "config": config.model_dump(mode="json"),
        "params": params.model_dump(mode="json"),
        "n_points": int(n_points),
        "operating_hours": [float(h) for h in operating_hours],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def system_curve(
    config: SystemConfig | None = None,
    *,
    n_points: int = 25,
    operating_hours: Sequence[float] = (0.0,),
    cache: bool = True,
) -> xr.Dataset:
    """Net AC efficiency, fuel input and recoverable heat versus load.

    Parameters
    ----------
    config : SystemConfig, optional
        System configuration; ``SystemConfig()`` if omitted.
    n_points : int, optional
        Loads sampled evenly in current from ``min_load_fraction`` to 1 [-].
    operating_hours : sequence of float, optional
        Stack ages [h].
    cache : bool, optional
        Read/write the on-disk cache (:func:`cache_dir`).

    Returns
    -------
    xarray.Dataset
        Dims ``operating_hours`` and ``load``; variables ``load_fraction``,
        ``power_kw``, ``fuel_kw``, ``efficiency_lhv``, ``heat_kw``,
        ``stack_voltage_v`` and the breakdown, each with ``units`` and
        ``long_name`` attrs. Global attrs hold the rated power, the cache key
        and the fuel basis.
    """
    config = config or SystemConfig()
    if not 2 <= int(n_points) <= 1000:
        raise SofcInputError("n_points must be between 2 and 1000")
    hours = [float(h) for h in operating_hours]
    if not hours:
        raise SofcInputError("operating_hours must not be empty")
    params = read_cell_parameters(config.cell_parameters)
    key = curve_key(config, params, n_points, hours)
    path = cache_dir() / f"curve-{key[:32]}.nc"
    if cache:
        cached = _read_cached_curve(path, key)
        if cached is not None:
            return cached
    ds = _compute_curve(config, params, int(n_points), hours, key)
    if cache:
        _write_cached_curve(path, ds)
    return ds


def _read_cached_curve(path: Path, key: str) -> xr.Dataset | None:
    """The curve cached at ``path`` for ``key``, or None: a missing, foreign or damaged file
    (truncated, garbage, another key, variables missing) is a cache miss, never an error."""
    try:
        with xr.open_dataset(path, engine="scipy") as ds:
            if ds.attrs.get("cache_key") != key:
                return None
            curve = ds.load()
    except FileNotFoundError:
        return None
    except Exception:  # any unreadable file is a miss: xarray and scipy raise TypeError,
        return None    # ValueError, OSError, ... depending on the damage
    complete = all(name in curve for name in (*_VARIABLES, "load_fraction", "rated_power_kw"))
    return curve if complete else None


def _write_cached_curve(path: Path, ds: xr.Dataset) -> None:
    """Store ``ds`` at ``path`` atomically (a temporary file, then :func:`os.replace`); a cache
    folder that cannot be written is logged as a warning and the curve is still returned."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        ds.to_netcdf(tmp, engine="scipy")
        tmp.chmod(0o644)  # as an ordinary file (mkstemp makes it private)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        _warn_unwritable(path.parent, exc)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def _warn_unwritable(folder: Path, exc: OSError) -> None:
    if folder in _warned_folders:
        return
    _warned_folders.add(folder)
    reason = exc.strerror or str(exc)
    _log.warning("%s: cannot write the SOFC curve cache (%s); curves are computed each time "
                 "(set CNPLAN_CACHE_DIR to a writable folder)", folder, reason)


def thermal_min_load(config: SystemConfig, params: CellParameters,
                     operating_hours: float = 0.0, *, resolution: float = 0.002) -> float:
    """Lowest stack current fraction at which the system needs no external heat [-].

    Below it the afterburner flue cannot preheat the air and the fuel (with the minimum
    approach temperatures of :mod:`sofc.heat_integration`) and the stack would cool down
    unless heat is bought (``auxiliary_heat``). Found by bisection between the
    balance-of-plant limit ``config.min_load_fraction`` and full load to ``resolution``
    (the external heat falls as the load rises); returns the BoP limit if the system is
    self-sustaining there.

    Raises
    ------
    SofcInputError
        If external heat is needed even at full load.
    """
    lo, hi = float(config.min_load_fraction), 1.0
    ok = _self_sustaining(config, params, np.array([lo, hi]), operating_hours)
    if not ok[1]:
        raise SofcInputError(
            "the stack cannot hold its temperature without external heat even at full load: "
            "lower the heat loss or raise the design current density")
    if ok[0]:
        return lo
    while hi - lo > resolution:
        mid = 0.5 * (lo + hi)
        if _self_sustaining(config, params, np.array([mid]), operating_hours)[0]:
            hi = mid
        else:
            lo = mid
    return hi


def _self_sustaining(config: SystemConfig, params: CellParameters, loads: np.ndarray,
                     operating_hours: float) -> np.ndarray:
    res = evaluate_system(config, loads, operating_hours, params=params)
    external = res.auxiliary_fuel + res.heater
    return np.asarray(external <= 1e-6 * res.fuel)


def _compute_curve(config: SystemConfig, params: CellParameters, n_points: int,
                   hours: list[float], key: str) -> xr.Dataset:
    thermal = [thermal_min_load(config, params, h) for h in hours]
    min_load = max(config.min_load_fraction, *thermal)
    cf = np.linspace(min_load, 1.0, n_points)
    data: dict[str, list[np.ndarray]] = {k: [] for k in _VARIABLES}
    rated = []
    for h in hours:
        res = evaluate_system(config, cf, h, params=params)
        for name, (attr, _units, scale) in _VARIABLES.items():
            value = getattr(res, attr) * scale
            if attr.endswith("temperature") or attr == "dew_point":
                value = value - 273.15
            data[name].append(value)
        rated.append(float(res.power[-1]) * 1e-3)
    dims = ("operating_hours", "load")
    ds = xr.Dataset(coords={
        "operating_hours": ("operating_hours", np.array(hours), {"units": "h",
                                                               "long_name": "stack age"}),
        "load": ("load", cf, {"units": "1",
                              "long_name": "stack current / design current"}),
    })
    for name, (_attr, units, _scale) in _VARIABLES.items():
        ds[name] = (dims, np.array(data[name]),
                    {"units": units, "long_name": _LONG_NAMES.get(name, name.replace("_", " "))})
    ds["rated_power_kw"] = (("operating_hours",), np.array(rated),
                            {"units": "kW", "long_name": "net AC power at full load"})
    ds["load_fraction"] = (dims, ds["power_kw"].values / np.array(rated)[:, None],
                           {"units": "1", "long_name": "net AC power / rated net AC power"})
    ds["min_load_thermal"] = (("operating_hours",), np.array(thermal), {
        "units": "1", "long_name": "lowest stack current fraction without external heat"})
    ds.attrs.update({
        "title": "ethanol SOFC system curve",
        "min_load": min_load,
        "min_load_limit": ("thermal: the stack holds its temperature without external heat"
                           if min_load > config.min_load_fraction else
                           "balance of plant (config min_load_fraction)"),
        "fuel_basis": "liquid ethanol, lower heating value",
        "ethanol_lhv_j_per_mol": ethanol_lhv_liquid(),
        "steam_to_carbon": steam_to_carbon(config),
        "cell_parameters": params.name,
        "cache_key": key,
        "model_version": MODEL_VERSION,
    })
    return ds


@dataclass(frozen=True)
class PiecewiseFit:
    """Convex piecewise-linear fuel model, per kW of rated net AC power.

    ``fuel/P_rated >= slopes[k] * (power/P_rated) + intercepts[k]`` for all
    ``k``; slopes increase, so the maximum of the lines is convex. Heat is
    bounded by ``heat/P_rated <= heat_slope * power/P_rated + heat_intercept``, a line
    that lies at or below the twin at every sampled load (:func:`heat_line_under`).

    Attributes
    ----------
    slopes : tuple of float
        :math:`a_k` [kW fuel / kW electric].
    intercepts : tuple of float
        :math:`b_k` [kW fuel per kW rated].
    breakpoints : tuple of float
        Power fractions where the active line changes, including both ends [-].
    min_load_fraction : float
        Lowest net power fraction of the curve [-].
    rated_power_kw : float
        Net AC power at full load of the fitted curve [kW].
    max_error : float
        Largest relative error of the fitted fuel vs the model samples [-].
    heat_slope, heat_intercept : float
        Linear recoverable-heat model [-], [kW per kW rated].
    heat_per_fuel : float
        Mean recoverable heat per fuel input [-].
    heat_max_error : float
        Largest under-statement of the heat line below the twin at the loads it was fitted
        over, relative to rated power [-] (the line never over-states heat).
    operating_hours : float
        Stack age of the fitted curve [h] (NaN: a life average, :mod:`sofc.life`).
    """

    slopes: tuple[float, ...]
    intercepts: tuple[float, ...]
    breakpoints: tuple[float, ...]
    min_load_fraction: float
    rated_power_kw: float
    max_error: float
    heat_slope: float
    heat_intercept: float
    heat_per_fuel: float
    heat_max_error: float
    operating_hours: float

    def fuel(self, power_fraction: float | np.ndarray) -> np.ndarray:
        """Fitted fuel input per kW rated [-] at net power fraction(s)."""
        x = np.asarray(power_fraction, dtype=float)[..., None]
        return np.max(np.asarray(self.slopes) * x + np.asarray(self.intercepts), axis=-1)


def _lower_hull(x: np.ndarray, y: np.ndarray) -> list[int]:
    hull: list[int] = []
    for k in range(len(x)):
        while len(hull) >= 2:
            i, j = hull[-2], hull[-1]
            if (y[j] - y[i]) * (x[k] - x[i]) >= (y[k] - y[i]) * (x[j] - x[i]):
                hull.pop()
            else:
                break
        hull.append(k)
    return hull


def heat_line_under(x: np.ndarray, q: np.ndarray) -> tuple[float, float]:
    """The line under the twin's heat samples that keeps the most heat: slope and intercept.

    Parameters
    ----------
    x, q : numpy.ndarray
        Net power and heat per rated power [-], ``x`` increasing from the minimum load.

    Returns
    -------
    tuple of float
        :math:`(h_1, h_0)` with :math:`h_1 x_i + h_0 \\le q_i` for every sample and
        :math:`h_1 x_0 + h_0 \\ge 0` (no hidden minimum load: at the lowest load the bound
        is not negative), maximising the mean of the line over :math:`[x_0, 1]`.

    Notes
    -----
    The LP :math:`\\max\\ h_1\\bar x + h_0` s.t. the constraints above, with
    :math:`\\bar x = (x_0 + x_{n-1})/2`, is solved by its geometry: the optimum is the
    supporting line of the lower convex hull of the samples at :math:`\\bar x` (the hull
    edge spanning it); if that line is negative at :math:`x_0` it is turned about
    :math:`(x_0, 0)` up to the highest slope that stays under every sample,
    :math:`h_1 = \\min_{i>0} q_i/(x_i - x_0)`.
    """
    hull = _lower_hull(x, q)
    xh, qh = x[hull], q[hull]
    x_bar = 0.5 * (x[0] + x[-1])
    k = int(np.clip(np.searchsorted(xh, x_bar) - 1, 0, len(xh) - 2)) if len(xh) > 1 else 0
    if len(xh) == 1:
        return 0.0, float(max(qh[0], 0.0))
    slope = (qh[k + 1] - qh[k]) / (xh[k + 1] - xh[k])
    intercept = qh[k] - slope * xh[k]
    if slope * x[0] + intercept < 0.0:
        slope = float(np.min(q[1:] / (x[1:] - x[0])))
        intercept = -slope * x[0]
    return float(slope), float(intercept)


def piecewise_fit(curve: xr.Dataset, n_segments: int = 4, *,
                  operating_hours: float | None = None,
                  min_power_fraction: float = 0.0) -> PiecewiseFit:
    """Convex piecewise-linear fit of fuel input versus net power output.

    Parameters
    ----------
    curve : xarray.Dataset
        Output of :func:`system_curve`.
    n_segments : int, optional
        Number of linear pieces (at most; fewer if the data's convex hull has
        fewer vertices).
    operating_hours : float, optional
        Which age to fit; the first in the curve if omitted.
    min_power_fraction : float, optional
        Lowest net power fraction the user of the fit will run at (e.g. a plan's
        ``min_load_fraction``) [-]; the heat line is fitted over the samples from the higher
        of this and the curve's minimum load up to full load, and is not negative there.

    Returns
    -------
    PiecewiseFit

    Notes
    -----
    With :math:`x = P/P_{rated}` and :math:`y = F/P_{rated}`, the breakpoints
    are chosen among the vertices of the lower convex hull of the samples so
    as to minimise the largest relative error
    :math:`\\max_i |\\hat y(x_i) - y_i|/y_i`, where :math:`\\hat y` is the
    chord interpolant through the breakpoints (exhaustive search). Chords of a
    convex hull have increasing slopes, so :math:`\\hat y = \\max_k(a_k x + b_k)`.
    """
    if n_segments < 1:
        raise SofcInputError("n_segments must be >= 1")
    sel = curve if "operating_hours" not in curve.dims else curve.sel(
        operating_hours=curve.operating_hours.values[0] if operating_hours is None
        else operating_hours)
    power = np.asarray(sel["power_kw"].values, dtype=float)
    fuel = np.asarray(sel["fuel_kw"].values, dtype=float)
    heat = np.asarray(sel["heat_kw"].values, dtype=float)
    if np.any(power <= 0) or np.any(np.diff(power) <= 0):
        raise SofcInputError("curve power must be positive and increasing with load")
    rated = float(power[-1])
    x, y, hq = power / rated, fuel / rated, heat / rated
    hull = _lower_hull(x, y)
    inner = hull[1:-1]
    k = min(n_segments, len(hull) - 1) - 1
    best: tuple[float, tuple[int, ...]] | None = None
    for combo in itertools.combinations(inner, k):
        bp = (hull[0], *combo, hull[-1])
        y_hat = np.interp(x, x[list(bp)], y[list(bp)])
        err = float(np.max(np.abs(y_hat - y) / y))
        if best is None or err < best[0]:
            best = (err, bp)
    assert best is not None
    err, bp = best
    xb, yb = x[list(bp)], y[list(bp)]
    slopes = np.diff(yb) / np.diff(xb)
    intercepts = yb[:-1] - slopes * xb[:-1]
    floor = min(max(min_power_fraction, float(x[0])), float(x[-2]))
    above = x > floor + 1e-12
    x_run = np.concatenate([[floor], x[above]])  # the floor itself, heat interpolated
    q_run = np.concatenate([[np.interp(floor, x, hq)], hq[above]])
    h_slope, h_int = heat_line_under(x_run, q_run)
    h_err = float(np.max(q_run - (h_slope * x_run + h_int)))
    return PiecewiseFit(
        slopes=tuple(float(s) for s in slopes),
        intercepts=tuple(float(b) for b in intercepts),
        breakpoints=tuple(float(v) for v in xb),
        min_load_fraction=float(x[0]),
        rated_power_kw=rated,
        max_error=err,
        heat_slope=float(h_slope),
        heat_intercept=float(h_int),
        heat_per_fuel=float(heat.sum() / fuel.sum()),
        heat_max_error=h_err,
        operating_hours=float(sel["operating_hours"].values) if "operating_hours" in sel.coords
        else 0.0,
    )
