"""Run a sweep: in process, on local worker processes or on a Dask cluster; resumable.

Every finished point is written as ``DIR/points/<id>.json`` the moment its result comes back
(write to a temporary file, then rename), so an interrupted sweep loses at most the points in
flight; rerunning the same command skips every point that has a file. ``DIR/sweep.json``
records the plan, its hash, the resolution and the axes, and a rerun into the same folder must
match it. When all points are in, ``DIR/sweep.nc`` is assembled from the point files.

Local worker processes get points in chunks (:func:`chunks`): the points that share a model
structure (they differ in prices only, :func:`optimiser.session.structure_key`) go to one
worker, which builds and cold-solves the model once and re-solves it warm for the others;
such a group is split between workers only when workers would otherwise be idle and each
part keeps at least :data:`WARM_POINTS_PER_BUILD` points, because a split costs starting a
worker. A sweep that is one chunk runs in this process (no worker to start), and so do
points the plan does not accept (they fail at once). Points of a chunk come back together
when the chunk ends. On a Dask cluster every point is a task of its own, submitted
structure by structure (each Dask worker keeps the last model it built).
"""

from __future__ import annotations

import itertools
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
from cnplan.sweeps.worker import run_point, run_points
from optimiser.session import structure_key
from plant.errors import PlanError
from plant.loader import LoadedPlan
from plant.overrides import OverrideError, apply_overrides

#: A worker crash takes down the points in flight with it: each is retried this many times
#: in a fresh pool before it is recorded as failed.
CRASH_RETRIES = 1
#: Fewest points a worker re-solves warm for one build of a model (see the module
#: docstring). Splitting n points that share a model between two workers saves n/2 warm
#: re-solves of w seconds and costs starting a worker, S (its cold solve runs beside the
#: first worker's): it pays for n > 2·S/w. Tochigi at repdays:4 on this 2-core machine
#: (docs/sweeps.md): S ≈ 2.5 s of imports, w from 0.12 s (200 close prices) to 0.33 s (20
#: prices), so n > 15-42.
WARM_POINTS_PER_BUILD = 20

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

    def here(pts: list[Point]) -> Iterator[dict[str, Any]]:
        return (run_point(*args, p.id, p.values) for p in pts)

    stream: Iterator[dict[str, Any]]
    if scheduler is not None:
        # one task a point, submitted structure by structure: a cluster has many workers,
        # each keeps the last model it built, and every point is saved as it comes back
        parts, invalid = chunks(loaded, todo, 1)
        stream = _dask(args, [p for chunk in parts for p in chunk] + invalid, scheduler)
    elif workers > 1:
        parts, invalid = chunks(loaded, todo, workers)
        rest = _processes(args, parts, workers) if len(parts) > 1 else here(
            [p for chunk in parts for p in chunk])
        stream = itertools.chain(here(invalid), rest)  # invalid points fail at once
    else:
        stream = here(todo)
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


def chunks(loaded: LoadedPlan, todo: list[Point],
           workers: int) -> tuple[list[list[Point]], list[Point]]:
    """``todo`` in the chunks local workers run (module docstring), and apart the points the
    plan does not accept (they fail at once, with the reason, without a worker).

    One chunk per model structure; with S structures and fewer than ``workers``, each
    structure's points are split into ⌈workers / S⌉ parts at most, each of at least
    :data:`WARM_POINTS_PER_BUILD` points (sizes differ by one at most)."""
    groups: dict[str, list[Point]] = {}
    invalid: list[Point] = []
    for p in todo:
        try:
            key = structure_key(apply_overrides(loaded.plan, p.values))
        except (OverrideError, PlanError):
            invalid.append(p)
            continue
        groups.setdefault(key, []).append(p)
    per_group = -(-workers // len(groups)) if groups else 1
    out = []
    for points in groups.values():
        parts = max(1, min(per_group, len(points) // WARM_POINTS_PER_BUILD))
        bounds = [len(points) * k // parts for k in range(parts + 1)]
        out += [points[a:b] for a, b in itertools.pairwise(bounds)]
    return out, invalid


def _processes(args: tuple, parts: list[list[Point]],
               workers: int) -> Iterator[dict[str, Any]]:
    """Run chunks of points on local worker processes (spawned), yielding each chunk's
    records as it finishes.

    A crashed worker breaks the pool: the points in flight are retried in a new pool (one
    chunk each) up to :data:`CRASH_RETRIES` times, then recorded as failed.
    """
    pending = [list(c) for c in parts]
    crashes: dict[str, int] = {}
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                   mp_context=get_context("spawn"))
        futures: dict[Future, list[Point]] = {}
        try:
            for chunk in pending:
                futures[pool.submit(run_points, *args,  # type: ignore[call-arg]
                                    [(p.id, p.values) for p in chunk], 1)] = chunk
            pending = []
            remaining = set(futures)
            while remaining:
                finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for fut in finished:
                    try:
                        yield from fut.result()
                    except BrokenProcessPool:
                        for point in futures[fut]:
                            crashes[point.id] = crashes.get(point.id, 0) + 1
                            if crashes[point.id] > CRASH_RETRIES:
                                yield _failed(point, "crashed", "the worker process died "
                                              "while solving this point (out of memory or a "
                                              "solver crash)")
                            else:
                                pending.append([point])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _dask(args: tuple, todo: list[Point], scheduler: Any) -> Iterator[dict[str, Any]]:
    """Run points on a Dask cluster, one task each, yielding records as they finish.

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
