"""The extensive form without repetition: each (node, year)'s dispatch built once.

The per-scenario form (:func:`optimiser.stochastic.tree.build_extensive_form`) holds n whole
models and equalities x_s = x_r for every variable of the shared years, dispatch included,
although that dispatch sees the same data in every scenario of the node. This form holds
(docs/stochastic.md, "The model"):

* each scenario's capacity model (:mod:`.master`: builds, cohorts, limits, capacity costs
  C^I_s), tied by non-anticipativity on the decisions of shared years;
* one dispatch block per node-year (n, y) (:mod:`.nodes`): year y's model with the linking
  columns ξ_y (capacity totals, aged output capacity, PPA shares;
  :attr:`Context.linking`) and the year's builds tied to the node's first scenario's
  capacity model by equalities (the same rows :mod:`optimiser.decompose` holds by bounds);
* C_s = C^I_s + Σ_{(n,y) ∋ s} Q_{n,y}, Q_{n,y} the block's discounted operating cost.

The split of a scenario's model into its capacity part and its years is exact: it is the
decomposition by year's (docs/optimiser.md, "Decomposition by year"), whose subproblem at the
whole model's capacities costs that year's operating cost to 1e-9. A plan whose years are
mixed-integer (SOFC unit commitment, one-meter binaries) does not split: it keeps the
per-scenario form.

A scenario's results are its node-years' results joined along ``year``
(:func:`optimiser.decompose.run.join_years`); a target's dual in block (n, y) divided by
P_n = Σ_{s∈n} p_s is its implied price in that node (risk-neutral: the conditional price).
"""

from __future__ import annotations

import time
from typing import Any

import pyomo.environ as pyo
import xarray as xr

from optimiser.decompose.run import join_years
from optimiser.decompose.subproblems import year_inputs
from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.components.markets import one_meter_steps
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import build_model
from optimiser.post.results import extract
from optimiser.run.pipeline import target_rows
from optimiser.solve.highs import HighsSolver, SolveOutcome
from optimiser.stochastic.master import TreeModel, build_tree_model
from optimiser.stochastic.tree import (
    ExtensiveForm,
    Stage,
    StochasticError,
    StochasticRun,
    build_extensive_form,
    hold_root,
    scenario_inputs,
    solve_extensive_form,
)
from plant.loaded import LoadedPlan
from plant.scenarios import ScenarioTree


def splits_by_year(inputs: ModelInputs) -> bool:
    """Whether a plan's years are LPs of their own given the capacities (no SOFC unit
    commitment, no one-meter binaries): the condition of the shared-node form and of the
    decomposition."""
    commitment = any(getattr(t, "commitment", False) for t in inputs.plan.technologies.values())
    return not commitment and not one_meter_steps(inputs)


def build_shared_form(tree: ScenarioTree, inputs: list[ModelInputs],
                      stage: Stage = lambda _: None) -> ExtensiveForm:
    """The extensive form of ``tree`` with one dispatch block per node-year (module
    docstring)."""
    years: list[Context] = []

    def operating(tm: TreeModel) -> Any:
        m = tm.ef.m
        m.node_ties = pyo.ConstraintList()
        for k, ny in enumerate(tm.nodes):
            stage(f"dispatch of {ny.year} in node {k + 1}/{len(tm.nodes)}")
            block, ctx = build_model(year_inputs(tm.inputs[ny.first], ny.year, {}))
            block.objective.deactivate()
            if hasattr(block, "share_pin_slack"):  # a decomposition's priced slack
                for v in block.share_pin_slack.values():
                    v.fix(0.0)
            m.add_component(f"node_{k}", block)
            _tie(ctx, tm.ef.contexts[ny.first], m.node_ties)
            years.append(ctx)
        return lambda model, k: years[k].m.objective.expr * float(tm.factors[k])

    tm = build_tree_model(tree, inputs, operating, stage)
    ef = tm.ef
    ef.form = "shared-node"
    ef.dispatch = [([tree.scenarios[i].name for i in ny.scenarios], ctx)
                   for ny, ctx in zip(tm.nodes, years, strict=True)]
    paths = [tm.path(i) for i in range(len(tree.scenarios))]

    def results_of(i: int, outcome: SolveOutcome) -> xr.Dataset:
        parts = [_node_year_results(years[k], tm.nodes[k].probability, outcome)
                 for k in paths[i]]
        ds = join_years(parts, inputs[i], keep_prices=True)
        ds.attrs["probability"] = tree.scenarios[i].probability
        ds.attrs["objective"] = ds.attrs["solver_objective"] = ef.cost(i)
        return ds

    ef.results_of = results_of
    return ef


def _tie(year: Context, capacity: Context, rows: Any) -> None:
    """Free the year's held linking columns and builds and equate them with the capacity
    model's (a value the capacity model holds fixed is fixed here too)."""
    pairs = [(var, capacity.linking.get(name, capacity.investments.get(name)), name)
             for name, var in year.linking.items()]
    pairs += [(var, capacity.builds.get(key), str(key)) for key, var in year.builds.items()]
    pairs += [(var, capacity.energy_builds.get(key), str(key))
              for key, var in year.energy_builds.items()]
    for var, own, name in pairs:
        if own is None:
            raise StochasticError(f"{name}: a year's capacity column that the capacity model "
                                  "does not have")
        var.unfix()
        var.setlb(None)
        var.setub(None)
        if own.fixed:
            var.fix(own.value)
        else:
            rows.add(var == own)


def _node_year_results(ctx: Context, probability: float, outcome: SolveOutcome,
                       ) -> xr.Dataset:
    """One node-year's results; its targets' duals per unit of the node's probability."""
    own = {id(c) for c in target_rows(ctx)}
    duals = {c: d / probability for c, d in outcome.duals.items() if id(c) in own}
    status = "targets_missed" if outcome.status == "targets_missed" else outcome.status
    one = SolveOutcome(status, outcome.objective, outcome.objective, outcome.gap,
                       outcome.solve_s, outcome.transfer_s, duals)
    claim_all(ctx)
    return extract(ctx, one, {})


FORMS = ("auto", "shared-node", "per-scenario")


def build_form(tree: ScenarioTree, inputs: list[ModelInputs], stage: Stage = lambda _: None,
               form: str = "auto") -> ExtensiveForm:
    """The extensive form of ``tree``: ``shared-node`` (:func:`build_shared_form`),
    ``per-scenario`` (:func:`optimiser.stochastic.tree.build_extensive_form`) or ``auto``:
    shared-node when the plan splits by year (:func:`splits_by_year`)."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}, got {form!r}")
    if form == "per-scenario" or (form == "auto" and not splits_by_year(inputs[0])):
        return build_extensive_form(tree, inputs, stage)
    return build_shared_form(tree, inputs, stage)


def solve_tree(tree: ScenarioTree, loaded: LoadedPlan, res: Resolution, *,
               stage: Stage = lambda _: None, extract_results: bool = True,
               time_limit: float | None = None, threads: int | None = None,
               hold: dict[str, float] | None = None, form: str = "auto") -> StochasticRun:
    """Build and solve the extensive form of ``tree`` (with the root's capacity decisions held
    at ``hold``, when given)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    inputs = scenario_inputs(tree, loaded, res, stage)
    timings["prepare_s"] = time.perf_counter() - start
    start = time.perf_counter()
    ef = build_form(tree, inputs, stage, form)
    timings["build_s"] = time.perf_counter() - start
    if hold is not None:
        hold_root(ef, hold)
    run = solve_extensive_form(ef, HighsSolver(time_limit=time_limit, threads=threads),
                               extract_results=extract_results, stage=stage)
    run.timings = {**timings, **run.timings}
    run.size = model_size(ef)
    return run


def model_size(ef: ExtensiveForm) -> dict[str, Any]:
    """Rows, columns and non-zeros of the LP of ``ef`` as HiGHS received it, and its form."""
    return {"form": ef.form, **ef.lp_size}
