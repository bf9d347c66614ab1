"""How the optimiser runs an SOFC (optimiser/formulate/components/sofc_unit.py, issue #30): hot
standby, cold starts, the start-up time, the thermal-cycle limit, stacks bought as they wear out,
whole units, and a plan whose stack life the twin refuses.

Every case is 1 MW of nameplate SOFC pinned on the SOFC-only site (tests/optimiser/data/
sofc_plan.yaml: 1 MW flat demand, grid 133.33 GBP/MWh off-peak and 266.67 GBP/MWh 08:00-20:00,
availability A = 0.9, USD -> GBP 0.787). With ρ̄ the life-average rating over a new stack's,
the hot capacity is at most A·ρ̄·K = 0.9·ρ̄ MW. Per MW of nameplate the default twin has
(``cnplan sofc life``): L = 30,258 h, ρ̄ = 0.90120, full-load fuel f(1) = 1.89677 per MW of
life-average power, hot standby s = 0.066760 MW of fuel and σ = 0.079444 MW of electricity,
a 41.1 h cold start burning 70.3 MWh.

Starts are studied on a light hot box (0.1 kJ/K per kW) with 10 W of controls, on a quick
twin (linear stack temperature, 10 segments: 3 s from cold): new rating 2.8414 kW, L = 32,584 h,
ρ̄ = 0.90120, f(1) = 1.76455, s = 0.062106, σ = (10 + 20 W)/2,841.4 W = 0.010558. A start
draws its site electricity in the hour the capacity becomes hot. ``fast``: 200 K/min, a
675 K/200 = 3.4 min start (τ = 1 h), 0.023806 MWh of fuel and 0.000198 MWh of electricity;
``slow``: 1.5 K/min, 7.5 h (τ = 8 h), 0.254958 MWh of fuel and 0.026395 MWh of electricity
(per MW of nameplate).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from optimiser.formulate.sofc_twin import SofcUnit, sofc_inputs
from plant.loader import read_plan

from .helpers import annual, run, write_plan

SOFC = "sofc_bioethanol"
PIN = {"technology": SOFC, "min_capacity_mw": 1.0, "max_capacity_mw": 1.0}
OFF_PEAK, PEAK = 400 / 3, 800 / 3
#: a light hot box with small controls on a quick twin; the heating rate sets the start time
LIGHT = {"n_segments": 10, "stack_thermal": "linear", "hot_box_heat_capacity_kj_per_k_per_kw": 0.1,
         "controls_w": 10.0}
FAST = {**LIGHT, "heat_up_rate_k_per_min": 200.0}
SLOW = {**LIGHT, "heat_up_rate_k_per_min": 1.5}


def _run(folder: Path, price: float, tech: dict[str, Any] | None = None,
         config: dict[str, Any] | None = None, **overrides: Any) -> Any:
    """1 MW pinned at an ethanol price [GBP/MWh], with SOFC fields and a twin config file."""
    tech = dict(tech or {})
    if config is not None:
        (folder / "sofc.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        tech["config"] = "sofc.yaml"
    plan = {"pins": [PIN], "fuels": {"bioethanol": {"price_per_mwh": price}}, **overrides}
    if tech:
        plan["technologies"] = {SOFC: tech}
    result = run(folder, plan, base="sofc_plan.yaml")
    assert result.outcome.status == "optimal"
    return result


def _unit(folder: Path, config: dict[str, Any] | None = None) -> SofcUnit:
    """The twin's figures for the SOFC of the base plan (with ``config``)."""
    tech = {}
    if config is not None:
        (folder / "sofc.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        tech = {SOFC: {"config": "sofc.yaml"}}
    path = write_plan(folder, {"technologies": tech} if tech else {}, base="sofc_plan.yaml",
                      name="unit.yaml")
    return sofc_inputs(read_plan(path))[SOFC]


@pytest.fixture(scope="module")
def default_unit(tmp_path_factory) -> SofcUnit:
    return _unit(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def fast_unit(tmp_path_factory) -> SofcUnit:
    return _unit(tmp_path_factory.mktemp("fast"), FAST)


@pytest.fixture(scope="module")
def slow_unit(tmp_path_factory) -> SofcUnit:
    return _unit(tmp_path_factory.mktemp("slow"), SLOW)


def _power(ds: Any) -> np.ndarray:
    return ds["dispatch"].sel(tech=SOFC, carrier="electricity").isel(year=0).values


def _standby_power(ds: Any, unit: SofcUnit) -> np.ndarray:
    """Site electricity of hot standby, σ/ρ̄·(H − U), by (period, hour) [MW]."""
    at = {"sofc": SOFC}
    idle = (ds["sofc_hot"].sel(at) - ds["sofc_online"].sel(at)).isel(year=0).values
    return unit.standby_electricity / unit.rated_ratio * idle


def _hot(ds: Any, unit: SofcUnit) -> np.ndarray:
    """Hot capacity H by (period, hour) [MW of life-average rating]; the unit runs at full
    load or not at all (checked)."""
    power = _power(ds)
    full = 0.9 * unit.rated_ratio
    assert np.all((np.abs(power) < 1e-7) | (np.abs(power - full) < 1e-7 * full))
    return ds["sofc_hot"].sel(sofc=SOFC).isel(year=0).values


def _starts(ds: Any) -> float:
    return float(ds["sofc_starts"].sel(sofc=SOFC).isel(year=0))


def _cold_spells(cold: np.ndarray) -> list[int]:
    """Lengths of the runs of cold hours of a representative day taken round (cyclic, as the
    start-up time rows take it: an overnight stop is one spell)."""
    if cold.all():
        return [len(cold)]
    first_hot = int(np.argmin(cold))
    spells, length = [], 0
    for c in np.roll(cold, -first_hot):
        if c:
            length += 1
        elif length:
            spells.append(length)
            length = 0
    return spells + ([length] if length else [])


def test_hot_standby_off_peak(tmp_path, default_unit: SofcUnit) -> None:
    """Ethanol at 110 GBP/MWh, default system. Peak: full load costs 110·f(1) = 208.64 GBP
    per MWh (last fit slope 110 × 2.22736 = 245.01) < 266.67, so it runs flat out,
    P = 0.9·ρ̄ = 0.81108 MW. Off-peak, per MW of hot life-average rating: standby costs
    (110·s + 133.33·σ)/ρ̄ = (7.3435 + 10.5925)/0.90120 = 19.90 GBP/h, the minimum load 0.3
    costs 110·f(0.3) − 0.3·133.33 = 65.89 − 40.00 = 25.89 GBP/h, and going cold is ruled out
    (τ = 42 h; a start burns 70.3/ρ̄ × 110 = 8,582 GBP per MW): it stays hot without power.
    (Prices between 98.6 and 119.7 GBP/MWh give the same pattern.)
    Fuel = 365 × 12 h × 0.9 × (ρ̄·f(1) + s) = 3,942 × (1.709359 + 0.066760) = 7,001.46 MWh,
    770,160.92 GBP; standby electricity 0.9·σ = 0.071499 MW for 4,380 h: 313.17 MWh; no
    start; 4,380 h in standby and 4,380 h at 90-100 %."""
    unit = default_unit
    new_w = unit.new_rated_kw * 1e3
    assert unit.standby_fuel == pytest.approx(150 / 0.85 / new_w, rel=1e-12)
    assert unit.standby_electricity == pytest.approx(210 / new_w, rel=1e-12)
    ds = _run(tmp_path, 110.0).results
    rho, f1 = unit.rated_ratio, float(unit.fit.fuel(1.0))
    peak = (np.arange(24) >= 8) & (np.arange(24) < 20)
    np.testing.assert_allclose(_power(ds)[:, peak], 0.9 * rho, rtol=1e-6)
    np.testing.assert_allclose(_power(ds)[:, ~peak], 0.0, atol=1e-7)
    np.testing.assert_allclose(_standby_power(ds, unit)[:, ~peak],
                               0.9 * unit.standby_electricity, rtol=1e-6)
    np.testing.assert_allclose(_standby_power(ds, unit)[:, peak], 0.0, atol=1e-7)
    fuel = 365 * 12 * 0.9 * (rho * f1 + unit.standby_fuel)
    assert fuel == pytest.approx(7001.46, abs=0.01)
    bought = float(ds["fuel_purchase"].sel(fuel="bioethanol").isel(year=0))
    assert bought == pytest.approx(fuel, rel=1e-6)
    assert float(ds["cost"].sel(cost_category="fuel").isel(year=0)) == pytest.approx(
        110 * fuel, rel=1e-6)
    standby = float(annual(ds, ds["consumption"].sel(tech=SOFC, carrier="electricity"))
                    .isel(year=0))
    assert standby == pytest.approx(365 * 12 * 0.9 * unit.standby_electricity, rel=1e-6)
    assert standby == pytest.approx(313.17, abs=0.01)
    assert _starts(ds) == pytest.approx(0.0, abs=1e-9)
    hours = ds["sofc_load_hours"].sel(sofc=SOFC).isel(year=0)
    assert float(hours.sel(sofc_load_band="standby")) == pytest.approx(4380, rel=1e-6)
    assert float(hours.sel(sofc_load_band="90-100 %")) == pytest.approx(4380, rel=1e-6)


def test_thermal_cycle_rule(tmp_path, fast_unit: SofcUnit) -> None:
    """The fast hot box, ethanol at 110 GBP/MWh: it runs flat out at peak (110·f(1) = 194.10
    GBP/MWh < 266.67). A night in standby costs, per MW of nameplate, 12 × (110·s + 133.33·σ)
    = 98.873 GBP; a start 110 × 0.023806 + 266.67 × 0.000198 (drawn at 08:00) = 2.671 GBP of
    fuel and electricity, and it wears 1/N_c of a stack (docs/optimiser.md, "SOFC"), a stack
    being φ·capex = 0.25 × 4000 × 0.787 × 1000 = 787,000 GBP per MW.

    * 10,000 cycles a stack: a start wears 78.7 GBP of stack (valued through the unworn-stack
      credit at the horizon's end, ≤ that), less than the night it saves: it goes cold every
      night, 365 starts a year (capacity started over the most that can be hot, A·ρ̄·K).
    * 200 cycles: a start wears 3,935 GBP of stack, forty times the night: it stays hot,
      no start (the cycle rule as a cost).
    * 200 cycles with free stacks (φ = 0): nothing prices the wear, and the yearly limit,
      200·0.9·8,760/L = 48.39 starts a year, binds (the cycle rule as a limit); against the
      same free stacks with 10,000 cycles the cost rises by (365 − 48.39) starts × 0.9 MW of
      nameplate started × (98.873 − 2.671) GBP = 27,412.49 GBP a year."""
    unit = fast_unit
    assert unit.start_hours < 1.0
    assert unit.max_starts_per_year == pytest.approx(200 * 0.9 * 8760 / unit.life_hours)
    cases = {}
    for label, tech in {"daily": {"thermal_cycles_per_stack": 10_000},
                        "worn": {"thermal_cycles_per_stack": 200},
                        "free_daily": {"thermal_cycles_per_stack": 10_000,
                                       "stack_replacement_fraction_of_capex": 0.0},
                        "capped": {"thermal_cycles_per_stack": 200,
                                   "stack_replacement_fraction_of_capex": 0.0}}.items():
        folder = tmp_path / label
        folder.mkdir()
        cases[label] = _run(folder, 110.0, tech, FAST).results
    assert _starts(cases["daily"]) == pytest.approx(365, rel=1e-6)
    np.testing.assert_allclose(_standby_power(cases["daily"], unit), 0.0, atol=1e-7)
    assert _starts(cases["worn"]) == pytest.approx(0.0, abs=1e-6)
    limit = 200 * 0.9 * 8760 / unit.life_hours
    assert limit == pytest.approx(48.39, abs=0.01)
    assert _starts(cases["free_daily"]) == pytest.approx(365, rel=1e-6)
    assert _starts(cases["capped"]) == pytest.approx(limit, rel=1e-6)
    night = 12 * (110 * unit.standby_fuel + OFF_PEAK * unit.standby_electricity)
    start = 110 * unit.start_fuel + PEAK * unit.start_electricity
    rise = (365 - limit) * 0.9 * (night - start)
    assert rise == pytest.approx(27_412.49, abs=0.01)

    def total(ds: Any) -> float:
        return float(ds["cost"].isel(year=0).sum())

    assert total(cases["capped"]) - total(cases["free_daily"]) == pytest.approx(rise, rel=1e-6)


def test_start_up_time(tmp_path, fast_unit: SofcUnit, slow_unit: SofcUnit) -> None:
    """The grid is cheap from 10:00 to 16:00 only (multiplier 0.25, mean 200: 61.54 GBP/MWh,
    246.15 otherwise); ethanol at 110 GBP/MWh (full load 194.10 GBP/MWh): the SOFC runs
    flat out 16:00-10:00. In the cheap 6 h, standby costs 6 × (110·s + 61.54·σ) = 44.89 GBP
    per MW of nameplate. The fast hot box (τ = 1 h) goes cold then: 365 starts a year. The
    slow one's start, 110 × 0.254958 + 246.15 × 0.026395 (at 16:00) = 34.54 GBP, is cheaper
    than the standby too, but it takes τ = 8 h > 6 h: cold for 6 h is forbidden; cold for
    8 h would also give up two dear hours (2 × (246.15 − 194.10) × ρ̄ = 93.8 GBP), so it stays
    hot: no cold spell shorter than τ (round the day), no start, standby 0.9·σ MW from 10:00
    to 16:00. Free stacks (φ = 0) and 10,000 cycles a stack, so that neither the wear of a
    start nor the cycle limit prices it: only the start-up time keeps it hot."""
    assert fast_unit.start_hours < 1.0
    assert slow_unit.start_hours == pytest.approx(7.5, rel=1e-12)
    dear = 4800 / 19.5
    standby = 6 * (110 * slow_unit.standby_fuel + 0.25 * dear * slow_unit.standby_electricity)
    start = 110 * slow_unit.start_fuel + dear * slow_unit.start_electricity
    assert standby == pytest.approx(44.89, abs=0.01)
    assert start == pytest.approx(34.54, abs=0.01)
    tou = {"time_of_use": [{"name": "midday", "hours": [10, 16], "multiplier": 0.25}]}
    window = (np.arange(24) >= 10) & (np.arange(24) < 16)
    tech = {"thermal_cycles_per_stack": 10_000, "stack_replacement_fraction_of_capex": 0.0}
    control = tmp_path / "fast"
    control.mkdir()
    fast = _run(control, 110.0, tech, FAST, grid=tou).results
    hot = _hot(fast, fast_unit)
    np.testing.assert_allclose(hot[:, window], 0.0, atol=1e-7)
    assert _starts(fast) == pytest.approx(365, rel=1e-6)
    slow = _run(tmp_path, 110.0, tech, SLOW, grid=tou).results
    full = 0.9 * slow_unit.rated_ratio
    hot = _hot(slow, slow_unit)
    tau = 8
    for day in hot:
        assert all(n >= tau for n in _cold_spells(day < full - 1e-6)), day
    np.testing.assert_allclose(hot, full, rtol=1e-6)
    np.testing.assert_allclose(_standby_power(slow, slow_unit)[:, window],
                               0.9 * slow_unit.standby_electricity, rtol=1e-6)
    assert _starts(slow) == pytest.approx(0.0, abs=1e-9)


def test_stacks_bought_as_they_wear_out(tmp_path, default_unit: SofcUnit) -> None:
    """Free fuel, flat capex 3,000 USD/kW, years 2025, 2030, 2035 (spans 5, 5, 1 years): it
    runs flat out, online 0.9·ρ̄ MW, a wear of 0.9 MW of nameplate × 8,760 h = 7,884 MWh a year
    against L = 30,257.96 h per MW of stack. The first stack comes with the capex; through
    2029 the wear is 5 × 7,884 = 39,420 = L·(1 + R₂₀₂₅): R₂₀₂₅ = 0.302797 MW, charged
    R·3,000·0.787·0.25·1000/5 = 0.302797 × 118,050 = 35,745.29 GBP a year; 2030 and 2035
    buy 7,884/L = 0.260560 MW a year each, 153,795.29 GBP a year."""
    life = default_unit.life_hours
    ds = _run(tmp_path, 0.0, {"capex_per_kw": 3000},
              finance={"investment_years": [2025, 2030, 2035]}).results
    assert ds["span"].values.tolist() == [5, 5, 1]
    price = 3000 * 0.787 * 0.25 * 1000
    first = 5 * 7884 / life - 1
    assert first == pytest.approx(0.302797, abs=1e-6)
    per_year = [first / 5, 7884 / life, 7884 / life]
    np.testing.assert_allclose(ds["sofc_stacks_bought"].sel(sofc=SOFC).values, per_year,
                               rtol=1e-6)
    stack = ds["cost"].sel(cost_category="stack_replacement").values
    np.testing.assert_allclose(stack, np.array(per_year) * price, rtol=1e-6)
    np.testing.assert_allclose(stack, [35_745.29, 153_795.29, 153_795.29], atol=0.01)


def test_whole_units(tmp_path, default_unit: SofcUnit, fast_unit: SofcUnit) -> None:
    """``commitment: true``, 0.25 MW units, ethanol at 110 GBP/MWh: the hot capacity is whole
    units of ρ̄·0.25 MW, at most the 4 units of 1 MW in an hour, and at most A·8,760 = 7,884
    unit-MW hours a year (ρ̄ MW each). Default system: 4 units hot all day would take
    8,760 h; the 4th unit cannot be started each morning (its 41 h start-up time); so 3 units
    are hot throughout: 3 × 0.25 × ρ̄ = 0.67590 MW flat out at peak and a standby draw of
    3 × 0.25 × σ = 0.059583 MW off-peak. The fast hot box goes cold every night instead, so
    all 4 units run at peak (ρ̄ = 0.90120 MW, 12 h × 365 = 4,380 h ≤ 7,884 h): 365 starts
    a year of the whole capacity."""
    units = {}
    for name, unit, config in (("default", default_unit, None), ("fast", fast_unit, FAST)):
        folder = tmp_path / name
        folder.mkdir()
        tech = {"commitment": True, "unit_size_mw": 0.25, "thermal_cycles_per_stack": 10_000}
        ds = _run(folder, 110.0, tech, config).results
        rho = unit.rated_ratio
        hot = ds["sofc_hot"].sel(sofc=SOFC).isel(year=0).values
        n = hot / (rho * 0.25)
        np.testing.assert_allclose(n, np.round(n), atol=1e-6)
        assert n.max() <= 4 + 1e-6
        hot_hours = float(ds["weight"].values @ n.sum(axis=1)) * 0.25  # nameplate MW·h
        assert hot_hours <= 0.9 * 8760 * 1.0 + 1e-6
        units[name] = (n, ds)
    peak = (np.arange(24) >= 8) & (np.arange(24) < 20)
    n, ds = units["default"]
    np.testing.assert_allclose(n, 3.0, atol=1e-6)
    np.testing.assert_allclose(_power(ds)[:, peak], 0.75 * default_unit.rated_ratio, rtol=1e-6)
    np.testing.assert_allclose(_standby_power(ds, default_unit)[:, ~peak],
                               0.75 * default_unit.standby_electricity, rtol=1e-6)
    n, ds = units["fast"]
    np.testing.assert_allclose(n[:, peak], 4.0, atol=1e-6)
    np.testing.assert_allclose(n[:, ~peak], 0.0, atol=1e-6)
    np.testing.assert_allclose(_power(ds)[:, peak], fast_unit.rated_ratio, rtol=1e-6)
    assert _starts(ds) == pytest.approx(365, rel=1e-6)


def test_a_stack_life_the_twin_refuses(tmp_path) -> None:
    """``stack_life_hours: 63000`` with the default twin (0.5 %/1000 h): at 63,000 h the stack
    keeps 57 % of its power, below the 80 % of ``end_of_life_power_loss`` 0.2 (whose life is
    30,258 h): ``cnplan plan`` exits 2 with one message naming the key, and writes nothing."""
    plan = write_plan(tmp_path, {"technologies": {SOFC: {"stack_life_hours": 63000}}},
                      base="sofc_plan.yaml")
    out = tmp_path / "out"
    cnplan = Path(sys.executable).with_name("cnplan")
    done = subprocess.run([str(cnplan), "plan", str(plan), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    text = done.stdout + done.stderr
    key = f"technologies.{SOFC}.stack_life_hours"
    assert text.count(key) == 1, text
    line = next(x for x in text.splitlines() if key in x)
    assert "57%" in line and "30,258 h" in line, line
    assert not (out / "results.nc").exists()


def test_verification_charges_wear_beyond_the_plan(tmp_path) -> None:
    """Ethanol at 66 GBP/MWh, 1 MW pinned, one year: every day of the hand case is the same,
    so the hourly verification must find the representative days' dispatch and cost again.
    Off-peak, running instead of standing by would save fuel and grid power but wear the
    stack 3,942 h a year more (≈ 97.6 kGBP of unworn stack at the horizon's end): the
    verification lets a year wear what the stock leaves, and charges the wear beyond the
    plan's at the credit it takes, so it stays as planned (before, the extra wear was free
    and the verified cost came out 5.8 % lower, 1,654,192 against 1,749,989 GBP)."""
    from optimiser import run_plan
    from optimiser.verify.hourly import verify

    pin = {"pins": [PIN], "fuels": {"bioethanol": {"price_per_mwh": 66.0}}}
    loaded = read_plan(write_plan(tmp_path, pin, base="sofc_plan.yaml"))
    run_ = run_plan(loaded, "repdays:2")
    verified = verify(loaded, run_.decisions, run_.results, jobs=1)
    assert run_.results.attrs["objective"] == pytest.approx(1_749_988.86, abs=0.01)
    assert verified.attrs["verified_objective"] == pytest.approx(
        run_.results.attrs["objective"], rel=1e-9)
