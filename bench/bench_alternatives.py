"""Benchmark of near-optimal alternatives (not a test): ``python bench/bench_alternatives.py``.

Issue 33's goal: ``cnplan plan SITE --alternatives 10`` on Tochigi at repdays:12 in at most
3 × the time of the same command without alternatives (one plan: least-cost plan, business as
usual, results, report). Both commands are run whole, as a user runs them, each ``--runs``
times, alternately: wall time and the CPU time of the command and its worker processes; the
alternatives' own times and iterations come from summary.json. Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CNPLAN = Path(sys.executable).parent / "cnplan"
GOAL = 3.0


def run(site: str, resolution: str, extra: list[str]) -> dict[str, Any]:
    """One whole ``cnplan plan`` run into a fresh folder: wall time, CPU time of the command
    and its children, and what summary.json says of the alternatives."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([str(CNPLAN), "plan", f"sites/{site}.yaml", "--resolution",
                               resolution, "--out", str(out), *extra], cwd=ROOT,
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures: dict[str, Any] = {"wall_s": wall, "exit": proc.returncode,
                                   "cpu_s": (after.ru_utime - before.ru_utime)
                                   + (after.ru_stime - before.ru_stime)}
        if proc.returncode not in (0, 3):
            figures["error"] = proc.stderr.strip().splitlines()[-5:]
            return figures
        summary = json.loads((out / "summary.json").read_text())
        figures["solve_s"] = summary["timings"].get("solve_s")
        table = summary.get("alternatives")
        if table:
            figures["alternatives_s"] = table["timings"].get("alternatives_s")
            figures["plans"] = [{k: p.get(k) for k in ("name", "over_least_cost", "solve_s",
                                                        "iterations", "same_as")}
                                for p in table["plans"]]
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="tochigi")
    parser.add_argument("--resolution", default="repdays:12")
    parser.add_argument("-n", "--alternatives", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    one, many = [], []
    for _ in range(args.runs):
        one.append(run(args.site, args.resolution, []))
        many.append(run(args.site, args.resolution,
                        ["--alternatives", str(args.alternatives), "--jobs", str(args.jobs)]))
        print(json.dumps({"one": one[-1]["wall_s"], "with": many[-1]["wall_s"]}),
              file=sys.stderr)
    ratio = statistics.median(b["wall_s"] / a["wall_s"] for a, b in zip(one, many, strict=True))
    result = {"site": args.site, "resolution": args.resolution, "n": args.alternatives,
              "jobs": args.jobs, "cores": os.cpu_count(), "one_plan": one,
              "with_alternatives": many, "ratio": ratio, "goal": GOAL,
              "met": ratio <= GOAL}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
