"""Thermodynamic data: vectorised NASA polynomials and heating values from Cantera."""

import numpy as np
import pytest

from sofc.thermo import (
    GAS_SPECIES,
    equilibrium_constant,
    ethanol_lhv_liquid,
    lower_heating_value,
    make_gas,
    nasa_table,
)


@pytest.mark.parametrize("temperature", [300.0, 999.0, 1001.0, 1500.0])
def test_nasa_table_equals_cantera(temperature: float) -> None:
    """The numpy NASA-7 evaluator reproduces Cantera's g/RT and h to rounding."""
    gas = make_gas()
    gas.TP = temperature, 101325.0
    table = nasa_table(GAS_SPECIES)
    np.testing.assert_allclose(table.g_rt(temperature), gas.standard_gibbs_RT, rtol=1e-12)
    np.testing.assert_allclose(table.enthalpy(temperature), gas.partial_molar_enthalpies / 1e3,
                               rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(table.cp_r(temperature), gas.standard_cp_R, rtol=1e-12)


def test_heating_values_against_tables() -> None:
    """LHVs from Cantera enthalpies vs standard tables.

    NIST-JANAF: Delta_f H(H2O, g) = -241.826 kJ/mol, so LHV(H2) = 241.8 kJ/mol;
    ethanol LHV 26.8 MJ/kg liquid (e.g. US DOE/ORNL Transportation Energy Data Book,
    appendix B: 76,330 Btu/gal = 26.7-26.8 MJ/kg). Tolerance 0.3 %: table rounding.
    """
    assert lower_heating_value("H2") == pytest.approx(241.826e3, rel=1e-3)
    assert lower_heating_value("CH4") == pytest.approx(802.3e3, rel=3e-3)
    assert ethanol_lhv_liquid() / 46.068e-3 / 1e6 == pytest.approx(26.8, rel=3e-3)


def test_wgs_constant_against_formation_gibbs_energies() -> None:
    """ln K of water-gas shift at 298.15 K from tabulated Gibbs energies of formation.

    NIST-JANAF/CRC: Delta_f G(CO2) = -394.36, Delta_f G(H2O, g) = -228.57,
    Delta_f G(CO) = -137.17 kJ/mol, so Delta_r G = -28.62 kJ/mol and ln K = 11.546.
    Tolerance 0.5 %: table rounding (0.01 kJ/mol per entry) and NASA-fit error.
    """
    k = equilibrium_constant(298.15, {"CO": -1, "H2O": -1, "CO2": 1, "H2": 1})
    assert float(np.log(k)) == pytest.approx(28.62e3 / (8.314462618 * 298.15), rel=5e-3)
