"""Stochastic planning: the extensive form of a scenario tree, solved as one LP by HiGHS.

Each scenario s of a :class:`plant.scenarios.ScenarioTree` is the deterministic model of its
plan (:func:`optimiser.formulate.model.build_model`), held as a block of one Pyomo model. Decisions
of the years a node of the tree decides are equal across the scenarios in that node
(non-anticipativity: for every variable x of year y, x_s = x_r with r the node's first
scenario; variables without a year, such as a PPA's share, are decided at the root). The
objective (docs/stochastic.md):

    min (1 − w)·Σ_s p_s C_s + w·(η + 1/(1 − α)·Σ_s p_s z_s),   z_s ≥ C_s − η,  z_s ≥ 0

with C_s the net present cost of scenario s (:func:`optimiser.formulate.model.discounted_total`), α
the CVaR level and w its weight (Rockafellar & Uryasev 2000, "Optimization of conditional
value-at-risk", J. Risk 2(3): the minimum over η is CVaR_α, the mean of the worst 1 − α of the
cost distribution). Every scenario meets its targets; a target's dual divided by p_s is its
shadow price in that scenario (currency per t; in the risk-neutral case the conditional
price).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import build_model, plan_money_scale
from optimiser.post.results import extract
from optimiser.run.pipeline import (
    free_target_slack,
    prepare_inputs,
    target_rows,
    target_shortfalls,
    undo_relaxations,
)
from optimiser.run.session import structure_key
from optimiser.solve.highs import HighsSolver, SolveOutcome
from plant.loaded import LoadedPlan
from plant.scenarios import ScenarioTree
from plant.schema import Plan

Stage = Callable[[str], None]
#: Pure CVaR (weight 1) leaves the scenarios outside the worst 1 − α free to cost anything
#: below the tail; a second solve then minimises the expected cost with the CVaR held at its
#: optimum plus this share of it (the first solve's plan meets that cap; a larger share lets
#: the tail cost drift).
CVAR_SLACK = 1e-9


class StochasticError(ValueError):
    """Scenario models that cannot share decisions (their structure differs in a year)."""


@dataclass
class ExtensiveForm:
    """The built extensive form: one block per scenario, linked by non-anticipativity."""

    tree: ScenarioTree
    m: pyo.ConcreteModel
    contexts: list[Context]
    scale: float
    """Unit of the objective (currency): the largest of the scenarios' money scales."""
    nonanticipative: int = 0
    """Number of equalities x_s = x_r added."""
    root_investments: list[str] = field(default_factory=list)
    """Names (inside a scenario block) of the capacity decisions taken at the root."""
    dispatch: list[tuple[list[str], Context]] = field(default_factory=list)
    """(scenarios, model) of every block that holds dispatch and targets: each scenario's
    own model here; the node-years in the shared-node form (:mod:`.shared`)."""
    results_of: Callable[[int, SolveOutcome], xr.Dataset] | None = None
    """Scenario i's results from the solved model (None: :func:`_scenario_results`)."""
    form: str = "per-scenario"
    """``per-scenario`` (one whole model per scenario) or ``shared-node``."""
    inputs: list[ModelInputs] = field(default_factory=list)
    """Each scenario's model inputs (with time steps)."""
    lp_size: dict[str, int] = field(default_factory=dict)
    """Rows, columns and non-zeros of the LP at its first solve."""

    def blocks(self) -> list[tuple[list[str], Context]]:
        """:attr:`dispatch`, or each scenario with its own model."""
        return self.dispatch or [([s.name], ctx) for s, ctx in zip(self.tree.scenarios,
                                                                     self.contexts,
                                                                     strict=True)]

    def cost(self, i: int) -> float:
        """Net present cost of scenario i in the solved model [currency]."""
        return float(pyo.value(self.m.cost[i])) * self.scale

    def costs(self) -> np.ndarray:
        """C_s of every scenario [currency]."""
        return np.array([self.cost(i) for i in range(len(self.contexts))])

    def root_decisions(self) -> dict[str, float]:
        """Solved values of the root's capacity decisions (as the first scenario holds them)."""
        ctx = self.contexts[0]
        return {name: float(ctx.investments[name].value or 0.0)
                for name in self.root_investments}


def inputs_like(plan: Plan, like: ModelInputs, prepare: Callable[[Plan], ModelInputs],
                ) -> ModelInputs:
    """Inputs of ``plan``: ``like``'s (profiles, time aggregation) when the two plans differ in
    prices only (:func:`optimiser.run.session.structure_key`), else ``prepare(plan)``."""
    if structure_key(plan) == structure_key(like.plan):
        return like.for_plan(plan)
    return prepare(plan)


def scenario_inputs(tree: ScenarioTree, loaded: LoadedPlan, res: Resolution,
                    stage: Stage = lambda _: None) -> list[ModelInputs]:
    """Model inputs of every scenario; those that differ from the base plan in prices only
    share its profiles and time aggregation (:func:`inputs_like`)."""
    stage("profiles")
    base = prepare_inputs(loaded, res)

    def prepare(plan: Plan) -> ModelInputs:
        stage("profiles of a scenario")
        return prepare_inputs(loaded._replace(plan=plan), res)

    return [inputs_like(s.plan, base, prepare) for s in tree.scenarios]


def build_extensive_form(tree: ScenarioTree, inputs: list[ModelInputs],
                         stage: Stage = lambda _: None) -> ExtensiveForm:
    """One model: the scenarios' models as blocks, non-anticipativity and the risk objective."""
    ef = pyo.ConcreteModel(name="extensive form")
    contexts = []
    for i, (s, inp) in enumerate(zip(tree.scenarios, inputs, strict=True)):
        stage(f"building scenario {i + 1}/{len(inputs)} ({s.name})")
        m, ctx = build_model(inp)
        m.objective.deactivate()
        ef.add_component(f"scenario_{i}", m)
        contexts.append(ctx)
    scale = max(plan_money_scale(s.plan) for s in tree.scenarios)
    n = range(len(contexts))
    ef.cost = pyo.Expression(n, rule=lambda _, i: contexts[i].m.objective.expr * (
        contexts[i].m.money_scale / scale))
    out = ExtensiveForm(tree, ef, contexts, scale, inputs=list(inputs))
    out.nonanticipative = link_nodes(out)
    out.root_investments = root_investments(tree, contexts[0], inputs[0].years)
    add_risk_objective(out)
    return out


def root_investments(tree: ScenarioTree, ctx: Context, years: list[int]) -> list[str]:
    """Names of the capacity decisions of ``ctx`` taken at the root (years before the second
    stage, and decisions without a year)."""
    return [name for name, var in ctx.investments.items()
            if tree.stage_of(_year_of(var.index(), years) or years[0]) == 0]


def _year_of(index: Any, years: list[int]) -> int | None:
    """The modelled year in a variable's index, if it has one."""
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if isinstance(part, int) and part in years:
            return part
    return None


def _decisions(ctx: Context) -> list[tuple[str, Any, int | None]]:
    """(name inside the scenario block, variable, year) of every variable of a scenario."""
    years = ctx.inputs.years
    out = []
    for comp in ctx.m.component_objects(pyo.Var, active=True, descend_into=True):
        cname = comp.getname(fully_qualified=True, relative_to=ctx.m)
        for index, var in comp.items():
            out.append((f"{cname}[{index!r}]", var, _year_of(index, years)))
    return out


def link_nodes(ef: ExtensiveForm) -> int:
    """x_s = x_r for every variable of a year that a tree node decides (r: the node's first
    scenario); returns how many equalities were added."""
    tree, m = ef.tree, ef.m
    m.nonanticipative = pyo.ConstraintList()
    reference: dict[tuple[str, str], Any] = {}
    added = 0
    decisions = [_decisions(ctx) for ctx in ef.contexts]
    for s, own in zip(tree.scenarios, decisions, strict=True):
        for name, var, year in own:
            key = (tree.node(s, year), name)
            ref = reference.setdefault(key, var)
            if ref is var:
                continue
            if var.fixed and ref.fixed:
                if abs((var.value or 0.0) - (ref.value or 0.0)) > 1e-9:
                    raise StochasticError(f"{name} is fixed at different values in scenarios "
                                          "that share its decision")
                continue
            m.nonanticipative.add(var == ref)
            added += 1
    names = [{n for n, _, _ in own} for own in decisions]
    for s, own_names in zip(tree.scenarios[1:], names[1:], strict=True):
        if own_names != names[0]:
            extra = sorted(own_names ^ names[0])[:3]
            raise StochasticError(f"scenario {s.name!r} builds a model with other decisions "
                                  f"than {tree.scenarios[0].name!r} ({', '.join(extra)}, ...): "
                                  "scenarios may change prices and trajectories, not which "
                                  "technologies or limits exist")
    return added


def add_risk_objective(ef: ExtensiveForm) -> None:
    """(1 − w)·E[C] + w·CVaR_α[C] in the unit ``ef.scale`` (module docstring)."""
    m, risk = ef.m, ef.tree.risk
    p = ef.tree.probabilities
    n = range(len(p))
    expected = pyo.quicksum(float(p[i]) * m.cost[i] for i in n)
    if risk.weight == 0:
        m.objective = pyo.Objective(expr=expected, sense=pyo.minimize)
        return
    m.var_level = pyo.Var(domain=pyo.Reals)  # η, the value-at-risk at the optimum
    m.excess = pyo.Var(n, domain=pyo.NonNegativeReals)
    m.excess_def = pyo.Constraint(n, rule=lambda _, i: m.excess[i] >= m.cost[i] - m.var_level)
    cvar = m.var_level + pyo.quicksum(float(p[i]) * m.excess[i] for i in n) / (
        1.0 - risk.cvar_alpha)
    m.objective = pyo.Objective(expr=(1.0 - risk.weight) * expected + risk.weight * cvar,
                                sense=pyo.minimize)
    m.expected_cost = pyo.Objective(expr=expected, sense=pyo.minimize)
    m.expected_cost.deactivate()


def cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """CVaR_α of a discrete cost distribution: min_η η + Σ p (C − η)⁺ / (1 − α), attained at
    η = VaR_α (the smallest cost with P(C ≤ η) ≥ α)."""
    order = np.argsort(costs)
    c, p = costs[order], probabilities[order]
    var = c[min(int(np.searchsorted(np.cumsum(p), alpha - 1e-12)), len(c) - 1)]
    return float(var + np.sum(p * np.maximum(c - var, 0.0)) / (1.0 - alpha))


def risk_objective(costs: np.ndarray, probabilities: np.ndarray, alpha: float,
                   weight: float) -> float:
    """(1 − w)·E[C] + w·CVaR_α[C] of a cost distribution (the objective the tree minimises)."""
    expected = float(np.dot(probabilities, costs))
    if weight == 0:
        return expected
    return (1.0 - weight) * expected + weight * cvar(costs, probabilities, alpha)


@dataclass
class StochasticRun:
    """A solved extensive form: status, costs and (optionally) each scenario's results."""

    ef: ExtensiveForm
    outcome: SolveOutcome
    costs: np.ndarray
    objective: float
    """(1 − w)·E[C] + w·CVaR_α[C] [currency]."""
    results: list[xr.Dataset] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    size: dict[str, Any] = field(default_factory=dict)
    """The model's form and size (:func:`optimiser.stochastic.shared.model_size`)."""

    @property
    def feasible(self) -> bool:
        return self.outcome.feasible and self.outcome.status != "targets_missed"


def hold_root(ef: ExtensiveForm, decisions: dict[str, float]) -> list[Any]:
    """Fix the root's capacity decisions of every scenario at ``decisions`` (a first stage to
    evaluate); returns the variables it fixed, for :func:`release`."""
    held = []
    for ctx in ef.contexts:
        for name, value in decisions.items():
            var = ctx.investments[name]
            if not var.fixed:
                var.fix(max(value, 0.0))
                held.append(var)
    return held


def release(held: list[Any]) -> None:
    """Unfix what :func:`hold_root` fixed."""
    for var in held:
        var.unfix()


def solve_extensive_form(ef: ExtensiveForm, solver: HighsSolver | None = None, *,
                         extract_results: bool = True, stage: Stage = lambda _: None,
                         ) -> StochasticRun:
    """Solve ``ef``; if its targets cannot all be met, re-solve with priced target slack and
    say which scenario misses which target, when and by how much."""
    solver = solver or HighsSolver()
    m = ef.m
    targets = [c for _, ctx in ef.blocks() for c in target_rows(ctx)]
    stage("solve")
    outcome = solver.solve(m, duals_of=targets)
    ef.lp_size = ef.lp_size or solver.size()
    diagnosis: list[str] = []
    try:
        if outcome.status == "infeasible":
            stage("diagnose")
            outcome, diagnosis = _diagnose(solver, ef, targets)
        if outcome.status == "optimal" and ef.tree.risk.weight == 1.0:
            stage("least expected cost within the CVaR")
            diagnosis += _least_expected_within(solver.fresh(), ef, outcome.objective)
        run = StochasticRun(ef, outcome.rescaled(ef.scale), np.full(len(ef.contexts), np.nan),
                            np.nan, diagnosis=diagnosis,
                            timings={"solve_s": outcome.solve_s,
                                     "transfer_s": outcome.transfer_s})
        if not outcome.feasible:
            return run
        run.costs = ef.costs()
        risk = ef.tree.risk
        run.objective = risk_objective(run.costs, ef.tree.probabilities, risk.cvar_alpha,
                                       risk.weight)
        if extract_results:
            stage("extract")
            start = time.perf_counter()
            results_of = ef.results_of or functools.partial(_scenario_results, ef)
            run.results = [results_of(i, run.outcome) for i in range(len(ef.contexts))]
            run.timings["extract_s"] = time.perf_counter() - start
    finally:
        for _, ctx in ef.blocks():
            undo_relaxations(ctx)
    return run


def _least_expected_within(solver: HighsSolver, ef: ExtensiveForm, risk: float) -> list[str]:
    """Second solve of a pure-CVaR plan: min E[C] s.t. CVaR_α ≤ its optimum (1 + CVAR_SLACK),
    so the scenarios outside the tail are planned at least cost too (the duals stay those of
    the CVaR problem). ``solver``: a new one (the cap is a new row). If it fails, the first
    solve's plan stands and the returned note says so."""
    m = ef.m
    m.cvar_cap = pyo.Constraint(expr=m.objective.expr <= risk + CVAR_SLACK * max(abs(risk), 1.0))
    m.objective.deactivate()
    m.expected_cost.activate()
    try:
        second = solver.solve(m)
    finally:
        m.expected_cost.deactivate()
        m.objective.activate()
        m.del_component(m.cvar_cap)
    if second.feasible:
        return []
    return [f"the scenarios outside the CVaR tail are as the CVaR solve left them: the "
            f"least-expected-cost re-solve ended in {second.status} ({second.message})"]


def _scenario_results(ef: ExtensiveForm, i: int, outcome: SolveOutcome) -> xr.Dataset:
    """Scenario i's results, with its targets' duals per unit of its probability."""
    ctx = ef.contexts[i]
    p = ef.tree.scenarios[i].probability
    own = {id(c) for c in target_rows(ctx)}
    duals = {c: d / p for c, d in outcome.duals.items() if id(c) in own}
    status = "targets_missed" if outcome.status == "targets_missed" else outcome.status
    scenario_outcome = SolveOutcome(status, ef.cost(i), ef.cost(i), outcome.gap,
                                    outcome.solve_s, outcome.transfer_s, duals)
    claim_all(ctx)
    ds = extract(ctx, scenario_outcome, {})
    ds.attrs["probability"] = p
    return ds


def _diagnose(solver: HighsSolver, ef: ExtensiveForm, targets: list,
              ) -> tuple[SolveOutcome, list[str]]:
    """Re-solve with the targets' slack priced in every scenario; name the misses."""
    for _, ctx in ef.blocks():
        free_target_slack(ctx)
    outcome = solver.solve(ef.m, duals_of=targets)
    if not outcome.feasible:
        return outcome, ["infeasible even with the targets relaxed: check pins and build "
                         "limits (run the plan without --scenarios for its own diagnosis)"]
    outcome.status = "targets_missed"
    lines = [f"scenario {', '.join(names)}: {line}" for names, ctx in ef.blocks()
             for line in target_shortfalls(ctx)]
    return outcome, lines
