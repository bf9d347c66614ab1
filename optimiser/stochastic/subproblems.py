"""The node-years' dispatch LPs of a decomposed scenario tree, solved in this process or on
Dask workers.

A subproblem is year y's dispatch LP of a node (:mod:`.nodes`), built from a
:class:`Subproblem` spec (the node's first scenario's inputs, the year) by
:func:`optimiser.decompose.subproblems.compile_year` and evaluated at the master's linking
values by :meth:`optimiser.decompose.subproblems.YearProblem.evaluate` (a cold dual simplex
solve; the slopes are the linking columns' reduced costs). Tasks carry their spec, so any
worker can answer any subproblem: a worker keeps the compiled LPs it has built in a cache
bounded by :data:`CACHE_MB` (beyond it the least recently used are dropped and built again
when asked), so its memory does not grow with the number of scenarios, and a worker that
dies loses only time: Dask runs its tasks again elsewhere
(https://distributed.dask.org/en/stable/resilience.html). The pool sends each subproblem to
the same worker every iteration (``workers=``, ``allow_other_workers=True``) so that its cache
is hit.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from optimiser.decompose.run import year_results
from optimiser.decompose.subproblems import YearProblem, compile_year
from optimiser.formulate.inputs import ModelInputs
from optimiser.formulate.model import plan_money_scale
from optimiser.solve.highs import new_highs

LOG = logging.getLogger(__name__)
#: What a worker keeps of compiled subproblems [MB] (a Tochigi year at repdays:4: 0.8 MB;
#: an hourly year: ~60 MB)
CACHE_MB = 1024.0


@dataclass(frozen=True)
class Subproblem:
    """What builds one node-year's dispatch LP: the node's inputs, the year and linking
    values to build with (any: the master's are set at each solve)."""

    key: str
    """Year, and a hash of the node's plan (:func:`.nodes.plan_digest`)."""
    inputs: ModelInputs
    year: int
    held: dict[str, float]


Answer = tuple[float, np.ndarray, list[str], float, float]
"""(Q in currency, its slopes in currency per unit, the linking names they are for, seconds,
the penalised shortfall: :attr:`YearProblem.short`)."""


class _Cache:
    """This process's compiled subproblems, least recently used dropped beyond a size."""

    def __init__(self, limit_mb: float = CACHE_MB):
        self.limit = limit_mb * 1e6
        self.problems: OrderedDict[str, tuple[YearProblem, float, float]] = OrderedDict()
        self.highs: Any = None
        self.total = 0.0
        """Bytes held in :attr:`problems`."""

    def problem(self, spec: Subproblem) -> tuple[YearProblem, float]:
        """The compiled LP of ``spec`` and its objective's unit [currency]."""
        found = self.problems.get(spec.key)
        if found is not None:
            self.problems.move_to_end(spec.key)
            return found[0], found[2]
        c = compile_year(spec.inputs, spec.year, spec.held)
        problem = YearProblem(c.year, c.lp, c.names, c.columns, c.held, slack=c.slack)
        unit = plan_money_scale(spec.inputs.plan)
        size = _size(problem)
        self.problems[spec.key] = (problem, size, unit)
        self.total += size
        while self.total > self.limit and len(self.problems) > 1:
            self.total -= self.problems.popitem(last=False)[1][1]
        return problem, unit

    def answer(self, spec: Subproblem, linked: dict[str, float], threads: int | None,
               ) -> Answer:
        """Solve ``spec`` at ``linked``: Q and its slopes in currency."""
        problem, unit = self.problem(spec)
        if self.highs is None:
            self.highs = new_highs(threads)
        start = time.perf_counter()
        value, slopes = problem.evaluate(linked, self.highs)
        return (value * unit, slopes * unit, problem.names, time.perf_counter() - start,
                problem.short)

    def size_mb(self) -> float:
        return self.total / 1e6


def _size(problem: YearProblem) -> float:
    """Bytes of a compiled LP's arrays (the sparse matrix's three arrays included)."""
    total = 0
    for a in vars(problem.lp).values():
        total += getattr(a, "nbytes", 0)
        for part in ("data", "indices", "indptr"):
            total += getattr(getattr(a, part, None), "nbytes", 0)
    return float(total)


_CACHE = _Cache()


def solve_subproblem(spec: Subproblem, linked: dict[str, float]) -> Answer:
    """Q and its slopes for ``spec`` at ``linked`` (in whatever process runs it)."""
    return _CACHE.answer(spec, linked, 1)


def subproblem_results(spec: Subproblem, linked: dict[str, float],
                       ) -> tuple[xr.Dataset, str, list[str]]:
    """The node-year's results at ``linked`` (builds included, for their capex):
    :func:`optimiser.decompose.run.year_results`."""
    return year_results(spec.inputs, spec.year, linked, None)


def cache_mb() -> float:
    """What this process's cache holds [MB]."""
    return _CACHE.size_mb()


class LocalPool:
    """Subproblems solved one after another in this process."""

    workers = 1

    def __init__(self) -> None:
        self.cache = _Cache()

    def solve(self, tasks: list[tuple[Subproblem, dict[str, float]]]) -> list[Answer]:
        return [self.cache.answer(spec, linked, None) for spec, linked in tasks]

    def results(self, tasks: list[tuple[Subproblem, dict[str, float]]],
                ) -> list[tuple[xr.Dataset, str, list[str]]]:
        return [subproblem_results(spec, linked) for spec, linked in tasks]

    def close(self) -> None:
        self.cache.problems.clear()
        self.cache.total = 0.0


class DaskPool:
    """Subproblems on the workers of a Dask client: each spec stays on the worker it was
    first sent to (its cache), unless that worker is gone."""

    def __init__(self, client: Any):
        self.client = client
        self.home: dict[str, str] = {}
        self._specs: dict[str, Any] = {}

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def _where(self, key: str) -> list[str]:
        alive = list(self.client.scheduler_info().get("workers", {}))
        if key not in self.home or self.home[key] not in alive:
            if not alive:
                return []
            counts = {w: 0 for w in alive}
            for w in self.home.values():
                if w in counts:
                    counts[w] += 1
            self.home[key] = min(alive, key=lambda w: counts[w])
        return [self.home[key]]

    def _spec(self, spec: Subproblem) -> Any:
        """The spec as a future with lineage (kept by the scheduler, so a lost copy is made
        again), rather than scattered data (lost with its worker)."""
        if spec.key not in self._specs:
            self._specs[spec.key] = self.client.submit(_same, spec, key=f"spec-{spec.key}",
                                                       workers=self._where(spec.key),
                                                       allow_other_workers=True)
        return self._specs[spec.key]

    def solve(self, tasks: list[tuple[Subproblem, dict[str, float]]]) -> list[Answer]:
        futures = [self.client.submit(solve_subproblem, self._spec(spec), linked, pure=False,
                                      workers=self._where(spec.key), allow_other_workers=True,
                                      retries=2)
                   for spec, linked in tasks]
        return list(self.client.gather(futures))

    def results(self, tasks: list[tuple[Subproblem, dict[str, float]]],
                ) -> list[tuple[xr.Dataset, str, list[str]]]:
        futures = [self.client.submit(subproblem_results, self._spec(spec), linked,
                                      pure=False, workers=self._where(spec.key),
                                      allow_other_workers=True, retries=2)
                   for spec, linked in tasks]
        return list(self.client.gather(futures))

    def cache_mb(self) -> dict[str, float]:
        """Each worker's cache [MB]."""
        return dict(self.client.run(cache_mb))

    def close(self) -> None:
        for f in self._specs.values():
            f.release()
        self._specs = {}


def _same(spec: Subproblem) -> Subproblem:
    return spec


@contextmanager
def subproblem_pool(workers: int = 1, scheduler: str | None = None) -> Iterator[Any]:
    """A :class:`LocalPool` (one worker, no scheduler) or a :class:`DaskPool` on a local
    cluster of ``workers`` processes or on the cluster at ``scheduler``."""
    if scheduler is None and workers <= 1:
        pool = LocalPool()
        try:
            yield pool
        finally:
            pool.close()
        return
    from optimiser.run.cluster import dask_client

    with dask_client(workers, scheduler) as client:
        dask_pool = DaskPool(client)
        try:
            yield dask_pool
        finally:
            dask_pool.close()
