"""The ``cnplan`` command line."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from cnplan import __version__, strictjson
from cnplan.exitcodes import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NO_PLAN,
    EXIT_POINTS_FAILED,
    EXIT_TARGETS_MISSED,
    EXIT_WRITE_FAILED,
)
from cnplan.outputs import (
    OutputNotWrittenError,
    OutputRefusedError,
    atomic_write,
    not_written_as_error,
    provenance,
)
from cnplan.runfolder import Kind, RunFolder, RunFolderError, read_json_object, read_run_folder
from cnplan.wording import basis_text, credits_sentence
from plant.errors import PlanError
from plant.loader import LoadedPlan, read_plan
from sofc.cli import app as sofc_app

app = typer.Typer(
    help="cnplan: plan a factory's path to carbon neutrality (site YAML -> roadmap).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # plain help: option texts such as KEY=a:b:n print literally (no markup, no emoji codes)
    rich_markup_mode=None,
)
app.add_typer(sofc_app, name="sofc", help="SOFC digital twin: reformer, cell and curves.")

# soft_wrap: a message is one line however narrow the terminal, so piped output
# (CI logs, grep, editors reading file:line: messages) is never broken mid-line
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _print_warnings(loaded: LoadedPlan, strict: bool = False) -> None:
    """Print a plan's warnings (valid but probably wrong inputs) to stderr; with ``strict``
    as errors."""
    word = "[bold red]error[/] (--strict)" if strict else "[yellow]warning[/]"
    for warning in loaded.warnings:
        err.print(f"{word}: {warning}", highlight=False)
    if loaded.warnings:
        codes = ", ".join(sorted({w.code for w in loaded.warnings}))
        err.print(f"  (a warning the plan means can be acknowledged: acknowledge: [{codes}])",
                  highlight=False)


STRICT = typer.Option("--strict", help="Treat warnings (probably wrong inputs, codes W...) as "
                      "errors: exit code 2.")


def _load(path: Path, strict: bool = False) -> LoadedPlan:
    """Read a plan or exit with its issues (exit code 2); print its warnings (errors, exit
    code 2, with ``strict``)."""
    try:
        loaded = read_plan(path)
        _print_warnings(loaded, strict)
        if strict and loaded.warnings:
            raise typer.Exit(EXIT_BAD_INPUT)
        return loaded
    except PlanError as exc:
        err.print(f"[bold red]error:[/] {escape(str(path))} is not a valid plan:",
                  highlight=False)
        for issue in exc.issues[:25]:
            err.print(f"  {issue}", highlight=False, markup=False)
        if len(exc.issues) > 25:
            err.print(f"  ... and {len(exc.issues) - 25} more", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print one ``error: PATH: what is wrong`` line (the text as written, never read as
    markup) and exit with ``code``."""
    err.print("[bold red]error:[/] " + escape(message), highlight=False, emoji=False)
    raise typer.Exit(code)


def _check_out_folder(out_dir: Path, overwrite: bool, inputs: list[Path]) -> None:
    """Before any work: exit 2 unless ``out_dir`` can be written as a run folder
    (:func:`cnplan.out_checks.check_out_folder`)."""
    from cnplan.out_checks import check_out_folder

    try:
        check_out_folder(out_dir, overwrite=overwrite, inputs=inputs)
    except OutputRefusedError as exc:
        _fail(str(exc))


def _write_out_file(out_file: Path, write: Callable[[Path], object], overwrite: bool) -> None:
    """Write one ``--out`` file atomically (:func:`cnplan.outputs.atomic_write`); exit 2 if
    it exists (without ``overwrite``) or is a folder, 4 if it cannot be written."""
    try:
        with not_written_as_error(out_file):
            if out_file.is_dir():
                raise OutputRefusedError(f"{out_file}: is a folder; --out must be a file")
            atomic_write(out_file, write, overwrite=overwrite)
    except OutputRefusedError as exc:
        _fail(str(exc))
    except OutputNotWrittenError as exc:
        _fail(str(exc), exc.exit_code)


def _version(value: bool) -> None:
    if value:
        out.print(f"cnplan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """cnplan: plan a factory's path to carbon neutrality."""


@app.command()
def validate(
    plans: Annotated[list[Path], typer.Argument(help="Site plan YAML files.")],
    strict: Annotated[bool, STRICT] = False,
) -> None:
    """Check site plans (and fleet files); print every problem with file, line and key path
    (exit code 2)."""
    from plant.fleet import looks_like_fleet

    failed = 0
    for path in plans:
        if looks_like_fleet(path):
            failed += _validate_fleet(path)
            continue
        try:
            loaded = read_plan(path)
        except PlanError as exc:
            failed += 1
            err.print(f"[bold red]✗[/] {escape(str(path))}", highlight=False)
            for issue in exc.issues[:25]:
                err.print(f"  {issue}", highlight=False, markup=False)
            continue
        _print_warnings(loaded, strict)
        if strict and loaded.warnings:
            failed += 1
            continue
        p = loaded.plan
        years = p.years()
        out.print(f"[green]✓[/] {escape(f'{path}: {p.site.name}')} ({p.site.country}), "
                  f"{len(p.technologies)} technologies, {len(p.existing_assets)} existing assets, "
                  f"{len(p.targets)} targets, years {years[0]}-{years[-1]}", highlight=False)
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def _validate_fleet(path: Path) -> int:
    """Check one fleet file and its plans; print ✓ or its problems; 1 if it failed."""
    from plant.fleet import read_fleet

    try:
        fleet = read_fleet(path)
    except PlanError as exc:
        err.print(f"[bold red]✗[/] {escape(str(path))}", highlight=False)
        for issue in exc.issues[:25]:
            err.print(f"  {issue}", highlight=False, markup=False)
        return 1
    for warning in fleet.warnings:
        err.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    f = fleet.fleet
    out.print(f"[green]✓[/] {escape(f'{path}: fleet {f.name}')}, {len(fleet.plants)} plants "
              f"({escape(', '.join(fleet.plants))}), {len(f.targets)} corporate targets, "
              f"reported in {f.currency}", highlight=False)
    return 0


@app.command()
def show(
    plan: Annotated[Path, typer.Argument(help="Site plan YAML.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    profiles: Annotated[bool, typer.Option(help="Build hourly profiles to estimate on-site "
                                           "generation (a few seconds).")] = True,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the summary to "
                                                  "this file (text, or JSON with --json).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    strict: Annotated[bool, STRICT] = False,
) -> None:
    """Print a readable summary: energy by carrier, baseline, targets, assets, technologies."""
    from cnplan.render import print_summary
    from plant.profiles import build_profiles
    from plant.summary import plan_summary

    loaded = _load(plan, strict)
    prof = build_profiles(loaded.plan, loaded.file.parent) if profiles else None
    summary = plan_summary(loaded.plan, prof)
    summary["provenance"] = provenance(loaded.sha256)
    if as_json:
        text = strictjson.dumps(summary, indent=2, default=float)
        out.print_json(text) if sys.stdout.isatty() else print(text)
    else:
        print_summary(summary, out)
        rec = Console(record=True, width=120, file=io.StringIO())
        print_summary(summary, rec)
        text = rec.export_text()
    if out_file is not None:
        _write_out_file(out_file, lambda p: p.write_text(text, encoding="utf-8"), overwrite)
        out.print(f"wrote {out_file}", markup=False, highlight=False)


@app.command()
def schema(
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to a file.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Print the JSON Schema of the plan format (for editor completion and checking)."""
    from plant.schema import Plan

    text = json.dumps(Plan.model_json_schema(), indent=2)
    if out_file is None:
        print(text)
        return
    _write_out_file(out_file, lambda p: p.write_text(text, encoding="utf-8"), overwrite)


@app.command()
def plan(
    plan_file: Annotated[Path, typer.Argument(metavar="SITE.yaml", help="Site plan YAML.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for results.nc, "
                                                 "summary.json and the report (default: "
                                                 "out/<site>_<scenario>).")] = None,
    resolution: Annotated[str, typer.Option(help="'repdays:N' (representative days) or "
                                            "'hourly' (8760 h, slow).")] = "repdays:12",
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Solver time limit in seconds; the best plan found is kept.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    report: Annotated[bool, typer.Option(help="Also render report.html and report.pdf.")] = True,
    bau: Annotated[bool, typer.Option(help="Also solve the business-as-usual counterpart "
                                      "(existing assets replaced like for like, no new levers, "
                                      "no targets) to show what the roadmap adds.")] = True,
    verify: Annotated[bool, typer.Option(help="Re-solve each modelled year's 8760-hour "
                                         "dispatch with the plan's capacities held (and "
                                         "business as usual's): the verified cost (unserved "
                                         "energy at the value of lost load) and emissions "
                                         "become the headline, the estimate beside them; "
                                         "exit 3 if a year leaves demand unserved or misses "
                                         "a target (0.8-1.2x the planning solve for the "
                                         "reference plans on 2 cores, about as long again "
                                         "for business as usual).")] = False,
    replans: Annotated[int, typer.Option(min=0, max=20, help="With --verify: re-plan up to "
                                         "this many times, each time keeping the days the "
                                         "hour-by-hour check found demand unserved on as "
                                         "periods of their own (0: verify only; "
                                         "docs/optimiser.md \"Adequacy\").")] = 3,
    jobs: Annotated[int, typer.Option(min=1, help="Processes for --verify and the "
                                      "decomposed engine (years run in parallel).")] = 2,
    method: Annotated[str, typer.Option(help="HiGHS method: 'auto' (dual simplex on the model "
                                        "as built; HiPO interior point for LPs of 150,000 "
                                        "columns or more), 'simplex' (with HiGHS's scaling), "
                                        "'ipm' (IPX interior point) or 'hipo'; another is "
                                        "tried if one gives up.")] = "auto",
    engine: Annotated[str, typer.Option(help="'auto' (decompose an hourly plan of several "
                                        "years, else the whole LP), 'monolithic' (the whole "
                                        "LP at once) or 'decomposed' (Benders by year: "
                                        "capacities in a master, one dispatch LP per year; "
                                        "docs/optimiser.md).")] = "auto",
    gap: Annotated[float, typer.Option(min=1e-9, max=0.1, help="With the decomposed engine: "
                                       "stop when (upper − lower bound) / upper is this "
                                       "small.")] = 1e-4,
    strict: Annotated[bool, STRICT] = False,
    scenarios: Annotated[Path | None, typer.Option(
        "--scenarios", metavar="SCEN.yaml", help="Plan under uncertainty: a scenario tree "
        "(stages, scenarios with probabilities and key-path overrides, risk). Decisions before "
        "each stage are shared; reports the hedged plan, VSS, EVPI, regret and option value "
        "(docs/stochastic.md).")] = None,
    metrics: Annotated[bool, typer.Option(help="With --scenarios: also the mean-value, "
                                          "perfect-foresight and regret plans and the SOFC's "
                                          "option value (about 2n + 3 more solves for n "
                                          "scenarios).")] = True,
    max_scenarios: Annotated[int, typer.Option(
        "--max-scenarios", min=1, help="With --scenarios: refuse a file that lists or draws "
        "more scenarios than this (each holds a copy of the plan and its own dispatch in the "
        "model).")] = 1_000,  # plant.scenarios.MAX_SCENARIOS (not imported: numpy)
    solver: Annotated[str, typer.Option(help="With --scenarios: 'extensive' (one LP: each "
                                        "scenario's capacities, one dispatch block per node "
                                        "and year) or 'decomposed' (Benders over the node-"
                                        "years, on --workers or --scheduler; stops at --gap; "
                                        "docs/stochastic.md).")] = "extensive",
    workers: Annotated[int, typer.Option(min=1, help="With --scenarios and --solver "
                                         "decomposed: local Dask worker processes (1: in this "
                                         "process).")] = 1,
    scheduler: Annotated[str | None, typer.Option(help="With --solver decomposed: a Dask "
                                                  "scheduler (tcp://HOST:PORT) instead of "
                                                  "local workers.")] = None,
    alternatives: Annotated[int, typer.Option(
        "--alternatives", min=0, max=100, help="After the least-cost plan, this many "
        "alternative roadmaps that each cost at most --slack more and meet every target, "
        "each pushing one total (a lever's capacity, grid import, credits) to its least or "
        "most; solved on --jobs processes; written to alternatives/ and compared in the "
        "report (docs/alternatives.md).")] = 0,
    slack: Annotated[float, typer.Option(min=0.0, max=1.0, help="With --alternatives: how "
                                         "much dearer than the least cost an alternative "
                                         "may be (0.02: 2 %).")] = 0.02,
    directions: Annotated[str | None, typer.Option(
        help="With --alternatives: SUBJECT[.MEASURE][@YEAR]:min|max, comma-separated (e.g. "
        "'sofc:max,sofc@2030:max,sofc.energy:max,solar:min,grid:min,random'); a subject is a "
        "lever, a technology kind or key, 'grid' or 'credits'; totals are discounted means "
        "over the horizon, or one modelled year's with @YEAR (default: each lever to its "
        "most, then to its least; random directions fill up to N).")] = None,
    seed: Annotated[int, typer.Option(help="With --alternatives: seed of the random "
                                      "directions.")] = 0,
) -> None:
    """Find the least-cost investment and dispatch plan that meets the site's targets.

    Exit codes: 0 a plan meeting every target; 3 the plan is written but misses a target or
    leaves demand unserved, in the planning run or (with --verify) hour by hour with the
    planned fleet (the diagnosis says which year and by how much); 1 the solver found no
    plan; 2 bad input (also an --out that cannot be used, checked before solving, or that
    another run wrote meanwhile); 4 the plan could not be written to --out (the message
    names the folder it was kept in instead).
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cnplan.runs import default_out_dir, run_with_bau, write_plan_outputs
    from optimiser import Resolution
    from optimiser.decompose import DecompositionError, choose_engine
    from optimiser.decompose.run import ENGINES
    from optimiser.formulate.components.markets import OneMeterError
    from optimiser.formulate.sofc_twin import SofcPlanError
    from optimiser.solve.highs import METHODS, available_methods

    loaded = _load(plan_file, strict)
    asked = _alternatives_asked(loaded, alternatives, slack, directions, seed, scenarios)
    if scenarios is not None:
        from cnplan.cli_scenarios import Solving, plan_scenarios

        if verify:
            err.print("[bold red]error:[/] --verify is not available with --scenarios (verify "
                      "one scenario's plan with `cnplan plan` and its overrides)", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        plan_scenarios(loaded, scenarios, out_dir, resolution, time_limit=time_limit,
                       overwrite=overwrite, report=report, metrics=metrics,
                       max_scenarios=max_scenarios,
                       solving=Solving(solver, workers, scheduler, gap))
        return
    if solver != "extensive" or workers != 1 or scheduler is not None:
        err.print("[bold red]error:[/] --solver, --workers and --scheduler are for --scenarios "
                  "(a single plan: --engine and --jobs)", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    out_dir = out_dir or default_out_dir(loaded)
    try:
        res = Resolution.parse(resolution)
    except ValueError as exc:
        err.print(f"[bold red]error:[/] --resolution: {exc}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if method not in METHODS:
        err.print(f"[bold red]error:[/] --method: '{method}' is not one of "
                  f"{', '.join(METHODS)}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    if method not in available_methods():
        err.print(f"[bold red]error:[/] --method {method} needs the highspy-extras package "
                  "(pip install highspy-extras)", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    if engine not in ENGINES:
        err.print(f"[bold red]error:[/] --engine: '{engine}' is not one of "
                  f"{', '.join(ENGINES)}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    if asked.n and choose_engine(loaded, res, engine) == "decomposed":
        _fail("--alternatives searches around the whole LP: this plan is decomposed by year "
              "(an hourly plan of several years); use representative days (--resolution "
              "repdays:12) or --engine monolithic")
    _check_out_folder(out_dir, overwrite, [plan_file])
    labels = {"profiles": "hourly profiles", "curves": "SOFC curves (digital twin)",
              "aggregate": f"time aggregation ({res})", "build": "building the model",
              "solve": "solving (HiGHS)", "diagnose": "targets infeasible: re-solving with "
              "priced slack", "prices": "implied carbon prices (both sides of each binding target)",
              "extract": "extracting results", "bau": "business as usual",
              "start": "a representative-day plan to start the decomposition from"}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("starting")
        def stage(name: str) -> None:
            step = name.split(":")[-1]
            text = labels.get(step, step)
            bar.update(task, description=f"business as usual: {text}" if name.startswith(
                "bau:") else text)

        adequacy: Any = None
        grid = res
        try:
            if verify:
                run, bau_run, adequacy, grid = _plan_adequate(loaded, res, time_limit, method,
                                                              stage, bau, engine, jobs, gap,
                                                              replans, bar, task)
            else:
                run, bau_run = run_with_bau(loaded, res, time_limit, method, stage, bau,
                                            engine, jobs, gap)
        except KeyboardInterrupt:
            err.print(f"interrupted: nothing was written to {out_dir}; run the same command "
                      "again to plan", markup=False, highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except DecompositionError as exc:
            err.print(f"error: decomposition by year: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_NO_PLAN) from None
        except (OneMeterError, SofcPlanError) as exc:
            file, line = loaded.where(exc.key)
            err.print(f"{file}:{line}: {'.'.join(exc.key)}: {exc}" if line else
                      f"{file}: {'.'.join(exc.key)}: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        if not run.outcome.feasible:
            err.print(f"[bold red]error:[/] no plan found ({run.outcome.status}): "
                      f"{run.outcome.message}", highlight=False)
            raise typer.Exit(EXIT_NO_PLAN)
        if verify and adequacy.stopped != "verification_failed":
            _verify_bau(run, loaded, jobs, time_limit, method, bar, task, out_dir, bau_run)
        found = _solve_alternatives(loaded, grid, run, asked, jobs, time_limit, bar, task,
                                    out_dir)
        bar.update(task, description="writing results")
        try:
            summ = write_plan_outputs(run, loaded, out_dir, overwrite=overwrite, bau=bau_run,
                                      **_alternative_outputs(run, found, loaded))
        except KeyboardInterrupt:
            err.print(f"interrupted while writing: {out_dir} was left as it was (the run "
                      "folder appears whole or not at all); run the same command again",
                      markup=False, highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OutputNotWrittenError as exc:
            _fail(str(exc), exc.exit_code)
        if report:
            from cnplan.report import render_report

            bar.update(task, description="rendering the report (HTML, PDF)")
            try:
                render_report(out_dir)
            except KeyboardInterrupt:
                err.print(f"interrupted while rendering the report: the results in {out_dir} "
                          f"are complete; 'cnplan report {out_dir}' renders it",
                          markup=False, highlight=False)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            except OSError as exc:
                _report_not_written(out_dir, exc)
    _print_plan_headline(summ, out_dir)
    if "alternatives" in summ:
        from cnplan.render import print_alternatives

        print_alternatives(summ["alternatives"], out)
    if adequacy is not None:
        colour = "green" if adequacy.adequate else "yellow"
        out.print(f"  hour by hour: [{colour}]{adequacy.message()}[/]", highlight=False)
    if report:
        out.print(f"  report: {out_dir}/report.html, {out_dir}/report.pdf", markup=False,
                  highlight=False)
    if summ["status"] in ("targets_missed", "demand_not_met"):
        raise typer.Exit(EXIT_TARGETS_MISSED)


@app.command("fleet")
def fleet_cmd(
    fleet_file: Annotated[Path, typer.Argument(metavar="FLEET.yaml", help="Fleet file: the "
                                               "plants' plans, reporting currency, corporate "
                                               "targets (docs/fleet.md).")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for summary.json, "
                                                 "plants/<name>/ and the fleet report "
                                                 "(default: out/fleet_<name>).")] = None,
    resolution: Annotated[str, typer.Option(help="'repdays:N' or 'hourly', for every "
                                            "plant.")] = "repdays:12",
    method: Annotated[str, typer.Option(help="'decomposed' (Dantzig-Wolfe: the plants priced "
                                        "in parallel by the corporate carbon price) or "
                                        "'monolithic' (one LP of every plant).")
                      ] = "decomposed",
    workers: Annotated[int | None, typer.Option(min=1, help="Decomposed: local Dask worker "
                                                "processes (default: one per plant, at most "
                                                "the machine's cores; 1: in this process).")
                       ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Decomposed: a Dask scheduler "
                                                  "(tcp://HOST:PORT) instead of local "
                                                  "workers; the plans must be readable at "
                                                  "the same paths there.")] = None,
    verify: Annotated[bool, typer.Option(help="Verify each plant's plan hour by hour with "
                                         "its capacities held (exit 3 if a plant leaves "
                                         "demand unserved or the verified fleet misses a "
                                         "corporate target).")] = False,
    flexibility: Annotated[bool, typer.Option(help="Also solve the fleet with the other "
                                              "plant_targets rule (keep/drop), for the value "
                                              "of flexibility in the report.")] = True,
    report: Annotated[bool, typer.Option(help="Render the fleet report and each plant's "
                                         "(HTML, PDF).")] = True,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Solver time limit per solve in seconds.")] = None,
    gap: Annotated[float, typer.Option(min=1e-12, max=0.1, help="Decomposed: stop when "
                                       "(cost − bound) / cost is this small.")] = 1e-7,
    jobs: Annotated[int, typer.Option(min=1, help="Processes for --verify.")] = 2,
) -> None:
    """Plan a company's plants together under corporate targets.

    Each plant is planned as by `cnplan plan` (its own targets kept or dropped, as the fleet
    file says), linked by the corporate targets; the fleet's net present cost is minimised
    in the reporting currency. Exit codes as for `plan`: 0 every target met; 3 written but a
    corporate or plant target is missed (or, with --verify, demand unserved); 1 no plan;
    2 bad input; 4 not written.
    """
    from cnplan.cli_fleet import run_fleet_command

    run_fleet_command(fleet_file, out_dir, resolution, method, workers, scheduler, verify,
                      flexibility, report, overwrite, time_limit, gap, jobs)


def _report_not_written(out_dir: Path, exc: OSError) -> NoReturn:
    """Exit 4: the run folder is complete but its report could not be written into it."""
    reason = f"[Errno {exc.errno}] {exc.strerror}" if exc.strerror else str(exc)
    _fail(f"{out_dir}: the results are written but the report could not be ({reason}); "
          f"'cnplan report {out_dir}' renders it", EXIT_WRITE_FAILED)


def _plan_adequate(loaded: Any, res: Any, time_limit: float | None, method: str, stage: Any,
                   bau: bool, engine: str, jobs: int, gap: float, replans: int, bar: Any,
                   task: Any) -> tuple[Any, Any, Any, Any]:
    """Plan, verify and re-plan with the days found short (:func:`cnplan.runs.plan_adequate`),
    then business as usual on the same time grid; returns both runs, what the shortfall
    iteration did and the time grid the plan was made on."""
    from cnplan.runs import plan_adequate, run_bau

    years = len(loaded.plan.years())
    finished: list[int] = []

    def step(name: str) -> None:
        finished.clear()
        if name == "verify":
            bar.update(task, description=f"verifying hour by hour: {years} years, {jobs} at "
                       "a time")
        elif name.startswith("adequacy:"):
            bar.update(task, description=name.partition(":")[2])
        else:
            stage(name)

    def done(year: int) -> None:
        finished.append(year)
        bar.update(task, description=f"verifying hour by hour: {len(finished)}/{years} years "
                   f"({', '.join(map(str, sorted(finished)))} done)")

    run, grid, adequacy = plan_adequate(loaded, res, time_limit, method, step, engine, jobs,
                                        gap, replans, done)
    if adequacy.stopped == "verification_failed":
        err.print(f"[yellow]warning:[/] {adequacy.message()}; the plan is written without it",
                  highlight=False)
    bau_run = (run_bau(run, loaded, grid, time_limit, method, stage, engine, jobs, gap)
               if bau and run.outcome.feasible else None)
    return run, bau_run, adequacy, grid


def _alternatives_asked(loaded: LoadedPlan, n: int, slack: float, directions: str | None,
                        seed: int, scenarios: Path | None) -> Any:
    """``--alternatives`` and its options, checked before anything is solved."""
    from cnplan.alternatives import AlternativesAsked, check_asked

    asked = AlternativesAsked(n, slack, directions, seed)
    if n and scenarios is not None:
        _fail("--alternatives is for a single plan, not with --scenarios")
    problem = check_asked(asked, loaded)
    if problem:
        _fail(problem)
    return asked


def _solve_alternatives(loaded: LoadedPlan, grid: Any, run: Any, asked: Any, jobs: int,
                        time_limit: float | None, bar: Any, task: Any, out_dir: Path) -> Any:
    """The alternatives of ``run`` with progress, or None (none asked, or no least-cost plan
    to search around: then a warning says why)."""
    from cnplan.alternatives import run_alternatives
    from optimiser.alternatives.search import AlternativesError

    if not asked.n:
        return None
    if run.outcome.status != "optimal":
        err.print(f"[yellow]warning:[/] no alternatives: the plan ended {run.outcome.status}; "
                  "alternatives are searched only around a least-cost plan that meets every "
                  "target", highlight=False)
        return None

    def progress(done: int, total: int, alt: Any) -> None:
        last = "" if alt is None else f"; {alt.direction.name} {alt.status}"
        bar.update(task, description=f"alternatives within {asked.slack:.1%} of the least "
                   f"cost: {done}/{total} solved{last}")

    try:
        return run_alternatives(loaded, grid, run, asked, jobs, time_limit, progress)
    except AlternativesError as exc:
        err.print(f"[yellow]warning:[/] no alternatives: {exc}", highlight=False)
    except KeyboardInterrupt:
        err.print(f"interrupted while searching alternatives: nothing was written to "
                  f"{out_dir}; run again, or without --alternatives", markup=False,
                  highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    return None


def _alternative_outputs(run: Any, found: Any, loaded: LoadedPlan) -> dict[str, Any]:
    """write_plan_outputs' keywords for the alternatives ``found`` (none: no keywords)."""
    if found is None:
        return {}
    from cnplan.alternatives import write_alternative_folders
    from optimiser.alternatives.summary import alternatives_summary

    plan_json = loaded.plan.model_dump_json(indent=2)
    return {"summary_extra": {"alternatives": alternatives_summary(run.results, found)},
            "also": lambda folder, prov: write_alternative_folders(folder, found, prov,
                                                                   plan_json)}


def _verify_bau(run: Any, loaded: Any, jobs: int, time_limit: float | None, method: str,
                bar: Any, task: Any, out_dir: Path, bau_run: Any) -> None:
    """Verify the business-as-usual run hour by hour as the plan was (the plan itself is
    verified while planning, :func:`_plan_adequate`), showing each year as it finishes."""
    from cnplan.runs import attach_bau_verification
    from optimiser.verify.hourly import VerificationError

    if bau_run is None or not bau_run.outcome.feasible:
        return
    years = [int(y) for y in run.results["year"].values]
    finished: list[int] = []
    bar.update(task, description=f"verifying business as usual hour by hour: {len(years)} "
               f"years, {jobs} at a time")

    def done(year: int) -> None:
        finished.append(year)
        bar.update(task, description=f"verifying business as usual hour by hour: "
                   f"{len(finished)}/{len(years)} years "
                   f"({', '.join(map(str, sorted(finished)))} done)")

    try:
        attach_bau_verification(run, bau_run, loaded, jobs=jobs, time_limit=time_limit,
                                method=method, progress=done)
    except VerificationError as exc:
        err.print(f"[yellow]warning:[/] hourly verification of business as usual "
                  f"stopped: {exc}; the roadmap is compared with business as usual on "
                  "representative-day estimates", highlight=False)
    except KeyboardInterrupt:
        err.print(f"interrupted while verifying: nothing was written to {out_dir}; run "
                  "again, or without --verify", markup=False, highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED) from None


@app.command("report")
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(metavar="DIR", help="Folder written by "
                                            "'cnplan plan' or 'cnplan fleet'.")],
    pdf: Annotated[bool, typer.Option(help="Also write report.pdf.")] = True,
) -> None:
    """Render the roadmap report (report.html, report.pdf) of a plan run (or of a run
    planned under scenarios); of a fleet, each plant's report and the fleet's."""
    from cnplan.report import render_report
    from cnplan.report.stochastic import render_stochastic_report
    from cnplan.runfolder import summary_kind

    if summary_kind(run_dir) == "fleet":
        _report_fleet(run_dir, pdf)
        return
    folder = _read_run(run_dir, with_plan=True, kinds=("plan", "stochastic"))
    render = render_stochastic_report if folder.kind == "stochastic" else render_report
    for path in render(folder, pdf=pdf):
        out.print(f"wrote {path}", highlight=False)


def _report_fleet(run_dir: Path, pdf: bool) -> None:
    """Render a fleet folder's reports: each plant's, then the fleet's (it links to them)."""
    from cnplan.report import render_report
    from cnplan.report.fleet import render_fleet_report
    from cnplan.runfolder import read_fleet_folder

    try:
        fleet = read_fleet_folder(run_dir)
    except RunFolderError as exc:
        _fail(str(exc))
    paths = [p for plant in fleet.plants.values() for p in render_report(plant, pdf=pdf)]
    for path in [*paths, *render_fleet_report(fleet, pdf=pdf)]:
        out.print(f"wrote {path}", highlight=False)


def _print_verification(summ: dict, cur: str) -> None:
    """One line for each year the hourly verification found short or different (the
    verified net present cost is the headline: :func:`_print_plan_headline`), the value of
    lost load its unserved energy is priced at, and why the plan exits 3 if it does."""
    ver = summ.get("verification")
    if not ver:
        return
    short = []
    for year, entry in ver["by_year"].items():
        notes = [f"{_qty(mwh)} MWh of {carrier} unserved"
                 for carrier, mwh in entry["unserved_by_carrier"].items()]
        notes += [f"'{k}' over by {_qty(t)} t" for k, t in entry["targets_missed"].items()]
        if entry["removals_short_t"] > 1e-3:
            notes.append(f"removals short of the SBTi ramp by {_qty(entry['removals_short_t'])} t")
        if entry["clean_target_short_mwh"] > 1e-3:
            notes.append(f"clean-electricity target short by "
                         f"{_qty(entry['clean_target_short_mwh'])} MWh")
        if entry["short"]:
            short.append(year)
        more = entry["credits_t"] - entry["credits_t_estimate"]
        if more > 0.5:
            notes.append(f"{more:,.0f} t more credits than planned")
        if entry["status"] != "optimal":
            notes.append(f"solver: {entry['status']}")
        if notes:
            colour = "red" if entry["short"] else "yellow"
            out.print(f"    [{colour}]{year}: {'; '.join(notes)}[/] at full hourly resolution "
                      "with the planned fleet", highlight=False)
    unserved = sum(e["unserved_mwh"] for e in ver["by_year"].values())
    if unserved > 1e-3 and ver.get("value_of_lost_load") is not None:
        from optimiser.formulate.components.markets import VOLL_PRICE_MULTIPLE

        out.print(f"    unserved energy is priced in the verified cost at the value of lost "
                  f"load, {ver['value_of_lost_load']:,.0f} {cur}/MWh "
                  f"(demand.value_of_lost_load_per_mwh; by default {VOLL_PRICE_MULTIPLE:g} × "
                  "the highest grid import price)", highlight=False)
    if ver["status"] not in ("optimal", "demand_not_met", "targets_missed"):
        out.print(f"    [yellow]the hourly check did not prove its optimum ({ver['status']}): "
                  "its figures are the best dispatch found, so the gap to the estimate "
                  "includes the solver's[/]", highlight=False)
    if summ.get("status_basis") == "verification":
        what = ("leaves demand unserved" if summ["status"] == "demand_not_met"
                else "misses a target")
        out.print(f"  [red]checked hour by hour, the planned fleet {what} in "
                  f"{_and(short)}: the plan does not hold for the real year (exit code 3)[/]",
                  highlight=False)


def _qty(x: float) -> str:
    """1,234 for a quantity of 1 or more, 0.25 below."""
    return f"{x:,.0f}" if abs(x) >= 1 else f"{x:.2g}"


def _and(items: list[str]) -> str:
    """"2035, 2040 and 2045"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _estimate_off(gap: float | None) -> str:
    """" (the representative-day estimate is 3.3 % below the hour-by-hour figure)"."""
    if gap is None:
        return ""
    side = "below" if gap < 0 else "above"
    return f" (the representative-day estimate is {abs(gap):.1%} {side} it)"


def _print_plan_headline(summ: dict, out_dir: Path) -> None:
    cur = summ["objective"]["currency"]
    status = summ["status"]
    colour = "green" if status == "optimal" else "yellow"
    scenario = summ.get("scenario", {}).get("name", "")
    mode = summ.get("target_mode", "company")
    rules = " (targets counted by SBTi v2)" if mode == "sbti_v2" else ""
    if mode == "sbti_v2" and summ.get("sbti_scope2") == "low_carbon_share":
        rules = " (targets counted by SBTi v2, scope 2 as a low-carbon-electricity share)"
    ver = summ.get("verification")
    checked = (f" verified hour by hour{_estimate_off(ver['net_present_cost_gap'])}"
               if ver else "")
    out.print(f"[{colour}]{summ['site']} ({scenario}): {status}[/], net present cost "
              f"{summ['objective']['net_present_cost'] / 1e6:,.1f} M{cur}{checked}{rules}",
              highlight=False)
    _print_verification(summ, cur)
    bau = summ.get("business_as_usual")
    if bau:
        per_t = bau["cost_per_t_abated"]
        extra = bau["extra_net_present_cost"]
        verb = "adds" if extra >= 0 else "saves"
        per = ("" if per_t is None else
               f", {'a cost' if per_t >= 0 else 'a saving'} of {abs(round(per_t)):,} {cur} "
               f"per tonne avoided ({basis_text(bau['basis'])})")
        basis = ""
        if ver:
            basis = (" (both verified hour by hour)" if bau.get("figures") == "verified" else
                     " (representative-day estimates: business as usual was not verified)")
        out.print(f"  business as usual: {bau['net_present_cost'] / 1e6:,.1f} M{cur}; the "
                  f"roadmap {verb} {abs(extra) / 1e6:,.1f} M{cur}{per}{basis}",
                  highlight=False)
    if status == "time_limit":
        out.print(f"  stopped at the time limit; optimality gap {summ['objective']['mip_gap']:.2%}",
                  highlight=False)
    for t in summ["targets"]:
        mark = "[green]met[/]" if t["met"] else (
            f"[red]MISSED in {', '.join(map(str, t['missed_in']))}[/]")
        low, high = t["shadow_price"], t.get("shadow_price_upper")
        price = "" if low is None else f", implied carbon price {round(low) + 0:,}"
        if low is not None and high is not None and abs(high - low) > 1e-4 * max(
                abs(low), abs(high), 1.0):
            price += f" to {round(high) + 0:,}"
        price += f" {cur}/t" if low is not None else ""
        if t.get("binds"):
            price += f" ({t['binds']} binds)"
        shown, when = t, ""
        if t["missed_in"]:  # the figures of the first year missed, not of the target's year
            first = t["missed_in"][0]
            shown, when = t.get("years", {}).get(str(first), t), f" in {first}"
        achieved = round(shown["achieved"]) + 0  # + 0: no "-0" for solver noise below zero
        out.print(f"  {t['name']} ({t['year']}): {mark}, {achieved:,} t vs limit "
                  f"{shown['limit']:,.0f} t{when}{price}", highlight=False)
        if t.get("needs_credits_in"):
            said, warn = credits_sentence(t, mode == "sbti_v2")
            out.print(f"    {'[red]' if warn else ''}{escape(said)}{'[/]' if warn else ''}",
                      highlight=False)
    shares = summ.get("clean_electricity_share") or {}
    if shares:
        for kind in ("hourly", "monthly", "annual"):
            if kind != "hourly" and not any(c["matching"] == kind for c in
                                            summ.get("clean_electricity_targets") or []):
                continue
            values = ", ".join(f"{s[kind]:.0%} ({y})" for y, s in shares.items())
            out.print(f"  clean electricity, {kind}-matched: {values}", highlight=False)
    embodied = {y: e.get("scope3_embodied", 0.0) for y, e in summ["emissions"].items()}
    if any(v > 0.5 for v in embodied.values()):
        values = ", ".join(f"{v:,.0f} t ({y})" for y, v in embodied.items())
        out.print(f"  embodied in what is built (scope 3, in the year built): {values}",
                  highlight=False)
    for c in summ.get("clean_electricity_targets") or []:
        cost = ("" if c["price_per_point"] is None else
                f", a percentage point more costs {round(c['price_per_point']):,} {cur}/yr")
        state = "met" if c["met"] else f"MISSED by {c['shortfall_mwh']:,.0f} MWh"
        out.print(f"  clean electricity ≥ {c['share']:.0%} ({c['matching']}) in {c['year']}: "
                  f"{state}{cost}", highlight=False)
    for line in summ.get("diagnosis", []):
        out.print(f"  [red]{line}[/]", highlight=False)
    if summ["unserved_mwh"] > 1e-3:
        out.print(f"  [red]unserved energy: {summ['unserved_mwh']:,.0f} MWh[/]", highlight=False)
    t, engine = summ["timings"], summ.get("engine", {})
    if engine.get("name") == "decomposed":
        out.print(f"  decomposed by year: {engine['iterations']} iterations, gap "
                  f"{engine['gap']:.1e}; build {t.get('build_s', 0.0):.1f} s, solve "
                  f"{t['solve_s']:.1f} s; wrote {out_dir}/results.nc, summary.json",
                  markup=False, highlight=False)
        return
    out.print(f"  build {t['build_s']:.1f} s, transfer {t['transfer_s']:.1f} s, solve "
              f"{t['solve_s']:.1f} s; wrote {out_dir}/results.nc, summary.json", markup=False,
              highlight=False)


@app.command("profiles")
def profiles_cmd(
    plan: Annotated[Path, typer.Argument(help="Site plan YAML.")],
    out_file: Annotated[Path, typer.Option("--out", help="netCDF file to write.")],
    days: Annotated[int | None, typer.Option(help="Also aggregate to this many representative "
                                             "days (tsam) and report the error.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Build the hourly profiles of a plan (and representative days) into a netCDF file."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from plant.profiles import aggregate, build_profiles

    loaded = _load(plan)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err,
                  transient=True) as bar:
        task = bar.add_task("profiles")
        ds = build_profiles(loaded.plan, loaded.file.parent,
                            progress=lambda s: bar.update(task, description=f"profiles: {s}"))
        if days:
            bar.update(task, description=f"aggregating to {days} days")
            ds = aggregate(ds, days)
    ds.attrs.update(provenance(loaded.sha256))
    _write_out_file(out_file, lambda p: ds.to_netcdf(p, engine="netcdf4"), overwrite)
    out.print(f"wrote {out_file}", markup=False, highlight=False)
    if days:
        worst = ds["total_error"].to_series().abs().max()
        out.print(f"{days} representative days: worst annual-total error {worst:.2%}, median "
                  f"relative RMSE {float(ds['rmse'].median()):.2f}", highlight=False)


@app.command("sweep")
def sweep_cmd(
    plan_file: Annotated[Path, typer.Argument(metavar="SITE.yaml", help="Site plan YAML.")],
    sets: Annotated[list[str], typer.Option("--set", help="KEY=a:b:n: n values from a to b "
                                            "of a key path (e.g. grid.import_price_per_mwh) "
                                            "or a scale (fuels.bioethanol.price_scale); "
                                            "repeat for more axes.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Sweep folder (points/, sweep.nc); "
                                          "rerun into it to resume.")],
    sample: Annotated[str, typer.Option(help="'grid' (every combination) or 'lhs' "
                                        "(Latin hypercube of --n points).")] = "grid",
    n: Annotated[int | None, typer.Option("--n", help="Points of an lhs sample.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the lhs sample.")] = 0,
    workers: Annotated[int, typer.Option(help="Local worker processes (1: in this "
                                         "process).", min=1)] = 1,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address "
                                                  "(tcp://HOST:PORT) instead of local "
                                                  "workers.")] = None,
    resolution: Annotated[str, typer.Option(help="'repdays:N' or 'hourly'.")] = "repdays:12",
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", help="Solver time limit per point, in seconds.")] = None,
    retry_failed: Annotated[bool, typer.Option(help="Run points that failed before "
                                               "again.")] = False,
    max_points: Annotated[int | None, typer.Option(
        "--max-points", min=1, help="Most points the sweep may have (the product of the "
        "axis sizes, or --n; default 10,000); a larger sweep is refused before it "
        "starts.")] = None,
) -> None:
    """Solve the plan at many values of its numbers (prices, scales): a resumable sweep.

    Every point is saved in the --out folder as soon as it is solved; after Ctrl-C or a crash
    the same command goes on from the saved points (a damaged point file is run again). Exit
    codes: 0 every point solved; 5 some points failed (listed; sweep.nc is written, and
    --retry-failed runs them again); 2 bad input (--set, --out, a sweep of more than
    --max-points points); 130 interrupted.
    """
    from cnplan.sweeps.spec import MAX_POINTS, Axis, SweepSpec, SweepSpecError

    max_points = max_points or MAX_POINTS
    try:  # before the plan and the solver are loaded: an oversized sweep is refused at once
        spec = SweepSpec(tuple(Axis.parse(s) for s in sets), sample,  # type: ignore[arg-type]
                         n, seed)
        spec.check_size(max_points)
    except SweepSpecError as exc:
        _fail(str(exc))
    from rich import progress as rp

    from cnplan.sweeps import SweepFolderError, read_points, run_sweep
    from optimiser import Resolution
    from plant.overrides import OverrideError, resolve_key

    loaded = _load(plan_file)
    try:
        Resolution.parse(resolution)
        data = loaded.plan.model_dump()
        for key in spec.keys:
            resolve_key(data, key)
    except (ValueError, OverrideError) as exc:
        _fail(str(exc))
    _prepare_sweep_folder(loaded, spec, out_dir, resolution, time_limit)
    points = spec.points()
    done = _read_sweep_points(out_dir)
    ids = {p.id for p in points}
    already = sum(1 for i, r in done.items() if i in ids and (r["ok"] or not retry_failed))
    failed_before = sum(1 for i, r in done.items() if i in ids and not r["ok"]
                        and not retry_failed)
    counts = {"failed": failed_before}
    with rp.Progress(rp.TextColumn("{task.description}"), rp.BarColumn(),
                     rp.MofNCompleteColumn(), rp.TextColumn("[red]{task.fields[failed]} "
                                                            "failed[/]"),
                     rp.TimeElapsedColumn(), rp.TextColumn("left"), rp.TimeRemainingColumn(),
                     console=err) as bar:
        task = bar.add_task("sweep", total=len(points), completed=already,
                            failed=failed_before)

        def progress(record: dict) -> None:
            counts["failed"] += 0 if record["ok"] else 1
            bar.update(task, advance=1, failed=counts["failed"])

        try:
            result = run_sweep(loaded, spec, out_dir, resolution=resolution,
                               time_limit=time_limit, workers=workers, scheduler=scheduler,
                               retry_failed=retry_failed, progress=progress,
                               max_points=max_points)
        except (SweepFolderError, SweepSpecError) as exc:
            _fail(str(exc))
        except OSError as exc:  # e.g. no Dask scheduler at --scheduler
            _fail(f"{type(exc).__name__}: {exc}", EXIT_NO_PLAN)
        except KeyboardInterrupt:
            kept = sum(1 for i in read_points(out_dir) if i in ids) if out_dir.exists() else 0
            err.print(f"interrupted: {kept} of {len(points)} points are saved in "
                      f"{out_dir}/points; run the same command again to go on from there",
                      highlight=False, markup=False, emoji=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
    out.print(f"{result.total} points: {result.ran} run, {result.skipped} already done, "
              f"{result.failed} failed ({result.elapsed_s:.1f} s); wrote {out_dir}/sweep.nc",
              highlight=False, markup=False, emoji=False)
    if result.failed:
        for rec in read_points(out_dir).values():
            if rec["id"] in ids and not rec["ok"]:
                out.print(f"  {rec['id']} {rec['values']}: {rec['status']}: "
                          f"{rec['reason'][:200]}", highlight=False, markup=False, emoji=False)
        err.print(f"{result.failed} of {result.total} points failed (listed above); "
                  "--retry-failed runs them again", highlight=False)
        raise typer.Exit(EXIT_POINTS_FAILED)


def _prepare_sweep_folder(loaded: LoadedPlan, spec: Any, out_dir: Path, resolution: str,
                          time_limit: float | None) -> None:
    """Create the sweep folder or check it holds this sweep, before the progress bar:
    exit 2 with one line if it cannot be used."""
    from cnplan.sweeps import SweepFolderError
    from cnplan.sweeps.runner import prepare_folder

    try:
        prepare_folder(loaded, spec, out_dir, resolution, time_limit)
    except SweepFolderError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out_dir}: cannot be created ({exc.strerror or exc})")


#: Damaged point files named one by one before a sweep resumes; the rest are counted.
SHOWN_DAMAGED_POINTS = 10


def _read_sweep_points(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The points already saved in a sweep folder, by id; a warning line for each point
    file that cannot be used (it is not counted as done: the point runs again)."""
    from cnplan.sweeps.points import scan_points

    if not out_dir.is_dir():
        return {}
    done, problems = scan_points(out_dir)
    for problem in problems[:SHOWN_DAMAGED_POINTS]:
        err.print(f"warning: {problem}; the point runs again", highlight=False,
                  markup=False, emoji=False)
    if len(problems) > SHOWN_DAMAGED_POINTS:
        err.print(f"warning: {len(problems) - SHOWN_DAMAGED_POINTS} more point files in "
                  f"{out_dir}/points cannot be used; those points run again",
                  highlight=False, markup=False, emoji=False)
    return done


@app.command("sweep-report")
def sweep_report_cmd(
    sweep_dir: Annotated[Path, typer.Argument(metavar="DIR", help="Folder written by "
                                              "'cnplan sweep'.")],
) -> None:
    """Plot each output against each swept value; find break-evens (breakeven.json/.html)."""
    from cnplan.sweeps.breakeven import sweep_report

    try:
        written = sweep_report(sweep_dir)
    except RunFolderError as exc:  # no sweep.nc, or sweep.nc or sweep.json damaged or foreign
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{sweep_dir}: the plots and break-evens could not be written "
              f"({exc.strerror or exc})", EXIT_WRITE_FAILED)
    out.print(f"wrote {len(written) - 2} plots in {sweep_dir}/plots, {sweep_dir}/breakeven.json"
              f" and {sweep_dir}/breakeven.html", highlight=False, markup=False, emoji=False)


def _read_run(run_dir: Path, *, with_plan: bool = False,
              kinds: tuple[Kind, ...] = ("plan",)) -> RunFolder:
    """The run folder ``run_dir``, read and checked (:func:`cnplan.runfolder.read_run_folder`),
    or exit 2 with one line ``DIR: file: problem``."""
    try:
        return read_run_folder(run_dir, with_plan=with_plan, kinds=kinds)
    except RunFolderError as exc:
        _fail(str(exc))


@app.command("compare")
def compare_cmd(
    runs: Annotated[list[Path], typer.Argument(metavar="RUN_A RUN_B [RUN_C ...]",
                                               help="Folders written by 'cnplan plan'; the "
                                               "first is the reference.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for compare.html, "
                                          "compare.pdf and the CSV tables.")],
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    pdf: Annotated[bool, typer.Option(help="Also write compare.pdf.")] = True,
) -> None:
    """Compare plan runs side by side: costs, emissions, capacities, carbon prices, and each
    run's difference to the first."""
    from cnplan.report.compare import CompareError, load_runs
    from cnplan.report.compare_render import write_comparison

    if len(runs) < 2:
        err.print("[bold red]error:[/] compare needs at least two run folders", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:  # every run is read and checked before anything is written
        loaded = load_runs(runs)
        with err.status("comparing the runs (tables, figures, PDF)"):
            written = write_comparison(runs, out_dir, overwrite=overwrite, pdf=pdf,
                                       loaded=loaded)
    except (CompareError, RunFolderError, OutputRefusedError) as exc:
        _fail(str(exc))
    except OutputNotWrittenError as exc:
        _fail(str(exc), exc.exit_code)
    _print_comparison(runs, out_dir, written)


def _print_comparison(runs: list[Path], out_dir: Path, written: list[Path]) -> None:
    summaries = [read_json_object(r, "summary.json") for r in runs]  # as written: read, checked
    cur = summaries[0]["objective"]["currency"]
    verified = all(s.get("verification") for s in summaries)

    def npc(s: dict) -> float:  # on one basis (cnplan.report.compare.figures)
        if verified:
            return float(s["verification"]["net_present_cost"])
        return float(s["objective"].get("net_present_cost_estimate",
                                        s["objective"]["net_present_cost"]))

    first = npc(summaries[0])
    for r, s in zip(runs, summaries, strict=True):
        diff = "" if s is summaries[0] else (f" ({(npc(s) - first) / 1e6:+,.1f} M{cur} vs the "
                                             "first)")
        out.print(f"  {s['site']}: {s['scenario']['name']} ({r}): net present cost "
                  f"{npc(s) / 1e6:,.1f} M{cur}{diff}", highlight=False)
    if verified:
        out.print("  (figures verified hour by hour: every run was planned with --verify)",
                  highlight=False)
    elif any(s.get("verification") for s in summaries):
        out.print("  (representative-day estimates: not every run was verified hour by hour)",
                  highlight=False)
    pdf = ", compare.pdf" if any(p.suffix == ".pdf" for p in written) else ""
    csvs = sum(p.suffix == ".csv" for p in written)
    out.print(f"wrote {out_dir}/compare.html{pdf} and {csvs} CSV tables", markup=False,
              highlight=False)


@app.command("export")
def export_cmd(
    run_dir: Annotated[Path, typer.Argument(metavar="RUN", help="Folder written by "
                                            "'cnplan plan'.")],
    fmt: Annotated[str, typer.Option("--format", help="'xlsx' (one workbook, a sheet per "
                                     "table) or 'csv' (a folder of CSV files).")] = "xlsx",
    out_path: Annotated[Path | None, typer.Option("--out", help="The .xlsx file or the CSV "
                                                  "folder (default: RUN/export.xlsx or "
                                                  "RUN/export/).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Export a run's results: capacities, builds, costs, emissions, targets, fuel use and
    the dispatch of the representative days, with units in every column header."""
    from cnplan.export import export_run

    folder = _read_run(run_dir)
    if fmt not in ("xlsx", "csv"):
        err.print(f"[bold red]error:[/] --format must be xlsx or csv, got {fmt!r}",
                  highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    target = out_path or (run_dir / ("export.xlsx" if fmt == "xlsx" else "export"))
    try:
        written = export_run(run_dir, fmt, target, overwrite=overwrite,  # type: ignore[arg-type]
                             folder=folder)
    except OutputRefusedError as exc:
        _fail(str(exc))
    except OutputNotWrittenError as exc:
        _fail(str(exc), exc.exit_code)
    out.print(f"wrote {target}" + (f" ({len(written)} tables)" if fmt == "csv" else ""),
              markup=False, highlight=False)


if __name__ == "__main__":  # python -m cnplan.cli
    app()
