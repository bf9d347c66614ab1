"""Alternatives of a solved plan, in this process or in worker processes.

Each worker builds the plan's model once, starts from the least-cost basis the plan run kept
(``PlanRun.basis``) and solves the directions it is given one after the other
(:class:`optimiser.alternatives.search.Search`); the directions go out one at a time, so a
worker that finishes early takes the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context

from optimiser.alternatives.directions import Direction, choose, measured
from optimiser.alternatives.search import Alternative, AlternativesError, Search
from optimiser.formulate.inputs import Resolution
from optimiser.run.pipeline import PlanRun
from optimiser.solve.highs import Basis
from plant.loaded import LoadedPlan

#: progress(done, total, the alternative just solved or None at the start)
Progress = Callable[[int, int, Alternative | None], None]


@dataclass
class AlternativesRun:
    """The alternatives of one plan."""

    least_cost: float
    """C* [currency]."""
    slack: float
    directions: list[Direction]
    least_cost_totals: dict[tuple[str, str], float]
    alternatives: list[Alternative] = field(default_factory=list)
    """In the order of ``directions``."""
    workers: int = 1
    timings: dict[str, float] = field(default_factory=dict)


def find_alternatives(loaded: LoadedPlan, resolution: Resolution, run: PlanRun, n: int,
                      slack: float = 0.02, asked: list[Direction] | None = None,
                      seed: int = 0, jobs: int = 1, time_limit: float | None = None,
                      progress: Progress = lambda *_: None) -> AlternativesRun:
    """``n`` alternatives of ``run`` (the least-cost plan of ``loaded`` at ``resolution``),
    each within ``slack`` of its cost and meeting every target: the directions ``asked``
    (else the defaults; random ones fill up to ``n``), solved in up to ``jobs`` processes."""
    if run.outcome.status != "optimal":
        raise AlternativesError(
            f"the plan ended '{run.outcome.status}': alternatives are searched only around a "
            "least-cost plan that meets every target")
    start = time.perf_counter()
    least = float(run.outcome.objective)
    search = Search.start(loaded, resolution, least, slack, run.basis, time_limit)
    least_totals = search.totals(measured(asked or []))
    directions = choose(loaded.plan, n, asked, least_totals, seed)
    keys = measured(directions)
    least_totals |= search.totals([k for k in keys if k not in least_totals])
    out = AlternativesRun(least, slack, directions, least_totals)
    out.timings["start_s"] = time.perf_counter() - start
    progress(0, len(directions), None)
    workers = min(jobs, len(directions))
    if workers <= 1:
        for i, d in enumerate(directions):
            out.alternatives.append(search.solve(d, keys))
            progress(i + 1, len(directions), out.alternatives[-1])
    else:
        del search  # the workers hold their own
        out.alternatives = _in_workers(loaded, resolution, run.basis, out, keys, workers,
                                       time_limit, progress)
    out.workers = max(workers, 1)
    out.timings["alternatives_s"] = time.perf_counter() - start
    return out


def _in_workers(loaded: LoadedPlan, resolution: Resolution, basis: Basis | None,
                out: AlternativesRun, keys: list[tuple[str, str]], workers: int,
                time_limit: float | None, progress: Progress) -> list[Alternative]:
    """Solve ``out.directions`` in ``workers`` spawned processes (one HiGHS thread each)."""
    found: dict[int, Alternative] = {}
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                               initializer=_start_worker,
                               initargs=(loaded, resolution, out.least_cost, out.slack, basis,
                                         time_limit))
    try:
        futures = {pool.submit(_solve_in_worker, d, keys): i
                   for i, d in enumerate(out.directions)}
        for future in as_completed(futures):
            found[futures[future]] = future.result()
            progress(len(found), len(out.directions), found[futures[future]])
    except BrokenProcessPool as exc:
        _stop(pool)
        raise AlternativesError(f"a worker process died ({exc}); run with --jobs 1 to "
                                "search the alternatives in this process") from exc
    except BaseException:  # Ctrl-C: the workers go too, not after their direction
        _stop(pool)
        raise
    pool.shutdown()
    return [found[i] for i in range(len(out.directions))]


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers now (a direction in flight is lost) and the pool."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


_SEARCH: Search | None = None


def _start_worker(loaded: LoadedPlan, resolution: Resolution, least_cost: float,
                  slack: float, basis: Basis | None, time_limit: float | None) -> None:
    global _SEARCH
    _SEARCH = Search.start(loaded, resolution, least_cost, slack, basis, time_limit,
                           threads=1)


def _solve_in_worker(direction: Direction, keys: list[tuple[str, str]]) -> Alternative:
    if _SEARCH is None:
        raise AlternativesError("the worker's model was not built")
    return _SEARCH.solve(direction, keys)
