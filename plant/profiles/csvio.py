"""Hourly profiles read from CSV files (PVGIS or renewables.ninja exports, metered demand)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from plant.bounds import MAX_MAGNITUDE
from plant.errors import PlanError, PlanIssue
from plant.files import FileMissing, FileRefused, FileTooLarge, read_limited
from plant.profiles.calendar import HOURS_PER_YEAR

if TYPE_CHECKING:
    from pathlib import Path

    from plant.loaded import LoadedPlan
    from plant.schema import CsvProfile

#: Profiles whose values are per unit of rated power and so must lie in [0, 1].
_PER_UNIT = {"solar", "wind"}
#: Largest profile CSV read [bytes]: 8,760 rows of a few columns is under 1 MB (a PVGIS
#: export with every column about 1.5 MB).
MAX_CSV_BYTES = 50 * 1024 * 1024


def read_csv_profile(name: str, spec: CsvProfile, base_dir: Path) -> np.ndarray:
    """Read one hourly profile (8760 values) from ``spec.path`` relative to ``base_dir``.

    Raises
    ------
    PlanError
        Naming the CSV file and row when the file, column or values are wrong.
    """
    file = base_dir / spec.path
    issues, table = _checked_table(name, spec, file)
    if issues:
        raise PlanError(issues)
    return table[spec.column].to_numpy(dtype=float)


def _csv_issues(name: str, spec: CsvProfile, file: Path) -> list[PlanIssue]:
    return _checked_table(name, spec, file)[0]


def _checked_table(name: str, spec: CsvProfile, file: Path) -> tuple[list[PlanIssue], Any]:
    """The problems of one profile CSV and, if there are none, its table."""
    # pandas only when a plan has CSV profiles (validating any other plan stays fast)
    import pandas as pd

    key = ("profiles", "csv", name)
    try:
        raw = read_limited(file, MAX_CSV_BYTES)
    except FileMissing:
        return [PlanIssue(file, None, (*key, "path"), "profile CSV file not found")], None
    except FileRefused as exc:
        return [PlanIssue(file, None, (*key, "path"), str(exc))], None
    except FileTooLarge:
        return [PlanIssue(file, None, (*key, "path"), (
            f"file is more than {MAX_CSV_BYTES // 1024 // 1024} MB; a profile CSV has one "
            f"row per hour of the year ({HOURS_PER_YEAR:,})"))], None
    try:
        table = pd.read_csv(io.BytesIO(raw), comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        return [PlanIssue(file, None, key, f"cannot read CSV: {exc}")], None
    return _table_issues(name, spec, file, table), table


def _table_issues(name: str, spec: CsvProfile, file: Path, table: Any) -> list[PlanIssue]:
    """The problems of a profile CSV's column: rows, missing, non-finite or wrong values."""
    import pandas as pd

    key = ("profiles", "csv", name)
    if spec.column not in table.columns:
        cols = ", ".join(map(str, table.columns[:8]))
        return [PlanIssue(file, 1, (*key, "column"),
                          f"column {spec.column!r} not found (columns: {cols})")]
    if len(table) != HOURS_PER_YEAR:
        hint = " (a leap year? drop 29 February)" if len(table) == 8784 else ""
        return [PlanIssue(file, None, key, f"has {len(table)} rows, expected {HOURS_PER_YEAR} "
                          f"(one per hour of the year){hint}")]
    values = pd.to_numeric(table[spec.column], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if bad.size:
        row = int(bad[0]) + 2  # header is line 1
        return [PlanIssue(file, row, key, f"missing or non-numeric value in hour {bad[0]} "
                          f"({bad.size} such hours in all)")]
    wild = ~np.isfinite(values.to_numpy()) | (values.abs() > MAX_MAGNITUDE).to_numpy()
    if wild.any():
        row = int(np.flatnonzero(wild)[0]) + 2
        return [PlanIssue(file, row, key, f"value {values.iloc[row - 2]} in hour {row - 2} is "
                          "not a finite number of at most 1e12 in size")]
    if name in _PER_UNIT and not values.between(0, 1).all():
        row = int(np.flatnonzero(~values.between(0, 1).to_numpy())[0]) + 2
        return [PlanIssue(file, row, key, "values must be output per unit of rated power "
                          "(0-1); is the column in kW or W?")]
    if (values < 0).any():
        row = int(np.flatnonzero((values < 0).to_numpy())[0]) + 2
        return [PlanIssue(file, row, key, "negative value")]
    return []


def check_csv_profiles(loaded: LoadedPlan) -> list[PlanIssue]:
    """Check every CSV profile a plan refers to; return the issues found."""
    issues = []
    plan = loaded.plan
    for name, spec in plan.profiles.csv.items():
        if name not in ("temperature", "solar", "wind", "grid_carbon_shape", "grid_price_shape",
                        "electricity") and name not in plan.demand.heat:
            file, line = loaded.where(("profiles", "csv", name))
            issues.append(PlanIssue(file, line, ("profiles", "csv", name),
                                    f"{name!r} is not a profile name (temperature, solar, wind, "
                                    "grid_carbon_shape, grid_price_shape, electricity or a heat "
                                    "class)"))
            continue
        issues.extend(_csv_issues(name, spec, loaded.file.parent / spec.path))
    return issues
