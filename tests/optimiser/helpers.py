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


def synthetic_hours(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Seeded synthetic hours for the cross-checks: demand [MW] (10 MW base, +4 MW on
    weekday days, noise), PV (clear-sky arc × season × daily clouds) and wind (AR(1)) output
    per MW. Draws from ``rng`` in a fixed order, so a caller can keep drawing from it."""
    hours = np.arange(8760)
    h, day = hours % 24, hours // 24
    season = 0.5 - 0.5 * np.cos(2 * np.pi * (day - 172) / 365 + np.pi)  # 1 in June
    clouds = np.repeat(rng.uniform(0.25, 1.0, 365), 24)
    solar = np.clip(np.sin(np.pi * (h - 6) / 12), 0, None) * (0.45 + 0.45 * season) * clouds
    x = np.zeros(8760)
    for t in range(1, 8760):
        x[t] = 0.97 * x[t - 1] + 0.243 * rng.standard_normal()
    wind = np.clip(0.3 + 0.3 * x, 0, 1)
    workday = (day % 7) < 5
    demand = 10.0 + 4.0 * ((h >= 7) & (h < 19) & workday) + rng.normal(0, 0.5, 8760)
    return {"electricity": demand, "solar": solar, "wind": wind}


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


def storage_plan(folder: Path, seed: int = 7, years: tuple[int, ...] = (2025, 2030),
                 pv_degradation: float = 0.0) -> dict[str, Any]:
    """Plan overrides: seeded synthetic demand, PV and wind (:func:`synthetic_hours`) with a
    battery and a 50 % cut by 2030 over ``years``: a case where representative days and the
    full year differ and capacities matter."""
    hours = synthetic_hours(np.random.default_rng(seed))
    csv = {n: write_csv(folder, n, hours[n], "v") for n in ("electricity", "solar", "wind")}
    return {
        "profiles": {"csv": csv},
        "demand": {"electricity": {"annual_mwh": float(hours["electricity"].sum()),
                                   "production_share": 0.4, "constant_share": 0.6}},
        "baseline": {"electricity_mwh": float(hours["electricity"].sum())},
        "technologies": {
            "pv": {"kind": "solar_pv", "capex_per_kw": 600, "lifetime_years": 25,
                   "degradation_per_year": pv_degradation,
                   "specific_yield_kwh_per_kwp": float(hours["solar"].sum())},
            "wind": {"kind": "wind", "capex_per_kw": 1400, "lifetime_years": 25,
                     "capacity_factor": float(hours["wind"].mean())},
            "bat": {"kind": "battery", "capex_per_kwh": 150, "lifetime_years": 15,
                    "round_trip_efficiency": 0.9}},
        "targets": [{"name": "half", "year": 2030, "reduction": 0.5}],
        "finance": {"investment_years": list(years)},
    }


def retiring_heater_plan(**demand: Any) -> dict[str, Any]:
    """Plan overrides (on base.yaml) whose held fleet cannot serve the heat hour by hour:
    flat 1 MW of ``heat_low`` (8760 MWh) served by electric heaters (efficiency 1, 100 GBP/kW),
    1 MW of them existing until 2026 (built 2000, 27 years), modelled years 2025 (standing for
    2025-2029) and 2030, no discounting (δ_2025 = 5). The planning run counts the old heaters
    at their share of 2025's span, 2/5 (0.4 MW), and builds 0.6 MW; the hourly verification
    holds the fleet of 2029, 0.6 MW, and leaves 0.4 MW × 8760 h = 3504 MWh of heat unserved
    in 2025 (2030 builds the rest). Without adequacy by construction (``stress_days: false``):
    with it the heat supplied would also be held to the fleet alive at the end of the span,
    and 1 MW built in 2025 (docs/optimiser.md, "Adequacy"). ``demand``: more ``demand`` keys
    (e.g. the value of lost load)."""
    return {
        "profiles": {"aggregation": {"stress_days": False}},
        "demand": {"heat": {"heat_low": {"annual_mwh": 8760, "constant_share": 1.0,
                                         "temperature_c": 60}}, **demand},
        "technologies": {"eh": {"kind": "electric_heater", "serves": ["heat_low"],
                                "efficiency": 1.0, "capex_per_kw": 100, "lifetime_years": 25}},
        "existing_assets": {"old_eh": {"technology": "eh", "capacity_mw": 1.0,
                                       "build_year": 2000, "lifetime_years": 27}},
        "finance": {"investment_years": [2025, 2030], "discount_rate": 0.0},
    }
