"""Sweeps under faults and hostile input (issue 28): nothing finished is lost, no worker
outlives its sweep, an oversized sweep is refused at once, failed points give exit code 5,
damaged point files are run again, user text prints literally."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.sweeps import read_points

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "sites" / "examples" / "minimal.yaml"
CNPLAN = Path(sys.executable).parent / "cnplan"
PRICE = "grid.import_price_per_mwh"
#: The exit codes of README "Exit codes" (cnplan/exitcodes.py).
EXIT_BAD_INPUT, EXIT_POINTS_FAILED, EXIT_INTERRUPTED = 2, 5, 130
#: Points of the interrupted sweeps: prices only, so two workers get one chunk of 100 each
#: (points 0-99 and 100-199; 0.1-0.3 s a point here, so the sweeps are interrupted long
#: before they end).
POINTS = 200

runner = CliRunner()


def _sweep_command(out: Path, *options: str) -> list[str]:
    return [str(CNPLAN), "sweep", str(MINIMAL), "--out", str(out), *options]


def _start(out: Path, logs: Path) -> subprocess.Popen:
    """A two-worker sweep of POINTS prices in its own session (as a shell starts it)."""
    cmd = _sweep_command(out, "--set", f"{PRICE}=150:250:{POINTS}", "--resolution",
                         "repdays:8", "--workers", "2")
    with open(logs / "stdout", "wb") as stdout, open(logs / "stderr", "wb") as stderr:
        return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=stdout, stderr=stderr, start_new_session=True)


def _saved(out: Path) -> list[Path]:
    return sorted((out / "points").glob("*.json")) if (out / "points").is_dir() else []


def _children_once_saved(proc: subprocess.Popen, out: Path,
                         points: int = 1) -> list[psutil.Process]:
    """Wait until the sweep has saved ``points`` points; its child processes then (the
    workers and multiprocessing's resource tracker)."""
    deadline = time.monotonic() + 120
    while len(_saved(out)) < points:
        assert proc.poll() is None, "the sweep ended before saving a point"
        assert time.monotonic() < deadline, "no point saved in 120 s"
        time.sleep(0.01)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) >= 2
    return workers


def _saved_as_solved(out: Path) -> int:
    """Check that each saved point was written before the next point of its chunk was
    solved: between the files of points n and n + 1 of one chunk (one worker solves them in
    turn) lies at least the solve time of n + 1. Returns the number of such pairs checked.

    Causal, so independent of the machine's speed: points written together when their
    chunk ended would be milliseconds apart."""
    records = {int(path.stem[1:6]): (path.stat().st_mtime, json.loads(path.read_text()))
               for path in _saved(out)}
    pairs = [n for n in records if n + 1 in records and n + 1 != POINTS // 2]
    for n in pairs:
        (before, _), (after, record) = records[n], records[n + 1]
        assert after - before >= record["elapsed_s"] - 0.01, (n, after - before, record)
    return len(pairs)


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _all_gone_within(processes: list[psutil.Process], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not all(_gone(p) for p in processes):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def stray() -> Iterator[list[psutil.Process]]:
    """Processes a test started; any left at its end are killed (by their own id)."""
    started: list[psutil.Process] = []
    yield started
    for process in started:
        if not _gone(process):
            process.kill()


def test_ctrl_c_keeps_every_finished_point_and_stops_the_workers(tmp_path, stray):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) once a few points
    are saved: exit 130, one line saying how many points are saved, exactly those files on
    disk, each a whole record written as its point was solved (not when its chunk ended);
    no worker left and no traceback."""
    out = tmp_path / "sweep"
    proc = _start(out, tmp_path)
    stray.append(psutil.Process(proc.pid))
    workers = _children_once_saved(proc, out, points=4)
    stray.extend(workers)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == EXIT_INTERRUPTED
    stderr = (tmp_path / "stderr").read_text()
    (line,) = [ln for ln in stderr.splitlines() if ln.startswith("interrupted:")]
    kept = int(re.match(rf"interrupted: (\d+) of {POINTS} points are saved", line)[1])
    assert kept == len(_saved(out)) == len(read_points(out))
    assert 4 <= kept < POINTS
    assert _saved_as_solved(out) >= 1  # a chunk is saved from its start: 2 of 4 in one
    assert _all_gone_within(workers, 5)
    assert "Traceback" not in stderr


def test_killed_sweep_keeps_its_points_and_its_workers_die_with_it(tmp_path, stray):
    """SIGKILL of the sweep process once a point is saved: its workers are gone within a few
    seconds (not left blocked forever) and every saved file is a whole point record."""
    out = tmp_path / "sweep"
    proc = _start(out, tmp_path)
    stray.append(psutil.Process(proc.pid))
    workers = _children_once_saved(proc, out)
    stray.extend(workers)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _all_gone_within(workers, 10), "workers outlived their killed parent by 10 s"
    saved = _saved(out)
    assert saved and len(read_points(out)) == len(saved)


#: Runs the command line with the rest of its arguments and, at exit, copies this process's
#: /proc status (VmHWM: its peak memory since it started) to the file named first.
WITH_PEAK_MEMORY = """
import atexit, pathlib, sys
report = pathlib.Path(sys.argv.pop(1))
atexit.register(lambda: report.write_text(pathlib.Path("/proc/self/status").read_text()))
from cnplan.cli import app
app()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_million_point_sweep_is_refused_at_once(tmp_path):
    """`--set K=1:2:1000000` is refused in under 5 s with little memory (no point is made),
    exit 2, one line saying how to raise the limit; nothing is written."""
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-c", WITH_PEAK_MEMORY, str(tmp_path / "status"), "sweep",
           str(MINIMAL), "--set", f"{PRICE}=1:2:1000000", "--out", str(out)]
    with open(tmp_path / "stderr", "wb") as stderr:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        assert proc.wait(timeout=5) == EXIT_BAD_INPUT
    finally:
        proc.kill()
        proc.wait()
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", (tmp_path / "status").read_text())[1])
    assert peak_kb < 200 * 1024  # the interpreter and the command line: no points made
    (line,) = (tmp_path / "stderr").read_text().splitlines()
    assert "1,000,000 points" in line and "--max-points 1000000" in line
    assert not out.exists()


def test_max_points_sets_the_limit():
    """--max-points 2 refuses a 3-point sweep, naming the option that allows it."""
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", f"{PRICE}=150:250:3",
                                 "--max-points", "2", "--out", "unused"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "the sweep has 3 points, more than --max-points 2; pass --max-points 3" in (
        result.output)


def test_failed_points_give_exit_code_5_after_sweep_nc(tmp_path):
    """A point the plan rejects (a negative price scale) fails: sweep.nc is still written,
    the point is listed, and the exit code is 5."""
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", "grid.import_price_scale=-1:1:2",
                                 "--resolution", "repdays:2", "--out", str(out)])
    assert result.exit_code == EXIT_POINTS_FAILED, result.output
    assert (out / "sweep.nc").exists()
    assert "2 points: 2 run, 0 already done, 1 failed" in result.output
    assert re.search(r"p00000-\w+ \{'grid.import_price_scale': -1.0\}: invalid: ", result.output)


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory) -> Path:
    """A finished two-point sweep (copied by each test that damages it)."""
    out = tmp_path_factory.mktemp("sweeps") / "done"
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", f"{PRICE}=150:250:2",
                                 "--resolution", "repdays:2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _rerun(out: Path):
    return runner.invoke(app, ["sweep", str(MINIMAL), "--set", f"{PRICE}=150:250:2",
                               "--resolution", "repdays:2", "--out", str(out)])


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda text: "{}", "empty ({}), not a point record"),
    (lambda text: text[: len(text) // 2], ""),  # the JSON reader says what (runfolder.py)
    (lambda text: "\udcff\x00garbage", ""),
    (lambda text: "", ""),
    (lambda text: "[1, 2]", ""),
    (lambda text: text.replace('"objective"', '"objectif"'), "outputs: no objective"),
    (lambda text: json.dumps({**json.loads(text), "ok": "yes"}), "no valid ok"),
], ids=["empty-object", "truncated", "not-utf8", "empty-file", "list", "key-missing",
        "wrong-type"])
def test_a_damaged_point_file_is_run_again(finished_sweep, tmp_path, damage, problem):
    """A point file that is not a whole record is named in one warning line and counts as
    not done: the resume runs that point again (no traceback) and replaces the file."""
    out = tmp_path / "sweep"
    shutil.copytree(finished_sweep, out)
    first = _saved(out)[0]
    first.write_bytes(damage(first.read_text()).encode("utf-8", "surrogateescape"))
    result = _rerun(out)
    assert result.exit_code == 0, result.output
    (line,) = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert line.startswith(f"warning: {first}: {problem}") and line.endswith("runs again")
    assert "2 points: 1 run, 1 already done, 0 failed" in result.output
    assert set(read_points(out)) == {p.stem for p in _saved(out)} and len(_saved(out)) == 2


def test_a_damaged_sweep_json_is_one_line_exit_2(finished_sweep, tmp_path):
    """A truncated sweep.json stops a resume with exit 2 and one `DIR: sweep.json: ...` line,
    not a traceback."""
    out = tmp_path / "sweep"
    shutil.copytree(finished_sweep, out)
    (out / "sweep.json").write_text('{"plan_sha256": "ab', encoding="utf-8")
    result = _rerun(out)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {out}: sweep.json: not valid JSON")


def test_set_errors_print_literally():
    """`KEY=a:b:n` is not turned into an emoji (`:b:`), nor `[red]` read as markup."""
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", f"{PRICE}=a:b:n",
                                 "--out", "unused"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert f"--set '{PRICE}=a:b:n'" in result.output and "🅱" not in result.output
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", "[red]grid[/red]:b:=1:2:3",
                                 "--out", "unused"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "[red]grid[/red]:b:" in result.output


def test_the_summary_names_the_folder_literally(tmp_path):
    """A sweep folder named like markup and emoji codes is printed as it is named, by
    `sweep` and by `sweep-report`."""
    out = tmp_path / "[red]s:b:"
    result = runner.invoke(app, ["sweep", str(MINIMAL), "--set", f"{PRICE}=150:250:2",
                                 "--resolution", "repdays:2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}/sweep.nc" in result.output
    result = runner.invoke(app, ["sweep-report", str(out)])
    assert result.exit_code == 0, result.output
    assert f"plots in {out}/plots, {out}/breakeven.json" in result.output
