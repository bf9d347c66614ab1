"""Write a plan run's outputs: a whole folder appears at once, never over another by accident."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import xarray as xr

from cnplan import strictjson
from cnplan.outputs import provenance, write_run_dir
from cnplan.runfolder import format_stamp
from optimiser.formulate.inputs import Resolution, profile_days
from optimiser.post.statistics import attach_bau
from optimiser.post.summary import summary
from optimiser.run.pipeline import PlanRun, Stage, run_plan
from optimiser.verify.adequacy import AdequacyReport, plan_until_adequate
from plant.bau import business_as_usual
from plant.loaded import LoadedPlan


def run_with_bau(loaded: LoadedPlan, resolution: Resolution, time_limit: float | None,
                 method: str, stage: Stage, bau: bool = True, engine: str = "auto",
                 jobs: int = 2, gap: float = 1e-4) -> tuple[PlanRun, PlanRun | None]:
    """Run the plan and, unless ``bau`` is false or the plan failed, its business-as-usual
    counterpart (:func:`plant.bau.business_as_usual`, one more small solve), whose cost and
    emissions are attached to the plan's results (``bau_*``). ``engine``: the whole LP or
    a decomposition by year (:func:`optimiser.decompose.choose_engine`; ``jobs`` processes
    build its years; it stops at the relative ``gap``)."""
    run = _run(loaded, resolution, time_limit, method, stage, engine, jobs, gap)
    if not bau or not run.outcome.feasible:
        return run, None
    return run, run_bau(run, loaded, resolution, time_limit, method, stage, engine, jobs, gap)


def run_bau(run: PlanRun, loaded: LoadedPlan, resolution: Resolution,
            time_limit: float | None, method: str, stage: Stage, engine: str = "auto",
            jobs: int = 2, gap: float = 1e-4) -> PlanRun:
    """The business-as-usual counterpart of ``run`` (:func:`plant.bau.business_as_usual`) on
    the same time grid, its cost and emissions attached to ``run``'s results (``bau_*``)."""
    stage("bau")
    bau_loaded = loaded._replace(plan=business_as_usual(loaded.plan))
    bau_run = _run(bau_loaded, resolution, time_limit, method,
                   lambda s: stage(f"bau:{s}"), engine, jobs, gap)
    if bau_run.outcome.feasible:
        attach_bau(run.results, bau_run.results)
    return bau_run


def plan_adequate(loaded: LoadedPlan, resolution: Resolution, time_limit: float | None,
                  method: str, stage: Stage, engine: str = "auto", jobs: int = 2,
                  gap: float = 1e-4, max_rounds: int = 3,
                  progress: Callable[[int], None] = lambda _: None,
                  ) -> tuple[PlanRun, Resolution, AdequacyReport]:
    """Plan, verify hour by hour, and re-plan with the days found short until every hour is
    served or ``max_rounds`` re-plans are spent
    (:func:`optimiser.verify.adequacy.plan_until_adequate`).
    Returns the last run (verified), the time grid it was planned on and what the iteration
    did (also in the run's ``adequacy`` attribute, for summary.json)."""
    grids: list[Resolution] = []

    def plan(res: Resolution) -> PlanRun:
        grids.append(res)
        return _run(loaded, res, time_limit, method, stage, engine, jobs, gap)

    def verify(run: PlanRun) -> None:
        stage("verify")
        attach_verification(run, loaded, jobs=jobs, time_limit=time_limit, method=method,
                            progress=progress)

    run, report = plan_until_adequate(plan, verify, resolution, max_rounds,
                                      lambda text: stage(f"adequacy:{text}"))
    run.adequacy = report.as_dict()
    days = profile_days(loaded.plan.profiles.resources.profile_year)
    for entry in run.adequacy["rounds"]:
        entry["extra_dates"] = [days[d].strftime("%d %b") for d in entry["extra_days"]]
    return run, grids[-1], report


def _run(loaded: LoadedPlan, resolution: Resolution, time_limit: float | None, method: str,
         stage: Stage, engine: str, jobs: int, gap: float) -> PlanRun:
    """One plan run with the engine :func:`optimiser.decompose.choose_engine` picks."""
    from optimiser.decompose import choose_engine, plan_decomposed

    if choose_engine(loaded, resolution, engine) == "decomposed":
        return plan_decomposed(loaded, resolution, time_limit, stage, jobs=jobs, gap=gap,
                               method=method, whole_if_mixed_integer=engine == "auto")
    return run_plan(loaded, resolution, time_limit, method=method, stage=stage)


def attach_verification(run: PlanRun, loaded: LoadedPlan, jobs: int = 2,
                        time_limit: float | None = None, method: str = "auto",
                        progress: Callable[[int], None] = lambda _: None) -> None:
    """Verify ``run`` hour by hour (:func:`optimiser.verify.hourly.verify`, every modelled year in
    up to ``jobs`` processes) and add the ``verified_*`` figures to its results."""
    from optimiser.verify.hourly import verify

    start = time.perf_counter()
    verified = verify(loaded, run.decisions, run.results, jobs=jobs, time_limit=time_limit,
                      method=method, progress=progress)
    run.timings["verify_s"] = time.perf_counter() - start
    attrs = {**run.results.attrs, **verified.attrs}
    run.results = run.results.merge(verified, compat="override")
    run.results.attrs.update(attrs)


def attach_bau_verification(run: PlanRun, bau_run: PlanRun, loaded: LoadedPlan,
                            jobs: int = 2, time_limit: float | None = None,
                            method: str = "auto",
                            progress: Callable[[int], None] = lambda _: None) -> None:
    """Verify the business-as-usual run hour by hour as the plan is (:func:`attach_verification`
    with the business-as-usual plan and its decisions) and attach it to the plan's results
    again, now with its verified figures (``bau_verified_*``), so that the comparison with
    business as usual is drawn on verified figures
    (:func:`optimiser.post.statistics.versus_bau`)."""
    bau_loaded = loaded._replace(plan=business_as_usual(loaded.plan))
    attach_verification(bau_run, bau_loaded, jobs=jobs, time_limit=time_limit, method=method,
                        progress=progress)
    run.timings["verify_bau_s"] = bau_run.timings["verify_s"]
    attach_bau(run.results, bau_run.results)


def write_plan_outputs(run: PlanRun, loaded: LoadedPlan, out_dir: Path, *, overwrite: bool,
                       bau: PlanRun | None = None, summary_extra: dict | None = None,
                       also: Callable[[Path, dict[str, str]], None] | None = None) -> dict:
    """Write ``results.nc``, ``summary.json`` and ``plan.json`` (the resolved inputs), and the
    business-as-usual run into ``bau/`` when there is one. If ``out_dir`` cannot be written,
    :class:`cnplan.outputs.OutputNotWrittenError` names the rescue folder that holds them.
    ``summary_extra``: more summary.json keys; ``also(folder, provenance)``: more files in
    the folder (the alternatives, :mod:`cnplan.alternatives`), written with the rest."""
    prov = provenance(loaded.sha256) | {"plan_file": str(loaded.file)}
    summ = summary(run.results, run.timings, prov)
    summ["diagnosis"] = run.diagnosis
    if run.adequacy is not None:
        summ["adequacy"] = run.adequacy
    summ.update(summary_extra or {})

    def fill(folder: Path) -> None:
        write_run_files(folder, run.results, summ, prov,
                        loaded.plan.model_dump_json(indent=2))
        if bau is not None and bau.outcome.feasible:
            bau_summ = summary(bau.results, bau.timings, prov)
            (folder / "bau").mkdir()
            write_run_files(folder / "bau", bau.results, bau_summ, prov,
                            business_as_usual(loaded.plan).model_dump_json(indent=2))
        if also is not None:
            also(folder, prov)

    write_run_dir(out_dir, fill, overwrite=overwrite, keep=("sweep",),
                  rescue_as="the solved plan")
    return summ


def write_run_files(folder: Path, results: xr.Dataset, summ: dict, prov: dict[str, str],
                    plan_json: str) -> None:
    """results.nc, summary.json and plan.json of one run into ``folder`` (a temporary
    folder that :func:`cnplan.outputs.write_run_dir` moves into place)."""
    summ = format_stamp() | summ  # the folder's format first (cnplan.runfolder)
    ds = results.copy()
    ds.attrs.update(prov | format_stamp())
    ds.to_netcdf(folder / "results.nc", engine="netcdf4")
    (folder / "summary.json").write_text(strictjson.dumps(summ, indent=2), encoding="utf-8")
    (folder / "plan.json").write_text(plan_json, encoding="utf-8")


def default_out_dir(loaded: LoadedPlan) -> Path:
    """``out/<site>_<scenario>``, e.g. ``out/tochigi_company-sofc-path``."""
    site = "".join(c if c.isalnum() else "-" for c in loaded.plan.site.name.lower())
    return Path("out") / f"{site}_{loaded.plan.scenario.slug()}"
