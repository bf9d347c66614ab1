"""`cnplan plan` as a user runs it: outputs, refusals and clear failures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cnplan import __version__
from cnplan.cli import app

from .conftest import SITES

runner = CliRunner()
MINIMAL = str(SITES / "examples" / "minimal.yaml")


def _text(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


def test_plan_writes_outputs_with_provenance(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(app, ["plan", MINIMAL, "--out", str(out), "--no-report"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cnplan_version"] == __version__ and len(summary["plan_sha256"]) == 64
    assert {"build_s", "solve_s", "transfer_s"} <= set(summary["timings"])
    assert sorted(p.name for p in out.iterdir()) == ["bau", "plan.json", "results.nc",
                                                     "summary.json"]
    assert sorted(p.name for p in (out / "bau").iterdir()) == ["plan.json", "results.nc",
                                                              "summary.json"]


def test_plan_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["plan", MINIMAL, "--out", str(out), "--no-report"]).exit_code == 0
    before = (out / "summary.json").stat().st_mtime_ns
    again = runner.invoke(app, ["plan", MINIMAL, "--out", str(out), "--no-report"])
    assert again.exit_code == 2 and "--overwrite" in _text(again)
    assert (out / "summary.json").stat().st_mtime_ns == before


def test_bad_resolution_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", MINIMAL, "--out", str(tmp_path / "r"),
                                 "--resolution", "weekly"])
    assert result.exit_code == 2
    assert "'hourly' or 'repdays:N'" in _text(result)


def test_time_limit_without_a_plan_is_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(SITES / "tochigi.yaml"), "--out",
                                 str(tmp_path / "r"), "--time-limit", "0.2", "--no-report"])
    assert result.exit_code == 1
    assert "stopped at the time limit" in _text(result)
    assert not (tmp_path / "r").exists()
