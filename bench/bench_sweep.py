"""Benchmark of a price sweep (not a test): ``python bench/bench_sweep.py [--points 20]``.

Times one cold plan of ``sites/tochigi.yaml`` (profiles, curves, build, transfer, solve), then
a 20-point sweep of the bio-ethanol price scale in one process (one build, 19 re-solves of the
HiGHS instance, warm-started), and the same sweep with two local workers. Reports the
sweep/cold ratio (issue 16 goal: ≤ 2) and the two-worker speed-ups (goals: ≥ 1.6 on price,
≥ 1.8 on rebuild sweeps), also for a 200-point price sweep, which the runner splits between
the workers. Prints the figures as one JSON line last.

A price sweep is one cold solve and cheap warm re-solves: its points share one model, so the
sweep runner keeps them on one worker (``cnplan/sweeps/runner.py``, ``chunks``) and, as one
chunk, in the calling process; two workers then take what one process takes. Workers pay off
when points need their own model: the second sweep, of the discount rate (``--rebuild-set``,
a structural input, so every point is built and solved cold), shows that.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnplan.sweeps import Axis, SweepSpec, run_sweep  # noqa: E402
from cnplan.sweeps import worker as sweep_worker  # noqa: E402
from optimiser import run_plan  # noqa: E402
from plant.loader import read_plan  # noqa: E402

SITES = Path(__file__).resolve().parents[1] / "sites"


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="tochigi")
    parser.add_argument("--resolution", default="repdays:4")
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--set", default="fuels.bioethanol.price_scale=0.3:1.25",
                        help="KEY=a:b of the swept price (the point count is --points)")
    parser.add_argument("--rebuild-set", default="finance.discount_rate=0.03:0.1:6",
                        help="KEY=a:b:n of a structural sweep (every point rebuilt); '' skips")
    parser.add_argument("--large-points", type=int, default=200,
                        help="points of a second, large price sweep (0 skips)")
    args = parser.parse_args()
    loaded = read_plan(SITES / f"{args.site}.yaml")
    start = time.perf_counter()
    cold = run_plan(loaded, args.resolution)
    cold_s = time.perf_counter() - start
    sweeps = {"price": (f"{args.points}-point price sweep",
                        SweepSpec((Axis.parse(f"{args.set}:{args.points}"),)))}
    if args.large_points:
        sweeps["large price"] = (f"{args.large_points}-point price sweep", SweepSpec(
            (Axis.parse(f"{args.set}:{args.large_points}"),)))
    if args.rebuild_set:
        axis = Axis.parse(args.rebuild_set)
        sweeps["rebuild"] = (f"{len(axis.values())}-point rebuild sweep", SweepSpec((axis,)))
    rows = [("cold plan (1 point)", cold_s, 1.0, cold.outcome.status)]
    times: dict[tuple[str, int], float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep."))
    try:
        for kind, (title, spec) in sweeps.items():
            for workers in (1, 2):
                out = tmp / f"{kind}{workers}"
                sweep_worker.clear_sessions()  # every run starts without a built model
                start = time.perf_counter()
                res = run_sweep(loaded, spec, out, resolution=args.resolution, workers=workers)
                times[kind, workers] = time.perf_counter() - start
                rows.append((f"{title}, {workers} worker(s)", times[kind, workers],
                             times[kind, workers] / cold_s,
                             f"{res.ran} run, {res.failed} failed"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"# {platform.node()} {platform.python_version()} {os.cpu_count()} CPUs "
          f"{time.strftime('%Y-%m-%d')}; {args.site} {args.resolution}, {args.set}")
    print(f"{'run':<42} {'time_s':>8} {'x cold':>8}  status")
    for name, seconds, ratio, status in rows:
        print(f"{name:<42} {seconds:8.2f} {ratio:8.2f}  {status}")
    for kind in sweeps:
        print(f"speed-up with 2 workers ({kind} sweep): "
              f"{times[kind, 1] / times[kind, 2]:.2f}x")
    figures = {"cold_s": cold_s, "points": args.points,
               "price_ratio": times["price", 1] / cold_s,
               "price_speedup": times["price", 1] / times["price", 2]}
    for kind in ("large price", "rebuild"):
        if kind in sweeps:
            figures[f"{kind.replace(' ', '_')}_speedup"] = times[kind, 1] / times[kind, 2]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
