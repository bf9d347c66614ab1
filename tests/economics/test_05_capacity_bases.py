"""Item 5 (issue 11): capacity and cost bases.

* SOFC capacity is nameplate (new-stack) power, the basis of its price per kW; the power a
  half-aged stack has lost derates what the capacity delivers (online ≤ A·ρ·K), not its price.
* Stack replacements are charged per operating hour: c̄·φ·1000/H_stack per nameplate MW online
  per hour.
* Battery energy capacity and ``capex_per_kwh`` are per usable kWh; ``usable_fraction`` no
  longer scales what can be stored (it made second-life storage cost 1/u of its price).
* Thermal storage has a power rating bounded by its duration range (it charged and
  discharged at any rate for free).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.pipeline import sofc_inputs
from plant.loader import read_plan

from ..optimiser.helpers import DATA, annual, run
from ..optimiser.test_hand_cases import TWO_PRICE_DAY, adue


def _mid_life_ratio() -> float:
    fits, curves = sofc_inputs(read_plan(DATA / "sofc_plan.yaml"))
    new = float(curves["sofc_bioethanol"]["rated_power_kw"].sel(operating_hours=0.0))
    return fits["sofc_bioethanol"].rated_power_kw / new


def test_sofc_capacity_is_nameplate_and_ageing_derates_output(tmp_path) -> None:
    """1 MW (nameplate) of SOFC pinned, free fuel, the grid dearer: it runs flat out, which
    is A·ρ·K = 0.9 × ρ × 1 MW in every hour, ρ = 2.0922/2.6434 = 0.7915 the full-load power of
    the twin's stack at half its 63,000 h life over a new stack's. (Before, K was the
    mid-life rating: 0.9 MW out of "1 MW", so a price per nameplate kW bought 26 % more.)
    Stack replacement per nameplate MW online (U/ρ = 0.9 MW): 8760 h × 0.9 MW × 4000 USD/kW ×
    0.787 GBP/USD × 0.25 × 1000 / 63,000 h = 98,487.43 GBP a year."""
    rho = _mid_life_ratio()
    assert rho == pytest.approx(0.7915, abs=1e-3)
    pin = {"technology": "sofc_bioethanol", "min_capacity_mw": 1.0, "max_capacity_mw": 1.0}
    result = run(tmp_path, {"pins": [pin], "fuels": {"bioethanol": {"price_per_mwh": 0}}},
                 base="sofc_plan.yaml")
    ds = result.results
    assert result.outcome.status == "optimal"
    power = ds["dispatch"].sel(tech="sofc_bioethanol", carrier="electricity", year=2025)
    np.testing.assert_allclose(power.values, 0.9 * rho, rtol=1e-6)
    stack = float(ds["cost"].sel(cost_category="stack_replacement", year=2025))
    assert stack == pytest.approx(8760 * 0.9 * 4000 * 0.787 * 0.25 * 1000 / 63000, rel=1e-6)


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
