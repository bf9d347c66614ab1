"""One-dimensional co-flow stack model: equipotential cells, current varying along the channel.

Axes and conventions
--------------------
* Every cell of the stack is identical; the model solves one cell and scales
  it by the number of cells.
* The channel is split into ``N`` equal segments along the flow (index
  ``k = 0`` at the inlet). Fuel and air flow in the same direction (co-flow).
* Arrays are shaped ``(M, N)``: ``M`` independent operating points (e.g. the
  loads of an efficiency curve) solved together, vectorised with numpy.
* Flows are per cell in mol/s; the fuel-side species order is
  :data:`ANODE_SPECIES`. Current density is positive in fuel-cell mode.
* The cell temperature rises linearly from the stack inlet to the stack
  outlet temperature (the system model sets the air flow so that the outlet
  temperature is the allowed one); gas and solid share the local temperature.

Numerics
--------
In each segment the fuel gas is at water-gas-shift and methane-reforming
equilibrium (:func:`anode_equilibrium`), with equilibrium constants from
Cantera Gibbs energies evaluated once per segment temperature; the oxygen
ions arriving through the electrolyte add oxygen to the fuel stream. The
equipotential condition :math:`V_k(i_k) = V` for all segments together with
:math:`\\sum_k i_k A_k = I` is solved by Newton's method with the coupling of each
segment to the charge drawn upstream and a line search
(:func:`sofc.equipotential.solve_equipotential`), which converges from 10 % to 100 % load.
No Cantera call happens inside the iteration.

References
----------
.. [1] P. Aguiar, C. S. Adjiman, N. P. Brandon, *J. Power Sources* 138 (2004)
   120-136 (1-D co-flow planar SOFC with internal reforming).
.. [2] IDAES ``soc_submodels/solid_oxide_cell.py`` (co-flow cell, equipotential
   electrodes), sofc-data.md section 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sofc.cell import cell_performance
from sofc.equipotential import solve_equipotential, upstream_weights
from sofc.errors import SofcInputError
from sofc.params import CellParameters
from sofc.thermo import FARADAY, P_REF, equilibrium_constant

__all__ = ["ANODE_SPECIES", "StackResult", "anode_equilibrium", "solve_stack"]

Array = NDArray[np.float64]

ANODE_SPECIES: tuple[str, ...] = ("H2", "H2O", "CO", "CO2", "CH4", "N2")
"""Fuel-side species of the stack model, in array order."""
_ELEMENTS = np.array(  # rows: species; columns: C, H, O
    [[0, 2, 0], [0, 2, 1], [1, 0, 1], [1, 0, 2], [1, 4, 0], [0, 0, 0]], dtype=float
)


def _wgs_co2(a0: Array, w0: Array, h0: Array, k1: Array) -> Array:
    """CO2 amount b solving b (H0 + b) = K1 (A0 - b)(W0 - b) in [0, min(A0, W0)]."""
    qa = 1.0 - k1
    qb = h0 + k1 * (a0 + w0)
    qc = -k1 * a0 * w0
    disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        b_pos = np.where(qb > 0, -2.0 * qc / (qb + disc), (-qb + disc) / (2.0 * qa))
        b_alt = np.where(np.abs(qa) > 1e-12, (-qb - disc) / (2.0 * qa), np.inf)
    upper = np.minimum(a0, w0)
    ok = (b_pos >= -1e-15) & (b_pos <= upper + 1e-15)
    b = np.where(ok, b_pos, b_alt)
    return np.clip(b, 0.0, np.maximum(upper, 0.0))


def anode_equilibrium(
    elements: ArrayLike, n2: ArrayLike, temperature: ArrayLike, pressure: float,
    *, iterations: int = 100, guess: ArrayLike | None = None, return_ln_m: bool = False,
) -> Any:
    """Fuel gas at water-gas-shift and steam-methane-reforming equilibrium.

    Parameters
    ----------
    elements : array_like
        Element flows ``[..., 3]`` of C, H, O [mol/s].
    n2 : array_like
        Inert nitrogen flow [mol/s].
    temperature : array_like
        Temperature [K].
    pressure : float
        Pressure [Pa].
    iterations : int, optional
        Iteration limit of the safeguarded Newton search on :math:`\\ln n_{CH_4}`.
    guess : array_like, optional
        Starting :math:`\\ln n_{CH_4}` (warm start from a previous call).
    return_ln_m : bool, optional
        Also return :math:`\\ln n_{CH_4}` for warm starts.

    Returns
    -------
    numpy.ndarray
        Species flows ``[..., 6]`` in :data:`ANODE_SPECIES` order [mol/s].

    Notes
    -----
    With :math:`m = n_{CH_4}` and :math:`b = n_{CO_2}`, element balances give
    :math:`n_{CO} = A_0 - b`, :math:`n_{H_2O} = W_0 - b`,
    :math:`n_{H_2} = H_0 + b`, where :math:`A_0 = n_C - m`,
    :math:`W_0 = n_O - n_C + m`, :math:`H_0 = n_H/2 - n_O + n_C - 3m`. For
    given :math:`m`, shift equilibrium
    :math:`K_{WGS} = n_{CO_2} n_{H_2} / (n_{CO} n_{H_2O})` is a quadratic in
    :math:`b`; :math:`m` is then found by Newton's method on :math:`\\ln m`,
    safeguarded by bisection, from

    .. math:: K_{SMR}(T) = \\frac{n_{CO}\\,n_{H_2}^3}{n_{CH_4}\\,n_{H_2O}}
        \\left(\\frac{p}{p^\\circ n_{tot}}\\right)^2

    with both :math:`K` from Cantera Gibbs energies
    (:func:`sofc.thermo.equilibrium_constant`). The total moles do not depend
    on :math:`b`. Higher hydrocarbons and carbon are excluded (the reformer
    has already converted the ethanol).
    """
    el = np.asarray(elements, dtype=float)
    n_c, n_h, n_o = el[..., 0], el[..., 1], el[..., 2]
    n2a = np.broadcast_to(np.asarray(n2, dtype=float), n_c.shape)
    t = np.broadcast_to(np.asarray(temperature, dtype=float), n_c.shape)
    k1 = equilibrium_constant(t, {"CO": -1, "H2O": -1, "CO2": 1, "H2": 1})
    k2 = equilibrium_constant(t, {"CH4": -1, "H2O": -1, "CO": 1, "H2": 3})
    p2 = (pressure / P_REF) ** 2

    def species(m: Array) -> tuple[Array, ...]:
        a0 = n_c - m
        w0 = n_o - n_c + m
        h0 = 0.5 * n_h - n_o + n_c - 3.0 * m
        b = _wgs_co2(a0, w0, h0, k1)
        return m, a0 - b, b, h0 + b, w0 - b, m + a0 + h0 + w0 + n2a

    has_c = n_c > 1e-300
    lo = np.where(has_c, np.log(np.maximum(n_c, 1e-300)) - 60.0, 0.0)
    hi = np.where(has_c, np.log(np.maximum(np.minimum(n_c, n_h / 4.0), 1e-300)), 0.0)
    ln_k2 = np.log(k2)

    def resid(x: Array) -> Array:
        m, a, b, h, w, nt = species(np.where(has_c, np.exp(x), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.log(m * w) + 2.0 * np.log(nt) - np.log(a * h**3 * p2) + ln_k2
        # infeasible (no CO or H2 left) means too much methane: residual +inf
        return np.where((a <= 0) | (h <= 0) | np.isnan(r), np.inf, r)

    x = 0.5 * (lo + hi) if guess is None else np.clip(
        np.broadcast_to(np.asarray(guess, dtype=float), n_c.shape), lo, hi)
    for _ in range(iterations):
        r = resid(x)
        pos = r > 0
        hi = np.where(pos, x, hi)
        lo = np.where(pos, lo, x)
        dx = 1e-7
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (resid(x + dx) - r) / dx
            x_new = x - r / slope
        bad = ~np.isfinite(x_new) | (x_new <= lo) | (x_new >= hi) | (slope <= 0)
        x_new = np.where(bad, 0.5 * (lo + hi), x_new)
        done = np.all((np.abs(x_new - x) < 1e-9) | ~has_c | (hi - lo < 1e-9))
        x = x_new
        if done:
            break
    m, a, b, h, w, _ = species(np.where(has_c, np.exp(x), 0.0))
    if return_ln_m:
        return np.maximum(np.stack([h, w, a, b, m, n2a], axis=-1), 0.0), x
    out = np.stack([h, w, a, b, m, n2a], axis=-1)
    if np.any(out < -1e-12 * np.maximum(n_h, 1e-300)[..., None]):
        raise SofcInputError("fuel gas cannot be equilibrated (element balance infeasible)")
    return np.maximum(out, 0.0)


@dataclass(frozen=True)
class StackResult:
    """Solution of the 1-D stack model for ``M`` operating points.

    Attributes
    ----------
    voltage : (M,) cell voltage [V]
    current : (M,) cell current [A]
    current_density : (M, N) local current density [A/m2]
    temperature : (N,) segment temperatures [K]
    nernst : (M, N) local Nernst potential [V]
    ohmic, activation, concentration : (M,) current-weighted mean losses [V]
    anode_in, anode_out : (M, 6) fuel-side flows per cell [mol/s]
    air_in, air_out : (M, 2) O2 and N2 flows per cell [mol/s]
    fuel_utilisation : (M,) hydrogen-equivalent utilisation [-]
    iterations : number of Newton iterations used
    """

    voltage: Array
    current: Array
    current_density: Array
    temperature: Array
    nernst: Array
    ohmic: Array
    activation: Array
    concentration: Array
    anode_in: Array
    anode_out: Array
    air_in: Array
    air_out: Array
    fuel_utilisation: Array
    iterations: int


def _h2_equivalent(flows: Array) -> Array:
    return flows[..., 0] + flows[..., 2] + 4.0 * flows[..., 4]


def solve_stack(
    params: CellParameters,
    *,
    area: float,
    n_segments: int,
    inlet_temperature: float,
    outlet_temperature: float,
    pressure: float,
    anode_inlet: ArrayLike,
    air_inlet: ArrayLike,
    current: ArrayLike | None = None,
    voltage: ArrayLike | None = None,
    extra_asr: ArrayLike = 0.0,
    oxygen_fraction: float = 0.21,
    initial_current_density: ArrayLike | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> StackResult:
    """Solve the co-flow cell for given current (or voltage) at ``M`` operating points.

    Parameters
    ----------
    params : CellParameters
        Cell parameter set.
    area : float
        Active area per cell [m2].
    n_segments : int
        Segments along the channel [-].
    inlet_temperature, outlet_temperature : float
        Cell temperature at the fuel/air inlet and outlet [K]; linear between.
    pressure : float
        Pressure of both channels [Pa].
    anode_inlet : array_like
        ``(M, 6)`` fuel flows per cell in :data:`ANODE_SPECIES` order [mol/s].
    air_inlet : array_like
        ``(M,)`` air flow per cell [mol/s].
    current : array_like, optional
        ``(M,)`` cell current [A] (current mode).
    voltage : array_like, optional
        ``(M,)`` cell voltage [V] (voltage mode); give exactly one of the two.
    extra_asr : array_like, optional
        ``(M,)`` added ASR, e.g. degradation [Ohm m2].
    oxygen_fraction : float, optional
        O2 mole fraction of the inlet air [-].
    initial_current_density : array_like, optional
        ``(M, N)`` starting current distribution (warm start) [A/m2].
    tol : float, optional
        Voltage tolerance of the equipotential condition [V].
    max_iter : int, optional
        Iteration limit.

    Returns
    -------
    StackResult

    Notes
    -----
    Segment :math:`k` (area :math:`A_k = A/N`) sees the fuel and air
    compositions at its mid-point, where the charge passed upstream is
    :math:`Q_k = \\sum_{j<k} i_j A_j + \\tfrac12 i_k A_k`; the fuel gains
    :math:`Q_k/(2F)` mol/s of O and the air loses :math:`Q_k/(4F)` mol/s of
    O2. Fuel utilisation is :math:`U_f = I/(2F\\,n_{H_2,eq})` with
    :math:`n_{H_2,eq} = n_{H_2} + n_{CO} + 4n_{CH_4}`.
    """
    if (current is None) == (voltage is None):
        raise ValueError("give exactly one of current and voltage")
    fuel = np.atleast_2d(np.asarray(anode_inlet, dtype=float))
    m_pts = fuel.shape[0]
    air = np.broadcast_to(np.asarray(air_inlet, dtype=float), (m_pts,))
    if np.any(fuel < 0) or np.any(air <= 0) or area <= 0 or n_segments < 1:
        raise SofcInputError("stack flows and area must be positive")
    n = int(n_segments)
    a_seg = area / n
    frac = (np.arange(n) + 0.5) / n
    t_seg = inlet_temperature + (outlet_temperature - inlet_temperature) * frac
    t_mn = np.broadcast_to(t_seg, (m_pts, n))
    el_in = fuel @ _ELEMENTS  # (M, 3)
    n2_in = fuel[:, 5]
    o2_in = oxygen_fraction * air
    n2_air = (1.0 - oxygen_fraction) * air
    extra = np.broadcast_to(np.asarray(extra_asr, dtype=float), (m_pts,))[:, None]
    h2eq_in = _h2_equivalent(fuel)

    if current is not None:
        i_total = np.broadcast_to(np.asarray(current, dtype=float), (m_pts,)).copy()
        if np.any(i_total > 2.0 * FARADAY * h2eq_in):
            raise SofcInputError("current exceeds the fuel supplied (fuel utilisation > 1)")
        if np.any(i_total > 4.0 * FARADAY * o2_in):
            raise SofcInputError("current exceeds the oxygen supplied (air ratio < 1)")
        i_seg = np.repeat((i_total / area)[:, None], n, axis=1)
        if initial_current_density is not None:
            guess = np.asarray(initial_current_density, dtype=float)
            i_seg = guess * (i_total / (guess.sum(axis=1) * a_seg))[:, None]
    else:
        v_fixed = np.broadcast_to(np.asarray(voltage, dtype=float), (m_pts,))[:, None]
        i_seg = np.zeros((m_pts, n))

    warm: dict[str, Array] = {}
    weights = upstream_weights(n)  # Q_k = a_seg * (W @ i)_k

    def local_state(q: Array) -> tuple[Array, Array, Array]:
        el = np.repeat(el_in[:, None, :], n, axis=1)
        el[..., 2] += q / (2.0 * FARADAY)
        flows, warm["ln_m"] = anode_equilibrium(el, n2_in[:, None], t_mn, pressure,
                                                guess=warm.get("ln_m"), return_ln_m=True)
        tot = flows.sum(axis=-1)
        o2 = np.maximum(o2_in[:, None] - q / (4.0 * FARADAY), 1e-30)
        return flows[..., 0] / tot, flows[..., 1] / tot, o2 / (o2 + n2_air[:, None])

    def performance(i_seg: Array, q: Array) -> Any:
        x_h2, x_h2o, x_o2 = local_state(q)
        return cell_performance(i_seg, t_mn, pressure, np.maximum(x_h2, 1e-12),
                                np.maximum(x_h2o, 1e-12), x_o2, params, extra_asr=extra,
                                clip=True)

    def charge(i_seg: Array) -> Array:
        return a_seg * i_seg @ weights.T  # (M, N) [A]

    v_cell = (None if current is None else
              np.average(performance(i_seg, charge(i_seg)).voltage, axis=1))
    dq = 1e-7 * 2.0 * FARADAY * np.maximum(h2eq_in, 1e-30)

    def sensitivity(i: Array, perf: Any) -> Array:  # dV_k/dQ_k by a forward difference
        return np.asarray((performance(i, charge(i) + dq[:, None]).voltage - perf.voltage)
                          / dq[:, None], dtype=float)

    i_seg, v_cell, it, err = solve_equipotential(
        lambda i: performance(i, charge(i)), sensitivity, i_seg, v_cell,
        None if current is None else i_total, v_fixed[:, 0] if current is None else None,
        a_seg, tol=tol, max_iter=max_iter)
    if err >= tol:
        raise SofcInputError(f"stack model did not converge (residual {err:.2e} V)")
    perf = performance(i_seg, charge(i_seg))
    i_cell = (i_seg * a_seg).sum(axis=1)
    w = i_seg * a_seg / np.where(i_cell[:, None] != 0, i_cell[:, None], 1.0)
    el_out = el_in.copy()
    el_out[:, 2] += i_cell / (2.0 * FARADAY)
    anode_out = anode_equilibrium(el_out, n2_in, outlet_temperature, pressure)
    o2_out = o2_in - i_cell / (4.0 * FARADAY)
    return StackResult(
        voltage=np.average(perf.voltage, axis=1),
        current=i_cell,
        current_density=i_seg,
        temperature=t_seg,
        nernst=perf.nernst,
        ohmic=(w * perf.ohmic).sum(axis=1),
        activation=(w * (perf.activation_anode + perf.activation_cathode)).sum(axis=1),
        concentration=(w * (perf.concentration_anode + perf.concentration_cathode)).sum(axis=1),
        anode_in=fuel,
        anode_out=anode_out,
        air_in=np.stack([o2_in, n2_air], axis=1),
        air_out=np.stack([o2_out, n2_air], axis=1),
        fuel_utilisation=i_cell / (2.0 * FARADAY * h2eq_in),
        iterations=it,
    )
