"""`cnplan plan --alternatives N` as a user runs it: the folders, the summary table, the
report section, the refusals; and ``--alternatives 0`` changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.report.render import render_html

from .conftest import SITES
from .optimiser.helpers import write_plan
from .optimiser.test_alternatives import twin_heaters

runner = CliRunner()


def _text(result) -> str:  # type: ignore[no-untyped-def]
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plan(tmp_path_factory.mktemp("twins"), twin_heaters())


def _plan(plan: Path, out: Path, *more: str) -> None:
    result = runner.invoke(app, ["plan", str(plan), "--out", str(out), "--no-report",
                                 "--resolution", "repdays:2", *more])
    assert result.exit_code == 0, result.output


def test_alternatives_are_written_tabled_and_reported(twins: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    _plan(twins, out, "--alternatives", "2", "--directions", "eh_a:min,eh_a:max",
          "--slack", "0", "--jobs", "1")
    for name in ("eh_a-min", "eh_a-max"):
        folder = out / "alternatives" / name
        assert sorted(p.name for p in folder.iterdir()) == ["plan.json", "results.nc",
                                                            "summary.json"]
        own = json.loads((folder / "summary.json").read_text())
        assert own["alternative"]["name"] == name and own["status"] == "optimal"
    table = json.loads((out / "summary.json").read_text())["alternatives"]
    assert [p["name"] for p in table["plans"]] == ["least-cost", "eh_a-min", "eh_a-max"]
    by_name = {p["name"]: p for p in table["plans"]}
    assert by_name["eh_a-min"]["capacity_final_year"] == {"eh_b": pytest.approx(1.0)}
    assert by_name["eh_a-max"]["capacity_final_year"] == {"eh_a": pytest.approx(1.0)}
    for p in table["plans"]:
        assert p["over_least_cost"] == pytest.approx(0.0, abs=1e-9) and p["targets_met"]
        assert set(p["emissions"]) == {"2025"}
    (room,) = [r for r in table["room_to_choose"] if r["subject"] == "eh_a"]
    assert (room["low"], room["high"]) == (pytest.approx(0.0, abs=1e-9), pytest.approx(1.0))
    assert room["low_is_least"] and room["high_is_most"]
    html = render_html(out)
    assert "Room to choose" in html and "eh_a-max" in html
    # an alternative's own folder is a run folder: its report says what it is
    own_html = render_html(out / "alternatives" / "eh_a-max")
    assert "Not the least-cost plan: alternative eh_a-max" in own_html


def test_no_alternatives_change_nothing(twins: Path, tmp_path: Path) -> None:
    _plan(twins, tmp_path / "without")
    _plan(twins, tmp_path / "zero", "--alternatives", "0")
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("without", "zero"))
    for s in (a, b):
        s.pop("timings")
    assert a == b and "alternatives" not in b
    assert not (tmp_path / "zero" / "alternatives").exists()
    with xr.open_dataset(tmp_path / "without" / "results.nc") as x, \
            xr.open_dataset(tmp_path / "zero" / "results.nc") as y:
        assert x.identical(y)


@pytest.mark.parametrize(("args", "says"), [
    (["--alternatives", "2", "--directions", "boilers:max"], "'boilers' is no lever"),
    (["--directions", "eh_a:max"], "--directions needs --alternatives"),
    (["--alternatives", "1", "--scenarios", str(SITES / "scenarios" / "nonexistent.yaml")],
     "not with --scenarios"),
    (["--alternatives", "1", "--slack", "2"], "--slack"),
])
def test_bad_alternative_options_are_clear_errors(twins: Path, tmp_path: Path,
                                                  args: list[str], says: str) -> None:
    result = runner.invoke(app, ["plan", str(twins), "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2, result.output
    assert says in _text(result)
    assert not (tmp_path / "r").exists()


def test_alternatives_of_a_plan_verified_hour_by_hour(twins: Path, tmp_path: Path) -> None:
    """With --verify the least-cost plan is checked hour by hour and the alternatives are
    searched on the days it was planned on (estimates, as docs/alternatives.md says)."""
    out = tmp_path / "run"
    _plan(twins, out, "--verify", "--alternatives", "1", "--directions", "eh_a:max",
          "--jobs", "1")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"]["figures"] == "verified"
    (alt,) = summary["alternatives"]["plans"][1:]
    assert alt["name"] == "eh_a-max" and alt["over_least_cost"] == pytest.approx(0.02, abs=1e-6)
