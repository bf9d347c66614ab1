"""What a stochastic plan is worth: VSS, EVPI, regret and the option value of a technology.

All figures are the risk objective F(C) = (1 − w)·E[C] + w·CVaR_α[C] of cost distributions
C = (C_1 … C_n) over the tree's scenarios (:func:`optimiser.stochastic.tree.risk_objective`;
docs/stochastic.md, Birge & Louveaux, "Introduction to Stochastic Programming", 2nd ed.
2011, §4.1-4.2):

* RP: the stochastic plan (recourse problem), F(C(x*)).
* EV plan: the deterministic plan of the mean-value plan (every changed field at its
  probability-weighted mean); EEV = F(C(x̄)), its root decisions x̄ held in every scenario and
  the rest re-optimised. VSS = EEV − RP ≥ 0.
* WS (wait and see): each scenario planned with perfect foresight, F of those costs.
  EVPI = RP − WS ≥ 0.
* Regret: each scenario's own plan's root decisions x_k held in every scenario: C_j(x_k),
  F(C(x_k)) and F(C(x_k)) − RP ≥ 0 (the cost of betting on scenario k).
* Option value of a technology kind: RP without new capacity of that kind − RP ≥ 0.

A held first stage can make a later target unreachable in some scenario; its cost is then
infinite (reported as such, with the scenario named).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from optimiser.formulate.inputs import ModelInputs
from optimiser.stochastic.shared import build_form
from optimiser.stochastic.tree import (
    ExtensiveForm,
    StochasticRun,
    hold_root,
    inputs_like,
    release,
    risk_objective,
    solve_extensive_form,
)
from plant.scenarios import Scenario, ScenarioTree

Stage = Callable[[str], None]


@dataclass
class PolicyCosts:
    """A first stage held in every scenario: the costs that follow."""

    name: str
    costs: np.ndarray
    """C_j per scenario [currency]; inf where the targets cannot then be met."""
    objective: float
    decisions: dict[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass
class Assessment:
    """The stochastic plan and what it is worth against simpler ways of deciding."""

    rp: StochasticRun
    ev: PolicyCosts | None = None
    """The mean-value plan's first stage, evaluated in every scenario (EEV)."""
    wait_and_see: np.ndarray | None = None
    """Each scenario's cost with perfect foresight [currency]."""
    regret: list[PolicyCosts] = field(default_factory=list)
    without: dict[str, StochasticRun] = field(default_factory=dict)
    """kind -> the stochastic plan with no new capacity of that kind."""
    timings: dict[str, float] = field(default_factory=dict)

    def _f(self, costs: np.ndarray) -> float:
        risk = self.rp.ef.tree.risk
        if not np.all(np.isfinite(costs)):
            return float("inf")
        return risk_objective(costs, self.rp.ef.tree.probabilities, risk.cvar_alpha,
                              risk.weight)

    @property
    def vss(self) -> float | None:
        """EEV − RP [currency]."""
        return None if self.ev is None else self.ev.objective - self.rp.objective

    @property
    def ws(self) -> float | None:
        return None if self.wait_and_see is None else self._f(self.wait_and_see)

    @property
    def evpi(self) -> float | None:
        """RP − WS [currency]."""
        return None if self.ws is None else self.rp.objective - self.ws

    def option_value(self, kind: str) -> float | None:
        """RP without new ``kind`` − RP [currency] (inf if the plan then misses a target)."""
        run = self.without.get(kind)
        if run is None:
            return None
        return (run.objective if run.feasible else float("inf")) - self.rp.objective


def evaluate_policy(ef: ExtensiveForm, name: str, decisions: dict[str, float],
                    stage: Stage = lambda _: None) -> PolicyCosts:
    """Costs in every scenario with the root's capacity decisions held at ``decisions``."""
    held = hold_root(ef, decisions)
    try:
        run = solve_extensive_form(ef, extract_results=False, stage=stage)
    finally:
        release(held)
    if not run.feasible:
        misses = "; ".join(run.diagnosis[:3])
        return PolicyCosts(name, np.full(len(ef.contexts), np.inf), float("inf"), decisions,
                           f"its first stage cannot meet every target: {misses}")
    return PolicyCosts(name, run.costs, run.objective, decisions)


def _single(tree: ScenarioTree, scenario: Scenario, inputs: ModelInputs,
            stage: Stage, form: str = "auto") -> StochasticRun:
    """``scenario`` planned alone, with perfect foresight."""
    ef = build_form(tree.single(scenario), [inputs], form=form)
    return solve_extensive_form(ef, extract_results=False, stage=stage)


class Measures(Protocol):
    """What the value measures need of a solved tree, however it was solved."""

    def policy(self, name: str, decisions: dict[str, float], stage: Stage) -> PolicyCosts:
        """Costs in every scenario with the root's capacity decisions held at ``decisions``."""
        ...

    def alone(self, i: int, stage: Stage) -> tuple[float, dict[str, float] | None]:
        """Scenario i planned with perfect foresight: its cost (inf if it cannot meet its
        targets) and its root decisions."""
        ...

    def mean_value_decisions(self, stage: Stage) -> dict[str, float] | None:
        """The root decisions of the mean-value plan (None if it has no plan)."""
        ...

    def without(self, transform: Callable[[Any], Any], stage: Stage) -> StochasticRun:
        """The stochastic plan with ``transform`` applied to every scenario's plan."""
        ...


@dataclass
class ExtensiveMeasures:
    """The measures by solving extensive forms (:func:`evaluate_policy`, one tree per
    scenario for perfect foresight, the mean-value plan as a tree of one)."""

    ef: ExtensiveForm
    prepare: Callable[[Any], ModelInputs]

    def policy(self, name: str, decisions: dict[str, float], stage: Stage) -> PolicyCosts:
        return evaluate_policy(self.ef, name, decisions, stage)

    def alone(self, i: int, stage: Stage) -> tuple[float, dict[str, float] | None]:
        ef = self.ef
        run = _single(ef.tree, ef.tree.scenarios[i], ef.inputs[i], stage, ef.form)
        if not run.feasible:
            return float("inf"), None
        return float(run.costs[0]), run.ef.root_decisions()

    def mean_value_decisions(self, stage: Stage) -> dict[str, float] | None:
        ef = self.ef
        tree = ef.tree
        mean = tree.mean_plan(tree.scenarios[0].plan)
        stage("mean-value plan")
        run = _single(tree, Scenario("mean value", 1.0, mean, ()),
                      inputs_like(mean, ef.inputs[0], self.prepare), stage, ef.form)
        return run.ef.root_decisions() if run.feasible else None

    def without(self, transform: Callable[[Any], Any], stage: Stage) -> StochasticRun:
        return _without(self.ef, transform)


def assess(rp: StochasticRun, prepare: Callable[[Any], ModelInputs],
           *, regret: bool = True, option_kinds: tuple[type, ...] = (),
           no_new: Callable[[Any, type], Any] | None = None,
           stage: Stage = lambda _: None, measures: Measures | None = None) -> Assessment:
    """VSS, EVPI, regret and option values of a solved stochastic plan ``rp``.

    ``prepare(plan)`` makes model inputs for a plan of another structure than the scenarios';
    ``no_new(plan, cls)`` is the plan without new capacity of technology class ``cls`` (one
    option value per class in ``option_kinds``). ``measures``: how the measures' problems
    are solved (default: extensive forms, :class:`ExtensiveMeasures`).
    """
    out = Assessment(rp)
    if not rp.feasible:
        return out
    how = measures or ExtensiveMeasures(rp.ef, prepare)
    start = time.perf_counter()
    mean = how.mean_value_decisions(stage)
    if mean is not None:
        stage("mean-value plan in every scenario")
        out.ev = how.policy("mean-value plan", mean, stage)
    out.timings["ev_s"] = time.perf_counter() - start
    start = time.perf_counter()
    costs, own = [], []
    n = len(rp.ef.tree.scenarios)
    for i, s in enumerate(rp.ef.tree.scenarios):
        stage(f"perfect foresight: {s.name} ({i + 1}/{n})")
        cost, decisions = how.alone(i, stage)
        costs.append(cost)
        own.append(decisions)
    out.wait_and_see = np.array(costs)
    out.timings["ws_s"] = time.perf_counter() - start
    if regret:
        start = time.perf_counter()
        for s, decisions in zip(rp.ef.tree.scenarios, own, strict=True):
            if decisions is not None:
                stage(f"regret: {s.name}'s plan in every scenario")
                out.regret.append(how.policy(f"{s.name}'s plan", decisions, stage))
        out.timings["regret_s"] = time.perf_counter() - start
    if no_new is not None:
        for cls in option_kinds:
            start = time.perf_counter()
            stage(f"option value: without new {cls.__name__}")
            out.without[cls.__name__] = how.without(functools.partial(_no_new, no_new, cls),
                                                    stage)
            out.timings[f"option_{cls.__name__}_s"] = time.perf_counter() - start
    return out


def _no_new(no_new: Callable[[Any, type], Any], cls: type, plan: Any) -> Any:
    return no_new(plan, cls)


def _without(ef: ExtensiveForm, transform: Callable[[Any], Any]) -> StochasticRun:
    """The stochastic plan of ``ef``'s tree with ``transform`` applied to every scenario's plan
    (the time grid kept: it does not depend on which technologies may be built)."""
    variant = ef.tree.with_plan(transform)
    inputs = [inp.for_plan(s.plan) for s, inp in zip(variant.scenarios, ef.inputs, strict=True)]
    return solve_extensive_form(build_form(variant, inputs, form=ef.form),
                                extract_results=False)
