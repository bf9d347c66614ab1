"""A fleet run: corporate rows, one spec per plant, then the whole LP or the decomposition."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from optimiser.fleet.decomposed import GAP, solve_decomposed
from optimiser.fleet.linking import LinkRow, link_rows
from optimiser.fleet.monolithic import solve_monolithic
from optimiser.fleet.plants import plant_specs
from optimiser.fleet.pools import DaskPool, InProcess
from optimiser.fleet.result import FleetRun
from optimiser.run.cluster import dask_client
from optimiser.run.pipeline import Stage
from plant.fleet import LoadedFleet, corporate_rows

METHODS = ("monolithic", "decomposed")


def fleet_rows(fleet: LoadedFleet) -> list[LinkRow]:
    """The linking rows of ``fleet``'s corporate targets."""
    return link_rows(corporate_rows(fleet.fleet, [p.plan for p in fleet.plants.values()]))


def run_fleet(fleet: LoadedFleet, resolution: str = "repdays:4", method: str = "monolithic",
              workers: int = 1, scheduler: str | None = None, time_limit: float | None = None,
              gap: float = GAP, stage: Stage = lambda _: None,
              progress: Callable[[dict[str, float]], None] = lambda _: None,
              client: Any = None) -> FleetRun:
    """Plan every plant of ``fleet`` under the corporate targets.

    ``method``: ``monolithic`` (one LP, :mod:`optimiser.fleet.monolithic`) or ``decomposed``
    (Dantzig-Wolfe, :mod:`optimiser.fleet.decomposed`) with the plants in this process
    (``workers`` 1), on a local Dask cluster of ``workers`` processes, on the cluster at
    ``scheduler``, or through ``client`` (a ``distributed.Client`` the caller keeps open,
    e.g. for two runs). ``progress`` gets each round of a decomposition.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    start = time.perf_counter()
    rows = fleet_rows(fleet)
    specs = plant_specs(fleet, rows, resolution)
    if method == "monolithic":
        run = solve_monolithic(specs, rows, time_limit=time_limit, stage=stage)
    elif client is None and scheduler is None and workers <= 1:
        stage("build")
        pool = InProcess(specs, time_limit=time_limit)
        stage("rounds")
        run = solve_decomposed(specs, rows, pool, gap=gap, progress=progress)
    else:
        with contextlib.ExitStack() as stack:
            if client is None:
                stage("cluster")
                client = stack.enter_context(dask_client(workers, scheduler))
            stage("build")
            dask_pool = DaskPool(client, specs, time_limit=time_limit)
            stage("rounds")
            try:
                run = solve_decomposed(specs, rows, dask_pool, gap=gap, progress=progress)
            finally:
                dask_pool.close()
            workers = dask_pool.workers
    run.workers = 1 if method == "monolithic" else workers
    run.timings["total_s"] = time.perf_counter() - start
    return run
