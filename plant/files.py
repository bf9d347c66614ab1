"""Read an input file the user names, boundedly: a regular file only, at most a size limit.

A plan, a file it includes, a scenario file or a profile CSV may be anything the user types:
``/dev/zero`` (endless), a FIFO (blocks until someone writes), a directory, a huge file. Each
is refused with a sentence before more than ``limit + 1`` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: What a file that is not a regular file is, by its ``st_mode`` test.
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class FileRefused(ValueError):
    """The file cannot be read as an input: missing, not a regular file, unreadable."""


class FileMissing(FileRefused):
    """The file does not exist."""


class FileTooLarge(ValueError):
    """The file holds more than the limit; ``size`` is its size in bytes when known."""

    def __init__(self, size: int | None, limit: int):
        self.size, self.limit = size, limit
        super().__init__(f"more than {limit} bytes")


def _not_regular(mode: int) -> str | None:
    """What a file of ``mode`` is if it is not a regular file (``None`` if it is)."""
    return next((kind for test, kind in _KINDS if test(mode)),
                None if stat.S_ISREG(mode) else "a special file")


def read_limited(file: Path, limit: int) -> bytes:
    """The bytes of ``file``, a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO opens at once) and checked on the open
    descriptor, so it cannot be swapped between the check and the read; at most
    ``limit + 1`` bytes are read, so a file that grows or lies about its size is still
    bounded.

    Raises
    ------
    FileRefused
        Missing (:class:`FileMissing`), not a regular file (directory, FIFO, device,
        socket) or unreadable.
    FileTooLarge
        More than ``limit`` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags)
    except FileNotFoundError:
        raise FileMissing("file not found") from None
    except OSError as exc:
        raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        kind = _not_regular(info.st_mode)
        if kind is not None:
            raise FileRefused(f"is {kind}, not a regular file: give the path of a file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileRefused(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FileTooLarge(None, limit)
    return data
