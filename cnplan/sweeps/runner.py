"""Run a sweep: in process, on local worker processes or on a Dask cluster; resumable.

Every finished point is written as ``DIR/points/<id>.json`` the moment it is solved, by the
process that solved it (write to a temporary file, then rename: :mod:`cnplan.sweeps.points`),
so an interrupted or killed sweep loses at most the points in flight; rerunning the same
command skips every point that has a valid file (a damaged one runs again). ``DIR/sweep.json``
records the plan, its hash, the resolution and the axes, and a rerun into the same folder must
match it. When all points are in, ``DIR/sweep.nc`` is assembled from the point files. A sweep
has at most :data:`~cnplan.sweeps.spec.MAX_POINTS` points unless told otherwise, checked
from the axis sizes before any point is made.

Local worker processes get points in chunks (:func:`chunks`): the points that share a model
structure (they differ in prices only, :func:`optimiser.run.session.structure_key`) go to one
worker, which builds and cold-solves the model once and re-solves it warm for the others;
such a group is split between workers only when workers would otherwise be idle and each
part keeps at least :data:`WARM_POINTS_PER_BUILD` points, because a split costs starting a
worker. A sweep that is one chunk runs in this process (no worker to start), and so do
points the plan does not accept (they fail at once). A worker saves and reports each point
of its chunk as it finishes, and dies with this process (:mod:`cnplan.sweeps.pool`). On a
Dask cluster every point is a task of its own, submitted structure by structure (each Dask
worker keeps the last model it built); this process saves each point as it comes back.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnplan import __version__
from cnplan.outputs import atomic_write_text
from cnplan.runfolder import RunFolderError, read_json_object
from cnplan.sweeps.axes import axis_meaning
from cnplan.sweeps.points import (
    SweepFolderError,
    failed_record,
    read_points,
    remove_temporaries,
    write_point,
)
from cnplan.sweeps.pool import SolveArgs, run_chunks
from cnplan.sweeps.spec import MAX_POINTS, Point, SweepSpec
from cnplan.sweeps.worker import run_point
from optimiser.run.session import structure_key
from plant.errors import PlanError
from plant.loader import LoadedPlan
from plant.overrides import OverrideError, apply_overrides

#: Fewest points a worker re-solves warm for one build of a model (see the module
#: docstring). Splitting n points that share a model between two workers saves n/2 warm
#: re-solves of w seconds and costs starting a worker, S (its cold solve runs beside the
#: first worker's): it pays for n > 2·S/w. Tochigi at repdays:4 on this 2-core machine
#: (docs/sweeps.md): S ≈ 2.5 s of imports, w from 0.12 s (200 close prices) to 0.33 s (20
#: prices), so n > 15-42.
WARM_POINTS_PER_BUILD = 20

Progress = Callable[[dict[str, Any]], None]


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
        life = asset.lifetime_years or plan.technologies[asset.technology].service_life_years
        for year in plan.years():
            if asset.build_year <= year < asset.build_year + life:
                by_year = out.setdefault(asset.technology, {})
                by_year[str(year)] = by_year.get(str(year), 0.0) + asset.capacity_mw
    return out


def prepare_folder(loaded: LoadedPlan, spec: SweepSpec, out_dir: Path,
                   resolution: str = "repdays:12", time_limit: float | None = None) -> None:
    """Create the sweep folder ``out_dir`` with its ``sweep.json``, or check that it holds
    this sweep: :class:`SweepFolderError` (one line, ``DIR: ...``) if it cannot be used,
    ``OSError`` if it cannot be created."""
    _check_folder(Path(out_dir), _manifest(loaded, spec, resolution, time_limit))


def _check_folder(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Create ``out_dir`` with ``sweep.json``, or check it holds the same sweep."""
    path = out_dir / "sweep.json"
    if out_dir.exists() and not out_dir.is_dir():
        raise SweepFolderError(f"{out_dir}: not a folder; choose another --out")
    if path.exists():
        try:
            old = read_json_object(out_dir, "sweep.json")
        except RunFolderError as exc:
            raise SweepFolderError(f"{exc}; choose another --out (or remove {out_dir} to "
                                   "start again)") from None
        keys = ("plan_sha256", "resolution", "time_limit", "spec")
        diff = [k for k in keys if old.get(k) != manifest[k]]
        if diff:
            raise SweepFolderError(f"{out_dir}: holds a different sweep ({', '.join(diff)} "
                                   "differ); choose another --out or remove it")
        return
    if out_dir.exists() and any(p.name != "points" for p in out_dir.iterdir()):
        raise SweepFolderError(f"{out_dir}: exists and is not a sweep folder; choose another "
                               "--out")
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(manifest, indent=2), overwrite=True)


def run_sweep(loaded: LoadedPlan, spec: SweepSpec, out_dir: Path, *,
              resolution: str = "repdays:12", time_limit: float | None = None,
              workers: int = 1, scheduler: Any = None, retry_failed: bool = False,
              progress: Progress | None = None,
              max_points: int | None = MAX_POINTS) -> SweepResult:
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
        Called with every finished point's record (already in its file).
    max_points
        Most points the sweep may have (None: no limit); checked before any point is made
        (:class:`~cnplan.sweeps.spec.SweepSpecError`).
    """
    from cnplan.sweeps.collect import write_dataset

    if max_points is not None:
        spec.check_size(max_points)
    start = time.perf_counter()
    out_dir = Path(out_dir)
    prepare_folder(loaded, spec, out_dir, resolution, time_limit)
    remove_temporaries(out_dir)
    points = spec.points()
    done = read_points(out_dir)
    todo = [p for p in points if p.id not in done or (retry_failed and not done[p.id]["ok"])]
    args: SolveArgs = (str(loaded.file.resolve()), resolution, time_limit)
    ran = 0
    # closing: an interrupted loop stops the workers before the exception goes on
    with closing(_solve(loaded, todo, args, out_dir, workers, scheduler)) as stream:
        for record in stream:
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


def _solve(loaded: LoadedPlan, todo: list[Point], args: SolveArgs, out_dir: Path,
           workers: int, scheduler: Any) -> Generator[dict[str, Any], None, None]:
    """Solve ``todo`` where the options say; yield each point's record once it is saved."""
    if scheduler is not None:
        # one task a point, submitted structure by structure: a cluster has many workers,
        # each keeps the last model it built, and every point is saved as it comes back
        parts, invalid = chunks(loaded, todo, 1)
        yield from _dask(args, out_dir, [p for chunk in parts for p in chunk] + invalid,
                         scheduler)
        return
    if workers <= 1:
        yield from _here(args, out_dir, todo)
        return
    parts, invalid = chunks(loaded, todo, workers)
    yield from _here(args, out_dir, invalid)  # invalid points fail at once
    if len(parts) > 1:
        yield from run_chunks(args, out_dir, parts, workers)
    else:
        yield from _here(args, out_dir, [p for chunk in parts for p in chunk])


def _here(args: SolveArgs, out_dir: Path, todo: list[Point]) -> Iterator[dict[str, Any]]:
    """Solve points in this process, saving each."""
    for p in todo:
        record = run_point(*args, p.id, p.values)
        write_point(out_dir, record)
        yield record


def _dask(args: SolveArgs, out_dir: Path, todo: list[Point],
          scheduler: Any) -> Iterator[dict[str, Any]]:
    """Run points on a Dask cluster, one task each, saving and yielding records as they
    finish.

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
                record = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection, ...
                record = failed_record(point, "crashed", f"{type(exc).__name__}: {exc}")
            finally:
                fut.release()
            write_point(out_dir, record)
            yield record
    finally:
        if own:
            client.close()
