"""Benchmark of a price sweep (not a test): ``python bench/bench_sweep.py [--points 20]``.

Times one cold plan of ``sites/tochigi.yaml`` (profiles, curves, build, transfer, solve), then
a 20-point sweep of the bio-ethanol price scale in one process (one build, 19 re-solves of the
HiGHS instance, warm-started), and the same sweep on two local worker processes. Reports the
sweep/cold ratio (goal: ≤ ~3) and the two-worker speed-up.

A price sweep is one cold solve and cheap warm re-solves, so two workers (each with its own
cold build and solve, after spawning a Python process) cannot beat one process on 2 cores.
Workers pay off when points need their own model: the second sweep, of the discount rate
(``--rebuild-set``, a structural input, so every point is built and solved cold), shows that.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnplan.sweeps import Axis, SweepSpec, run_sweep  # noqa: E402
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
    args = parser.parse_args()
    loaded = read_plan(SITES / f"{args.site}.yaml")
    start = time.perf_counter()
    cold = run_plan(loaded, args.resolution)
    cold_s = time.perf_counter() - start
    sweeps = {"price": (f"{args.points}-point price sweep",
                        SweepSpec((Axis.parse(f"{args.set}:{args.points}"),)))}
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


if __name__ == "__main__":
    main()
