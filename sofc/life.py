"""A stack over its life, and the hot box between runs: end of life, life-average curve,
hot standby and cold start.

**Stack life.** The twin ages a stack by a voltage loss at constant current that grows
linearly with operating hours, :math:`\\Delta V(t) = (d/100)(t/1000)\\,V_0` at the design
current (:func:`sofc.system.evaluate_system`). A stack is replaced when its full-load net AC
power has fallen by the end-of-life share :math:`\\varepsilon` of a new stack's:

.. math:: P_{rated}(L) = (1 - \\varepsilon)\\,P_{rated}(0),

solved for the stack life :math:`L` [h] by Brent's method (:func:`stack_life`). Net power
falls faster than voltage (the inverter and the balance of plant are fixed losses), so
:math:`L < \\varepsilon / (d \\cdot 10^{-5})`. Common end-of-life rules are 10-20 % loss
(docs/sofc.md, "Stack life").

**Life average.** Over a stack's life its age is spread evenly over :math:`[0, L]`. With
:math:`\\rho_a = P_{rated}(a)/P_{rated}(0)` and the fuel and heat per kW of the age's own rating,
:math:`f_a(x)` and :math:`q_a(x)` at the power fraction :math:`x = P/P_{rated}(a)`, a unit run at
the fraction :math:`x` of its present rating delivers on average :math:`\\bar\\rho\\,x` per kW of
nameplate and burns :math:`\\overline{\\rho f}(x)`, so the life-average unit has

.. math:: \\bar\\rho = \\tfrac{1}{L}\\int_0^L \\rho_a\\,da, \\qquad
    \\bar f(x) = \\tfrac{1}{\\bar\\rho L}\\int_0^L \\rho_a f_a(x)\\,da

(the same for heat), integrated by Simpson's rule over the ages 0, L/2 and L (exact for a
rating quadratic in age; the twin's is nearly linear). Each :math:`f_a` is convex, so
:math:`\\bar f` is too. This assumes the dispatch does not depend on the stack's age.

**Hot standby.** With no current the stack makes no heat; the hot box loses
:math:`Q_{loss}` (``stack_heat_loss_w``) at its operating temperature, which the auxiliary
burner (efficiency :math:`\\eta_b`) or the electric heater covers, and the controls and the idle
inverter draw :math:`P_{ctrl} + P_{inv,0}` from the site: fuel :math:`Q_{loss}/\\eta_b` [W].
The purge air a real hot box needs is left out (small against :math:`Q_{loss}`).

**Cold start.** The hot box of heat capacity :math:`C` is heated from ambient to the mean stack
temperature :math:`T_{op} = T_{in} + \\Delta T/2` at the fastest allowed rate :math:`r`:
time :math:`t_s = (T_{op} - T_{amb})/r`; heat :math:`C (T_{op} - T_{amb}) + Q_{loss} t_s / 2`
(the loss grows linearly with the temperature during the ramp), at most as fast as the
start-up heater gives heat :math:`Q_h` (:func:`cold_start`); fuel that heat over
:math:`\\eta_b`; electricity :math:`P_{ctrl}\\,t_s`. :math:`C` is
``hot_box_heat_capacity_kj_per_k_per_kw`` times the new rating (500 kJ/K for a 1.6 kW BlueGen,
Gabrielli et al. 2015 via the ETH PSWHR model); :math:`r` is ``heat_up_rate_k_per_min``
(typical SOFC start-up ~5 K/min, starts of 2-6 h; docs/sofc-data.md 5.2).

Units: W, J, K, h as named; per-kW figures are per kW of new rated net AC power.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from sofc.curves import MODEL_VERSION, cache_dir
from sofc.errors import SofcInputError
from sofc.params import CellParameters, SystemConfig, read_cell_parameters
from sofc.system import evaluate_system

__all__ = ["ColdStart", "HotStandby", "LIFE_AGES", "cold_start", "hot_standby",
           "life_average_curve", "power_retained", "stack_life"]

LIFE_AGES = (0.0, 0.5, 1.0)
"""Stack ages as shares of the life at which the twin is sampled for the life average."""
_SIMPSON = np.array([1.0, 4.0, 1.0]) / 6.0
_MAX_HOURS = 2e5
"""Oldest stack the twin evaluates [h]."""
_LIFE_CACHE: dict[str, float] = {}


def _rated_power_w(config: SystemConfig, params: CellParameters, hours: float) -> float:
    return float(evaluate_system(config, [1.0], hours, params=params).power[0])


def power_retained(config: SystemConfig, hours: float, *,
                   params: CellParameters | None = None) -> float:
    """Full-load net AC power of a stack ``hours`` old over a new stack's [-]."""
    params = params or read_cell_parameters(config.cell_parameters)
    return _rated_power_w(config, params, hours) / _rated_power_w(config, params, 0.0)


def stack_life(config: SystemConfig, end_of_life_loss: float = 0.2, *,
               params: CellParameters | None = None) -> float:
    """Operating hours [h] at which the full-load net AC power has fallen by
    ``end_of_life_loss`` of a new stack's (module notes), to 1 h.

    Raises
    ------
    SofcInputError
        If the loss is not in (0, 1), or the stack keeps more than that share after
        200,000 h (no degradation, or a very low rate).
    """
    if not 0.0 < end_of_life_loss < 1.0:
        raise SofcInputError(f"end-of-life power loss must be in (0, 1), got {end_of_life_loss}")
    params = params or read_cell_parameters(config.cell_parameters)
    key = hashlib.sha256(json.dumps([MODEL_VERSION, config.model_dump(mode="json"),
                                     params.model_dump(mode="json"), end_of_life_loss],
                                    sort_keys=True).encode()).hexdigest()
    if key in _LIFE_CACHE:
        return _LIFE_CACHE[key]
    cached = _read_life(key)
    if cached is not None:
        _LIFE_CACHE[key] = cached
        return cached
    target = (1.0 - end_of_life_loss) * _rated_power_w(config, params, 0.0)

    def excess(hours: float) -> float:
        return _rated_power_w(config, params, hours) - target

    rate = config.degradation_pct_per_kh / 100.0 / 1000.0
    high = min(end_of_life_loss / rate, _MAX_HOURS) if rate > 0 else _MAX_HOURS
    while excess(high) > 0.0:
        if high >= _MAX_HOURS:
            raise SofcInputError(
                f"the stack keeps more than {1 - end_of_life_loss:.0%} of its power after "
                f"{_MAX_HOURS:,.0f} h at {config.degradation_pct_per_kh:g} %/1000 h: give the "
                "stack life in hours instead")
        high = min(2.0 * high, _MAX_HOURS)
    life = float(brentq(excess, 0.0, high, xtol=1.0))
    _LIFE_CACHE[key] = life
    _write_life(key, life)
    return life


def _life_file(key: str) -> Path:
    return cache_dir() / f"life-{key[:32]}.json"


def _read_life(key: str) -> float | None:
    """A stack life cached on disk for ``key``; a missing or damaged file is a miss."""
    try:
        data = json.loads(_life_file(key).read_text(encoding="utf-8"))
        life = float(data["life_hours"]) if data.get("key") == key else None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return life if life is not None and 0.0 < life <= _MAX_HOURS else None


def _write_life(key: str, life: float) -> None:
    """Store a stack life atomically; an unwritable cache folder is not an error."""
    path = _life_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": key, "life_hours": life, "version": MODEL_VERSION}, f)
        os.replace(name, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(name)


def life_average_curve(curve: xr.Dataset, life_hours: float) -> xr.Dataset:
    """The life-average unit of a curve sampled at the ages ``LIFE_AGES × life_hours``
    (module notes): one curve on a common grid of power fractions, per kW as the new stack.

    Returns a Dataset with dim ``load`` (here the net power fraction of the life-average
    rating) and ``power_kw``, ``fuel_kw``, ``heat_kw``, ``efficiency_lhv``,
    ``load_fraction``, and the scalars ``rated_power_kw`` (:math:`\\bar\\rho\\,P_{rated}(0)`)
    and ``rated_ratio`` (:math:`\\bar\\rho`); ``attrs["life_hours"]``.
    """
    ages = [a * life_hours for a in LIFE_AGES]
    have = [float(h) for h in curve["operating_hours"].values]
    missing = [a for a in ages if not any(abs(a - h) <= 1e-6 * max(1.0, a) for h in have)]
    if missing:
        raise SofcInputError(f"the curve lacks the stack ages {missing} h of the life average")
    sel = [curve.sel(operating_hours=a, method="nearest") for a in ages]
    new = float(sel[0]["rated_power_kw"])
    rho = np.array([float(s["rated_power_kw"]) / new for s in sel])
    x_low = max(float(s["load_fraction"].values[0]) for s in sel)
    x = np.linspace(x_low, 1.0, curve.sizes["load"])
    rho_bar = float(_SIMPSON @ rho)

    def averaged(var: str) -> np.ndarray:
        per_age = [np.interp(x, s["load_fraction"].values,
                             s[var].values / float(s["rated_power_kw"])) for s in sel]
        return np.asarray((_SIMPSON * rho) @ np.array(per_age) / rho_bar)

    rated = rho_bar * new
    fuel, heat = averaged("fuel_kw") * rated, averaged("heat_kw") * rated
    power = x * rated
    ds = xr.Dataset(coords={"load": ("load", x, {"units": "1", "long_name":
                                                 "net AC power / life-average rating"})})
    ds["power_kw"] = ("load", power, {"units": "kW"})
    ds["fuel_kw"] = ("load", fuel, {"units": "kW"})
    ds["heat_kw"] = ("load", heat, {"units": "kW"})
    ds["efficiency_lhv"] = ("load", power / fuel, {"units": "1"})
    ds["load_fraction"] = ("load", x, {"units": "1"})
    ds["rated_power_kw"] = ((), rated, {"units": "kW"})
    ds["rated_ratio"] = ((), rho_bar, {"units": "1", "long_name": "life-average full-load "
                                       "power over a new stack's"})
    ds.coords["operating_hours"] = ((), np.nan, {"long_name": "stack age: none, a life average"})
    ds.attrs.update({"life_hours": float(life_hours),
                     "basis": "life average (Simpson over 0, L/2, L)"})
    return ds


@dataclass(frozen=True)
class HotStandby:
    """Hot standby: the hot box held at temperature with no current (module notes)."""

    fuel_w: float
    """Fuel (LHV) the auxiliary burner burns to cover the hot-box loss [W]."""
    electricity_w: float
    """Electricity drawn from the site: controls, idle inverter (and an electric heater) [W]."""


@dataclass(frozen=True)
class ColdStart:
    """Heating the hot box from ambient to its operating temperature (module notes)."""

    hours: float
    """Time from cold to hot [h]."""
    fuel_j: float
    """Fuel (LHV) burnt to heat it [J]."""
    electricity_j: float
    """Electricity the controls (and an electric heater) draw meanwhile [J]."""


def _heat_cost(config: SystemConfig, heat_w: float) -> tuple[float, float]:
    """(fuel, electricity) [W] that deliver ``heat_w`` of auxiliary heat."""
    if config.auxiliary_heat == "fuel":
        return heat_w / config.auxiliary_burner_efficiency, 0.0
    return 0.0, heat_w / config.electric_heater_efficiency


def hot_standby(config: SystemConfig) -> HotStandby:
    """Fuel and electricity that keep the hot box at temperature with no current [W]."""
    fuel, heater = _heat_cost(config, config.stack_heat_loss_w)
    return HotStandby(fuel_w=fuel,
                      electricity_w=config.controls_w + config.inverter_standby_w + heater)


def cold_start(config: SystemConfig, rated_power_w: float, heater_w: float) -> ColdStart:
    """Time, fuel and electricity of a start from cold of a system rated ``rated_power_w``
    (new stack, net AC) whose start-up heater gives at most ``heater_w`` of heat [h, J, J].

    The ramp is the slower of the allowed heating rate and what the heater can supply:
    :math:`t_s = \\max\\big((T_{op} - T_{amb})/r,\\ C (T_{op} - T_{amb})/(Q_h - Q_{loss}/2)\\big)`.
    """
    if not rated_power_w > 0.0:
        raise SofcInputError("rated power must be positive")
    t_op = config.stack_inlet_temperature_c + 0.5 * config.stack_temperature_rise_k
    rise = t_op - config.ambient_temperature_c
    capacity = config.hot_box_heat_capacity_kj_per_k_per_kw * rated_power_w  # J/K
    net_heater = heater_w - 0.5 * config.stack_heat_loss_w
    if not net_heater > 0.0:
        raise SofcInputError("the start-up heater cannot cover the hot-box loss")
    seconds = max(rise / config.heat_up_rate_k_per_min * 60.0, capacity * rise / net_heater)
    heat = capacity * rise + 0.5 * config.stack_heat_loss_w * seconds
    fuel, heater = _heat_cost(config, heat / seconds)
    return ColdStart(hours=seconds / 3600.0, fuel_j=fuel * seconds,
                     electricity_j=(config.controls_w + heater) * seconds)
