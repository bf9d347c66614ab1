"""Run a sweep: in process, on local worker processes or on a Dask cluster; resumable.

Every finished point is written as ``DIR/points/<id>.json`` the moment its result comes back
(write to a temporary file, then rename), so an interrupted sweep loses at most the points in
flight; rerunning the same command skips every point that has a file. ``DIR/sweep.json``
records the plan, its hash, the resolution and the axes, and a rerun into the same folder must
match it. When all points are in, ``DIR/sweep.nc`` is assembled from the point files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from cnplan import __version__
from cnplan.outputs import atomic_write_text
from cnplan.sweeps.axes import axis_meaning
from cnplan.sweeps.spec import Point, SweepSpec
from cnplan.sweeps.worker import run_point
from plant.loader import LoadedPlan

#: A worker crash takes down the points in flight with it: each is retried this many times
#: in a fresh pool before it is recorded as failed.
CRASH_RETRIES = 1

Progress = Callable[[dict[str, Any]], None]


class SweepFolderError(ValueError):
    """``--out`` holds a different sweep."""


@dataclass
class SweepResult:
    """What a sweep run did."""

    out_dir: Path
    total: int
    skipped: int
    """Points already in ``points/`` from an earlier run."""
    ran: int
    failed: int
    """Points recorded as failed (this run and earlier)."""
    elapsed_s: float


def points_dir(out_dir: Path) -> Path:
    """Folder of the per-point JSON files."""
    return Path(out_dir) / "points"


def write_point(out_dir: Path, record: dict[str, Any]) -> Path:
    """Write one point record atomically (temporary file in the same folder, then rename)."""
    folder = points_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    text = json.dumps(record, indent=1, default=_json_default)
    atomic_write_text(path, text, overwrite=True)
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def read_points(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every point record in ``DIR/points`` by id (unreadable files are skipped)."""
    out = {}
    for path in sorted(points_dir(out_dir).glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        out[record["id"]] = record
    return out


def _manifest(loaded: LoadedPlan, spec: SweepSpec, resolution: str,
              time_limit: float | None) -> dict[str, Any]:
    return {"plan_file": str(loaded.file.resolve()), "plan_sha256": loaded.sha256,
            "resolution": resolution, "time_limit": time_limit, "spec": spec.to_json(),
            "site": loaded.plan.site.name, "currency": loaded.plan.site.currency,
            "cnplan_version": __version__,
            "axes_meaning": [axis_meaning(loaded.plan, k) for k in spec.keys],
            "tech_labels": {k: t.display_name(k) for k, t in loaded.plan.technologies.items()},
            "tech_fuels": {k: str(getattr(t, "fuel", "") or "")
                           for k, t in loaded.plan.technologies.items()},
            "existing_mw": existing_in_service(loaded)}


def existing_in_service(loaded: LoadedPlan) -> dict[str, dict[str, float]]:
    """{tech: {year: MW}} of the existing assets still in service at the start of each
    investment year (nameplate): what a break-even does not count as built."""
    plan = loaded.plan
    out: dict[str, dict[str, float]] = {}
    for asset in plan.existing_assets.values():
        life = asset.lifetime_years or plan.technologies[asset.technology].lifetime_years
        for year in plan.years():
            if asset.build_year <= year < asset.build_year + life:
                by_year = out.setdefault(asset.technology, {})
                by_year[str(year)] = by_year.get(str(year), 0.0) + asset.capacity_mw
    return out


def _check_folder(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Create ``out_dir`` with ``sweep.json``, or check it holds the same sweep."""
    path = out_dir / "sweep.json"
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        keys = ("plan_sha256", "resolution", "time_limit", "spec")
        diff = [k for k in keys if old.get(k) != manifest[k]]
        if diff:
            raise SweepFolderError(f"{out_dir} holds a different sweep ({', '.join(diff)} "
                                   "differ); choose another --out or remove it")
        return
    if out_dir.exists() and any(p.name != "points" for p in out_dir.iterdir()):
        raise SweepFolderError(f"{out_dir} exists and is not a sweep folder; choose another "
                               "--out")
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(manifest, indent=2), overwrite=True)


def run_sweep(loaded: LoadedPlan, spec: SweepSpec, out_dir: Path, *,
              resolution: str = "repdays:12", time_limit: float | None = None,
              workers: int = 1, scheduler: Any = None, retry_failed: bool = False,
              progress: Progress | None = None) -> SweepResult:
    """Run every point of ``spec`` not yet in ``out_dir``, then write ``sweep.nc``.

    Parameters
    ----------
    loaded
        The base plan; workers read it again from ``loaded.file`` (a Dask cluster needs the
        plan and its CSV profiles at the same path).
    spec
        Swept axes and sampling.
    out_dir
        Sweep folder (``sweep.json``, ``points/``, ``sweep.nc``).
    resolution, time_limit
        As for ``cnplan plan``; the same for every point.
    workers
        Local worker processes; 1 runs the points in this process.
    scheduler
        A Dask scheduler address (``tcp://host:port``) or a ``distributed.Client``; replaces
        local workers.
    retry_failed
        Run points again that an earlier run recorded as failed.
    progress
        Called with every finished point's record.
    """
    from cnplan.sweeps.collect import write_dataset

    start = time.perf_counter()
    out_dir = Path(out_dir)
    _check_folder(out_dir, _manifest(loaded, spec, resolution, time_limit))
    points = spec.points()
    done = read_points(out_dir)
    todo = [p for p in points if p.id not in done or (retry_failed and not done[p.id]["ok"])]
    plan_file = str(loaded.file.resolve())
    args = (plan_file, resolution, time_limit)
    if scheduler is not None:
        stream = _dask(args, todo, scheduler)
    elif workers > 1:
        stream = _processes(args, todo, workers)
    else:
        stream = (run_point(*args, p.id, p.values) for p in todo)
    ran = 0
    for record in stream:
        write_point(out_dir, record)
        done[record["id"]] = record
        ran += 1
        if progress is not None:
            progress(record)
    write_dataset(out_dir, spec, [done[p.id] for p in points if p.id in done],
                  _manifest(loaded, spec, resolution, time_limit))
    failed = sum(1 for p in points if p.id in done and not done[p.id]["ok"])
    return SweepResult(out_dir, len(points), len(points) - len(todo), ran, failed,
                       time.perf_counter() - start)


def _processes(args: tuple, todo: list[Point], workers: int) -> Iterator[dict[str, Any]]:
    """Run points on local worker processes (spawned), yielding records as they finish.

    A crashed worker breaks the pool: the points in flight are retried in a new pool up to
    :data:`CRASH_RETRIES` times, then recorded as failed.
    """
    pending = list(todo)
    crashes: dict[str, int] = {}
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                   mp_context=get_context("spawn"))
        futures: dict[Future, Point] = {}
        try:
            for p in pending:
                futures[pool.submit(run_point, *args, p.id, p.values, 1)] = p  # type: ignore[call-arg]
            pending = []
            remaining = set(futures)
            while remaining:
                finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for fut in finished:
                    point = futures[fut]
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        crashes[point.id] = crashes.get(point.id, 0) + 1
                        if crashes[point.id] > CRASH_RETRIES:
                            yield _failed(point, "crashed", "the worker process died while "
                                          "solving this point (out of memory or a solver "
                                          "crash)")
                        else:
                            pending.append(point)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _dask(args: tuple, todo: list[Point], scheduler: Any) -> Iterator[dict[str, Any]]:
    """Run points on a Dask cluster, yielding records as they finish.

    A task whose workers keep dying raises ``KilledWorker`` after the scheduler's
    ``allowed-failures`` retries: the point is recorded as failed.
    """
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = {client.submit(run_point, *args, p.id, p.values, 1, pure=False): p
                   for p in todo}
        for fut in as_completed(futures):
            point = futures[fut]
            try:
                yield fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
                yield _failed(point, "crashed", f"{type(exc).__name__}: {exc}")
            finally:
                fut.release()
    finally:
        if own:
            client.close()


def _failed(point: Point, status: str, reason: str) -> dict[str, Any]:
    return {"id": point.id, "values": point.values, "ok": False, "status": status,
            "reason": reason, "outputs": None, "rebuilt": None}
