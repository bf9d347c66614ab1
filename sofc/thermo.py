"""Thermodynamic data for the SOFC twin, taken from Cantera's species databases.

Everything thermodynamic in :mod:`sofc` comes from here: a Cantera gas phase with
the species that matter for ethanol reforming (``C2H5OH, CH3CHO, C2H4, CH4, CO,
CO2, H2, H2O, O2, N2``) built from Cantera's ``nasa_gas.yaml``; solid graphite
and liquid water from ``nasa_condensed.yaml``; and a vectorised evaluator of the
same NASA-7 polynomials (:class:`Nasa7Table`) so that Gibbs energies,
equilibrium constants and enthalpies can be evaluated on numpy arrays inside the
stack model without calling Cantera in an inner loop.

Units are SI on molar basis: K, Pa, J/mol, J/(mol K). Cantera's kmol-based
values are converted to mol here and only here.

References
----------
.. [1] D. G. Goodwin, H. K. Moffat, I. Schoegl, R. L. Speth, B. W. Weber,
   *Cantera: An object-oriented software toolkit for chemical kinetics,
   thermodynamics, and transport processes*, version 3, https://www.cantera.org.
.. [2] B. J. McBride, M. J. Zehe, S. Gordon, *NASA Glenn coefficients for
   calculating thermodynamic properties of individual species*, NASA/TP-2002-211556
   (source of ``nasa_gas.yaml`` and ``nasa_condensed.yaml``).
.. [3] NIST Chemistry WebBook, SRD 69, ethanol: enthalpy of vaporisation at
   298.15 K, 42.3 kJ/mol (https://doi.org/10.18434/T4D303).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import cantera as ct
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "GAS_SPECIES",
    "T_REF",
    "P_REF",
    "ETHANOL_VAPORISATION_ENTHALPY",
    "Nasa7Table",
    "gas_species",
    "make_gas",
    "make_graphite",
    "nasa_table",
    "equilibrium_constant",
    "lower_heating_value",
    "ethanol_lhv_liquid",
    "water_liquid_enthalpy",
]

FARADAY: float = ct.faraday / 1000.0
"""Faraday constant [C/mol]."""
GAS_CONSTANT: float = ct.gas_constant / 1000.0
"""Molar gas constant [J/(mol K)]."""
T_REF: float = 298.15
"""Reference temperature for heating values [K]."""
P_REF: float = ct.one_atm
"""Standard pressure of the NASA-7 data in ``nasa_gas.yaml`` [Pa]."""
ETHANOL_VAPORISATION_ENTHALPY: float = 42.3e3
"""Enthalpy of vaporisation of ethanol at 298.15 K [J/mol], NIST WebBook [3]_."""

GAS_SPECIES: tuple[str, ...] = (
    "C2H5OH",
    "CH3CHO",
    "C2H4",
    "CH4",
    "CO",
    "CO2",
    "H2",
    "H2O",
    "O2",
    "N2",
)
"""Gas species of the reformer/stack model (Cantera names, ethanal renamed CH3CHO)."""

_NASA_NAMES = {"CH3CHO": "CH3CHO,ethanal"}


@lru_cache(maxsize=1)
def _gas_species_by_name() -> dict[str, ct.Species]:
    return {s.name: s for s in ct.Species.list_from_file("nasa_gas.yaml")}


@lru_cache(maxsize=1)
def _condensed_species_by_name() -> dict[str, ct.Species]:
    return {s.name: s for s in ct.Species.list_from_file("nasa_condensed.yaml")}


def gas_species() -> list[ct.Species]:
    """Cantera species objects for :data:`GAS_SPECIES`.

    Returns
    -------
    list of cantera.Species
        Species from ``nasa_gas.yaml`` [2]_; acetaldehyde is renamed from
        ``CH3CHO,ethanal`` to ``CH3CHO``.
    """
    by_name = _gas_species_by_name()
    out = []
    for name in GAS_SPECIES:
        src = by_name[_NASA_NAMES.get(name, name)]
        data = dict(src.input_data)
        data["name"] = name
        out.append(ct.Species.from_dict(data))  # type: ignore[arg-type]
    return out


def make_gas() -> ct.Solution:
    """A new ideal-gas Cantera phase with the species of :data:`GAS_SPECIES`.

    Returns
    -------
    cantera.Solution
        Ideal gas, no kinetics, NASA-7 thermodynamics [1]_, [2]_.
    """
    return ct.Solution(thermo="ideal-gas", species=gas_species(), kinetics="none")


def make_graphite() -> ct.Solution:
    """A Cantera fixed-stoichiometry phase holding graphite, ``C(gr)`` [2]_.

    Returns
    -------
    cantera.Solution
        Single-species condensed phase used for carbon-deposition equilibria.
    """
    src = _condensed_species_by_name()["C(gr)"]
    return ct.Solution(thermo="fixed-stoichiometry", species=[src], name="graphite")


class Nasa7Table:
    """Vectorised NASA-7 polynomials for a list of Cantera species.

    Parameters
    ----------
    species : sequence of cantera.Species
        Species with ``NasaPoly2`` thermodynamics.

    Notes
    -----
    With coefficients :math:`a_1..a_7` of the range containing :math:`T`,

    .. math::

        \\frac{c_p}{R} = a_1 + a_2 T + a_3 T^2 + a_4 T^3 + a_5 T^4,\\qquad
        \\frac{h}{RT} = a_1 + \\frac{a_2 T}{2} + \\frac{a_3 T^2}{3}
            + \\frac{a_4 T^3}{4} + \\frac{a_5 T^4}{5} + \\frac{a_6}{T},

    .. math::

        \\frac{s^\\circ}{R} = a_1\\ln T + a_2 T + \\frac{a_3 T^2}{2}
            + \\frac{a_4 T^3}{3} + \\frac{a_5 T^4}{4} + a_7,\\qquad
        \\frac{g^\\circ}{RT} = \\frac{h}{RT} - \\frac{s^\\circ}{R}.

    The coefficients are read from Cantera, so results equal Cantera's to
    rounding (checked in the tests).
    """

    def __init__(self, species: Sequence[ct.Species]) -> None:
        self.names: tuple[str, ...] = tuple(s.name for s in species)
        coeffs = np.array([s.thermo.coeffs for s in species])
        self._t_mid = coeffs[:, 0]
        self._high = coeffs[:, 1:8]
        self._low = coeffs[:, 8:15]
        self.t_min = max(s.thermo.min_temp for s in species)
        self.t_max = min(s.thermo.max_temp for s in species)

    def index(self, name: str) -> int:
        """Column of ``name`` in the arrays returned by this table."""
        return self.names.index(name)

    def _coeffs(self, temperature: NDArray[np.float64]) -> NDArray[np.float64]:
        t = temperature[..., None]
        return np.where((t > self._t_mid)[..., None], self._high, self._low)

    def cp_r(self, temperature: ArrayLike) -> NDArray[np.float64]:
        """Dimensionless heat capacity :math:`c_p/R`, shape ``T.shape + (n_species,)``."""
        t = np.asarray(temperature, dtype=float)
        a = self._coeffs(t)
        tt = t[..., None]
        return a[..., 0] + tt * (a[..., 1] + tt * (a[..., 2] + tt * (a[..., 3] + tt * a[..., 4])))

    def h_rt(self, temperature: ArrayLike) -> NDArray[np.float64]:
        """Dimensionless enthalpy :math:`h/(RT)`, shape ``T.shape + (n_species,)``."""
        t = np.asarray(temperature, dtype=float)
        a = self._coeffs(t)
        tt = t[..., None]
        poly = a[..., 0] + tt * (
            a[..., 1] / 2 + tt * (a[..., 2] / 3 + tt * (a[..., 3] / 4 + tt * a[..., 4] / 5))
        )
        return poly + a[..., 5] / tt

    def s_r(self, temperature: ArrayLike) -> NDArray[np.float64]:
        """Dimensionless standard entropy :math:`s^\\circ/R` at :data:`P_REF`."""
        t = np.asarray(temperature, dtype=float)
        a = self._coeffs(t)
        tt = t[..., None]
        poly = tt * (a[..., 1] + tt * (a[..., 2] / 2 + tt * (a[..., 3] / 3 + tt * a[..., 4] / 4)))
        return a[..., 0] * np.log(tt) + poly + a[..., 6]

    def g_rt(self, temperature: ArrayLike) -> NDArray[np.float64]:
        """Dimensionless standard Gibbs energy :math:`g^\\circ/(RT)`."""
        return self.h_rt(temperature) - self.s_r(temperature)

    def enthalpy(self, temperature: ArrayLike) -> NDArray[np.float64]:
        """Molar enthalpy :math:`h(T)` [J/mol], shape ``T.shape + (n_species,)``."""
        t = np.asarray(temperature, dtype=float)
        return self.h_rt(t) * GAS_CONSTANT * t[..., None]


@lru_cache(maxsize=8)
def nasa_table(names: tuple[str, ...] = GAS_SPECIES) -> Nasa7Table:
    """A cached :class:`Nasa7Table` for gas species ``names`` (subset of :data:`GAS_SPECIES`)."""
    by_name = {s.name: s for s in gas_species()}
    return Nasa7Table([by_name[n] for n in names])


def equilibrium_constant(temperature: ArrayLike, stoich: dict[str, float]) -> NDArray[np.float64]:
    """Equilibrium constant of a gas reaction from Cantera standard Gibbs energies.

    Parameters
    ----------
    temperature : array_like
        Temperature [K].
    stoich : dict
        Stoichiometric coefficients, negative for reactants, e.g.
        ``{"CO": -1, "H2O": -1, "CO2": 1, "H2": 1}`` for water-gas shift.

    Returns
    -------
    numpy.ndarray
        :math:`K_p` on a pressure basis relative to :data:`P_REF` [-].

    Notes
    -----
    .. math:: \\ln K_p = -\\sum_j \\nu_j \\, g^\\circ_j(T)/(RT)

    with :math:`g^\\circ_j` from the NASA-7 data of ``nasa_gas.yaml`` [2]_.
    """
    names = tuple(stoich)
    table = nasa_table(names)
    nu = np.array([stoich[n] for n in names])
    return np.exp(-(table.g_rt(temperature) @ nu))


def lower_heating_value(species: str) -> float:
    """Lower heating value of a gas species at 298.15 K from Cantera enthalpies.

    Parameters
    ----------
    species : str
        One of ``H2, CO, CH4, C2H4, C2H5OH, CH3CHO``.

    Returns
    -------
    float
        LHV [J/mol] with water as vapour in the products.

    Notes
    -----
    For :math:`C_cH_hO_o + (c + h/4 - o/2)\\,O_2 \\to c\\,CO_2 + (h/2)\\,H_2O(g)`,

    .. math:: LHV = h_{fuel} + (c + h/4 - o/2) h_{O_2} - c\\,h_{CO_2} - (h/2) h_{H_2O}

    with all enthalpies at 298.15 K from ``nasa_gas.yaml`` [2]_.
    """
    gas = make_gas()
    if species not in gas.species_names or species in ("CO2", "H2O", "O2", "N2"):
        raise ValueError(f"no heating value for {species!r}")
    sp = gas.species(species)
    c = sp.composition.get("C", 0.0)
    h = sp.composition.get("H", 0.0)
    o = sp.composition.get("O", 0.0)
    table = nasa_table((species, "O2", "CO2", "H2O"))
    hh = table.enthalpy(T_REF)
    return float(hh[0] + (c + h / 4 - o / 2) * hh[1] - c * hh[2] - (h / 2) * hh[3])


def water_liquid_enthalpy(temperature: float = T_REF) -> float:
    """Molar enthalpy of liquid water [J/mol] from ``nasa_condensed.yaml`` [2]_.

    Parameters
    ----------
    temperature : float
        Temperature, 273.15-373 K [K].
    """
    src = _condensed_species_by_name()["H2O(L)"]
    table = Nasa7Table([src])
    return float(table.enthalpy(temperature)[0])


def ethanol_lhv_liquid() -> float:
    """Lower heating value of liquid ethanol at 298.15 K [J/mol].

    Notes
    -----
    .. math:: LHV_{l} = LHV_{g} - \\Delta h_{vap}(298.15\\,K)

    with :math:`LHV_g` from :func:`lower_heating_value` and
    :math:`\\Delta h_{vap}` = 42.3 kJ/mol [3]_. The result, 1235 kJ/mol
    (26.8 MJ/kg), is the basis of every fuel input and efficiency in :mod:`sofc`.
    """
    return lower_heating_value("C2H5OH") - ETHANOL_VAPORISATION_ENTHALPY
