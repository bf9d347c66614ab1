"""The fleet under corporate targets, by hand (docs/fleet.md, "Hand case").

Two plants of the optimiser's hand case (tests/optimiser/data/base.yaml: flat 1 MW, grid at
100 per MWh and 0.2 t/MWh, one modelled year 2025 that is also the base year, so no
discounting): 8760 MWh and 1752 t of market-based scope 2 a year each, baseline 1752 t each.
Plant a (GBP) cuts a tonne with certificates at 5 GBP/MWh, 25 GBP/t; plant b (EUR, 0.85
GBP/EUR) at 15 EUR/MWh, 75 EUR = 63.75 GBP per t. Their grid bills: 876,000 GBP and
876,000 EUR = 744,600 GBP.

A corporate −25 % (absolute) target allows 0.75 × 3504 = 2628 t: the fleet cuts 876 t, all
at plant a (4380 MWh of certificates, 21,900 GBP). With each plant's own −25 % kept, each
cuts 438 t: 10,950 GBP at a and 32,850 EUR = 27,922.50 GBP at b.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cnplan.cli import app
from optimiser.fleet import run_fleet
from plant.errors import PlanError
from plant.fleet import read_fleet

DATA = Path(__file__).resolve().parent / "data"
REL = 1e-9
GRID_A, GRID_B_EUR, EUR = 876_000.0, 876_000.0, 0.85


def _fleet(tmp_path: Path, **changes: object) -> Path:
    """The hand fleet with top-level keys changed, written beside copies of its plants."""
    for name in ("plant_a.yaml", "plant_b.yaml"):
        text = (DATA / name).read_text().replace("../../optimiser/data/",
                                                 f"{DATA.parent.parent}/optimiser/data/")
        (tmp_path / name).write_text(text)
    data = yaml.safe_load((DATA / "fleet.yaml").read_text()) | changes
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _plant(tmp_path: Path, name: str, **changes: object) -> None:
    """Change top-level keys of one plant copied by :func:`_fleet`."""
    path = tmp_path / name
    data = yaml.safe_load(path.read_text()) | changes
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _solve(path: Path, method: str = "monolithic", workers: int = 1, mode: str | None = None):
    fleet = read_fleet(path)
    if mode is not None:
        fleet = fleet.with_plant_targets(mode)
    return run_fleet(fleet, "repdays:1", method, workers)


@pytest.fixture(scope="module")
def runs() -> dict:
    """The hand fleet with plant targets dropped, by both methods."""
    path = DATA / "fleet.yaml"
    return {m: _solve(path, m) for m in ("monolithic", "decomposed")}


def test_cheaper_abater_takes_the_shared_target(runs):
    """All 876 t come from plant a (25 GBP/t) and none from b (63.75 GBP/t); the fleet's
    cost is both grid bills plus 4380 MWh × 5 GBP; the corporate price is a's 25 GBP/t."""
    for run in runs.values():
        assert run.status == "optimal"
        a, b = run.plants["a"], run.plants["b"]
        assert a.terms["emissions:t0_2025"] == pytest.approx(1752 - 876, rel=1e-7)
        assert b.terms["emissions:t0_2025"] == pytest.approx(1752, rel=1e-7)
        assert a.net_present_cost == pytest.approx(GRID_A + 4380 * 5, rel=REL)
        assert b.net_present_cost == pytest.approx(GRID_B_EUR, rel=REL)
        assert b.net_present_cost_reporting == pytest.approx(GRID_B_EUR * EUR, rel=REL)
        assert run.net_present_cost == pytest.approx(897_900 + 744_600, rel=REL)
        (price,) = [p for p in run.prices if p.row.kind == "emissions"]
        assert price.npc_per_t == pytest.approx(25.0, rel=1e-6)


def test_decomposed_equals_monolithic(runs):
    mono, dec = runs["monolithic"], runs["decomposed"]
    assert dec.net_present_cost == pytest.approx(mono.net_present_cost, rel=1e-6)
    assert dec.gap <= 1e-7
    assert dec.iterations >= 1


def test_plant_targets_kept_cost_the_flexibility():
    """Each plant cuts its own 438 t: 10,950 GBP at a, 32,850 EUR at b; dropping the plant
    targets saves 10,950 + 27,922.50 − 21,900 = 16,972.50 GBP."""
    keep = _solve(DATA / "fleet.yaml", mode="keep")
    assert keep.plants["a"].net_present_cost == pytest.approx(GRID_A + 10_950, rel=REL)
    assert keep.plants["b"].net_present_cost == pytest.approx(GRID_B_EUR + 32_850, rel=REL)
    assert keep.net_present_cost - (897_900 + 744_600) == pytest.approx(16_972.5, rel=1e-7)


def test_dask_workers_give_the_in_process_answer(runs):
    """Two local Dask workers (one plant each) reach the same plan as in process."""
    dask = _solve(DATA / "fleet.yaml", "decomposed", workers=2)
    here = runs["decomposed"]
    assert dask.workers == 2
    assert dask.net_present_cost == pytest.approx(here.net_present_cost, rel=1e-9)
    for name in here.plants:
        assert dask.plants[name].terms == pytest.approx(here.plants[name].terms, rel=1e-9)


def test_per_vehicle_target_follows_the_plants_output(tmp_path):
    """Per vehicle, with plant b building 150,000 vehicles in 2025 (100,000 in the baseline):
    the limit is 0.5 × 3504 t / 200,000 × 250,000 = 2190 t, so the fleet cuts 1314 t, all at
    a (6570 MWh of certificates); the same target in absolute tonnes would need 1752 t."""
    path = _fleet(tmp_path, targets=[{"name": "-50 % per vehicle", "year": 2025,
                                      "reduction": 0.5, "per_vehicle": True,
                                      "scopes": ["scope2_market"]}])
    _plant(tmp_path, "plant_b.yaml", production={"vehicles_per_year": {2018: 100000,
                                                                     2025: 150000},
                                                 "calendar": {"shifts_per_day": 2}})
    for method in ("monolithic", "decomposed"):
        run = _solve(path, method)
        (row,) = [p for p in run.prices if p.row.kind == "emissions"]
        assert row.row.rhs == pytest.approx(2190.0, rel=1e-12)
        assert run.plants["a"].terms["emissions:t0_2025"] == pytest.approx(1752 - 1314,
                                                                           rel=1e-7)
        assert run.net_present_cost == pytest.approx(GRID_A + 6570 * 5 + 744_600, rel=REL)


def test_credits_replace_the_dearest_cut(tmp_path):
    """Net zero with credits up to 10 % of the fleet's baseline (350.4 t), bought by a at
    10 GBP/t: they replace b's dearest tonnes. a cuts all 1752 t (43,800 GBP) and buys
    350.4 t (3,504 GBP); b cuts 1401.6 t (7008 MWh × 15 EUR = 105,120 EUR). The tonne's
    price is b's 63.75 GBP."""
    path = _fleet(tmp_path, targets=[{"name": "net zero", "year": 2025, "reduction": 1.0,
                                      "scopes": ["scope2_market"], "max_credit_share": 0.1}])
    _plant(tmp_path, "plant_a.yaml", carbon_credits={"offset": {"price_per_t": 10}})
    for method in ("monolithic", "decomposed"):
        run = _solve(path, method)
        assert run.status == "optimal"
        expected = GRID_A + 43_800 + 3_504 + (GRID_B_EUR + 105_120) * EUR
        assert run.net_present_cost == pytest.approx(expected, rel=REL)
        prices = {p.row.kind: p.npc_per_t for p in run.prices}
        assert prices["emissions"] == pytest.approx(63.75, rel=1e-6)
        counted = {p.row.kind: p.value_t for p in run.prices}
        assert counted["credits"] == pytest.approx(350.4, rel=1e-7)
        assert counted["emissions"] == pytest.approx(0.0, abs=1e-6)


def test_impossible_target_says_which_year_and_by_how_much(tmp_path):
    """Certificates capped at 1000 MWh a plant: the fleet can cut 400 t of the 3504 t a
    net-zero target asks; it is written with exit 3, naming the target, year and tonnes."""
    path = _fleet(tmp_path, targets=[{"name": "net zero", "year": 2025, "reduction": 1.0,
                                      "scopes": ["scope2_market"]}])
    _plant(tmp_path, "plant_a.yaml", certificates={"rego": {"price_per_mwh": 5,
                                                            "max_mwh_per_year": 1000}})
    _plant(tmp_path, "plant_b.yaml", certificates={"goo": {"price_per_mwh": 15,
                                                           "max_mwh_per_year": 1000}})
    for method in ("monolithic", "decomposed"):
        run = _solve(path, method)
        assert run.status == "targets_missed"
        assert any("'net zero' cannot be met in 2025" in line and "3,104 t over" in line
                   for line in run.diagnosis), run.diagnosis
    result = CliRunner().invoke(app, ["fleet", str(path), "--resolution", "repdays:1",
                                      "--workers", "1", "--no-report", "--no-flexibility",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["targets"][0]["missed_in"] == [2025]


def test_cli_writes_the_fleet_folder(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["fleet", str(DATA / "fleet.yaml"), "--resolution",
                                      "repdays:1", "--workers", "1", "--no-report",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["kind"] == "fleet" and summary["currency"] == "GBP"
    assert summary["fleet"]["net_present_cost"] == pytest.approx(1_642_500, rel=REL)
    b = summary["plants"]["b"]["net_present_cost"]
    assert b["plant_currency"] == pytest.approx(876_000, rel=REL)
    assert b["reporting"] == pytest.approx(744_600, rel=REL)
    assert summary["flexibility"]["value"] == pytest.approx(16_972.5, rel=1e-7)
    price = summary["corporate_carbon_price"]["2025"]
    assert price["low"] == pytest.approx(25.0, rel=1e-6)
    assert summary["decomposition"]["method"] == "decomposed"
    assert summary["cnplan_version"] and summary["fleet_sha256"]
    for plant in ("a", "b"):
        assert (out / "plants" / plant / "results.nc").is_file()
    again = CliRunner().invoke(app, ["fleet", str(DATA / "fleet.yaml"), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output


@pytest.mark.parametrize(("change", "where", "words"), [
    ({"plants": [{"plan": "plant_a.yaml"}, {"plan": "missing.yaml"}]}, "plants[1].plan",
     "not found"),
    ({"exchange_rates": {}}, "exchange_rates", "give its rate"),
    ({"targets": [{"name": "x", "year": 2030, "reduction": 0.5}]}, "targets[0].year",
     "does not model 2030"),
    ({"plant_targets": "sometimes"}, "plant_targets", "keep"),
    ({"targest": []}, "targest", "did you mean 'targets'"),
    ({"plants": [{"plan": "plant_a.yaml"}, {"plan": "plant_a.yaml"}]}, "plants",
     "both named"),
    ({"targets": [{"name": "x", "year": 2025, "reduction": 52}]}, "targets[0].reduction",
     "fractions are written 0-1"),
])
def test_invalid_fleet_is_located(tmp_path, change, where, words):
    path = _fleet(tmp_path, **change)
    with pytest.raises(PlanError) as info:
        read_fleet(path)
    text = str(info.value)
    assert f"{path}:" in text and where in text and words in text, text
    result = CliRunner().invoke(app, ["fleet", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and where in result.output
    assert "Traceback" not in result.output


def test_a_plants_own_error_names_its_file(tmp_path):
    path = _fleet(tmp_path)
    _plant(tmp_path, "plant_b.yaml", grid={"import_price_per_mwh": "cheap"})
    with pytest.raises(PlanError) as info:
        read_fleet(path)
    assert "plant_b.yaml" in str(info.value) and "grid.import_price_per_mwh" in str(info.value)


def test_fleet_file_relative_paths(tmp_path):
    """Plans are found relative to the fleet file, wherever the command runs from."""
    sub = tmp_path / "sub"
    sub.mkdir()
    path = _fleet(sub)
    shutil.copy(path, sub / "copy.yaml")
    assert list(read_fleet(sub / "copy.yaml").plants) == ["a", "b"]


def test_verified_hour_by_hour_within_each_share(tmp_path):
    """--verify holds each plant to its planned share of the corporate row hour by hour:
    the hand case's days are all alike, so the verified cost and emissions equal the plan's."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["fleet", str(DATA / "fleet.yaml"), "--resolution",
                                      "repdays:1", "--workers", "1", "--no-report",
                                      "--no-flexibility", "--verify", "--out", str(out)])
    assert result.exit_code == 0, result.output
    checked = json.loads((out / "summary.json").read_text())["verification"]
    assert checked["status"] == "ok"
    assert checked["net_present_cost"] == pytest.approx(1_642_500, rel=1e-9)
    (row,) = checked["corporate"]
    assert row["net_t"] == pytest.approx(2628.0, rel=1e-7) and row["met"]


def test_validate_reads_a_fleet_file(tmp_path):
    ok = CliRunner().invoke(app, ["validate", str(DATA / "fleet.yaml")])
    assert ok.exit_code == 0 and "fleet Hand fleet, 2 plants (a, b)" in ok.output
    bad = CliRunner().invoke(app, ["validate", str(_fleet(tmp_path, exchange_rates={}))])
    assert bad.exit_code == 2 and "exchange_rates" in bad.output


def test_a_plants_own_target_missed_is_diagnosed_by_both_methods(tmp_path):
    """Plant targets kept, plant a's own net zero with its certificates capped at 1000 MWh
    (200 t of its 1752): it misses by 1552 t. Both methods write the plan and say so (exit
    3); the flexibility then has no value (a target is missed with plant targets kept)."""
    path = _fleet(tmp_path, plant_targets="keep")
    _plant(tmp_path, "plant_a.yaml",
           certificates={"rego": {"price_per_mwh": 5, "max_mwh_per_year": 1000}},
           targets=[{"name": "own net zero", "year": 2025, "reduction": 1.0,
                     "scopes": ["scope2_market"]}])
    for method in ("monolithic", "decomposed"):
        run = _solve(path, method)
        assert run.status == "targets_missed", method
        assert any(line.startswith("a: target 'own net zero' cannot be met in 2025")
                   and "1,552 t over" in line for line in run.diagnosis), run.diagnosis
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["fleet", str(path), "--resolution", "repdays:1",
                                      "--workers", "1", "--no-report", "--out", str(out)])
    assert result.exit_code == 3, result.output
    flex = json.loads((out / "summary.json").read_text())["flexibility"]
    assert flex["value"] is None and "missed with plant targets kept" in flex["note"]


def test_a_running_dask_scheduler_gives_the_same(runs):
    """--scheduler: the plants go to an existing cluster's workers (here a local one)."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster:
        run = run_fleet(read_fleet(DATA / "fleet.yaml"), "repdays:1", "decomposed",
                        scheduler=cluster.scheduler_address)
    assert run.workers == 2
    assert run.net_present_cost == pytest.approx(runs["decomposed"].net_present_cost,
                                                 rel=1e-9)


def test_mixed_integer_plant_is_refused_by_the_decomposition(tmp_path):
    """A plant with an SOFC in whole units (integer decisions) cannot be coordinated by
    prices: the decomposition refuses it (exit 2, pointing to --method monolithic), which
    solves it."""
    path = _fleet(tmp_path)
    _plant(tmp_path, "plant_a.yaml",
           include=[str(DATA.parent.parent / "optimiser" / "data" / "sofc_plan.yaml")],
           technologies={"sofc_bioethanol": {"commitment": True, "unit_size_mw": 0.25}},
           fuels={"bioethanol": {"price_per_mwh": 400}})
    run = _solve(path, "decomposed")
    assert run.status == "mixed_integer"
    assert "--method monolithic" in " ".join(run.diagnosis)
    result = CliRunner().invoke(app, ["fleet", str(path), "--resolution", "repdays:1",
                                      "--workers", "1", "--no-report", "--no-flexibility",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--method monolithic" in result.output, result.output
    assert not (tmp_path / "out").exists()
    mono = _solve(path, "monolithic")
    assert mono.status == "optimal"
    # ethanol at 400 keeps the SOFC out; a's grid averages 200 GBP/MWh in that plan
    # (8760 MWh: 1,752,000) and it still cuts the 876 t with 4380 MWh of certificates
    assert mono.net_present_cost == pytest.approx(1_752_000 + 21_900 + 744_600, rel=1e-6)
