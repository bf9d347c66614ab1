"""Plans that serve every hour (issue 27): stress days kept by construction, and the
shortfall iteration that re-plans with the days an hourly verification found short
(docs/optimiser.md, "Adequacy")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnplan.runs import plan_adequate
from optimiser import Resolution
from plant.loader import read_plan
from tests.optimiser.helpers import run, write_csv, write_plan

#: the cold day: heat demand 3 MW all day instead of 1 MW (day 40 = 10 February)
COLD_DAY = 40


def cold_snap_plan(folder: Path, stress_days: bool = True) -> dict[str, Any]:
    """Plan overrides (on base.yaml): 1 MW of ``heat_low`` every hour except one cold day
    at 3 MW (8760 + 48 MWh a year), served only by electric heaters (efficiency 1,
    100 GBP/kW) built in 2025. Every other day is the same, so two typical days can only
    see the cold day if it is kept as a period of its own: without it the heaters are sized
    at the typical day's top, 1 MW + 48 MWh / (days in its cluster) × 1 h⁻¹ (the
    distribution-preserving day puts the top of its cluster's duration curve in one hour)."""
    heat = np.ones(8760)
    heat[COLD_DAY * 24:(COLD_DAY + 1) * 24] = 3.0
    return {
        "profiles": {"csv": {"heat_low": write_csv(folder, "heat_low", heat)},
                     "aggregation": {"stress_days": stress_days}},
        "demand": {"heat": {"heat_low": {"annual_mwh": float(heat.sum()),
                                         "constant_share": 1.0, "temperature_c": 60}}},
        "technologies": {"eh": {"kind": "electric_heater", "serves": ["heat_low"],
                                "efficiency": 1.0, "capex_per_kw": 100, "lifetime_years": 25}},
    }


def heater_mw(ds: Any) -> float:
    return float(ds["capacity"].sel(tech="eh").max())


def test_a_peak_outside_the_typical_days_is_served_without_verification(tmp_path):
    """With stress days (the default) the heaters are sized for the cold day's 3 MW at two
    typical days; without them the plan builds less and the hour-by-hour check would find
    the cold day short (the case the stress days are for)."""
    kept = run(tmp_path, cold_snap_plan(tmp_path))
    assert heater_mw(kept.results) == pytest.approx(3.0, rel=1e-6)
    assert (kept.results["stress_day"].values == COLD_DAY).sum() == 1
    plain = run(tmp_path, cold_snap_plan(tmp_path, stress_days=False))
    assert heater_mw(plain.results) < 2.9


def _adequate(folder: Path, max_rounds: int) -> tuple[Any, Any, Any]:
    loaded = read_plan(write_plan(folder, cold_snap_plan(folder, stress_days=False)))
    return plan_adequate(loaded, Resolution.parse("repdays:2"), None, "auto",
                         lambda _: None, jobs=1, max_rounds=max_rounds)


def test_the_shortfall_iteration_adds_the_day_found_short(tmp_path):
    """Without stress days the first plan leaves (3 − C) MW × 24 h of the cold day unserved
    hour by hour; the iteration keeps that day, re-plans once and then serves every hour
    with 3 MW of heaters."""
    last, grid, report = _adequate(tmp_path, max_rounds=3)
    assert report.adequate and report.stopped == "adequate"
    first, second = report.rounds
    assert first["extra_days"] == [] and first["unserved_mwh"] > 1.0
    assert second["extra_days"] == [COLD_DAY] and second["unserved_mwh"] <= 1e-3
    assert grid.extra_days == (COLD_DAY,)
    assert heater_mw(last.results) == pytest.approx(3.0, rel=1e-6)
    assert float(last.results["verified_unserved"].sum()) <= 1e-3
    assert last.adequacy == report.as_dict() and report.as_dict()["replans"] == 1
    assert "after 1 re-plan" in report.message()


def test_the_shortfall_iteration_stops_and_says_so(tmp_path):
    """With no re-plan allowed the iteration stops after the first verification, says that
    the limit was reached and how much is still unserved: 24 h × (3 − C) MW."""
    last, grid, report = _adequate(tmp_path, max_rounds=0)
    assert not report.adequate and report.stopped == "max_rounds"
    assert grid.extra_days == ()
    short = 24 * (3.0 - heater_mw(last.results))
    assert report.rounds[-1]["unserved_mwh"] == pytest.approx(short, rel=1e-6)
    assert "still unserved after 0 re-plan(s): the re-plan limit was reached" in \
        report.message()


def test_a_fleet_retiring_inside_a_span_is_replaced_by_construction(tmp_path):
    """The retiring heaters (:func:`retiring_heater_plan`): 1 MW of old heaters alive until
    2026 inside 2025's span (2025-2029). Counted for their share of the span (0.4 MW) they
    leave 0.6 MW to build, and the verification, which holds the span's last fleet, finds
    0.4 MW × 8760 h = 3504 MWh unserved. With adequacy by construction (the default) the
    heat supplied is held to that fleet too, F(2025) = B(2025) ≥ 1 MW: 1 MW is built in 2025
    (K(2025) = 0.4 + 1.0 = 1.4 MW span-weighted) and every hour is served."""
    from tests.optimiser.helpers import retiring_heater_plan

    overrides = retiring_heater_plan()
    overrides["profiles"]["aggregation"]["stress_days"] = True
    loaded = read_plan(write_plan(tmp_path, overrides))
    last, _, report = plan_adequate(loaded, Resolution.parse("repdays:2"), None, "auto",
                                    lambda _: None, jobs=1, max_rounds=0)
    assert float(last.results["build"].sel(tech="eh", year=2025)) == pytest.approx(1.0)
    assert float(last.results["capacity"].sel(tech="eh", year=2025)) == pytest.approx(1.4)
    assert report.adequate and report.rounds[0]["unserved_mwh"] <= 1e-3


def test_a_shortfall_on_every_day_is_not_chased_day_by_day(tmp_path):
    """Without adequacy by construction the retiring heaters are 0.4 MW short on every day,
    which no choice of days can fix. The iteration adds the worst day once, finds the total
    not reduced, and stops saying so instead of spending every re-plan."""
    from tests.optimiser.helpers import retiring_heater_plan

    loaded = read_plan(write_plan(tmp_path, retiring_heater_plan()))
    _, _, report = plan_adequate(loaded, Resolution.parse("repdays:2"), None, "auto",
                                 lambda _: None, jobs=1, max_rounds=3)
    assert report.stopped == "no_new_days" and len(report.rounds) == 2
    assert report.rounds[-1]["unserved_mwh"] == pytest.approx(3504.0, rel=1e-6)
    assert "did not reduce it" in report.message()
