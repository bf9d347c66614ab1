"""The stack in its hot box: the air flow and air inlet temperature that hold it at temperature.

Two thermal models of the stack, chosen by ``SystemConfig.stack_thermal``:

* ``linear``: the cell temperature rises linearly from the stack inlet
  :math:`T_{in}` to :math:`T_{out} = T_{in} + \\Delta T` (:func:`sofc.stack.solve_stack`)
  and the air flow follows from the stack's lumped energy balance with both outlets at
  :math:`T_{out}`,

  .. math:: \\dot n_{air}\\,[h_{air}(T_{out}) - h_{air}(T_{in})] =
      H_{an,in} + \\dot n_{O_2,used}h_{O_2}(T_{out}) - H_{an,out} - P_{DC} - Q_{loss},

  but not below :math:`\\lambda_{min}`; then the air must enter hotter than :math:`T_{in}`.
* ``energy_balance`` (default): solid, fuel and air temperatures along the channel from
  their energy balances with kinetic internal reforming
  (:func:`sofc.thermal.solve_thermal_stack`). The reformate enters at :math:`T_{in}` as it
  leaves the pre-reformer (methane still to be reformed in the stack). The air ratio is
  found so that the hottest solid temperature is the allowed :math:`T_{in} + \\Delta T`
  (bracketed secant on :math:`\\ln\\lambda`); if even :math:`\\lambda_{min}` leaves the
  stack colder, the air inlet temperature is raised until it is (the stack is kept hot by
  preheating), up to :math:`T_{in} + \\Delta T + 100` K, and beyond that more air at that
  temperature is sent. The hot-box loss :math:`Q_{loss}` leaves the solid, spread evenly
  along the channel.

Flows are per cell [mol/s], enthalpy flows per cell [W], temperatures [K].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from sofc.errors import SofcInputError
from sofc.params import CellParameters
from sofc.stack import ANODE_SPECIES, solve_stack
from sofc.thermal import solve_thermal_stack
from sofc.thermo import FARADAY, GAS_CONSTANT, GAS_SPECIES, nasa_table

__all__ = ["StackOperation", "operate_linear", "operate_energy_balance", "X_O2_AIR"]

Array = NDArray[np.float64]
X_O2_AIR = 0.21
"""O2 mole fraction of air [-]."""
_MAX_AIR_RATIO = 40.0
_TOL_K = 0.5
_TOO_COLD_K = 300.0
_MAX_PREHEAT_ABOVE_OUTLET_K = 100.0
"""Hottest air inlet allowed: the stack's allowed hottest point + 100 K [K]."""


@dataclass(frozen=True)
class StackOperation:
    """Stack operating point at ``M`` loads (arrays ``(M,)`` unless stated), per cell.

    ``h_anode_out`` and ``h_cathode_out`` are the enthalpy flows [W] of the gases leaving
    the stack towards the afterburner; ``max_solid_temperature``
    [K] the hottest point of the cell; losses [V] are current-weighted means (NaN where the
    model does not split them).
    """

    voltage: Array
    current: Array
    anode_out: Array
    air_out: Array
    fuel_utilisation: Array
    ohmic: Array
    activation: Array
    concentration: Array
    air: Array
    air_ratio: Array
    air_inlet_temperature: Array
    h_anode_out: Array
    h_cathode_out: Array
    max_solid_temperature: Array


def species_enthalpy(names: Sequence[str], temperature: Array | float) -> Array:
    """Molar enthalpies [J/mol] of ``names`` at ``temperature`` (NASA-7, last axis)."""
    table = nasa_table(GAS_SPECIES)
    h = table.enthalpy(np.asarray(temperature, dtype=float))
    return np.asarray(h[..., [table.index(n) for n in names]], dtype=float)


def air_enthalpy(temperature: Array | float) -> Array:
    """Molar enthalpy of air (21 % O2, 79 % N2) [J/mol]."""
    h = species_enthalpy(("O2", "N2"), temperature)
    return np.asarray(X_O2_AIR * h[..., 0] + (1 - X_O2_AIR) * h[..., 1], dtype=float)


def temperature_from_enthalpy(target: Array, flows: Array, names: Sequence[str],
                              guess: Array) -> Array:
    """Temperature [K] at which sum(flows * h(T)) equals target (Newton on cp)."""
    table = nasa_table(GAS_SPECIES)
    idx = [table.index(n) for n in names]
    t = np.asarray(guess, dtype=float).copy()
    for _ in range(50):
        h = (table.enthalpy(t)[..., idx] * flows).sum(axis=-1)
        cp = (table.cp_r(t)[..., idx] * flows).sum(axis=-1) * GAS_CONSTANT
        step = (h - target) / cp
        t = np.clip(t - step, 200.0, 5000.0)
        if np.all(np.abs(step) < 1e-6):
            break
    return t


def operate_linear(params: CellParameters, *, area: float, n_segments: int, t_in: float,
                   t_out: float, pressure: float, anode_in: Array, h_anode_in: Array,
                   current: Array, extra_asr: float, min_air_ratio: float,
                   q_loss: float) -> StackOperation:
    """Imposed linear profile and the lumped air balance (module notes), vectorised."""
    o2_used = current / (4.0 * FARADAY)
    lam = np.full_like(current, max(min_air_ratio, 4.0))
    h_o2_out = float(species_enthalpy(("O2",), t_out)[0])
    dh_air = float(air_enthalpy(t_out) - air_enthalpy(t_in))
    i_guess = None
    for _ in range(8):
        air = lam * o2_used / X_O2_AIR
        st = solve_stack(params, area=area, n_segments=n_segments, inlet_temperature=t_in,
                         outlet_temperature=t_out, pressure=pressure, anode_inlet=anode_in,
                         air_inlet=air, current=current, extra_asr=extra_asr,
                         initial_current_density=i_guess)
        i_guess = st.current_density
        h_an_out = (species_enthalpy(ANODE_SPECIES, t_out) * st.anode_out).sum(axis=1)
        q_excess = h_anode_in + o2_used * h_o2_out - h_an_out - st.voltage * st.current - q_loss
        lam_new = np.maximum(q_excess / dh_air * X_O2_AIR / o2_used, min_air_ratio)
        done = np.max(np.abs(lam_new - lam) / lam) < 1e-3
        lam = lam_new
        if done:
            break
    air = lam * o2_used / X_O2_AIR
    h_ca_out = (species_enthalpy(("O2", "N2"), t_out) * st.air_out).sum(axis=1)
    needed = h_an_out + h_ca_out + st.voltage * st.current + q_loss - h_anode_in
    t_air_in = temperature_from_enthalpy(
        needed, np.stack([X_O2_AIR * air, (1 - X_O2_AIR) * air], axis=1), ("O2", "N2"),
        np.full_like(current, t_in))
    return StackOperation(
        voltage=st.voltage, current=st.current, anode_out=st.anode_out, air_out=st.air_out,
        fuel_utilisation=st.fuel_utilisation, ohmic=st.ohmic, activation=st.activation,
        concentration=st.concentration, air=air, air_ratio=lam, air_inlet_temperature=t_air_in,
        h_anode_out=h_an_out, h_cathode_out=h_ca_out,
        max_solid_temperature=np.full_like(current, t_out))


def operate_energy_balance(params: CellParameters, *, area: float, n_segments: int,
                           t_in: float, t_out: float, pressure: float, anode_in: Array,
                           current: Array, extra_asr: float, min_air_ratio: float,
                           q_loss: float, flow: Literal["co", "counter"]) -> StackOperation:
    """Temperatures from the channel energy balance; air sized to the hottest point
    (module notes). One load at a time, each warm-started from the previous one."""
    rows = []
    warm: Array | None = None
    t_cap = t_out + _MAX_PREHEAT_ABOVE_OUTLET_K
    for k in range(current.size):
        o2_used = float(current[k]) / (4.0 * FARADAY)
        tried: dict[tuple[float, float], tuple[float, Any]] = {}

        def solve(lam: float, t_air: float, o2_used: float = o2_used, k: int = k,
                  tried: dict[tuple[float, float], tuple[float, Any]] = tried,
                  ) -> tuple[float, Any]:
            if (lam, t_air) not in tried:
                tried[(lam, t_air)] = solve_once(lam, t_air, o2_used, k)
            return tried[(lam, t_air)]

        def solve_once(lam: float, t_air: float, o2_used: float, k: int) -> tuple[float, Any]:
            nonlocal warm
            try:
                res = solve_thermal_stack(
                    params, area=area, n_segments=n_segments, inlet_temperature=t_in,
                    pressure=pressure, anode_inlet=anode_in[k],
                    air_inlet=lam * o2_used / X_O2_AIR, current=float(current[k]),
                    extra_asr=extra_asr, air_inlet_temperature=t_air, flow=flow,
                    initial_temperature=warm, heat_loss=q_loss)
            except SofcInputError:
                # a trial this far from the answer (the cell too cold to carry the current)
                # counts as much too cold, which moves the search towards hotter trials
                return -_TOO_COLD_K, None
            warm = np.stack([res.temperature, res.fuel_temperature, res.air_temperature])
            return float(np.max(res.temperature)) - t_out, res

        excess, res = solve(min_air_ratio, t_in)
        if excess > 0.0:  # more air than the minimum carries the heat away
            log_lam = _root(lambda x: solve(float(np.exp(x)), t_in), np.log(min_air_ratio),
                            np.log(_MAX_AIR_RATIO), excess, increasing=False)
            lam, t_air = float(np.exp(log_lam)), t_in
        else:  # too cold even with the least air: preheat it, then send more of it
            hot_excess = solve(min_air_ratio, t_cap)[0]
            if hot_excess >= 0.0:
                lam = min_air_ratio
                t_air = _root(lambda t: solve(min_air_ratio, t), t_in, t_cap, excess,
                              increasing=True)
            else:
                t_air = t_cap
                lam = float(np.exp(_root(lambda x: solve(float(np.exp(x)), t_cap),
                                         np.log(min_air_ratio), np.log(_MAX_AIR_RATIO),
                                         hot_excess, increasing=True)))
        res = solve(lam, t_air)[1]  # the search ends on a point it solved: no new solve
        if res is None:
            raise SofcInputError(f"the stack cannot be held at temperature at load "
                                 f"{float(current[k]):.3g} A per cell")
        rows.append((res, lam, t_air, o2_used))
    return _collect(rows)


def _root(f: Callable[[float], tuple[float, Any]], lo: float, hi: float, f_lo: float, *,
          increasing: bool) -> float:
    """Root of a monotone scalar function on [lo, hi] by a bracketed secant (Illinois)."""
    f_hi = f(hi)[0]
    if (f_hi > 0) != increasing and f_hi != 0.0:
        raise SofcInputError("the stack cannot be held at its allowed temperature: "
                             "no air flow or air inlet temperature in range does it")
    a, fa, b, fb = lo, f_lo, hi, f_hi
    side = 0
    for _ in range(60):
        x = b - fb * (b - a) / (fb - fa)
        fx = f(x)[0]
        if abs(fx) < _TOL_K:
            return x
        if (fx > 0) == (fb > 0):
            b, fb = x, fx
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = x, fx
            if side == 1:
                fb *= 0.5
            side = 1
    return x


def _collect(rows: list[tuple[object, float, float, float]]) -> StackOperation:
    """Stack the per-load thermal solutions into a :class:`StackOperation`."""
    def col(name: str) -> Array:
        return np.array([getattr(r[0], name) for r in rows], dtype=float)

    anode_out, air_out = col("anode_out"), col("air_out")
    t_f, t_a = col("fuel_outlet_temperature"), col("air_outlet_temperature")
    h_an = (species_enthalpy(ANODE_SPECIES, t_f) * anode_out).sum(axis=1)
    h_ca = (species_enthalpy(("O2", "N2"), t_a) * air_out).sum(axis=1)
    nan = np.full(len(rows), np.nan)
    lam = np.array([r[1] for r in rows])
    o2_used = np.array([r[3] for r in rows])
    return StackOperation(
        voltage=col("voltage"), current=col("current"), anode_out=anode_out, air_out=air_out,
        fuel_utilisation=col("fuel_utilisation"), ohmic=nan, activation=nan, concentration=nan,
        air=lam * o2_used / X_O2_AIR, air_ratio=lam,
        air_inlet_temperature=np.array([r[2] for r in rows]),
        h_anode_out=h_an, h_cathode_out=h_ca,
        max_solid_temperature=np.array([float(np.max(r[0].temperature))  # type: ignore[attr-defined]
                                        for r in rows]))
