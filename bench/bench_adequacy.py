"""Issue 27 goals: plans that hold in every hour (not a test; ``python bench/bench_adequacy.py``).

For each reference plan (and the example third plant) ``cnplan plan SITE --verify`` at the
default 12 days, as ``make plan`` runs it: the estimate against the verified net present
cost, 2030 scope 1 + 2 (market-based) estimate against verified, unserved energy per year
(must be 0) and what the shortfall iteration did. With ``--hourly``, also investment year
2030 alone at 12 days against the hourly model (``bench_plan.aggregation_error``): the five
largest capacities of the hourly model beside the 12-day ones. Writes bench/adequacy.json
and prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

PLANS = {"sunderland": "sites/sunderland.yaml", "tochigi": "sites/tochigi.yaml",
         "third_plant": "sites/examples/third_plant.yaml"}


def verified_plan(name: str, path: str) -> dict[str, Any]:
    """One ``cnplan plan --verify`` run and the figures issue 27 asks for."""
    cnplan = str(Path(sys.executable).parent / "cnplan")
    out = Path(tempfile.mkdtemp(prefix="cnplan_bench_adequacy_")) / name
    try:
        start = time.perf_counter()
        proc = subprocess.run([cnplan, "plan", path, "--verify", "--no-report", "--out",
                               str(out)], cwd=BENCH.parent, capture_output=True, text=True,
                              env=dict(os.environ))
        row: dict[str, Any] = {"site": name, "wall_s": time.perf_counter() - start,
                               "returncode": proc.returncode}
        if not (out / "summary.json").exists():
            row["error"] = "\n".join(proc.stderr.strip().splitlines()[-5:])
            return row
        summ = json.loads((out / "summary.json").read_text())
        ver = summ["verification"]
        y2030 = ver["by_year"].get("2030", {})
        row.update(npc=ver["net_present_cost"], npc_estimate=ver["net_present_cost_estimate"],
                   npc_gap=ver["net_present_cost_gap"],
                   em2030=y2030.get("scope1_2_market"),
                   em2030_estimate=y2030.get("scope1_2_market_estimate"),
                   em2030_gap=y2030.get("emissions_gap"),
                   unserved={y: e["unserved_mwh"] for y, e in ver["by_year"].items()},
                   adequacy=summ.get("adequacy"), timings=summ.get("timings", {}))
        return row
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def markdown(res: dict[str, Any]) -> str:
    """The section for bench/RESULTS.md."""
    lines = ["## Issue 27 goals", "",
             "`cnplan plan SITE --verify` at 12 days (bench/bench_adequacy.py):", "",
             "| plan | estimate vs verified NPC | 2030 emissions estimate vs verified | "
             "unserved per year [MWh] | re-plans | wall |", "|---|---|---|---|---|---|"]
    for row in res["plans"]:
        if "error" in row:
            lines.append(f"| {row['site']} | error: {row['error']} | | | | |")
            continue
        unserved = ", ".join(f"{y}: {v:,.1f}" for y, v in row["unserved"].items())
        gap, egap = row["npc_gap"], row["em2030_gap"]
        ade = row.get("adequacy") or {}
        lines.append(f"| {row['site']} | {100 * gap:+.2f} % "
                     f"({'met' if abs(gap) <= 0.01 else 'missed'}, goal ±1 %) | "
                     f"{100 * egap:+.2f} % ({'met' if abs(egap) <= 0.01 else 'missed'}) | "
                     f"{unserved} | {ade.get('replans', '–')} ({ade.get('stopped', '–')}) | "
                     f"{row['wall_s']:.0f} s |")
    for site, agg in res.get("hourly", {}).items():
        if "error" in agg:
            continue
        caps = sorted(agg["capacity"].items(), key=lambda kv: -abs(kv[1]["hourly"]))[:5]
        lines += ["", f"{site}, investment year 2030 alone: the hourly model's five largest "
                  "capacities against 12 days", "", "| capacity | hourly | 12 days | error |",
                  "|---|---|---|---|"]
        lines += [f"| {k} | {v['hourly']:,.3f} | {v['repdays12']:,.3f} | "
                  f"{100 * v['rel_error']:.1f} % |" for k, v in caps]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hourly", action="store_true",
                        help="also investment year 2030 alone against the hourly model")
    args = parser.parse_args()
    res: dict[str, Any] = {"plans": [verified_plan(n, p) for n, p in PLANS.items()]}
    if args.hourly:
        import bench_plan

        res["hourly"] = {s: bench_plan.aggregation_error(s) for s in ("sunderland", "tochigi")}
    (BENCH / "adequacy.json").write_text(json.dumps(res, indent=2, default=str))
    print(markdown(res))


if __name__ == "__main__":
    main()
