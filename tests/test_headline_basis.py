"""Numbers and words a board can trust (issue 29): the headline figures on one named basis,
the same in summary.json, the report's page 1 and ``cnplan compare``; credits within the
share a target allows said plainly; units and price year where they were missing.

The hand case (tests/optimiser/data/base.yaml): a flat 1 MW load, 8,760 MWh a year, grid at
0.2 t/MWh location-based and a residual mix of 0.3 t/MWh, so a baseline of 1,752 t
(scope 1 + location-based scope 2) or 2,628 t (market-based). An efficiency measure that pays
for itself saves 93 % of the load from 2025, leaving 122.64 t location-based and 183.96 t
market-based each year; business as usual keeps the whole load. Targets: −30 % per vehicle by
2030 (output 100,000 → 120,000 vehicles) and net zero in 2050 with credits up to 10 % of the
baseline (removals at 30 GBP/t).

- SBTi v2 counts location-based scope 2 and never nets credits: the cut is 1 − 122.64 / 1,752
  = 93 % in every year; per vehicle in 2030, 1 − (122.64 / 120,000) / (1,752 / 100,000)
  = 94.17 %; tonnes avoided 0.93 × 1,752 × Σ δ_y. (Counted market-based net of the 122.64 t
  of removals, as before, 2050 read 1 − 61.32 / 2,628 = 97.7 %, labelled location-based.)
- Company mode: 183.96 t of removals, 7.0 % of the 2,628 t baseline within the 10 % allowed:
  met with credits within the allowed share, said as a note, not a warning.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report.content import assumptions
from cnplan.report.formatting import number, per_tonne, percent

from .conftest import ROOT, SITES
from .optimiser.helpers import DATA

TARGETS = [{"name": "per vehicle", "year": 2030, "basis": "per_vehicle",
            "scopes": ["scope1", "scope2_market"], "reduction": 0.3},
           {"name": "net zero", "year": 2050, "scopes": ["scope1", "scope2_market"],
            "reduction": 1.0, "max_credit_share": 0.1}]
PLAN = {
    "grid": {"residual_mix_t_per_mwh": 0.3},
    "technologies": {"savings": {"kind": "efficiency", "label": "electricity savings",
                                 "carrier": "electricity", "capex_per_mwh_saved_per_year": 50,
                                 "max_saving_fraction": 0.93, "lifetime_years": 40}},
    "carbon_credits": {"removal": {"kind": "removal", "price_per_t": 30,
                                   "counts_toward_target": True}},
    "production": {"vehicles_per_year": {2025: 100000, 2030: 120000}},
    "targets": TARGETS,
    "finance": {"investment_years": [2025, 2030, 2050], "price_year": 2024},
    "acknowledge": ["W101"],
}
LOCATION_BASE, MARKET_BASE = 1752.0, 2628.0
LEFT = 0.07 * LOCATION_BASE  # 122.64 t a year after the savings, location-based


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hand case planned in both modes (repdays:2, a few seconds each), and compared;
    ``<mode>.txt`` holds what ``cnplan plan`` printed."""
    base = tmp_path_factory.mktemp("headline")
    out = {}
    for mode in ("company", "sbti_v2"):
        plan = base / f"{mode}.yaml"
        plan.write_text(yaml.safe_dump({"include": [str(DATA / "base.yaml")], **PLAN,
                                        "accounting": {"target_mode": mode}}, sort_keys=False),
                        encoding="utf-8")
        result = CliRunner().invoke(app, ["plan", str(plan), "--out", str(base / mode),
                                          "--resolution", "repdays:2"], terminal_width=300)
        assert result.exit_code == 0, result.output
        out[mode] = base / mode
        (base / f"{mode}.txt").write_text(result.output, encoding="utf-8")
        out[f"{mode}.txt"] = base / f"{mode}.txt"
    result = CliRunner().invoke(app, ["compare", str(base / "company"), str(base / "sbti_v2"),
                                      "--out", str(base / "compare")])
    assert result.exit_code == 0, result.output
    out["compare"] = base / "compare"
    return out


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _page_one(folder: Path) -> tuple[str, str]:
    """Page 1 of report.html as text, and the text of the PDF's first page."""
    from pypdf import PdfReader

    html = (folder / "report.html").read_text(encoding="utf-8")
    section = html[html.index("1. Summary"):html.index("2. Emissions against the targets")]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).replace("&amp;", "&").split())
    pdf = " ".join(PdfReader(folder / "report.pdf").pages[0].extract_text().split())
    return text, pdf


def test_sbti_summary_is_on_the_counted_basis_by_hand(runs: dict[str, Path]) -> None:
    """SBTi v2: the cut, business as usual and the cost per tonne are on scope 1 +
    location-based scope 2, credits not netted, and say so."""
    summ = _summary(runs["sbti_v2"])
    bau = summ["business_as_usual"]
    with xr.open_dataset(runs["sbti_v2"] / "results.nc") as ds:
        delta = float(ds["discount_factor"].sum())
    assert bau["abated_t_present_value"] == pytest.approx(0.93 * LOCATION_BASE * delta,
                                                           rel=1e-6)
    assert bau["cost_per_t_abated"] == pytest.approx(
        bau["extra_net_present_cost"] / bau["abated_t_present_value"], rel=1e-12)
    assert bau["reduction_vs_baseline"]["2050"] == pytest.approx(0.93, rel=1e-6)
    cuts = summ["cut_vs_baseline"]
    assert cuts["basis"] == bau["basis"] == "scope1+scope2_location"
    assert cuts["net_of_credits"] is False and bau["net_of_credits"] is False
    assert cuts["baseline_t"] == pytest.approx(LOCATION_BASE)
    assert cuts["measures"] == {"2030": ["per_vehicle"], "2050": ["absolute"]}
    for year in ("2030", "2050"):
        assert cuts["by_year"][year]["counted"] == pytest.approx(LEFT, rel=1e-6)
        assert cuts["by_year"][year]["cut"] == pytest.approx(0.93, rel=1e-6)
        assert bau["reduction_vs_baseline"][year] == pytest.approx(0.93, rel=1e-6)
        assert bau["emissions"][year] == pytest.approx(LOCATION_BASE, rel=1e-6)
    assert cuts["by_year"]["2050"]["credits"] == pytest.approx(LEFT, rel=1e-6)  # not netted
    assert cuts["by_year"]["2030"]["cut_per_vehicle"] == pytest.approx(1 - 0.07 / 1.2, rel=1e-6)


def test_company_summary_is_market_based_net_of_credits(runs: dict[str, Path]) -> None:
    summ = _summary(runs["company"])
    assert summ["business_as_usual"]["reduction_vs_baseline"]["2050"] == pytest.approx(
        1.0, abs=1e-6)
    cuts = summ["cut_vs_baseline"]
    assert cuts["basis"] == "scope1+scope2_market" and cuts["net_of_credits"] is True
    assert cuts["baseline_t"] == pytest.approx(MARKET_BASE)
    assert cuts["by_year"]["2050"]["cut"] == pytest.approx(1.0, abs=1e-6)
    assert cuts["by_year"]["2030"]["cut"] == pytest.approx(0.93, rel=1e-6)


def test_sbti_page_one_shows_the_summary_figures_with_their_basis(
        runs: dict[str, Path]) -> None:
    """Page 1 (HTML and PDF): the cost per tonne, business as usual's emissions and the cuts
    are summary.json's, each naming scope 1 + scope 2 location-based; the 2030 target is
    per vehicle, so its card is the cut per vehicle."""
    summ = _summary(runs["sbti_v2"])
    bau = summ["business_as_usual"]
    with xr.open_dataset(runs["sbti_v2"] / "results.nc") as ds:
        by_hand = bau["extra_net_present_cost"] / (
            0.93 * LOCATION_BASE * float(ds["discount_factor"].sum()))
    html, pdf = _page_one(runs["sbti_v2"])
    for text in (html, pdf):
        assert per_tonne(abs(by_hand), "GBP") in text
        assert f"{number(LOCATION_BASE / 1e3, 1)} kt in 2050" in text  # BAU, location-based
    cuts = summ["cut_vs_baseline"]["by_year"]
    for text in (html, pdf):
        assert per_tonne(abs(bau["cost_per_t_abated"]), "GBP") in text
        assert "on scope 1 + scope 2 location-based, credits not netted" in text
        assert f"{number(bau['emissions']['2050'] / 1e3, 1)} kt in 2050" in text
        assert "(scope 1 + scope 2 location-based;" in text
        assert f"cut in 2050 vs 2018 {percent(cuts['2050']['cut'])}" in text
        assert f"cut per vehicle in 2030 vs 2018 {percent(cuts['2030']['cut_per_vehicle'])}" \
            in text
    assert percent(cuts["2050"]["cut"]) == "93 %" and "98 %" not in html  # 97.7 % before


def test_compare_reads_the_figures_the_report_shows(runs: dict[str, Path]) -> None:
    """compare's headline.csv is the runs' summary.json figures: the cut and cost per tonne
    on each run's basis (named), the per-vehicle target per vehicle; its page says the same."""
    head = pd.read_csv(runs["compare"] / "headline.csv")
    rows = head.to_dict("records")
    assert rows[1]["cut vs baseline 2050 [%]"] == pytest.approx(93.0, rel=1e-6)
    assert "cut vs baseline 2030 [%]" not in head.columns  # a per-vehicle target only
    assert rows[1]["cut per vehicle vs baseline 2030 [%]"] == pytest.approx(
        100 * (1 - 0.07 / 1.2), rel=1e-6)
    company, sbti = _summary(runs["company"]), _summary(runs["sbti_v2"])
    assert [r["folder"] for r in rows] == [str(runs["company"]), str(runs["sbti_v2"])]
    for row, summ in zip(rows, (company, sbti), strict=True):
        cuts = summ["cut_vs_baseline"]["by_year"]
        assert row["cut vs baseline 2050 [%]"] == pytest.approx(100 * cuts["2050"]["cut"])
        assert row["emissions 2050, counted [t CO2e/yr]"] == pytest.approx(
            cuts["2050"]["counted"], abs=1e-6)
        assert row["cut per vehicle vs baseline 2030 [%]"] == pytest.approx(
            100 * cuts["2030"]["cut_per_vehicle"])
        assert row["cost per tonne avoided [GBP/t CO2e]"] == pytest.approx(
            summ["business_as_usual"]["cost_per_t_abated"])
    assert rows[1]["emissions 2050, counted [t CO2e/yr]"] == pytest.approx(LEFT, rel=1e-6)
    assert rows[1]["basis of emissions, cuts and cost per tonne"] == (
        "scope 1 + scope 2 location-based, credits not netted")
    assert rows[0]["basis of emissions, cuts and cost per tonne"] == (
        "scope 1 + scope 2 market-based, net of credits")
    html = (runs["compare"] / "compare.html").read_text(encoding="utf-8")
    summary = html[html.index("1. Summary"):html.index("2. Costs")]
    assert "cut per vehicle vs baseline 2030" in summary
    assert re.search(r"cut vs baseline 2050</td><td>100 %</td><td>93 %</td>", summary)


def test_credits_within_the_allowed_share_are_a_note(runs: dict[str, Path]) -> None:
    """Company mode: the net-zero target is met with 183.96 t of removals, 7.0 % of its
    2,628 t baseline, within the 10 % it allows: a note on page 1 and in the command line,
    not the red "met only with credits"."""
    html = (runs["company"] / "report.html").read_text(encoding="utf-8")
    said = ("net zero: met, with credits within the allowed share, in 2050 (184 t in 2050, "
            "7.0 % of its baseline; it allows up to 10.0 %; emissions alone cut 93.0 %).")
    assert "only with credits" not in html
    assert f'<p class="note">{said}</p>' in html
    (target,) = [t for t in _summary(runs["company"])["targets"] if t["name"] == "net zero"]
    assert target["credits_use"] == "within_share" and target["max_credit_share"] == 0.1
    year = target["years"]["2050"]
    assert year["credit_share"] == pytest.approx(0.07, rel=1e-6)
    assert year["reduction_before_credits"] == pytest.approx(0.93, rel=1e-6)
    printed = " ".join(runs["company.txt"].read_text(encoding="utf-8").split())
    assert said.removeprefix("net zero: ").rstrip(".") in printed


@pytest.mark.parametrize(("rows", "cap", "expected"), [
    ([], 0.1, None),
    ([{"credit_share": 0.07, "reduction_before_credits": 0.93}], 0.1, "within_share"),
    ([{"credit_share": 0.12, "reduction_before_credits": 0.88}], 0.1, "beyond_share"),
    ([{"credit_share": 1.0, "reduction_before_credits": 0.0}], 1.0, "only_credits"),
    ([{"credit_share": 0.07, "reduction_before_credits": 0.93}], None, "unknown"),
])
def test_how_a_target_uses_credits(rows: list[dict], cap: float | None,
                                   expected: str | None) -> None:
    from optimiser.post.statistics import credits_use

    assert credits_use(rows, cap) == expected


def test_the_scenario_report_gives_efficiency_savings_in_mwh_a_year() -> None:
    """An efficiency measure's ``build`` is average MW saved: 2.3354 MW is 20,458 MWh/yr."""
    from cnplan.hedged import _builds
    from cnplan.report.stochastic import decision_text

    ds = xr.Dataset({"build": (("tech", "year"), np.array([[2.3354], [20.0]]))},
                    coords={"tech": ["savings", "pv"], "year": [2027],
                            "tech_label": ("tech", ["electricity savings", "ground PV"]),
                            "tech_kind": ("tech", ["efficiency", "solar_pv"]),
                            "tech_capacity_unit": ("tech", ["MWh/yr", "MW"])})
    builds = _builds(ds, [2027])
    summ = {"currency": "GBP", "first_stage_years": [2027], "stages": [2027, 2035],
            "first_stage": builds}
    (line,) = decision_text(summ)
    assert "electricity savings 20,458 MWh/yr saved (2027)" in line, line
    assert "ground PV 20.0 MW (2027)" in line, line


def test_the_assumptions_table_has_the_demand_charge(tochigi) -> None:
    """Tochigi's TEPCO basic charge, 2,600 JPY per kW of annual peak and month."""
    rows = assumptions(tochigi.plan, [2027, 2050])
    (row,) = [r for r in rows if r["item"].startswith("demand charge")]
    assert row["item"] == "demand charge tepco basic charge (annual peak)"
    assert row["unit"] == "JPY/kW-month" and row["values"] == {2027: 2600.0, 2050: 2600.0}


def test_the_workbook_says_the_price_year(runs: dict[str, Path], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "run.xlsx"
    result = CliRunner().invoke(app, ["export", str(runs["sbti_v2"]), "--format", "xlsx",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["about"]
    about = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(about["price year"]) == "2024"
    assert about["money"] == "GBP in 2024 prices"
    assert str(about["present values discounted to"]) == "2025"


def _show(plan: Path, columns: int) -> list[str]:
    """``cnplan show PLAN --no-profiles`` in a terminal ``columns`` wide."""
    cnplan = Path(sys.executable).parent / "cnplan"
    proc = subprocess.run([str(cnplan), "show", str(plan), "--no-profiles"], cwd=ROOT,
                          env={**os.environ, "COLUMNS": str(columns)}, capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.mark.parametrize(("columns", "tables"), [(80, 2), (120, 1)])
def test_show_has_no_empty_year_column(columns: int, tables: int) -> None:
    """Sunderland's money table (six investment years): at 80 columns in two tables of three
    years, at 120 in one; every year's value is printed and no line is wider than the
    terminal."""
    lines = _show(SITES / "sunderland.yaml", columns)
    start = next(i for i, line in enumerate(lines) if line.startswith("Costs and prices"))
    money = lines[start:]
    cells = [c.strip() for line in money if "grid.import_price_per_mwh" in line
             for c in line.split("│")[3:-1]]
    assert cells == ["200"] * 6, cells
    headers = " ".join(line for line in money if line.startswith("┃"))
    for year in (2027, 2030, 2035, 2040, 2045, 2050):
        assert f" {year} " in headers, year
    assert sum(line.startswith("Costs and prices") for line in money) == tables
    assert max(len(line) for line in lines) <= columns

