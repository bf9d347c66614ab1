"""Output files: written atomically, never silently overwritten, stamped with provenance."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cnplan import __version__


class OutputExistsError(FileExistsError):
    """An output exists and the user did not ask to overwrite it."""


def atomic_write(path: Path, write: Callable[[Path], object], *,
                 overwrite: bool = False) -> Path:
    """Write ``path`` through ``write(tmp)`` into a temporary file, then rename it in place.

    A reader never sees a half-written file; an existing file is replaced only when
    ``overwrite`` is true.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass --overwrite to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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


def write_run_dir(out_dir: Path, fill: Callable[[Path], None], *, overwrite: bool,
                  keep: tuple[str, ...] = ()) -> Path:
    """Fill a temporary sibling folder, then move it to ``out_dir`` in one rename.

    An existing non-empty ``out_dir`` is replaced only with ``overwrite``; the entries named
    in ``keep`` (e.g. a run's ``sweep/``) move from the old folder into the new one, and the
    rest of the old folder is removed after the new one is in place.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise OutputExistsError(f"{out_dir} exists and is not empty; pass --overwrite to "
                                "replace it, or choose another --out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        fill(tmp)
        tmp.chmod(0o777 & ~_umask())
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{tmp.name[-8:]}"
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            for name in keep:
                if (old / name).exists() and not (out_dir / name).exists():
                    (old / name).rename(out_dir / name)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir
