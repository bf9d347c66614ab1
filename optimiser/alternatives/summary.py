"""The ``alternatives`` table of summary.json, read from each alternative's results: what it
costs against the least-cost plan, what it builds, what it emits in the target years, and
for each subject the range it takes across the plans found, the "room to choose"."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.alternatives.directions import UNITS, measured
from optimiser.alternatives.run import AlternativesRun
from optimiser.post.statistics import target_status

LEAST_COST = "least-cost"
#: Two plans whose installed capacities differ by no more than this anywhere [MW] are the
#: same plan.
SAME_MW = 1e-4


def alternatives_summary(base: xr.Dataset, found: AlternativesRun) -> dict[str, Any]:
    """The least-cost plan (``base``'s results) and every alternative, side by side."""
    plans: list[tuple[str, xr.Dataset]] = [(LEAST_COST, base)]
    rows = [_row(LEAST_COST, "", base, found.least_cost, found.least_cost_totals, None)]
    for alt in found.alternatives:
        if alt.results is None:
            rows.append({"name": alt.direction.name, "direction": alt.direction.text,
                         "status": alt.status, "solve_s": alt.solve_s})
            continue
        same = next((n for n, ds in plans if _same_plan(ds, alt.results)), None)
        plans.append((alt.direction.name, alt.results))
        rows.append(_row(alt.direction.name, alt.direction.text, alt.results, found.least_cost,
                         alt.totals, same) | {"folder": f"alternatives/{alt.direction.name}",
                                              "solve_s": alt.solve_s,
                                              "iterations": alt.iterations})
    return {"slack": found.slack, "least_cost": found.least_cost,
            "cost_cap": found.least_cost + found.slack * abs(found.least_cost),
            "currency": str(base.attrs["currency"]), "resolution": str(base.attrs["resolution"]),
            "workers": found.workers,
            "timings": found.timings, "plans": rows, "room_to_choose": _room(found, rows)}


def _row(name: str, direction: str, ds: xr.Dataset, least_cost: float,
         totals: dict[tuple[str, str], float], same: str | None) -> dict[str, Any]:
    npc = float(ds.attrs["objective"])
    final = int(ds["year"].values[-1])
    capacity = {str(t): float(ds["capacity"].sel(tech=t, year=final))
                for t in ds["tech"].values
                if float(ds["capacity"].sel(tech=t, year=final)) > SAME_MW}
    status = target_status(ds)
    return {"name": name, "direction": direction, "status": str(ds.attrs["status"]),
            "net_present_cost": npc,
            "over_least_cost": npc / least_cost - 1.0 if least_cost else 0.0,
            "final_year": final, "capacity_final_year": capacity,
            "emissions": _target_year_emissions(ds, status),
            "targets_met": all(t["met"] for t in status),
            "totals": {f"{s}.{m}": v for (s, m), v in totals.items()},
            "same_as": same}


def _target_year_emissions(ds: xr.Dataset, status: list[dict]) -> dict[str, float]:
    """Net emissions (scope 1 + scope 2 market-based − credits) in each target's year (the
    last modelled year without targets) [t CO2e/yr]."""
    years = sorted({t["year"] for t in status} & {int(y) for y in ds["year"].values}) or [
        int(ds["year"].values[-1])]
    e = ds["emissions"]
    return {str(y): float(e.sel(category="scope1", year=y) + e.sel(category="scope2_market",
                                                                   year=y)
                          - e.sel(category="credits", year=y)) for y in years}


def _same_plan(a: xr.Dataset, b: xr.Dataset) -> bool:
    return bool(np.abs(a["capacity"].values - b["capacity"].values).max() <= SAME_MW)


def _room(found: AlternativesRun, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each subject measured: the least and most it takes across the plans found, which
    plan, and whether that end was itself a direction (then it is the end within the slack,
    not only the end of the plans found)."""
    solved = {d.single for d in found.directions if d.single is not None}
    out = []
    for subject, measure in measured(found.directions):
        key = f"{subject}.{measure}"
        values = [(r["totals"][key], r["name"]) for r in rows if key in r.get("totals", {})]
        if not values:
            continue
        (low, low_at), (high, high_at) = min(values), max(values)
        out.append({"subject": subject, "measure": measure, "unit": UNITS[measure],
                    "least_cost": values[0][0], "low": low, "low_in": low_at, "high": high,
                    "high_in": high_at, "low_is_least": (subject, measure, "min") in solved,
                    "high_is_most": (subject, measure, "max") in solved})
    return out
