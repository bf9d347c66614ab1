"""Benchmark of stochastic planning (not a test): ``python bench/bench_stochastic.py``.

Solves the extensive form (``optimiser/stochastic/tree.py``) of Tochigi at representative days with
3 scenarios (``sites/scenarios/tochigi_fuel.yaml``), then 10 and 30 drawn from its ranges,
each in a fresh process (its own peak memory), and one deterministic plan of the same site and
resolution as the yardstick. Reports time and memory against n × the deterministic plan
(issue 18 goal: 10 scenarios in ≤ 5× one deterministic plan). Prints the figures as one JSON
line last.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import run_child  # noqa: E402

#: the ranges of sites/scenarios/tochigi_fuel.yaml (low to high scenario), drawn uniformly
RANGES = {"fuels.bioethanol.price_scale": {"low": 0.7, "high": 1.5},
          "grid.import_price_scale": {"low": 0.79, "high": 1.35},
          "carbon_price.price_per_t": {"low": 2150, "high": 15000}}
GOAL_10 = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", default="tochigi")
    parser.add_argument("--resolution", default="repdays:4")
    parser.add_argument("--sizes", type=int, nargs="*", default=[3, 10, 30])
    parser.add_argument("--timeout", type=float, default=1500.0)
    args = parser.parse_args()
    base = {"site": args.site, "resolution": args.resolution, "stages": [2027, 2035],
            "file": "sites/scenarios/tochigi_fuel.yaml", "ranges": RANGES}
    det = run_child("stochastic", {**base, "n": 0}, timeout=args.timeout)
    rows = []
    for n in args.sizes:
        print(f"{n} scenarios ...", file=sys.stderr, flush=True)
        row = run_child("stochastic", {**base, "n": n}, timeout=args.timeout)
        if "error" not in row and "error" not in det:
            row["time_ratio"] = row["wall_s"] / det["wall_s"]
            row["time_ratio_per_scenario"] = row["time_ratio"] / n
            row["memory_ratio"] = row["peak_rss_mb"] / det["peak_rss_mb"]
        rows.append({"n": n, **row})
        print(json.dumps(rows[-1], default=str), file=sys.stderr, flush=True)
    ten = next((r for r in rows if r["n"] == 10 and "time_ratio" in r), None)
    out = {"deterministic": det, "extensive_form": rows, "goal_10_scenarios": GOAL_10,
           "met": None if ten is None else ten["time_ratio"] <= GOAL_10}
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
