"""``cnplan plan --verify``: the verified figures are the headline, business as usual is
verified the same way, a plan the hourly check finds short exits 3, and ``cnplan compare``
compares verified runs on their verified figures (issue 27, part 3).

The plan (:func:`tests.optimiser.helpers.retiring_heater_plan`) is planned at 10,528,000 GBP
(undiscounted: 1,752,000 GBP/yr of grid power for 1 MW of electricity and 1 MW of heat over
the 5 years of 2025's span and 2030's one year, 60,000 + 40,000 GBP of heaters), but its fleet
of 2029 leaves 3504 MWh of heat unserved in 2025: verified at the default value of lost load,
10,000 GBP/MWh, it costs 10,528,000 + 5 × 3504 × (10,000 − 100) = 183,976,000 GBP; at
2,000 GBP/MWh, 10,528,000 + 5 × 3504 × 1,900 = 43,816,000 GBP.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.cli import EXIT_TARGETS_MISSED, app

from .optimiser.helpers import retiring_heater_plan, write_plan

ESTIMATE = 10_528_000.0
VERIFIED = 183_976_000.0
VERIFIED_AT_2000 = 43_816_000.0
REL = 1e-9
runner = CliRunner()


def _plan(folder: Path, name: str, *extra: str, **demand: float) -> tuple[Path, object]:
    path = write_plan(folder, retiring_heater_plan(**demand), name=f"{name}.yaml")
    out = folder / name
    result = runner.invoke(app, ["plan", str(path), "--out", str(out), "--resolution",
                                 "repdays:2", "--jobs", "1", "--no-report", *extra],
                           terminal_width=300)
    return out, result


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    """The plan verified with business as usual; verified at a value of lost load of 2,000
    GBP/MWh without it; and not verified."""
    folder = tmp_path_factory.mktemp("verify")
    return {"verified": _plan(folder, "verified", "--verify"),
            "cheap_voll": _plan(folder, "cheap_voll", "--verify", "--no-bau",
                                value_of_lost_load_per_mwh=2000.0),
            "estimate": _plan(folder, "estimate", "--no-bau")}


def test_demand_unserved_hour_by_hour_exits_3_and_says_where(runs) -> None:
    """The planning run is optimal, but checked hour by hour 2025 leaves 3504 MWh of heat
    unserved: exit 3, the message names the year and the MWh by carrier, and summary.json's
    status comes from the verification."""
    out, result = runs["verified"]
    assert result.exit_code == EXIT_TARGETS_MISSED, result.output
    text = " ".join(result.output.split())
    assert "demand_not_met, net present cost 184.0 MGBP verified hour by hour" in text, text
    assert "2025: 3,504 MWh of heat_low unserved" in text
    assert "checked hour by hour, the planned fleet leaves demand unserved in 2025" in text
    assert "value of lost load, 10,000 GBP/MWh" in text
    summ = json.loads((out / "summary.json").read_text())
    assert summ["status"] == "demand_not_met"
    assert summ["status_estimate"] == "optimal" and summ["status_basis"] == "verification"
    assert summ["verification"]["by_year"]["2025"]["unserved_by_carrier"] == {
        "heat_low": pytest.approx(3504.0, rel=REL)}


def test_the_verified_figures_are_the_headline(runs) -> None:
    """summary.json's net present cost, emissions and intensity are the verified ones, the
    estimate beside them; 2025's verified scope 2 is 0.2 t/MWh × (8760 + 0.6 × 8760) MWh of
    grid power = 2803.2 t against the estimate's 3504 t."""
    out, _ = runs["verified"]
    summ = json.loads((out / "summary.json").read_text())
    obj = summ["objective"]
    assert obj["figures"] == "verified"
    assert obj["net_present_cost"] == pytest.approx(VERIFIED, rel=REL)
    assert obj["net_present_cost_estimate"] == pytest.approx(ESTIMATE, rel=REL)
    assert obj["net_present_cost"] == summ["verification"]["net_present_cost"]
    assert summ["emissions"]["2025"]["scope2_market"] == pytest.approx(2803.2, rel=REL)
    assert summ["emissions"]["2025"]["net"] == pytest.approx(2803.2, rel=REL)
    assert summ["emissions_estimate"]["2025"]["scope2_market"] == pytest.approx(3504.0, rel=REL)
    assert summ["intensity_per_vehicle"]["2025"] == pytest.approx(2803.2 / 100_000, rel=REL)


def test_business_as_usual_is_verified_the_same_way(runs) -> None:
    """The business-as-usual run is verified hour by hour too (bau/summary.json has its
    verification) and the roadmap is compared with it on verified figures, the estimate's
    comparison beside."""
    out, result = runs["verified"]
    assert "(both verified hour by hour)" in " ".join(result.output.split())
    summ = json.loads((out / "summary.json").read_text())
    bau_summ = json.loads((out / "bau" / "summary.json").read_text())
    bau = summ["business_as_usual"]
    assert bau["figures"] == "verified"
    assert bau["net_present_cost"] == pytest.approx(
        bau_summ["verification"]["net_present_cost"], rel=REL)
    assert bau["extra_net_present_cost"] == pytest.approx(
        VERIFIED - bau_summ["verification"]["net_present_cost"], rel=REL)
    assert bau["estimate"]["figures"] == "estimate"
    assert bau["estimate"]["extra_net_present_cost"] == pytest.approx(
        ESTIMATE - bau_summ["verification"]["net_present_cost_estimate"], rel=REL)
    assert bau["emissions"]["2025"] == pytest.approx(
        bau_summ["emissions"]["2025"]["scope1"] + bau_summ["emissions"]["2025"]["scope2_market"],
        rel=REL)


def test_page_1_shows_the_verified_figures(runs, tmp_path: Path) -> None:
    """The report's first KPI is the verified net present cost with the estimate beside it,
    and page 1 says the plan does not hold for the real year."""
    out, _ = runs["verified"]
    result = runner.invoke(app, ["report", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    page1 = " ".join(html[html.index("1. Summary"):html.index("2. Emissions")].split())
    assert ("net present cost, verified hour by hour<b>£184.0 m</b>demand_not_met<span "
            'class="est">representative-day estimate £10.5 m</span>') in page1
    assert "Not a plan for the real year: checked hour by hour, the planned fleet leaves " \
           "demand unserved in 2025" in page1
    assert "Diagnostic plan" not in page1


def test_compare_uses_verified_figures_when_every_run_was_verified(runs, tmp_path: Path
                                                                   ) -> None:
    """Two verified runs that differ only in their value of lost load: the same estimate,
    verified net present costs 183,976,000 and 43,816,000 GBP, compared on those."""
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(runs["verified"][0]),
                                 str(runs["cheap_voll"][0]), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "-140.2 MGBP vs the first" in text and "verified hour by hour" in text
    head = pd.read_csv(out / "headline.csv")
    assert list(head["figures"]) == ["verified hour by hour"] * 2
    assert list(head["net present cost [GBP]"]) == pytest.approx([VERIFIED, VERIFIED_AT_2000],
                                                                  rel=REL)
    npv = pd.read_csv(out / "costs_npv.csv").set_index("present value [GBP]")
    assert npv.loc["net present cost"].iloc[:2].tolist() == pytest.approx([ESTIMATE] * 2,
                                                                          rel=REL)
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "are verified hour by hour" in html


def test_compare_falls_back_to_estimates_when_one_run_is_not_verified(runs, tmp_path: Path
                                                                      ) -> None:
    """A verified run against one that was not: both on their representative-day estimates,
    and the output says so."""
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(runs["verified"][0]),
                                 str(runs["estimate"][0]), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "representative-day estimates: not every run was verified" in " ".join(
        result.output.split())
    head = pd.read_csv(out / "headline.csv")
    assert list(head["figures"]) == ["representative-day estimate"] * 2
    assert list(head["net present cost [GBP]"]) == pytest.approx([ESTIMATE] * 2, rel=REL)
    html = " ".join((out / "compare.html").read_text(encoding="utf-8").split())
    assert "1 of 2 runs were verified hour by hour, so all are compared on their estimates" \
        in html
