"""The roadmap report for both reference plans: every section, embedded figures, numbers
equal to summary.json, and a PDF with pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report.formatting import money, per_tonne, percent
from cnplan.report.formatting import number as _num

from .conftest import SITES

SECTIONS = ["1. Summary", "2. Emissions against the targets", "3. Abatement by lever",
            "4. Investment roadmap", "5. Energy balance and costs",
            "6. Marginal abatement cost", "7. Dispatch in", "8. SOFC self-generation",
            "9. Assumptions", "10. Sensitivity"]


@pytest.fixture(scope="module", params=["sunderland", "tochigi"])
def run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "run"
    result = CliRunner().invoke(app, ["plan", str(SITES / f"{request.param}.yaml"), "--out",
                                      str(out), "--resolution", "repdays:4"])
    assert result.exit_code == 0, result.output
    return out


def test_report_has_every_section_and_embedded_figures(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    for title in SECTIONS:
        assert title in html, title
    assert len(re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)) >= 8
    assert "http://" not in html and "https://" not in html  # opens without a network


def test_headline_numbers_come_from_summary(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    summary = json.loads((run_dir / "summary.json").read_text())
    cur = summary["objective"]["currency"]
    assert money(summary["objective"]["net_present_cost"], cur) in html
    for t in summary["targets"]:
        assert t["name"] in html
        if t["shadow_price"] is not None:
            assert per_tonne(t["shadow_price"], cur) in html
    cuts = summary["cut_vs_baseline"]
    for year in ("2030", "2050"):
        if cuts["measures"][year] == ["per_vehicle"]:  # Tochigi's 2030: stated per vehicle
            assert f"{cuts['by_year'][year]['per_vehicle']:.3f} t/vehicle against" in html
            continue
        e = summary["emissions"][year]
        if e["credits"] > 0.5:  # the cut is net of credits; the tile says what was emitted
            gross = e["scope1"] + e["scope2_market"]
            assert (f"{_num(gross / 1e3, 1)} kt emitted − {_num(e['credits'] / 1e3, 1)} kt "
                    "credits") in html
        else:
            # no credits: emitted = net, on the basis the cut is counted on (named)
            assert f"{_num(e['net'] / 1e3, 1)} kt (scope 1 + scope 2 market-based)" in html


def test_pdf_has_pages(run_dir: Path) -> None:
    from pypdf import PdfReader

    reader = PdfReader(run_dir / "report.pdf")
    assert 5 <= len(reader.pages) <= 20
    box = reader.pages[0].mediabox  # A4 is 595 x 842 pt
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "".join(page.extract_text() for page in reader.pages)
    for title in ("1. Summary", "10. Sensitivity"):
        assert title in text


def test_report_command_rerenders(run_dir: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(run_dir), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "report.html" in result.output


def test_a_run_written_before_embodied_emissions_and_workplace_evs(run_dir: Path,
                                                                  tmp_path: Path) -> None:
    """A run folder written before issue 34 (no "workplace EVs" effect, no scope 3 embodied
    category, no tech_embodied) still renders: the report shows what it holds (it failed with
    a KeyError on the missing effect)."""
    import shutil

    import xarray as xr

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    with xr.open_dataset(copy / "results.nc") as ds:
        old = ds.load()
    old = old.drop_sel(effect="workplace EVs").drop_sel(category="scope3_embodied")
    old = old.drop_sel(baseline_category="scope3_embodied").drop_vars(
        ["tech_embodied", "usable_energy"])
    (copy / "results.nc").unlink()
    old.to_netcdf(copy / "results.nc")
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    for by_year in summary["emissions"].values():
        del by_year["scope3_embodied"]
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(copy), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert "3. Abatement by lever" in html and "embodied in what is built" not in html


def test_a_run_without_transfer_time_is_reported(run_dir: Path, tmp_path: Path) -> None:
    """A decomposed run (its yearly LPs compiled in worker processes) records no transfer
    time in summary.json: the report says what it has (it failed with a traceback)."""
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    del summary["timings"]["transfer_s"]
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(copy), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (copy / "report.html").read_text(encoding="utf-8")
    assert re.search(r"build [0-9.]+ s, solve [0-9.]+ s\.", html)
    assert "transfer" not in re.search(r"optimality gap[^<]*", html).group(0)


def test_report_command_on_a_wrong_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a plan run folder" in " ".join(result.output.split())


@pytest.mark.slow  # 20-50 s: make test-slow
def test_report_picks_up_sweep_breakeven(run_dir: Path) -> None:
    """A sweep run into DIR/sweep appears in the sensitivity section (issue 6 -> report)."""
    if "tochigi" not in str(run_dir):
        pytest.skip("one site is enough")
    sweep = run_dir / "sweep"
    runner = CliRunner()
    result = runner.invoke(app, ["sweep", str(SITES / "tochigi.yaml"), "--set",
                                 "fuels.bioethanol.price_scale=0.2:1.0:3", "--resolution",
                                 "repdays:4", "--out", str(sweep)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["sweep-report", str(sweep)]).exit_code == 0
    assert runner.invoke(app, ["report", str(run_dir), "--no-pdf"]).exit_code == 0
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    section = html[html.index("10. Sensitivity"):]
    assert "No sweep results" not in section
    assert "bio-ethanol SOFC" in section and "data:image/png;base64," in section
    assert "JPY/MWh" in section and "JPY/L" in section and "repdays:4" in section
    first_figure = section[section.index("<figure"):section.index("</figure>")]
    assert "bio-ethanol SOFC capacity" in first_figure  # the fuel's own user comes first


def _page_one(run_dir: Path) -> tuple[str, str]:
    """The summary section of report.html and the text of the PDF's first page."""
    from pypdf import PdfReader

    html = (run_dir / "report.html").read_text(encoding="utf-8")
    section = html[html.index("1. Summary"):html.index("2. Emissions against the targets")]
    pdf = " ".join(PdfReader(run_dir / "report.pdf").pages[0].extract_text().split())
    return section, pdf


def test_page_one_shows_business_as_usual_and_the_extra_cost(run_dir: Path) -> None:
    """Page 1 (HTML and PDF): the extra net present cost over business as usual (or the
    saving), the average cost per tonne avoided, the cut against the baseline in each target
    year and the investment by period with the business-as-usual row, all from summary.json."""
    summary = json.loads((run_dir / "summary.json").read_text())
    cur = summary["objective"]["currency"]
    bau = summary["business_as_usual"]
    assert bau is not None and bau["status"] == "optimal"
    extra = bau["extra_net_present_cost"]
    assert extra == pytest.approx(summary["objective"]["net_present_cost"]
                                  - bau["net_present_cost"], rel=1e-12)
    assert (run_dir / "bau" / "results.nc").exists()
    html, pdf = _page_one(run_dir)
    words = "extra cost over business as usual" if extra >= 0 else "saving over business as usual"
    for text in (html, pdf):
        assert words in text
        assert money(abs(extra), cur) in text
        per_t = bau["cost_per_t_abated"]
        assert per_t is not None
        kind = "average saving per tonne avoided" if per_t < 0 else "average cost per tonne avoided"
        assert kind in text and per_tonne(abs(per_t), cur) in text
        assert money(bau["net_present_cost"], cur) in text
        for year in ("2030", "2050"):
            cut = summary["cut_vs_baseline"]["by_year"][year]
            if summary["cut_vs_baseline"]["measures"][year] == ["per_vehicle"]:
                assert f"cut per vehicle in {year} vs" in text
                assert percent(cut["cut_per_vehicle"]) in text
                continue
            assert f"cut in {year} vs" in text
            assert percent(bau["reduction_vs_baseline"][year]) == percent(cut["cut"])
            assert percent(cut["cut"]) in text
        assert "business as usual" in text and "investment" in text
    assert "e+0" not in html and "nan" not in html.lower().replace("nana", "")


def test_report_reads_cleanly(run_dir: Path) -> None:
    """No technology ids, no scientific notation, no NaN, no "-0" in the report's text."""
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    text = re.sub(r'src="data:image/png;base64,[^"]+"', "", html)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text[:text.index("10. Sensitivity")]  # the sweep command names a fuel key
    assert not re.search(r"\d\.?\d*e[+-]\d", text), "scientific notation"
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert not re.search(r"(?<![\w.])-0(\.0+)?(?![\d.,])", text), "a -0"
    summary = json.loads((run_dir / "summary.json").read_text())
    for tech in summary["capacity"]:
        if "_" in tech:
            assert not re.search(rf"\b{tech}\b", text), f"technology id {tech} shown"


def test_export_round_trip(run_dir: Path, tmp_path: Path) -> None:
    """cnplan export (xlsx and csv) read back equals results.nc: capacities, builds, costs
    (present values add up to the net present cost), emissions, fuels and the hourly
    dispatch, whose supplies equal its uses in every carrier and year."""
    import numpy as np
    import pandas as pd
    import xarray as xr

    runner = CliRunner()
    book = tmp_path / "run.xlsx"
    assert runner.invoke(app, ["export", str(run_dir), "--format", "xlsx", "--out",
                               str(book)]).exit_code == 0
    result = runner.invoke(app, ["export", str(run_dir), "--format", "csv", "--out",
                                 str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["export", str(run_dir), "--format", "xlsx", "--out", str(book)])
    assert again.exit_code == 2 and "--overwrite" in again.output  # never silently replaced
    sheets = pd.read_excel(book, sheet_name=None)
    assert set(sheets) == {"about", "capacity", "builds", "costs", "emissions", "targets",
                           "fuels", "dispatch"}
    for name, table in sheets.items():
        csv = pd.read_csv(tmp_path / "csv" / f"{name}.csv")
        pd.testing.assert_frame_equal(table, csv, check_dtype=False, atol=1e-9)
        if name != "about":
            assert all("[" in c for c in table.columns
                       if c not in ("technology", "label", "year", "period", "category",
                                    "target", "basis", "met", "what binds", "fuel", "flow",
                                    "carrier", "direction", "hour", "kind of build")), name
    with xr.open_dataset(run_dir / "results.nc") as ds:
        cur = ds.attrs["currency"]
        cap = sheets["capacity"].set_index(["technology", "year"])
        for (t, y), row in cap.iterrows():
            value = float(ds["capacity"].sel(tech=t, year=y))
            got = row["power capacity [MW]"]
            got = row["efficiency savings [MWh/yr]"] if np.isnan(got) else got
            assert got == pytest.approx(value, abs=1e-9)
        builds = sheets["builds"]
        assert builds[f"investment [{cur}]"].sum() == pytest.approx(float(ds["capex"].sum()))
        costs = sheets["costs"]
        assert costs[f"present value [{cur}]"].sum() == pytest.approx(ds.attrs["objective"],
                                                                     rel=1e-9)
        em = sheets["emissions"].set_index("year")["net [t CO2e/yr]"]
        for y in ds["year"].values:
            assert em[int(y)] == pytest.approx(float(ds["net_emissions"].sel(year=y)), abs=1e-6)
        fuels = sheets["fuels"].set_index(["fuel", "year"])
        for (f, y), row in fuels.iterrows():
            assert row.iloc[0] == pytest.approx(float(ds["fuel_purchase"].sel(fuel=f, year=y)),
                                                abs=1e-6)
        d = sheets["dispatch"]
        grid = d[d["flow"] == "grid_import"].sort_values(["year", "period", "hour"])
        np.testing.assert_allclose(grid["power [MW]"].to_numpy(),
                                   ds["grid_import"].values.reshape(-1), atol=1e-9)
        d = d.assign(signed=np.where(d["direction"] == "supply", 1.0, -1.0) * d["power [MW]"])
        balance = d.groupby(["carrier", "year", "period", "hour"])["signed"].sum()
        assert balance.abs().max() < 1e-6


def test_dispatch_weeks_balance(run_dir: Path) -> None:
    """The winter and summer weeks close in every hour: supplies above the axis (storage
    discharge among them) equal uses below (storage charging among them)."""
    import numpy as np
    import xarray as xr

    from cnplan.report.dispatch import week_flows

    with xr.open_dataset(run_dir / "results.nc") as opened:
        ds = opened.load()
    heat = [str(c) for c in ds["carrier"].values if str(c) != "electricity"]
    for first in (15, 190):
        periods = ds["day_period"].values[first:first + 7]
        for carriers in (["electricity"], heat):
            supplies, uses = week_flows(ds, 2030, carriers, periods)
            gap = sum(v for *_, v in supplies) - sum(v for *_, v in uses)
            assert np.abs(gap).max() < 1e-6, carriers
