"""A plan run by decomposition: Benders by year (:mod:`.benders`), then each year's results.

After the decomposition converges, each year's subproblem is built once more at the
incumbent's capacities (with the master's builds, so its capex and salvage appear in the
year's costs), solved and extracted like a whole model; the years' Datasets are joined
along ``year``. One year's model is in memory at a time.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import xarray as xr

from optimiser.decompose.benders import BendersResult, solve_benders
from optimiser.decompose.subproblems import DecompositionError, build_year, year_inputs
from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.components.markets import one_meter_steps
from optimiser.formulate.context import CAPACITY_COSTS
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import money_scale
from optimiser.post.ledger import add_annual_cost
from optimiser.post.results import extract
from optimiser.post.targets import add_target_year_values
from optimiser.run.pipeline import (
    PlanRun,
    Stage,
    held_decisions,
    prepare_inputs,
    run_plan,
    target_rows,
    target_shortfalls,
    timer,
)
from optimiser.solve.highs import HighsSolver, SolveOutcome
from plant.loader import LoadedPlan

#: relative gap between the decomposition's bounds at which it stops: 0.01 % of the net
#: present cost, far below what representative days or the data leave open (1-5 %); the
#: tests close it to 1e-7 (`cnplan plan --gap`)
DEFAULT_GAP = 1e-4


def run_decomposed(inputs: ModelInputs, start: dict[str, float], gap: float = DEFAULT_GAP,
                   time_limit: float | None = None, jobs: int = 1,
                   progress: Callable[[dict[str, float]], None] = lambda _: None,
                   start_cost: float | None = None) -> PlanRun:
    """Plan ``inputs`` by Benders decomposition by year from ``start`` (linking values;
    ``start_cost``: its plan's capacity costs, :func:`capacity_cost`) and return the run as
    :func:`optimiser.run.pipeline.run_plan` would (results of every year joined)."""
    if any(getattr(t, "commitment", False) for t in inputs.plan.technologies.values()):
        raise DecompositionError("SOFC unit commitment makes the yearly subproblems "
                                 "mixed-integer: their duals give no valid cuts. Plan it "
                                 "monolithic (--engine monolithic) or without commitment")
    if one_meter_steps(inputs):
        raise DecompositionError("export pays at least the import price in some hours: the "
                                 "one-meter binaries make the yearly subproblems mixed-integer "
                                 "(docs/optimiser.md, \"One meter\"). Plan it monolithic "
                                 "(--engine monolithic)")
    timings: dict[str, float] = {}
    start_s = time.perf_counter()
    result, mm, mctx = solve_benders(inputs, start, gap=gap, time_limit=time_limit,
                                     jobs=jobs, progress=progress, start_cost=start_cost)
    timings.update(result.timings)
    linked = {**result.linking, **{n: float(v.value or 0.0)
                                   for n, v in mctx.investments.items()}}
    scale = float(mm.money_scale)
    per_year, statuses, diagnosis = [], [], []
    extract_start = time.perf_counter()
    for ds, status, lines in _all_year_results(inputs, linked, time_limit, jobs):
        per_year.append(ds)
        statuses.append(status)
        diagnosis += lines
    timings["extract_s"] = time.perf_counter() - extract_start
    results = join_years(per_year, inputs)
    objective = float(results["cost_discounted"].sum())
    status = _overall(statuses, result)
    results.attrs.update({"objective": objective, "solver_objective": objective,
                          "status": status,
                          "engine": "decomposed", "decomposition_gap": result.gap,
                          "decomposition_lower_bound": scale * result.lower,
                          "decomposition_iterations": result.iterations})
    timings["solve_s"] = time.perf_counter() - start_s
    outcome = SolveOutcome(status, objective, scale * result.lower,
                           result.gap, solve_s=timings["solve_s"])
    if result.artificial_binding:
        diagnosis.append("the decomposition's artificial bound binds on "
                         + ", ".join(result.artificial_binding)
                         + ": the plan is optimal only within it (docs/optimiser.md)")
    return PlanRun(results, outcome, timings, diagnosis, held_decisions(mctx))


def _all_year_results(inputs: ModelInputs, linked: dict[str, float],
                      time_limit: float | None, jobs: int,
                      ) -> list[tuple[xr.Dataset, str, list[str]]]:
    """:func:`year_results` of every year, in year order (in ``jobs`` worker processes)."""
    if jobs <= 1 or len(inputs.years) == 1:
        return [year_results(inputs, y, linked, time_limit) for y in inputs.years]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(inputs.years)), mp_context=context,
                             max_tasks_per_child=1) as pool:
        futures = [pool.submit(year_results, inputs, y, linked, time_limit)
                   for y in inputs.years]
        return [f.result() for f in futures]


def year_results(inputs: ModelInputs, year: int, linked: dict[str, float],
                  time_limit: float | None) -> tuple[xr.Dataset, str, list[str]]:
    """One year's subproblem at ``linked``: its results, status and any shortfall."""
    m, ctx = build_year(year_inputs(inputs, year, linked))
    solver = HighsSolver(time_limit=time_limit, method="dual")  # dispatch only: no HiPO
    outcome = solver.solve(m, duals_of=target_rows(ctx))
    if not outcome.feasible:
        raise DecompositionError(f"the dispatch of {year} could not be solved at the "
                                 f"decomposition's plan: {outcome.status} ({outcome.message})")
    outcome = outcome.rescaled(m.money_scale)
    lines = target_shortfalls(ctx) + _unserved(ctx) + _share_pins_short(ctx)
    status = ("demand_not_met" if any("demand cannot be served" in s for s in lines)
              else "targets_missed" if lines else "optimal")
    claim_all(ctx)
    return extract(ctx, outcome, {}), status, lines


def _unserved(ctx: Any) -> list[str]:
    """Demand a year leaves unserved at the plan's capacities, per carrier."""
    m, inputs = ctx.m, ctx.inputs
    w = inputs.step_weight
    lines = []
    for c in inputs.plan.carriers():
        for y in inputs.years:
            lost = sum(float(w[t]) * (m.unserved[y, t, c].value or 0.0)
                       for t in range(inputs.n_steps))
            if lost > 1e-3 and inputs.plan.demand.unserved_cost_per_mwh is None:
                lines.append(f"{c} demand cannot be served in {y}: {lost:,.0f} MWh short "
                             "(add technologies, raise build limits or loosen pins)")
    return lines


def _share_pins_short(ctx: Any) -> list[str]:
    """Share pins the held capacities cannot meet in the year (their priced slack)."""
    m, plan = ctx.m, ctx.inputs.plan
    if not hasattr(m, "share_pin_slack"):
        return []
    lines = []
    for (i, y), slack in m.share_pin_slack.items():
        if (slack.value or 0.0) > 1e-3:
            pin = plan.pins[i]
            lines.append(f"pin on {pin.technology}'s share of {pin.carrier} cannot be met in "
                         f"{y}: {slack.value:,.0f} MWh short")
    return lines


def _overall(statuses: list[str], result: BendersResult) -> str:
    """The run's status from its years' and the decomposition's."""
    for worst in ("demand_not_met", "targets_missed"):
        if worst in statuses:
            return worst
    return "optimal" if result.status == "optimal" else "time_limit"


def join_years(per_year: list[xr.Dataset], inputs: ModelInputs, *,
               keep_prices: bool = False) -> xr.Dataset:
    """The years' Datasets as one, along ``year``; what spans years is computed again on
    the whole: the annual capital cost (annuities of every year's capex) and each target's
    figures in its own year. Implied carbon prices are left out (NaN) unless
    ``keep_prices``: a year's dual with the capacities held is a short-run price, not the
    long-run price of the whole LP (kept when the years were solved in one LP with their
    capacities, :mod:`optimiser.stochastic.shared`)."""
    joined = xr.concat(per_year, dim="year", data_vars="minimal", coords="minimal",
                       compat="override", join="override", combine_attrs="override")
    if "tech_annual_cost" in joined:
        add_annual_cost(joined, inputs)
    if "target_price_lower" in joined:
        if not keep_prices:
            for name in ("target_price_lower", "target_price_upper"):
                joined[name] = joined[name] * np.nan
        add_target_year_values(joined, inputs.plan)
    return joined


#: the representative days of the plan a decomposition starts from (cheap, and its
#: capacities are close enough that the first cuts are taken near the optimum)
START_RESOLUTION = "repdays:4"


def plan_decomposed(loaded: LoadedPlan, resolution: Resolution, time_limit: float | None = None,
                    stage: Stage = lambda _: None, jobs: int = 2,
                    gap: float = DEFAULT_GAP, method: str = "auto",
                    whole_if_mixed_integer: bool = False) -> PlanRun:
    """:func:`optimiser.run.pipeline.run_plan` by decomposition: a representative-day plan
    (:data:`START_RESOLUTION`) gives the start, then :func:`run_decomposed` at
    ``resolution``. ``stage`` hears the pipeline's input stages, "start", "benders: …" at
    every iteration and "extract". A plan whose yearly subproblems would be mixed-integer
    (one-meter binaries, docs/optimiser.md "One meter") is solved whole with
    ``whole_if_mixed_integer`` (the engine ``auto`` chose), else refused."""
    timings: dict[str, float] = {}
    inputs = prepare_inputs(loaded, resolution, timer(timings, stage))
    if whole_if_mixed_integer and one_meter_steps(inputs):
        return run_plan(loaded, resolution, time_limit, method=method, stage=stage,
                        inputs=inputs)
    start_s = time.perf_counter()
    stage("start")
    first = run_plan(loaded, START_RESOLUTION, time_limit)
    timings["start_s"] = time.perf_counter() - start_s
    start, start_cost = ({}, None)
    if first.outcome.feasible:
        start, start_cost = first.linking, capacity_cost(first, inputs)

    def progress(h: dict[str, float]) -> None:
        stage(f"decomposition by year: iteration {int(h['iteration'])}, gap {h['gap']:.1e}")

    # worker processes pay a start-up and import each; only hourly years are worth it
    jobs = jobs if resolution.kind == "hourly" else 1
    run = run_decomposed(inputs, start, gap=gap, time_limit=time_limit, jobs=jobs,
                         progress=progress, start_cost=start_cost)
    run.timings = {**timings, **run.timings}
    return run


def capacity_cost(run: PlanRun, inputs: ModelInputs) -> float:
    """A run's capacity costs (capex, salvage, fixed O&M), discounted, in the objective's
    unit of ``inputs``: the same at any time resolution, so a representative-day plan's
    capacities start a decomposition as its first incumbent."""
    cost = run.results["cost_discounted"].sel(cost_category=list(CAPACITY_COSTS))
    return float(cost.sum()) / money_scale(inputs)


ENGINES = ("auto", "monolithic", "decomposed")


def choose_engine(loaded: LoadedPlan, resolution: Resolution, engine: str = "auto") -> str:
    """``monolithic`` or ``decomposed`` for ``engine``: ``auto`` decomposes an hourly plan
    of more than one modelled year without SOFC unit commitment (one hourly year and any
    representative-day plan solve faster whole; docs/optimiser.md); a plan that needs
    one-meter binaries is then solved whole by :func:`plan_decomposed`."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine != "auto":
        return engine
    plan = loaded.plan
    commitment = any(getattr(t, "commitment", False) for t in plan.technologies.values())
    hourly_horizon = resolution.kind == "hourly" and len(plan.years()) > 1
    return "decomposed" if hourly_horizon and not commitment else "monolithic"
