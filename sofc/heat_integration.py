"""Heat integration of the SOFC system by pinch analysis: external heat needed, heat offered.

The system's heat exchangers (fuel processor, air preheater, process heat exchanger) are not
given a fixed order. Instead the streams are matched by the problem-table algorithm of pinch
analysis: with every stream's temperatures shifted by its minimum-approach contribution
:math:`\\delta_s` (hot streams down, cold streams up), the heat surplus of each temperature
interval is cascaded from the top,

.. math::

    R_j = \\sum_{\\text{intervals above } j}\\Big(\\sum_{hot} \\Delta H_s
          - \\sum_{cold} \\Delta H_s\\Big),\\qquad
    Q_H = \\max\\big(0, -\\min_j R_j\\big),\\qquad
    GCC_j = R_j + Q_H,

where :math:`Q_H` is the least external (auxiliary) heat that lets every cold stream reach
its target with every match at least :math:`\\delta_{hot} + \\delta_{cold}` apart, and the
grand composite curve :math:`GCC_j \\ge 0` is the heat flowing down through shifted
temperature :math:`T_j`. A network meeting these targets exists at every load, so the heat
cascade is feasible by construction (Linnhoff & Hindmarsh 1983 [1]_; Kemp 2007 [2]_ ch. 4);
the test suite checks the composite curves against :math:`\\Delta T_{min}` independently.

A process heat sink (a site heat class heated from its return to its supply temperature,
constant heat-capacity rate :math:`C`) can take :math:`Q = C (T_s - T_r)` at most, with

.. math:: C_{max} = \\min_{T'_j < T'_s} \\frac{GCC_j}{T'_s - \\max(T'_j, T'_r)}

so that adding it leaves the cascade non-negative without more external heat. The flue gas
condenses below its dew point: its water splits into vapour at the saturation pressure
(Buck's equation [3]_) and liquid, so a sink whose return is below the dew point recovers
latent heat (condensing heat recovery).

Units: temperatures [K], heat flows [W], molar flows [mol/s]. Stream enthalpies are
NASA-7 polynomials (:mod:`sofc.thermo`), consistent with the rest of the system model.

References
----------
.. [1] B. Linnhoff, E. Hindmarsh, The pinch design method for heat exchanger networks,
   *Chem. Eng. Sci.* 38 (1983) 745-763.
.. [2] I. C. Kemp, *Pinch Analysis and Process Integration*, 2nd ed., Butterworth-Heinemann,
   2007, ch. 2-4 (problem table, grand composite curve, individual stream contributions).
.. [3] A. L. Buck, New equations for computing vapor pressure and enhancement factor,
   *J. Appl. Meteorol.* 20 (1981) 1527-1532 (the 1996 revised constants).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sofc.thermo import GAS_SPECIES, nasa_table, water_liquid_enthalpy

__all__ = [
    "Stream",
    "HeatCascade",
    "heat_cascade",
    "water_saturation_pressure",
    "flue_enthalpy",
    "GAS_CONTRIBUTION_K",
    "REFORMER_CONTRIBUTION_K",
    "LIQUID_CONTRIBUTION_K",
]

Array = NDArray[np.float64]
Enthalpy = Callable[[Array], Array]

GAS_CONTRIBUTION_K = 15.0
"""Approach contribution of a gas stream [K]: gas-gas matches at least 30 K apart (the
recuperator approach of Braun et al. 2006, docs/sofc.md)."""
REFORMER_CONTRIBUTION_K = 35.0
"""Approach contribution of the reformer duty [K]: flue at least 50 K above the reformer."""
LIQUID_CONTRIBUTION_K = 5.0
"""Approach contribution of liquid, evaporating and process-water streams [K]: 20 K to the
flue gas."""
_GRID_K = 1.0


@dataclass(frozen=True)
class Stream:
    """One hot or cold stream at ``M`` operating points.

    ``enthalpy(T)`` gives its enthalpy flow [W] at actual temperatures ``T`` of shape
    ``(M, G)``; it is evaluated only inside ``[t_low, t_high]`` (arrays ``(M,)``, [K]).
    ``contribution`` is its minimum-approach contribution [K].
    """

    enthalpy: Enthalpy
    t_low: Array
    t_high: Array
    contribution: float
    hot: bool


@dataclass(frozen=True)
class HeatCascade:
    """Result of the problem table at ``M`` points.

    Attributes
    ----------
    hot_utility : (M,) least external heat [W]
    grid : (G,) shifted temperatures, descending [K]
    gcc : (M, G) grand composite curve: heat flowing down through each grid temperature [W]
    """

    hot_utility: Array
    grid: Array
    gcc: Array

    def sink_capacity(self, supply: float, ret: float, contribution: float) -> Array:
        """Most heat [W] a sink heated from ``ret`` to ``supply`` [K] can take (module notes)."""
        top, bottom = supply + contribution, ret + contribution
        # below the grid nothing happens: the GCC keeps its bottom value down to the sink
        grid = np.append(self.grid, min(bottom, self.grid[-1]))
        gcc = np.concatenate([self.gcc, self.gcc[:, -1:]], axis=1)
        demand = np.clip(top - np.maximum(grid, bottom), 0.0, None)  # (G,) per K of C
        inside = demand > 1e-12
        ratio = np.where(inside, gcc / np.where(inside, demand, 1.0), np.inf)
        c_max = np.maximum(np.min(ratio, axis=1), 0.0)
        return np.asarray(c_max * (supply - ret), dtype=float)


def heat_cascade(streams: Sequence[Stream], *, grid_step: float = _GRID_K) -> HeatCascade:
    """Problem-table cascade of ``streams`` (module notes): least external heat and GCC.

    The shifted temperature grid spans all streams with ``grid_step`` [K]; heat is assigned to
    each interval exactly from the stream enthalpies at the interval ends (clipped to the
    stream's range), so the totals are exact and only the position of heat inside an interval
    is approximated.
    """
    lows = [np.min(s.t_low) + (-s.contribution if s.hot else s.contribution) for s in streams]
    highs = [np.max(s.t_high) + (-s.contribution if s.hot else s.contribution) for s in streams]
    g_top = np.ceil(max(highs)) + grid_step
    g_bottom = np.floor(min(lows)) - grid_step
    grid = np.arange(g_top, g_bottom - 0.5 * grid_step, -grid_step)  # descending
    m = len(np.atleast_1d(streams[0].t_low))
    surplus = np.zeros((m, grid.size))  # heat released (hot) minus taken (cold) above grid_j
    for s in streams:
        shift = -s.contribution if s.hot else s.contribution
        actual = np.clip(grid[None, :] - shift, s.t_low[:, None], s.t_high[:, None])
        h = s.enthalpy(actual)
        above = h[:, :1] - h  # heat between the top and each grid temperature
        surplus += above if s.hot else -above
    q_h = np.maximum(-np.min(surplus, axis=1), 0.0)
    return HeatCascade(hot_utility=q_h, grid=grid, gcc=surplus + q_h[:, None])


def water_saturation_pressure(temperature: Array) -> Array:
    """Saturation pressure of water over liquid [Pa], Buck's equation [3]_.

    .. math:: p_{sat} = 611.21\\,\\exp\\left[\\left(18.678 - \\frac{\\theta}{234.5}\\right)
        \\frac{\\theta}{257.14 + \\theta}\\right],\\qquad \\theta = T - 273.15

    within 0.05 % of the steam tables from 0 to 100 degC (7.38 kPa at 40 degC, 101.3 kPa at
    100 degC); clipped to 255-573 K (above 100 degC it only decides that no water condenses).
    """
    theta = np.clip(np.asarray(temperature, dtype=float), 255.0, 573.0) - 273.15
    return np.asarray(611.21 * np.exp((18.678 - theta / 234.5) * theta / (257.14 + theta)),
                      dtype=float)


def flue_enthalpy(flows: Array, names: Sequence[str], pressure: float) -> Enthalpy:
    """Enthalpy flow [W] of a flue gas that condenses below its dew point.

    ``flows`` ``(M, S)`` [mol/s] name gas species (one of them ``H2O``). At temperature
    :math:`T` the vapour is :math:`n_v = \\min(n_w, n_{dry}\\,p_{sat}/(p - p_{sat}))` and the
    rest :math:`n_w - n_v` is liquid water, so

    .. math:: H = \\sum_{dry} n_i h_i(T) + n_v h_{H_2O,g}(T) + (n_w - n_v) h_{H_2O,l}(T).
    """
    table = nasa_table(GAS_SPECIES)
    idx = [table.index(n) for n in names]
    iw = list(names).index("H2O")
    n_w = flows[:, iw]
    n_dry = flows.sum(axis=1) - n_w
    liquid_table = _liquid_water_table()

    def enthalpy(t: Array) -> Array:
        h = table.enthalpy(t)[..., idx]  # (M, G, S)
        gas = (h * flows[:, None, :]).sum(axis=-1)
        p_sat = water_saturation_pressure(t)
        vapour = np.minimum(n_w[:, None], n_dry[:, None] * p_sat
                            / np.maximum(pressure - p_sat, 1e-9))
        liquid = n_w[:, None] - vapour
        h_l = liquid_table(np.clip(t, 273.15, 373.15))
        return np.asarray(gas - liquid * (h[..., iw] - h_l), dtype=float)

    return enthalpy


def _liquid_water_table() -> Callable[[Array], Array]:
    """Vectorised liquid-water molar enthalpy [J/mol] (linear in T, exact at 273.15/373.15 K)."""
    h0, h1 = water_liquid_enthalpy(273.15), water_liquid_enthalpy(373.15)

    def h(t: Array) -> Array:
        return np.asarray(h0 + (h1 - h0) * (t - 273.15) / 100.0, dtype=float)

    return h
