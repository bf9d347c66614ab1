"""A stochastic plan run (``cnplan plan --scenarios``): solve, assess, write one folder.

The folder holds ``results.nc`` (every scenario's results along a ``scenario`` dimension),
``summary.json`` (expected cost, CVaR, costs per scenario, the shared first stage, the
recourse, VSS, EVPI, regret and option values), ``plan.json`` and ``scenarios.json`` (the
inputs) and the report. Every figure comes from the solved models
(:mod:`optimiser.stochastic.hedging`).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from cnplan import strictjson
from cnplan.outputs import provenance, write_run_dir
from cnplan.runfolder import format_stamp
from optimiser.formulate.inputs import Resolution
from optimiser.run.pipeline import prepare_inputs
from optimiser.stochastic.hedging import Assessment, assess
from optimiser.stochastic.shared import solve_tree
from optimiser.stochastic.tree import Stage, StochasticRun, cvar
from plant.loaded import LoadedPlan
from plant.scenarios import ScenarioTree, without_new_capacity
from plant.schema import SOFC

#: Above this many scenarios the regret table (one extensive-form solve per scenario) is
#: left out unless asked for.
REGRET_LIMIT = 10
#: A build below this is not a decision [MW]
MIN_BUILD_MW = 1e-3
#: Hours in a year: an efficiency measure's average MW saved × this = MWh/yr saved.
HOURS_PER_YEAR = 8760.0


def run_tree(loaded: LoadedPlan, tree: ScenarioTree, res: Resolution, *,
             time_limit: float | None = None, stage: Stage = lambda _: None,
             metrics: bool = True, regret: bool | None = None,
             solving: Any = None) -> Assessment:
    """Solve ``tree`` (the extensive form, or decomposed as ``solving`` says:
    :class:`cnplan.cli_scenarios.Solving`) and, with ``metrics``, its VSS, EVPI, regret (by
    default for trees of at most :data:`REGRET_LIMIT` scenarios) and the option value of new
    SOFC capacity (when the plan offers it)."""
    regret = len(tree.scenarios) <= REGRET_LIMIT if regret is None else regret
    offers_sofc = any(isinstance(t, SOFC) for t in loaded.plan.technologies.values())
    kinds = (SOFC,) if offers_sofc else ()

    def prepare(plan: Any) -> Any:
        return prepare_inputs(loaded._replace(plan=plan), res)

    if solving is not None and solving.solver == "decomposed":
        from optimiser.stochastic.decomposed import DecomposedMeasures, solve_tree_decomposed
        from optimiser.stochastic.subproblems import subproblem_pool

        # the measures are differences of optima: each is solved to MEASURES_GAP at least
        gap = min(solving.gap, MEASURES_GAP) if metrics else solving.gap
        with subproblem_pool(solving.workers, solving.scheduler) as pool:
            rp, dt, mean = solve_tree_decomposed(tree, loaded, res, pool, gap=gap,
                                                 time_limit=time_limit, stage=stage)
            if not metrics:
                return Assessment(rp)
            return assess(rp, prepare, regret=regret, option_kinds=kinds,
                          no_new=without_new_capacity, stage=stage,
                          measures=DecomposedMeasures(dt, mean))
    rp = solve_tree(tree, loaded, res, stage=stage, time_limit=time_limit)
    if not metrics:
        return Assessment(rp)
    return assess(rp, prepare, regret=regret, option_kinds=kinds, no_new=without_new_capacity,
                  stage=stage)


def scenarios_sha256(tree: ScenarioTree) -> str:
    """Hash of the resolved tree (names, probabilities, overrides, risk)."""
    text = json.dumps(tree_json(tree), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def tree_json(tree: ScenarioTree) -> dict[str, Any]:
    """The resolved tree as JSON (``scenarios.json``)."""
    return {"file": str(tree.file) if tree.file else None, "description": tree.description,
            "stages": list(tree.stages),
            "risk": {"cvar_alpha": tree.risk.cvar_alpha, "weight": tree.risk.weight},
            "scenarios": [{"name": s.name, "probability": s.probability,
                           "set": {str(y): dict(kv) for y, kv in s.sets},
                           "source": s.source} for s in tree.scenarios],
            "sources": dict(tree.sources)}


def combined_results(run: StochasticRun) -> xr.Dataset:
    """Every scenario's results along a ``scenario`` dimension, with its probability and
    cost."""
    names = [s.name for s in run.ef.tree.scenarios]
    parts = []
    for ds in run.results:
        one = ds.copy()
        one.attrs = {}
        parts.append(one)
    out = xr.concat(parts, dim="scenario", coords="minimal", compat="override",
                    join="outer")
    out = out.assign_coords(scenario=names)
    out["probability"] = ("scenario", run.ef.tree.probabilities)
    out["probability"].attrs.update(units="1", long_name="probability of the scenario")
    out["scenario_cost"] = ("scenario", run.costs)
    out["scenario_cost"].attrs.update(units=run.results[0].attrs["currency"],
                                      long_name="net present cost of the scenario")
    out.attrs.update({k: v for k, v in run.results[0].attrs.items()
                      if k not in ("objective", "solver_objective", "probability")})
    out.attrs["stages"] = list(run.ef.tree.stages)
    return out


def _builds(ds: xr.Dataset, years: list[int]) -> list[dict[str, Any]]:
    """Capacity built per technology and year among ``years`` (above :data:`MIN_BUILD_MW`):
    ``build_mw`` as the results hold it (an efficiency measure: average MW saved), and
    ``amount`` in ``unit``, the technology's capacity unit (MW; an efficiency measure
    MWh/yr saved, = 8760 × average MW)."""
    rows = []
    for tech in ds["tech"].values:
        for year in years:
            mw = float(ds["build"].sel(tech=tech, year=year))
            if mw > MIN_BUILD_MW:
                meta = ds.sel(tech=tech)
                unit = str(meta["tech_capacity_unit"].values)
                rows.append({"tech": str(tech), "label": str(meta["tech_label"].values),
                             "kind": str(meta["tech_kind"].values), "year": int(year),
                             "build_mw": mw, "unit": unit,
                             "amount": mw * HOURS_PER_YEAR if unit == "MWh/yr" else mw})
    return rows


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


#: A difference of two objectives below this share of the objective is solver noise (HiGHS's
#: tolerances are ~1e-7 relative on a model scaled to ~1): written as exactly 0. A decomposed
#: tree's optima are known to their gap: a difference within it is written as 0 too.
NOISE = 1e-9
#: The gap to which a decomposed tree and its value measures are solved when the measures
#: are asked for (VSS, EVPI and regret are differences of optima).
MEASURES_GAP = 1e-6


def _difference(value: float | None, scale: float, noise: float = NOISE) -> float | None:
    """A difference of costs (VSS, EVPI, regret), with noise written as 0; None if infinite."""
    value = _finite(value)
    if value is None:
        return None
    return 0.0 if abs(value) <= noise * abs(scale) else value


def stochastic_summary(assessment: Assessment, loaded: LoadedPlan,
                       timings: dict[str, float]) -> dict[str, Any]:
    """summary.json of a stochastic run, from the solved models' numbers."""
    rp = assessment.rp
    tree = rp.ef.tree
    p = tree.probabilities
    ds = rp.results[0] if rp.results else None
    years = [int(y) for y in ds["year"].values] if ds is not None else loaded.plan.years()
    first = [y for y in years if len(tree.stages) < 2 or y < tree.stages[1]]
    later = [y for y in years if y not in first]
    out: dict[str, Any] = {
        "kind": "stochastic",
        "site": loaded.plan.site.name,
        "status": rp.outcome.status,
        "currency": ds.attrs["currency"] if ds is not None else loaded.plan.site.currency,
        "stages": list(tree.stages),
        "risk": {"cvar_alpha": tree.risk.cvar_alpha, "weight": tree.risk.weight},
        "diagnosis": rp.diagnosis,
        "nonanticipativity_equalities": rp.ef.nonanticipative,
        "solver": rp.size,
        "timings": timings,
    }
    if not rp.feasible:
        return out
    out |= {
        "objective": rp.objective,
        "expected_cost": float(np.dot(p, rp.costs)),
        "cvar": cvar(rp.costs, p, tree.risk.cvar_alpha),
        "scenarios": [{"name": s.name, "probability": s.probability, "cost": float(c),
                       "set": s.values(), "source": s.source,
                       "wait_and_see_cost": _finite(float(assessment.wait_and_see[i]))
                       if assessment.wait_and_see is not None else None,
                       "recourse": _builds(d, later)}
                      for i, (s, c, d) in enumerate(zip(tree.scenarios, rp.costs, rp.results,
                                                        strict=True))],
        "first_stage_years": first,
        "first_stage": _builds(ds, first) if ds is not None else [],
    }
    ev = assessment.ev
    out["eev"] = _finite(ev.objective) if ev else None
    out["eev_note"] = ev.note if ev else "the mean-value plan was not evaluated"
    scale = rp.objective
    noise = max(NOISE, 2.0 * rp.size.get("gap", 0.0)) if rp.size.get("form") == "decomposed" \
        else NOISE
    out["measures_noise"] = noise

    def diff(value: float | None) -> float | None:
        return _difference(value, scale, noise)

    out["vss"] = diff(assessment.vss)
    out["wait_and_see"] = _finite(assessment.ws)
    out["evpi"] = diff(assessment.evpi)
    policies = ([ev] if ev else []) + assessment.regret
    out["regret"] = [{"plan": pol.name, "costs": [_finite(float(c)) for c in pol.costs],
                      "objective": _finite(pol.objective),
                      "regret": diff(pol.objective - rp.objective),
                      "max_regret": diff(float(np.max(pol.costs - rp.costs))),
                      "note": pol.note} for pol in policies]
    out["option_value"] = {kind: {"value": diff(assessment.option_value(kind)),
                                  "without_objective": _finite(run.objective)
                                  if run.feasible else None,
                                  "feasible_without": run.feasible,
                                  "diagnosis": run.diagnosis}
                           for kind, run in assessment.without.items()}
    out["sofc"] = _sofc_story(out, rp, loaded)
    return out


def _sofc_story(summary: dict[str, Any], rp: StochasticRun, loaded: LoadedPlan,
                ) -> dict[str, Any]:
    """When and in which scenarios SOFC capacity is built, with the fuel price each sees."""
    sofc = [n for n, t in loaded.plan.technologies.items() if isinstance(t, SOFC)]
    if not sofc:
        return {}
    now = [b for b in summary["first_stage"] if b["tech"] in sofc]
    later: dict[str, list[dict[str, Any]]] = {}
    prices: dict[str, float | None] = {}
    tree = rp.ef.tree
    reveal = tree.stages[1] if len(tree.stages) > 1 else None
    fuel = getattr(loaded.plan.technologies[sofc[0]], "fuel", None)
    for s, entry in zip(tree.scenarios, summary["scenarios"], strict=True):
        later[s.name] = [b for b in entry["recourse"] if b["tech"] in sofc]
        fuels = s.plan.fuels
        prices[s.name] = (fuels[fuel].price_per_mwh.at(reveal)
                          if fuel in fuels and reveal is not None else None)
    return {"technologies": sofc, "fuel": fuel, "reveal_year": reveal, "now": now,
            "later": later, "fuel_price_at_reveal": prices}


def write_stochastic_outputs(assessment: Assessment, loaded: LoadedPlan, out_dir: Path, *,
                             overwrite: bool, timings: dict[str, float]) -> dict[str, Any]:
    """Write the run folder in one rename (:func:`cnplan.outputs.write_run_dir`); if it cannot
    be written, :class:`cnplan.outputs.OutputNotWrittenError` names the rescue folder."""
    rp = assessment.rp
    tree = rp.ef.tree
    prov = provenance(loaded.sha256) | {"plan_file": str(loaded.file),
                                        "scenarios_sha256": scenarios_sha256(tree),
                                        "scenarios_file": str(tree.file or "")}
    summ = format_stamp() | prov | stochastic_summary(assessment, loaded, timings)

    def fill(folder: Path) -> None:
        if rp.results:
            ds = combined_results(rp)
            ds.attrs.update(prov | format_stamp())
            ds.to_netcdf(folder / "results.nc", engine="netcdf4")
        (folder / "summary.json").write_text(strictjson.dumps(summ, indent=2),
                                             encoding="utf-8")
        (folder / "plan.json").write_text(loaded.plan.model_dump_json(indent=2),
                                          encoding="utf-8")
        (folder / "scenarios.json").write_text(strictjson.dumps(tree_json(tree), indent=2),
                                               encoding="utf-8")

    write_run_dir(out_dir, fill, overwrite=overwrite, rescue_as="the solved plan")
    return summ
