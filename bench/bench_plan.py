"""Benchmark of a plan's stages (not a test): ``python bench/bench_plan.py [SITE ...]``.

For each reference site it times, in a fresh process per run (peak RSS is that process's):
reading the plan, profiles, SOFC curves (cold, with ``CNPLAN_CACHE_DIR`` an empty temporary
folder, then cached), time aggregation, model build, the transfer of the model into HiGHS,
the HiGHS solve, results (``optimiser.post.results.extract`` + ``results.nc``/``summary.json``
write) and the report (``cnplan.report.render_report``, HTML and PDF), and the modelling
overhead (build + transfer) / solve. Representative days (repdays:12) use the full horizon;
the full hourly year is run for one investment year (2030), since six hourly years do not
fit the benchmark budget on a 2-core machine. Figures are medians over ``--repeats`` runs.

Also here: scaling with investment years, representative days and technologies (log-log
fitted exponents), and the aggregation error of repdays:12 against hourly (Tochigi, 2030).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import loglog_exponent, repeat  # noqa: E402

STAGE_COLS = ["profiles_s", "curves_cold_s", "curves_cached_s", "aggregate_s", "build_s",
              "transfer_s", "solve_s", "results_s", "report_s", "wall_s", "peak_rss_mb",
              "overhead_ratio"]


#: rows already measured in this process, by (site, resolution, years, clones): scaling and
#: the aggregation error reuse the stage runs instead of solving the same case again
_MEMO: dict[tuple, dict[str, Any]] = {}


def plan_case(site: str, resolution: str, years: list[int] | None = None, clones: int = 1,
              repeats: int = 1, **extra: Any) -> dict[str, Any]:
    """Median figures of one case; every run gets its own empty SOFC curve cache."""
    key = (site, resolution, tuple(years) if years else None, clones)
    if key in _MEMO and "profile" not in extra:
        return _MEMO[key]
    row = _plan_case(site, resolution, years, clones, repeats, **extra)
    if "error" not in row and "profile" not in extra:
        _MEMO[key] = row
    return row


def _plan_case(site: str, resolution: str, years: list[int] | None, clones: int,
               repeats: int, **extra: Any) -> dict[str, Any]:
    spec = {"plan": f"sites/{site}.yaml", "resolution": resolution, "years": years,
            "clones": clones, **extra}
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="cnplan_cache_") as cache:
            runs.append(repeat("plan", spec, 1, env={"CNPLAN_CACHE_DIR": cache}))
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"site": site, "resolution": resolution, **runs[0]}
    import statistics

    row: dict[str, Any] = {"site": site, "resolution": resolution, "repeats": len(good),
                           "year_list": years}
    for key, value in good[0].items():
        if key in ("runs", "repeats"):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            row[key] = value
        else:
            row[key] = statistics.median(float(r[key]) for r in good if key in r)
    row["wall_s"] = statistics.median(float(r["process_wall_s"]) for r in good)
    row["runs"] = [{k: v for k, v in r.items() if k != "runs"} for r in runs]
    return row


def stages(sites: list[str], repeats: int, hourly_repeats: int,
           hourly: bool = True) -> list[dict[str, Any]]:
    """Item 1: every stage of each site at repdays:12 (all years) and hourly (2030)."""
    rows = []
    for site in sites:
        rows.append(plan_case(site, "repdays:12", None, repeats=repeats))
        if hourly:
            rows.append(plan_case(site, "hourly", [2030], repeats=hourly_repeats))
    return rows


def scaling(site: str, year_counts: list[int], days: list[int], clones: list[int],
            repeats: int) -> dict[str, Any]:
    """Item 4: build, solve and memory against years, representative days and technologies.

    To fit the budget: years at repdays:4 (6 years at repdays:12 is in the stage table), days
    and technology copies for investment year 2030 only; 26 = every year 2025-2050.
    """
    year_sets = {1: [2030], 3: [2025, 2035, 2045], 6: list(range(2025, 2051, 5)),
                 26: list(range(2025, 2051))}
    out: dict[str, Any] = {"site": site, "series": {}}
    quick = {"write": False, "report": False}

    def series(name: str, xs: list[int], make: Any, x_key: str | None = None) -> None:
        rows = [make(x) for x in xs]
        ok = [(x, r) for x, r in zip(xs, rows, strict=True)
              if "error" not in r and r.get("status") == "optimal"]  # fit solved points only
        if x_key:
            ok = [(r[x_key], r) for _, r in ok]
        fit = {k: loglog_exponent([float(x) for x, _ in ok], [r[k] for _, r in ok])
               for k in ("build_s", "transfer_s", "solve_s", "peak_rss_mb", "n_vars")}
        entry = {"x": xs, "rows": rows, "exponent": fit}
        if x_key:
            entry["x_techs"] = [r.get(x_key) for r in rows]
        out["series"][name] = entry

    series("investment years (repdays:4)", year_counts,
           lambda n: plan_case(site, "repdays:4", year_sets[n], repeats=repeats, **quick))
    series("representative days (2030 only; 365 = hourly)", days,
           lambda d: plan_case(site, "hourly" if d == 365 else f"repdays:{d}", [2030],
                               repeats=repeats, **quick))
    series("technologies (copies of every technology; repdays:12, 2030 only)", clones,
           lambda k: plan_case(site, "repdays:12", [2030], clones=k, repeats=repeats, **quick),
           x_key="techs")
    return out


def aggregation_error(site: str, repeats: int = 1) -> dict[str, Any]:
    """Item 5: repdays:12 against the full hourly year, both for investment year 2030 only."""
    rep = plan_case(site, "repdays:12", [2030], repeats=repeats, write=False, report=False)
    hour = plan_case(site, "hourly", [2030], repeats=1, write=False, report=False)
    if "error" in rep or "error" in hour:
        return {"error": rep.get("error") or hour.get("error")}

    def rel(a: float, b: float) -> float:
        return abs(a - b) / max(abs(b), 1e-9)

    caps = {}
    for kind in ("capacity", "energy_capacity"):
        for tech, h in hour[kind].items():
            r = rep[kind].get(tech, 0.0)
            if max(abs(h), abs(r)) > 1e-3:
                caps[f"{tech}{':energy' if kind == 'energy_capacity' else ''}"] = {
                    "hourly": h, "repdays12": r, "rel_error": rel(r, h) if abs(h) > 1e-6
                    else float("inf")}
    return {
        "site": site, "year": 2030,
        "objective": {"hourly": hour["objective"], "repdays12": rep["objective"],
                      "rel_error": rel(rep["objective"], hour["objective"])},
        "net_emissions_2030": {"hourly": hour["net_emissions"],
                               "repdays12": rep["net_emissions"],
                               "rel_error": rel(rep["net_emissions"], hour["net_emissions"])},
        "flows": {k: {"hourly": hour.get(k), "repdays12": rep.get(k)}
                  for k in ("grid_import_mwh", "grid_export_mwh", "peak_import_mw")
                  if hour.get(k) is not None},
        "capacity": caps,
    }


def profile_case(site: str, resolution: str, years: list[int] | None) -> dict[str, Any]:
    """cProfile of build + transfer + solve + extract of one case (one run, not timed)."""
    with tempfile.TemporaryDirectory(prefix="cnplan_cache_") as cache:
        res = repeat("plan", {"plan": f"sites/{site}.yaml", "resolution": resolution,
                              "years": years, "profile": True, "write": False,
                              "report": False}, 1, env={"CNPLAN_CACHE_DIR": cache})
    return {"site": site, "resolution": resolution, "years": years,
            "top": res.get("profile_top", res.get("error"))}


def main() -> None:
    """Run the stage benchmark only and print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sites", nargs="*", default=["sunderland", "tochigi"])
    parser.add_argument("--json", type=Path, help="also write raw figures here")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-hourly", action="store_true", help="skip the hourly runs")
    args = parser.parse_args()
    rows = stages(args.sites, args.repeats, args.repeats, hourly=not args.no_hourly)
    cols = ["site", "resolution", "status", *STAGE_COLS]
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(f"{r.get(c):.2f}" if isinstance(r.get(c), float) else str(r.get(c))
                         for c in cols))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()


def cli_plans(sites: list[str], verify: bool = True) -> dict[str, Any]:
    """Issue 16 items 1 and 5: ``cnplan plan SITE --verify`` for each site in turn, as
    ``make plan`` runs them after install (one fresh SOFC curve cache for all, so the first
    plan pays the cold curves); wall time of each process, the representative-day solve and
    the verification from its ``summary.json``, and how far the estimate was off."""
    import os
    import shutil
    import subprocess
    import time

    from _common import BENCH

    cnplan = str(Path(sys.executable).parent / "cnplan")
    rows = []
    out_root = Path(tempfile.mkdtemp(prefix="cnplan_bench_cli_"))
    cache = Path(tempfile.mkdtemp(prefix="cnplan_cache_"))
    try:
        for site in sites:
            out = out_root / site
            cmd = [cnplan, "plan", f"sites/{site}.yaml", "--out", str(out)]
            cmd += ["--verify"] if verify else []
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=BENCH.parent, capture_output=True, text=True,
                                  env={**os.environ, "CNPLAN_CACHE_DIR": str(cache)})
            wall = time.perf_counter() - start
            row: dict[str, Any] = {"site": site, "wall_s": wall, "returncode": proc.returncode}
            if proc.returncode != 0:
                row["error"] = "\n".join(proc.stderr.strip().splitlines()[-5:])
            else:
                summ = json.loads((out / "summary.json").read_text())
                t = summ.get("timings", {})
                row.update(solve_s=t.get("solve_s"), verify_s=t.get("verify_s"))
                ver = summ.get("verification") or {}
                row.update(npc=ver.get("net_present_cost"),
                           npc_estimate=ver.get("net_present_cost_estimate"),
                           npc_gap=ver.get("net_present_cost_gap"))
            rows.append(row)
    finally:
        shutil.rmtree(out_root, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return {"verify": verify, "rows": rows, "total_s": sum(r["wall_s"] for r in rows)}


def hourly_horizon(site: str, limit_s: float = 900.0) -> dict[str, Any]:
    """Issue 16 item 4: the whole horizon at hourly resolution in one process, stopped at
    ``limit_s`` of wall time (HiGHS gets what is left after the build: ``limit_s`` − 120 s)."""
    from _common import run_child

    with tempfile.TemporaryDirectory(prefix="cnplan_cache_") as cache:
        row = run_child("plan", {"plan": f"sites/{site}.yaml", "resolution": "hourly",
                                 "years": None, "write": False, "report": False,
                                 "time_limit": limit_s - 120.0},
                        env={"CNPLAN_CACHE_DIR": cache}, timeout=limit_s + 60.0)
    return {"site": site, "limit_s": limit_s, **row}
