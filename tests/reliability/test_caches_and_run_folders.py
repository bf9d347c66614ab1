"""Issue 28: damaged caches and damaged or foreign run folders lose nothing and crash nothing.

A damaged SOFC curve cache file is a cache miss (recomputed, rewritten whole); a cache folder
that cannot be written is a one-line warning. A run folder that ``report``, ``export`` or
``compare`` cannot use is refused with exit 2 and one line ``DIR: file: problem``, before
anything is written; a folder of a newer format asks for an upgrade; ``sweep-report`` the
same for a sweep folder.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner, Result

import sofc.curves as curves
from cnplan.cli import app
from cnplan.exitcodes import EXIT_BAD_INPUT
from cnplan.runfolder import RUN_FORMAT
from sofc import SystemConfig, system_curve

from ..conftest import SITES

MINIMAL = SITES / "examples" / "minimal.yaml"
runner = CliRunner()


# --- the SOFC curve cache -------------------------------------------------------------------

@pytest.fixture
def cheap_curves(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """A private cache folder and a stand-in for the (seconds-long) curve computation that
    returns a complete curve Dataset; the list collects the key of every computation."""
    monkeypatch.setenv("CNPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(curves, "_warned_folders", set(), raising=False)
    computed: list[str] = []

    def compute(config: object, params: object, n_points: int, hours: list[float],
                key: str) -> xr.Dataset:
        computed.append(key)
        dims = ("operating_hours", "load")
        shape = (len(hours), n_points)
        ds = xr.Dataset({name: (dims, np.full(shape, 1.0)) for name in curves._VARIABLES},
                        coords={"operating_hours": hours,
                                "load": np.linspace(0.3, 1.0, n_points)})
        ds["load_fraction"] = (dims, np.full(shape, 1.0))
        ds["rated_power_kw"] = (("operating_hours",), np.full(len(hours), 1.0))
        ds.attrs["cache_key"] = key
        return ds

    monkeypatch.setattr(curves, "_compute_curve", compute)
    return computed


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "sofc").iterdir())


@pytest.mark.parametrize("damage", [
    pytest.param(lambda data: b"not a netCDF file\n" * 20, id="garbage"),
    pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    pytest.param(lambda data: b"", id="empty"),
])
def test_a_damaged_curve_cache_file_is_recomputed_and_rewritten(
        cheap_curves: list[str], tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    system_curve(SystemConfig(), n_points=5)
    [cached] = _cache_files(tmp_path)
    cached.write_bytes(damage(cached.read_bytes()))
    again = system_curve(SystemConfig(), n_points=5)
    assert len(cheap_curves) == 2  # a miss: computed again, not a traceback
    assert again.attrs["cache_key"] == cheap_curves[-1]
    assert _cache_files(tmp_path) == [cached]  # rewritten in place, no temporary left
    with xr.open_dataset(cached, engine="scipy") as ds:
        assert ds.attrs["cache_key"] == cheap_curves[-1]
    system_curve(SystemConfig(), n_points=5)
    assert len(cheap_curves) == 2  # and read from the cache from then on


def test_a_cache_folder_that_cannot_be_written_warns_once_and_the_curve_is_returned(
        cheap_curves: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Root ignores chmod, so the read-only folder is simulated: writing raises EACCES."""
    def refuse(self: xr.Dataset, path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", refuse)
    with caplog.at_level(logging.WARNING, logger="sofc.curves"):
        first = system_curve(SystemConfig(), n_points=5)
        system_curve(SystemConfig(), n_points=6)
    assert first.attrs["cache_key"] == cheap_curves[0] and len(cheap_curves) == 2
    [warning] = caplog.records  # one line for the folder, not one per curve
    assert warning.getMessage().startswith(f"{tmp_path / 'cache' / 'sofc'}: cannot write the "
                                           "SOFC curve cache (Permission denied)")
    assert "\n" not in warning.getMessage()
    assert _cache_files(tmp_path) == []  # no temporary file left behind


def test_a_cache_location_that_is_a_file_warns_and_the_curve_is_returned(
        cheap_curves: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CNPLAN_CACHE_DIR", str(blocker))
    with caplog.at_level(logging.WARNING, logger="sofc.curves"):
        curve = system_curve(SystemConfig(), n_points=5)
    assert curve.attrs["cache_key"] == cheap_curves[0]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [str(blocker / "sofc")]


# --- run folders ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real run of the minimal plan and its business as usual (a few seconds), copied and
    damaged by the tests."""
    out = tmp_path_factory.mktemp("runs") / "run"
    result = runner.invoke(app, ["plan", str(MINIMAL), "--resolution", "repdays:2",
                                 "--no-report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _copy(run: Path, tmp_path: Path, name: str = "damaged") -> Path:
    return Path(shutil.copytree(run, tmp_path / name))


def _edit_summary(folder: Path, edit: Callable[[dict], None]) -> None:
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    edit(summary)
    path.write_text(json.dumps(summary), encoding="utf-8")


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _one_line_error(result: Result) -> str:
    """The single line the command printed, checked to be an exit-2 refusal."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


#: How a copy of the run is damaged, and the file and problem the refusal names.
DAMAGES: dict[str, tuple[Callable[[Path], object], str]] = {
    "results.nc truncated": (lambda d: _truncate(d / "results.nc"),
                             "results.nc: cannot be read (truncated or not a netCDF file)"),
    "results.nc garbage": (lambda d: (d / "results.nc").write_bytes(b"\x89HDF\r\n" * 50),
                           "results.nc: cannot be read (truncated or not a netCDF file)"),
    "summary.json truncated": (lambda d: _truncate(d / "summary.json"),
                               "summary.json: not valid JSON, truncated or damaged"),
    "summary.json missing a key": (
        lambda d: _edit_summary(d, lambda s: s.pop("objective")),
        "summary.json: missing key 'objective'"),
    "summary.json a key of the wrong type": (
        lambda d: _edit_summary(d, lambda s: s.update(targets="none")),
        "summary.json: 'targets' is a string, not an array"),
    "summary.json not an object": (
        lambda d: (d / "summary.json").write_text("[1, 2, 3]"),
        "summary.json: holds an array, not an object"),
    "files from two runs": (
        lambda d: _edit_summary(d, lambda s: s.update(plan_sha256="0" * 64)),
        "results.nc: made from plan"),
}
COMMANDS: dict[str, Callable[[Path, Path, Path], list[str]]] = {
    "report": lambda good, bad, tmp: ["report", str(bad), "--no-pdf"],
    "export": lambda good, bad, tmp: ["export", str(bad), "--format", "csv", "--out",
                                      str(tmp / "export")],
    "compare": lambda good, bad, tmp: ["compare", str(good), str(bad), "--no-pdf", "--out",
                                       str(tmp / "cmp")],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_run_folder_is_one_line_and_exit_2(run: Path, tmp_path: Path, damage: str,
                                                     command: str) -> None:
    bad = _copy(run, tmp_path)
    spoil, problem = DAMAGES[damage]
    spoil(bad)
    line = _one_line_error(runner.invoke(app, COMMANDS[command](run, bad, tmp_path)))
    assert f"{bad}: {problem}" in line
    assert not (tmp_path / "export").exists() and not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_folder_of_a_newer_format_asks_for_an_upgrade(run: Path, tmp_path: Path,
                                                         command: str) -> None:
    newer = _copy(run, tmp_path)
    _edit_summary(newer, lambda s: s.update(run_format=RUN_FORMAT + 1, cnplan_version="99.0"))
    line = _one_line_error(runner.invoke(app, COMMANDS[command](run, newer, tmp_path)))
    assert (f"{newer}: summary.json: written by cnplan 99.0 with format {RUN_FORMAT + 1}; "
            f"this cnplan") in line
    assert f"reads up to format {RUN_FORMAT}: upgrade cnplan" in line


def test_runs_are_stamped_and_folders_from_before_the_stamp_are_read(run: Path,
                                                                     tmp_path: Path) -> None:
    assert json.loads((run / "summary.json").read_text())["run_format"] == RUN_FORMAT
    with xr.open_dataset(run / "results.nc") as ds:
        assert int(ds.attrs["run_format"]) == RUN_FORMAT
    old = _copy(run, tmp_path, "old")
    _edit_summary(old, lambda s: s.pop("run_format"))
    with xr.open_dataset(old / "results.nc") as opened:
        ds = opened.load()
    del ds.attrs["run_format"]
    (old / "results.nc").unlink()
    ds.to_netcdf(old / "results.nc")
    result = runner.invoke(app, ["export", str(old), "--format", "csv", "--out",
                                 str(tmp_path / "export")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", str(old), "--no-pdf"])
    assert result.exit_code == 0, result.output


def test_the_business_as_usual_folder_is_a_stamped_run_folder_too(run: Path,
                                                                    tmp_path: Path) -> None:
    """``bau/`` (no diagnosis of its own) is stamped and ``cnplan report`` renders it."""
    bau = _copy(run, tmp_path) / "bau"
    assert json.loads((bau / "summary.json").read_text())["run_format"] == RUN_FORMAT
    result = runner.invoke(app, ["report", str(bau), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert (bau / "report.html").is_file()


def test_report_names_a_damaged_plan_json(run: Path, tmp_path: Path) -> None:
    bad = _copy(run, tmp_path)
    _truncate(bad / "plan.json")
    line = _one_line_error(runner.invoke(app, ["report", str(bad), "--no-pdf"]))
    assert f"{bad}: plan.json: not valid JSON, truncated or damaged" in line
    assert not (bad / "report.html").exists()


def test_compare_with_a_damaged_run_writes_nothing(run: Path, tmp_path: Path) -> None:
    bad = _copy(run, tmp_path)
    _truncate(bad / "results.nc")
    out = tmp_path / "not" / "yet" / "cmp"
    for args in ([str(run), str(bad)], [str(bad), str(run)]):
        line = _one_line_error(runner.invoke(app, ["compare", *args, "--out", str(out)]))
        assert f"{bad}: results.nc:" in line
        assert not (tmp_path / "not").exists()


def test_compare_refuses_the_same_run_twice(run: Path, tmp_path: Path) -> None:
    line = _one_line_error(runner.invoke(app, ["compare", str(run), str(run), "--no-pdf",
                                               "--out", str(tmp_path / "cmp")]))
    assert f"{run}: given twice" in line
    assert not (tmp_path / "cmp").exists()


def test_a_damaged_sweep_manifest_in_a_run_folder_does_not_stop_its_report(
        run: Path, tmp_path: Path) -> None:
    folder = _copy(run, tmp_path)
    (folder / "sweep").mkdir()
    (folder / "sweep" / "breakeven.html").write_text('<section class="sweep-breakeven">'
                                                     "</section>\n")
    (folder / "sweep" / "sweep.json").write_text('{"plan_sha256": "ab')
    result = runner.invoke(app, ["report", str(folder), "--no-pdf"])
    assert result.exit_code == 0, result.output
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "sweep.json: not valid JSON" in html and "sweep-breakeven" in html


# --- sweep folders --------------------------------------------------------------------------

def test_sweep_report_on_a_damaged_sweep_folder(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    xr.Dataset({"ok": ("p", [True, False])}).to_netcdf(sweep / "sweep.nc")
    _truncate(sweep / "sweep.nc")
    line = _one_line_error(runner.invoke(app, ["sweep-report", str(sweep)]))
    assert f"{sweep}: sweep.nc: cannot be read (truncated or not a netCDF file)" in line
    (sweep / "sweep.json").write_text('{"axes_meaning": [')
    line = _one_line_error(runner.invoke(app, ["sweep-report", str(sweep)]))
    assert f"{sweep}: sweep.json: not valid JSON, truncated or damaged" in line
    (sweep / "sweep.json").unlink()
    (sweep / "sweep.nc").unlink()
    xr.Dataset({"objective": ("p", [1.0, 2.0])}).to_netcdf(sweep / "sweep.nc")
    line = _one_line_error(runner.invoke(app, ["sweep-report", str(sweep)]))
    assert f"{sweep}: sweep.nc: missing variables ok, capacity, net_emissions" in line
    assert not (sweep / "plots").exists()


SCENARIOS = """\
stages: [2027, 2035]
scenarios:
  cheap: {probability: 0.5, set: {grid.import_price_scale: 0.6}, source: "test"}
  dear: {probability: 0.5, set: {grid.import_price_scale: 1.8}, source: "test"}
sources: {test: "made up for the test"}
"""


@pytest.mark.slow  # a plan under two scenarios: about 10 s, 20 s on a loaded machine
def test_a_run_under_scenarios_is_reported_and_refused_by_export_and_compare(
        run: Path, tmp_path: Path) -> None:
    """``report`` renders the scenario report of such a folder; ``export`` and ``compare``
    (single plan runs only) refuse it in one line instead of a traceback."""
    (tmp_path / "scen.yaml").write_text(SCENARIOS, encoding="utf-8")
    hedged = tmp_path / "hedged"
    result = runner.invoke(app, ["plan", str(SITES / "examples" / "third_plant.yaml"),
                                 "--scenarios", str(tmp_path / "scen.yaml"), "--resolution",
                                 "repdays:2", "--no-metrics", "--no-report", "--out",
                                 str(hedged)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", str(hedged), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "made up for the test" in (hedged / "report.html").read_text(encoding="utf-8")
    for args in (["export", str(hedged), "--out", str(tmp_path / "x.xlsx")],
                 ["compare", str(run), str(hedged), "--out", str(tmp_path / "cmp")]):
        line = _one_line_error(runner.invoke(app, args))
        assert f"{hedged}: a run planned under scenarios" in line
