"""One-dimensional planar cell with an energy balance: solid, fuel-gas and air-gas temperatures.

Axes and conventions
--------------------
* One planar cell (PEN + interconnect, the repeat unit of a stack) of length
  :math:`L` along the fuel flow and width :math:`W`, split into ``N`` equal
  finite volumes (index ``k = 0`` at the fuel inlet). Fuel always flows in
  :math:`+x`; air flows in :math:`+x` (co-flow) or :math:`-x` (counter-flow).
* Each volume holds three temperatures: the solid :math:`T_s` (PEN and
  interconnect lumped), the fuel gas :math:`T_f` and the air gas :math:`T_a`.
  The gas state of a volume is its outlet state (first-order upwind finite
  volumes, "tanks in series").
* Fuel species :data:`FUEL_SPECIES` (the order of :data:`sofc.stack.ANODE_SPECIES`),
  air species :data:`AIR_SPECIES`. Flows are per cell in mol/s, current density
  in A/m2 (positive in fuel-cell mode), temperatures in K, pressure in Pa.
* Electrodes are equipotential: all volumes are at one cell voltage :math:`V`
  and :math:`\\sum_k i_k A_k = I`.
* The cell edges are adiabatic (the IEA benchmark assumption); the only heat
  leaving the cell is carried by the outlet gases.

Physics
-------
Enthalpies are the NASA-7 polynomials of :func:`sofc.thermo.nasa_table`
(Cantera's ``nasa_gas.yaml``), used both for the heat sources and for the gas
enthalpy flows so the first law closes to solver tolerance. Species exchanged
between a gas and the solid carry the molar enthalpy of the phase they leave:

* electrochemistry (solid, rate :math:`\\nu = iA/2F`): H2 leaves the fuel gas
  at :math:`T_f`, O2 leaves the air at :math:`T_a`, H2O enters the fuel gas at
  :math:`T_s`; the solid keeps the reaction enthalpy not converted into
  electricity, :math:`\\nu[h_{H_2}(T_f) + \\tfrac12 h_{O_2}(T_a) - h_{H_2O}(T_s)] - ViA`;
* steam reforming :math:`CH_4 + H_2O \\to CO + 3H_2` on the anode (solid,
  rate :math:`\\xi`): CH4 and H2O leave the fuel gas at :math:`T_f`, CO and
  H2 return at :math:`T_s`; its endotherm is taken from the solid;
* water-gas shift :math:`CO + H_2O \\rightleftharpoons CO_2 + H_2` is at
  equilibrium in the fuel gas at :math:`T_f` (benchmark assumption [1]_); its
  heat appears in the fuel-gas enthalpy balance.

Numerics
--------
An outer fixed-point iteration alternates (a) the equipotential current
distribution at frozen temperatures (Newton with the upstream coupling and a line
search, :func:`sofc.equipotential.solve_equipotential`, as in
:func:`sofc.stack.solve_stack`; the fuel composition is re-marched at every step)
and (b) the three energy balances of all volumes, linearised around the current temperatures
(:math:`h(T) \\approx h(T^*) + c_p(T^*)(T - T^*)`) and solved together as one
dense linear system of size :math:`3N`. Co- and counter-flow are treated the
same way (the linear solve is global, so the counter-flow boundary-value
problem needs no shooting). At convergence :math:`T = T^*`, so the solution
satisfies the nonlinear balances.

References
----------
.. [1] E. Achenbach, *SOFC stack modelling*, Final report of Activity A2,
   Annex II: Modelling and evaluation of advanced SOFC, IEA Programme on R, D&D
   on advanced fuel cells, Forschungszentrum Jülich, 1996 (the "IEA benchmark").
.. [2] E. Achenbach, Three-dimensional and time-dependent simulation of a
   planar solid oxide fuel cell stack, *J. Power Sources* 49 (1994) 333-348.
.. [3] E. Achenbach, E. Riensche, Methane/steam reforming kinetics for solid
   oxide fuel cells, *J. Power Sources* 52 (1994) 283-288.
.. [4] P. Aguiar, C. S. Adjiman, N. P. Brandon, *J. Power Sources* 138 (2004)
   120-136 (1-D planar cell with solid and gas energy balances).
.. [5] F. P. Incropera, D. P. DeWitt, *Fundamentals of Heat and Mass
   Transfer*, 5th ed., Wiley, 2002, Table 8.1 (laminar Nusselt numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sofc.cell import cell_performance, nernst_potential
from sofc.equipotential import solve_equipotential
from sofc.errors import SofcInputError
from sofc.params import CellParameters
from sofc.stack import ANODE_SPECIES, anode_equilibrium
from sofc.thermo import (
    FARADAY,
    GAS_CONSTANT,
    Nasa7Table,
    equilibrium_constant,
    lower_heating_value,
    nasa_table,
)

__all__ = [
    "AIR_SPECIES",
    "FUEL_SPECIES",
    "IEA_BENCHMARK",
    "IeaCell",
    "LocalPerformance",
    "ThermalCellResult",
    "benchmark_inlets",
    "cell_parameters_electrochemistry",
    "gas_heat_transfer_coefficient",
    "iea_electrochemistry",
    "reforming_rate",
    "solve_thermal_cell",
    "solve_thermal_stack",
]

Array = NDArray[np.float64]

FUEL_SPECIES: tuple[str, ...] = ANODE_SPECIES
"""Fuel-side species, in array order (H2, H2O, CO, CO2, CH4, N2)."""
AIR_SPECIES: tuple[str, ...] = ("O2", "N2")
"""Air-side species, in array order."""

_ELEMENTS = np.array(  # rows: fuel species; columns: C, H, O
    [[0, 2, 0], [0, 2, 1], [1, 0, 1], [1, 0, 2], [1, 4, 0], [0, 0, 0]], dtype=float
)
_H2, _H2O, _CO, _CO2, _CH4, _N2 = range(6)
_BAR = 1.0e5


class LocalPerformance(NamedTuple):
    """Local electrochemistry of the volumes (arrays of shape ``(N,)``).

    Attributes: ``voltage`` [V]; ``resistance`` :math:`-\\partial V/\\partial i`
    [Ohm m2]; ``nernst`` [V].
    """

    voltage: Array
    resistance: Array
    nernst: Array


Electrochemistry = Callable[[Array, Array, float, Array, Array, Array], LocalPerformance]
"""``f(i [A/m2], T [K], p [Pa], x_H2, x_H2O, x_O2) -> LocalPerformance``."""


# --------------------------------------------------------------------------- IEA benchmark
@dataclass(frozen=True)
class IeaCell:
    """Electrochemistry of the IEA SOFC benchmark cell [1]_, [2]_.

    Attributes
    ----------
    electrolyte_thickness, anode_thickness, cathode_thickness, interconnect_thickness : float
        Layer thicknesses [m]. Electrolyte 150 um, electrodes 50 um (recalled,
        unconfirmed); interconnect 0 by default (its resistivity law and
        thickness could not be confirmed, see ``docs/sofc.md``).
    k_anode, e_anode : float
        Anode pre-exponential 2.13e8 A/m2 and activation energy 110 kJ/mol.
    k_cathode, e_cathode : float
        Cathode pre-exponential 1.49e10 A/m2 and activation energy 160 kJ/mol.
    exponent : float
        Partial-pressure exponent :math:`m` = 0.25 of both electrodes.
    interconnect_rho : tuple of float
        :math:`(A, B)` of :math:`\\rho_{ic} = A\\,e^{B/T}` [Ohm m, K].
    """

    electrolyte_thickness: float = 150e-6
    anode_thickness: float = 50e-6
    cathode_thickness: float = 50e-6
    interconnect_thickness: float = 0.0
    k_anode: float = 2.13e8
    e_anode: float = 110e3
    k_cathode: float = 1.49e10
    e_cathode: float = 160e3
    exponent: float = 0.25
    interconnect_rho: tuple[float, float] = (1.256e-3, 4690.0)

    def ohmic_asr(self, temperature: ArrayLike) -> Array:
        """Ohmic area-specific resistance [Ohm m2].

        Notes
        -----
        .. math::

            ASR = \\rho_{el}\\delta_{el} + \\rho_a\\delta_a + \\rho_c\\delta_c
                + \\rho_{ic}\\delta_{ic}

        with, in Ohm m (benchmark laws in Ohm cm times 1e-2) [1]_, [2]_:
        :math:`\\rho_{el} = (0.3685 + 0.002838\\,e^{10300/T})\\times10^{-2}`,
        :math:`\\rho_a = 2.98\\times10^{-5}e^{-1392/T}`,
        :math:`\\rho_c = 8.114\\times10^{-5}e^{600/T}`.
        """
        t = np.asarray(temperature, dtype=float)
        rho_el = (0.3685 + 0.002838 * np.exp(10300.0 / t)) * 1e-2
        rho_a = 2.98e-5 * np.exp(-1392.0 / t)
        rho_c = 8.114e-5 * np.exp(600.0 / t)
        asr = (rho_el * self.electrolyte_thickness + rho_a * self.anode_thickness
               + rho_c * self.cathode_thickness)
        if self.interconnect_thickness:
            a, b = self.interconnect_rho
            asr = asr + a * np.exp(b / t) * self.interconnect_thickness
        return np.asarray(asr, dtype=float)

    def activation_resistances(self, temperature: ArrayLike, pressure: float,
                               x_h2: ArrayLike, x_o2: ArrayLike) -> tuple[Array, Array]:
        """Linear activation resistances of anode and cathode [Ohm m2].

        Notes
        -----
        Achenbach's linearised Butler-Volmer law [2]_ (used by the benchmark [1]_):

        .. math::

            \\frac{1}{R_a} = \\frac{2F}{RT} k_a \\left(\\frac{p_{H_2}}{p^\\circ}\\right)^m
                e^{-E_a/RT},\\qquad
            \\frac{1}{R_c} = \\frac{4F}{RT} k_c \\left(\\frac{p_{O_2}}{p^\\circ}\\right)^m
                e^{-E_c/RT}

        with :math:`p^\\circ` = 1 bar; :math:`\\eta = iR`.
        """
        t = np.asarray(temperature, dtype=float)
        rt = GAS_CONSTANT * t
        p_h2 = np.maximum(np.asarray(x_h2, dtype=float), 1e-12) * pressure / _BAR
        p_o2 = np.maximum(np.asarray(x_o2, dtype=float), 1e-12) * pressure / _BAR
        g_a = 2 * FARADAY / rt * self.k_anode * p_h2**self.exponent * np.exp(-self.e_anode / rt)
        g_c = 4 * FARADAY / rt * self.k_cathode * p_o2**self.exponent * np.exp(
            -self.e_cathode / rt)
        return 1.0 / g_a, 1.0 / g_c


IEA_BENCHMARK: dict[str, object] = {
    # Operating point; [C] = given in the issue and consistent with the
    # replications recalled; [U] = recalled from the literature,
    # NOT confirmed in a primary or secondary source during this work.
    "length_m": 0.1,                      # [C] 100 mm x 100 mm cell
    "width_m": 0.1,                       # [C]
    "inlet_temperature_k": 1173.0,        # [C] fuel and air
    "pressure_pa": 1.0e5,                 # [C] 1 bar
    "current_density_a_m2": 3000.0,       # [C] mean
    "fuel_utilisation": 0.85,             # [C]
    "air_ratio": 7.0,                     # [C] O2 supplied / O2 consumed
    "oxygen_fraction": 0.21,              # [U] air
    "fuel_h2": {"H2": 0.90, "H2O": 0.10},  # [C]
    "fuel_ch4": {"CH4": 0.171, "H2": 0.2626, "CO": 0.0294, "CO2": 0.0436,
                 "H2O": 0.4934},          # [C] 30 % pre-reformed methane, sums to 1.0000
    "reforming_k0": 4274.0,               # [U] mol/(s m2 bar), Achenbach & Riensche 1994
    "reforming_ea": 82.0e3,               # [U] J/mol
    # heat transfer (benchmark values not found; assumptions of this model):
    "channel_height_m": 1.0e-3,           # [U]
    "channel_width_m": 3.0e-3,            # [U]
    "rib_width_m": 2.0e-3,                # [U]
    "nusselt": 4.0,                       # assumption, laminar rectangular duct [5]
    # axial conduction: lambda*thickness of PEN (2 W/mK x 0.25 mm) + a ceramic
    # interconnect (assumed 6 W/mK x 1.5 mm effective solid); a metallic one
    # (25 W/mK) would give 0.038 W/K, see the sensitivity table in the docs
    "solid_conductance_w_k": 2.0 * 0.25e-3 + 6.0 * 1.5e-3,   # assumption [W/K]
}
"""Inputs of the IEA SOFC benchmark [1]_ as used here (see ``docs/sofc.md``)."""


def iea_electrochemistry(cell: IeaCell | None = None) -> Electrochemistry:
    """Local electrochemistry of the IEA benchmark cell.

    Parameters
    ----------
    cell : IeaCell, optional
        Benchmark cell data (default :class:`IeaCell`).

    Returns
    -------
    callable
        ``f(i, T, p, x_h2, x_h2o, x_o2) -> LocalPerformance``.

    Notes
    -----
    .. math:: V = E_N(T, x) - i\\,(ASR_{ohm} + R_a + R_c),\\qquad
        -\\partial V/\\partial i = ASR_{ohm} + R_a + R_c

    with :math:`E_N` from :func:`sofc.cell.nernst_potential` (Cantera Gibbs
    energies) and no concentration loss (none in the benchmark [1]_).
    """
    c = cell or IeaCell()

    def local(i: Array, t: Array, p: float, x_h2: Array, x_h2o: Array,
              x_o2: Array) -> LocalPerformance:
        e_n = nernst_potential(t, p, np.maximum(x_h2, 1e-12), np.maximum(x_h2o, 1e-12), x_o2)
        r_a, r_c = c.activation_resistances(t, p, x_h2, x_o2)
        r = c.ohmic_asr(t) + r_a + r_c
        return LocalPerformance(e_n - i * r, r, e_n)

    return local


def cell_parameters_electrochemistry(params: CellParameters,
                                     extra_asr: float = 0.0) -> Electrochemistry:
    """Adapter of :func:`sofc.cell.cell_performance` to the local-electrochemistry interface.

    Parameters
    ----------
    params : CellParameters
        A cell parameter set, e.g. ``read_cell_parameters("ms-sofc-it")``.
    extra_asr : float, optional
        Added ASR, e.g. degradation [Ohm m2].

    Returns
    -------
    callable
        ``f(i, T, p, x_h2, x_h2o, x_o2) -> LocalPerformance`` with Nernst, ohmic,
        Butler-Volmer and concentration losses of :mod:`sofc.cell`; currents beyond
        the limiting current are clipped (``clip=True``) as in the stack model.
    """

    def local(i: Array, t: Array, p: float, x_h2: Array, x_h2o: Array,
              x_o2: Array) -> LocalPerformance:
        perf = cell_performance(i, t, p, np.maximum(x_h2, 1e-12), np.maximum(x_h2o, 1e-12),
                                x_o2, params, extra_asr=extra_asr, clip=True)
        return LocalPerformance(perf.voltage, perf.resistance, perf.nernst)

    return local


# --------------------------------------------------------------------------- sub-models
def reforming_rate(temperature: ArrayLike, p_ch4: ArrayLike, k0: float = 4274.0,
                   ea: float = 82.0e3) -> Array:
    """Methane steam-reforming rate per unit cell area [mol/(m2 s)].

    Parameters
    ----------
    temperature : array_like
        Anode (solid) temperature [K].
    p_ch4 : array_like
        Methane partial pressure [Pa].
    k0 : float, optional
        Pre-exponential factor [mol/(s m2 bar)], 4274 [3]_.
    ea : float, optional
        Activation energy [J/mol], 82 kJ/mol [3]_.

    Notes
    -----
    .. math:: r = k_0\\, p_{CH_4}\\, e^{-E_a/RT}\\quad (p_{CH_4}\\ \\mathrm{in\\ bar})

    First order in methane, Achenbach & Riensche [3]_, as prescribed by the IEA
    benchmark [1]_. No reverse reaction (far from equilibrium at SOFC conditions).
    """
    t = np.asarray(temperature, dtype=float)
    return np.asarray(k0 * np.asarray(p_ch4, dtype=float) / _BAR
                      * np.exp(-ea / (GAS_CONSTANT * t)), dtype=float)


@lru_cache(maxsize=1)
def _transport_gas() -> object:
    import cantera as ct

    return ct.Solution("gri30.yaml", transport_model="mixture-averaged")


def gas_heat_transfer_coefficient(composition: dict[str, float], temperature: float,
                                  pressure: float, *, channel_height: float,
                                  channel_width: float, rib_width: float,
                                  nusselt: float = 4.0) -> float:
    """Gas-to-solid heat-transfer coefficient per unit cell area [W/(m2 K)].

    Parameters
    ----------
    composition : dict
        Mole fractions of the gas [-].
    temperature, pressure : float
        [K], [Pa].
    channel_height, channel_width, rib_width : float
        Rectangular channel and rib dimensions [m].
    nusselt : float, optional
        Laminar fully developed Nusselt number [-] (about 4 for aspect ratios
        2-4 [5]_).

    Notes
    -----
    .. math:: U = \\frac{Nu\\,\\lambda}{D_h}\\,\\frac{2(h+w)}{w+b},\\qquad
        D_h = \\frac{2hw}{h+w}

    All four channel walls belong to the lumped solid (PEN and interconnect),
    hence the wetted perimeter :math:`2(h+w)` per pitch :math:`w+b`. The mixture
    conductivity :math:`\\lambda` is Cantera's mixture-averaged value from
    ``gri30.yaml`` transport data.
    """
    gas = _transport_gas()
    gas.TPX = temperature, pressure, composition  # type: ignore[attr-defined]
    lam = float(gas.thermal_conductivity)  # type: ignore[attr-defined]
    h, w = channel_height, channel_width
    d_h = 2 * h * w / (h + w)
    return nusselt * lam / d_h * 2 * (h + w) / (w + rib_width)


def _wgs(n_c: Array, n_h: Array, n_o: Array, m: Array, k1: Array) -> Array:
    """Fuel flows ``(..., 6)`` at shift equilibrium for fixed methane ``m``.

    With :math:`A_0 = n_C - m`, :math:`W_0 = n_O - A_0`,
    :math:`H_0 = n_H/2 - 2m - W_0`, CO2 :math:`b` solves
    :math:`b(H_0 + b) = K_{WGS}(A_0 - b)(W_0 - b)` in :math:`[0, \\min(A_0, W_0)]`
    (negative :math:`b` allowed down to :math:`-H_0` for reverse shift).
    """
    a0 = n_c - m
    w0 = n_o - a0
    h0 = 0.5 * n_h - 2.0 * m - w0
    qa = 1.0 - k1
    qb = h0 + k1 * (a0 + w0)
    qc = -k1 * a0 * w0
    disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        b1 = np.where(qb > 0, -2.0 * qc / (qb + disc), (-qb + disc) / (2.0 * qa))
        b2 = np.where(np.abs(qa) > 1e-12, (-qb - disc) / (2.0 * qa), np.inf)
    lo = -np.maximum(h0, 0.0)
    hi = np.minimum(a0, w0)
    b = np.where((b1 >= lo - 1e-15) & (b1 <= hi + 1e-15), b1, b2)
    b = np.clip(b, lo, np.maximum(hi, lo))
    out = np.stack([h0 + b, w0 - b, a0 - b, b, m, np.zeros_like(m)], axis=-1)
    return np.maximum(out, 0.0)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ThermalCellResult:
    """Solution of the thermal 1-D cell (one operating point, ``N`` volumes).

    Attributes
    ----------
    voltage, current : float
        Cell voltage [V] and current [A].
    current_density : (N,) local current density [A/m2].
    temperature : (N,) solid (PEN + interconnect) temperature [K].
    fuel_temperature, air_temperature : (N,) gas temperatures (volume outlet) [K].
    position : (N,) volume centres from the fuel inlet [m].
    nernst : (N,) local Nernst potential [V].
    reforming_rate : (N,) methane reformed per unit area [mol/(m2 s)].
    heat_source : (N,) net heat released in the solid by electrochemistry and
        reforming [W/m2].
    fuel_flows : (N, 6) fuel flows leaving each volume [mol/s].
    air_flows : (N, 2) air flows leaving each volume (in air-flow order of k) [mol/s].
    anode_in, anode_out : (6,) fuel flows [mol/s]; air_in, air_out : (2,) O2, N2 [mol/s].
    fuel_outlet_temperature, air_outlet_temperature : float [K].
    fuel_utilisation : float, hydrogen-equivalent [-].
    energy_residual : float
        :math:`\\dot H_{in} - \\dot H_{out} - P_{el}` [W] (0 for an adiabatic cell).
    fuel_lhv_in : float, lower heating value of the fuel inflow at 298.15 K [W].
    flow : "co" or "counter"; reforming : "kinetic" or "equilibrium".
    iterations : int, outer (temperature) iterations.
    """

    voltage: float
    current: float
    current_density: Array
    temperature: Array
    fuel_temperature: Array
    air_temperature: Array
    position: Array
    nernst: Array
    reforming_rate: Array
    heat_source: Array
    fuel_flows: Array
    air_flows: Array
    anode_in: Array
    anode_out: Array
    air_in: Array
    air_out: Array
    fuel_outlet_temperature: float
    air_outlet_temperature: float
    fuel_utilisation: float
    energy_residual: float
    fuel_lhv_in: float
    flow: str
    reforming: str
    iterations: int


class _Rows:
    """A single point's local performance as ``(1, N)`` rows for the shared Newton solver."""

    def __init__(self, perf: LocalPerformance) -> None:
        self.voltage = np.asarray(perf.voltage, dtype=float)[None, :]
        self.resistance = np.asarray(perf.resistance, dtype=float)[None, :]


def _h2_equivalent(flows: Array) -> Array:
    return np.asarray(flows[..., _H2] + flows[..., _CO] + 4.0 * flows[..., _CH4])


# --------------------------------------------------------------------------- solver state
class _Blocks(NamedTuple):
    """Rows and columns of the solid, fuel-gas and air-gas temperatures in the ``3N`` system."""

    solid: NDArray[np.intp]
    fuel: NDArray[np.intp]
    air: NDArray[np.intp]


class _Temperatures(NamedTuple):
    """Solid :math:`T_s`, fuel-gas :math:`T_f` and air-gas :math:`T_a` of the volumes,
    each ``(N,)`` [K]."""

    solid: Array
    fuel: Array
    air: Array


@dataclass(frozen=True)
class _Cell:
    """What stays fixed during one solve (SI units).

    ``a_k`` = :math:`LW/N` is the volume area [m2]; ``x_pos`` the volume centres [m];
    ``current`` the imposed cell current [A] (None in voltage mode); ``uf``, ``ua`` the
    gas-solid conductances :math:`U_fA_k`, :math:`U_aA_k` [W/K]; ``g_cond`` the axial
    conductance :math:`G = \\sum\\lambda\\delta\\,W/\\Delta x` [W/K]; ``el_in`` the C, H, O
    element flows of the fuel inlet [mol/s]; ``warm`` keeps the last ``ln m`` of
    :func:`sofc.stack.anode_equilibrium` as the next guess (its only mutable part).
    """

    electrochemistry: Electrochemistry
    n: int
    area: float
    a_k: float
    x_pos: Array
    fuel_in: Array
    air_in: Array
    el_in: Array
    h2eq_in: float
    current: float | None
    counter: bool
    tf_in: float
    ta_in: float
    pressure: float
    uf: float
    ua: float
    g_cond: float
    heat_loss: float
    reforming: str
    reforming_k0: float
    reforming_ea: float
    tol_voltage: float
    ftab: Nasa7Table
    atab: Nasa7Table
    blocks: _Blocks
    warm: dict[str, Array] = field(default_factory=dict)


class _Composition(NamedTuple):
    """Volume-mean mole fractions seen by the electrochemistry (each ``(N,)`` [-]), with the
    fuel flows leaving the volumes ``(N, 6)`` and the methane reformed ``(N,)`` [mol/s]."""

    x_h2: Array
    x_h2o: Array
    x_o2: Array
    fuel_flows: Array
    reformed: Array


class _Electrical(NamedTuple):
    """Equipotential state at frozen temperatures: current densities :math:`i_k` ``(N,)``
    [A/m2], cell voltage :math:`V` [V], local performance, fuel flows leaving the volumes
    ``(N, 6)`` [mol/s] and methane reformed :math:`\\xi_k` ``(N,)`` [mol/s]."""

    current_density: Array
    voltage: float
    performance: LocalPerformance
    fuel_flows: Array
    reformed: Array


class _Properties(NamedTuple):
    """Molar enthalpies [J/mol] and heat capacities [J/(mol K)] at the current iterate,
    ``(N, species)``: fuel species at :math:`T_f` and :math:`T_s`, air species at
    :math:`T_a`."""

    h_fuel: Array
    cp_fuel: Array
    h_fuel_solid: Array
    cp_fuel_solid: Array
    h_air: Array
    cp_air: Array


class _Transfers(NamedTuple):
    """Species exchanged between the gases and the solid [mol/s].

    ``gas_to_solid`` ``(N, 6)`` leaves the fuel gas at :math:`T_f`
    (:math:`\\nu` H2, :math:`\\xi` CH4, :math:`\\xi` H2O); ``solid_to_gas`` ``(N, 6)`` enters
    it at :math:`T_s` (:math:`\\nu` H2O, :math:`\\xi` CO, :math:`3\\xi` H2); ``o2``
    :math:`\\tfrac12\\nu` ``(N,)`` leaves the air at :math:`T_a`.
    """

    gas_to_solid: Array
    solid_to_gas: Array
    o2: Array


# --------------------------------------------------------------------------- set-up
def _check_modes(current: float | None, voltage: float | None, flow: str,
                 reforming: str) -> None:
    """Reject an ill-posed call: exactly one of current and voltage, known flow and reforming."""
    if (current is None) == (voltage is None):
        raise ValueError("give exactly one of current and voltage")
    if flow not in ("co", "counter"):
        raise ValueError("flow must be 'co' or 'counter'")
    if reforming not in ("kinetic", "equilibrium"):
        raise ValueError("reforming must be 'kinetic' or 'equilibrium'")


def _inlets(fuel_inlet: ArrayLike, air_inlet: ArrayLike, length: float, width: float,
            n_segments: int, current: float | None) -> tuple[Array, Array, int, float | None]:
    """Fuel ``(6,)`` and air ``(2,)`` inflows [mol/s], volume count and cell current [A],
    checked: non-negative flows, positive geometry, :math:`I \\le 2F\\dot n_{H_2,eq}` and
    :math:`I \\le 4F\\dot n_{O_2}`."""
    fuel_in = np.asarray(fuel_inlet, dtype=float).reshape(6)
    air_in = np.asarray(air_inlet, dtype=float).reshape(2)
    n = int(n_segments)
    if np.any(fuel_in < 0) or np.any(air_in < 0) or length <= 0 or width <= 0 or n < 1:
        raise SofcInputError("thermal cell: flows, length, width and segments must be positive")
    if current is None:
        return fuel_in, air_in, n, None
    i_total = float(current)
    if i_total > 2.0 * FARADAY * float(_h2_equivalent(fuel_in)):
        raise SofcInputError("current exceeds the fuel supplied (fuel utilisation > 1)")
    if i_total > 4.0 * FARADAY * air_in[0]:
        raise SofcInputError("current exceeds the oxygen supplied (air ratio < 1)")
    return fuel_in, air_in, n, i_total


def _heat_transfer_coefficients(fuel_in: Array, air_in: Array, tf_in: float, ta_in: float,
                                pressure: float, heat_transfer_fuel: float | None,
                                heat_transfer_air: float | None) -> tuple[float, float]:
    """Gas-solid heat-transfer coefficients :math:`U_f, U_a` [W/(m2 K)]; those not given
    from :func:`gas_heat_transfer_coefficient` with the benchmark channels at the inlet
    composition and temperature."""
    geo = {k: float(IEA_BENCHMARK[k]) for k in  # type: ignore[arg-type]
           ("channel_height_m", "channel_width_m", "rib_width_m", "nusselt")}
    geo_kw = {"channel_height": geo["channel_height_m"], "channel_width": geo["channel_width_m"],
              "rib_width": geo["rib_width_m"], "nusselt": geo["nusselt"]}
    if heat_transfer_fuel is None:
        comp = {s: float(v) for s, v in zip(FUEL_SPECIES, fuel_in / fuel_in.sum(), strict=True)
                if v > 0}
        heat_transfer_fuel = gas_heat_transfer_coefficient(comp, tf_in, pressure, **geo_kw)
    if heat_transfer_air is None:
        comp = {s: float(v) for s, v in zip(AIR_SPECIES, air_in / air_in.sum(), strict=True)
                if v > 0}
        heat_transfer_air = gas_heat_transfer_coefficient(comp, ta_in, pressure, **geo_kw)
    return float(heat_transfer_fuel), float(heat_transfer_air)


def _make_cell(electrochemistry: Electrochemistry, *, length: float, width: float,
               n_segments: int, fuel_inlet: ArrayLike, air_inlet: ArrayLike,
               fuel_inlet_temperature: float, air_inlet_temperature: float, pressure: float,
               current: float | None, flow: str, reforming: str, reforming_k0: float,
               reforming_ea: float, heat_transfer_fuel: float | None,
               heat_transfer_air: float | None, solid_conductance: float, heat_loss: float,
               tol_voltage: float) -> _Cell:
    """Checked inputs and the fixed data of the solve: :math:`A_k = LW/N`,
    :math:`\\Delta x = L/N`, :math:`U A_k` [W/K] and :math:`G = \\sum\\lambda\\delta\\,W/\\Delta x`
    [W/K]."""
    fuel_in, air_in, n, i_total = _inlets(fuel_inlet, air_inlet, length, width, n_segments,
                                          current)
    area = length * width
    a_k = area / n
    dx = length / n
    tf_in, ta_in = float(fuel_inlet_temperature), float(air_inlet_temperature)
    h_f, h_a = _heat_transfer_coefficients(fuel_in, air_in, tf_in, ta_in, pressure,
                                           heat_transfer_fuel, heat_transfer_air)
    return _Cell(
        electrochemistry=electrochemistry, n=n, area=area, a_k=a_k,
        x_pos=np.asarray((np.arange(n) + 0.5) * dx, dtype=float),
        fuel_in=fuel_in, air_in=air_in, el_in=fuel_in @ _ELEMENTS,
        h2eq_in=float(_h2_equivalent(fuel_in)), current=i_total, counter=flow == "counter",
        tf_in=tf_in, ta_in=ta_in, pressure=pressure, uf=h_f * a_k, ua=h_a * a_k,
        g_cond=float(solid_conductance) * width / dx, heat_loss=heat_loss,
        reforming=reforming, reforming_k0=reforming_k0, reforming_ea=reforming_ea,
        tol_voltage=tol_voltage, ftab=nasa_table(FUEL_SPECIES), atab=nasa_table(AIR_SPECIES),
        blocks=_Blocks(np.arange(n), n + np.arange(n), 2 * n + np.arange(n)),
    )


def _initial_state(cell: _Cell, initial_temperature: ArrayLike | None,
                   voltage: float | None) -> tuple[_Temperatures, Array, float]:
    """Starting temperatures [K], current densities [A/m2] and voltage [V].

    Temperatures: the warm start if given, else the mean inlet temperature everywhere.
    Current mode: uniform :math:`i = I/LW` (the voltage is solved for, 0 to start);
    voltage mode: the given :math:`V` and zero current.
    """
    n = cell.n
    if initial_temperature is not None:
        t0 = np.asarray(initial_temperature, dtype=float).reshape(3, n)
        temps = _Temperatures(t0[0].copy(), t0[1].copy(), t0[2].copy())
    else:
        ts = np.full(n, 0.5 * (cell.tf_in + cell.ta_in))
        temps = _Temperatures(ts, ts.copy(), ts.copy())
    if cell.current is not None:
        return temps, np.full(n, cell.current / cell.area), 0.0
    return temps, np.zeros(n), float(voltage)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- species
def _kinetic_reforming(cell: _Cell, ts: Array) -> tuple[Array, Array]:
    """Methane reformed :math:`\\xi_k` and methane leaving each volume, ``(N,)`` [mol/s].

    :func:`reforming_rate` [3]_ evaluated implicitly at the volume outlet,
    :math:`\\xi = \\kappa\\,(c - \\xi)/(\\dot n + 2\\xi)` with
    :math:`\\kappa = k_0 (p/p^\\circ) e^{-E_a/RT_s} A_k` [mol/s], :math:`c` and
    :math:`\\dot n` the methane and total flow entering the volume (reforming adds 2 mol per
    mol CH4); the root of the quadratic in closed form,
    :math:`\\xi = 2\\kappa c/(b + \\sqrt{b^2 + 8\\kappa c})`, :math:`b = \\dot n + \\kappa`.
    """
    kap = cell.reforming_k0 * cell.pressure / _BAR * np.exp(
        -cell.reforming_ea / (GAS_CONSTANT * ts)) * cell.a_k
    xi = np.zeros(cell.n)
    ch4 = np.zeros(cell.n)
    c_in = float(cell.fuel_in[_CH4])
    n_tot = float(cell.fuel_in.sum())
    for k in range(cell.n):
        if c_in > 0.0:
            b = n_tot + kap[k]
            x = 2.0 * kap[k] * c_in / (b + math.sqrt(b * b + 8.0 * kap[k] * c_in))
        else:
            x = 0.0
        xi[k] = x
        c_in -= x
        ch4[k] = c_in
        n_tot += 2.0 * x
    return xi, ch4


def _fuel_march(cell: _Cell, temps: _Temperatures, i_seg: Array) -> tuple[Array, Array]:
    """Fuel flows leaving each volume ``(N, 6)`` and methane reformed :math:`\\xi` ``(N,)``
    [mol/s].

    Volume :math:`k` has received :math:`\\sum_{j\\le k}\\nu_j` mol/s of O,
    :math:`\\nu_j = i_jA_k/2F`. Kinetic reforming: methane from :func:`_kinetic_reforming`
    at :math:`T_s`, CO/CO2/H2/H2O at shift equilibrium at :math:`T_f` (:func:`_wgs`).
    Equilibrium reforming: :func:`sofc.stack.anode_equilibrium` at :math:`T_f`.
    """
    nu_cum = np.cumsum(i_seg * cell.a_k) / (2.0 * FARADAY)
    el = np.repeat(cell.el_in[None, :], cell.n, axis=0)
    el[:, 2] += nu_cum
    if cell.reforming == "equilibrium":
        flows, cell.warm["ln_m"] = anode_equilibrium(
            el, cell.fuel_in[_N2], temps.fuel, cell.pressure, guess=cell.warm.get("ln_m"),
            return_ln_m=True)
        ch4 = flows[:, _CH4]
        xi = np.concatenate([[cell.fuel_in[_CH4]], ch4[:-1]]) - ch4
        return flows, xi
    xi, ch4 = _kinetic_reforming(cell, temps.solid)
    k1 = equilibrium_constant(temps.fuel, {"CO": -1, "H2O": -1, "CO2": 1, "H2": 1})
    flows = _wgs(el[:, 0], el[:, 1], el[:, 2], ch4, k1)
    flows[:, _N2] = cell.fuel_in[_N2]
    return flows, xi


def _air_march(cell: _Cell, i_seg: Array) -> Array:
    """O2/N2 flows leaving each volume ``(N, 2)`` [mol/s], indexed by position :math:`k`:
    the inlet O2 less :math:`\\sum i A_k/4F` of the volumes upstream in the air flow."""
    o2_used = i_seg * cell.a_k / (4.0 * FARADAY)
    cum = np.cumsum(o2_used[::-1])[::-1] if cell.counter else np.cumsum(o2_used)
    return np.stack([cell.air_in[0] - cum, np.full(cell.n, cell.air_in[1])], axis=1)


def _fuel_upstream(cell: _Cell, flows: Array) -> Array:
    """Fuel flows entering each volume ``(N, 6)`` [mol/s] (the inlet, then volume k-1)."""
    return np.vstack([cell.fuel_in[None, :], flows[:-1]])


def _air_upstream(cell: _Cell, air: Array) -> Array:
    """Air flows entering each volume ``(N, 2)`` [mol/s], from its upstream neighbour."""
    if cell.counter:
        return np.vstack([air[1:], cell.air_in[None, :]])
    return np.vstack([cell.air_in[None, :], air[:-1]])


def _mole_fractions(cell: _Cell, temps: _Temperatures, i_seg: Array) -> _Composition:
    """Mean of each volume's inlet and outlet mole fractions of H2, H2O and O2 [-]."""
    flows, xi = _fuel_march(cell, temps, i_seg)
    f_prev = _fuel_upstream(cell, flows)
    xf = 0.5 * (flows / flows.sum(axis=1, keepdims=True)
                + f_prev / f_prev.sum(axis=1, keepdims=True))
    air = _air_march(cell, i_seg)
    a_prev = _air_upstream(cell, air)
    xo2 = 0.5 * (air[:, 0] / air.sum(axis=1) + a_prev[:, 0] / a_prev.sum(axis=1))
    return _Composition(xf[:, _H2], xf[:, _H2O], np.maximum(xo2, 1e-12), flows, xi)


# --------------------------------------------------------------------------- electrical
def _equipotential(cell: _Cell, temps: _Temperatures, i_seg: Array,
                   v_cell: float) -> _Electrical:
    """Currents at one cell voltage for the current temperatures.

    :func:`sofc.equipotential.solve_equipotential`: :math:`V_k(i_k) = V` in every volume and
    :math:`\\sum_k i_kA_k = I` in current mode; the fuel composition is re-marched at every
    step. :math:`\\partial V_k/\\partial Q_k` [V/A] comes from a small extra current in the
    first volume, which adds charge upstream of every other one.
    """
    ts = temps.solid

    def performance(i: Array) -> _Rows:
        c = _mole_fractions(cell, temps, i[0])
        return _Rows(cell.electrochemistry(i[0], ts, cell.pressure, c.x_h2, c.x_h2o, c.x_o2))

    def sensitivity(i: Array, perf: _Rows) -> Array:
        bump = 1e-6 * max(float(np.max(np.abs(i))), 1.0)
        shifted = i[0].copy()
        shifted[0] += bump
        c = _mole_fractions(cell, temps, shifted)
        moved = cell.electrochemistry(i[0], ts, cell.pressure, c.x_h2, c.x_h2o, c.x_o2).voltage
        dq = bump * cell.a_k * np.where(np.arange(cell.n) == 0, 0.5, 1.0)
        return np.asarray(((moved - perf.voltage[0]) / dq)[None, :], dtype=float)

    i_new, v_new, _it, err = solve_equipotential(
        performance, sensitivity, i_seg[None, :], np.array([v_cell]),
        None if cell.current is None else np.array([cell.current]),
        None if cell.current is not None else np.array([v_cell]), cell.a_k,
        tol=cell.tol_voltage, max_iter=200)
    if err >= cell.tol_voltage:
        raise SofcInputError(f"thermal cell: equipotential iteration did not converge "
                             f"(residual {err:.2e} V)")
    i_seg = i_new[0]
    c = _mole_fractions(cell, temps, i_seg)
    perf = cell.electrochemistry(i_seg, ts, cell.pressure, c.x_h2, c.x_h2o, c.x_o2)
    return _Electrical(i_seg, float(v_new[0]), perf, c.fuel_flows, c.reformed)


# --------------------------------------------------------------------------- energy balance
def _properties(cell: _Cell, temps: _Temperatures) -> _Properties:
    """NASA-7 :math:`h` [J/mol] and :math:`c_p = R\\,(c_p/R)` [J/(mol K)] at the iterate
    :math:`T^*`, the linearisation points of :math:`h(T) \\approx h(T^*) + c_p(T^*)(T - T^*)`."""
    ftab, atab = cell.ftab, cell.atab
    return _Properties(
        ftab.enthalpy(temps.fuel), ftab.cp_r(temps.fuel) * GAS_CONSTANT,
        ftab.enthalpy(temps.solid), ftab.cp_r(temps.solid) * GAS_CONSTANT,
        atab.enthalpy(temps.air), atab.cp_r(temps.air) * GAS_CONSTANT,
    )


def _transfers(nu: Array, xi: Array) -> _Transfers:
    """Species exchanged with the solid [mol/s] for electrochemistry :math:`\\nu = iA_k/2F`
    and reforming :math:`\\xi` (see :class:`_Transfers`)."""
    n = nu.size
    out_f = np.zeros((n, 6))
    out_f[:, _H2] += nu
    out_f[:, _CH4] += xi
    out_f[:, _H2O] += xi
    in_f = np.zeros((n, 6))
    in_f[:, _H2O] += nu
    in_f[:, _CO] += xi
    in_f[:, _H2] += 3.0 * xi
    return _Transfers(out_f, in_f, 0.5 * nu)


def _fuel_gas_rows(cell: _Cell, mat: Array, rhs: Array, temps: _Temperatures,
                   props: _Properties, tr: _Transfers, flows: Array) -> None:
    """Linearised fuel-gas balances [W] into rows ``blocks.fuel`` of ``mat @ dT = rhs``.

    .. math::

        F_k = \\dot H_{f,k}(T_{f,k}) - \\dot H_{f,k-1}(T_{f,k-1}) - U_fA_k(T_{s,k} - T_{f,k})
        + [\\nu h_{H_2} + \\xi(h_{CH_4} + h_{H_2O})]_{T_{f,k}}
        - [\\nu h_{H_2O} + \\xi(h_{CO} + 3h_{H_2})]_{T_{s,k}} = 0
    """
    ts, tf = temps.solid, temps.fuel
    uf, b = cell.uf, cell.blocks
    out_f, in_f = tr.gas_to_solid, tr.solid_to_gas
    res_f = ((flows + out_f) * props.h_fuel).sum(axis=1) \
        - (in_f * props.h_fuel_solid).sum(axis=1) - uf * (ts - tf)
    d_tf = ((flows + out_f) * props.cp_fuel).sum(axis=1) + uf
    d_ts = -(in_f * props.cp_fuel_solid).sum(axis=1) - uf
    f_prev = _fuel_upstream(cell, flows)
    h_prev = (f_prev * np.vstack([cell.ftab.enthalpy(cell.tf_in)[None, :],
                                  props.h_fuel[:-1]])).sum(axis=1)
    c_prev = (f_prev[1:] * props.cp_fuel[:-1]).sum(axis=1)
    res_f = res_f - h_prev
    mat[b.fuel, b.fuel] = d_tf
    mat[b.fuel, b.solid] = d_ts
    mat[b.fuel[1:], b.fuel[:-1]] = -c_prev
    rhs[b.fuel] = -res_f


def _air_gas_rows(cell: _Cell, mat: Array, rhs: Array, temps: _Temperatures,
                  props: _Properties, tr: _Transfers, air: Array) -> None:
    """Linearised air-gas balances [W] into rows ``blocks.air`` of ``mat @ dT = rhs``; the
    upstream neighbour :math:`u` is :math:`k-1` (co-flow) or :math:`k+1` (counter-flow).

    .. math::

        A_k = \\dot H_{a,k}(T_{a,k}) - \\dot H_{a,u}(T_{a,u}) - U_aA_k(T_{s,k} - T_{a,k})
        + \\tfrac12\\nu\\,h_{O_2}(T_{a,k}) = 0
    """
    n, ua, b = cell.n, cell.ua, cell.blocks
    ha_a, ca_a, o2_out = props.h_air, props.cp_air, tr.o2
    up = np.arange(1, n + 1) if cell.counter else np.arange(-1, n - 1)  # upstream index
    a_prev = _air_upstream(cell, air)
    h_in_air = cell.atab.enthalpy(cell.ta_in)
    ha_up = np.where(((up < 0) | (up >= n))[:, None], h_in_air[None, :],
                     ha_a[np.clip(up, 0, n - 1)])
    res_a = (air * ha_a).sum(axis=1) - (a_prev * ha_up).sum(axis=1) \
        - ua * (temps.solid - temps.air) + o2_out * ha_a[:, 0]
    mat[b.air, b.air] = (air * ca_a).sum(axis=1) + ua + o2_out * ca_a[:, 0]
    mat[b.air, b.solid] = -ua
    inner = (up >= 0) & (up < n)
    mat[b.air[inner], b.air[up[inner]]] = -(a_prev[inner] * ca_a[up[inner]]).sum(axis=1)
    rhs[b.air] = -res_a


def _axial_conduction(cell: _Cell, ts: Array) -> tuple[Array, Array]:
    """Axial conduction into each volume :math:`G(T_{s,k+1} - 2T_{s,k} + T_{s,k-1})` [W]
    (adiabatic ends: :math:`G = 0` beyond the edges) and its diagonal derivative
    :math:`-\\partial/\\partial T_{s,k}` [W/K]."""
    n, g_cond = cell.n, cell.g_cond
    cond = np.zeros(n)
    cond[:-1] += g_cond * (ts[1:] - ts[:-1])
    cond[1:] += g_cond * (ts[:-1] - ts[1:])
    deg = np.full(n, 2.0 * g_cond)
    deg[0] = deg[-1] = g_cond
    if n == 1:
        deg[:] = 0.0
    return cond, deg


def _solid_rows(cell: _Cell, mat: Array, rhs: Array, temps: _Temperatures,
                props: _Properties, tr: _Transfers, elec: _Electrical) -> None:
    """Linearised solid balances [W] into rows ``blocks.solid`` of ``mat @ dT = rhs``.

    .. math::

        S_k = U_fA_k(T_{f,k} - T_{s,k}) + U_aA_k(T_{a,k} - T_{s,k})
        + G(T_{s,k+1} - 2T_{s,k} + T_{s,k-1})
        + [\\nu h_{H_2} + \\xi(h_{CH_4} + h_{H_2O})]_{T_f} + \\tfrac12\\nu h_{O_2}(T_a)
        - [\\nu h_{H_2O} + \\xi(h_{CO} + 3h_{H_2})]_{T_s} - V i_k A_k - Q_{loss}/N = 0
    """
    ts, tf, ta = temps
    n, uf, ua, g_cond, b = cell.n, cell.uf, cell.ua, cell.g_cond, cell.blocks
    out_f, in_f, o2_out = tr
    q_chem = (out_f * props.h_fuel).sum(axis=1) + o2_out * props.h_air[:, 0] \
        - (in_f * props.h_fuel_solid).sum(axis=1) \
        - elec.voltage * elec.current_density * cell.a_k
    cond, deg = _axial_conduction(cell, ts)
    res_s = uf * (tf - ts) + ua * (ta - ts) + cond + q_chem - cell.heat_loss / n
    mat[b.solid, b.solid] = -uf - ua - deg - (in_f * props.cp_fuel_solid).sum(axis=1)
    mat[b.solid, b.fuel] = uf + (out_f * props.cp_fuel).sum(axis=1)
    mat[b.solid, b.air] = ua + o2_out * props.cp_air[:, 0]
    if n > 1:
        mat[b.solid[:-1], b.solid[1:]] = g_cond
        mat[b.solid[1:], b.solid[:-1]] = g_cond
    rhs[b.solid] = -res_s


def _temperature_step(cell: _Cell, temps: _Temperatures, elec: _Electrical) -> Array:
    """Newton step :math:`\\Delta T` ``(3N,)`` [K] of the three energy balances of all volumes
    at frozen currents and reforming, linearised around the current temperatures and solved
    together as one dense system of size :math:`3N` (co- and counter-flow alike; the global
    solve needs no shooting for the counter-flow boundary-value problem)."""
    i_seg = elec.current_density
    air = _air_march(cell, i_seg)
    nu = i_seg * cell.a_k / (2.0 * FARADAY)
    props = _properties(cell, temps)
    tr = _transfers(nu, elec.reformed)
    mat = np.zeros((3 * cell.n, 3 * cell.n))
    rhs = np.zeros(3 * cell.n)
    _fuel_gas_rows(cell, mat, rhs, temps, props, tr, elec.fuel_flows)
    _air_gas_rows(cell, mat, rhs, temps, props, tr, air)
    _solid_rows(cell, mat, rhs, temps, props, tr, elec)
    return np.asarray(np.linalg.solve(mat, rhs), dtype=float)


# --------------------------------------------------------------------------- outer iteration
def _relaxation(step: Array, step_last: Array | None, relax: float) -> float:
    """Under-relaxation factor [-]: halved (down to 0.02) when the step turns back on the
    previous one (the currents and the reforming follow the temperatures, which can make the
    alternation oscillate at low load), regained by 1.25 per step (up to 1) while the steps
    keep their direction."""
    turned = step_last is not None and float(step @ step_last) < 0.0
    return max(0.5 * relax, 0.02) if turned else min(1.0, 1.25 * relax)


def _apply_step(cell: _Cell, temps: _Temperatures, step: Array, relax: float,
                dt: float) -> _Temperatures:
    """:math:`T \\leftarrow T + s\\,\\Delta T` with :math:`s` = ``relax`` and no temperature
    moving more than 100 K per step (``dt`` = :math:`\\max|\\Delta T|` [K])."""
    b = cell.blocks
    scale = relax * (min(1.0, 100.0 / dt) if dt > 0 else 1.0)  # limit steps to 100 K
    return _Temperatures(temps.solid + scale * step[b.solid],
                         temps.fuel + scale * step[b.fuel],
                         temps.air + scale * step[b.air])


def _iterate_temperatures(cell: _Cell, temps: _Temperatures, i_seg: Array, v_cell: float,
                          tol_temperature: float,
                          max_iter: int) -> tuple[_Temperatures, Array, float, int]:
    """Outer fixed point: equipotential currents at frozen temperatures, then the linearised
    energy balances at frozen currents, until :math:`\\max|\\Delta T|` < ``tol_temperature``
    [K]. Returns the temperatures, current densities [A/m2], voltage [V] and iterations."""
    dt = np.inf
    step_last: Array | None = None
    relax = 1.0
    for it_outer in range(1, max_iter + 1):
        elec = _equipotential(cell, temps, i_seg, v_cell)
        i_seg, v_cell = elec.current_density, elec.voltage
        step = _temperature_step(cell, temps, elec)
        dt = float(np.max(np.abs(step)))
        relax = _relaxation(step, step_last, relax)
        step_last = np.asarray(step, dtype=float)
        temps = _apply_step(cell, temps, step, relax, dt)
        if dt < tol_temperature:
            return temps, i_seg, v_cell, it_outer
    raise SofcInputError(f"thermal cell: temperature iteration did not converge "
                         f"(last change {dt:.2e} K)")


# --------------------------------------------------------------------------- result
def _heat_source(cell: _Cell, temps: _Temperatures, elec: _Electrical) -> Array:
    """Net heat released in the solid per unit area ``(N,)`` [W/m2]:

    .. math:: q_k = \\{\\nu[h_{H_2}(T_f) + \\tfrac12 h_{O_2}(T_a) - h_{H_2O}(T_s)]
        + \\xi[h_{CH_4}(T_f) + h_{H_2O}(T_f) - h_{CO}(T_s) - 3h_{H_2}(T_s)]
        - V i_k A_k\\}/A_k
    """
    ftab, atab, a_k = cell.ftab, cell.atab, cell.a_k
    ts, tf, ta = temps
    i_seg, v_cell, xi = elec.current_density, elec.voltage, elec.reformed
    nu = i_seg * a_k / (2.0 * FARADAY)
    return np.asarray(
        (nu * (ftab.enthalpy(tf)[:, _H2] + 0.5 * atab.enthalpy(ta)[:, 0]
               - ftab.enthalpy(ts)[:, _H2O])
         + xi * (ftab.enthalpy(tf)[:, _CH4] + ftab.enthalpy(tf)[:, _H2O]
                 - ftab.enthalpy(ts)[:, _CO] - 3.0 * ftab.enthalpy(ts)[:, _H2])
         - v_cell * i_seg * a_k) / a_k, dtype=float)


def _assemble_result(cell: _Cell, temps: _Temperatures, elec: _Electrical, flow: str,
                     reforming: str, iterations: int) -> ThermalCellResult:
    """The result at the final consistent state: outlets, the first law
    :math:`\\dot H_{in} - \\dot H_{out} - VI - Q_{loss}` [W], the hydrogen-equivalent fuel
    utilisation :math:`I/(2F\\dot n_{H_2,eq})` [-] and the LHV inflow at 298.15 K [W]."""
    ts, tf, ta = temps
    i_seg, v_cell, flows = elec.current_density, elec.voltage, elec.fuel_flows
    ftab, atab, fuel_in, air_in = cell.ftab, cell.atab, cell.fuel_in, cell.air_in
    air = _air_march(cell, i_seg)
    i_cell = float((i_seg * cell.a_k).sum())
    anode_out = flows[-1].copy()
    air_out = air[0].copy() if cell.counter else air[-1].copy()
    ta_out = float(ta[0] if cell.counter else ta[-1])
    tf_out = float(tf[-1])
    h_in = float(fuel_in @ ftab.enthalpy(cell.tf_in) + air_in @ atab.enthalpy(cell.ta_in))
    h_out = float(anode_out @ ftab.enthalpy(tf_out) + air_out @ atab.enthalpy(ta_out))
    lhv = np.array([lower_heating_value("H2"), 0.0, lower_heating_value("CO"), 0.0,
                    lower_heating_value("CH4"), 0.0])
    return ThermalCellResult(
        voltage=float(v_cell),
        current=i_cell,
        current_density=i_seg,
        temperature=ts,
        fuel_temperature=tf,
        air_temperature=ta,
        position=cell.x_pos,
        nernst=np.asarray(elec.performance.nernst, dtype=float),
        reforming_rate=elec.reformed / cell.a_k,
        heat_source=_heat_source(cell, temps, elec),
        fuel_flows=flows,
        air_flows=air,
        anode_in=fuel_in,
        anode_out=anode_out,
        air_in=air_in,
        air_out=air_out,
        fuel_outlet_temperature=tf_out,
        air_outlet_temperature=ta_out,
        fuel_utilisation=i_cell / (2.0 * FARADAY * cell.h2eq_in),
        energy_residual=h_in - h_out - v_cell * i_cell - cell.heat_loss,
        fuel_lhv_in=float(fuel_in @ lhv),
        flow=flow,
        reforming=reforming,
        iterations=iterations,
    )


# --------------------------------------------------------------------------- solver
def solve_thermal_cell(
    electrochemistry: Electrochemistry,
    *,
    length: float,
    width: float,
    n_segments: int,
    fuel_inlet: ArrayLike,
    air_inlet: ArrayLike,
    fuel_inlet_temperature: float,
    air_inlet_temperature: float,
    pressure: float,
    current: float | None = None,
    voltage: float | None = None,
    flow: Literal["co", "counter"] = "co",
    reforming: Literal["kinetic", "equilibrium"] = "kinetic",
    reforming_k0: float = 4274.0,
    reforming_ea: float = 82.0e3,
    heat_transfer_fuel: float | None = None,
    heat_transfer_air: float | None = None,
    solid_conductance: float = float(IEA_BENCHMARK["solid_conductance_w_k"]),  # type: ignore[arg-type]
    initial_temperature: ArrayLike | None = None,
    heat_loss: float = 0.0,
    tol_temperature: float = 1e-4,
    tol_voltage: float = 1e-8,
    max_iter: int = 300,
) -> ThermalCellResult:
    """Solve the non-isothermal 1-D planar cell at one operating point.

    Parameters
    ----------
    electrochemistry : callable
        Local electrochemistry, ``f(i, T, p, x_h2, x_h2o, x_o2) -> LocalPerformance``
        (:func:`iea_electrochemistry` or :func:`cell_parameters_electrochemistry`).
    length, width : float
        Cell length along the fuel flow and width [m]; active area :math:`LW`.
    n_segments : int
        Finite volumes along the channel [-] (20-50 recommended).
    fuel_inlet : array_like
        ``(6,)`` fuel flows per cell in :data:`FUEL_SPECIES` order [mol/s].
    air_inlet : array_like
        ``(2,)`` O2 and N2 flows per cell [mol/s].
    fuel_inlet_temperature, air_inlet_temperature : float
        Inlet gas temperatures [K].
    pressure : float
        Pressure of both channels [Pa] (no pressure drop).
    current, voltage : float, optional
        Cell current [A] (current mode) or cell voltage [V]; give exactly one.
    flow : {"co", "counter"}
        Air flow direction relative to the fuel.
    reforming : {"kinetic", "equilibrium"}
        Methane reforming by :func:`reforming_rate`, or at local equilibrium
        (:func:`sofc.stack.anode_equilibrium` at the fuel-gas temperature).
    reforming_k0, reforming_ea : float
        Kinetic constants [mol/(s m2 bar)], [J/mol].
    heat_transfer_fuel, heat_transfer_air : float, optional
        Gas-solid heat-transfer coefficients per unit cell area [W/(m2 K)];
        default from :func:`gas_heat_transfer_coefficient` with the benchmark
        channel geometry at the inlet composition and temperature.
    solid_conductance : float, optional
        :math:`\\sum \\lambda\\delta` of the solid layers for axial conduction [W/K]
        (0 switches conduction off).
    initial_temperature : array_like, optional
        ``(3, N)`` starting :math:`T_s, T_f, T_a` (warm start) [K].
    heat_loss : float, optional
        Heat the solid loses to the hot box, spread evenly over the volumes,
        :math:`Q_{loss}/N` each [W] (0: the adiabatic benchmark cell).
    tol_temperature, tol_voltage : float, optional
        Convergence tolerances [K], [V].
    max_iter : int, optional
        Outer iteration limit.

    Returns
    -------
    ThermalCellResult

    Notes
    -----
    Volume :math:`k` has area :math:`A_k = LW/N`; :math:`\\nu_k = i_kA_k/2F`;
    :math:`\\xi_k` methane reformed [mol/s]; :math:`U_f, U_a` heat-transfer
    coefficients; :math:`G = \\sum\\lambda\\delta\\,W/\\Delta x` the axial
    conductance; :math:`\\dot H(T) = \\sum_j \\dot n_j h_j(T)`; :math:`u` is the
    upstream neighbour of the air (:math:`k-1` co-flow, :math:`k+1` counter-flow).

    Fuel gas:

    .. math::

        \\dot H_{f,k}(T_{f,k}) - \\dot H_{f,k-1}(T_{f,k-1}) = U_fA_k(T_{s,k} - T_{f,k})
        - [\\nu h_{H_2} + \\xi(h_{CH_4} + h_{H_2O})]_{T_{f,k}}
        + [\\nu h_{H_2O} + \\xi(h_{CO} + 3h_{H_2})]_{T_{s,k}}

    Air gas:

    .. math::

        \\dot H_{a,k}(T_{a,k}) - \\dot H_{a,u}(T_{a,u}) = U_aA_k(T_{s,k} - T_{a,k})
        - \\tfrac12\\nu\\,h_{O_2}(T_{a,k})

    Solid (adiabatic ends, :math:`G = 0` beyond the edges):

    .. math::

        0 = U_fA_k(T_{f,k} - T_{s,k}) + U_aA_k(T_{a,k} - T_{s,k})
        + G(T_{s,k+1} - 2T_{s,k} + T_{s,k-1})
        + [\\nu h_{H_2} + \\xi(h_{CH_4} + h_{H_2O})]_{T_f} + \\tfrac12\\nu h_{O_2}(T_a)
        - [\\nu h_{H_2O} + \\xi(h_{CO} + 3h_{H_2})]_{T_s} - V i_k A_k - Q_{loss}/N

    Species: fuel volume :math:`k` receives :math:`\\nu_k` mol/s of O; CH4
    leaves by :math:`\\xi_k = r(T_{s,k}, p_{CH_4,k})A_k` evaluated implicitly at the
    volume outlet (closed-form root of a quadratic, since reforming adds 2 mol
    per mol CH4); CO/CO2/H2/H2O follow from shift equilibrium at :math:`T_{f,k}`.
    Local electrochemistry uses the mean of the volume's inlet and outlet mole
    fractions and the solid temperature. Summing all balances gives the first law
    :math:`\\dot H_{in} - \\dot H_{out} - VI - Q_{loss} = 0`, reported as
    ``energy_residual``.
    """
    _check_modes(current, voltage, flow, reforming)
    cell = _make_cell(
        electrochemistry, length=length, width=width, n_segments=n_segments,
        fuel_inlet=fuel_inlet, air_inlet=air_inlet,
        fuel_inlet_temperature=fuel_inlet_temperature,
        air_inlet_temperature=air_inlet_temperature, pressure=pressure, current=current,
        flow=flow, reforming=reforming, reforming_k0=reforming_k0, reforming_ea=reforming_ea,
        heat_transfer_fuel=heat_transfer_fuel, heat_transfer_air=heat_transfer_air,
        solid_conductance=solid_conductance, heat_loss=heat_loss, tol_voltage=tol_voltage)
    temps, i_seg, v_cell = _initial_state(cell, initial_temperature, voltage)
    temps, i_seg, v_cell, iterations = _iterate_temperatures(
        cell, temps, i_seg, v_cell, tol_temperature, max_iter)
    final = _equipotential(cell, temps, i_seg, v_cell)  # final consistent state
    return _assemble_result(cell, temps, final, flow, reforming, iterations)


def benchmark_inlets(case: Literal["h2", "ch4"]) -> tuple[Array, Array, float]:
    """Fuel and air inflows of the IEA benchmark cell.

    Parameters
    ----------
    case : {"h2", "ch4"}
        Humidified hydrogen or 30 % pre-reformed methane.

    Returns
    -------
    tuple
        ``(fuel (6,), air (2,), current)`` in mol/s, mol/s and A.

    Notes
    -----
    .. math:: I = \\bar i\\,LW,\\quad
        \\dot n_{fuel} = \\frac{I}{2F\\,U_f\\,(x_{H_2} + x_{CO} + 4x_{CH_4})},\\quad
        \\dot n_{O_2} = \\lambda_{air}\\frac{I}{4F}
    """
    b = IEA_BENCHMARK
    comp = b["fuel_h2"] if case == "h2" else b["fuel_ch4"]
    assert isinstance(comp, dict)
    x = np.array([float(comp.get(s, 0.0)) for s in FUEL_SPECIES])
    current = float(b["current_density_a_m2"]) * float(b["length_m"]) * float(  # type: ignore[arg-type]
        b["width_m"])  # type: ignore[arg-type]
    fuel = current / (2 * FARADAY * float(b["fuel_utilisation"])  # type: ignore[arg-type]
                      * float(_h2_equivalent(x))) * x
    o2 = float(b["air_ratio"]) * current / (4 * FARADAY)  # type: ignore[arg-type]
    xo2 = float(b["oxygen_fraction"])  # type: ignore[arg-type]
    return fuel, np.array([o2, o2 * (1 - xo2) / xo2]), current


def solve_thermal_stack(
    params: CellParameters,
    *,
    area: float,
    n_segments: int,
    inlet_temperature: float,
    pressure: float,
    anode_inlet: ArrayLike,
    air_inlet: float,
    current: float | None = None,
    voltage: float | None = None,
    extra_asr: float = 0.0,
    oxygen_fraction: float = 0.21,
    air_inlet_temperature: float | None = None,
    flow: Literal["co", "counter"] = "co",
    reforming: Literal["kinetic", "equilibrium"] = "kinetic",
    aspect_ratio: float = 1.0,
    **kwargs: object,
) -> ThermalCellResult:
    """Thermal cell model with a project cell parameter set (drop-in for the system model).

    Parameters
    ----------
    params : CellParameters
        E.g. ``read_cell_parameters("ms-sofc-it")``.
    area : float
        Active area per cell [m2].
    n_segments : int
        Finite volumes [-].
    inlet_temperature : float
        Fuel inlet temperature [K] (also the air inlet unless given).
    pressure : float
        [Pa].
    anode_inlet : array_like
        ``(6,)`` fuel flows per cell in :data:`FUEL_SPECIES` order [mol/s].
    air_inlet : float
        Total air flow per cell [mol/s] (as in :func:`sofc.stack.solve_stack`).
    current, voltage : float, optional
        Cell current [A] or voltage [V]; exactly one.
    extra_asr : float, optional
        Added ASR (degradation) [Ohm m2].
    oxygen_fraction : float, optional
        O2 mole fraction of the air [-].
    air_inlet_temperature : float, optional
        [K]; defaults to ``inlet_temperature``.
    flow, reforming : str
        See :func:`solve_thermal_cell`.
    aspect_ratio : float, optional
        Length (along the fuel) over width [-]; :math:`L = \\sqrt{A r}`.
    **kwargs
        Passed to :func:`solve_thermal_cell` (heat-transfer coefficients,
        conduction, kinetics, tolerances).

    Returns
    -------
    ThermalCellResult
        Same fields as :class:`sofc.stack.StackResult` for one operating point
        (``voltage``, ``current``, ``current_density``, ``temperature`` = solid,
        ``anode_out``, ``air_out``, ``fuel_utilisation``) plus gas and outlet
        temperatures.
    """
    length = math.sqrt(area * aspect_ratio)
    air = float(air_inlet)
    return solve_thermal_cell(
        cell_parameters_electrochemistry(params, extra_asr),
        length=length, width=area / length, n_segments=n_segments,
        fuel_inlet=anode_inlet, air_inlet=[oxygen_fraction * air, (1 - oxygen_fraction) * air],
        fuel_inlet_temperature=inlet_temperature,
        air_inlet_temperature=(inlet_temperature if air_inlet_temperature is None
                               else air_inlet_temperature),
        pressure=pressure, current=current, voltage=voltage, flow=flow, reforming=reforming,
        **kwargs,  # type: ignore[arg-type]
    )
