"""A validated plan with where each of its values was written (file and line)."""

from __future__ import annotations

import typing
from pathlib import Path

from plant.errors import KeyPath, PlanWarning
from plant.merge import MoneyUnits
from plant.schema import Plan
from plant.yamlio import LineMap


class LoadedPlan(typing.NamedTuple):
    """A validated plan with where it came from."""

    plan: Plan
    file: Path
    lines: LineMap
    sha256: str
    """Hash of the merged, validated plan content (for results provenance)."""
    money: MoneyUnits | None = None
    """Currency and price year each money value was written in (before conversion)."""
    warnings: tuple[PlanWarning, ...] = ()
    """Valid but probably wrong inputs (:func:`plant.checks.plan_warnings`)."""

    def where(self, path: KeyPath) -> tuple[Path, int | None]:
        """File and line where ``path`` (or its nearest written parent) was set."""
        return locate(self.lines, path, self.file)


def locate(lines: LineMap, path: KeyPath, default: Path) -> tuple[Path, int | None]:
    """File and line of ``path``, or of its nearest parent that was written down."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return default, None
