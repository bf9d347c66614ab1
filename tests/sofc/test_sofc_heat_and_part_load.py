"""Part load from 10 % for every parameter set, heat integration by pinch analysis, and the
heat line the optimiser receives (issue: SOFC twin fidelity, items 3-5; docs/sofc.md)."""

import numpy as np
import pytest

from sofc import SystemConfig, evaluate_system, piecewise_fit, system_curve
from sofc.curves import heat_line_under, thermal_min_load
from sofc.heat_integration import (
    Stream,
    flue_enthalpy,
    heat_cascade,
    water_saturation_pressure,
)
from sofc.params import packaged_parameter_sets, read_cell_parameters

LOADS = np.linspace(0.1, 1.0, 19)
# stack inlet temperature inside each packaged set's validity range (100 K rise on top)
INLET_C = {"ms-sofc-it": 640.0, "asc-ysz-aguiar2004": 700.0, "esc-scsz-kazempoor2014": 760.0}


def _constant_cp(cp: float, lo: float, hi: float, contribution: float, hot: bool) -> Stream:
    return Stream(lambda t: cp * t, np.array([lo]), np.array([hi]), contribution, hot)


def test_problem_table_hand_case() -> None:
    """Four streams, ΔTmin 10 K (5 K each), CP in kW/K; problem table worked by hand:

    hot 250->40 CP 15, hot 200->80 CP 25, cold 20->180 CP 20, cold 140->230 CP 30.
    Shifted intervals 245/235/195/185/145/75/35/25 give surpluses +150, -600, +100, -400,
    +1400, -200, -200 kW; the cascade 150, -450, -350, -750, 650, 450, 250 needs
    Q_H = 750 kW, leaves Q_C = 1000 kW, and the pinch is at 145 (hot 150, cold 140).
    """
    streams = [_constant_cp(15, 40, 250, 5, True), _constant_cp(25, 80, 200, 5, True),
               _constant_cp(20, 20, 180, 5, False), _constant_cp(30, 140, 230, 5, False)]
    c = heat_cascade(streams)
    assert c.hot_utility[0] == pytest.approx(750.0, abs=1e-9)
    assert c.gcc[0, -1] == pytest.approx(1000.0, abs=1e-9)
    assert c.grid[np.argmin(c.gcc[0])] == pytest.approx(145.0)


def test_sink_capacity_hand_case() -> None:
    """A hot stream CP 10 from 200 to 50 (no approach) can heat a sink from 60 to 100 with
    all it releases above 60: 10 x 140 = 1400; a sink from 20 to 40 takes everything (1500)
    ... but no more than the stream releases, so the 20->40 sink gets 1500."""
    c = heat_cascade([_constant_cp(10, 50, 200, 0, True)])
    assert c.sink_capacity(100.0, 60.0, 0.0)[0] == pytest.approx(1400.0, rel=1e-9)
    assert c.sink_capacity(40.0, 20.0, 0.0)[0] == pytest.approx(1500.0, rel=1e-9)


def test_water_saturation_and_condensing_flue() -> None:
    """p_sat of water (NIST steam tables): 7.384 kPa at 40 degC, 101.325 kPa at 100 degC;
    a flue of 1 mol/s H2O + 4 mol/s N2 at 1 atm cooled to 40 degC keeps
    4 x 7.384/(101.325 - 7.384) = 0.3144 mol/s as vapour and releases the latent heat of the
    rest, 0.6856 mol/s x 43.35 kJ/mol (h_fg 2406 kJ/kg at 40 degC), beyond sensible heat."""
    assert water_saturation_pressure(np.array(313.15)) == pytest.approx(7384.0, rel=0.01)
    assert water_saturation_pressure(np.array(373.15)) == pytest.approx(101325.0, rel=0.005)
    flows = np.array([[1.0, 4.0]])
    wet = flue_enthalpy(flows, ("H2O", "N2"), 101325.0)
    dry = flue_enthalpy(np.array([[1e-12, 4.0]]), ("H2O", "N2"), 101325.0)
    t = np.array([[313.15]])
    from sofc.thermo import nasa_table

    h_vap = float(nasa_table(("H2O",)).enthalpy(313.15)[0])
    latent = (dry(t) + 1.0 * h_vap - wet(t))[0, 0]
    assert latent == pytest.approx(0.6856 * 43.35e3, rel=0.015)


@pytest.mark.parametrize("name", packaged_parameter_sets())
def test_part_load_converges_from_10_percent(name: str) -> None:
    """Every packaged parameter set solves from 10 % to 100 % of the design current, and the
    curve states its minimum load (thermal or balance of plant) instead of failing."""
    cfg = SystemConfig(cell_parameters=name, stack_inlet_temperature_c=INLET_C[name])
    res = evaluate_system(cfg, LOADS)
    assert np.all(np.isfinite(res.cell_voltage)) and np.all(res.cell_voltage > 0)
    assert np.all(np.diff(res.fuel) > 0)
    params = read_cell_parameters(name)
    low = thermal_min_load(cfg, params)
    assert cfg.min_load_fraction <= low < 1.0
    needs_heat = res.auxiliary_fuel > 1e-6 * res.fuel
    # below the thermal minimum load the system needs heat, at and above it none
    assert not np.any(needs_heat[LOADS >= low + 1e-9])
    if low > cfg.min_load_fraction:
        assert np.all(needs_heat[LOADS < low - 0.002])


def test_curve_states_its_minimum_load(tmp_path, monkeypatch) -> None:
    """The curve starts at its minimum load and says which limit set it."""
    monkeypatch.setenv("CNPLAN_CACHE_DIR", str(tmp_path))
    ds = system_curve(SystemConfig(), n_points=6, operating_hours=(0.0, 20000.0))
    assert float(ds["load"][0]) == pytest.approx(ds.attrs["min_load"])
    assert ds.attrs["min_load"] == pytest.approx(float(ds.min_load_thermal.max()))
    assert ds.attrs["min_load_limit"].startswith("thermal")
    assert float(ds.auxiliary_fuel_kw.max()) == pytest.approx(0.0, abs=1e-9)


def _composites_feasible(streams: list[Stream], hot_utility: np.ndarray) -> np.ndarray:
    """Smallest gap [W] between the shifted cold and hot composite curves (>= 0 if every
    match keeps its approach), built independently of the problem table on a 0.1 K grid."""
    lo = min(np.min(s.t_low) for s in streams) - 50.0
    hi = max(np.max(s.t_high) for s in streams) + 50.0
    grid = np.arange(lo, hi, 0.1)
    hot = cold = 0.0
    for s in streams:
        shift = -s.contribution if s.hot else s.contribution
        t = np.clip(grid[None, :] - shift, s.t_low[:, None], s.t_high[:, None])
        h = s.enthalpy(t) - s.enthalpy(s.t_low[:, None])
        if s.hot:
            hot = hot + h
        else:
            cold = cold + h
    cold_utility = hot[:, -1] + hot_utility - cold[:, -1]
    # heat released by hot streams below T' must fit under what cold streams absorb below T'
    # plus what leaves to the cold utility
    return np.min(cold + cold_utility[:, None] - hot, axis=1)


def _largest_heat_per_kelvin(s: Stream) -> np.ndarray:
    t = np.linspace(s.t_low, s.t_high, 400).T  # (M, 400)
    return np.max(np.abs(np.diff(s.enthalpy(t), axis=1)) / np.maximum(np.diff(t, axis=1), 1e-9),
                  axis=1)


def test_heat_cascade_keeps_every_approach_at_every_load() -> None:
    """Pinch check at every load from 10 % to 100 %: with the process sink included, the
    hot composite lies above the cold one by every stream pair's minimum approach (shifted
    composites never cross), using no more external heat than the model buys."""
    cfg = SystemConfig()
    res = evaluate_system(cfg, LOADS)
    streams = list(res.heat_streams)
    gap = _composites_feasible(streams, res.auxiliary_fuel * cfg.auxiliary_burner_efficiency)
    # the problem table places heat within its 1 K intervals: the curves may cross by at most
    # the heat the streams carry over 1 K (the reformer duty, taken over 1 K at the reformer
    # temperature, is far from the pinch and left out of this bound)
    one_kelvin = sum(_largest_heat_per_kelvin(s) for s in streams
                     if np.all(s.t_high - s.t_low > 2.0))
    assert np.all(gap >= -one_kelvin)


def test_condensing_sink_recovers_latent_heat() -> None:
    """A sink returning below the flue dew point (20 degC) gets more heat than one
    returning above it (at minimum load the dew point is near 60 degC), and every figure
    stays within the fuel's energy."""
    warm = evaluate_system(SystemConfig(heat_return_temperature_c=62.0,
                                        heat_supply_temperature_c=80.0), [0.3, 1.0])
    cold = evaluate_system(SystemConfig(heat_return_temperature_c=20.0,
                                        heat_supply_temperature_c=45.0), [0.3, 1.0])
    assert np.all(cold.dew_point > 293.15)
    assert np.all(cold.heat > warm.heat)
    assert np.all(cold.power + cold.heat_available < cold.fuel)


def test_heat_line_never_above_the_twin() -> None:
    """The optimiser's heat bound lies at or below every twin sample it is fitted over and is
    not negative at the lowest load (no hidden minimum load); its error is reported."""
    x = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    q = np.array([0.0, 0.05, 0.12, 0.22, 0.35])  # convex, like the twin's heat
    slope, intercept = heat_line_under(x, q)
    assert np.all(slope * x + intercept <= q + 1e-12)
    assert slope * x[0] + intercept >= -1e-12
    curve = system_curve(SystemConfig(), n_points=12, operating_hours=(0.0,), cache=False)
    for floor in (0.0, 0.3):
        fit = piecewise_fit(curve, min_power_fraction=floor)
        xs = curve.power_kw.values[0] / fit.rated_power_kw
        qs = curve.heat_kw.values[0] / fit.rated_power_kw
        start = max(floor, xs[0])
        run = xs >= start - 1e-12
        line = fit.heat_slope * xs[run] + fit.heat_intercept
        assert np.all(line <= qs[run] + 1e-12)
        assert fit.heat_slope * start + fit.heat_intercept >= -1e-12
        assert fit.heat_max_error >= float(np.max(qs[run] - line)) - 1e-12


@pytest.mark.parametrize("flow", ["co", "counter"])
def test_energy_balance_stack_holds_its_allowed_temperature(flow: str, monkeypatch) -> None:
    """With the stack temperature from its energy balance (the default), the air is sized
    so that the hottest solid point is the allowed T_in + 100 K (to the 0.5 K tolerance of
    the air search) wherever more air than the minimum is needed; at low load the air is
    preheated instead (up to T_in + 200 K, then more of it), and every load from 10 %
    converges."""
    import sofc.system as system
    from sofc.hotbox import operate_energy_balance

    seen: dict[str, object] = {}

    def spy(*args, **kwargs):
        op = operate_energy_balance(*args, **kwargs)
        seen["op"] = op
        return op

    cfg = SystemConfig(stack_flow=flow)
    monkeypatch.setattr(system, "operate_energy_balance", spy)
    res = evaluate_system(cfg, LOADS)
    op = seen["op"]
    t_limit = cfg.stack_inlet_temperature_c + 273.15 + cfg.stack_temperature_rise_k
    sized = res.air_ratio > cfg.min_air_ratio + 1e-9
    assert np.any(sized) and np.any(~sized)
    np.testing.assert_allclose(op.max_solid_temperature[sized], t_limit, atol=0.5)
    assert np.all(op.max_solid_temperature <= t_limit + 0.5)
    # preheated air comes at the least flow, or at the hottest allowed inlet (T_limit +
    # 100 K) with more air than the least
    t_in = cfg.stack_inlet_temperature_c + 273.15
    preheated = res.air_inlet_temperature > t_in + 1.0
    at_cap = np.isclose(res.air_inlet_temperature, t_limit + 100.0)
    assert np.all(~sized[preheated] | at_cap[preheated])
    assert np.all(res.air_inlet_temperature <= t_limit + 100.0 + 1e-9)


def test_energy_balance_cell_closes_the_first_law() -> None:
    """The channel model with a hot-box loss: enthalpy in - out - V I - Q_loss = 0 to 1e-6
    of the power, at the system's design point (kinetic reforming, metal-supported cell)."""
    from sofc.thermal import solve_thermal_stack

    params = read_cell_parameters()
    fuel = np.array([9.07e-5, 7.99e-5, 9.64e-6, 3.07e-5, 2.06e-5, 0.0])
    res = solve_thermal_stack(params, area=0.01, n_segments=30, inlet_temperature=913.15,
                              pressure=101325.0, anode_inlet=fuel, air_inlet=2.5e-3,
                              current=30.0, heat_loss=1.25)
    assert abs(res.energy_residual) < 1e-6 * res.voltage * res.current
