"""Run sweep points: build a plan's model once, then re-solve it with new prices.

A :class:`PlanSession` holds one built model and its persistent HiGHS instance. A point whose
plan differs from the built one in prices only (see :func:`structure_key`) updates the price
Params (:func:`optimiser.model.update_prices`) and re-solves: HiGHS gets the changed cost
coefficients and starts from the previous basis. Any other change rebuilds the model.
:func:`run_point` is what local worker processes and Dask workers call; each process (or
thread) keeps its own sessions, so a worker builds a model once per structure.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from optimiser.inputs import Resolution
from optimiser.model import build_model, plan_money_scale, update_prices
from optimiser.pipeline import PlanRun, prepare_inputs, solve_built
from optimiser.solve import HighsSolver
from plant.errors import PlanError
from plant.loader import LoadedPlan, read_plan
from plant.overrides import OverrideError, apply_overrides
from plant.schema import SOFC, Plan

#: Statuses of a point that produced a plan meeting its targets (numbers are kept).
OK_STATUSES = ("optimal", "time_limit")

#: (section, field) of the prices a re-solve can change; sections are dicts of items
#: (``fuels``) or single items (``grid``, ``carbon_price``).
PRICE_FIELDS = (("grid", "import_price_per_mwh"), ("grid", "export_price_per_mwh"),
                ("fuels", "price_per_mwh"), ("certificates", "price_per_mwh"),
                ("carbon_credits", "price_per_t"), ("carbon_price", "price_per_t"))
_SINGLE = ("grid", "carbon_price")


def structure_key(plan: Plan) -> str:
    """The plan without the prices a re-solve can change (plus the objective's unit).

    Two plans with the same key give the same model up to the price Params.
    """
    data = plan.model_dump(mode="json")
    for section, name in PRICE_FIELDS:
        items = data.get(section)
        if items is None:
            continue
        for item in [items] if section in _SINGLE else items.values():
            item.pop(name, None)
    data["_money_scale"] = plan_money_scale(plan)
    return json.dumps(data, sort_keys=True)


class PlanSession:
    """A base plan at one resolution, with the last built model kept for re-solves.

    Parameters
    ----------
    loaded
        The base plan (overrides are applied to ``loaded.plan``).
    resolution
        Time resolution of every point.
    time_limit
        Solver time limit per point [s].
    threads
        HiGHS threads (1 when several workers share a machine's cores).
    """

    def __init__(self, loaded: LoadedPlan, resolution: str | Resolution,
                 time_limit: float | None = None, threads: int | None = None):
        self.loaded = loaded
        self.threads = threads
        self.resolution = (Resolution.parse(resolution) if isinstance(resolution, str)
                           else resolution)
        self.time_limit = time_limit
        self._key: str | None = None
        self._ctx: Any = None
        self._solver: HighsSolver | None = None
        self.builds = 0
        """How many models this session has built."""

    def run(self, values: dict[str, float]) -> tuple[Plan, PlanRun, bool]:
        """Solve the base plan with ``values`` applied; returns (plan, run, rebuilt).

        Raises
        ------
        OverrideError
            If ``values`` name no numeric field or make the plan invalid.
        """
        plan = apply_overrides(self.loaded.plan, values)
        key = structure_key(plan)
        timings: dict[str, float] = {}
        rebuilt = key != self._key
        if rebuilt:
            self._key = None  # a failed build must not leave a stale model
            loaded = LoadedPlan(plan, self.loaded.file, self.loaded.lines, self.loaded.sha256)
            start = time.perf_counter()
            inputs = prepare_inputs(loaded, self.resolution)
            timings["prepare_s"] = time.perf_counter() - start
            start = time.perf_counter()
            _, self._ctx = build_model(inputs)
            timings["build_s"] = time.perf_counter() - start
            self._solver = HighsSolver(time_limit=self.time_limit, threads=self.threads)
            self._key = key
            self.builds += 1
        else:
            start = time.perf_counter()
            update_prices(self._ctx.m, plan)
            self._ctx.inputs.plan = plan  # results read names, limits and currency from it
            timings["update_s"] = time.perf_counter() - start
        assert self._solver is not None
        run = solve_built(self._solver, self._ctx, timings)
        return plan, run, rebuilt


def point_outputs(plan: Plan, run: PlanRun) -> dict[str, Any]:
    """The figures a sweep keeps of one solved plan (JSON-able)."""
    ds = run.results
    years = [int(y) for y in ds["year"].values]
    sofc = [n for n, t in plan.technologies.items() if isinstance(t, SOFC)]
    annual = (ds["dispatch"].sel(carrier="electricity") * ds["weight"]).sum(("period", "hour"))
    sofc_mwh = {str(y): float(annual.sel(tech=sofc, year=y).sum()) if sofc else 0.0
                for y in years}
    return {
        "objective": float(ds.attrs["objective"]),
        "capacity": {str(t): {str(y): _clean(ds["capacity"].sel(tech=t, year=y))
                              for y in years} for t in ds["tech"].values},
        "net_emissions": {str(y): float(ds["net_emissions"].sel(year=y)) for y in years},
        "target_shadow_price": {str(t): _none_nan(float(v)) for t, v in zip(
            ds["target"].values, ds["target_shadow_price"].values, strict=True)}
        if "target" in ds.coords else {},
        "target_year": {str(t): int(y) for t, y in zip(
            ds["target"].values, ds["target_year"].values, strict=True)}
        if "target" in ds.coords else {},
        "sofc_electricity_mwh": sofc_mwh,
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
            plan, run, rebuilt = session.run(values)
        record["rebuilt"] = rebuilt
        record["timings"] = run.timings
        record["status"] = run.outcome.status
        if run.outcome.status in OK_STATUSES:
            record["ok"] = True
            record["outputs"] = point_outputs(plan, run)
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
