"""``bench/RESULTS.md`` from the figures of ``bench/run_all.py`` (``bench/results.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

OVERHEAD_GOAL, PYPSA_GOAL, AGGREGATION_GOAL = 0.25, 1.0, 0.01


def _f(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _goal(value: float | None, goal: float, lower_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    ok = value <= goal if lower_is_better else value >= goal
    if ok:
        return f"**met** ({value:.3g} ≤ {goal:g})"
    return f"**missed** ({value:.3g} vs ≤ {goal:g}: {value / goal:.2f}× the goal)"


def _at_least(value: float | None, goal: float) -> str:
    if value is None:
        return "not measured"
    if value >= goal:
        return f"**met** ({value:.3g} ≥ {goal:g})"
    return f"**missed** ({value:.3g} vs ≥ {goal:g})"


def _largest_capacities(ag: dict[str, Any], n: int = 5) -> list[tuple[str, dict[str, Any]]]:
    """The ``n`` largest power capacities hour by hour (MW; not storage energy, not the
    efficiency measures, whose 'capacity' is MWh/yr saved)."""
    power = [(k, v) for k, v in ag["capacity"].items()
             if ":" not in k and not k.startswith("efficiency")]
    return sorted(power, key=lambda kv: -kv[1]["hourly"])[:n]


def issue16_goals(res: dict[str, Any]) -> list[str]:
    """Each goal of issue 16 as met or missed, with the measured figure."""
    out = ["## Issue 16 goals", ""]
    cli = res.get("cli") or {}
    rows = [r for r in cli.get("rows", []) if "error" not in r]
    for r in rows:
        ratio = r["verify_s"] / r["solve_s"] if r.get("verify_s") and r.get("solve_s") else None
        gap = r.get("npc_gap")
        off = (f" Estimate against verified net present cost: {100 * gap:+.2f} %."
               if gap is not None else "")
        out.append(f"- 1. Verification of {r['site']} costs no more than its representative-"
                   f"day solve (ratio ≤ 1): " + _goal(ratio, 1.0) + f" — verification "
                   f"{_f(r.get('verify_s'), 1)} s against a solve of {_f(r.get('solve_s'), 1)}"
                   " s; so it stays `--verify` (on in `make plan`)." + off)
    for ag in res.get("aggregation") or []:
        if "error" in ag:
            continue
        site = str(ag["site"]).capitalize()
        big = _largest_capacities(ag)
        worst = max(big, key=lambda kv: kv[1]["rel_error"], default=("-", {"rel_error": 0.0}))
        out.append(f"- 2. {site} at 12 days: objective within 1 % "
                   + _goal(ag["objective"]["rel_error"], 0.01) + "; 2030 emissions within 1 % "
                   + _goal(ag["net_emissions_2030"]["rel_error"], 0.01)
                   + f"; five largest capacities within 5 % (worst: {worst[0]}) "
                   + _goal(worst[1]["rel_error"], 0.05))
    fig = (res.get("sweep") or {}).get("figures") or {}
    out.append("- 3. 20-point price sweep ≤ 2 × one cold plan: "
               + _goal(fig.get("price_ratio"), 2.0))
    out.append("- 3. Two workers on the 20-point price sweep ≥ 1.6 ×: "
               + _at_least(fig.get("price_speedup"), 1.6) + " (its points share one model, so "
               "they stay on one worker: two workers take what one process takes; see "
               "docs/sweeps.md)")
    out.append("- 3. Two workers on a 200-point price sweep ≥ 1.6 ×: "
               + _at_least(fig.get("large_price_speedup"), 1.6))
    out.append("- 3. Two workers on the 6-point rebuild sweep ≥ 1.8 ×: "
               + _at_least(fig.get("rebuild_speedup"), 1.8))
    sund = next((r for r in res.get("stages") or [] if r.get("site") == "sunderland"
                 and r.get("resolution") == "hourly" and "error" not in r), None)
    out.append("- 4. Sunderland, one hourly year, solve ≤ 120 s: "
               + _goal(sund.get("solve_s") if sund else None, 120.0))
    hz = res.get("horizon")
    if hz:
        done = "error" not in hz and hz.get("status") == "optimal"
        what = (f"optimal, wall {_f(hz.get('process_wall_s'), 0)} s, peak RSS "
                f"{_f(hz.get('peak_rss_mb'), 0)} MB" if done else
                f"not solved within {hz['limit_s']:.0f} s "
                f"({hz.get('status') or hz.get('error', '')[:120]})")
        met = done and hz["process_wall_s"] <= 900 and hz["peak_rss_mb"] <= 4096
        out.append(f"- 4. Tochigi, 2027-2050 hourly, ≤ 15 min and 4 GB: "
                   f"{'**met**' if met else '**missed**'} ({what})")
    if cli:
        out.append(f"- 5. `cnplan plan --verify` on three reference plans "
                   f"({', '.join(r['site'] for r in cli.get('rows', []))}) ≤ 90 s: "
                   + _goal(cli.get("total_s"), 90.0))
    return out + [""]


def stochastic_section(st: dict[str, Any] | None) -> list[str]:
    """Scenario trees of 1-50 scenarios, extensive form and decomposition on 1 and 2 workers,
    against one deterministic plan (issues 18 and 32)."""
    if not st or "figures" not in st:
        return []
    fig = st["figures"]
    det = fig["deterministic"]
    rows = [["deterministic plan", "1", "–", _f(det.get("wall_s"), 1), "–", "–",
             _f(det.get("peak_rss_mb"), 0), "–", "–", "–"]]
    for r in fig.get("rows", []):
        if "error" in r:
            rows.append([r["solver"], str(r["n"]), r["error"][:60], "", "", "", "", "", "",
                         ""])
            continue
        rows.append([r["solver"], str(r["n"]), str(r.get("status", "")), _f(r["wall_s"], 1),
                     f"{r['time_ratio']:.1f} ×", str(r.get("iterations", "–")),
                     _f(r["peak_rss_mb"], 0), _f(r.get("worker_peak_rss_mb"), 0),
                     _f(r.get("worker_cache_mb"), 1),
                     f"{r['gap']:.1e}" if r.get("gap") is not None else "–"])
    best = fig.get("best_10")
    goal10 = "not run" if best is None else (
        f"{best['solver']}: " + _goal(best["time_ratio"], fig["goal_10_scenarios"]))
    fifty = next((r for r in fig.get("rows", []) if r["n"] == 50
                  and r["solver"] == "decomposed-2" and "wall_s" in r), None)
    goal50 = "not run" if fifty is None else _goal(fifty["wall_s"], fig["goal_50_s"])
    return ["## 8. Scenario trees (`bench/bench_stochastic.py`, issues 18 and 32)", "",
            "Tochigi at repdays:4, stages 2027 and 2035: 3 scenarios from "
            "`sites/scenarios/tochigi_fuel.yaml`, 1, 10, 30 and 50 drawn from its ranges; "
            "each case in a fresh process (wall time from reading the plan to the solved tree, "
            "without the value measures and without writing results). Worker columns: the "
            "largest Dask worker's peak memory and subproblem cache (2 workers).", "",
            *_table(["solver", "n", "status", "wall s", "vs one plan", "iterations",
                     "peak MB", "worker peak MB", "worker cache MB", "gap"], rows), "",
            f"- Goal, 10 scenarios in ≤ {fig['goal_10_scenarios']:g} × one deterministic "
            f"plan: {goal10}",
            f"- Goal, 50 drawn scenarios on 2 workers in ≤ {fig['goal_50_s']:g} s: {goal50}",
            ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def render(res: dict[str, Any]) -> str:
    """The whole page."""
    m, cfg = res["machine"], res["config"]
    out = ["# cnplan benchmarks (issues 7, 16, 26, 27 and 31)", "",
           f"Generated by `make bench` (`bench/run_all.py`) on {m['date']}; raw figures in "
           "`bench/results.json`. Every case ran in its own process; times are medians over "
           f"repeats ({cfg['repeats']} for repdays stages, {cfg['hourly_repeats']} for hourly "
           f"stages, {cfg['pypsa_repeats']} for the PyPSA comparison, "
           f"{cfg['scaling_repeats']} for scaling), because the 2 cores may be shared with "
           "another process (load average at start: "
           f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}). "
           f"Total bench time: {res.get('total_wall_s', 0) / 60:.1f} min.", "",
           f"Machine: {m['cpu']}, {m['cpus']} CPUs, {m['platform']}. Versions: Python "
           f"{m['python']}, Pyomo {m['pyomo']}, highspy {m['highspy']}, PyPSA {m['pypsa']}, "
           f"linopy {m['linopy']}, xarray {m['xarray']}, numpy {m['numpy']}, pandas "
           f"{m['pandas']}, tsam {m['tsam']}; cnplan commit {m['git_commit']} (with the working "
           "tree's changes).", ""]
    goals: list[str] = []
    stages = res.get("stages") or []
    if stages:
        out += ["## 1. Stages of the reference plans", "",
                "repdays:12 runs the whole horizon (6 investment years, 2025-2050); `hourly` is "
                "8760 h for **one investment year (2030) only**: six hourly years do not fit "
                "the budget on this machine. Curves cold: empty `CNPLAN_CACHE_DIR`; cached: "
                "the same call again. Results = `extract` + `results.nc`/`summary.json` "
                "write; report = `render_report` (HTML + PDF). Wall = the whole process "
                "(imports included). Peak RSS = the process's `ru_maxrss`.", ""]
        cols = [("profiles_s", "profiles"), ("curves_cold_s", "curves cold"),
                ("curves_cached_s", "curves cached"), ("aggregate_s", "aggregate"),
                ("build_s", "build"), ("transfer_s", "transfer"), ("solve_s", "solve"),
                ("results_s", "results"), ("report_s", "report"), ("wall_s", "wall"),
                ("peak_rss_mb", "peak RSS MB"), ("overhead_ratio", "(build+transfer)/solve")]
        rows = []
        for r in stages:
            if "error" in r:
                rows.append([r["site"], r["resolution"], "error: " + r["error"][:80]]
                            + [""] * (len(cols) + 1))
                continue
            rows.append([r["site"], r["resolution"], str(int(r["years"])), r["status"]]
                        + [_f(r.get(k), 0 if k == "peak_rss_mb" else 2) for k, _ in cols])
        out += _table(["site", "resolution", "years", "status"]
                      + [f"{c} [s]" if k.endswith("_s") else c for k, c in cols], rows)
        out += ["", "Model size: " + "; ".join(
            f"{r['site']} {r['resolution']}: {int(r['n_vars']):,} variables, "
            f"{int(r['n_cons']):,} constraints" for r in stages if "error" not in r), ""]
        hourly = [r for r in stages if r["resolution"] == "hourly" and "error" not in r]
        worst = max((r["overhead_ratio"] for r in hourly), default=None)
        goals.append(f"Overhead (build + transfer)/solve at hourly resolution < "
                     f"{OVERHEAD_GOAL}: " + _goal(worst, OVERHEAD_GOAL) + " — " + ", ".join(
                         f"{r['site']} {r['overhead_ratio']:.3f}" for r in hourly))
    p = res.get("pypsa")
    if p:
        out += ["## 3. Side by side with PyPSA", ""]
        if "error" in p:
            out += [f"Failed: {p['error']}", ""]
        else:
            cn, ps = p["cnplan"], p["pypsa"]
            out += ["Reduced problem: one site, one investment year (2030 = base year), 8760 h, "
                    "grid import at an hourly price, PV, wind, battery (power and energy "
                    "sized apart, year-cyclic), electricity demand; identical hourly data "
                    "(seeded CSVs read by cnplan; PyPSA gets the series cnplan's model saw, "
                    f"max difference to the CSVs {p['max_input_difference']:.1e}). PyPSA "
                    "capital_cost = 1000·(capex/ä(L) + fixed O&M), ä the annuity-due factor "
                    "(cnplan's capex net of salvage for one year of span 1); grid marginal "
                    "cost = price × "
                    "hourly shape.", "",
                    f"Objective: cnplan {p['objective_cnplan']:,.4f}, PyPSA "
                    f"{p['objective_pypsa']:,.4f}, relative difference "
                    f"{p['objective_rel_diff']:.2e} ({'OK' if p['objective_ok'] else 'FAIL'} "
                    "at 1e-6). Capacities "
                    f"({'OK' if p['capacity_ok'] else 'FAIL'}, 1e-3 relative):", ""]
            out += _table(["capacity", "cnplan", "PyPSA", "difference"], [
                [k, _f(p["capacity_cnplan"].get(k), 6), _f(v, 6),
                 f"{p['capacity_diff'][k]:.2e}"] for k, v in p["capacity_pypsa"].items()])
            out += [""]
            out += _table(["", "cnplan", "PyPSA", "cnplan/PyPSA"], [
                ["wall from files to solution [s]", _f(cn["wall_s"]), _f(ps["wall_s"]),
                 _f(p["wall_ratio"])],
                ["model only [s] (cnplan build+transfer+solve+extract; PyPSA optimize)",
                 _f(cn["build_s"] + cn["transfer_s"] + cn["solve_s"] + cn["extract_s"]),
                 _f(ps["optimize_s"]), _f(p["model_wall_ratio"])],
                ["whole process incl. imports [s]", _f(cn["process_wall_s"]),
                 _f(ps["process_wall_s"]), _f(p["process_wall_ratio"])],
                ["peak RSS [MB]", _f(cn["peak_rss_mb"], 0), _f(ps["peak_rss_mb"], 0),
                 _f(p["memory_ratio"])]])
            out += ["", f"cnplan breakdown: profiles {cn['profiles_s']:.2f} s, build "
                    f"{cn['build_s']:.2f} s, transfer {cn['transfer_s']:.2f} s, solve "
                    f"{cn['solve_s']:.2f} s, extract {cn['extract_s']:.2f} s; "
                    f"{int(cn['n_vars']):,} variables, {int(cn['n_cons']):,} constraints. "
                    f"PyPSA: network {ps['network_s']:.2f} s, optimize {ps['optimize_s']:.2f} s.",
                    ""]
            goals.append(f"Wall time cnplan/PyPSA ≤ {PYPSA_GOAL}: "
                         + _goal(p["wall_ratio"], PYPSA_GOAL))
            goals.append(f"Memory cnplan/PyPSA ≤ {PYPSA_GOAL}: "
                         + _goal(p["memory_ratio"], PYPSA_GOAL))
    sc = res.get("scaling")
    if sc:
        out += ["## 4. Scaling (Tochigi)", "",
                "Exponent b of a log-log least-squares fit y ∝ xᵇ (one run per point; "
                "points shared with the tables above reuse those medians). To fit the budget: "
                "investment years at repdays:4 (1 = 2030; 3 = 2025, 2035, 2045; 6 = "
                "2025-2050; 26 = every year 2025-2050), "
                "representative days and technologies for investment year 2030 only (6 years "
                "at repdays:12 is in the stage table). Technologies: every technology of the "
                "plan copied 1×, 2×, 3× (x = technology count).", ""]
        for name, s in sc["series"].items():
            xs = s.get("x_techs") or s["x"]
            out += [f"**{name}**", ""]
            rows = []
            for x, r in zip(xs, s["rows"], strict=True):
                if "error" in r:
                    rows.append([str(x), "error: " + r["error"][:60], "", "", "", "", ""])
                    continue
                rows.append([f"{x:g}", f"{int(r['n_vars']):,}", _f(r["build_s"]),
                             _f(r["transfer_s"]), _f(r["solve_s"]), _f(r["peak_rss_mb"], 0),
                             r.get("status", "")])
            e = s["exponent"]
            rows.append(["exponent", _f(e["n_vars"]), _f(e["build_s"]), _f(e["transfer_s"]),
                         _f(e["solve_s"]), _f(e["peak_rss_mb"]), ""])
            out += _table(["x", "variables", "build [s]", "transfer [s]", "solve [s]",
                           "peak RSS MB", "status"], rows) + [""]
    for ag in res.get("aggregation") or []:
        site = str(ag.get("site", "tochigi")).capitalize()
        out += [f"## 5. Aggregation error ({site}, investment year 2030 only)", ""]
        if "error" in ag:
            out += [f"Failed: {ag['error']}", ""]
            continue
        rows = [["objective", _f(ag["objective"]["hourly"], 0),
                 _f(ag["objective"]["repdays12"], 0),
                 f"{100 * ag['objective']['rel_error']:.2f} %"],
                ["net emissions 2030 [t]", _f(ag["net_emissions_2030"]["hourly"], 1),
                 _f(ag["net_emissions_2030"]["repdays12"], 1),
                 f"{100 * ag['net_emissions_2030']['rel_error']:.2f} %"]]
        rows += [[k.replace("_mwh", " [MWh]").replace("_mw", " [MW]").replace("_", " "),
                  _f(v["hourly"], 1), _f(v["repdays12"], 1),
                  f"{100 * (v['repdays12'] - v['hourly']) / abs(v['hourly']):+.2f} %"
                  if v["hourly"] else "–"] for k, v in (ag.get("flows") or {}).items()]
        rows += [[f"capacity {k}", _f(v["hourly"], 3), _f(v["repdays12"], 3),
                  f"{100 * v['rel_error']:.2f} %"] for k, v in ag["capacity"].items()]
        out += _table(["quantity", "hourly", "repdays:12", "error"], rows) + [""]
        worst = max(ag["capacity"].items(), key=lambda kv: kv[1]["rel_error"],
                    default=("-", {"rel_error": 0.0}))
        goals.append(f"Aggregation error ≤ 1 % ({site}): objective " + _goal(
            ag["objective"]["rel_error"], AGGREGATION_GOAL) + "; emissions " + _goal(
            ag["net_emissions_2030"]["rel_error"], AGGREGATION_GOAL)
            + f"; worst capacity ({worst[0]}) " + _goal(worst[1]["rel_error"],
                                                         AGGREGATION_GOAL))
    for key, title in (("sweep", "## 6. Sweep (`bench/bench_sweep.py`)"),
                       ("sofc", "## 7. SOFC twin (`bench/bench_sofc.py`)")):
        s = res.get(key)
        if s:
            out += [title, "", f"Exit code {s['returncode']}, {s['wall_s']:.1f} s.", "",
                    "```", s["stdout"].strip() or s["stderr_tail"], "```", ""]
    out += stochastic_section(res.get("stochastic"))
    prof = res.get("profile")
    if prof:
        out += [f"## Profile: {prof['site']} {prof['resolution']} (2030), build to extract",
                "", "cProfile, top functions by own time (the solve is inside HiGHS: "
                "`highspy` `run`).", "", "```", str(prof["top"]), "```", ""]
    notes = Path(__file__).resolve().parent / "NOTES.md"
    if notes.exists():  # what dominates and what was done: written by hand after a run
        out += [notes.read_text(encoding="utf-8").strip(), ""]
    out[2:2] = (fleet_section(res.get("fleet")) + issue27_goals(res.get("adequacy"))
                + issue26_goals(res.get("engine"))
                + ["## Goals", ""]
                + [f"- {g}" for g in goals] + [""] + issue16_goals(res))
    return "\n".join(out) + "\n"


def fleet_section(fleet: dict[str, Any] | None) -> list[str]:
    """The section of bench_fleet.py (issue 31), when it ran."""
    if not fleet:
        return []
    if "error" in fleet:
        return ["## Fleet (issue 31)", "", f"bench_fleet.py failed: {fleet['error']}", ""]
    from bench_fleet import markdown

    return markdown(fleet)


def issue27_goals(adequacy: dict[str, Any] | None) -> list[str]:
    """The section of bench_adequacy.py (issue 27), when it ran."""
    if not adequacy:
        return []
    if "error" in adequacy:
        return ["## Issue 27 goals", "", f"bench_adequacy.py failed: {adequacy['error']}", ""]
    from bench_adequacy import markdown

    text = markdown(adequacy).splitlines()
    when = (f"Measured on {adequacy.get('date', '?')} (load average at start: "
            f"{adequacy.get('load_average', '?')}).")
    return [*text[:2], when, "", *text[2:], ""]


def issue26_goals(engine: dict[str, Any] | None) -> list[str]:
    """Each goal of issue 26 (the engine) as met or missed, from ``bench/bench_engine.py``."""
    if not engine:
        return []
    out = ["## Issue 26 goals (the engine)", "",
           f"Measured by `bench/bench_engine.py` on {engine.get('date', '?')}, one case after "
           "the other, each in its own process (load average at start: "
           f"{engine.get('load_average', '?')})."
           + (f" Re-measured: {engine['remeasured']}." if engine.get("remeasured") else ""),
           ""]
    sc = engine.get("scale") or {}
    if "old" in sc:
        o, n = sc["old"], sc["new"]
        out.append(f"- 1. Well-scaled LP, Tochigi repdays:12: costs {o['cost_min']:.0e}-"
                   f"{o['cost_max']:.0e} → {n['cost_min']:.0e}-{n['cost_max']:.0e} (HiGHS "
                   f"warns below 1e-4: {'yes' if o['warns'] else 'no'} → "
                   f"{'yes' if n['warns'] else 'no'}); dual simplex {o['iterations']:,} → "
                   f"{n['iterations']:,} iterations, {o['solve_s']:.1f} → {n['solve_s']:.1f} s; "
                   f"objective moved {sc['objective_rel_diff']:.1e} relative.")
    hy = engine.get("hourly_year") or {}
    if "solve_s" in hy:
        out.append("- 1./4. Sunderland, one hourly planning year (2030), ≤ 120 s of HiGHS: "
                   + _goal(hy["solve_s"], 120.0) + f" — method {hy['method']} on "
                   f"{hy['columns']:,} columns, build {hy['build_s']:.1f} s, transfer "
                   f"{hy['transfer_s']:.1f} s.")
    for r in (engine.get("verify") or {}).get("rows", []):
        if "ratio" in r:
            out.append(f"- 2. `--verify` of {r['site']} ≤ 0.5 × the planning solve: "
                       + _goal(r["ratio"], 0.5) + f" — verification {r['verify_s']:.1f} s, "
                       f"planning solve {r['solve_s']:.1f} s.")
    hz = engine.get("horizon") or {}
    if "wall_s" in hz:
        done = hz["status"] == "optimal"
        out.append("- 3. Tochigi 2027-2050 hourly (decomposed by year) within 15 min: "
                   + ("**met**" if done and hz["wall_s"] <= 900 else "**missed**")
                   + f" ({hz['wall_s']:.0f} s, status {hz['status']}, gap {hz['gap']:.1e} "
                   f"after {hz['iterations']} iterations); within 4 GB: "
                   + _goal(hz["peak_rss_mb"] / 1000.0, 4.0) + " GB (all its processes).")
    im = engine.get("imports") or {}
    if "import_cnplan_cli_s" in im:
        out.append("- 4. Imports of `cnplan --help`/`validate` ≤ 1 s: "
                   + _goal(im["validate_imports_s"], 1.0) + f" (`import cnplan.cli` "
                   f"{im['import_cnplan_cli_s']:.2f} s).")
    mp = engine.get("make_plan") or {}
    if "wall_s" in mp:
        out.append("- 5. `make plan` ≤ 3 min: " + _goal(mp["wall_s"] / 60.0, 3.0)
                   + f" min (exit {mp['returncode']}).")
    return out + [""]
