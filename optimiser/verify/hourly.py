"""Hourly verification: each modelled year's full 8760-hour dispatch with the planning run's
capacities held (docs/optimiser.md, "Hourly verification").

The planning run decides capacities on representative days. For each modelled year y this
module builds the same model on the year's 8760 hours in calendar order, for y alone, with
every capacity decision held at its solved value (:attr:`ModelInputs.fixed`, from
:attr:`optimiser.run.pipeline.PlanRun.decisions`: capacity
totals, aged output capacity, contracted PPA shares); what is left is a dispatch LP (an MILP
only with SOFC unit commitment). Prices, span means, cohort weights and emission factors are
the planning run's (the same spans), so the only difference is the time resolution.

Targets, the removal ramp and clean-electricity targets keep their rows, each with a priced
slack, and unserved energy is allowed where no dispatch can serve the load
(:func:`lp_unserved_penalty`): a year the held capacities cannot meet hour by hour says by
how much instead of failing. The verified cost prices each MWh unserved at the plan's value
of lost load (:func:`optimiser.formulate.components.markets.value_of_lost_load`).

Years are independent given the capacities, so they run in parallel processes.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

import xarray as xr
from pyomo.common.gc_manager import PauseGC

from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.components.markets import value_of_lost_load
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import ONCE, build_model, slack_penalty
from optimiser.post.gaps import operating
from optimiser.post.ledger import _add_instruments
from optimiser.post.results import REPORTED_EMISSIONS, _drop_solver_noise, extract
from optimiser.post.targets import add_clean_targets
from optimiser.run.pipeline import prepare_inputs
from optimiser.solve.highs import HighsSolver, SolveOutcome
from plant.loader import LoadedPlan
from plant.schema import Plan


def lp_unserved_penalty(plan: Plan) -> float:
    """What the verification LP charges per MWh unserved [site currency/MWh].

    A plan that lets the planning run leave demand unserved (``unserved_cost_per_mwh``)
    trades load against cost in the verification too, at its value of lost load. Otherwise
    load comes first: the larger of the value of lost load and a penalty above anything
    shedding a MWh could save (the target, removal-ramp and clean-share slack it avoids,
    at most 1 t a MWh in each target, and a year of every demand charge on 1 MW:
    :func:`optimiser.decompose.subproblems.unserved_penalty` + (number of targets + 1) ×
    the slack penalty), so that only what no dispatch can serve is shed; the verified cost
    prices it at the value of lost load all the same (:func:`verified_figures`)."""
    from optimiser.decompose.subproblems import unserved_penalty

    voll = value_of_lost_load(plan)
    if plan.demand.unserved_cost_per_mwh is not None:
        return voll
    exact = unserved_penalty(plan) + (len(plan.targets) + 1) * slack_penalty(plan)
    return max(voll, exact)


class VerificationError(RuntimeError):
    """A year whose hourly dispatch could not be solved (e.g. the time limit ran out)."""


def verify_year(loaded: LoadedPlan, decisions: dict[str, float], year: int,
                time_limit: float | None = None, method: str = "auto",
                hourly: ModelInputs | None = None) -> xr.Dataset:
    """Results of ``year``'s 8760-hour dispatch with ``decisions`` held (module docstring).

    First with target, ramp and clean-share slack priced and demand served; only if that is
    infeasible, with unserved energy allowed too (as the planning run's diagnosis does), so
    that load is never shed to meet a target. ``hourly``: the plan's inputs at hourly
    resolution, if already prepared (:func:`verify` prepares them once for every year).
    Only what :func:`verified_figures` reads is extracted (:func:`_hourly_results`).
    """
    hourly = hourly or prepare_inputs(loaded, Resolution.parse("hourly"))
    inputs = dataclasses.replace(hourly, years=[year], fixed=decisions)
    # Python's cyclic garbage collector finds nothing to free in a model being built, but
    # with ~10^6 new objects it runs often and scans them all: paused, the build takes half
    # the time (issue 26)
    with PauseGC():
        m, ctx = build_model(inputs)
        m.penalty_unserved.set_value(lp_unserved_penalty(inputs.plan))
        for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
                  *m.clean_share_slack.values()]:
            v.unfix()
        # a dispatch-only LP: dual simplex after presolve, never HiPO (solve.cold_method)
        solver = HighsSolver(time_limit=time_limit,
                             method="dual" if method == "auto" else method)
        outcome = solver.solve(m)
        if not outcome.feasible and outcome.status == "infeasible":
            for v in m.unserved.values():
                v.unfix()
            outcome = solver.solve(m)
        if not outcome.feasible:
            raise VerificationError(f"the hourly dispatch of {year} could not be solved: "
                                    f"{outcome.status} ({outcome.message})")
        outcome = outcome.rescaled(m.money_scale)
        claim_all(ctx)
        ds = _hourly_results(ctx, outcome)
        ds["removal_ramp_short"] = xr.DataArray(
            [float(m.removal_ramp_slack[y].value or 0.0) if y in m.removal_ramp_slack else 0.0
             for y in inputs.years], dims="year")
    ds.attrs["verified_status"] = outcome.status
    return ds


def _hourly_results(ctx: Context, outcome: SolveOutcome) -> xr.Dataset:
    """The results :func:`verified_figures` reads: :func:`optimiser.post.results.extract`'s light
    Dataset (dispatch, costs, emissions, targets, technology metadata), with the certificates
    the clean-electricity shares count and the clean-electricity targets, which the light
    Dataset leaves out. The full extraction's ledger, abatement, demand-charge peaks and SOFC
    curves are not needed here; the variables kept are the same numbers either way
    (tests/optimiser/test_verify_fast.py)."""
    ds = extract(ctx, outcome, {}, light=True)
    _add_instruments(ds, ctx)
    add_clean_targets(ds, ctx, outcome)
    _drop_solver_noise(ds)  # as extract does, for the variables added here
    return ds


def largest_first(estimate: xr.Dataset) -> list[int]:
    """The modelled years, the one likely to take longest to verify first, so that no long
    year is left to run alone at the end (:func:`verify`). Every hourly year is the same
    size; what makes one slow is storage coupling its hours and more technologies to
    dispatch: ranked by the technologies the estimate has in service that year, storage
    counted twice, later years first on a tie."""
    years = [int(y) for y in estimate["year"].values]
    if "capacity" not in estimate:
        return sorted(years, reverse=True)
    active = (estimate["capacity"] > 1e-6).sum("tech")
    if "energy_capacity" in estimate:
        active = active + (estimate["energy_capacity"] > 1e-6).sum("tech")
    rank = {int(y): int(active.sel(year=y)) for y in estimate["year"].values}
    return sorted(years, key=lambda y: (rank[y], y), reverse=True)


def verify(loaded: LoadedPlan, decisions: dict[str, float], estimate: xr.Dataset,
           jobs: int = 2, time_limit: float | None = None, method: str = "auto",
           progress: Callable[[int], None] = lambda _: None) -> xr.Dataset:
    """Verify every modelled year (in up to ``jobs`` processes) and return the verified
    figures, named ``verified_*``, to merge into the planning run's results ``estimate``.
    ``progress(year)`` is called as each year finishes.

    The hourly inputs (profiles, SOFC curves) are prepared once here, while the worker
    processes start, and sent to each (about 2 MB pickled); years start longest first
    (:func:`largest_first`)."""
    years = [int(y) for y in estimate["year"].values]
    done: dict[int, xr.Dataset] = {}
    if jobs <= 1 or len(years) == 1:
        hourly = prepare_inputs(loaded, Resolution.parse("hourly"))
        for y in years:
            done[y] = verify_year(loaded, decisions, y, time_limit, method, hourly)
            progress(y)
    else:
        with _pool(min(jobs, len(years))) as pool:
            hourly = prepare_inputs(loaded, Resolution.parse("hourly"))
            futures = {pool.submit(verify_year, loaded, decisions, y, time_limit, method,
                                   hourly): y for y in largest_first(estimate)}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                progress(futures[future])
    out = verified_figures(estimate, [done[y] for y in years],
                           value_of_lost_load(loaded.plan))
    out["verified_status"] = xr.DataArray([done[y].attrs["verified_status"] for y in years],
                                          dims="year", coords={"year": years})
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    """Processes for :func:`verify`, one year each where the platform forks.

    With ``forkserver`` (POSIX), a server process imports this module once and every worker
    is forked from it ready to build (a spawned worker imports Pyomo, xarray and the
    optimiser, about 2.5 s, before its first year). Each worker then solves one year with
    the garbage collector off and exits, so the ~2·10^6 objects of its hourly model are
    neither scanned nor freed one by one (about 1 s a year), and memory stays at one model
    per process. Elsewhere (``spawn``) workers are kept for several years."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=workers,
                                   mp_context=multiprocessing.get_context("spawn"))
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    forkserver.ensure_running()  # it imports while the caller prepares the inputs
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=gc.disable, max_tasks_per_child=1)


def verified_figures(estimate: xr.Dataset, per_year: list[xr.Dataset],
                     value_of_lost_load: float = 0.0) -> xr.Dataset:
    """The ``verified_*`` variables from one hourly Dataset per year (in ``estimate``'s year
    order): costs (capex and salvage from the estimate; unserved energy at
    ``value_of_lost_load`` per MWh, whatever the LP charged for it), emissions, unserved
    energy, target emissions and shortfalls, removal-ramp and clean-electricity target
    shortfalls, the hourly peak import; attributes ``verified_objective``,
    ``verified_value_of_lost_load`` and ``verified_unserved_priced`` (1)."""
    from optimiser.post.matching import clean_shares

    hourly = xr.concat(per_year, dim="year", data_vars="minimal", coords="minimal",
                       compat="override", join="override")
    cost = hourly["cost"].copy()
    once = [c for c in ONCE if c in cost["cost_category"].values]
    cost.loc[{"cost_category": once}] = estimate["cost"].sel(cost_category=once)
    weight = hourly["weight"].isel(year=0, drop=True) if "year" in hourly["weight"].dims \
        else hourly["weight"]
    unserved = (hourly["unserved"] * weight).sum(("period", "hour"))
    if "unserved" in cost["cost_category"].values:
        cost.loc[{"cost_category": "unserved"}] = unserved.sum("carrier") * value_of_lost_load
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
        # the hourly run's periods are the calendar days (0 = 1 January of the profile year)
        "verified_unserved_daily": hourly["unserved"].sum("hour").rename(period="day")
        .drop_vars("day", errors="ignore").assign_attrs(
            units="MWh/day", long_name="demand the held capacities cannot serve, by calendar "
            "day (where optimiser.verify.adequacy looks for stress days)"),
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
    out["verified_removal_short"] = hourly["removal_ramp_short"].assign_attrs(
        units="t CO2e/yr", long_name="removals short of the SBTi v2 ramp, hour by hour")
    if "clean_target_shortfall" in hourly:
        out["verified_clean_target_shortfall"] = hourly["clean_target_shortfall"].assign_attrs(
            units="MWh/yr", long_name="matched clean electricity short of a clean-electricity "
            "target, hour by hour")
    compared = operating()
    extra = ((out["verified_cost"] - estimate["cost"]).sel(cost_category=compared).sum(
        "cost_category") * estimate["discount_factor"]).sum()
    out.attrs["verified_objective"] = float(estimate.attrs["objective"]) + float(extra)
    out.attrs["verified_unserved_priced"] = 1
    out.attrs["verified_value_of_lost_load"] = float(value_of_lost_load)
    return out.drop_vars([c for c in out.coords if c not in
                          ("year", "cost_category", "category", "carrier", "target",
                           "matching")])
