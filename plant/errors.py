"""Plan errors that name the file, the line, the key path and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PathKey = str | int
KeyPath = tuple[PathKey, ...]


def format_path(path: Sequence[PathKey]) -> str:
    """``('technologies', 'pv', 'capex_per_kw')`` -> ``technologies.pv.capex_per_kw``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


@dataclass(frozen=True)
class PlanIssue:
    """One thing wrong with a plan."""

    file: Path
    line: int | None
    path: KeyPath
    message: str

    def location(self) -> str:
        """``file:line: key.path`` (the line left out when unknown)."""
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        return f"{where}: {format_path(self.path)}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class PlanError(ValueError):
    """A plan (or a file it refers to) is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[PlanIssue]):
        self.issues = sorted(issues, key=lambda i: (str(i.file), i.line or 0))
        super().__init__(self.render())

    def render(self, limit: int = 25) -> str:
        """All issues, one a line, at most ``limit`` of them."""
        lines = [str(i) for i in self.issues[:limit]]
        if len(self.issues) > limit:
            lines.append(f"... and {len(self.issues) - limit} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class PlanWarning(PlanIssue):
    """Something in a plan that is valid but probably wrong; ``code`` is stable (W...)."""

    code: str = "W000"

    def __str__(self) -> str:
        return f"{self.location()}: {self.code}: {self.message}"
