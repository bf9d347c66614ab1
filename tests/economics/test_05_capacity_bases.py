"""Item 5 (issue 11): capacity and cost bases.

* SOFC capacity is nameplate (new-stack) power, the basis of its price per kW; the power
  stacks lose as they age derates what the capacity delivers (online ≤ A·ρ̄·K, ρ̄ the
  life-average rating over a new stack's), not its price.
* Stacks are charged per stack bought when the stacks in service are worn out (issue #30;
  tests/optimiser/test_sofc_operation.py), no longer per operating hour.
* Battery energy capacity and ``capex_per_kwh`` are per usable kWh; ``usable_fraction`` no
  longer scales what can be stored (it made second-life storage cost 1/u of its price).
* Thermal storage has a power rating bounded by its duration range (it charged and
  discharged at any rate for free).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.formulate.sofc_twin import sofc_inputs
from plant.loader import read_plan

from ..optimiser.helpers import DATA, annual, run
from ..optimiser.test_hand_cases import TWO_PRICE_DAY, adue


def test_sofc_capacity_is_nameplate_and_ageing_derates_output(tmp_path) -> None:
    """1 MW (nameplate) of SOFC pinned, free fuel, the grid dearer: it runs flat out, which
    is A·ρ̄·K = 0.9 × ρ̄ × 1 MW = 0.81108 MW in every hour, ρ̄ = 0.9012 the twin's life-average
    full-load power over a new stack's (Simpson over the ages 0, L/2, L of its 30,258 h life),
    while the capex is for the full nameplate MW: 1 MW × 4,000 USD/kW × 0.787 GBP/USD × 1000 =
    3,148,000 GBP. (Before, K was the mid-life rating: 0.9 MW out of "1 MW", so a price per
    nameplate kW bought more.) Stacks are charged per stack bought: this base models the single
    year 2025 (a span of 1 year), whose wear 0.9 MW × 8,760 h = 7,884 nameplate-MWh is within
    the 30,258 h of the first stack, which the capex pays for: no replacement is bought, and
    the stack charge is 0."""
    unit = sofc_inputs(read_plan(DATA / "sofc_plan.yaml"))["sofc_bioethanol"]
    rho = unit.rated_ratio
    assert rho == pytest.approx(0.9012, abs=1e-3)
    assert 0.9 * 8760 < unit.life_hours
    pin = {"technology": "sofc_bioethanol", "min_capacity_mw": 1.0, "max_capacity_mw": 1.0}
    result = run(tmp_path, {"pins": [pin], "fuels": {"bioethanol": {"price_per_mwh": 0}}},
                 base="sofc_plan.yaml")
    ds = result.results
    assert result.outcome.status == "optimal"
    assert ds["span"].values.tolist() == [1]
    assert float(ds["capacity"].sel(tech="sofc_bioethanol", year=2025)) == pytest.approx(1.0)
    assert float(ds["cost"].sel(cost_category="capex", year=2025)) == pytest.approx(
        4000 * 0.787 * 1000, rel=1e-9)
    power = ds["dispatch"].sel(tech="sofc_bioethanol", carrier="electricity", year=2025)
    np.testing.assert_allclose(power.values, 0.9 * rho, rtol=1e-6)
    assert float(ds["sofc_stacks_bought"].sel(sofc="sofc_bioethanol", year=2025)) == (
        pytest.approx(0.0, abs=1e-9))
    stack = float(ds["cost"].sel(cost_category="stack_replacement", year=2025))
    assert stack == pytest.approx(0.0, abs=1e-6)


def test_battery_price_is_per_usable_kwh(tmp_path) -> None:
    """The arbitrage battery of test_hand_cases (100 GBP per kWh, RTE 0.81, life 10) with
    usable_fraction 0.8 costs what it costs with 1.0: its energy capacity E = 13.333 MWh is
    usable energy, priced at 100 GBP/kWh. NPC = 489,370.370 + 1,333,333.3/ä(10) = 653,820.62
    (it was 1.25 × the energy capex with u = 0.8)."""
    battery = {"kind": "battery", "capex_per_kwh": 100, "round_trip_efficiency": 0.81,
               "lifetime_years": 10, "usable_fraction": 0.8, "second_life": True}
    result = run(tmp_path, {"technologies": {"battery": battery}, "grid": TWO_PRICE_DAY})
    energy = 12 / 0.9
    expected = 365 * 50 * (12 + 12 / 0.81) + energy * 100 * 1000 / adue(10)
    assert result.outcome.objective == pytest.approx(expected, rel=1e-6)
    assert float(result.results["energy_capacity"].sel(tech="battery", year=2025)) == (
        pytest.approx(energy, rel=1e-6))


def test_thermal_store_power_is_bounded_by_its_duration(tmp_path) -> None:
    """A flat 1 MW heat demand, a free electric boiler (η 1) and a hot-water store (10 GBP
    per kWh, no standing loss, E ≥ 6 h × P) under a 4-hour evening peak (20-24 h at 3 × the
    off-peak price, 75 → 225 GBP/MWh). Serving the peak from store needs 4 MWh and 1 MW of
    discharge; 1 MW needs E ≥ 6 MWh, so E = 6 MWh and P = 1 MW: the duration bound binds
    (before, the power rating was free and unbounded, and E was 4 MWh)."""
    heat = {"heat_low": {"temperature_c": 60, "annual_mwh": 8760, "constant_share": 1.0}}
    boiler = {"kind": "electric_heater", "serves": ["heat_low"], "efficiency": 1.0,
              "lifetime_years": 20}
    store = {"kind": "thermal_storage", "heat_class": "heat_low", "capex_per_kwh": 10,
             "loss_per_hour": 0.0, "min_duration_h": 6, "max_duration_h": 24,
             "lifetime_years": 40}
    tou = {"time_of_use": [{"name": "peak", "hours": [20, 24], "multiplier": 3}]}
    result = run(tmp_path, {"demand": {"heat": heat},
                            "technologies": {"boiler": boiler, "store": store}, "grid": tou})
    ds = result.results
    assert result.outcome.status == "optimal"
    energy = float(ds["energy_capacity"].sel(tech="store", year=2025))
    power = float(ds["capacity"].sel(tech="store", year=2025))
    assert energy == pytest.approx(6.0, rel=1e-6)
    assert power == pytest.approx(1.0, rel=1e-6)
    out = ds["dispatch"].sel(tech="store", carrier="heat_low", year=2025)
    assert float(np.abs(out).max()) <= power * (1 + 1e-9)
    # the store serves the whole peak (its net output there, 4 MWh a day); off the peak a
    # lossless store may also cycle at no cost, so its total output is not unique
    peak = out.sel(hour=slice(20, 23))
    assert float(annual(ds, peak)) == pytest.approx(365 * 4, rel=1e-6)
