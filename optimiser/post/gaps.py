"""How far a representative-day estimate is from its hourly verification, from a results
Dataset alone (the verified figures :mod:`optimiser.verify.hourly` adds)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.formulate.context import COST_CATEGORIES
from optimiser.formulate.model import ONCE

#: Yearly cost categories the verification re-computes and compares, unserved energy apart
#: (capex and salvage are the planning run's; target slack is reported in t instead, a
#: diagnostic penalty: :func:`operating`).
OPERATING = tuple(c for c in COST_CATEGORIES if c not in (*ONCE, "unserved", "target_slack"))


def operating(unserved_priced: bool = True) -> list[str]:
    """The yearly categories compared: :data:`OPERATING` and unserved energy, which the
    verified cost prices at the value of lost load (``unserved_priced`` false: results
    written before it was, when unserved energy was a shortfall in MWh only)."""
    return [*OPERATING, "unserved"] if unserved_priced else list(OPERATING)



def verification_gaps(ds: xr.Dataset) -> dict[str, Any]:
    """How far the representative-day estimate is from the verified figures: net present
    cost, and per year the operating cost (every yearly cost), the dispatch cost (the same
    without fixed O&M), scope 1 + 2 (market-based) emissions and credits, each estimate beside
    verified with the relative gap (estimate − verified)/verified, and what the held
    capacities miss hour by hour: unserved energy by carrier, target excess, removals and
    clean electricity short."""
    if "verified_cost" not in ds:
        return {}
    estimate, verified = float(ds.attrs["objective"]), float(ds.attrs["verified_objective"])
    compared = operating(bool(ds.attrs.get("verified_unserved_priced", 0)))
    voll = ds.attrs.get("verified_value_of_lost_load")
    dispatch = [c for c in compared if c != "fixed_om"]
    by_year = {}
    for y in ds["year"].values:
        entry: dict[str, Any] = {"status": str(ds["verified_status"].sel(year=y).values)}
        for key, cats in (("operating_cost", compared), ("dispatch_cost", dispatch)):
            est = float(ds["cost"].sel(year=y, cost_category=cats).sum())
            ver = float(ds["verified_cost"].sel(year=y, cost_category=cats).sum())
            entry |= {key: ver, f"{key}_estimate": est, f"{key}_gap": _rel(est, ver)}
        for key, cats in (("scope1_2_market", ["scope1", "scope2_market"]),
                          ("credits_t", ["credits"])):
            est = float(ds["emissions"].sel(year=y, category=cats).sum())
            ver = float(ds["verified_emissions"].sel(year=y, category=cats).sum())
            entry |= {key: ver, f"{key}_estimate": est}
        entry["emissions_gap"] = _rel(entry["scope1_2_market_estimate"],
                                      entry["scope1_2_market"])
        unserved = ds["verified_unserved"].sel(year=y)
        entry["unserved_mwh"] = float(unserved.sum())
        entry["unserved_cost"] = float(ds["verified_cost"].sel(year=y,
                                                               cost_category="unserved"))
        entry["unserved_by_carrier"] = {str(c): float(unserved.sel(carrier=c))
                                        for c in unserved["carrier"].values
                                        if float(unserved.sel(carrier=c)) > 1e-3}
        entry["peak_import_mw"] = float(ds["verified_peak_import"].sel(year=y))
        entry["targets_missed"] = {}
        if "verified_target_shortfall" in ds:
            short = ds["verified_target_shortfall"].sel(year=y)
            entry["targets_missed"] = {str(k): float(short.sel(target=k))
                                       for k in ds["target"].values
                                       if float(short.sel(target=k)) > 1e-3}
        entry["removals_short_t"] = float(ds["verified_removal_short"].sel(year=y))
        entry["clean_target_short_mwh"] = float(np.nan_to_num(
            ds["verified_clean_target_shortfall"].sel(year=y))) if (
            "verified_clean_target_shortfall" in ds) else 0.0
        entry["short"] = (entry["unserved_mwh"] > 1e-3 or bool(entry["targets_missed"])
                          or entry["removals_short_t"] > 1e-3
                          or entry["clean_target_short_mwh"] > 1e-3)
        by_year[str(int(y))] = entry
    return {"net_present_cost": verified, "net_present_cost_estimate": estimate,
            "net_present_cost_gap": _rel(estimate, verified),
            "value_of_lost_load": None if voll is None else float(voll),
            "status": verified_status(by_year), "by_year": by_year}


def verified_status(by_year: dict[str, dict[str, Any]]) -> str:
    """What the hourly check says of the plan, in the status words of a planning run:
    ``demand_not_met`` if a year leaves demand unserved, ``targets_missed`` if a year misses
    a target, the removal ramp or a clean-electricity target (:func:`verification_gaps`'s
    ``short``), else the solver's status of a year not solved to optimality (e.g.
    ``time_limit``: a mixed-integer hourly year, its figures the best found, not proven
    least-cost), else ``optimal``."""
    if any(e["unserved_mwh"] > 1e-3 for e in by_year.values()):
        return "demand_not_met"
    if any(e["short"] for e in by_year.values()):
        return "targets_missed"
    return next((e["status"] for e in by_year.values() if e["status"] != "optimal"), "optimal")


def _rel(estimate: float, verified: float) -> float | None:
    """(estimate − verified) / |verified|; None if the verified figure is 0."""
    return None if abs(verified) < 1e-9 else (estimate - verified) / abs(verified)
