"""1-D co-flow stack model against the IDAES/Kazempoor replication of Herring et al."""

import numpy as np
import pytest

from sofc import SofcInputError, read_cell_parameters, solve_stack
from sofc.reformer import reform
from sofc.stack import ANODE_SPECIES


def _herring(n_segments: int = 10):
    params = read_cell_parameters("esc-scsz-kazempoor2014")
    fuel = 0.000484863 * np.array([0.0630491, 0.6273812, 0.0, 0.0, 0.0, 0.3095697])
    air = 3500e-6 / 60 * 101300 / (8.31 * 273.15) / 10  # IDAES cccm_to_mps / 10 cells
    return solve_stack(params, area=0.08 * 0.08, n_segments=n_segments,
                       inlet_temperature=1103.15, outlet_temperature=1103.15, pressure=85910.0,
                       anode_inlet=fuel[None, :], air_inlet=[air], voltage=[1.288])


def test_herring_kazempoor_idaes_regression() -> None:
    """Electrolysis at 1.288 V, 1103 K vs IDAES SolidOxideCell (test_herring_replication.py).

    IDAES regression (10 z-nodes, Kazempoor & Braun 2014 parameters): current density
    -2394.77 (node 1), -2326.71 (3), -2268.31 (5), -2191.66 (8), -2145.27 A/m2 (10);
    fuel outlet x_H2O 0.472735, x_H2 0.217695. Tolerance 3 % on current density and
    0.005 on mole fractions: IDAES is 2-D and adiabatic (outlet 1103.40 K) with
    channel mass-transfer resistance, our model is 1-D, isothermal here, with Fickian
    electrode diffusion and an assumed pore radius (IDAES itself holds its data to 5 %
    against Kazempoor's replication). Measured: +1.3 % (node 1), +0.7 % (node 10).
    """
    r = _herring()
    ref = {0: -2394.77, 2: -2326.71, 4: -2268.31, 7: -2191.66, 9: -2145.27}
    for k, value in ref.items():
        assert r.current_density[0, k] == pytest.approx(value, rel=0.03)
    x = r.anode_out[0] / r.anode_out[0].sum()
    assert x[ANODE_SPECIES.index("H2O")] == pytest.approx(0.472735, abs=5e-3)
    assert x[ANODE_SPECIES.index("H2")] == pytest.approx(0.217695, abs=5e-3)


def test_segment_convergence() -> None:
    """Total current changes < 0.5 % from 10 to 40 segments (discretisation error)."""
    i10 = _herring(10).current[0]
    i40 = _herring(40).current[0]
    assert i10 == pytest.approx(i40, rel=5e-3)


def _ethanol_stack(current):
    params = read_cell_parameters()
    rf = reform(823.15, 1.976)
    x = np.array([rf.products[n] for n in ("H2", "H2O", "CO", "CO2", "CH4")] + [0.0])
    h2eq = x[0] + x[2] + 4 * x[4]
    current = np.asarray(current, dtype=float)
    fuel = (current / (2 * 96485.33212 * 0.85 * h2eq))[:, None] * x
    return solve_stack(params, area=0.01, n_segments=30, inlet_temperature=913.15,
                       outlet_temperature=1013.15, pressure=101325.0, anode_inlet=fuel,
                       air_inlet=current / (4 * 96485.33212) * 4 / 0.21, current=current)


def test_fuel_utilisation_equipotential_and_profile() -> None:
    """Faraday's law closes; co-flow current density peaks upstream and falls as H2 depletes."""
    r = _ethanol_stack([10.0, 30.0])
    np.testing.assert_allclose(r.current, [10.0, 30.0], rtol=1e-9)
    np.testing.assert_allclose(r.fuel_utilisation, 0.85, rtol=1e-9)
    j = r.current_density[1]
    assert j[-1] < j.max()
    assert np.all(np.diff(r.nernst[1]) < 0)  # Nernst falls along the channel
    assert r.voltage[0] > r.voltage[1]  # lower current, higher voltage
    # methane is fully reformed by the outlet
    out = r.anode_out[1]
    assert out[ANODE_SPECIES.index("CH4")] / out.sum() < 1e-3


def test_stack_rejects_overutilisation() -> None:
    """Asking for more current than the fuel can carry is an input error."""
    params = read_cell_parameters()
    fuel = np.array([[1e-5, 1e-6, 0, 0, 0, 0]])
    with pytest.raises(SofcInputError):
        solve_stack(params, area=0.01, n_segments=5, inlet_temperature=973.0,
                    outlet_temperature=973.0, pressure=101325.0, anode_inlet=fuel,
                    air_inlet=[1e-3], current=[5.0])
