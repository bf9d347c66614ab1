"""``cnplan compare`` on two runs of the minimal example whose difference is checked by hand.

The minimal example buys all its 40,000 MWh a year from the grid in one modelled year
(2025, the base year, so the discount factor is 1): at 200 GBP/MWh its net present cost is
200 × 40,000 = 8,000,000 GBP; the "dear grid" copy pays 250 GBP/MWh, so 10,000,000 GBP, and
the difference is 50 × 40,000 = 2,000,000 GBP, all of it grid power. Emissions are the same:
40,000 MWh × 0.14125 t/MWh (0.283 in 2018 → 0.04 in 2030, linear, at 2025) = 5,650 t.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cnplan.cli import app

from .conftest import SITES

MINIMAL = SITES / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("compare")
    text = MINIMAL.read_text(encoding="utf-8")
    assert "import_price_per_mwh: 200" in text
    dear = text.replace("import_price_per_mwh: 200", "import_price_per_mwh: 250") + (
        '\nscenario:\n  name: dear grid\n  description: "grid power at 250 GBP/MWh"\n')
    (base / "dear.yaml").write_text(dear, encoding="utf-8")
    runner = CliRunner()
    for name, plan in (("cheap", MINIMAL), ("dear", base / "dear.yaml")):
        result = runner.invoke(app, ["plan", str(plan), "--out", str(base / name),
                                     "--resolution", "repdays:2", "--no-report"])
        assert result.exit_code == 0, result.output
    return base


def test_compare_two_minimal_runs(two_runs: Path) -> None:
    out = two_runs / "cmp"
    result = CliRunner().invoke(app, ["compare", str(two_runs / "cheap"), str(two_runs / "dear"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "+2.0 MGBP vs the first" in " ".join(result.output.split())
    head = pd.read_csv(out / "headline.csv").set_index("run")
    assert head.loc["reference", "net present cost [GBP]"] == pytest.approx(8e6, rel=1e-9)
    assert head.loc["dear grid", "net present cost [GBP]"] == pytest.approx(10e6, rel=1e-9)
    assert head.loc["dear grid", "difference to the first run [GBP]"] == pytest.approx(
        2e6, rel=1e-9)
    npv = pd.read_csv(out / "costs_npv.csv").set_index("present value [GBP]")
    assert npv.loc["grid power", "Δ dear grid"] == pytest.approx(2e6, rel=1e-9)
    assert npv.loc["net present cost", "Δ dear grid"] == pytest.approx(2e6, rel=1e-9)
    by_year = pd.read_csv(out / "costs_by_year.csv")
    assert by_year.iloc[0]["Δ dear grid"] == pytest.approx(2e6, rel=1e-9)
    em = pd.read_csv(out / "emissions.csv")
    assert list(em["net [t CO2e/yr]"]) == pytest.approx([5650.0, 5650.0], rel=1e-9)
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "dear grid costs" in html and "£2.0 m" in html
    from pypdf import PdfReader

    text = " ".join(PdfReader(out / "compare.pdf").pages[0].extract_text().split())
    assert "Scenarios compared" in text and "£2.0 m" in text


def test_compare_refuses_what_it_cannot_do(two_runs: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    one = runner.invoke(app, ["compare", str(two_runs / "cheap"), "--out", str(tmp_path / "x")])
    assert one.exit_code == 2 and "at least two" in one.output
    bad = runner.invoke(app, ["compare", str(two_runs / "cheap"), str(tmp_path), "--out",
                              str(tmp_path / "y")])
    assert bad.exit_code == 2 and "not a plan run folder" in " ".join(bad.output.split())
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    busy = runner.invoke(app, ["compare", str(two_runs / "cheap"), str(two_runs / "dear"),
                               "--out", str(tmp_path / "full"), "--no-pdf"])
    assert busy.exit_code == 2 and "--overwrite" in busy.output
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
