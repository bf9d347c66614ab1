"""The command line as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import xarray as xr
from typer.testing import CliRunner

from cnplan import __version__
from cnplan.cli import app

from .conftest import SITES

runner = CliRunner()


def test_help_on_every_command() -> None:
    for args in (["--help"], ["validate", "--help"], ["show", "--help"], ["schema", "--help"],
                 ["profiles", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_version() -> None:
    assert __version__ in runner.invoke(app, ["--version"]).output


def test_validate_reference_plans() -> None:
    files = [str(p) for p in sorted(SITES.glob("*.yaml"))] + [str(SITES / "examples" /
                                                                 "minimal.yaml")]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("✓") == len(files)


def test_show_json_summary() -> None:
    result = runner.invoke(app, ["show", str(SITES / "tochigi.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["site"] == "Tochigi"
    assert data["baseline"]["year"] == 2018
    assert {t["year"] for t in data["targets"]} == {2030, 2050}
    assert len(data["provenance"]["plan_sha256"]) == 64


def test_show_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "summary.txt"
    args = ["show", str(SITES / "sunderland.yaml"), "--no-profiles", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert "Baseline 2018 emissions" in out.read_text()
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "exists" in again.output
    assert runner.invoke(app, [*args, "--overwrite"]).exit_code == 0


def test_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "Plan"
    assert {"site", "grid", "targets", "technologies"} <= set(schema["properties"])


def test_profiles_command_writes_netcdf(tmp_path: Path) -> None:
    out = tmp_path / "profiles.nc"
    result = runner.invoke(app, ["profiles", str(SITES / "examples" / "minimal.yaml"),
                                 "--out", str(out), "--days", "6"])
    assert result.exit_code == 0, result.output
    with xr.open_dataset(out) as ds:
        assert ds.sizes["period"] == 6
        assert len(ds.attrs["plan_sha256"]) == 64
        assert ds.attrs["cnplan_version"] == __version__
