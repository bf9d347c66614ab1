"""``make bench``: every benchmark of issues 7 and 16, written to ``bench/RESULTS.md`` and
``bench/results.json`` (not a test; ``python bench/run_all.py [--quick]``).

Runs, in this order: the SOFC twin (``bench_sofc.py``), the stages of both reference plans
(``bench_plan.py``), the PyPSA cross-check (``bench_pypsa.py``), the aggregation error,
scaling, the price sweep (``bench_sweep.py``), ``cnplan plan --verify`` on three reference
plans, Tochigi's whole horizon at hourly resolution (at most 15 min; not with ``--quick``),
stochastic planning (``bench_stochastic.py``), the engine (``bench_engine.py``), plans that
hold in every hour (``bench_adequacy.py``), the fleet monolithic against decomposed
(``bench_fleet.py``, issue 31) and a cProfile of the worst overhead case.
``--merge --skip ...`` reruns some stages and keeps the others' figures. Each
case runs in a fresh process; figures are medians over repeats (the counts are in the
results), since the machine's 2 cores may be shared with another process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_plan  # noqa: E402
import bench_pypsa  # noqa: E402
from _common import BENCH, ROOT, machine  # noqa: E402

#: budget figures for a 2-core machine (make bench ≲ 55 min with the hourly horizon);
#: --quick cuts them further
FULL = {"repeats": 2, "hourly_repeats": 1, "pypsa_repeats": 3, "scaling_repeats": 1,
        "years": [1, 3, 6, 26], "days": [4, 12, 24, 365], "clones": [1, 2, 3]}
QUICK = {"repeats": 1, "hourly_repeats": 1, "pypsa_repeats": 1, "scaling_repeats": 1,
         "years": [1, 3], "days": [4, 12], "clones": [1, 2]}
OVERHEAD_GOAL, PYPSA_GOAL, AGGREGATION_GOAL = 0.25, 1.0, 0.01


def _script(name: str, *args: str) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(BENCH / name), *args], cwd=ROOT,
                          capture_output=True, text=True)
    return {"script": name, "args": list(args), "returncode": proc.returncode,
            "wall_s": time.perf_counter() - start, "stdout": proc.stdout,
            "stderr_tail": "\n".join(proc.stderr.strip().splitlines()[-10:])}


def _load_average() -> str:
    """The 1, 5 and 15 min load averages, for the record of a stage's start."""
    import os

    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _engine() -> dict[str, Any]:
    """bench_engine.py's figures, dated, with the load average at its start."""
    load = _load_average()
    run = _script("bench_engine.py")
    try:
        figures = json.loads(run["stdout"].strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": run["stderr_tail"]}
    return {**figures, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average": load}


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one repeat, fewer cases")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["sofc", "stages", "pypsa", "aggregation", "scaling", "sweep",
                                 "profile", "cli", "horizon", "stochastic", "engine",
                                 "adequacy", "fleet"])
    parser.add_argument("--merge", action="store_true",
                        help="keep the stages of the existing results.json that this run skips")
    parser.add_argument("--out", type=Path, default=BENCH)
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite RESULTS.md from an existing results.json")
    parser.add_argument("--budget-min", type=float, default=50.0,
                        help="skip the cProfile run if this much time has gone before it")
    args = parser.parse_args()
    from report_md import render

    if args.render_only:
        res = json.loads((args.out / "results.json").read_text())
        (args.out / "RESULTS.md").write_text(render(res), encoding="utf-8")
        return
    cfg = QUICK if args.quick else FULL
    t0 = time.perf_counter()
    res: dict[str, Any] = {"machine": machine(), "config": cfg}
    if args.merge and (args.out / "results.json").exists():
        res = {**json.loads((args.out / "results.json").read_text()), "config": cfg}
    if "sofc" not in args.skip:
        _log("SOFC twin")
        res["sofc"] = _script("bench_sofc.py")
    if "stages" not in args.skip:
        _log("stages of the reference plans")
        res["stages"] = bench_plan.stages(["sunderland", "tochigi"], cfg["repeats"],
                                          cfg["hourly_repeats"])
    if "pypsa" not in args.skip:
        _log("PyPSA cross-check")
        res["pypsa"] = bench_pypsa.compare(cfg["pypsa_repeats"])
    if "aggregation" not in args.skip:
        _log("aggregation error")
        res["aggregation"] = [bench_plan.aggregation_error(site)
                              for site in ("tochigi", "sunderland")]
    if "scaling" not in args.skip:
        _log("scaling")
        res["scaling"] = bench_plan.scaling("tochigi", cfg["years"], cfg["days"],
                                            cfg["clones"], cfg["scaling_repeats"])
    if "sweep" not in args.skip:
        _log("sweep")
        res["sweep"] = _script("bench_sweep.py")
        try:
            res["sweep"]["figures"] = json.loads(res["sweep"]["stdout"].strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            pass
    if "cli" not in args.skip:
        _log("cnplan plan --verify, three reference plans")
        res["cli"] = bench_plan.cli_plans(["sunderland", "tochigi", "tochigi_company_plan"])
    if "horizon" not in args.skip and not args.quick:
        _log("Tochigi, whole horizon hourly (15 min at most)")
        res["horizon"] = bench_plan.hourly_horizon("tochigi")
    if "stochastic" not in args.skip:
        _log("stochastic planning: extensive forms of 3, 10 and 30 scenarios")
        res["stochastic"] = _script("bench_stochastic.py")
        try:
            res["stochastic"]["figures"] = json.loads(
                res["stochastic"]["stdout"].strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            pass
    if "engine" not in args.skip:
        _log("issue 26: the engine (bench_engine.py; about 25 min)")
        res["engine"] = _engine()
    if "adequacy" not in args.skip:
        _log("issue 27: plans that hold in every hour (bench_adequacy.py; about 20 min)")
        load = _load_average()
        run = _script("bench_adequacy.py", "--hourly")
        path = BENCH / "adequacy.json"
        res["adequacy"] = ({**json.loads(path.read_text()), "load_average": load,
                            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
                           if run["returncode"] == 0 and path.exists()
                           else {"error": run["stderr_tail"]})
    if "fleet" not in args.skip:
        _log("issue 31: the fleet, monolithic against decomposed (bench_fleet.py; about 70 min)")
        run = _script("bench_fleet.py", "--no-results")
        path = BENCH / "fleet.json"
        res["fleet"] = (json.loads(path.read_text()) if run["returncode"] == 0
                        and path.exists() else {"error": run["stderr_tail"]})
    late = time.perf_counter() - t0 > 60 * args.budget_min
    if late:
        res["profile_skipped"] = f"over {args.budget_min:g} min already: cProfile run skipped"
    if "profile" not in args.skip and res.get("stages") and not late:
        hourly = [r for r in res["stages"] if r["resolution"] == "hourly" and "error" not in r]
        if hourly:
            worst = max(hourly, key=lambda r: r["overhead_ratio"])
            _log(f"cProfile of {worst['site']} hourly")
            res["profile"] = bench_plan.profile_case(worst["site"], "hourly", [2030])
    if not args.merge:
        res["total_wall_s"] = time.perf_counter() - t0
    (args.out / "results.json").write_text(json.dumps(res, indent=2, default=str))
    (args.out / "RESULTS.md").write_text(render(res), encoding="utf-8")
    _log(f"done in {(time.perf_counter() - t0) / 60:.1f} min: {args.out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
