"""The ``alternatives`` table of summary.json, read from each alternative's results: what it
costs against the least-cost plan, what it builds, what it emits in the target years, and
for each subject the range it takes across the plans found, the "room to choose"."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.alternatives.directions import AT_ZERO, UNITS, base_measure, measured
from optimiser.alternatives.run import AlternativesRun
from optimiser.post.statistics import target_status

LEAST_COST = "least-cost"
#: Totals this close (relative, at least 1 unit) are the same end of a range: what step 2 of
#: a direction may give back (search.HOLD of its scale) and the solver's tolerance.
TOLERANCE = 1e-4
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
                                              "iterations": alt.iterations,
                                              "step1_solve_s": alt.first_solve_s,
                                              "step1_iterations": alt.first_iterations})
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
    plan (a tie, to the solver's tolerance, goes to the direction's own plan, then to the
    least-cost plan), and whether that end is the end within the slack: its own direction
    was solved, or (for the least) it is zero, below which no total goes."""
    solved = {a.direction.single: a.direction.name for a in found.alternatives
              if a.direction.single is not None and a.results is not None}
    out = []
    for subject, measure in measured(found.directions):
        key = f"{subject}.{measure}"
        values = {r["name"]: r["totals"][key] for r in rows if key in r.get("totals", {})}
        if not values:
            continue
        low_in = _end(values, min, solved.get((subject, measure, "min")))
        high_in = _end(values, max, solved.get((subject, measure, "max")))
        out.append({"subject": subject, "measure": measure, "unit": UNITS[base_measure(measure)[0]],
                    "least_cost": values.get(LEAST_COST, float("nan")),
                    "low": values[low_in], "low_in": low_in,
                    "high": values[high_in], "high_in": high_in,
                    "low_is_least": low_in == solved.get((subject, measure, "min"))
                    or values[low_in] <= AT_ZERO,
                    "high_is_most": high_in == solved.get((subject, measure, "max"))})
    return out


def _end(values: dict[str, float], pick: Any, own: str | None) -> str:
    """The plan at the least (``pick`` min) or most (max) of ``values``: the direction's own
    plan ``own`` or the least-cost plan if within the solver's tolerance of it, else the
    first at it."""
    best = pick(values.values())
    tol = TOLERANCE * max(1.0, abs(best))
    for name in (own, LEAST_COST, *values):
        if name in values and abs(values[name] - best) <= tol:
            return name
    raise AssertionError("unreachable: best is one of the values")
