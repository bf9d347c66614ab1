"""Output files: written atomically, never silently overwritten, stamped with provenance."""

from __future__ import annotations

import os
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
