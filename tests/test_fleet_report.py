"""The fleet report (cnplan.report.fleet) of the hand-case fleet (tests/fleet/data): plant A
£897,900, plant B €876,000 = £744,600 at 0.85 GBP/EUR, the fleet £1,642,500; the corporate
-25 % target binds at £25/t CO2e in 2025 (plant A's certificates, 5 GBP/MWh at 0.2 t/MWh);
with the plants' own targets kept the fleet costs £1,659,472.50, so flexibility is worth
£16,972.50. Also ``cnplan report DIR`` on the fleet folder, and its errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report.fleet import cut_rows, price_rows
from cnplan.report.fleet_figures import scope_paths
from cnplan.report.formatting import money, per_tonne
from cnplan.runfolder import RunFolderError, read_fleet_folder, read_run_folder

DATA = Path(__file__).parent / "fleet" / "data"
runner = CliRunner()


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand fleet planned once, with its reports (``cnplan fleet``)."""
    out = tmp_path_factory.mktemp("fleet") / "hand"
    result = runner.invoke(app, ["fleet", str(DATA / "fleet.yaml"), "--resolution",
                                 "repdays:1", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _pdf_text(path: Path) -> str:
    """The PDF's text with every run of white space as one space (lines wrap anywhere)."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())


def _copy(fleet_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "hand"
    shutil.copytree(fleet_dir, copy)
    return copy


def test_the_summary_holds_the_hand_case(fleet_dir: Path) -> None:
    summ = json.loads((fleet_dir / "summary.json").read_text(encoding="utf-8"))
    assert summ["fleet"]["net_present_cost"] == pytest.approx(1_642_500)
    assert summ["plants"]["a"]["net_present_cost"]["plant_currency"] == pytest.approx(897_900)
    assert summ["plants"]["b"]["net_present_cost"]["plant_currency"] == pytest.approx(876_000)
    assert summ["plants"]["b"]["net_present_cost"]["reporting"] == pytest.approx(744_600)
    assert summ["corporate_carbon_price"]["2025"]["npc_per_t"] == pytest.approx(25.0)
    assert summ["flexibility"]["value"] == pytest.approx(16_972.5)


def test_pdf_states_costs_price_and_flexibility(fleet_dir: Path) -> None:
    text = _pdf_text(fleet_dir / "report.pdf")
    assert (fleet_dir / "report.html").is_file()
    fleet = money(1_642_500, "GBP")
    assert fleet == "£1.6 m" and f"the fleet's net present cost {fleet}" in text
    assert "a Plant A £897,900 – £897,900" in text
    assert "b Plant B €876,000 1 EUR = 0.85 GBP £744,600" in text
    assert per_tonne(25.0, "GBP") == "£25/t"
    assert "2025 £25/t £25/t £25/t (€29/t) £25/t" in text  # present value, a, b (€), range
    assert "corporate carbon price, 2025 £25/t" in text
    assert f"value of flexibility {money(16_972.5, 'GBP')}" in text
    assert "kept £1.7 m optimal dropped (this plan) £1.6 m optimal" in text
    assert "-25 % in 2025 2025 scope 2 market-based 25 % 0 % of the baseline met" in text
    assert "plants/a/report.html" in text and "plants/b/report.html" in text
    assert (fleet_dir / "plants" / "a" / "report.html").is_file()


def test_which_plant_cuts_what(fleet_dir: Path) -> None:
    """Plant A (certificates at £25/t) makes the whole cut; the figure's tonnes on the
    target's scopes are the summary's."""
    folder = read_fleet_folder(fleet_dir)
    summ = folder.summary
    (year,) = cut_rows(summ)
    a, b = year["plants"]
    assert (a["emitted"], a["cut"], a["of_fleet"]) == pytest.approx((876.0, 876.0, 1.0))
    assert (b["cut"], b["of_fleet"]) == pytest.approx((0.0, 0.0))
    assert year["fleet"]["cut_share"] == pytest.approx(0.25)
    (path,) = scope_paths(summ, {n: p.results for n, p in folder.plants.items()
                                 if p.results is not None})
    assert path.scopes == "scope2_market" and path.years == [2025]
    by_plant = summ["targets"][0]["years"]["2025"]["by_plant"]
    assert {n: v[0] for n, v in path.plants.items()} == pytest.approx(by_plant)
    assert path.baseline_t == pytest.approx(summ["targets"][0]["years"]["2025"]["baseline_t"])
    (price,) = price_rows(summ)
    assert price["binds"] and not price["missed"]
    assert price["plants"][1]["own"] == pytest.approx(25.0 / 0.85)


def test_report_command_renders_a_fleet_folder(fleet_dir: Path, tmp_path: Path) -> None:
    copy = _copy(fleet_dir, tmp_path)
    for name in ("report.html", "report.pdf", "plants/a/report.html"):
        (copy / name).unlink()
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"wrote {copy / 'report.pdf'}" in result.output
    assert f"wrote {copy / 'plants' / 'a' / 'report.html'}" in result.output
    assert "£16,972" in _pdf_text(copy / "report.pdf")


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda s: s[: len(s) // 2], "summary.json: not valid JSON"),
    (lambda s: json.dumps({k: v for k, v in json.loads(s).items() if k != "plants"}),
     "summary.json: missing key 'plants'"),
    (lambda s: s.replace('"emissions_t": {', '"emissions_t": 1, "x": {', 1),
     "summary.json: plant 'a': key 'emissions_t' missing or wrong"),
])
def test_report_command_locates_a_damaged_summary(fleet_dir: Path, tmp_path: Path,
                                                  damage: object, problem: str) -> None:
    copy = _copy(fleet_dir, tmp_path)
    summary = copy / "summary.json"
    assert callable(damage)
    summary.write_text(damage(summary.read_text(encoding="utf-8")), encoding="utf-8")
    result = runner.invoke(app, ["report", str(copy)])
    assert result.exit_code == 2, result.output
    assert f"{copy}: {problem}" in " ".join(result.output.split())


def test_a_plant_folder_damaged_is_named(fleet_dir: Path, tmp_path: Path) -> None:
    copy = _copy(fleet_dir, tmp_path)
    (copy / "plants" / "b" / "results.nc").write_bytes(b"not netCDF")
    with pytest.raises(RunFolderError, match=r"plants/b: results.nc: cannot be read"):
        read_fleet_folder(copy)


def test_a_plan_reader_refuses_a_fleet_folder(fleet_dir: Path) -> None:
    with pytest.raises(RunFolderError, match="a fleet folder"):
        read_run_folder(fleet_dir)
