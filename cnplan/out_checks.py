"""Checks of an output location made before the work starts, so that a long solve never
ends in a folder it cannot write (each failure is one ``PATH: what is wrong`` line)."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from cnplan.outputs import (
    TEMP_NAME_EXTRA,
    NotRunFolderError,
    OutputExistsError,
    OutputRefusedError,
    is_cnplan_folder,
    not_run_folder_message,
)


def check_out_folder(out: Path, *, overwrite: bool, inputs: Iterable[Path] = ()) -> None:
    """Raise :class:`cnplan.outputs.OutputRefusedError` unless ``out`` can become a run
    folder: not the current folder or one holding it or any of ``inputs``, not a file, not
    a non-empty folder (with ``overwrite``: one cnplan wrote), a name the file system takes
    with its temporary siblings, and a parent that exists or can be made and is writable."""
    out = Path(out)
    _check_not_cwd_or_inputs(out, inputs)
    if out.exists() and not out.is_dir():
        raise OutputRefusedError(f"{out}: is a file; --out must be a folder")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise OutputExistsError(f"{out}: exists and is not empty; pass --overwrite to "
                                    "replace it, or choose another --out")
        if not is_cnplan_folder(out):
            raise NotRunFolderError(not_run_folder_message(out))
    _check_name_length(out)
    _check_parent_writable(out)


def check_out_file(out: Path, *, overwrite: bool, is_ours: bool,
                   inputs: Iterable[Path] = ()) -> None:
    """Like :func:`check_out_folder` for a single file: ``is_ours`` tells whether an
    existing ``out`` is an output of the same kind, the only kind ``overwrite`` replaces."""
    out = Path(out)
    _check_not_cwd_or_inputs(out, inputs)
    if out.is_dir():
        raise OutputRefusedError(f"{out}: is a folder; --out must be a file")
    if out.exists():
        if not overwrite:
            raise OutputExistsError(f"{out}: exists; pass --overwrite to replace it")
        if not is_ours:
            raise NotRunFolderError(f"{out}: was not written by cnplan; --overwrite "
                                    "replaces only cnplan's own outputs; choose another --out")
    _check_name_length(out)
    _check_parent_writable(out)


def is_export_workbook(path: Path) -> bool:
    """Whether ``path`` is a workbook written by ``cnplan export`` (an ``about`` sheet)."""
    try:
        with zipfile.ZipFile(path) as book:
            workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return 'name="about"' in workbook


def _check_not_cwd_or_inputs(out: Path, inputs: Iterable[Path]) -> None:
    """Replacing ``out`` must not remove the current folder or an input of the run."""
    where = out.resolve()
    if where == Path.cwd().resolve() or where in Path.cwd().resolve().parents:
        raise OutputRefusedError(f"{out}: is the current folder or holds it; give --out a "
                                 "folder of its own")
    for given in inputs:
        source = Path(given).resolve()
        if where == source or where in source.parents:
            raise OutputRefusedError(f"{out}: holds {given}, an input of this run; give "
                                     "--out a folder of its own")


def _check_name_length(out: Path) -> None:
    """The name plus the writer's temporary suffix must fit the file system's limit."""
    limit = _name_max(_nearest_existing(out.parent))
    size = len(os.fsencode(out.name))
    if size + TEMP_NAME_EXTRA > limit:
        raise OutputRefusedError(f"{out}: the name is too long ({size} bytes; at most "
                                 f"{limit - TEMP_NAME_EXTRA} here); choose a shorter --out")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _nearest_existing(folder: Path) -> Path:
    folder = folder.absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _check_parent_writable(out: Path) -> None:
    """The parent folder exists and takes a new folder, or can be created."""
    parent = out.absolute().parent
    base = _nearest_existing(parent)
    if not base.is_dir():
        raise OutputRefusedError(f"{out}: {base} is a file, not a folder")
    if base != parent:
        if not os.access(base, os.W_OK | os.X_OK):
            raise OutputRefusedError(f"{out}: cannot create {parent} ({base} is not "
                                     "writable)")
        return
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".cnplan-probe-", dir=parent))
    except OSError as exc:
        raise OutputRefusedError(f"{out}: cannot write in {parent} "
                                 f"({exc.strerror or exc})") from None
