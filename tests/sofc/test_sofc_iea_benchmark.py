"""Thermal 1-D cell (sofc.thermal) against the IEA SOFC benchmark (Achenbach 1996).

Benchmark: E. Achenbach, *SOFC stack modelling*, final report of Activity A2,
Annex II, IEA Programme on R, D&D on advanced fuel cells, Jülich 1996; planar
cell 100 mm x 100 mm, inlets 1173 K, 3000 A/m2, fuel utilisation 0.85, air
ratio 7, 1 bar; fuel (1) 90 % H2 / 10 % H2O, (2) 30 % pre-reformed methane.

Caveat (see docs/sofc.md): the participants' published result
ranges could not be retrieved during this work. ``RECALLED_VOLTAGE_RANGES`` are
recalled from the secondary literature and are NOT confirmed; the voltage tests
that fall outside them are marked ``xfail(strict=True)`` with the model value
in the reason, instead of widening the range.
"""

import time

import numpy as np
import pytest

from sofc import read_cell_parameters
from sofc.thermal import (
    FUEL_SPECIES,
    benchmark_inlets,
    iea_electrochemistry,
    solve_thermal_cell,
    solve_thermal_stack,
)

T_IN = 1173.0

# Participants' cell-voltage range [V]; recalled, NOT confirmed (cross-flow results).
RECALLED_VOLTAGE_RANGES = {"h2": (0.70, 0.72), "ch4": (0.63, 0.66)}

_CACHE: dict[tuple, object] = {}


def _iea(case: str, flow: str = "co", reforming: str = "kinetic", n: int = 30, **kw):
    key = (case, flow, reforming, n, tuple(sorted(kw.items())))
    if key not in _CACHE:
        fuel, air, current = benchmark_inlets(case)  # type: ignore[arg-type]
        _CACHE[key] = solve_thermal_cell(
            iea_electrochemistry(), length=0.1, width=0.1, n_segments=n, fuel_inlet=fuel,
            air_inlet=air, fuel_inlet_temperature=T_IN, air_inlet_temperature=T_IN,
            pressure=1e5, current=current, flow=flow, reforming=reforming, **kw)  # type: ignore[arg-type]
    return _CACHE[key]


@pytest.mark.parametrize("case", [
    pytest.param("h2", marks=pytest.mark.xfail(
        strict=True, reason="model 0.733 V (co-flow) above the recalled 0.70-0.72 V range")),
    pytest.param("ch4", marks=pytest.mark.xfail(
        strict=True, reason="model 0.678 V (co-flow) above the recalled 0.63-0.66 V range")),
])
def test_voltage_within_recalled_benchmark_range(case: str) -> None:
    """Co-flow cell voltage inside the participants' range (Achenbach 1996, recalled).

    Tolerance = the range itself. The ranges are unconfirmed and refer to the
    original cross-flow benchmark; the model is above both (see the xfail reasons
    and docs/sofc.md for the discussion).
    """
    lo, hi = RECALLED_VOLTAGE_RANGES[case]
    assert lo <= _iea(case).voltage <= hi


@pytest.mark.parametrize("flow", ["co", "counter"])
def test_benchmark_operating_point(flow: str) -> None:
    """Faraday's law and the benchmark operating point: 30 A, U_f = 0.85, air ratio 7."""
    for case in ("h2", "ch4"):
        r = _iea(case, flow)
        assert r.current == pytest.approx(30.0, rel=1e-9)
        assert r.fuel_utilisation == pytest.approx(0.85, rel=1e-9)
        assert (r.air_in[0] - r.air_out[0]) * 7 == pytest.approx(r.air_in[0], rel=1e-9)
        assert np.all(r.current_density > 0)


def test_methane_cold_region_near_fuel_inlet() -> None:
    """Internal reforming cools the fuel inlet below 1173 K (co-flow); hydrogen does not.

    Achenbach (1996) fields for the methane case show the PEN minimum at the
    fuel inlet, below the gas inlet temperature, because the Achenbach-Riensche
    kinetics reform most methane within the first centimetres.
    """
    ch4 = _iea("ch4", "co")
    assert ch4.temperature.min() < T_IN - 20.0
    assert ch4.position[np.argmin(ch4.temperature)] < 0.02  # within the first 20 mm
    assert ch4.reforming_rate[0] > 10 * ch4.reforming_rate[-1]
    assert ch4.anode_out[FUEL_SPECIES.index("CH4")] < 1e-6 * ch4.anode_in[
        FUEL_SPECIES.index("CH4")]
    h2 = _iea("h2", "co")
    assert h2.temperature.min() > T_IN
    assert np.all(np.diff(h2.temperature) > 0)  # co-flow H2: monotonic heating


@pytest.mark.parametrize("case", ["h2", "ch4"])
@pytest.mark.parametrize("flow", ["co", "counter"])
def test_first_law_and_element_balance(case: str, flow: str) -> None:
    """Adiabatic cell: H_in - H_out - P_el = 0 to 1e-6 of the fuel LHV; C, H, O conserved."""
    r = _iea(case, flow)
    assert abs(r.energy_residual) < 1e-6 * r.fuel_lhv_in
    el = np.array([[0, 2, 0], [0, 2, 1], [1, 0, 1], [1, 0, 2], [1, 4, 0], [0, 0, 0]], float)
    d_el = (r.anode_out - r.anode_in) @ el
    o_added = r.current / (2 * 96485.33212)
    assert d_el[:2] == pytest.approx([0.0, 0.0], abs=1e-12)
    assert d_el[2] == pytest.approx(o_added, rel=1e-6)


def test_counter_flow_boundary_values() -> None:
    """Counter-flow: air enters at x = L and leaves at x = 0; fuel leaves cool at x = L."""
    r = _iea("h2", "counter")
    assert r.air_outlet_temperature == pytest.approx(r.air_temperature[0])
    assert r.air_temperature[-1] < r.air_temperature[0]
    assert r.air_temperature[-1] < r.temperature[-1]  # cold air still heating at its inlet
    assert r.fuel_outlet_temperature == pytest.approx(r.fuel_temperature[-1])
    co = _iea("h2", "co")
    assert r.temperature.max() > co.temperature.max()  # hot spot where air leaves


def test_equilibrium_reforming_option() -> None:
    """Equilibrium reforming converges and matches the fast benchmark kinetics within 2 mV."""
    kin = _iea("ch4", "co", "kinetic")
    eq = _iea("ch4", "co", "equilibrium")
    assert abs(eq.energy_residual) < 1e-6 * eq.fuel_lhv_in
    assert eq.voltage == pytest.approx(kin.voltage, abs=2e-3)
    assert eq.temperature.min() < T_IN  # cold spot also with instant reforming
    assert eq.reforming_rate[0] > kin.reforming_rate[0]  # everything reforms in volume 0


def test_grid_convergence() -> None:
    """First-order upwind volumes: the voltage change halves when N doubles (methane co-flow).

    Measured: V = 0.67782 (N=30), 0.67653 (60), 0.67586 (120); Richardson
    extrapolation 0.6752 V, so N = 30 carries a 2.6 mV discretisation error
    (T_min 1129 K vs about 1125 K).
    """
    v = [_iea("ch4", "co", n=n).voltage for n in (30, 60, 120)]
    ratio = (v[0] - v[1]) / (v[1] - v[2])
    assert 1.6 < ratio < 2.4
    v_inf = v[2] - (v[1] - v[2]) / (ratio - 1.0)
    assert abs(v[0] - v_inf) < 3e-3


def test_voltage_mode_inverts_current_mode() -> None:
    """Solving at the voltage found in current mode returns the same current."""
    r = _iea("ch4", "counter")
    fuel, air, _ = benchmark_inlets("ch4")
    v = solve_thermal_cell(iea_electrochemistry(), length=0.1, width=0.1, n_segments=30,
                           fuel_inlet=fuel, air_inlet=air, fuel_inlet_temperature=T_IN,
                           air_inlet_temperature=T_IN, pressure=1e5, voltage=r.voltage,
                           flow="counter")
    assert v.current == pytest.approx(r.current, rel=1e-5)


def test_project_cell_parameters_adapter_and_speed() -> None:
    """ms-sofc-it cell with an ethanol-reformate-like fuel: closes, and < 1 s per point."""
    params = read_cell_parameters("ms-sofc-it")
    x = np.array([0.45, 0.30, 0.05, 0.12, 0.08, 0.0])
    current = 0.4e4 * 0.01
    fuel = current / (2 * 96485.33212 * 0.8 * (x[0] + x[2] + 4 * x[4])) * x
    air = current / (4 * 96485.33212) * 5 / 0.21
    t0 = time.perf_counter()
    r = solve_thermal_stack(params, area=0.01, n_segments=25, inlet_temperature=913.15,
                            pressure=101325.0, anode_inlet=fuel, air_inlet=air,
                            current=current, flow="counter")
    assert time.perf_counter() - t0 < 1.0
    assert r.fuel_utilisation == pytest.approx(0.8, rel=1e-9)
    assert abs(r.energy_residual) < 1e-6 * r.fuel_lhv_in
    assert 0.6 < r.voltage < 1.0
    assert r.air_outlet_temperature > 913.15
