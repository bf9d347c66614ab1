"""`cnplan plan --scenarios` as a user runs it: the folder, the report, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from cnplan import __version__
from cnplan.cli import app

from .conftest import SITES

runner = CliRunner()
THIRD = str(SITES / "examples" / "third_plant.yaml")
SCENARIOS = """\
description: a test tree
stages: [2027, 2035]
scenarios:
  cheap: {probability: 0.5, set: {grid.import_price_scale: 0.6}, source: "test"}
  dear: {probability: 0.5, set: {grid.import_price_scale: 1.8}, source: "test"}
risk: {cvar_alpha: 0.9, weight: 0.0}
sources: {test: "made up for the test"}
"""


def _text(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


def _scenarios(tmp_path: Path, text: str = SCENARIOS) -> str:
    path = tmp_path / "scen.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.slow  # 20-50 s: make test-slow
def test_scenarios_write_the_folder_and_the_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", _scenarios(tmp_path), "--out",
                                 str(out), "--resolution", "repdays:2"])
    assert result.exit_code == 0, result.output
    assert "2 scenarios, optimal" in _text(result)
    summ = json.loads((out / "summary.json").read_text())
    assert summ["cnplan_version"] == __version__ and len(summ["scenarios_sha256"]) == 64
    assert summ["expected_cost"] == pytest.approx(
        sum(s["probability"] * s["cost"] for s in summ["scenarios"]), rel=1e-12)
    assert summ["vss"] >= 0 and summ["evpi"] >= 0 and len(summ["regret"]) == 3
    assert sorted(p.name for p in out.iterdir()) == [
        "plan.json", "report.html", "report.pdf", "results.nc", "scenarios.json",
        "summary.json"]
    with xr.open_dataset(out / "results.nc") as ds:
        assert list(ds["scenario"].values) == ["cheap", "dear"]
        assert float(ds["probability"].sum()) == pytest.approx(1.0)
    html = (out / "report.html").read_text()
    assert "Build now (2027–2034), in every scenario" in html or "Build nothing new now" in html
    assert "Regret: betting on one scenario" in html and "made up for the test" in html


def test_bad_scenario_file_is_one_clear_message(tmp_path: Path) -> None:
    bad = SCENARIOS.replace("probability: 0.5, set: {grid.import_price_scale: 1.8}",
                            "probability: 0.4, set: {grid.import_price_scale: 1.8}")
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", _scenarios(tmp_path, bad),
                                 "--out", str(tmp_path / "run"), "--resolution", "repdays:2"])
    assert result.exit_code == 2
    assert "is not a valid scenario file" in _text(result) and "sum to 0.9" in _text(result)
    assert "Traceback" not in result.output


def test_verify_is_refused_with_scenarios(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", _scenarios(tmp_path), "--out",
                                 str(tmp_path / "run"), "--verify"])
    assert result.exit_code == 2 and "--verify is not available" in _text(result)


@pytest.mark.slow
def test_tochigi_sourced_scenarios(tmp_path: Path) -> None:
    """The issue's command on the sourced set: VSS, EVPI and regret not negative."""
    out = tmp_path / "tochigi"
    result = runner.invoke(app, ["plan", str(SITES / "tochigi.yaml"), "--scenarios",
                                 str(SITES / "scenarios" / "tochigi_fuel.yaml"), "--out",
                                 str(out), "--resolution", "repdays:4", "--no-report"])
    assert result.exit_code == 0, result.output
    summ = json.loads((out / "summary.json").read_text())
    assert summ["vss"] >= 0 and summ["evpi"] >= 0
    assert all(r["regret"] >= 0 for r in summ["regret"])
    assert "SOFC" in summ["option_value"]


def test_scenarios_decomposed_from_the_command_line(tmp_path: Path) -> None:
    """`--solver decomposed`: the same folder, with the decomposition's figures in
    summary.json and the report, and the expected cost of the extensive form to 1e-4."""
    out, ext = tmp_path / "dec", tmp_path / "ext"
    scen = _scenarios(tmp_path)
    common = ["--resolution", "repdays:2", "--no-metrics"]
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", scen, "--out", str(out),
                                 "--solver", "decomposed", *common])
    assert result.exit_code == 0, result.output
    summ = json.loads((out / "summary.json").read_text())
    assert summ["solver"]["form"] == "decomposed" and summ["solver"]["gap"] <= 1e-4
    assert "Benders decomposition over its" in (out / "report.html").read_text()
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", scen, "--out", str(ext),
                                 "--no-report", *common])
    assert result.exit_code == 0, result.output
    other = json.loads((ext / "summary.json").read_text())
    assert other["solver"]["form"] == "shared-node" and other["solver"]["columns"] > 0
    assert summ["expected_cost"] == pytest.approx(other["expected_cost"], rel=1e-4)


@pytest.mark.parametrize(("args", "says"), [
    (["--workers", "2"], "--workers and --scheduler need --solver decomposed"),
    (["--solver", "benders"], "--solver must be one of extensive, decomposed"),
])
def test_solver_options_are_checked(tmp_path: Path, args: list[str], says: str) -> None:
    result = runner.invoke(app, ["plan", THIRD, "--scenarios", _scenarios(tmp_path),
                                 "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2
    assert says in _text(result)
    assert not (tmp_path / "x").exists()


def test_solver_options_need_scenarios(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", THIRD, "--solver", "decomposed",
                                 "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "are for --scenarios" in _text(result)
