"""Ethanol steam reformer: equilibrium reformate, hydrogen yield, coking, heat duty.

The reformer takes an ethanol/water feed (a steam-to-carbon ratio, or a liquid
blend by volume such as the 45/55 ethanol/water fuel of the e-Bio Fuel-Cell) and
returns the gas leaving it. By default the gas is at chemical equilibrium at the
reformer temperature and pressure, computed by Cantera's Gibbs minimiser over the
species of :data:`sofc.thermo.GAS_SPECIES`, with graphite added as a separate
phase when it is stable. Two departures from equilibrium are available:

* an *approach temperature*: the composition is the equilibrium one at
  :math:`T - \\Delta T_{app}` (the usual way of stating how close an endothermic
  reformer gets to equilibrium), while the heat duty is evaluated at :math:`T`;
* a *conversion fraction* :math:`f` (pre-reforming): only :math:`f` of the
  ethanol is reformed to equilibrium, the rest only decomposes
  (:math:`C_2H_5OH \\to CH_4 + CO + H_2`) and is reformed inside the stack.

Carbon: a gas at equilibrium deposits graphite if the carbon activity
:math:`a_C = K_B\\,p_{CO}^2/p_{CO_2}` (Boudouard, :math:`2CO \\rightleftharpoons
C + CO_2`) exceeds one; because the gas is at full equilibrium, every
carbon-forming reaction gives the same activity. The minimum carbon-free
steam-to-carbon ratio is the root of :math:`a_C(S/C) = 1`.

Sign convention: heat duty > 0 is heat supplied to the reformer.

References
----------
.. [1] K. Vasudeva, N. Mitra, P. Umasankar, S. C. Dhingra, Steam reforming of
   ethanol for hydrogen production: thermodynamic analysis, *Int. J. Hydrogen
   Energy* 21 (1996) 13-18, https://doi.org/10.1016/0360-3199(95)00039-Z.
.. [2] E. Y. Garcia, M. A. Laborde, Hydrogen production by the steam reforming
   of ethanol: thermodynamic analysis, *Int. J. Hydrogen Energy* 16 (1991)
   307-312, https://doi.org/10.1016/0360-3199(91)90166-G.
.. [3] V. Mas, R. Kipreos, N. Amadeo, M. Laborde, Thermodynamic analysis of
   ethanol/water system with the stoichiometric method, *Int. J. Hydrogen
   Energy* 31 (2006) 21-28, https://doi.org/10.1016/j.ijhydene.2005.04.004.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cantera as ct
import numpy as np
from scipy.optimize import brentq

from sofc.errors import SofcInputError
from sofc.thermo import (
    ETHANOL_VAPORISATION_ENTHALPY,
    GAS_SPECIES,
    P_REF,
    T_REF,
    make_gas,
    make_graphite,
    nasa_table,
    water_liquid_enthalpy,
)

__all__ = [
    "ReformerResult",
    "ETHANOL_DENSITY",
    "WATER_DENSITY",
    "steam_to_carbon_from_blend",
    "carbon_activity",
    "min_steam_to_carbon",
    "reform",
]

ETHANOL_DENSITY: float = 789.3
"""Density of liquid ethanol at 20 degC [kg/m3] (CRC Handbook of Chemistry and Physics)."""
WATER_DENSITY: float = 998.2
"""Density of liquid water at 20 degC [kg/m3] (CRC Handbook of Chemistry and Physics)."""
_M_ETHANOL = 46.068e-3
_M_WATER = 18.015e-3

T_MIN: float = 500.0
"""Lowest reformer temperature accepted [K]."""
T_MAX: float = 1300.0
"""Highest reformer temperature accepted [K]."""


def steam_to_carbon_from_blend(ethanol_volume_fraction: float) -> float:
    """Steam-to-carbon ratio of a liquid ethanol/water blend given by volume.

    Parameters
    ----------
    ethanol_volume_fraction : float
        Volume fraction of ethanol in the unmixed liquids, 0-1 exclusive [-],
        e.g. 0.45 for the 45/55 blend.

    Returns
    -------
    float
        Steam-to-carbon ratio :math:`S/C = n_{H_2O}/(2 n_{EtOH})` [mol/mol].

    Notes
    -----
    .. math::

        \\frac{S}{C} = \\frac{1}{2}\\,
        \\frac{(1-\\phi)\\rho_w/M_w}{\\phi\\,\\rho_e/M_e}

    with densities at 20 degC; the volume contraction on mixing is ignored,
    as the blend is specified by the volumes mixed. 45/55 gives S/C = 1.98.
    """
    phi = float(ethanol_volume_fraction)
    if not 0.0 < phi < 1.0:
        raise SofcInputError(f"ethanol volume fraction must be in (0, 1), got {phi}")
    n_e = phi * ETHANOL_DENSITY / _M_ETHANOL
    n_w = (1.0 - phi) * WATER_DENSITY / _M_WATER
    return n_w / (2.0 * n_e)


def _check_conditions(temperature: float, pressure: float, steam_to_carbon: float) -> None:
    if not (math.isfinite(temperature) and T_MIN <= temperature <= T_MAX):
        raise SofcInputError(
            f"reformer temperature {temperature - 273.15:.1f} degC outside the model's "
            f"validity range {T_MIN - 273.15:.0f}-{T_MAX - 273.15:.0f} degC"
        )
    if not (math.isfinite(pressure) and 1e4 <= pressure <= 5e6):
        raise SofcInputError(f"reformer pressure {pressure / 1e5:g} bar outside 0.1-50 bar")
    if not (math.isfinite(steam_to_carbon) and 0.0 <= steam_to_carbon <= 20.0):
        raise SofcInputError(f"steam-to-carbon ratio must be in [0, 20], got {steam_to_carbon}")


def _feed_moles(steam_to_carbon: float) -> dict[str, float]:
    return {"C2H5OH": 1.0, "H2O": 2.0 * steam_to_carbon}


def _gas_equilibrium(gas: ct.Solution, temperature: float, pressure: float,
                     feed: dict[str, float]) -> np.ndarray:
    """Gas-only equilibrium moles per mole of ethanol fed."""
    gas.TPX = temperature, pressure, feed
    gas.equilibrate("TP")
    # moles per mol ethanol: conserve carbon (2 C per ethanol in feed)
    n_c_per_mol_mix = float(np.dot(gas.X, [gas.n_atoms(k, "C") for k in range(gas.n_species)]))
    return gas.X * (2.0 / n_c_per_mol_mix) if n_c_per_mol_mix > 0 else gas.X


def carbon_activity(temperature: float, pressure: float, steam_to_carbon: float) -> float:
    """Graphite activity of the gas-phase equilibrium of an ethanol/steam feed.

    Parameters
    ----------
    temperature : float
        Temperature [K].
    pressure : float
        Pressure [Pa].
    steam_to_carbon : float
        Steam-to-carbon ratio [mol/mol].

    Returns
    -------
    float
        :math:`a_C` [-]; graphite deposits at equilibrium when :math:`a_C > 1`.

    Notes
    -----
    With the gas at equilibrium (graphite excluded),

    .. math:: a_C = K_B(T)\\,\\frac{(p_{CO}/p^\\circ)^2}{p_{CO_2}/p^\\circ},\\qquad
        \\ln K_B = -\\frac{g^\\circ_C + g^\\circ_{CO_2} - 2 g^\\circ_{CO}}{RT}

    with the graphite Gibbs energy from ``nasa_condensed.yaml``.
    """
    _check_conditions(temperature, pressure, steam_to_carbon)
    gas = make_gas()
    gas.TPX = temperature, pressure, _feed_moles(steam_to_carbon)
    gas.equilibrate("TP")
    return _activity_from_gas(gas)


def _activity_from_gas(gas: ct.Solution) -> float:
    graphite = make_graphite()
    graphite.TP = gas.T, gas.P
    g_c = graphite.standard_gibbs_RT[0]
    g = gas.standard_gibbs_RT
    i_co, i_co2 = gas.species_index("CO"), gas.species_index("CO2")
    ln_k = -(g_c + g[i_co2] - 2.0 * g[i_co])
    x_co, x_co2 = gas.X[i_co], gas.X[i_co2]
    if x_co2 <= 0.0:
        return math.inf
    p = gas.P / P_REF
    return float(math.exp(ln_k) * (x_co * p) ** 2 / (x_co2 * p))


def min_steam_to_carbon(temperature: float, pressure: float = ct.one_atm) -> float:
    """Smallest steam-to-carbon ratio at which no graphite forms at equilibrium.

    Parameters
    ----------
    temperature : float
        Reformer temperature [K].
    pressure : float, optional
        Pressure [Pa].

    Returns
    -------
    float
        :math:`(S/C)_{min}` [mol/mol]: the root of :math:`a_C(S/C) = 1`
        (see :func:`carbon_activity`), to 1e-4; ``0.0`` if even dry ethanol is
        carbon-free and ``inf`` if carbon forms up to S/C = 10.

    Notes
    -----
    Compare Mas et al. [3]_ (coke-free region in temperature vs water/ethanol
    ratio; "at moderate temperatures a molar ratio higher than 3", i.e.
    S/C > 1.5, "is required") and Garcia & Laborde [2]_.
    """
    _check_conditions(temperature, pressure, 1.0)
    gas = make_gas()

    def f(sc: float) -> float:
        gas.TPX = temperature, pressure, _feed_moles(sc)
        gas.equilibrate("TP")
        return math.log(_activity_from_gas(gas))

    lo, hi = 1e-3, 10.0
    f_lo, f_hi = f(lo), f(hi)
    if f_lo <= 0.0:
        return 0.0
    if f_hi > 0.0:
        return math.inf
    return float(brentq(f, lo, hi, xtol=1e-5))


@dataclass(frozen=True)
class ReformerResult:
    """Reformer outlet state per mole of ethanol fed.

    Attributes
    ----------
    temperature : float
        Reformer temperature [K].
    pressure : float
        Pressure [Pa].
    steam_to_carbon : float
        Feed steam-to-carbon ratio [mol/mol].
    products : dict
        Gas leaving the reformer [mol per mol ethanol], all of
        :data:`sofc.thermo.GAS_SPECIES`.
    carbon : float
        Graphite deposited at equilibrium [mol per mol ethanol].
    carbon_activity : float
        Graphite activity of the gas-only equilibrium [-] (> 1 means coking).
    min_steam_to_carbon : float
        Carbon-free minimum S/C at this temperature and pressure [mol/mol].
    heat_duty : float
        Heat to the isothermal reformer from vapour feed at ``temperature``
        to products at ``temperature`` [J per mol ethanol].
    processing_duty : float
        Heat from liquid ethanol and water at 298.15 K to products at
        ``temperature`` (evaporation + superheat + reforming) [J per mol ethanol].
    """

    temperature: float
    pressure: float
    steam_to_carbon: float
    products: dict[str, float] = field(repr=False)
    carbon: float
    carbon_activity: float
    min_steam_to_carbon: float
    heat_duty: float
    processing_duty: float

    @property
    def carbon_deposition(self) -> bool:
        """True if graphite is stable at equilibrium."""
        return self.carbon > 1e-9

    @property
    def mole_fractions(self) -> dict[str, float]:
        """Wet mole fractions of the product gas [-]."""
        total = sum(self.products.values())
        return {k: v / total for k, v in self.products.items()}

    @property
    def h2_per_ethanol(self) -> float:
        """Hydrogen yield [mol H2 per mol ethanol fed]."""
        return self.products["H2"]

    @property
    def h2_equivalent_per_ethanol(self) -> float:
        """Hydrogen obtainable by full shift and reforming, :math:`H_2 + CO + 4CH_4 + ...`.

        Counts :math:`n_{H_2} + n_{CO} + 4 n_{CH_4} + 6 n_{C_2H_4} + 5 n_{CH_3CHO}
        + 6 n_{C_2H_5OH}` [mol/mol]; the basis of fuel utilisation.
        """
        p = self.products
        return (p["H2"] + p["CO"] + 4 * p["CH4"] + 6 * p["C2H4"] + 5 * p["CH3CHO"]
                + 6 * p["C2H5OH"])


def _feed_enthalpy_vapour(temperature: float, steam_to_carbon: float) -> float:
    table = nasa_table(("C2H5OH", "H2O"))
    h = table.enthalpy(temperature)
    return float(h[0] + 2.0 * steam_to_carbon * h[1])


def _feed_enthalpy_liquid(steam_to_carbon: float) -> float:
    h_e = float(nasa_table(("C2H5OH",)).enthalpy(T_REF)[0]) - ETHANOL_VAPORISATION_ENTHALPY
    return h_e + 2.0 * steam_to_carbon * water_liquid_enthalpy(T_REF)


def _gas_from_elements(c: float, h: float, o: float) -> dict[str, float]:
    """A gas mixture with the given element amounts (for Cantera to equilibrate)."""
    if o >= c:
        return {"CO": c, "H2O": o - c, "H2": 0.5 * (h - 2.0 * (o - c))}
    return {"CO": o, "CH4": c - o, "H2": 0.5 * (h - 4.0 * (c - o))}


def _equilibrium_with_graphite(gas: ct.Solution, temperature: float, pressure: float,
                               steam_to_carbon: float) -> tuple[float, np.ndarray]:
    """Gas + graphite equilibrium: the graphite amount makes the gas carbon activity one.

    With graphite present its activity is one, so the gas is at equilibrium with the
    feed's elements minus the deposited carbon ``c``; ``c`` is the root of
    :math:`\\ln a_C(c) = 0` (the activity falls as carbon leaves the gas).
    """
    h_atoms = 6.0 + 4.0 * steam_to_carbon
    o_atoms = 1.0 + 2.0 * steam_to_carbon

    def state(c: float) -> float:
        gas.TPX = temperature, pressure, _gas_from_elements(2.0 - c, h_atoms, o_atoms)
        gas.equilibrate("TP")
        return math.log(_activity_from_gas(gas))

    c = float(brentq(state, 0.0, 2.0 - 1e-9, xtol=1e-12))
    state(c)
    n_c_gas = float(np.dot(gas.X, [gas.n_atoms(k, "C") for k in range(gas.n_species)]))
    return c, gas.X * ((2.0 - c) / n_c_gas)


def reform(
    temperature: float,
    steam_to_carbon: float,
    pressure: float = ct.one_atm,
    *,
    approach_temperature: float = 0.0,
    conversion_fraction: float = 1.0,
) -> ReformerResult:
    """Equilibrium (or near-equilibrium) ethanol steam reforming.

    Parameters
    ----------
    temperature : float
        Reformer outlet temperature, 500-1300 K [K].
    steam_to_carbon : float
        Feed steam-to-carbon ratio :math:`n_{H_2O}/(2 n_{EtOH})` [mol/mol].
    pressure : float, optional
        Pressure [Pa].
    approach_temperature : float, optional
        Composition is the equilibrium at ``temperature - approach_temperature``
        [K]; 0 means full equilibrium.
    conversion_fraction : float, optional
        Fraction of the ethanol reformed to equilibrium, (0, 1] [-]; the rest
        decomposes to :math:`CH_4 + CO + H_2`.

    Returns
    -------
    ReformerResult
        Products per mol ethanol, coking indicators and heat duties.

    Notes
    -----
    Overall reactions: :math:`C_2H_5OH + 3H_2O \\to 2CO_2 + 6H_2` (at most 6 mol
    H2/mol), with methane, CO and carbon as equilibrium by-products. The
    equilibrium minimises the Gibbs energy of gas plus graphite [1]_, [2]_: Cantera
    equilibrates the gas, and when graphite is stable the deposited amount is the
    one that leaves the gas at unit carbon activity. Heat duty

    .. math:: Q = \\sum_j n_j^{out} h_j(T) - \\sum_j n_j^{in} h_j(T_{in})

    with vapour feed at :math:`T` (reformer duty) or liquids at 298.15 K
    (processing duty; ethanol liquid enthalpy from the NIST vaporisation enthalpy).
    """
    _check_conditions(temperature, pressure, steam_to_carbon)
    if not 0.0 <= approach_temperature < temperature - T_MIN + 1e-9:
        raise SofcInputError(
            f"approach temperature must be >= 0 K and leave the equilibrium temperature "
            f"above {T_MIN:.0f} K, got {approach_temperature}"
        )
    if not 0.0 < conversion_fraction <= 1.0:
        raise SofcInputError(f"conversion fraction must be in (0, 1], got {conversion_fraction}")
    t_eq = temperature - approach_temperature
    f = conversion_fraction
    gas = make_gas()
    feed = _feed_moles(steam_to_carbon)
    gas_eq = _gas_equilibrium(gas, t_eq, pressure, feed)
    activity = _activity_from_gas(gas)
    carbon = 0.0
    if activity > 1.0:
        carbon, gas_eq = _equilibrium_with_graphite(gas, t_eq, pressure, steam_to_carbon)
    products = {n: f * float(gas_eq[i]) for i, n in enumerate(GAS_SPECIES)}
    carbon *= f
    if f < 1.0:
        # the unreformed ethanol decomposes, C2H5OH -> CH4 + CO + H2, and takes its
        # share of the feed water through unchanged
        for name in ("CH4", "CO", "H2"):
            products[name] += 1.0 - f
        products["H2O"] += (1.0 - f) * 2.0 * steam_to_carbon
    table = nasa_table(GAS_SPECIES)
    h_out = float(table.enthalpy(temperature) @ np.array([products[n] for n in GAS_SPECIES]))
    h_out += carbon * _graphite_enthalpy(temperature)
    return ReformerResult(
        temperature=temperature,
        pressure=pressure,
        steam_to_carbon=steam_to_carbon,
        products=products,
        carbon=carbon,
        carbon_activity=activity,
        min_steam_to_carbon=min_steam_to_carbon(t_eq, pressure),
        heat_duty=h_out - _feed_enthalpy_vapour(temperature, steam_to_carbon),
        processing_duty=h_out - _feed_enthalpy_liquid(steam_to_carbon),
    )


def _graphite_enthalpy(temperature: float) -> float:
    graphite = make_graphite()
    graphite.TP = temperature, ct.one_atm
    return float(graphite.enthalpy_mole / 1000.0)

