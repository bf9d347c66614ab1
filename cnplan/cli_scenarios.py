"""``cnplan plan SITE.yaml --scenarios SCEN.yaml``: the stochastic plan from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from cnplan.cli_common import check_out_folder, err, fail, invalid_file, out
from cnplan.exitcodes import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TARGETS_MISSED,
    EXIT_WRITE_FAILED,
)
from cnplan.outputs import OutputNotWrittenError
from plant.errors import PlanError
from plant.loaded import LoadedPlan


def _read_tree(loaded: LoadedPlan, file: Path, max_scenarios: int) -> Any:
    from plant.scenarios import read_scenarios

    try:
        return read_scenarios(file, loaded.plan, max_scenarios)
    except PlanError as exc:
        invalid_file(file, "scenario file", exc)


@dataclass(frozen=True)
class Solving:
    """How a tree is solved: ``extensive`` or ``decomposed`` (on ``workers`` local processes
    or the cluster at ``scheduler``, to the relative ``gap``)."""

    solver: str = "extensive"
    workers: int = 1
    scheduler: str | None = None
    gap: float = 1e-4


SOLVERS = ("extensive", "decomposed")


def plan_scenarios(loaded: LoadedPlan, file: Path, out_dir: Path | None, resolution: str, *,
                   time_limit: float | None, overwrite: bool, report: bool,
                   metrics: bool, max_scenarios: int, solving: Solving = Solving()) -> None:
    """Solve the scenario tree of ``file`` on ``loaded``, write the folder and the report
    (a file of more than ``max_scenarios`` scenarios is refused before any is built)."""
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cnplan.hedged import run_tree, write_stochastic_outputs
    from cnplan.runs import default_out_dir
    from optimiser import Resolution
    from optimiser.decompose import DecompositionError
    from optimiser.stochastic.tree import StochasticError

    if solving.solver not in SOLVERS:
        err.print(f"[bold red]error:[/] --solver must be one of {', '.join(SOLVERS)}, got "
                  f"{solving.solver!r}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    if solving.solver == "extensive" and (solving.workers != 1 or solving.scheduler):
        err.print("[bold red]error:[/] --workers and --scheduler need --solver decomposed "
                  "(the extensive form is one LP in this process)", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    tree = _read_tree(loaded, file, max_scenarios)
    out_dir = out_dir or Path(f"{default_out_dir(loaded)}_{file.stem}")
    try:
        res = Resolution.parse(resolution)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] --resolution: {exc}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    check_out_folder(out_dir, overwrite, [loaded.file, file])
    start = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"{len(tree.scenarios)} scenarios")
        try:
            assessment = run_tree(loaded, tree, res, time_limit=time_limit, metrics=metrics,
                                  stage=lambda s: bar.update(task, description=s),
                                  solving=solving)
        except KeyboardInterrupt:
            err.print(f"interrupted: nothing was written to {out_dir}", markup=False,
                      highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except StochasticError as exc:
            fail(str(exc), EXIT_BAD_INPUT)
        except DecompositionError as exc:
            fail(f"the decomposition stopped: {exc}", 1)
        rp = assessment.rp
        if not rp.outcome.feasible:
            err.print(f"[bold red]error:[/] no plan found ({rp.outcome.status}): "
                      f"{rp.outcome.message}", highlight=False)
            for line in rp.diagnosis:
                err.print(f"  {line}", highlight=False)
            raise typer.Exit(1)
        timings = {**rp.timings, **assessment.timings,
                   "total_s": time.perf_counter() - start}
        bar.update(task, description="writing results")
        try:
            summ = write_stochastic_outputs(assessment, loaded, out_dir, overwrite=overwrite,
                                            timings=timings)
        except OutputNotWrittenError as exc:
            fail(str(exc), exc.exit_code)
        if report:
            from cnplan.report.stochastic import render_stochastic_report

            bar.update(task, description="rendering the report (HTML, PDF)")
            try:
                render_stochastic_report(out_dir)
            except OSError as exc:
                fail(f"{out_dir}: the results are written but the report could not be "
                      f"({exc.strerror or exc})", EXIT_WRITE_FAILED)
    _headline(summ, out_dir, report)
    if summ["status"] == "targets_missed":
        raise typer.Exit(EXIT_TARGETS_MISSED)


def _m(value: float | None, cur: str) -> str:
    return "–" if value is None else f"{value / 1e6:,.1f} M{cur}"


def _headline(summ: dict[str, Any], out_dir: Path, report: bool) -> None:
    cur = summ["currency"]
    colour = "green" if summ["status"] == "optimal" else "yellow"
    out.print(f"[{colour}]{summ['site']}: {len(summ.get('scenarios', []))} scenarios, "
              f"{summ['status']}[/]; expected net present cost "
              f"{_m(summ.get('expected_cost'), cur)}, CVaR{summ['risk']['cvar_alpha']:.0%} "
              f"{_m(summ.get('cvar'), cur)}", highlight=False)
    for s in summ.get("scenarios", []):
        out.print(f"  {s['name']} (p = {s['probability']:g}): {_m(s['cost'], cur)}",
                  highlight=False)
    if "vss" in summ:
        out.print(f"  value of the stochastic solution {_m(summ['vss'], cur)}; expected value "
                  f"of perfect information {_m(summ['evpi'], cur)}", highlight=False)
    for kind, v in summ.get("option_value", {}).items():
        out.print(f"  option value of new {kind} capacity {_m(v['value'], cur)}",
                  highlight=False)
    for line in summ.get("diagnosis", []):
        out.print(f"  [yellow]{line}[/]", highlight=False)
    out.print(f"  results: {out_dir}/summary.json, {out_dir}/results.nc", markup=False,
              highlight=False)
    if report:
        out.print(f"  report: {out_dir}/report.html, {out_dir}/report.pdf", markup=False,
                  highlight=False)
