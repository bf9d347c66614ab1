"""One benchmark case, run in its own process by ``bench/_common.py`` (not a test).

``python bench/_case.py KIND JSON``: ``plan`` (a plan stage by stage), ``small_cnplan`` and
``small_pypsa`` (the PyPSA cross-check, see ``bench/bench_pypsa.py``) and ``stochastic`` (an
extensive form, ``bench/bench_stochastic.py``). Prints one JSON line
of figures last; ``peak_rss_mb`` is this process's own ``ru_maxrss``.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _Clock:
    def __init__(self) -> None:
        self.t: dict[str, float] = {}

    def __call__(self, name: str, fn: Any) -> Any:
        start = time.perf_counter()
        out = fn()
        self.t[f"{name}_s"] = time.perf_counter() - start
        return out


def _variant(loaded: Any, years: list[int] | None, clones: int) -> Any:
    """The plan with fewer/more investment years and each technology copied ``clones`` times."""
    plan = loaded.plan
    if years is not None:
        fin = plan.finance.model_copy(update={"investment_years": years})
        plan = plan.model_copy(update={"finance": fin, "targets": [
            t for t in plan.targets if t.year in years]})
    if clones > 1:
        techs = dict(plan.technologies)
        for name, tech in plan.technologies.items():
            for k in range(1, clones):
                techs[f"{name}_copy{k}"] = tech
        plan = plan.model_copy(update={"technologies": techs})
    return loaded._replace(plan=plan)


def _top(prof: cProfile.Profile, n: int = 15) -> str:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(n)
    keep = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(keep) if "ncalls" in ln), 0)
    return "\n".join(keep[start:start + n + 1])


def case_plan(spec: dict[str, Any]) -> dict[str, Any]:
    """Every stage of one plan run (profiles → report), with its figures."""
    from cnplan.report.render import render_report
    from cnplan.runs import write_plan_outputs
    from optimiser import Resolution, build_model, make_inputs
    from optimiser.run.pipeline import sofc_inputs, solve_built
    from optimiser.solve.highs import HighsSolver
    from plant.loader import read_plan
    from plant.profiles import build_profiles

    clock = _Clock()
    loaded = clock("read", lambda: read_plan(ROOT / spec["plan"]))
    loaded = _variant(loaded, spec.get("years"), spec.get("clones", 1))
    plan = loaded.plan
    prof = clock("profiles", lambda: build_profiles(plan, loaded.file.parent))
    units = clock("curves_cold", lambda: sofc_inputs(loaded))
    clock("curves_cached", lambda: sofc_inputs(loaded))
    res = Resolution.parse(spec["resolution"])
    inputs = clock("aggregate", lambda: make_inputs(plan, prof, res))
    inputs.sofc = units
    profiler = cProfile.Profile() if spec.get("profile") else None
    if profiler:
        profiler.enable()
    m, ctx = clock("build", lambda: build_model(inputs))
    rss_built = _rss_mb()
    timings: dict[str, float] = {}
    run = solve_built(HighsSolver(method=spec.get("method", "auto"),
                                  time_limit=spec.get("time_limit")), ctx, timings)
    if profiler:
        profiler.disable()
    out: dict[str, Any] = {**clock.t, "transfer_s": timings.get("transfer_s"),
                           "solve_s": timings.get("solve_s"),
                           "extract_s": timings.get("extract_s"),
                           "status": run.outcome.status, "objective": run.outcome.objective,
                           "years": len(inputs.years), "techs": len(plan.technologies),
                           "steps": inputs.n_steps, "rss_after_build_mb": rss_built}
    out["overhead_ratio"] = (out["build_s"] + out["transfer_s"]) / max(out["solve_s"], 1e-9)
    if run.outcome.feasible:
        ds = run.results
        ys = [int(y) for y in ds["year"].values]
        y0 = 2030 if 2030 in ys else ys[0]
        out["emissions_year"] = y0
        out["net_emissions"] = float(ds["net_emissions"].sel(year=y0))
        for flow in ("grid_import", "grid_export"):
            out[f"{flow}_mwh"] = float((ds[flow].sel(year=y0) * ds["weight"]).sum())
        if "peak_import" in ds:
            out["peak_import_mw"] = float(ds["peak_import"].sel(year=y0).max())
        out["capacity"] = {str(t): float(ds["capacity"].sel(tech=t, year=y0))
                           for t in ds["tech"].values}
        out["energy_capacity"] = {str(t): float(ds["energy_capacity"].sel(tech=t, year=y0))
                                  for t in ds["tech"].values}
        if spec.get("write", True):
            run.timings.update({k: clock.t[k] for k in ("profiles_s", "aggregate_s", "build_s")},
                               curves_s=clock.t["curves_cold_s"])
            tmp = Path(tempfile.mkdtemp(prefix="cnplan_bench_"))
            try:
                clock("write", lambda: write_plan_outputs(run, loaded, tmp / "run",
                                                          overwrite=True))
                if spec.get("report", True):
                    clock("report", lambda: render_report(tmp / "run"))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            out["write_s"] = clock.t["write_s"]
            out["results_s"] = out["extract_s"] + out["write_s"]
            if "report_s" in clock.t:
                out["report_s"] = clock.t["report_s"]
    out["n_vars"] = m.nvariables()
    out["n_cons"] = m.nconstraints()
    if profiler:
        out["profile_top"] = _top(profiler)
    out["peak_rss_mb"] = _rss_mb()
    return out


# --- the PyPSA cross-check (bench/bench_pypsa.py writes the plan and CSVs) -------------------

def case_small_cnplan(spec: dict[str, Any]) -> dict[str, Any]:
    """The reduced problem in cnplan, hourly; also saves the hourly data the model saw."""
    import numpy as np

    from optimiser import Resolution, build_model, make_inputs
    from optimiser.run.pipeline import solve_built
    from optimiser.solve.highs import HighsSolver
    from plant.loader import read_plan
    from plant.profiles import build_profiles

    folder = Path(spec["dir"])
    clock = _Clock()
    t0 = time.perf_counter()
    loaded = clock("read", lambda: read_plan(folder / "plan.yaml"))
    prof = clock("profiles", lambda: build_profiles(loaded.plan, folder))
    inputs = clock("aggregate", lambda: make_inputs(loaded.plan, prof,
                                                    Resolution.parse("hourly")))
    m, ctx = clock("build", lambda: build_model(inputs))
    timings: dict[str, float] = {}
    run = solve_built(HighsSolver(method=spec.get("method", "auto"),
                                  time_limit=spec.get("time_limit")), ctx, timings)
    wall = time.perf_counter() - t0
    y = inputs.years[0]
    ds = run.results
    cap = {str(t): float(ds["capacity"].sel(tech=t, year=y)) for t in ds["tech"].values}
    cap["battery:energy"] = float(ds["energy_capacity"].sel(tech="battery", year=y))
    np.savez(folder / "seen.npz", demand=inputs.demand("electricity", y),
             price=inputs.series("grid_price_shape") * loaded.plan.grid.import_price_per_mwh.at(y),
             solar=inputs.series("capacity_factor", tech="pv"),
             wind=inputs.series("capacity_factor", tech="wind"))
    return {**clock.t, "transfer_s": timings["transfer_s"], "solve_s": timings["solve_s"],
            "extract_s": timings["extract_s"], "wall_s": wall, "status": run.outcome.status,
            "objective": run.outcome.objective, "capacity": cap, "n_vars": m.nvariables(),
            "n_cons": m.nconstraints(), "peak_rss_mb": _rss_mb()}


def case_small_pypsa(spec: dict[str, Any]) -> dict[str, Any]:
    """The same problem in PyPSA (linopy, HiGHS), from the hourly data cnplan saw."""
    import logging

    import numpy as np
    import pandas as pd
    import pypsa

    logging.disable(logging.WARNING)
    folder = Path(spec["dir"])
    e = spec["economics"]
    data = np.load(folder / "seen.npz")
    clock = _Clock()
    t0 = time.perf_counter()

    def network() -> pypsa.Network:
        n = pypsa.Network()
        n.set_snapshots(pd.RangeIndex(len(data["demand"]), name="snapshot"))
        n.add("Bus", "el")
        n.add("Bus", "battery")
        n.add("Load", "demand", bus="el", p_set=data["demand"])
        n.add("Generator", "grid", bus="el", p_nom=1e6, marginal_cost=data["price"])
        for name, cf in (("pv", data["solar"]), ("wind", data["wind"])):
            n.add("Generator", name, bus="el", p_nom_extendable=True, p_max_pu=cf,
                  capital_cost=e[name]["capital_cost"], marginal_cost=e[name]["marginal_cost"])
        b = e["battery"]
        n.add("Store", "battery_energy", bus="battery", e_nom_extendable=True, e_cyclic=True,
              capital_cost=b["energy_capital_cost"])
        n.add("Link", "charger", bus0="el", bus1="battery", efficiency=b["eta"],
              p_nom_extendable=True, capital_cost=b["power_capital_cost"])
        n.add("Link", "discharger", bus0="battery", bus1="el", efficiency=b["eta"],
              p_nom_extendable=True, marginal_cost=b["marginal_cost"])
        return n

    n = clock("network", network)
    b = e["battery"]

    def extra(n: pypsa.Network, _snapshots: Any) -> None:
        # one power rating P for both directions: c ≤ P, d = η·p0 ≤ P; duration limits on E/P
        lp = n.model["Link-p_nom"]
        power, dis = lp.loc["charger"], lp.loc["discharger"]
        energy = n.model["Store-e_nom"].loc["battery_energy"]
        n.model.add_constraints(power - b["eta"] * dis == 0, name="battery_power_tie")
        n.model.add_constraints(energy - b["min_h"] * power >= 0, name="battery_min_duration")
        n.model.add_constraints(energy - b["max_h"] * power <= 0, name="battery_max_duration")

    status = clock("optimize", lambda: n.optimize(solver_name="highs",
                                                  extra_functionality=extra,
                                                  log_to_console=False))
    wall = time.perf_counter() - t0
    obj = float(n.objective) + float(getattr(n, "objective_constant", 0.0) or 0.0)
    cap = {"pv": float(n.generators.p_nom_opt["pv"]),
           "wind": float(n.generators.p_nom_opt["wind"]),
           "battery": float(n.links.p_nom_opt["charger"]),
           "battery:energy": float(n.stores.e_nom_opt["battery_energy"])}
    return {**clock.t, "wall_s": wall, "status": str(status), "objective": obj,
            "capacity": cap, "peak_rss_mb": _rss_mb()}


def case_stochastic(spec: dict[str, Any]) -> dict[str, Any]:
    """The extensive form of ``n`` scenarios (``n`` = 0: the deterministic plan alone, the
    yardstick): the sourced three-scenario file for ``n`` = 3, else ``n`` equally likely
    scenarios drawn from its ranges (bench/bench_stochastic.py)."""
    from optimiser import run_plan
    from optimiser.formulate.inputs import Resolution
    from optimiser.stochastic.shared import solve_tree
    from plant.loader import read_plan
    from plant.scenarios import ScenarioFile, build_tree, read_scenarios

    loaded = read_plan(ROOT / "sites" / f"{spec['site']}.yaml")
    start = time.perf_counter()
    if spec["n"] == 0:
        run = run_plan(loaded, spec["resolution"])
        return {"wall_s": time.perf_counter() - start, "objective": run.results.attrs["objective"],
                "solve_s": run.timings.get("solve_s"), "peak_rss_mb": _rss_mb()}
    if spec["n"] == 3:
        tree = read_scenarios(ROOT / spec["file"], loaded.plan)
    else:
        sample = {"n": spec["n"], "seed": 1, "from": spec["ranges"]}
        tree = build_tree(ScenarioFile.model_validate({"stages": spec["stages"],
                                                       "sample": sample}), loaded.plan)
    res = Resolution.parse(spec["resolution"])
    if spec.get("solver", "extensive") == "extensive":
        run = solve_tree(tree, loaded, res, extract_results=False)
        return {"wall_s": time.perf_counter() - start, "objective": run.objective,
                "status": run.outcome.status, "equalities": run.ef.nonanticipative,
                "size": run.size, **run.timings, "peak_rss_mb": _rss_mb()}
    return _decomposed_tree(tree, loaded, res, spec, start)


def _decomposed_tree(tree: Any, loaded: Any, res: Any, spec: dict[str, Any],
                     start: float) -> dict[str, Any]:
    """The tree by decomposition on ``spec["workers"]`` (1: in this process; else a local
    Dask cluster, whose workers report their own peak memory and cache)."""
    from optimiser.stochastic.decomposed import solve_tree_decomposed
    from optimiser.stochastic.subproblems import subproblem_pool

    workers: dict[str, Any] = {}
    with subproblem_pool(spec["workers"]) as pool:
        run, _, _ = solve_tree_decomposed(tree, loaded, res, pool, gap=spec.get("gap", 1e-4),
                                          extract_results=False)
        wall = time.perf_counter() - start
        if hasattr(pool, "client"):
            workers = {"worker_peak_rss_mb": max(pool.client.run(_rss_mb).values()),
                       "worker_cache_mb": max(pool.cache_mb().values())}
        else:
            workers = {"worker_cache_mb": pool.cache.size_mb()}
    return {"wall_s": wall, "objective": run.objective, "status": run.outcome.status,
            **run.size, **run.timings, "peak_rss_mb": _rss_mb(), **workers}


def main() -> None:
    kind, spec = sys.argv[1], json.loads(sys.argv[2])
    fn = {"plan": case_plan, "small_cnplan": case_small_cnplan,
          "small_pypsa": case_small_pypsa, "stochastic": case_stochastic}[kind]
    print(json.dumps(fn(spec), default=str))


if __name__ == "__main__":
    main()
