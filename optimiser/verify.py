"""Hourly verification: each modelled year's full 8760-hour dispatch with the planning run's
capacities held (docs/optimiser.md, "Hourly verification").

The planning run decides capacities on representative days. For each modelled year y this
module builds the same model on the year's 8760 hours in calendar order, for y alone, with
every capacity decision held at its solved value (:attr:`ModelInputs.fixed`, from
:attr:`optimiser.pipeline.PlanRun.decisions`: capacity
totals, aged output capacity, contracted PPA shares); what is left is a dispatch LP (an MILP
only with SOFC unit commitment). Prices, span means, cohort weights and emission factors are
the planning run's (the same spans), so the only difference is the time resolution.

Targets, the removal ramp and clean-electricity targets keep their rows, each with a priced
slack, and unserved energy is allowed at its penalty (the plan's ``unserved_cost_per_mwh``,
else 50 × the highest import price): a year the held capacities cannot meet hour by hour
says by how much instead of failing.

Years are independent given the capacities, so they run in parallel processes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import xarray as xr

from optimiser.components.certificates import claim_all
from optimiser.context import COST_CATEGORIES
from optimiser.inputs import Resolution
from optimiser.model import ONCE, build_model
from optimiser.pipeline import prepare_inputs
from optimiser.results import REPORTED_EMISSIONS, extract
from optimiser.solve import HighsSolver
from plant.loader import LoadedPlan

#: Yearly cost categories the verification re-computes and compares (capex and salvage are
#: the planning run's; unserved energy and target slack are reported in MWh and t instead:
#: their penalties are diagnostic, not costs).
OPERATING = tuple(c for c in COST_CATEGORIES if c not in (*ONCE, "unserved", "target_slack"))


def verify_year(loaded: LoadedPlan, decisions: dict[str, float], year: int,
                time_limit: float | None = None) -> xr.Dataset:
    """Results of ``year``'s 8760-hour dispatch with ``decisions`` held (module docstring)."""
    inputs = prepare_inputs(loaded, Resolution.parse("hourly"))
    inputs = dataclasses.replace(inputs, years=[year], fixed=decisions)
    m, ctx = build_model(inputs)
    for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
              *m.clean_share_slack.values(), *m.unserved.values()]:
        v.unfix()
    outcome = HighsSolver(time_limit=time_limit).solve(m).rescaled(m.money_scale)
    if not outcome.feasible:
        raise RuntimeError(f"hourly verification of {year}: {outcome.status} "
                           f"({outcome.message})")
    claim_all(ctx)
    return extract(ctx, outcome, {})


def verify(loaded: LoadedPlan, decisions: dict[str, float], estimate: xr.Dataset,
           jobs: int = 2, time_limit: float | None = None,
           progress: Callable[[int], None] = lambda _: None) -> xr.Dataset:
    """Verify every modelled year (in up to ``jobs`` processes) and return the verified
    figures, named ``verified_*``, to merge into the planning run's results ``estimate``.
    ``progress(year)`` is called as each year finishes."""
    years = [int(y) for y in estimate["year"].values]
    done: dict[int, xr.Dataset] = {}
    if jobs <= 1 or len(years) == 1:
        for y in years:
            done[y] = verify_year(loaded, decisions, y, time_limit)
            progress(y)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(years)), mp_context=context) as pool:
            futures = {pool.submit(verify_year, loaded, decisions, y, time_limit): y
                       for y in years}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                progress(futures[future])
    return verified_figures(estimate, [done[y] for y in years])


def verified_figures(estimate: xr.Dataset, per_year: list[xr.Dataset]) -> xr.Dataset:
    """The ``verified_*`` variables from one hourly Dataset per year (in ``estimate``'s year
    order): costs (capex and salvage from the estimate), emissions, unserved energy, target
    emissions and shortfalls, clean-electricity target shortfalls, the hourly peak import."""
    from optimiser.matching import clean_shares

    hourly = xr.concat(per_year, dim="year", data_vars="minimal", coords="minimal",
                       compat="override", join="override")
    cost = hourly["cost"].copy()
    once = [c for c in ONCE if c in cost["cost_category"].values]
    cost.loc[{"cost_category": once}] = estimate["cost"].sel(cost_category=once)
    weight = hourly["weight"].isel(year=0, drop=True) if "year" in hourly["weight"].dims \
        else hourly["weight"]
    unserved = (hourly["unserved"] * weight).sum(("period", "hour"))
    out = xr.Dataset({
        "verified_cost": cost.assign_attrs(long_name="undiscounted cost by category, dispatch "
                                           "verified hour by hour (capex and salvage as "
                                           "planned)"),
        "verified_emissions": hourly["emissions"].sel(category=list(REPORTED_EMISSIONS))
        .assign_attrs(long_name="emissions by category, verified hour by hour",
                      units="t CO2e/yr"),
        "verified_unserved": unserved.assign_attrs(units="MWh/yr", long_name="demand the held "
                                                   "capacities cannot serve hour by hour"),
        "verified_peak_import": hourly["grid_import"].max(("period", "hour")).assign_attrs(
            units="MW", long_name="highest hourly grid import"),
    })
    shares = clean_shares(hourly.assign(weight=weight))
    out["verified_clean_share"] = xr.concat(
        [shares[k] for k in shares], dim=xr.DataArray(list(shares), dims="matching")
    ).assign_attrs(long_name="clean-electricity share, verified hour by hour")
    if "target" in estimate.coords and estimate.sizes["target"]:
        out["verified_target_counted"] = hourly["target_counted"].assign_attrs(
            units="t CO2e/yr", long_name="emissions a target counts, verified hour by hour")
        out["verified_target_shortfall"] = hourly["target_shortfall_by_year"].fillna(
            0.0).assign_attrs(units="t CO2e/yr", long_name="excess over a target's limit "
                              "hour by hour (0: met)")
    if "clean_target_shortfall" in hourly:
        out["verified_clean_target_shortfall"] = hourly["clean_target_shortfall"].assign_attrs(
            units="MWh/yr", long_name="matched clean electricity short of a clean-electricity "
            "target, hour by hour")
    extra = ((out["verified_cost"] - estimate["cost"]).sel(cost_category=list(OPERATING)).sum(
        "cost_category") * estimate["discount_factor"]).sum()
    npc = float(estimate.attrs["objective"]) + float(extra)
    out.attrs["verified_objective"] = npc
    return out.drop_vars([c for c in out.coords if c not in
                          ("year", "cost_category", "category", "carrier", "target",
                           "matching")])


def verification_gaps(ds: xr.Dataset) -> dict[str, Any]:
    """How far the representative-day estimate is from the verified figures: net present
    cost, and per year operating cost and scope 1 + 2 emissions (relative, verified as
    reference), unserved energy and target shortfalls."""
    if "verified_cost" not in ds:
        return {}
    estimate, verified = float(ds.attrs["objective"]), float(ds.attrs["verified_objective"])
    operating = list(OPERATING)
    by_year = {}
    for y in ds["year"].values:
        est_cost = float(ds["cost"].sel(year=y, cost_category=operating).sum())
        ver_cost = float(ds["verified_cost"].sel(year=y, cost_category=operating).sum())
        scopes = ["scope1", "scope2_market"]
        est_em = float(ds["emissions"].sel(year=y, category=scopes).sum())
        ver_em = float(ds["verified_emissions"].sel(year=y, category=scopes).sum())
        entry: dict[str, Any] = {
            "operating_cost": ver_cost, "operating_cost_estimate": est_cost,
            "operating_cost_gap": _rel(est_cost, ver_cost),
            "scope1_2_market": ver_em, "scope1_2_market_estimate": est_em,
            "emissions_gap": _rel(est_em, ver_em),
            "unserved_mwh": float(ds["verified_unserved"].sel(year=y).sum()),
            "peak_import_mw": float(ds["verified_peak_import"].sel(year=y)),
            "targets_missed": {}}
        if "verified_target_shortfall" in ds:
            short = ds["verified_target_shortfall"].sel(year=y)
            entry["targets_missed"] = {str(k): float(short.sel(target=k))
                                       for k in ds["target"].values
                                       if float(short.sel(target=k)) > 1e-3}
        if "verified_clean_target_shortfall" in ds:
            entry["clean_target_short_mwh"] = float(
                np.nan_to_num(ds["verified_clean_target_shortfall"].sel(year=y)))
        by_year[str(int(y))] = entry
    return {"net_present_cost": verified, "net_present_cost_estimate": estimate,
            "net_present_cost_gap": _rel(estimate, verified), "by_year": by_year}


def _rel(estimate: float, verified: float) -> float | None:
    """(estimate − verified) / |verified|; None if the verified figure is 0."""
    return None if abs(verified) < 1e-9 else (estimate - verified) / abs(verified)
