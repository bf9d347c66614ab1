"""Hourly verification (issue 16, item 1; docs/optimiser.md, "Hourly verification"): each
modelled year's 8760-hour dispatch re-solved with the planning run's capacities held."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from optimiser import run_plan
from optimiser.post.gaps import verification_gaps
from optimiser.verify.hourly import verify
from plant.loader import read_plan

from .helpers import half_day_solar, storage_plan, write_csv, write_plan

REL = 1e-6


def _storage_plan(folder) -> dict:
    """Seeded synthetic demand, PV and wind with a battery, two modelled years: a case where
    representative days and the full year differ."""
    return storage_plan(folder)


def _planned_and_verified(folder, resolution: str, jobs: int):
    """The storage plan run at ``resolution`` and verified: (run, merged results, gaps)."""
    loaded = read_plan(write_plan(folder, _storage_plan(folder)))
    run = run_plan(loaded, resolution)
    verified = verify(loaded, run.decisions, run.results, jobs=jobs)
    ds = run.results.merge(verified)
    ds.attrs.update(run.results.attrs | verified.attrs)
    return run, ds, verification_gaps(ds)


@pytest.mark.slow  # 20-50 s: make test-slow
def test_a_plan_solved_hourly_verifies_to_itself(tmp_path):
    """Solved at full hourly resolution, the verification re-solves the same dispatch: the
    same cost and emissions in every year (to solver tolerance), nothing unserved."""
    run, ds, gaps = _planned_and_verified(tmp_path, "hourly", jobs=1)
    assert gaps["net_present_cost"] == pytest.approx(run.results.attrs["objective"], rel=1e-6)
    for year in gaps["by_year"].values():
        assert year["operating_cost"] == pytest.approx(year["operating_cost_estimate"],
                                                        rel=1e-6)
        assert year["scope1_2_market"] == pytest.approx(year["scope1_2_market_estimate"],
                                                         rel=1e-5, abs=1e-3)
        assert year["unserved_mwh"] == pytest.approx(0.0, abs=1e-6)
        assert year["targets_missed"] == {}


def test_representative_days_are_checked_against_the_full_year(tmp_path):
    """At 2 representative days the same plan's estimate differs from its own hourly
    verification, and the verification says so (a gap, not an error); the capacities it
    holds are the planning run's."""
    run, ds, gaps = _planned_and_verified(tmp_path, "repdays:2", jobs=2)
    assert abs(gaps["net_present_cost_gap"]) > 1e-4
    assert set(gaps["by_year"]) == {"2025", "2030"}
    built = run.decisions["tech_bat.build_energy[2025]"] + run.decisions[
        "tech_bat.build_energy[2030]"]
    assert built == pytest.approx(float(run.results["energy_capacity"].sel(
        tech="bat", year=2030)), rel=1e-9)
    # the grid can always serve the load, so no load is shed to meet the target: a target the
    # fleet misses hour by hour shows as its excess
    year = gaps["by_year"]["2030"]
    assert year["unserved_mwh"] == pytest.approx(0.0, abs=1e-6)
    limit = float(ds["target_limit_by_year"].sel(target="half", year=2030))
    counted = float(ds["verified_target_counted"].sel(target="half", year=2030))
    assert year["targets_missed"].get("half", 0.0) == pytest.approx(max(counted - limit, 0.0),
                                                                    abs=1e-3)


def test_the_fleet_held_is_the_one_at_the_end_of_each_span(tmp_path):
    """3 MW of existing PV built 2010 with a 17-year life serves 2025-2026 of the span
    2025-2029 that modelled year 2025 stands for: the plan counts it at its share of the span,
    the verification holds the fleet of 2029, without it, so verified scope 2 is the whole
    1752 t (flat 1 MW load, 0.2 t/MWh)."""
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    path = write_plan(tmp_path, {
        "profiles": {"csv": {"solar": solar}},
        "technologies": {"pv": {"kind": "solar_pv", "lifetime_years": 25,
                                "degradation_per_year": 0.0,
                                "specific_yield_kwh_per_kwp": 2190, "max_capacity_mw": 0}},
        "existing_assets": {"old_pv": {"technology": "pv", "capacity_mw": 3.0,
                                       "build_year": 2010, "lifetime_years": 17}},
        "finance": {"investment_years": [2025, 2030]}})
    loaded = read_plan(path)
    run = run_plan(loaded, "repdays:2")
    verified = verify(loaded, run.decisions, run.results, jobs=1)
    estimate = float(run.results["emissions"].sel(category="scope2_location", year=2025))
    assert estimate < 1752.0 - 100.0
    assert float(verified["verified_emissions"].sel(category="scope2_location", year=2025)) \
        == pytest.approx(1752.0, rel=REL)


def test_cnplan_plan_verify_writes_and_shows_the_verified_figures(tmp_path):
    """`cnplan plan --verify` on the flat hand case with a solar PPA: every representative day
    is the same day, so the verified figures equal the estimate; summary.json, results.nc,
    the command line and the report carry them."""
    import xarray as xr

    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    path = write_plan(tmp_path, {
        "profiles": {"csv": {"solar": solar}},
        "technologies": {"pv": {"kind": "solar_pv", "lifetime_years": 25,
                                "specific_yield_kwh_per_kwp": 2190, "max_capacity_mw": 0}},
        "ppas": {"farm": {"technology": "pv", "capacity_mw": 2.0, "build_year": 2025,
                          "start_year": 2025, "term_years": 20, "price_per_mwh": 1}}})
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--resolution",
                                      "repdays:2", "--no-bau", "--verify", "--jobs", "1"],
                                terminal_width=300)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "optimal, net present cost 0.4 MGBP verified hour by hour (the " \
           "representative-day estimate is" in text, text
    summ = json.loads((out / "summary.json").read_text())
    ver = summ["verification"]
    assert summ["objective"]["figures"] == "verified"
    assert summ["objective"]["net_present_cost"] == ver["net_present_cost"]
    assert summ["objective"]["net_present_cost_estimate"] == ver["net_present_cost_estimate"]
    assert abs(ver["net_present_cost_gap"]) < 1e-6
    assert ver["net_present_cost"] == pytest.approx(summ["objective"]["net_present_cost"],
                                                    rel=REL)
    assert ver["by_year"]["2025"]["operating_cost"] == pytest.approx(876_000 - 438_000 + 4380,
                                                                     rel=REL)
    with xr.open_dataset(out / "results.nc") as ds:
        assert "verified_cost" in ds and "verified_objective" in ds.attrs
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Checked hour by hour" in html
