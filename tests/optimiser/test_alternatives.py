"""Modelling to generate alternatives (optimiser/alternatives, docs/alternatives.md): hand
cases whose extremes are known, the cost cap and the targets held in every alternative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optimiser import run_plan
from optimiser.alternatives.directions import (
    DirectionError,
    choose,
    parse_directions,
)
from optimiser.alternatives.run import find_alternatives
from optimiser.alternatives.search import HOLD, cost_cap
from optimiser.alternatives.summary import alternatives_summary
from optimiser.formulate.inputs import Resolution
from optimiser.post.statistics import target_status
from plant.loader import read_plan

from .helpers import storage_plan, write_plan

RES = Resolution.parse("repdays:2")


def twin_heaters() -> dict[str, Any]:
    """Flat 1 MW of low-temperature heat (8760 MWh) and two electric heaters alike in every
    number, eh_a and eh_b: every split of the 1 MW between them costs the same."""
    heater = {"kind": "electric_heater", "serves": ["heat_low"], "efficiency": 1.0,
              "capex_per_kw": 100, "lifetime_years": 25}
    return {"demand": {"heat": {"heat_low": {"annual_mwh": 8760, "constant_share": 1.0,
                                             "temperature_c": 60}}},
            "technologies": {"eh_a": heater, "eh_b": dict(heater)}}


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Any:
    loaded = read_plan(write_plan(tmp_path_factory.mktemp("twins"), twin_heaters()))
    return loaded, run_plan(loaded, RES)


def _capacity(ds: Any, tech: str) -> float:
    return float(ds["capacity"].sel(tech=tech).max())


def test_equal_cost_technologies_give_both_extremes(twins: Any) -> None:
    loaded, run = twins
    asked = parse_directions("eh_a:min,eh_a:max", loaded.plan)
    found = find_alternatives(loaded, RES, run, 2, slack=0.0, asked=asked)
    least, most = found.alternatives
    assert (least.direction.name, most.direction.name) == ("eh_a-min", "eh_a-max")
    # with no slack the split is all there is to choose: all of it on one heater or the other
    assert _capacity(least.results, "eh_a") == pytest.approx(0.0, abs=1e-9)
    assert _capacity(least.results, "eh_b") == pytest.approx(1.0, abs=1e-9)
    assert _capacity(most.results, "eh_a") == pytest.approx(1.0, abs=1e-9)
    assert _capacity(most.results, "eh_b") == pytest.approx(0.0, abs=1e-9)
    for alt in found.alternatives:
        assert alt.results is not None
        assert float(alt.results.attrs["objective"]) == pytest.approx(
            run.outcome.objective, rel=1e-9)


def test_the_most_within_the_slack_spends_the_slack_and_no_more(twins: Any) -> None:
    """ε = 2 %: the most eh_a builds more than the 1 MW needed, exactly as much as 2 % of the
    least cost buys at eh_a's own cost per MW (read from the least-cost ledger: the heater's
    discounted costs over its capacity), and the least eh_a is 0 at the least cost (the
    second step takes the cheapest of the plans with none). The extra heater idles (the 1 MW of
    demand is met either way), so only its capacity costs differ. The second step may give
    back HOLD of the direction's scale (the peak demand, 1 MW here) for a lower cost, so the
    most is found to HOLD·1 MW plus the solver's tolerance (1e-7)."""
    loaded, run = twins
    asked = parse_directions("eh_a:max,eh_a:min", loaded.plan)
    found = find_alternatives(loaded, RES, run, 2, slack=0.02, asked=asked)
    most, least = found.alternatives
    c_star = run.outcome.objective
    # the least-cost plan's 1 MW of heaters is its only capacity: its capacity costs per MW
    costs = run.results["cost_discounted"]
    per_mw = float(costs.sel(cost_category=["capex", "fixed_om", "salvage"]).sum()) / 1.0
    extra = _capacity(most.results, "eh_a") - 1.0
    assert extra == pytest.approx(0.02 * c_star / per_mw, abs=HOLD * 1.0 + 1e-7)
    cost = float(most.results.attrs["objective"])
    assert 1.02 * c_star - (HOLD + 1e-7) * per_mw <= cost <= 1.02 * c_star * (1 + 1e-9)
    assert _capacity(least.results, "eh_a") == pytest.approx(0.0, abs=1e-9)
    assert float(least.results.attrs["objective"]) == pytest.approx(c_star, rel=1e-9)


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("storage")
    loaded = read_plan(write_plan(folder, storage_plan(folder)))
    return loaded, run_plan(loaded, RES)


def test_every_alternative_keeps_the_cost_cap_and_the_targets(storage: Any) -> None:
    loaded, run = storage
    slack = 0.05
    found = find_alternatives(loaded, RES, run, 5, slack=slack, seed=3)
    assert len(found.alternatives) == 5
    cap = cost_cap(run.outcome.objective, slack)
    moved = 0
    for alt in found.alternatives:
        assert alt.status == "optimal" and alt.results is not None, alt.direction.name
        assert float(alt.results.attrs["objective"]) <= cap * (1 + 1e-9)
        assert all(t["met"] for t in target_status(alt.results)), alt.direction.name
        one = alt.direction.single
        if one is not None:
            subject, measure, sense = one
            before = found.least_cost_totals[(subject, measure)]
            after = alt.totals[(subject, measure)]
            assert (after >= before - 1e-6) if sense == "max" else (after <= before + 1e-6)
        moved += not np.allclose(alt.results["capacity"].values,
                                 run.results["capacity"].values, atol=1e-4)
    assert moved >= 2  # a flat valley: some alternatives build another fleet
    table = alternatives_summary(run.results, found)
    assert [p["name"] for p in table["plans"]][0] == "least-cost"
    for room in table["room_to_choose"]:
        assert room["low"] <= room["least_cost"] + 1e-9 <= room["high"] + 2e-9


def test_workers_find_what_one_process_finds(storage: Any) -> None:
    loaded, run = storage
    asked = parse_directions("pv:max,bat@2030:min", loaded.plan)
    here = find_alternatives(loaded, RES, run, 2, slack=0.05, asked=asked, jobs=1)
    there = find_alternatives(loaded, RES, run, 2, slack=0.05, asked=asked, jobs=2)
    assert there.workers == 2
    for a, b in zip(here.alternatives, there.alternatives, strict=True):
        assert a.direction == b.direction
        assert a.totals == pytest.approx(b.totals, rel=1e-6, abs=1e-6)
        assert float(a.results.attrs["objective"]) == pytest.approx(
            float(b.results.attrs["objective"]), rel=1e-9)


def test_directions_by_default_random_and_refused(storage: Any) -> None:
    loaded, _ = storage
    plan = loaded.plan
    defaults = choose(plan, 4, None, {("solar", "capacity"): 1.0}, seed=0)
    assert [d.name for d in defaults] == ["solar-max", "wind-max", "storage-max", "grid-max"]
    # nothing in the least-cost plan: no least to look for, random directions fill up
    many = choose(plan, 12, None, {}, seed=5)
    assert [d.name for d in many][4:] == [f"random-{i}" for i in range(1, 9)]
    assert choose(plan, 12, None, {}, seed=5) == many  # the seed draws the same
    assert choose(plan, 12, None, {}, seed=6)[-1] != many[-1]
    for bad, says in (("sofc:max", "no lever, kind or technology"), ("pv:most", "min|max"),
                      ("grid.capacity:min", "measured as energy"), (",", "no direction")):
        with pytest.raises(DirectionError, match=says):
            parse_directions(bad, plan)
    assert parse_directions("solar.energy:max", plan)[0].name == "solar-energy-max"
    assert parse_directions("pv@2030:max", plan)[0].name == "pv-2030-max"
    with pytest.raises(DirectionError, match="not a modelled year"):
        parse_directions("pv@2031:max", plan)


def test_alternatives_of_a_plan_without_an_optimum_are_refused(tmp_path: Path) -> None:
    from optimiser.alternatives.search import AlternativesError

    over = twin_heaters() | {"targets": [{"name": "all", "year": 2025, "reduction": 1.0}]}
    loaded = read_plan(write_plan(tmp_path, over))
    run = run_plan(loaded, RES)
    assert run.outcome.status == "targets_missed"
    with pytest.raises(AlternativesError, match="targets_missed"):
        find_alternatives(loaded, RES, run, 1)


def test_room_to_choose_claims_an_end_only_for_a_direction_that_found_a_plan() -> None:
    """A direction that found no plan (a time limit) marks no end of its range as the end
    within the slack; a tie goes to the direction's own plan (review of issue 33)."""
    from optimiser.alternatives.directions import one_way
    from optimiser.alternatives.run import AlternativesRun
    from optimiser.alternatives.search import Alternative
    from optimiser.alternatives.summary import _room

    most, least = one_way("pv", "capacity", "max"), one_way("pv", "capacity", "min")
    found = AlternativesRun(100.0, 0.02, [most, least], {("pv", "capacity"): 1.0},
                            [Alternative(most, "Time limit reached"),
                             Alternative(least, "optimal", results=object())])  # type: ignore[arg-type]
    rows = [{"name": "least-cost", "totals": {"pv.capacity": 1.0}},
            {"name": "grid-max", "totals": {"pv.capacity": 0.5}},
            {"name": "pv-min", "totals": {"pv.capacity": 0.5 + 1e-6}}]
    (room,) = [r for r in _room(found, rows) if r["subject"] == "pv"]
    assert (room["high"], room["high_in"], room["high_is_most"]) == (1.0, "least-cost", False)
    assert (room["low_in"], room["low_is_least"]) == ("pv-min", True)
