"""Output files and folders: written atomically, never silently overwritten, stamped with
provenance; finished work that cannot be written where asked is kept in a rescue folder."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from cnplan import __version__
from cnplan.exitcodes import EXIT_BAD_INPUT, EXIT_WRITE_FAILED

if sys.platform != "win32":
    import fcntl

#: A hidden temporary folder of a writer is abandoned after this long, whoever made it.
ABANDONED_AFTER_S = 3600.0
#: ``.NAME.<pid>-xxxxxxxx`` / ``.NAME.old-<pid>-xxxxxxxx``: the longest hidden sibling name
#: is the folder's name plus this many bytes (a pid of up to 7 digits).
TEMP_NAME_EXTRA = len("..old-1234567-xxxxxxxx")


class OutputRefusedError(Exception):
    """The output location cannot be used as asked (bad input: exit code 2)."""


class OutputExistsError(OutputRefusedError, FileExistsError):
    """An output exists and the user did not ask to overwrite it."""


class OutputBusyError(OutputExistsError):
    """Another cnplan process is writing the same output right now."""


class NotRunFolderError(OutputRefusedError):
    """``--overwrite`` was given for a folder cnplan did not write."""


class OutputNotWrittenError(Exception):
    """Finished work could not be written where asked; ``rescued`` is where it was kept
    instead (None if that failed too) and ``exit_code`` the command's exit code."""

    def __init__(self, message: str, exit_code: int, rescued: Path | None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.rescued = rescued


def atomic_write(path: Path, write: Callable[[Path], object], *,
                 overwrite: bool = False) -> Path:
    """Write ``path`` through ``write(tmp)`` into a temporary file, then rename it in place.

    A reader never sees a half-written file; an existing file is replaced only when
    ``overwrite`` is true, and without it a file that appears meanwhile is not replaced
    either (the file is linked in place, which fails if the name is taken).
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_no_replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _link_no_replace(tmp: Path, path: Path) -> None:
    """Give ``tmp``'s file the name ``path`` unless that name is taken (a hard link; a rename
    after a last check where the file system has no hard links)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise OutputExistsError(f"{path}: appeared while this was being written (another "
                                "run?); nothing replaced") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if path.exists():
            raise OutputExistsError(f"{path}: exists; pass --overwrite to replace it") from None
        os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str, *, overwrite: bool = False) -> Path:
    """Write text atomically (UTF-8)."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)


def provenance(plan_sha256: str) -> dict[str, str]:
    """Attributes that tie an output to its inputs and the software that made it."""
    return {"cnplan_version": __version__, "plan_sha256": plan_sha256}


def is_cnplan_folder(folder: Path) -> bool:
    """Whether ``folder`` was written by cnplan: a plan or scenario run (``summary.json``
    with ``cnplan_version``), a sweep (``sweep.json``, likewise), a comparison
    (``compare.html`` and ``headline.csv``) or a CSV export (``about.csv`` and
    ``capacity.csv``)."""
    folder = Path(folder)
    for name in ("summary.json", "sweep.json"):
        if _stamped(folder / name):
            return True
    return any(all((folder / f).is_file() for f in files)
               for files in (("compare.html", "headline.csv"), ("about.csv", "capacity.csv")))


def _stamped(path: Path) -> bool:
    """A JSON object file with a ``cnplan_version`` key."""
    try:
        if not path.is_file() or path.stat().st_size > 64 * 2**20:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "cnplan_version" in data


def not_run_folder_message(folder: Path) -> str:
    """What ``--overwrite`` of a folder cnplan did not write says."""
    return (f"{folder}: is not a cnplan run folder; --overwrite replaces only run folders; "
            "choose another --out")


def write_run_dir(out_dir: Path, fill: Callable[[Path], None], *, overwrite: bool,
                  keep: tuple[str, ...] = (), rescue_as: str | None = None) -> Path:
    """Fill a temporary sibling folder, then move it to ``out_dir`` in one rename.

    One writer at a time (a lock file ``.NAME.lock`` beside it; another writer is refused
    with :class:`OutputBusyError`). An existing non-empty ``out_dir`` is replaced only with
    ``overwrite`` and only if cnplan wrote it (:func:`is_cnplan_folder`); the entries named
    in ``keep`` (e.g. a run's ``sweep/``) move from the old folder into the new one, and the
    rest of the old folder is removed after the new one is in place. Hidden temporary
    folders that a killed writer left behind are removed (or, for a replaced folder, put
    back). With ``rescue_as`` (e.g. "the solved plan"; for callers that checked ``out_dir``
    with :func:`cnplan.out_checks.check_out_folder` before their work), a failure is raised
    as :class:`OutputNotWrittenError` after ``fill`` has written a rescue folder in the
    temporary directory, which its message names.
    """
    out_dir = Path(out_dir)
    try:
        return _write_run_dir(out_dir, fill, overwrite=overwrite, keep=keep)
    except (OutputRefusedError, OSError) as exc:
        if rescue_as is None:
            raise
        raise rescue(out_dir, fill, exc, rescue_as) from exc


def _write_run_dir(out_dir: Path, fill: Callable[[Path], None], *, overwrite: bool,
                   keep: tuple[str, ...]) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(out_dir) as locked:
        _clean_abandoned(out_dir, locked)
        _check_replaceable(out_dir, overwrite)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}-",
                                    dir=out_dir.parent))
        try:
            fill(tmp)
            tmp.chmod(0o777 & ~_umask())
            _move_into_place(tmp, out_dir, keep)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def _check_replaceable(out_dir: Path, overwrite: bool) -> None:
    """Refuse a file, and a non-empty folder unless ``overwrite`` and cnplan wrote it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputRefusedError(f"{out_dir}: is a file; --out must be a folder")
    if not _has_entries(out_dir):
        return
    if not overwrite:
        raise OutputExistsError(f"{out_dir}: exists and is not empty; pass --overwrite to "
                                "replace it, or choose another --out")
    if not is_cnplan_folder(out_dir):
        raise NotRunFolderError(not_run_folder_message(out_dir))


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return any(True for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _move_into_place(tmp: Path, out_dir: Path, keep: tuple[str, ...]) -> None:
    """Rename ``tmp`` to ``out_dir``, moving a non-empty ``out_dir`` aside first (and back if
    the rename fails); a folder that appeared meanwhile is never replaced."""
    old = None
    if _has_entries(out_dir):
        old = out_dir.parent / f".{out_dir.name}.old-{tmp.name.rsplit('.', 1)[-1]}"
        out_dir.rename(old)
    try:
        _rename_no_replace(tmp, out_dir)
    except BaseException:
        if old is not None and not out_dir.exists():
            old.rename(out_dir)
        raise
    if old is not None:
        for name in keep:
            if (old / name).exists() and not (out_dir / name).exists():
                (old / name).rename(out_dir / name)
        shutil.rmtree(old, ignore_errors=True)


def _rename_no_replace(tmp: Path, out_dir: Path) -> None:
    """``os.rename``, which replaces at most an empty folder: a non-empty one fails."""
    try:
        tmp.rename(out_dir)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
            raise OutputExistsError(f"{out_dir}: was written by another run while this one "
                                    "worked; nothing replaced") from None
        raise


@contextlib.contextmanager
def _writer_lock(out_dir: Path) -> Iterator[bool]:
    """Hold ``.NAME.lock`` beside ``out_dir`` while writing it: an ``flock``, which the
    kernel releases if this process dies, so a lock left by a killed writer is simply
    taken. Yields whether the lock is held (False where the file system has no locks)."""
    path = out_dir.parent / f".{out_dir.name}.lock"
    fd = _lock_file(path, out_dir)
    if fd is None:
        yield False
        return
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield True
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def _lock_file(path: Path, out_dir: Path) -> int | None:
    """An open, locked descriptor of ``path`` (None if locks are not supported); raises
    :class:`OutputBusyError` if another writer holds it."""
    if sys.platform == "win32":
        return None
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _pid_in(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise OutputBusyError(f"{out_dir}: another cnplan run is writing here{who}; "
                                  "nothing replaced") from None
        except OSError:  # e.g. ENOLCK: no locks here; the no-replace rename still holds
            os.close(fd)
            return None
        if _still_named(fd, path):
            return fd
        os.close(fd)  # the previous holder removed the file after we opened it: again


def _still_named(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


def _pid_in(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None


def _clean_abandoned(out_dir: Path, locked: bool) -> None:
    """Remove the hidden temporary folders of writers of ``out_dir`` that were killed: those
    whose pid is dead (only while holding the lock, so no live writer owns them) or that
    are older than :data:`ABANDONED_AFTER_S`. A folder moved aside to be replaced is put
    back if ``out_dir`` is missing (the writer died between its two renames)."""
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.(old-)?(?:(\d+)-)?[a-z0-9_]{{8}}")
    try:
        entries = [e for e in os.scandir(out_dir.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for entry in sorted(entries, key=_mtime, reverse=True):
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        if not _abandoned(Path(entry.path), match.group(2), locked):
            continue
        if match.group(1) and not os.path.lexists(out_dir):
            with contextlib.suppress(OSError):  # left as it is if it cannot be put back
                os.rename(entry.path, out_dir)
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return 0.0


def _abandoned(folder: Path, pid: str | None, locked: bool) -> bool:
    """A writer's temporary folder that no live writer owns. One named without a pid (made
    by older cnplan versions) must also look like cnplan's (empty or holding its files), so
    that a user's own hidden folder of the same shape is left alone."""
    try:
        age = time.time() - folder.stat().st_mtime
    except OSError:
        return False
    if pid is None:
        return age > ABANDONED_AFTER_S and _looks_written_by_cnplan(folder)
    return age > ABANDONED_AFTER_S or (locked and not _alive(int(pid)))


def _looks_written_by_cnplan(folder: Path) -> bool:
    names = {"results.nc", "summary.json", "plan.json", "compare.html", "about.csv"}
    try:
        found = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    return not found or bool(found & names)


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists but belongs to someone else
        return True
    return True


def rescue(out_dir: Path, fill: Callable[[Path], None], exc: BaseException,
           what: str) -> OutputNotWrittenError:
    """The error to raise when ``out_dir`` could not be written (``exc``), after trying to
    keep ``what`` (e.g. "the solved plan") in a folder of the temporary directory through
    ``fill``. A refusal (another writer, a folder that appeared) exits 2; an ``OSError``
    (read-only or full disk, name too long, no permission) exits 4."""
    reason, code = _failure(out_dir, exc)
    if type(exc) is OutputExistsError:  # the caller checked out_dir before its work began
        reason = (f"{out_dir}: was written by another run while this one worked; nothing "
                  "replaced")
    try:
        kept = _fill_rescue_folder(fill)
    except OSError as again:
        return OutputNotWrittenError(f"{reason}; keeping {what} in {tempfile.gettempdir()} "
                                     f"failed too ({_os_reason(again)}), so it is lost",
                                     code, None)
    return OutputNotWrittenError(f"{reason}; {what} is kept in {kept}", code, kept)


def _failure(out: Path, exc: BaseException) -> tuple[str, int]:
    """The message and exit code of a write of ``out`` that failed with ``exc``."""
    if isinstance(exc, OutputRefusedError):
        return str(exc), EXIT_BAD_INPUT
    return f"could not write {out}: {_os_reason(exc)}", EXIT_WRITE_FAILED


@contextlib.contextmanager
def not_written_as_error(out: Path) -> Iterator[None]:
    """Raise an ``OSError`` of writing ``out`` (nothing to rescue: the command is quick to
    run again) as :class:`OutputNotWrittenError` with exit code 4."""
    try:
        yield
    except OutputRefusedError:
        raise
    except OSError as exc:
        message, code = _failure(out, exc)
        raise OutputNotWrittenError(f"{message}; nothing was replaced", code, None) from exc


def _os_reason(exc: BaseException) -> str:
    """``[Errno 28] No space left on device`` (without the file name, which the message
    already gives)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno else exc.strerror
    return str(exc)


def _fill_rescue_folder(fill: Callable[[Path], None]) -> Path:
    """A new ``cnplan-rescue-<time>-<pid>-xxxxxxxx`` folder in the temporary directory
    (``$TMPDIR``), filled by ``fill``; removed again if that fails."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = Path(tempfile.mkdtemp(prefix=f"cnplan-rescue-{stamp}-{os.getpid()}-"))
    try:
        fill(folder)
        folder.chmod(0o777 & ~_umask())
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
