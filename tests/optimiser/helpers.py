"""Helpers for the optimiser tests: small plans written to a temporary folder and run.

Plans are written as YAML that ``include`` a base plan from ``tests/optimiser/data`` (the
including file wins, ``null`` deletes a key), so each test states only what it changes.
CSV profiles are written next to the plan because their paths are relative to the plan file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from optimiser import PlanRun, run_plan
from plant.loader import read_plan

DATA = Path(__file__).resolve().parent / "data"
HOURS = np.arange(8760) % 24


def half_day_solar() -> np.ndarray:
    """PV output per MWp: 0.5 from 06:00 to 18:00 every day, 0 otherwise (6 MWh/MWp a day)."""
    return np.where((HOURS >= 6) & (HOURS < 18), 0.5, 0.0)


def write_csv(directory: Path, name: str, values: np.ndarray, column: str = "value") -> dict:
    """Write an 8760-row CSV and return its ``profiles.csv`` entry."""
    pd.DataFrame({column: values}).to_csv(directory / f"{name}.csv", index=False)
    return {"path": f"{name}.csv", "column": column}


def write_plan(directory: Path, overrides: dict[str, Any], base: str = "base.yaml",
               name: str = "plan.yaml") -> Path:
    """A plan file in ``directory`` that includes ``data/<base>`` and applies ``overrides``."""
    path = directory / name
    text = yaml.safe_dump({"include": [str(DATA / base)], **overrides}, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def run(directory: Path, overrides: dict[str, Any], resolution: str = "repdays:2",
        base: str = "base.yaml") -> PlanRun:
    """Write, load and run a plan."""
    return run_plan(read_plan(write_plan(directory, overrides, base)), resolution)


def annual(ds: Any, da: Any) -> Any:
    """Σ over (period, hour) of w_p · x [MWh for MW], keeping other dimensions."""
    return (da * ds["weight"]).sum(("period", "hour"))


def total_unserved(ds: Any) -> float:
    return float(annual(ds, ds["unserved"]).sum())
