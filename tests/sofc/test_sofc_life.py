"""A stack over its life and the hot box between runs (sofc/life.py, issue #30): the stack
life from the end-of-life rule, the life-average unit, hot standby, cold start and
``cnplan sofc life``.

The default system's figures (docs/sofc.md, "Stack life"): 0.5 %/1000 h and a 20 % end-of-life
power loss give L = 30,258 h; the rated net AC power falls 2.643 -> 2.384 -> 2.115 kW over
0, L/2, L. Twin evaluations cost seconds, so the default system's life and curves are module
fixtures (and come from the disk cache the optimiser fills with the same calls); the
rate and rule comparisons use a cheap system (linear stack temperature, 10 segments).
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from cnplan.cli import app
from sofc import SofcInputError, SystemConfig, piecewise_fit, system_curve
from sofc.life import cold_start, hot_standby, life_average_curve, power_retained, stack_life

runner = CliRunner()


@pytest.fixture(scope="module")
def default() -> SystemConfig:
    return SystemConfig()


@pytest.fixture(scope="module")
def default_life(default: SystemConfig) -> float:
    return stack_life(default, 0.2)


@pytest.fixture(scope="module")
def default_curve(default: SystemConfig, default_life: float) -> xr.Dataset:
    """The twin at the ages 0, L/2, L, as optimiser/formulate/sofc_twin.py asks for it."""
    return system_curve(default, operating_hours=(0.0, 0.5 * default_life, default_life))


@pytest.fixture(scope="module")
def cheap() -> SystemConfig:
    """A quick twin (about 1.5 s a stack life from cold) for comparing lives."""
    return SystemConfig(n_segments=10, stack_thermal="linear")


@pytest.fixture(scope="module")
def cheap_life(cheap: SystemConfig) -> float:
    return stack_life(cheap, 0.2)


# 1. stack life from the end-of-life rule and the degradation rate


def test_life_is_where_the_stack_has_lost_the_end_of_life_share(
        default: SystemConfig, default_life: float) -> None:
    """At L the full-load net AC power is 80 % of a new stack's (Brent to 1 h: the power
    falls 6.6e-6 of new per hour, so to ~1e-5; tested to 1e-4). Net power falls faster than
    the voltage (inverter losses and balance of plant are fixed), so L is below the life at
    which the voltage has lost 20 %: ε/(d·10⁻⁵) = 0.2/(0.5·10⁻⁵) = 40,000 h. Default system:
    L = 30,258 h (docs/sofc.md)."""
    assert power_retained(default, default_life) == pytest.approx(0.8, abs=1e-4)
    assert default_life < 0.2 / (default.degradation_pct_per_kh * 1e-5)
    assert default_life == pytest.approx(30_258, abs=1.0)


def test_doubling_the_rate_halves_the_life(cheap: SystemConfig, cheap_life: float) -> None:
    """The twin ages a stack only through the voltage drop (d/100)(t/1000)·V₀ at the design
    current (sofc.system._ageing), a function of d·t: the stack at 2d and t is the stack at
    d and 2t, so L(2d) = L(d)/2 exactly in the model. What is left is Brent's 1 h tolerance
    on each life, so |L(d) − 2·L(2d)| ≤ 1 + 2·1 = 3 h (cheap system: 30,587 h at 0.5 %/1000 h,
    15,294 h at 1 %/1000 h)."""
    doubled = stack_life(cheap.model_copy(update={"degradation_pct_per_kh": 1.0}), 0.2)
    assert abs(cheap_life - 2.0 * doubled) <= 3.0
    assert doubled < cheap_life


def test_a_stricter_rule_gives_a_shorter_life(cheap: SystemConfig, cheap_life: float) -> None:
    """Replacing at 10 % power loss instead of 20 % shortens the life (cheap system: 15,554 h
    against 30,587 h; the power falls nearly linearly with age), and the stack keeps 90 %
    there."""
    stricter = stack_life(cheap, 0.1)
    assert stricter < cheap_life
    assert power_retained(cheap, stricter) == pytest.approx(0.9, abs=1e-4)


def test_no_degradation_has_no_life_from_the_rule(cheap: SystemConfig) -> None:
    """At 0 %/1000 h the stack never loses power: the rule gives no life, and the message
    says what to do instead. A loss outside (0, 1) is refused before the twin runs."""
    with pytest.raises(SofcInputError, match=r"keeps more than 80% of its power after "
                       r"200,000 h at 0 %/1000 h: give the stack life in hours instead"):
        stack_life(cheap.model_copy(update={"degradation_pct_per_kh": 0.0}), 0.2)
    for loss in (0.0, 1.0):
        with pytest.raises(SofcInputError, match=r"must be in \(0, 1\)"):
            stack_life(cheap, loss)


# 2. hot standby and cold start on hand numbers


def test_hot_standby(default: SystemConfig) -> None:
    """Default system: the burner covers the 150 W hot-box loss at η_b 0.85, fuel
    150/0.85 = 176.4706 W; the controls and the idle inverter draw 190 + 20 = 210 W. With an
    electric heater (η 0.98) the loss is 150/0.98 = 153.0612 W more electricity and no fuel:
    363.0612 W."""
    standby = hot_standby(default)
    assert standby.fuel_w == pytest.approx(150 / 0.85, rel=1e-12)
    assert standby.electricity_w == pytest.approx(190 + 20, rel=1e-12)
    electric = hot_standby(default.model_copy(update={"auxiliary_heat": "electric"}))
    assert electric.fuel_w == 0.0
    assert electric.electricity_w == pytest.approx(210 + 150 / 0.98, rel=1e-12)


def test_cold_start_limited_by_the_heating_rate(default: SystemConfig) -> None:
    """2 kW rated, a 100,075 W heater. C = 312.5 kJ/K/kW × 2 kW = 625,000 J/K; rise from 15 °C
    to T_op = 640 + 100/2 = 690 °C: 675 K, so C·rise = 421,875,000 J. At 5 K/min:
    675/5 = 135 min = 8,100 s; the heater alone would take 421,875,000/(100,075 − 75) =
    4,218.75 s, so the rate limits: t = 2.25 h. Heat 421,875,000 + 75 W × 8,100 s =
    422,482,500 J; fuel /0.85 = 497,038,235.29 J; electricity 190 W × 8,100 s = 1,539,000 J."""
    start = cold_start(default, 2000.0, 100_075.0)
    assert start.hours == pytest.approx(2.25, rel=1e-12)
    assert start.fuel_j == pytest.approx(422_482_500 / 0.85, rel=1e-12)
    assert start.electricity_j == pytest.approx(1_539_000, rel=1e-12)


def test_cold_start_limited_by_the_heater(default: SystemConfig) -> None:
    """2 kW rated, a 4,075 W heater: net of half the hot-box loss it gives 4,000 W, so
    t = 421,875,000/4,000 = 105,468.75 s = 29.296875 h (> 2.25 h at the rate). Heat
    421,875,000 + 75 × 105,468.75 = 429,785,156.25 J; fuel /0.85 = 505,629,595.59 J;
    electricity 190 × 105,468.75 = 20,039,062.5 J. A heater that cannot cover half the loss
    (75 W) is refused."""
    start = cold_start(default, 2000.0, 4075.0)
    assert start.hours == pytest.approx(105_468.75 / 3600, rel=1e-12)
    assert start.fuel_j == pytest.approx(429_785_156.25 / 0.85, rel=1e-12)
    assert start.electricity_j == pytest.approx(20_039_062.5, rel=1e-12)
    with pytest.raises(SofcInputError, match="cannot cover the hot-box loss"):
        cold_start(default, 2000.0, 75.0)


# 3. the life-average unit


def _hand_curve() -> xr.Dataset:
    """Three ages of a 2 kW stack: rated 2.0, 1.8, 1.6 kW (ρ 1, 0.9, 0.8), fuel per kW of
    the age's own rating f₀ = 0.3 + 1.5x, f½ = 0.35 + 1.6x, f_L = 0.4 + 1.7x, heat a tenth of
    the fuel, at x = 0.2 ... 1."""
    x = np.linspace(0.2, 1.0, 5)
    rated = np.array([2.0, 1.8, 1.6])
    f = np.array([0.3 + 1.5 * x, 0.35 + 1.6 * x, 0.4 + 1.7 * x])
    fuel = f * rated[:, None]
    dims = ("operating_hours", "load")
    return xr.Dataset(
        {"load_fraction": (dims, np.tile(x, (3, 1))), "power_kw": (dims, x * rated[:, None]),
         "fuel_kw": (dims, fuel), "heat_kw": (dims, 0.1 * fuel),
         "rated_power_kw": ("operating_hours", rated)},
        coords={"operating_hours": [0.0, 500.0, 1000.0], "load": np.arange(5)})


def test_life_average_of_a_hand_curve() -> None:
    """Simpson (1/6, 4/6, 1/6): ρ̄ = (1 + 4·0.9 + 0.8)/6 = 0.9, rated 0.9 × 2 = 1.8 kW;
    f̄(x) = Σ w·ρ_a·f_a(x)/ρ̄ = (0.313333 + 1.436667x)/0.9, so the fuel at x is
    1.8·f̄ = 2·(0.313333 + 1.436667x): 3.5 kW at full load, 1.201333 kW at x = 0.2."""
    avg = life_average_curve(_hand_curve(), 1000.0)
    assert float(avg["rated_ratio"]) == pytest.approx(0.9, rel=1e-12)
    assert float(avg["rated_power_kw"]) == pytest.approx(1.8, rel=1e-12)
    x = avg["load_fraction"].values
    np.testing.assert_allclose(avg["fuel_kw"].values, 2 * (47 / 150 + 431 / 300 * x), rtol=1e-12)
    np.testing.assert_allclose(avg["power_kw"].values, 1.8 * x, rtol=1e-12)
    assert float(avg["fuel_kw"].values[-1]) == pytest.approx(3.5, rel=1e-12)
    np.testing.assert_allclose(avg["heat_kw"].values, 0.1 * avg["fuel_kw"].values, rtol=1e-12)
    with pytest.raises(SofcInputError, match="lacks the stack ages"):
        life_average_curve(_hand_curve(), 2000.0)


def test_life_average_of_the_twin(default_curve: xr.Dataset, default_life: float) -> None:
    """The twin's ages: ρ̄ = (1 + 4ρ½ + ρ_L)/6 with ρ_a the age's rated power over new
    (2.384/2.643 = 0.902, 2.115/2.643 = 0.800: ρ̄ = 0.9012); the averaged fuel per kW of
    rating at each power fraction x lies between the new and the end-of-life stack's (which
    burns more); the convex fit of it has a full-load net AC efficiency of 52.7 % ≥ 50 % LHV
    (issue #30, "Done when")."""
    avg = life_average_curve(default_curve, default_life)
    rated = default_curve["rated_power_kw"].values
    rho = rated / rated[0]
    assert float(avg["rated_ratio"]) == pytest.approx((rho[0] + 4 * rho[1] + rho[2]) / 6,
                                                      rel=1e-12)
    assert float(avg["rated_ratio"]) == pytest.approx(0.9012, abs=1e-3)
    assert float(avg["rated_power_kw"]) == pytest.approx(float(avg["rated_ratio"]) * rated[0],
                                                         rel=1e-12)
    x = avg["load_fraction"].values
    mean = avg["fuel_kw"].values / float(avg["rated_power_kw"])
    ends = []
    for age in (0, 2):
        s = default_curve.isel(operating_hours=age)
        ends.append(np.interp(x, s["load_fraction"].values,
                              s["fuel_kw"].values / float(s["rated_power_kw"])))
    new, old = ends
    assert np.all(old > new)
    assert np.all(mean >= new - 1e-12) and np.all(mean <= old + 1e-12)
    assert np.all((mean > new) & (mean < old))
    fit = piecewise_fit(avg, min_power_fraction=0.3)
    assert 1.0 / float(fit.fuel(1.0)) >= 0.50
    assert 1.0 / float(fit.fuel(1.0)) == pytest.approx(0.5272, abs=1e-3)


# 4. the command line


@pytest.fixture(scope="module")
def life_json(default_life: float) -> dict:
    result = runner.invoke(app, ["sofc", "life", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_life(life_json: dict, default_life: float) -> None:
    """``cnplan sofc life --json``: the default system's life (30,258 h) keeps ≥ 80 % of its
    power (0.8000016: Brent's root lies on the safe side here); life-average ratio 0.9012 and
    efficiency 52.7 %; hot standby 176.47 W fuel and 210 W electricity over 2,643.4 W new
    (0.06676, 0.07944 per kW); a 41.1 h cold start, heater-limited."""
    out = life_json
    assert out["stack_life_hours"] == pytest.approx(default_life, rel=1e-12)
    assert out["power_kept_at_end_of_life"] >= 0.80
    assert out["power_kept_at_end_of_life"] == pytest.approx(0.8, abs=1e-4)
    assert out["life_average_power_ratio"] == pytest.approx(0.9012, abs=1e-3)
    assert out["life_average_rated_efficiency"] >= 0.50
    new_w = out["rated_power_new_kw"] * 1e3
    assert out["hot_standby_fuel_per_kw"] == pytest.approx(150 / 0.85 / new_w, rel=1e-12)
    assert out["hot_standby_electricity_per_kw"] == pytest.approx(210 / new_w, rel=1e-12)
    assert out["cold_start_hours"] > 675 / 5 / 60


def test_cli_curve_over_the_life(tmp_path, life_json: dict) -> None:
    """``cnplan sofc curve --hours 0 --hours L``: the full-load table's row at the life
    (30,258 h) is ≥ 0.80 of the first (printed 0.800), and so is the CSV's full-load power
    (2.115/2.643 kW). Two loads only: the full-load row is what is checked."""
    life = life_json["stack_life_hours"]
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["sofc", "curve", "--hours", "0", "--hours", repr(life),
                                 "--out", str(out), "--n-points", "2"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if f"{life:,.0f}" in line]
    assert len(rows) == 1, result.stdout
    cells = [c.strip() for c in rows[0].replace("│", "|").split("|") if c.strip()]
    assert float(cells[2]) >= 0.80, rows[0]
    with out.open() as f:
        full = {float(r["operating_hours"]): float(r["power_kw"]) for r in csv.DictReader(f)
                if float(r["load_fraction"]) == pytest.approx(1.0)}
    assert sorted(full) == pytest.approx([0.0, life], abs=0.5)  # written to 6 figures
    assert full[max(full)] / full[0.0] >= 0.80
