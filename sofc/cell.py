"""Local electrochemistry of one solid oxide cell: Nernst, ohmic, activation, concentration.

All functions work on numpy arrays that broadcast together (a point of the
cell, or all segments of all operating points of a stack at once) and use SI
units: temperature [K], pressure [Pa], current density [A/m2] (positive in fuel
cell mode, negative in electrolysis), potentials [V], mole fractions [-].

The cell voltage is

.. math::

    V = E_N - i\\,(ASR_{ohm} + ASR_{deg}) - \\eta_{act,a} - \\eta_{act,c}
        - \\eta_{conc,a} - \\eta_{conc,c}

with the Nernst potential of the channel gas, Arrhenius ohmic resistances,
Butler-Volmer activation overpotentials solved exactly (Newton iteration, not
the Tafel or symmetric-sinh shortcut unless the transfer coefficients make it
exact), and concentration overpotentials from diffusion through the porous
electrodes (and the metal support on the fuel side). Hydrogen is the only
electrochemically oxidised fuel; CO and CH4 take part through water-gas shift
and reforming in the stack model.

References
----------
.. [1] R. O'Hayre, S.-W. Cha, W. Colella, F. B. Prinz, *Fuel Cell
   Fundamentals*, 3rd ed., Wiley, 2016, ch. 2-5.
.. [2] S. H. Chan, K. A. Khor, Z. T. Xia, A complete polarization model of a
   solid oxide fuel cell and its sensitivity to the change of cell component
   thickness, *J. Power Sources* 93 (2001) 130-140,
   https://doi.org/10.1016/S0378-7753(00)00556-5.
.. [3] P. Aguiar, C. S. Adjiman, N. P. Brandon, Anode-supported
   intermediate temperature direct internal reforming solid oxide fuel cell.
   I: model-based steady-state performance, *J. Power Sources* 138 (2004)
   120-136, https://doi.org/10.1016/j.jpowsour.2004.06.040.
.. [4] B. E. Poling, J. M. Prausnitz, J. P. O'Connell, *The Properties of
   Gases and Liquids*, 5th ed., McGraw-Hill, 2001, eq. 11-4.4 and Table 11-1
   (Fuller diffusion volumes).
.. [5] IDAES ``soc_submodels/triple_phase_boundary.py`` (Butler-Volmer with
   :math:`\\ln i_0 = \\ln A - E/RT + \\sum_j \\gamma_j \\ln y_j`), after
   P. Kazempoor, R. J. Braun, *Int. J. Hydrogen Energy* 39 (2014) 2669-2684.
.. [6] P. Larminie, A. Dicks, *Fuel Cell Systems Explained*, 2nd ed., Wiley,
   2003, Table 2.2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sofc.errors import SofcInputError
from sofc.params import CellParameters, Electrode
from sofc.thermo import FARADAY, GAS_CONSTANT, P_REF, nasa_table

__all__ = [
    "CellPerformance",
    "standard_potential",
    "nernst_potential",
    "ohmic_asr",
    "exchange_current_density",
    "butler_volmer_overpotential",
    "fuller_diffusivity",
    "knudsen_diffusivity",
    "concentration_overpotentials",
    "cell_performance",
    "cell_point",
    "parse_composition",
]

Array = NDArray[np.float64]

_MOLAR_MASS = {"H2": 2.016e-3, "H2O": 18.015e-3, "O2": 31.999e-3, "N2": 28.014e-3}
"""Molar masses [kg/mol]."""
_FULLER_VOLUME = {"H2": 6.12, "H2O": 13.1, "O2": 16.3, "N2": 18.5}
"""Fuller diffusion volumes [-], Poling et al. Table 11-1 [4]_."""


def standard_potential(temperature: ArrayLike) -> Array:
    """Standard potential of :math:`H_2 + \\tfrac12 O_2 \\to H_2O(g)` [V].

    Parameters
    ----------
    temperature : array_like
        Temperature [K].

    Returns
    -------
    numpy.ndarray
        :math:`E^\\circ(T)` [V] at the 1 atm standard state.

    Notes
    -----
    .. math:: E^\\circ = -\\frac{g^\\circ_{H_2O} - g^\\circ_{H_2} - \\tfrac12 g^\\circ_{O_2}}{2F}

    with Gibbs energies from Cantera's ``nasa_gas.yaml``. Compare Larminie &
    Dicks [6]_: 0.98 V at 800 degC.
    """
    t = np.asarray(temperature, dtype=float)
    g = nasa_table(("H2O", "H2", "O2")).g_rt(t)
    dg_rt = g[..., 0] - g[..., 1] - 0.5 * g[..., 2]
    return -dg_rt * GAS_CONSTANT * t / (2.0 * FARADAY)


def nernst_potential(
    temperature: ArrayLike, pressure: ArrayLike, x_h2: ArrayLike, x_h2o: ArrayLike,
    x_o2: ArrayLike,
) -> Array:
    """Local Nernst (reversible) potential of the hydrogen-oxygen cell.

    Parameters
    ----------
    temperature : array_like
        Temperature [K].
    pressure : array_like
        Total pressure on both sides [Pa].
    x_h2, x_h2o : array_like
        Fuel-side mole fractions [-].
    x_o2 : array_like
        Air-side oxygen mole fraction [-].

    Returns
    -------
    numpy.ndarray
        :math:`E_N` [V].

    Notes
    -----
    .. math:: E_N = E^\\circ(T) + \\frac{RT}{2F}\\ln\\frac{(p_{H_2}/p^\\circ)
        (p_{O_2}/p^\\circ)^{1/2}}{p_{H_2O}/p^\\circ}

    O'Hayre et al. [1]_ ch. 2.
    """
    t = np.asarray(temperature, dtype=float)
    p = np.asarray(pressure, dtype=float) / P_REF
    ratio = np.asarray(x_h2) * p * np.sqrt(np.asarray(x_o2) * p) / (np.asarray(x_h2o) * p)
    return standard_potential(t) + GAS_CONSTANT * t / (2.0 * FARADAY) * np.log(ratio)


def ohmic_asr(temperature: ArrayLike, params: CellParameters) -> Array:
    """Area-specific ohmic resistance of the repeat unit [Ohm m2].

    Parameters
    ----------
    temperature : array_like
        Temperature [K].
    params : CellParameters
        Thicknesses [m], conductivity laws [S/m] and contact ASR [Ohm m2].

    Returns
    -------
    numpy.ndarray
        :math:`ASR_{ohm}` [Ohm m2].

    Notes
    -----
    .. math:: ASR_{ohm} = \\sum_{k\\in\\{el,a,c\\}} \\frac{t_k}{\\sigma_k(T)} + ASR_{contact},
        \\qquad \\sigma_k = A_k T^{n_k} e^{-B_k/T}

    Aguiar et al. [3]_ (laws and coefficients of the anode-supported set).
    """
    t = np.asarray(temperature, dtype=float)
    el = params.electrolyte
    asr = params.contact_asr_ohm_m2 + el.thickness_m / el.conductivity(t)
    for electrode in (params.anode, params.cathode):
        asr = asr + electrode.thickness_m / electrode.conductivity(t)
    return np.asarray(asr, dtype=float)


def exchange_current_density(
    temperature: ArrayLike, electrode: Electrode, mole_fractions: dict[str, ArrayLike],
) -> Array:
    """Composition-dependent exchange current density [A/m2].

    Parameters
    ----------
    temperature : array_like
        Temperature [K].
    electrode : Electrode
        Pre-exponential :math:`A` [A/m2], activation energy :math:`E` [J/mol],
        temperature exponent :math:`m` [-] and exponents :math:`\\gamma_j` [-].
    mole_fractions : dict
        Mole fractions at the reaction sites for the species named by the
        exponents [-].

    Returns
    -------
    numpy.ndarray
        :math:`i_0` [A/m2].

    Notes
    -----
    .. math:: i_0 = A\\,T^{m}\\prod_j y_j^{\\gamma_j}\\exp\\left(-\\frac{E}{RT}\\right)

    The form of IDAES/Kazempoor & Braun [5]_.
    """
    t = np.asarray(temperature, dtype=float)
    i0 = electrode.exchange_current_pre_exponential_a_m2 * np.exp(
        -electrode.exchange_current_activation_energy_j_mol / (GAS_CONSTANT * t)
    )
    m = electrode.exchange_current_temperature_exponent
    if m:
        i0 = i0 * t**m
    for name, gamma in electrode.exchange_current_exponents.items():
        i0 = i0 * np.maximum(np.asarray(mole_fractions[name], dtype=float), 1e-12) ** gamma
    return np.asarray(i0, dtype=float)


def butler_volmer_overpotential(
    current_density: ArrayLike, exchange_current: ArrayLike, temperature: ArrayLike,
    alpha_anodic: float, alpha_cathodic: float, *, tol: float = 1e-12, max_iter: int = 50,
) -> Array:
    """Activation overpotential from the full Butler-Volmer equation, solved exactly.

    Parameters
    ----------
    current_density : array_like
        Current density through the electrode [A/m2]; sign gives direction.
    exchange_current : array_like
        :math:`i_0` [A/m2].
    temperature : array_like
        Temperature [K].
    alpha_anodic, alpha_cathodic : float
        Transfer coefficients :math:`\\alpha_a, \\alpha_c` [-].
    tol : float, optional
        Convergence tolerance on :math:`F\\eta/RT` [-].
    max_iter : int, optional
        Newton iterations allowed.

    Returns
    -------
    numpy.ndarray
        :math:`\\eta` [V], same sign as the current.

    Notes
    -----
    Solves

    .. math:: i = i_0\\left[\\exp\\left(\\frac{\\alpha_a F\\eta}{RT}\\right)
        - \\exp\\left(-\\frac{\\alpha_c F\\eta}{RT}\\right)\\right]

    by Newton's method from the symmetric solution
    :math:`\\eta_0 = \\frac{2RT}{(\\alpha_a+\\alpha_c)F}\\,\\mathrm{asinh}\\frac{i}{2i_0}`,
    which is exact when :math:`\\alpha_a = \\alpha_c`. O'Hayre et al. [1]_ ch. 3.
    """
    i = np.asarray(current_density, dtype=float)
    i0 = np.asarray(exchange_current, dtype=float)
    t = np.asarray(temperature, dtype=float)
    aa, ac = float(alpha_anodic), float(alpha_cathodic)
    ratio = i / i0
    x = 2.0 * np.arcsinh(ratio / 2.0) / (aa + ac)
    if not math.isclose(aa, ac):
        for _ in range(max_iter):
            ea = np.exp(np.clip(aa * x, -700, 700))
            ec = np.exp(np.clip(-ac * x, -700, 700))
            step = (ea - ec - ratio) / (aa * ea + ac * ec)
            x = x - step
            if np.all(np.abs(step) < tol * np.maximum(1.0, np.abs(x))):
                break
        else:  # pragma: no cover - Newton on a monotone convex function converges
            raise RuntimeError("Butler-Volmer iteration did not converge")
    return x * GAS_CONSTANT * t / FARADAY


def _bv_slope(x: Array, i0: Array, temperature: Array, aa: float, ac: float) -> Array:
    """d eta / d i [Ohm m2] at dimensionless overpotential x = F eta / RT."""
    return GAS_CONSTANT * temperature / FARADAY / (
        i0 * (aa * np.exp(aa * x) + ac * np.exp(-ac * x))
    )


def fuller_diffusivity(temperature: ArrayLike, pressure: ArrayLike, a: str, b: str) -> Array:
    """Binary gas diffusion coefficient by the Fuller correlation [m2/s].

    Parameters
    ----------
    temperature : array_like
        Temperature [K].
    pressure : array_like
        Pressure [Pa].
    a, b : str
        Species names among ``H2, H2O, O2, N2``.

    Notes
    -----
    .. math:: D_{AB} = \\frac{1.43\\times10^{-7}\\,T^{1.75}}
        {p\\,M_{AB}^{1/2}\\,(v_A^{1/3} + v_B^{1/3})^2},\\qquad
        M_{AB} = \\frac{2}{1/M_A + 1/M_B}

    with :math:`p` in bar, :math:`M` in g/mol, result in m2/s; Poling et al. [4]_.
    """
    t = np.asarray(temperature, dtype=float)
    p_bar = np.asarray(pressure, dtype=float) / 1e5
    m_ab = 2.0 / (1.0 / (_MOLAR_MASS[a] * 1e3) + 1.0 / (_MOLAR_MASS[b] * 1e3))
    v = (_FULLER_VOLUME[a] ** (1 / 3) + _FULLER_VOLUME[b] ** (1 / 3)) ** 2
    return 1.43e-7 * t**1.75 / (p_bar * math.sqrt(m_ab) * v)


def knudsen_diffusivity(temperature: ArrayLike, pore_radius: float, species: str) -> Array:
    """Knudsen diffusion coefficient in a pore [m2/s].

    Notes
    -----
    .. math:: D_K = \\frac{2}{3} r \\sqrt{\\frac{8RT}{\\pi M}}

    Chan et al. [2]_.
    """
    t = np.asarray(temperature, dtype=float)
    mean_speed = np.sqrt(8.0 * GAS_CONSTANT * t / (math.pi * _MOLAR_MASS[species]))
    return (2.0 / 3.0) * pore_radius * mean_speed


def _effective_diffusivity(t: Array, p: Array, electrode: Electrode, a: str, b: str) -> Array:
    """Bosanquet combination, scaled by porosity/tortuosity [m2/s]."""
    d_m = fuller_diffusivity(t, p, a, b)
    d_k = knudsen_diffusivity(t, electrode.pore_radius_m, a)
    return electrode.porosity / electrode.tortuosity / (1.0 / d_m + 1.0 / d_k)


@dataclass(frozen=True)
class _Diffusion:
    p_h2_tpb: Array
    p_h2o_tpb: Array
    p_o2_tpb: Array
    b_h2: Array
    b_h2o: Array
    c_o2: Array
    i_lim_pos: Array
    i_lim_neg: Array


def _diffusion(i: Array, t: Array, p: Array, x_h2: Array, x_h2o: Array, x_o2: Array,
               params: CellParameters) -> _Diffusion:
    an, ca = params.anode, params.cathode
    d_h2 = _effective_diffusivity(t, p, an, "H2", "H2O")
    d_h2o = _effective_diffusivity(t, p, an, "H2O", "H2")
    d_o2 = _effective_diffusivity(t, p, ca, "O2", "N2")
    rt = GAS_CONSTANT * t
    b_h2 = rt * an.diffusion_thickness_m / (2.0 * FARADAY * d_h2)
    b_h2o = rt * an.diffusion_thickness_m / (2.0 * FARADAY * d_h2o)
    c_o2 = rt * ca.diffusion_thickness_m / (4.0 * FARADAY * d_o2 * p)
    p_h2, p_h2o, p_o2 = x_h2 * p, x_h2o * p, x_o2 * p
    i_lim_ca = np.log(p / np.maximum(p - p_o2, 1e-300)) / c_o2
    i_lim_pos = np.minimum(p_h2 / b_h2, i_lim_ca)
    i_lim_neg = -p_h2o / b_h2o
    return _Diffusion(
        p_h2_tpb=p_h2 - b_h2 * i,
        p_h2o_tpb=p_h2o + b_h2o * i,
        p_o2_tpb=p + (p_o2 - p) * np.exp(c_o2 * i),
        b_h2=b_h2, b_h2o=b_h2o, c_o2=c_o2, i_lim_pos=i_lim_pos, i_lim_neg=i_lim_neg,
    )


def concentration_overpotentials(
    current_density: ArrayLike, temperature: ArrayLike, pressure: ArrayLike,
    x_h2: ArrayLike, x_h2o: ArrayLike, x_o2: ArrayLike, params: CellParameters,
) -> tuple[Array, Array]:
    """Concentration overpotentials of fuel and air electrode [V].

    Parameters
    ----------
    current_density : array_like
        [A/m2], below the limiting current.
    temperature, pressure : array_like
        [K], [Pa].
    x_h2, x_h2o, x_o2 : array_like
        Channel mole fractions [-].
    params : CellParameters
        Diffusion thickness [m], porosity, tortuosity, pore radius [m].

    Returns
    -------
    tuple of numpy.ndarray
        :math:`(\\eta_{conc,a}, \\eta_{conc,c})` [V].

    Notes
    -----
    Equimolar H2/H2O counter-diffusion through the fuel electrode and support
    of thickness :math:`t_a`, and O2 diffusing through stagnant N2 in the air
    electrode (Chan et al. [2]_):

    .. math::

        p_{H_2}^{tpb} = p_{H_2} - \\frac{RT t_a}{2FD_{H_2}^{eff}} i,\\quad
        p_{H_2O}^{tpb} = p_{H_2O} + \\frac{RT t_a}{2FD_{H_2O}^{eff}} i,\\quad
        p_{O_2}^{tpb} = p + (p_{O_2} - p)\\exp\\left(\\frac{RT t_c\\, i}{4FD_{O_2}^{eff}p}\\right)

    .. math::

        \\eta_{conc,a} = \\frac{RT}{2F}\\ln\\frac{p_{H_2}\\,p_{H_2O}^{tpb}}
        {p_{H_2}^{tpb}\\,p_{H_2O}},\\qquad
        \\eta_{conc,c} = \\frac{RT}{4F}\\ln\\frac{p_{O_2}}{p_{O_2}^{tpb}}

    with :math:`D^{eff} = (\\varepsilon/\\tau)(1/D_{AB} + 1/D_K)^{-1}`.
    """
    i, t, p, xh, xw, xo = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in
          (current_density, temperature, pressure, x_h2, x_h2o, x_o2))
    )
    d = _diffusion(i, t, p, xh, xw, xo, params)
    if np.any(i >= d.i_lim_pos) or np.any(i <= d.i_lim_neg):
        raise SofcInputError("current density at or above the limiting current")
    rt = GAS_CONSTANT * t
    eta_a = rt / (2 * FARADAY) * np.log(xh * p * d.p_h2o_tpb / (d.p_h2_tpb * xw * p))
    eta_c = rt / (4 * FARADAY) * np.log(xo * p / d.p_o2_tpb)
    return eta_a, eta_c


@dataclass(frozen=True)
class CellPerformance:
    """Local cell state; every attribute is an array of the broadcast shape.

    Attributes: ``current_density`` [A/m2]; ``nernst`` [V]; ``ohmic``,
    ``activation_anode``, ``activation_cathode``, ``concentration_anode``,
    ``concentration_cathode`` losses [V]; ``voltage`` [V];
    ``resistance`` :math:`dV/di` magnitude [Ohm m2]; ``limiting_current``
    [A/m2]; ``i0_anode``, ``i0_cathode`` [A/m2].
    """

    current_density: Array
    nernst: Array
    ohmic: Array
    activation_anode: Array
    activation_cathode: Array
    concentration_anode: Array
    concentration_cathode: Array
    voltage: Array
    resistance: Array
    limiting_current: Array
    i0_anode: Array
    i0_cathode: Array

    def as_dict(self) -> dict[str, Any]:
        """Scalars as floats (for JSON)."""
        return {k: np.asarray(v).tolist() for k, v in self.__dict__.items()}


def cell_performance(
    current_density: ArrayLike, temperature: ArrayLike, pressure: ArrayLike,
    x_h2: ArrayLike, x_h2o: ArrayLike, x_o2: ArrayLike, params: CellParameters,
    *, extra_asr: ArrayLike = 0.0, clip: bool = False,
) -> CellPerformance:
    """Voltage and losses of a cell element at given current density.

    Parameters
    ----------
    current_density : array_like
        [A/m2] (negative = electrolysis).
    temperature : array_like
        Local cell temperature [K].
    pressure : array_like
        [Pa].
    x_h2, x_h2o : array_like
        Fuel-channel mole fractions [-].
    x_o2 : array_like
        Air-channel oxygen mole fraction [-].
    params : CellParameters
        Cell parameter set.
    extra_asr : array_like, optional
        Additional ASR, e.g. from degradation [Ohm m2].
    clip : bool, optional
        Evaluate currents beyond 99.9 % of the limiting current at that value
        instead of raising (used inside the stack iteration).

    Returns
    -------
    CellPerformance

    Notes
    -----
    .. math:: V = E_N - i\\,(ASR_{ohm} + ASR_{extra}) - \\eta_{act,a} - \\eta_{act,c}
        - \\eta_{conc,a} - \\eta_{conc,c}

    Exchange currents use the reaction-site mole fractions (after porous
    diffusion), as in IDAES [5]_.
    """
    i, t, p, xh, xw, xo = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in
          (current_density, temperature, pressure, x_h2, x_h2o, x_o2))
    )
    d = _diffusion(i, t, p, xh, xw, xo, params)
    if clip:
        i = np.clip(i, 0.999 * d.i_lim_neg, 0.999 * d.i_lim_pos)
        d = _diffusion(i, t, p, xh, xw, xo, params)
    elif np.any(i >= d.i_lim_pos) or np.any(i <= d.i_lim_neg):
        raise SofcInputError(
            f"current density {np.max(np.abs(i)) / 1e4:.3g} A/cm2 at or above the limiting "
            f"current {np.min(d.i_lim_pos) / 1e4:.3g} A/cm2"
        )
    rt = GAS_CONSTANT * t
    e_n = nernst_potential(t, p, xh, xw, xo)
    asr = ohmic_asr(t, params) + np.asarray(extra_asr, dtype=float)
    an, ca = params.anode, params.cathode
    i0_a = exchange_current_density(
        t, an, {"H2": d.p_h2_tpb / p, "H2O": d.p_h2o_tpb / p}
    )
    i0_c = exchange_current_density(t, ca, {"O2": d.p_o2_tpb / p})
    eta_a = butler_volmer_overpotential(i, i0_a, t, an.alpha_anodic, an.alpha_cathodic)
    eta_c = butler_volmer_overpotential(i, i0_c, t, ca.alpha_anodic, ca.alpha_cathodic)
    conc_a = rt / (2 * FARADAY) * np.log(xh * d.p_h2o_tpb / (d.p_h2_tpb * xw))
    conc_c = rt / (4 * FARADAY) * np.log(xo * p / d.p_o2_tpb)
    voltage = e_n - i * asr - eta_a - eta_c - conc_a - conc_c
    f = FARADAY / rt
    slope = (
        asr
        + _bv_slope(eta_a * f, i0_a, t, an.alpha_anodic, an.alpha_cathodic)
        + _bv_slope(eta_c * f, i0_c, t, ca.alpha_anodic, ca.alpha_cathodic)
        + rt / (2 * FARADAY) * (d.b_h2o / d.p_h2o_tpb + d.b_h2 / d.p_h2_tpb)
        + rt / (4 * FARADAY) * d.c_o2 * (p - xo * p) * np.exp(d.c_o2 * i) / d.p_o2_tpb
    )
    return CellPerformance(
        current_density=i, nernst=e_n, ohmic=i * asr, activation_anode=eta_a,
        activation_cathode=eta_c, concentration_anode=conc_a, concentration_cathode=conc_c,
        voltage=voltage, resistance=slope, limiting_current=d.i_lim_pos,
        i0_anode=i0_a, i0_cathode=i0_c,
    )


_ANODE_SPECIES = ("H2", "H2O", "CO", "CO2", "CH4", "N2", "AR", "Ar", "He", "HE")
_CATHODE_SPECIES = ("O2", "N2", "H2O", "AR", "Ar", "CO2")


def parse_composition(text: str | dict[str, float], allowed: tuple[str, ...],
                      *, tol: float = 1e-3) -> dict[str, float]:
    """Parse ``"H2:0.97,H2O:0.03"`` (or a mapping) into checked mole fractions.

    Raises :class:`SofcInputError` if a species is unknown, a fraction is
    negative or not a number, or the fractions do not sum to 1 within ``tol``.
    """
    if isinstance(text, str):
        items: dict[str, float] = {}
        for part in filter(None, (s.strip() for s in text.split(","))):
            name, sep, value = part.partition(":")
            if not sep:
                raise SofcInputError(f"composition entry {part!r} is not NAME:FRACTION")
            try:
                items[name.strip()] = items.get(name.strip(), 0.0) + float(value)
            except ValueError:
                raise SofcInputError(f"mole fraction {value!r} of {name} is not a number") from None
    else:
        items = {str(k): float(v) for k, v in text.items()}
    if not items:
        raise SofcInputError("empty composition")
    unknown = [k for k in items if k not in allowed]
    if unknown:
        raise SofcInputError(f"unknown species {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    if any(not math.isfinite(v) or v < 0 for v in items.values()):
        raise SofcInputError("mole fractions must be finite and non-negative")
    total = sum(items.values())
    if abs(total - 1.0) > tol:
        raise SofcInputError(f"mole fractions sum to {total:.6g}, not 1")
    return {k: v / total for k, v in items.items()}


def cell_point(
    anode: str | dict[str, float], cathode: str | dict[str, float], temperature: float,
    current_density: float, params: CellParameters, pressure: float = P_REF,
) -> CellPerformance:
    """Checked evaluation of one cell point (the ``cnplan sofc cell`` command).

    Parameters
    ----------
    anode, cathode : str or dict
        Compositions, e.g. ``"H2:0.97,H2O:0.03"`` and ``"O2:0.21,N2:0.79"`` [-].
    temperature : float
        [K], within the parameter set's validity range.
    current_density : float
        [A/m2], >= 0 and below the limiting current.
    params : CellParameters
    pressure : float, optional
        [Pa].

    Returns
    -------
    CellPerformance
        Scalar arrays.
    """
    xa = parse_composition(anode, _ANODE_SPECIES)
    xc = parse_composition(cathode, _CATHODE_SPECIES)
    if not (math.isfinite(temperature)
            and params.min_temperature_k <= temperature <= params.max_temperature_k):
        raise SofcInputError(
            f"temperature {temperature - 273.15:.1f} degC outside the validity range of "
            f"parameter set {params.name!r} ({params.min_temperature_k - 273.15:.0f}-"
            f"{params.max_temperature_k - 273.15:.0f} degC)"
        )
    if not (math.isfinite(current_density) and current_density >= 0):
        raise SofcInputError(f"current density must be >= 0, got {current_density}")
    if not (math.isfinite(pressure) and 1e4 <= pressure <= 2e6):
        raise SofcInputError(f"pressure {pressure} Pa outside 0.1-20 bar")
    for name in ("H2", "H2O"):
        if xa.get(name, 0.0) <= 0.0:
            raise SofcInputError(f"anode gas needs some {name} for a finite Nernst potential")
    if xc.get("O2", 0.0) <= 0.0:
        raise SofcInputError("cathode gas contains no O2")
    return cell_performance(
        current_density, temperature, pressure, xa["H2"], xa["H2O"], xc["O2"], params
    )
