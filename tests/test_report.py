"""The roadmap report for both reference plans: every section, embedded figures, numbers
equal to summary.json, and a PDF with pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report.render import _num

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
    npv = summary["objective"]["net_present_cost"] / 1e6
    assert f"{npv:,.1f} M{summary['objective']['currency']}" in html
    for t in summary["targets"]:
        assert t["name"] in html
        if t["shadow_price"] is not None:
            assert f"{round(t['shadow_price']):,} {summary['objective']['currency']}/t" in html
    for year in ("2030", "2050"):
        assert f"{_num(summary['emissions'][year]['net'] / 1e3, 1)} kt" in html


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


def test_report_command_on_a_wrong_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a plan run folder" in " ".join(result.output.split())


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
    assert "sofc_bioethanol" in section and "data:image/png;base64," in section
