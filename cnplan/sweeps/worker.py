"""Run sweep points through a :class:`~optimiser.run.session.PlanSession` and keep their figures.

:func:`run_point` is what local worker processes and Dask workers call; each process (or
thread) keeps its own sessions, so a worker builds a model once per structure and re-solves
it for points that change prices only. A point's figures come from its results Dataset.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from optimiser.post.statistics import annual
from optimiser.run.pipeline import PlanRun
from optimiser.run.session import PlanSession
from plant.errors import PlanError
from plant.loader import read_plan
from plant.overrides import OverrideError

#: Statuses of a point that produced a plan meeting its targets (numbers are kept).
OK_STATUSES = ("optimal", "time_limit")

def point_outputs(run: PlanRun) -> dict[str, Any]:
    """The figures a sweep keeps of one solved plan (JSON-able), read from its results."""
    ds = run.results
    years = [int(y) for y in ds["year"].values]
    sofc = ds["tech"].where(ds["tech_kind"] == "sofc", drop=True).values
    power = annual(ds, ds["dispatch"].sel(carrier="electricity"))
    sofc_mwh = power.sel(tech=sofc).sum("tech").sel(year=years).values
    capacity = ds["capacity"].transpose("tech", "year").values
    net = ds["net_emissions"].sel(year=years).values
    return {
        "objective": float(ds.attrs["objective"]),
        "capacity": {str(t): {str(y): _clean(capacity[i, j]) for j, y in enumerate(years)}
                     for i, t in enumerate(ds["tech"].values)},
        "net_emissions": {str(y): float(net[j]) for j, y in enumerate(years)},
        "target_shadow_price": {str(t): _none_nan(float(v)) for t, v in zip(
            ds["target"].values, ds["target_shadow_price"].values, strict=True)}
        if "target" in ds.coords else {},
        "target_year": {str(t): int(y) for t, y in zip(
            ds["target"].values, ds["target_year"].values, strict=True)}
        if "target" in ds.coords else {},
        "sofc_electricity_mwh": {str(y): float(sofc_mwh[j]) for j, y in enumerate(years)},
    }


def _clean(value: Any) -> float:
    """A capacity with solver noise (|x| < 1e-9) shown as 0."""
    x = float(value)
    return 0.0 if abs(x) < 1e-9 else x


def _none_nan(x: float) -> float | None:
    return None if not np.isfinite(x) else x


_LOCAL = threading.local()
_SOLVE_LOCK = threading.Lock()
"""HiGHS runs share one task scheduler per process, so two solves in one process (Dask
threads) must not overlap: run Dask workers with one thread each to run points in parallel."""


def clear_sessions() -> None:
    """Forget this thread's built models (the next point builds anew; benchmarks)."""
    _LOCAL.sessions = {}


def _session(plan_file: str, resolution: str, time_limit: float | None,
             threads: int | None) -> PlanSession:
    """This thread's session for a plan file (built on first use, then kept)."""
    sessions: dict[tuple, PlanSession] = getattr(_LOCAL, "sessions", None) or {}
    _LOCAL.sessions = sessions
    key = (str(Path(plan_file).resolve()), resolution, time_limit, threads)
    if key not in sessions:
        sessions[key] = PlanSession(read_plan(plan_file), resolution, time_limit, threads)
    return sessions[key]


def run_point(plan_file: str, resolution: str, time_limit: float | None, point_id: str,
              values: dict[str, float], threads: int | None = None) -> dict[str, Any]:
    """Solve one point and return its record; never raises for a failed point.

    ``threads`` caps HiGHS's threads: parallel workers pass 1, so that N workers on N cores
    do not fight over them.

    The record has ``id``, ``values``, ``status`` (a solver status, ``invalid`` for values
    the plan does not accept, ``error`` for an exception), ``ok`` (a plan meeting its
    targets was found), ``reason`` (why not), ``outputs`` (when ``ok``), ``timings`` and
    ``rebuilt`` (the model was built for this point rather than re-solved).
    """
    start = time.perf_counter()
    record: dict[str, Any] = {"id": point_id, "values": values, "ok": False, "reason": "",
                              "outputs": None, "rebuilt": None}
    try:
        session = _session(plan_file, resolution, time_limit, threads)
        with _SOLVE_LOCK:
            _, run, rebuilt = session.run(values)
        record["rebuilt"] = rebuilt
        record["timings"] = run.timings
        record["status"] = run.outcome.status
        if run.outcome.status in OK_STATUSES:
            record["ok"] = True
            record["outputs"] = point_outputs(run)
            if run.outcome.status == "time_limit":
                record["reason"] = f"time limit reached, gap {run.outcome.gap:.2%}"
        else:
            record["reason"] = "; ".join(run.diagnosis) or run.outcome.message or (
                run.outcome.status)
    except OverrideError as exc:
        record.update(status="invalid", reason=str(exc))
    except PlanError as exc:
        record.update(status="invalid", reason="; ".join(str(i) for i in exc.issues[:5]))
    except Exception as exc:  # noqa: BLE001 - a failed point must not stop the sweep
        record.update(status="error", reason=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc(limit=8))
    record["elapsed_s"] = time.perf_counter() - start
    return record

