"""``cnplan fleet FLEET.yaml``: a company's plants under corporate targets."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from cnplan.cli_common import check_out_folder, err, fail, invalid_file, out
from cnplan.exitcodes import (
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_TARGETS_MISSED,
)
from cnplan.outputs import OutputNotWrittenError, OutputRefusedError
from plant.errors import PlanError

LABELS = {"build": "building the plants' models", "solve": "solving the fleet (HiGHS)",
          "diagnose": "targets infeasible: re-solving with priced slack",
          "extract": "extracting results", "cluster": "starting the Dask cluster",
          "rounds": "pricing rounds"}


def _read(path: Path) -> Any:
    from plant.fleet import read_fleet

    try:
        fleet = read_fleet(path)
    except PlanError as exc:
        invalid_file(path, "fleet", exc)
    for warning in fleet.warnings:
        err.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    return fleet


def default_workers(plants: int) -> int:
    """Local Dask workers by default: one per plant, at most the machine's cores."""
    return max(1, min(plants, os.cpu_count() or 1))


def run_fleet_command(path: Path, out_dir: Path | None, resolution: str, method: str,
                      workers: int | None, scheduler: str | None, verify: bool,
                      flexibility: bool, report: bool, overwrite: bool,
                      time_limit: float | None, gap: float, jobs: int) -> None:
    """Plan the fleet, write its folder and reports, print the headline; exit as ``plan``."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cnplan.fleets import verify_plants, write_fleet_outputs
    from optimiser import Resolution
    from optimiser.fleet import METHODS, run_fleet
    from optimiser.run.cluster import dask_client

    fleet = _read(path)
    if method not in METHODS:
        fail(f"--method: '{method}' is not one of {', '.join(METHODS)}")
    try:
        Resolution.parse(resolution)
    except ValueError as exc:
        fail(f"--resolution: {exc}")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        fail(f"--scheduler: expected an address such as tcp://HOST:8786, got {scheduler!r}")
    slug = "".join(c if c.isalnum() else "-" for c in fleet.fleet.name.lower())
    out_dir = out_dir or Path("out") / f"fleet_{slug}"
    check_out_folder(out_dir, overwrite, [path, *(p.file for p in fleet.plants.values())])

    sbti = [n for n, p in fleet.plants.items() if p.plan.accounting.target_mode == "sbti_v2"]
    if verify and sbti:
        fail(f"--verify: plant {sbti[0]!r} counts its targets by SBTi v2 (accounting."
              "target_mode), while the corporate targets count scopes as the fleet file "
              "lists them; its share cannot be checked hour by hour under both rules: plan "
              "without --verify, or give the plan target_mode: company")
    n = workers if workers is not None else default_workers(len(fleet.plants))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("starting")

        def stage(name: str, what: str = "") -> None:
            step = name.split(":")[0]
            text = LABELS.get(step, step) + (f" ({name.split(':')[1]})" if ":" in name else "")
            bar.update(task, description=f"{what}{text}")

        def progress(h: dict[str, float], what: str = "") -> None:
            bar.update(task, description=f"{what}round {int(h['round'])}: gap "
                       f"{h['gap']:.1e}, {int(h['columns_added'])} plants answered anew")

        try:
            with contextlib.ExitStack() as stack:
                client = None
                if method == "decomposed" and (scheduler is not None or n > 1):
                    stage("cluster")
                    client = stack.enter_context(dask_client(n, scheduler))
                run = run_fleet(fleet, resolution, method, n, scheduler, time_limit, gap,
                                stage, progress, client)
                other = None
                if flexibility and run.feasible:
                    mode = "drop" if fleet.fleet.plant_targets == "keep" else "keep"
                    what = f"plant targets {mode}: "
                    other = run_fleet(fleet.with_plant_targets(mode), resolution, method, n,
                                      scheduler, time_limit, gap, lambda s: stage(s, what),
                                      lambda h: progress(h, what), client)
            if run.status == "mixed_integer":
                fail("--method decomposed: " + "; ".join(run.diagnosis))
            if not run.feasible:
                fail(f"no fleet plan found ({run.status}): " + "; ".join(run.diagnosis),
                      EXIT_NO_PLAN)
            if verify:
                bar.update(task, description="verifying each plant hour by hour")
                verify_plants(fleet, run, jobs=jobs, time_limit=time_limit)
            bar.update(task, description="writing results")
            summ = write_fleet_outputs(fleet, run, out_dir, resolution, overwrite=overwrite,
                                       other=other)
            if report:
                bar.update(task, description="rendering the reports (HTML, PDF)")
                _reports(out_dir, list(run.plants))
        except KeyboardInterrupt:
            err.print(f"interrupted: nothing was written to {out_dir}; run the same command "
                      "again", markup=False, highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OutputNotWrittenError as exc:
            fail(str(exc), exc.exit_code)
        except OutputRefusedError as exc:
            fail(str(exc))
    _headline(summ, out_dir, report)
    if summ["status"] in ("targets_missed", "demand_not_met"):
        raise typer.Exit(EXIT_TARGETS_MISSED)


def _reports(out_dir: Path, plants: list[str]) -> None:
    from cnplan.report import render_report
    from cnplan.report.fleet import render_fleet_report

    for name in plants:
        render_report(out_dir / "plants" / name)
    render_fleet_report(out_dir)


def _headline(summ: dict[str, Any], out_dir: Path, report: bool) -> None:
    from cnplan.report.formatting import money

    cur = summ["currency"]
    out.print(f"{summ['name']}: {summ['status']}, net present cost "
              f"{money(summ['fleet']['net_present_cost'], cur)} "
              f"({len(summ['plants'])} plants, {summ['resolution']})", highlight=False,
              markup=False)
    for name, p in summ["plants"].items():
        npc = p["net_present_cost"]
        out.print(f"  {name}: {money(npc['plant_currency'], p['currency'])} "
                  f"({money(npc['reporting'], cur)})", highlight=False, markup=False)
    for t in summ["targets"]:
        state = "met" if t["met"] else f"missed in {', '.join(map(str, t['missed_in']))}"
        out.print(f"  corporate target '{t['name']}': {state}", highlight=False, markup=False)
    for y, price in summ["corporate_carbon_price"].items():
        if price is not None and price["high"] > 1e-6:
            out.print(f"  corporate carbon price {y}: {money(price['low'], cur)}-"
                      f"{money(price['high'], cur)}/t CO2e", highlight=False, markup=False)
    flex = summ.get("flexibility")
    if flex and flex["value"] is not None:
        what = flex["note"] or "value of flexibility (plant targets dropped)"
        out.print(f"  {what}: {money(flex['value'], cur)}", highlight=False, markup=False)
    elif flex:
        out.print(f"  {flex['note']}", highlight=False, markup=False)
    checked = summ.get("verification")
    if checked is not None:
        word = "every plant within its share" if checked["status"] == "ok" else (
            "short: see summary.json verification")
        out.print(f"  hour by hour: {money(checked['net_present_cost'], cur)}, {word}",
                  highlight=False, markup=False)
    d = summ["decomposition"]
    if d["method"] == "decomposed":
        gap = "n/a (a target is missed)" if d["gap"] is None else f"{d['gap']:.1e}"
        out.print(f"  decomposed: {d['iterations']} rounds, gap {gap}, {d['workers']} "
                  "workers", highlight=False, markup=False)
    for line in summ["diagnosis"]:
        out.print(f"  {line}", highlight=False, markup=False)
    out.print(f"  results: {out_dir}/summary.json, {out_dir}/plants/", highlight=False,
              markup=False)
    if report:
        out.print(f"  report: {out_dir}/report.html, {out_dir}/report.pdf", highlight=False,
                  markup=False)
