"""Issue 31: how a fleet scales, monolithic against decomposed (not a test;
``python bench/bench_fleet.py [--sizes 5 10 15 20] [--timeout 2400]``).

Runs ``cnplan fleet FLEET.yaml --no-report --no-flexibility --resolution repdays:4
--overwrite`` in a child process for

* the reference fleet (``sites/fleet/nissan.yaml``, 3 plants): monolithic, decomposed on 1
  worker (in process) and on 2 Dask workers;
* synthetic fleets of 5, 10, 15 and 20 plants (``bench/fleet_synth.py``: scaled copies of the
  reference plants): monolithic and decomposed on 2 workers, and on 1 worker at 10 plants.

The cases of one fleet run back to back (the machine's 2 cores are shared: the load average
at each case's start is kept). For each: wall time of the process, peak memory (the sum of
the resident set sizes over the process tree, Dask workers included, sampled with psutil
every ``SAMPLE_S``; without psutil, ``/usr/bin/time -v``'s maximum RSS of the largest
process), the fleet's net present cost, rounds and gap, the decomposed cost's difference
from the monolithic one, and where the decomposed time goes (:func:`breakdown`). A case that
outlives ``--timeout`` is killed with its process group and recorded as timed out.

Writes ``bench/fleet.json``, and unless ``--no-results`` merges it into
``bench/results.json`` as ``fleet`` and rewrites ``bench/RESULTS.md`` (section "Fleet (issue
31)", :func:`markdown`). Goal: decomposed on 2 workers ≤ 0.7 × monolithic at 10 plants.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from fleet_synth import REFERENCE_FLEET, check_fleet, write_fleet  # noqa: E402

RESOLUTION = "repdays:4"
SIZES = (5, 10, 15, 20)
GOAL_PLANTS, GOAL_RATIO = 10, 0.7
SAMPLE_S = 0.2
#: (method, workers) of every fleet; the extra one at the goal's size
PAIR = (("monolithic", 1), ("decomposed", 2))
REFERENCE_CASES = (("monolithic", 1), ("decomposed", 1), ("decomposed", 2))
GOAL_EXTRA = (("decomposed", 1),)


# --- running one case ---------------------------------------------------------------------

def fleet_command(fleet: Path, out: Path, method: str, workers: int) -> list[str]:
    """The ``cnplan fleet`` command line of one case."""
    cmd = [sys.executable, "-m", "cnplan.cli", "fleet", str(fleet), "--out", str(out),
           "--method", method, "--resolution", RESOLUTION, "--no-report", "--no-flexibility",
           "--overwrite"]
    return cmd + (["--workers", str(workers)] if method == "decomposed" else [])


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int):
        import psutil

        self._root = psutil.Process(pid)
        self.peak_mb = self.largest_mb = 0.0
        self.processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return
        rss = []
        for p in procs:
            try:
                rss.append(p.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        if rss:
            self.peak_mb = max(self.peak_mb, sum(rss))
            self.largest_mb = max(self.largest_mb, max(rss))
            self.processes = max(self.processes, len(rss))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(SAMPLE_S)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def run_process(cmd: list[str], timeout: float) -> dict[str, Any]:
    """Run ``cmd`` in its own process group; wall time, exit code, stderr tail, peak memory.

    On timeout the whole group (Dask workers too) is killed.
    """
    psutil_ok = _has_psutil()
    if not psutil_ok:
        cmd = ["/usr/bin/time", "-v", *cmd]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    memory = TreeMemory(proc.pid) if psutil_ok else None
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    row = {"wall_s": wall, "returncode": proc.returncode, "timed_out": timed_out,
           "stdout": out.strip()[-1500:],
           "stderr_tail": "\n".join(err.strip().splitlines()[-8:])}
    if memory is not None:
        memory.stop()
        row.update(peak_mb=memory.peak_mb, largest_process_mb=memory.largest_mb,
                   processes=memory.processes, memory_by="psutil: sum of RSS over the tree")
    else:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        row.update(peak_mb=int(found.group(1)) / 1024 if found else None,
                   memory_by="/usr/bin/time -v: max RSS of the largest process")
    return row


def read_outputs(out: Path) -> dict[str, Any]:
    """The figures of a finished run folder: the fleet's and each plant's timings."""
    summ = json.loads((out / "summary.json").read_text())
    dec = summ["decomposition"]
    plants = {}
    for name in summ["plants"]:
        path = out / "plants" / name / "summary.json"
        plants[name] = json.loads(path.read_text()).get("timings", {}) if path.exists() else {}
    return {"status": summ["status"], "npc": summ["fleet"]["net_present_cost"],
            "bound": summ["fleet"]["bound"], "currency": summ["currency"],
            "iterations": dec["iterations"], "gap": dec["gap"], "workers": dec["workers"],
            "rounds": dec["rounds"], "timings": summ["timings"], "plant_timings": plants}


def run_case(fleet: Path, label: str, plants: int, method: str, workers: int,
             tmp: Path, timeout: float) -> dict[str, Any]:
    """One case: run it, read its folder, then delete the folder."""
    out = tmp / f"{label}_{method}_{workers}"
    row: dict[str, Any] = {"fleet": label, "plants": plants, "method": method,
                           "workers": workers, "load_average": list(os.getloadavg()),
                           "started": time.strftime("%H:%M:%S")}
    _log(f"{label} ({plants} plants), {method}, {workers} worker(s); load "
         f"{row['load_average'][0]:.2f}")
    row.update(run_process(fleet_command(fleet, out, method, workers), timeout))
    if (out / "summary.json").exists():
        row.update(read_outputs(out))
        if method == "decomposed":
            row["breakdown"] = breakdown(row, list(row["plant_timings"]), workers)
    elif not row["timed_out"]:
        row["error"] = (f"killed by signal {-row['returncode']} (not by the benchmark)"
                        if row["returncode"] < 0 else
                        row["stderr_tail"].splitlines()[-1] if row["stderr_tail"] else
                        f"exit {row['returncode']}")
    shutil.rmtree(out, ignore_errors=True)
    _log(f"  {row['wall_s']:.0f} s, peak {row.get('peak_mb') or 0:.0f} MB, "
         f"{'timed out' if row['timed_out'] else row.get('status', row.get('error'))}")
    return row


# --- where the decomposed time goes -------------------------------------------------------

def _per_worker_max(plant_timings: dict[str, dict[str, float]], names: list[str], key: str,
                    workers: int) -> float:
    """The longest sum of ``key`` over one worker's plants (plants go round-robin in the
    fleet file's order, ``optimiser/fleet/pools.py``; one worker: all of them in turn)."""
    sums = [0.0] * max(workers, 1)
    for i, name in enumerate(names):
        sums[i % len(sums)] += plant_timings[name].get(key, 0.0)
    return max(sums)


def breakdown(row: dict[str, Any], names: list[str], workers: int) -> dict[str, float]:
    """A decomposed run's time by phase [s].

    ``build``: each worker builds its plants in turn (profiles, curves, aggregation, model:
    the plants' ``setup_s``), the longest worker; ``cold``: their first solves alone
    (``solve_s`` + ``transfer_s``), the longest worker; ``rounds``: the pricing rounds (the
    summary's ``decomposition.rounds`` seconds); ``finish``: each plant solved at its share;
    ``other``: the rest of the fleet run (Dask cluster start, actors, master LPs, pickling);
    ``outside``: the process outside the fleet run (imports, reading the plans, writing the
    folder).
    """
    pt = row["plant_timings"]
    build = _per_worker_max(pt, names, "setup_s", workers)
    cold = (_per_worker_max(pt, names, "solve_s", workers)
            + _per_worker_max(pt, names, "transfer_s", workers))
    rounds = sum(r["seconds"] for r in row["rounds"])
    finish = row["timings"].get("finish_s", 0.0)
    total = row["timings"].get("total_s", 0.0)
    return {"build_s": build, "cold_s": cold, "rounds_s": rounds, "finish_s": finish,
            "other_s": total - build - cold - rounds - finish, "fleet_run_s": total,
            "outside_s": row["wall_s"] - total,
            "price_s_sum": sum(t.get("price_s", 0.0) for t in pt.values())}


_DASK_PROBE = """
import json, time
from optimiser.run.cluster import dask_client
t = time.perf_counter()
with dask_client(2, None) as client:
    up = time.perf_counter()
    client.run(lambda: __import__("optimiser.fleet.pricer"))
    imported = time.perf_counter()
closed = time.perf_counter()
print(json.dumps({"start_s": up - t, "imports_s": imported - up, "close_s": closed - imported}))
"""


def dask_overhead(repeats: int = 2) -> dict[str, float] | None:
    """What Dask costs ``cnplan fleet`` besides the plants, each in a fresh process (the
    medians of ``repeats``): starting a local cluster of 2 workers as
    ``optimiser.fleet.pools.dask_client`` does, importing the pricer's modules on its workers
    (an actor's first use does that), and closing it."""
    runs = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-c", _DASK_PROBE], cwd=ROOT,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        except (IndexError, ValueError):
            return None
    return {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in runs[0]}


# --- the fleets and the comparison -------------------------------------------------------

def fleets(sizes: list[int], tmp: Path, reference: bool) -> list[tuple[str, int, Path, tuple]]:
    """(label, plants, fleet file, cases) of every fleet to run, the synthetic ones written
    and checked."""
    out: list[tuple[str, int, Path, tuple]] = []
    if reference:
        out.append(("reference", 3, REFERENCE_FLEET, REFERENCE_CASES))
    for n in sizes:
        path = write_fleet(n, tmp / "fleets" / f"n{n}")
        check_fleet(path)
        out.append((f"synthetic {n}", n, path, PAIR + (GOAL_EXTRA if n == GOAL_PLANTS else ())))
    return out


def _solved(row: dict[str, Any]) -> bool:
    return not row["timed_out"] and row.get("npc") is not None


def compare(rows: list[dict[str, Any]]) -> None:
    """Each decomposed row's time and cost against the monolithic run of its fleet; against a
    monolithic run that timed out, ``time_ratio_at_most`` (its wall is a lower bound)."""
    mono = {r["fleet"]: r for r in rows if r["method"] == "monolithic"}
    for r in rows:
        for key in ("time_ratio", "time_ratio_at_most", "npc_rel_diff"):
            r.pop(key, None)
        m = mono.get(r["fleet"])
        if r["method"] != "decomposed" or m is None or not _solved(r):
            continue
        if _solved(m):
            r["time_ratio"] = r["wall_s"] / m["wall_s"]
            r["npc_rel_diff"] = (r["npc"] - m["npc"]) / abs(m["npc"])
        elif m["timed_out"]:
            r["time_ratio_at_most"] = r["wall_s"] / m["wall_s"]


def goal(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The goal's verdict: decomposed on 2 workers ≤ 0.7 × monolithic at 10 plants."""
    found = [r for r in rows if r["plants"] == GOAL_PLANTS and r["method"] == "decomposed"
             and r["workers"] == 2]
    ratio = found[0].get("time_ratio") if found else None
    return {"plants": GOAL_PLANTS, "ratio_goal": GOAL_RATIO, "ratio": ratio,
            "met": None if ratio is None else ratio <= GOAL_RATIO}


# --- Markdown ----------------------------------------------------------------------------

def _f(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _case_row(r: dict[str, Any]) -> str:
    what = (f"timed out after {r['wall_s']:.0f} s" if r["timed_out"] else
            r.get("status") or f"error: {r.get('error', '')}")
    how = "monolithic" if r["method"] == "monolithic" else f"decomposed, {r['workers']} w"
    npc = f"{r['npc'] / 1e6:,.3f}" if r.get("npc") is not None else "–"
    gap = f"{r['gap']:.1e}" if r.get("gap") is not None else "–"
    diff = f"{100 * r['npc_rel_diff']:+.1e} %" if r.get("npc_rel_diff") is not None else "–"
    ratio = (f"{r['time_ratio']:.2f}" if r.get("time_ratio") is not None else
             f"< {r['time_ratio_at_most']:.2f}" if r.get("time_ratio_at_most") else "–")
    return (f"| {r['fleet']} | {r['plants']} | {how} | {what[:60]} | {_f(r['wall_s'])} | "
            f"{ratio} | {_f(r.get('peak_mb'), 0)} | {_f(r.get('largest_process_mb'), 0)} | "
            f"{npc} | {r.get('iterations', '–')} | {gap} | {diff} | "
            f"{r['load_average'][0]:.2f} |")


def _breakdown_row(r: dict[str, Any]) -> str:
    b = r["breakdown"]
    return (f"| {r['fleet']} | {r['workers']} | {_f(r['wall_s'])} | {_f(b['outside_s'])} | "
            f"{_f(b['build_s'])} | {_f(b['cold_s'])} | {_f(b['rounds_s'])} "
            f"({r['iterations']}) | {_f(b['finish_s'])} | {_f(b['other_s'])} | "
            f"{_f(b['price_s_sum'])} |")


def _reruns(reruns: list[dict[str, Any]] | None) -> str:
    return "".join(f" Run again on {r['date']} (load average at start "
                   f"{', '.join(f'{x:.2f}' for x in r['load_average_at_start'])}): "
                   f"{', '.join(r['fleets'])}." for r in reruns or [])


def _dask_line(dask: dict[str, float] | None) -> str:
    if not dask:
        return ""
    return (f"Measured apart (`dask_overhead`): a local 2-worker Dask cluster starts in "
            f"{dask['start_s']:.1f} s, its workers import the pricer's modules in "
            f"{dask['imports_s']:.1f} s, it closes in {dask['close_s']:.1f} s.")


def markdown(res: dict[str, Any]) -> list[str]:
    """The section "Fleet (issue 31)" of bench/RESULTS.md, as lines."""
    rows, g = res["rows"], res["goal"]
    verdict = ("not measured" if g["ratio"] is None else
               f"{'met' if g['met'] else 'missed'} (ratio {g['ratio']:.2f})")
    memory_by = next((r["memory_by"] for r in rows if "memory_by" in r), "?")
    out = ["## Fleet (issue 31)", "",
           f"`bench/bench_fleet.py` on {res['date']} (commit {res.get('git_commit', '?')}): "
           f"`cnplan fleet FLEET --no-report --no-flexibility --resolution {RESOLUTION}`, "
           "each case in its own process, the cases of one fleet back to back; load average "
           f"at start {', '.join(f'{x:.2f}' for x in res['load_average_at_start'])} on "
           f"{res['cpus']} CPUs (per case: last column). Synthetic fleets: copies of the three "
           "reference plants in turn, demand, grid and fuel prices each scaled by a factor in "
           "0.7-1.3 (seed 31, `bench/fleet_synth.py`). Wall: the whole process. Peak memory: "
           f"{memory_by} (Dask's nanny and worker processes included; `largest` = the "
           f"largest single process). NPC in millions of {res.get('currency', 'USD')}; "
           "Δ NPC = decomposed against monolithic; time ratio = decomposed wall / "
           "monolithic wall (`< x`: the monolithic run timed out). Timeout per case: "
           f"{res['timeout_s']:.0f} s." + _reruns(res.get("reruns")), "",
           "| fleet | plants | method | status | wall s | × mono | peak MB | largest MB | "
           "NPC m | rounds | gap | Δ NPC | load |",
           "|" + "---|" * 13]
    out += [_case_row(r) for r in rows]
    out += ["", f"- Goal, decomposed on 2 workers ≤ {GOAL_RATIO:g} × monolithic at "
            f"{GOAL_PLANTS} plants: **{verdict}**", ""]
    dec = [r for r in rows if "breakdown" in r]
    if dec:
        out += ["Where the decomposed time goes [s] (`breakdown` in bench/bench_fleet.py: "
                "build and cold solves are the longest worker's sum of its plants' "
                "`setup_s` and `solve_s`+`transfer_s`; rounds from `decomposition.rounds`; "
                "other = the fleet run's rest: Dask cluster start, actors, master LPs, "
                "pickling; outside = imports, reading the plans, writing the folder; "
                "Σ price = every plant's pricing solves added up). " + _dask_line(res.get("dask")),
                "",
                "| fleet | workers | wall | outside | build | cold solves | rounds (n) | "
                "finish | other | Σ price |", "|" + "---|" * 10]
        out += [_breakdown_row(r) for r in dec]
        out += [""]
    return out


# --- main ---------------------------------------------------------------------------------

def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def wait_for_calm(load: float, most_s: float) -> float:
    """Wait until the 1-minute load average is below ``load``, at most ``most_s``; the
    seconds waited (the machine is shared: a fleet's cases should see the same load)."""
    start = time.perf_counter()
    while os.getloadavg()[0] >= load and time.perf_counter() - start < most_s:
        time.sleep(10)
    return time.perf_counter() - start


def run_all(sizes: list[int], timeout: float, reference: bool, calm: float = 99.0,
            calm_wait: float = 0.0) -> dict[str, Any]:
    """Every case; the figures with the machine's facts."""
    sys.path.insert(0, str(BENCH))
    from _common import machine

    m = machine()
    res: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "load_average_at_start": list(os.getloadavg()),
                           "cpus": os.cpu_count(), "git_commit": m.get("git_commit"),
                           "resolution": RESOLUTION, "timeout_s": timeout}
    res["dask"] = dask_overhead()
    tmp = Path(tempfile.mkdtemp(prefix="bench_fleet."))
    rows: list[dict[str, Any]] = []
    try:
        for label, n, path, cases in fleets(sizes, tmp, reference):
            waited = wait_for_calm(calm, calm_wait)
            if waited > 1:
                _log(f"waited {waited:.0f} s for the load average to fall below {calm:g}")
            for method, workers in cases:
                rows.append(run_case(path, label, n, method, workers, tmp, timeout))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    compare(rows)
    res.update(rows=rows, goal=goal(rows),
               currency=next((r["currency"] for r in rows if "currency" in r), "USD"))
    return res


def merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` figures with the cases ``new`` ran again replaced (each fleet's cases stay
    together); ``reruns`` says when and under which load."""
    def key(r: dict[str, Any]) -> tuple[str, str, int]:
        return (r["fleet"], r["method"], r["workers"])

    again = {key(r): r for r in new["rows"]}
    rows = [again.pop(key(r), r) for r in old["rows"]] + list(again.values())
    rows.sort(key=lambda r: r["plants"])
    compare(rows)
    rerun = {k: new[k] for k in ("date", "load_average_at_start", "git_commit")}
    rerun["fleets"] = sorted({r["fleet"] for r in new["rows"]})
    return {**old, "rows": rows, "goal": goal(rows),
            "reruns": [*old.get("reruns", []), rerun]}


def write_results(res: dict[str, Any]) -> None:
    """Merge the figures into bench/results.json as ``fleet`` and rewrite bench/RESULTS.md."""
    from report_md import render

    path = BENCH / "results.json"
    all_res = json.loads(path.read_text()) if path.exists() else {}
    all_res["fleet"] = res
    path.write_text(json.dumps(all_res, indent=2, default=str))
    (BENCH / "RESULTS.md").write_text(render(all_res), encoding="utf-8")


def main() -> None:
    """Run the benchmark (module docstring), print the section, write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--timeout", type=float, default=2400.0,
                        help="seconds a case may take before it is killed")
    parser.add_argument("--calm", type=float, default=1.5,
                        help="before each fleet, wait for the 1-min load average to fall "
                        "below this ...")
    parser.add_argument("--calm-wait", type=float, default=600.0,
                        help="... for at most this many seconds")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip the reference fleet")
    parser.add_argument("--no-results", action="store_true",
                        help="write bench/fleet.json only (run_all.py merges it)")
    parser.add_argument("--merge", action="store_true",
                        help="keep bench/fleet.json's other cases, replace those run again")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite results.json's fleet and RESULTS.md from bench/fleet.json")
    args = parser.parse_args()
    if args.render_only:
        res = json.loads((BENCH / "fleet.json").read_text())
    else:
        res = run_all(args.sizes, args.timeout, not args.no_reference, args.calm,
                      args.calm_wait)
        if args.merge and (BENCH / "fleet.json").exists():
            res = merged(json.loads((BENCH / "fleet.json").read_text()), res)
        (BENCH / "fleet.json").write_text(json.dumps(res, indent=2, default=str))
    if not args.no_results:
        write_results(res)
    print("\n".join(markdown(res)))


if __name__ == "__main__":
    main()
