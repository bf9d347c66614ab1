"""Output folders under faults (issue 28): concurrent writers, --overwrite of a folder cnplan
did not write, unusable --out refused before solving, write failures after a solve (exit 4,
the plan kept in a rescue folder) and the hidden temporary folders of killed writers."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from cnplan.outputs import OutputExistsError, atomic_write_text, write_run_dir

from ..conftest import ROOT, SITES

# the README's exit codes (cnplan/exitcodes.py): bad input, output could not be written
BAD_INPUT, WRITE_FAILED = 2, 4
MINIMAL = SITES / "examples" / "minimal.yaml"
FAST = ["--resolution", "repdays:2", "--no-bau", "--no-report"]
runner = CliRunner()


def _summary(marker: str) -> Callable[[Path], None]:
    """A fill that writes a run folder's ``summary.json`` stamped like cnplan's."""
    def fill(tmp: Path) -> None:
        (tmp / "summary.json").write_text(json.dumps({"cnplan_version": marker}))
    return fill


def _marker(folder: Path) -> str:
    return str(json.loads((folder / "summary.json").read_text())["cnplan_version"])


def _one_error_line(output: str) -> str:
    """The single ``error:`` line of a refusal (no traceback)."""
    assert "Traceback" not in output, output
    lines = [ln for ln in output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if `cnplan plan` starts solving."""
    def solve(*_: object, **__: object) -> None:
        raise AssertionError("the plan was solved before --out was checked")
    monkeypatch.setattr("cnplan.runs.run_with_bau", solve)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_two_writers_into_one_new_folder_only_one_writes(tmp_path: Path) -> None:
    """While one writer fills the folder, a second one is refused (it used to replace the
    first's folder, both saying "wrote"); the first's files survive."""
    out = tmp_path / "run"
    filling, go = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow_fill(tmp: Path) -> None:
        _summary("first")(tmp)
        filling.set()
        assert go.wait(10)

    def first() -> None:
        try:
            outcome["first"] = write_run_dir(out, slow_fill, overwrite=False)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["first"] = exc

    writer = threading.Thread(target=first)
    writer.start()
    try:
        assert filling.wait(10)
        with pytest.raises(OutputExistsError, match="another cnplan run is writing here"):
            write_run_dir(out, _summary("second"), overwrite=False)
    finally:
        go.set()
        writer.join(10)
    assert outcome["first"] == out
    assert _marker(out) == "first"


def test_a_folder_written_while_the_plan_solved_is_not_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another run writes --out while this one solves: exit 2, its folder is left as it
    is, and this run's plan is kept in the rescue folder the one-line message names."""
    import cnplan.runs

    out = tmp_path / "run"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    solve = cnplan.runs.run_with_bau

    def solve_while_another_writes(*args: object, **kwargs: object) -> object:
        write_run_dir(out, _summary("other"), overwrite=False)
        return solve(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cnplan.runs, "run_with_bau", solve_while_another_writes)
    result = runner.invoke(app, ["plan", str(MINIMAL), "--out", str(out), *FAST])
    assert result.exit_code == BAD_INPUT, result.output
    line = _one_error_line(result.output)
    assert "written by another run while this one worked; nothing replaced" in line
    assert _marker(out) == "other"
    kept = Path(re.search(r"kept in (\S+)", line).group(1))  # type: ignore[union-attr]
    assert kept.parent == tmp_path and (kept / "summary.json").is_file()
    assert (kept / "results.nc").is_file()


def test_overwrite_replaces_only_folders_cnplan_wrote(tmp_path: Path, no_solve: None) -> None:
    """--overwrite of a folder holding a user's file is refused before solving and the file
    stays; a run folder is replaced (and its sweep/ kept), an empty folder filled."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["plan", str(MINIMAL), "--out", str(mine), "--overwrite",
                                 *FAST])
    assert result.exit_code == BAD_INPUT, result.output
    assert "is not a cnplan run folder; --overwrite replaces only run folders" in \
        _one_error_line(result.output)
    from cnplan.outputs import NotRunFolderError

    with pytest.raises(NotRunFolderError):  # refused by the writer itself too
        write_run_dir(mine, _summary("x"), overwrite=True)
    assert (mine / "notes.txt").read_text() == "mine"

    run = tmp_path / "run"
    write_run_dir(run, _summary("old"), overwrite=False)
    (run / "sweep").mkdir()
    write_run_dir(run, _summary("new"), overwrite=True, keep=("sweep",))
    assert _marker(run) == "new" and (run / "sweep").is_dir()
    empty = tmp_path / "empty"
    empty.mkdir()
    write_run_dir(empty, _summary("new"), overwrite=True)
    assert _marker(empty) == "new"


@pytest.mark.parametrize("where", ["a file", "the current folder", "the plan's folder",
                                   "a name too long", "below a file"])
def test_unusable_out_is_refused_before_solving(tmp_path: Path, no_solve: None,
                                                monkeypatch: pytest.MonkeyPatch,
                                                where: str) -> None:
    """--out that cannot become a run folder fails fast with exit 2 and one line."""
    (tmp_path / "file").write_text("x")
    plan = tmp_path / "plans" / "site.yaml"
    plan.parent.mkdir()
    plan.write_text(MINIMAL.read_text())
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    out, extra = {"a file": (tmp_path / "file", []),
                  "the current folder": (Path("."), []),
                  "the plan's folder": (plan.parent, ["--overwrite"]),
                  "a name too long": (tmp_path / ("x" * 250), []),
                  "below a file": (tmp_path / "file" / "run", [])}[where]
    result = runner.invoke(app, ["plan", str(plan), "--out", str(out), *extra, *FAST])
    assert result.exit_code == BAD_INPUT, result.output
    assert _one_error_line(result.output).startswith(f"error: {out}: ")
    assert plan.read_text() == MINIMAL.read_text()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_parent_is_refused_before_solving(tmp_path: Path, no_solve: None) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(app, ["plan", str(MINIMAL), "--out", str(locked / "run"),
                                     *FAST])
    finally:
        locked.chmod(0o755)
    assert result.exit_code == BAD_INPUT, result.output
    assert "cannot write in" in _one_error_line(result.output)


def _full_disk_at(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    """Make writing ``out`` fail as on a full disk (ENOSPC): creating its temporary sibling
    (``.NAME.xxxx``) or a temporary file in it."""
    def full(make: Callable[..., object]) -> Callable[..., object]:
        def attempt(*args: object, **kwargs: object) -> object:
            if (str(kwargs.get("prefix", "")).startswith(f".{out.name}.")
                    or str(kwargs.get("dir", "")).startswith(str(out))):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return make(*args, **kwargs)
        return attempt

    monkeypatch.setattr(tempfile, "mkdtemp", full(tempfile.mkdtemp))
    monkeypatch.setattr(tempfile, "mkstemp", full(tempfile.mkstemp))


def test_a_full_disk_after_the_solve_keeps_the_plan(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing --out fails after the solve (ENOSPC): exit 4 (it was a traceback, exit 1, the
    plan lost) and the one-line message names a rescue folder holding the run."""
    rescue_dir = tmp_path / "tmp"
    rescue_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(rescue_dir))
    out = tmp_path / "disk" / "run"
    out.parent.mkdir()
    _full_disk_at(monkeypatch, out)
    result = runner.invoke(app, ["plan", str(MINIMAL), "--out", str(out), *FAST])
    assert result.exit_code == WRITE_FAILED, result.output
    line = _one_error_line(result.output)
    assert f"could not write {out}: [Errno 28] No space left on device" in line
    kept = Path(re.search(r"the solved plan is kept in (\S+)$", line).group(1))  # type: ignore[union-attr]
    assert kept.parent == rescue_dir and kept.name.startswith("cnplan-rescue-")
    assert json.loads((kept / "summary.json").read_text())["status"] == "optimal"
    assert not out.exists()


def test_when_the_rescue_fails_too_the_message_says_so(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from cnplan.outputs import OutputNotWrittenError

    def no_space(*_: object, **__: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkdtemp", no_space)
    with pytest.raises(OutputNotWrittenError) as caught:
        write_run_dir(tmp_path / "run", _summary("x"), overwrite=False,
                      rescue_as="the solved plan")
    assert caught.value.exit_code == WRITE_FAILED and caught.value.rescued is None
    assert "keeping the solved plan in" in str(caught.value)
    assert "failed too ([Errno 28] No space left on device), so it is lost" in str(caught.value)


def test_abandoned_temporary_folders_are_cleaned_and_live_ones_kept(tmp_path: Path) -> None:
    """The hidden folders of a killed writer go the next time the name is written: its pid
    is dead, or (named by older versions, without a pid) it is over an hour old. A live
    writer's folder and a user's own hidden folder stay."""
    dead, old = _dead_pid(), time.time() - 2 * 3600
    gone = [tmp_path / f".run.{dead}-abcd_123", tmp_path / f".run.old-{dead}-abcd_123",
            tmp_path / ".run.k2j4h5g6", tmp_path / ".run.old-k2j4h5g6"]
    kept = [tmp_path / f".run.{os.getpid()}-live_123", tmp_path / ".run.fresh123",
            tmp_path / ".run.settings"]
    for folder in gone + kept:
        folder.mkdir()
        (folder / "results.nc").write_text("partial")
    (kept[2] / "results.nc").rename(kept[2] / "editor.conf")
    for folder in [*gone[2:], kept[2]]:
        os.utime(folder, (old, old))
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text('{"cnplan_version": "old"}')
    write_run_dir(tmp_path / "run", _summary("new"), overwrite=True)
    assert [f for f in gone if f.exists()] == []
    assert [f for f in kept if not f.exists()] == []
    assert _marker(tmp_path / "run") == "new"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".run.")) == \
        sorted(f.name for f in kept)


def test_a_writer_killed_mid_write_blocks_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    """While a writer process fills the folder, another is refused naming its pid; once it
    is killed (SIGKILL), its lock is free and its hidden temporary folder is removed by the
    next write."""
    out, ready = tmp_path / "run", tmp_path / "filling"
    code = (f"import time\nfrom pathlib import Path\nfrom cnplan.outputs import write_run_dir\n"
            f"def fill(tmp):\n    (tmp / 'results.nc').write_text('partial')\n"
            f"    Path({str(ready)!r}).write_text('x')\n    time.sleep(120)\n"
            f"write_run_dir(Path({str(out)!r}), fill, overwrite=False)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the child's signal, not timing it
        assert ready.exists(), "the writer process did not start filling"
        with pytest.raises(OutputExistsError, match=f"writing here \\(pid {child.pid}\\)"):
            write_run_dir(out, _summary("second"), overwrite=False)
    finally:
        child.kill()
        child.wait()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".run.")]  # left behind
    write_run_dir(out, _summary("after the kill"), overwrite=False)
    assert _marker(out) == "after the kill"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filling", "run"]


def test_a_run_moved_aside_by_a_killed_writer_is_put_back(tmp_path: Path) -> None:
    """A writer killed between moving the old run aside and moving the new one in left no
    run folder: the next write of that name puts the old run back instead of deleting it
    (and, without --overwrite, does not replace it)."""
    aside = tmp_path / f".run.old-{_dead_pid()}-abcd_123"
    aside.mkdir()
    (aside / "summary.json").write_text('{"cnplan_version": "the old run"}')
    with pytest.raises(OutputExistsError):
        write_run_dir(tmp_path / "run", _summary("new"), overwrite=False)
    assert _marker(tmp_path / "run") == "the old run" and not aside.exists()


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    """atomic_write without overwrite never replaces a file another writer made meanwhile."""
    from cnplan.outputs import atomic_write

    path = tmp_path / "summary.txt"

    def write(tmp: Path) -> None:
        path.write_text("the other writer's")
        tmp.write_text("mine")

    with pytest.raises(OutputExistsError):
        atomic_write(path, write)
    assert path.read_text() == "the other writer's"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]
    atomic_write_text(path, "replaced", overwrite=True)
    assert path.read_text() == "replaced"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan run folder and its copy ``run2`` beside it (for compare)."""
    import shutil

    out = tmp_path_factory.mktemp("export") / "run"
    result = runner.invoke(app, ["plan", str(MINIMAL), "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    shutil.copytree(out, out.parent / "run2")
    return out


def test_compare_and_export_overwrite_only_their_own_outputs(run_dir: Path,
                                                             tmp_path: Path) -> None:
    """compare --out and export --out with --overwrite leave a user's folder or file alone
    (export wrote its tables among the user's files, compare deleted them)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    book = tmp_path / "budget.xlsx"
    book.write_text("the user's workbook")
    run2 = str(run_dir.parent / "run2")
    commands = [["export", str(run_dir), "--format", "csv", "--out", str(mine)],
                ["export", str(run_dir), "--format", "xlsx", "--out", str(book)],
                ["compare", str(run_dir), run2, "--out", str(mine), "--no-pdf"],
                ["compare", str(run_dir), run2, "--out", str(run_dir), "--no-pdf"]]
    for args in commands:
        result = runner.invoke(app, [*args, "--overwrite"])
        assert result.exit_code == BAD_INPUT, (args, result.output)
        target = args[args.index("--out") + 1]
        assert _one_error_line(result.output).startswith(f"error: {target}: "), args
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert book.read_text() == "the user's workbook"
    assert (run_dir / "results.nc").is_file() and not (run_dir / "compare.html").exists()
    csv = tmp_path / "csv"
    for _ in range(2):  # the second time over its own export
        result = runner.invoke(app, ["export", str(run_dir), "--format", "csv", "--out",
                                     str(csv), "--overwrite"])
        assert result.exit_code == 0, result.output


def test_export_to_a_full_disk_is_exit_4(run_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _full_disk_at(monkeypatch, tmp_path / "csv")
    result = runner.invoke(app, ["export", str(run_dir), "--format", "csv", "--out",
                                 str(tmp_path / "csv")])
    assert result.exit_code == WRITE_FAILED, result.output
    assert "No space left on device" in _one_error_line(result.output)
