"""Issue 26 goals (the engine), each case in its own process; prints one JSON line last.

``python bench/bench_engine.py`` runs every case; ``python bench/bench_engine.py CASE`` one of
``scale``, ``verify``, ``hourly_year``, ``horizon``, ``imports``, ``make_plan``. Cases:

* ``scale``: Tochigi at repdays:12, the planning LP solved with the objective's old money unit
  (1000 × 10^⌊log10 p⌋) and the new one (10^⌈log10 p⌉): simplex iterations, HiGHS time, the
  cost range and whether HiGHS warns, the objective in currency.
* ``verify``: ``cnplan plan SITE --verify --no-report --no-bau`` for both reference sites:
  the representative-day solve and the verification from summary.json (goal: verify ≤ 0.5 ×).
* ``hourly_year``: one hourly planning year (2030) of Sunderland with ``--method auto``
  (HiPO from 150,000 columns; goal ≤ 120 s of HiGHS).
* ``horizon``: Tochigi, every modelled year hourly, decomposed by year, stopped at 15 min
  (goal: done within 15 min and 4 GB, peak = the sum of the resident memory of the process
  and its workers, sampled every 0.5 s).
* ``imports``: ``python -X importtime`` of ``import cnplan.cli`` and of ``cnplan validate``.
* ``make_plan``: ``make plan`` as the README runs it, after ``make venv`` (goal ≤ 3 min).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CNPLAN = str(Path(PY).parent / "cnplan")


class PeakMemory:
    """The largest sum of resident memory of this process and its descendants [MB]."""

    def __init__(self, root: int | None = None, every: float = 0.5) -> None:
        self.root, self.every, self.peak = root or os.getpid(), every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo += [int(c) for c in children]
        return pids

    def _watch(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                except OSError:
                    pass
            self.peak = max(self.peak, total / 1e6)
            time.sleep(self.every)


def case_scale() -> dict[str, Any]:
    """Old and new money unit on Tochigi repdays:12, each solved once in this process."""
    import math

    import numpy as np

    import optimiser.formulate.model as model
    from optimiser.formulate.inputs import Resolution
    from optimiser.run.pipeline import prepare_inputs
    from optimiser.solve.highs import HighsSolver, compile_lp
    from plant.loader import read_plan

    loaded = read_plan(ROOT / "sites" / "tochigi.yaml")
    inputs = prepare_inputs(loaded, Resolution.parse("repdays:12"))
    new_rule = model.plan_money_scale

    def old_rule(plan: Any) -> float:
        price = max(max(plan.grid.import_price_per_mwh.values()), 1.0)
        return 10.0 ** math.floor(math.log10(price)) * 1e3

    out = {}
    for name, rule in (("old", old_rule), ("new", new_rule)):
        model.plan_money_scale = rule
        m, _ = model.build_model(inputs)
        cost = np.abs(compile_lp(m).arrays.cost)
        cost = cost[cost > 0]
        solver = HighsSolver()
        outcome = solver.solve(m)
        info = solver._h.getInfo()
        out[name] = {"scale": float(m.money_scale), "status": outcome.status,
                     "objective": outcome.objective * m.money_scale,
                     "solve_s": outcome.solve_s,
                     "iterations": int(info.simplex_iteration_count),
                     "cost_min": float(cost.min()), "cost_max": float(cost.max()),
                     "warns": bool(cost.min() < 1e-4 or cost.max() > 1e6)}
    model.plan_money_scale = new_rule
    out["objective_rel_diff"] = abs(out["new"]["objective"] - out["old"]["objective"]) / abs(
        out["old"]["objective"])
    return out


def case_verify() -> dict[str, Any]:
    """``cnplan plan SITE --verify`` for both reference sites (curves cached first)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="cnplan_bench_verify_") as folder:
        for site in ("sunderland", "tochigi"):
            out = Path(folder) / site
            start = time.perf_counter()
            proc = subprocess.run([CNPLAN, "plan", f"sites/{site}.yaml", "--out", str(out),
                                   "--verify", "--no-report", "--no-bau"], cwd=ROOT,
                                  capture_output=True, text=True)
            row: dict[str, Any] = {"site": site, "wall_s": time.perf_counter() - start,
                                   "returncode": proc.returncode}
            if proc.returncode in (0, 3):
                t = json.loads((out / "summary.json").read_text())["timings"]
                row.update(solve_s=t["solve_s"], verify_s=t["verify_s"],
                           ratio=t["verify_s"] / t["solve_s"])
            else:
                row["error"] = proc.stderr[-500:]
            rows.append(row)
    return {"rows": rows}


def case_hourly_year() -> dict[str, Any]:
    """Sunderland's 2030 as one hourly planning year, method auto."""
    import dataclasses

    from optimiser.formulate.inputs import Resolution
    from optimiser.formulate.model import build_model
    from optimiser.run.pipeline import prepare_inputs
    from optimiser.solve.highs import HighsSolver, cold_method
    from plant.loader import read_plan

    loaded = read_plan(ROOT / "sites" / "sunderland.yaml")
    inputs = dataclasses.replace(prepare_inputs(loaded, Resolution.parse("hourly")),
                                 years=[2030])
    start = time.perf_counter()
    m, _ = build_model(inputs)
    build = time.perf_counter() - start
    solver = HighsSolver()
    outcome = solver.solve(m)
    info = solver._h.getInfo()
    return {"status": outcome.status, "build_s": build, "transfer_s": outcome.transfer_s,
            "solve_s": outcome.solve_s, "columns": len(solver._held.columns),
            "method": cold_method("auto", len(solver._held.columns)),
            "ipm_iterations": int(info.ipm_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count),
            "objective": outcome.objective * m.money_scale}


def case_horizon(limit_s: float = 900.0) -> dict[str, Any]:
    """Tochigi, 2027-2050 hourly, decomposed by year, stopped at ``limit_s``."""
    from optimiser.decompose import plan_decomposed
    from optimiser.formulate.inputs import Resolution
    from plant.loader import read_plan

    history: list[str] = []
    start = time.perf_counter()
    with PeakMemory() as memory:
        run = plan_decomposed(read_plan(ROOT / "sites" / "tochigi.yaml"),
                              Resolution.parse("hourly"), time_limit=limit_s - 150.0,
                              stage=lambda s: history.append(
                                  f"{time.perf_counter() - start:.0f} s {s}"))
    wall = time.perf_counter() - start
    return {"status": run.outcome.status, "wall_s": wall, "peak_rss_mb": memory.peak,
            "objective": run.outcome.objective, "lower_bound": run.outcome.bound,
            "gap": run.outcome.gap, "iterations": run.results.attrs.get(
                "decomposition_iterations"), "timings": run.timings,
            "diagnosis": run.diagnosis, "progress": history[-25:]}


def case_imports() -> dict[str, Any]:
    """Import time of the CLI, and of ``cnplan validate`` (sum of top-level imports)."""
    def total(cmd: list[str]) -> float:
        proc = subprocess.run([PY, "-X", "importtime", *cmd], cwd=ROOT, capture_output=True,
                              text=True)
        tops = [int(m.group(1)) for m in re.finditer(
            r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", proc.stderr, re.M)
            if not m.group(2).startswith(" ")]
        return sum(tops) / 1e6

    best_cli = min(total(["-c", "import cnplan.cli"]) for _ in range(3))
    best_validate = min(total([CNPLAN, "validate", "sites/tochigi.yaml"]) for _ in range(3))
    return {"import_cnplan_cli_s": best_cli, "validate_imports_s": best_validate}


def case_make_plan() -> dict[str, Any]:
    """``make plan`` wall time (the venv already installed, as after ``make venv``)."""
    start = time.perf_counter()
    proc = subprocess.run(["make", "plan"], cwd=ROOT, capture_output=True, text=True)
    return {"wall_s": time.perf_counter() - start, "returncode": proc.returncode,
            "tail": proc.stdout[-800:] + proc.stderr[-800:]}


CASES = {"scale": case_scale, "verify": case_verify, "hourly_year": case_hourly_year,
         "horizon": case_horizon, "imports": case_imports, "make_plan": case_make_plan}


def main() -> None:
    names = sys.argv[1:] or list(CASES)
    if len(names) == 1:
        print(json.dumps(CASES[names[0]](), default=str))
        return
    out = {}
    for name in names:  # each in a fresh process, one after the other
        start = time.perf_counter()
        proc = subprocess.run([PY, __file__, name], cwd=ROOT, capture_output=True, text=True)
        try:
            out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            out[name] = {"error": proc.stderr[-1500:]}
        out[name]["case_wall_s"] = time.perf_counter() - start
        print(f"[{time.strftime('%H:%M:%S')}] {name}: {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
