"""A scenario tree by Benders decomposition over its node-years (``--solver decomposed``).

The tree's LP is min F(C(x)) over the capacity decisions x of every scenario, tied by
non-anticipativity, with C_s = C^I_s(x_s) + Σ_{(n,y) ∋ s} Q_{n,y}(ξ_{n,y}) (:mod:`.master`):
each node-year's operating cost Q_{n,y} is a convex function of the linking values ξ (the
capacities year y reads) of its node, the same for every scenario of the node. It is the
L-shaped method (Van Slyke & Wets 1969) with one cut per node-year (the multicut form of
Birge & Louveaux 1988, "A multicut algorithm for two-stage stochastic linear programs",
EJOR 34) and the trust region of Linderoth & Wright (2003, "Decomposition algorithms for
stochastic programming on a computational grid", COAP 24), which also ran its subproblems
on a pool of workers:

* **master** (:class:`TreeMaster`): the capacity models of all scenarios with θ_{n,y} ≥ each
  cut Q̂ + gᵀ(ξ − ξ̂), and the tree's objective F = (1 − w)·E[C] + w·CVaR_α[C] with θ for Q;
* **subproblems**: each node-year's dispatch LP at the master's ξ (:mod:`.subproblems`; in
  this process or on Dask workers), with target, ramp and clean-share slack and unserved
  energy allowed at the diagnosis' penalty (an exact penalty whenever the tree can meet its
  targets and demand: :mod:`optimiser.decompose.benders`);
* **bounds**: the upper bound is F of the true costs at the incumbent; the lower bound is the
  master without the trust region (cuts under-estimate each Q, and F does not fall when a
  cost rises). It stops at a relative gap (default 1e-4) or a time limit.

Cuts stay valid whatever is held in the master, so the value measures reuse them
(:class:`DecomposedTree`): a first stage held in every scenario (EEV, regret) is the same
master with the root's builds fixed, and a scenario planned alone (wait-and-see) is a master
of that scenario alone given every cut of its node-years so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from optimiser.decompose.benders import (
    ARTIFICIAL_BOUND_FACTOR,
    Master,
    TrustRegion,
    _highest_total_demand,
    cut_all,
)
from optimiser.decompose.run import DEFAULT_GAP, join_years
from optimiser.decompose.subproblems import DecompositionError, Evaluation
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import build_model, slack_penalty
from optimiser.run.pipeline import held_decisions, prepare_inputs
from optimiser.solve.highs import HighsSolver, SolveOutcome, compile_lp, new_highs
from optimiser.stochastic.hedging import PolicyCosts
from optimiser.stochastic.master import TreeModel, build_tree_model, with_theta
from optimiser.stochastic.nodes import plan_digest
from optimiser.stochastic.shared import splits_by_year
from optimiser.stochastic.subproblems import Subproblem
from optimiser.stochastic.tree import (
    Stage,
    StochasticError,
    StochasticRun,
    inputs_like,
    risk_objective,
    scenario_inputs,
)
from plant.loaded import LoadedPlan
from plant.scenarios import ScenarioTree
from plant.schema import Plan

Progress = Callable[[dict[str, float]], None]


@dataclass
class Cut:
    """Q and its slopes at one point of a subproblem, in currency (kept to give other
    masters)."""

    value: float
    slopes: np.ndarray
    names: list[str]
    at: dict[str, float]


class TreeMaster:
    """The master of a tree in HiGHS (module docstring): linking columns named
    ``"{scenario}|{name}"``, θ per node-year, the capacity cost of each scenario readable."""

    def __init__(self, tree: ScenarioTree, inputs: list[ModelInputs], start: dict[str, float],
                 stage: Stage = lambda _: None):
        self.tree = tree
        self.tm: TreeModel = build_tree_model(tree, inputs, with_theta, stage)
        ef, m = self.tm.ef, self.tm.ef.m
        n = range(len(inputs))
        m.capacity_cost = pyo.Var(n, domain=pyo.Reals)
        m.capacity_cost_def = pyo.Constraint(n, rule=lambda b, i: b.capacity_cost[i] == (
            ef.contexts[i].m.objective.expr * (ef.contexts[i].m.money_scale / ef.scale)))
        free = [(i, name, var) for i, ctx in enumerate(ef.contexts)
                for name, var in ctx.linking.items() if not var.fixed]
        # a linking value no capacity row reads (an optional PPA's share) must reach the LP
        m.linking_present = pyo.Constraint(range(len(free)),
                                           rule=lambda b, j: free[j][2] >= (free[j][2].lb or 0.0))
        stage("compiling the master")
        self.lp = compile_lp(m)
        h = new_highs(None)
        self.lp.send(h)
        col = self.lp.column_of
        names, columns, peaks, mono = [], [], [], []
        for i, ctx in enumerate(ef.contexts):
            peak = _highest_total_demand(inputs[i])
            for name, var in ctx.linking.items():
                if id(var) in col:
                    names.append(f"{i}|{name}")
                    columns.append(col[id(var)])
                    peaks.append(max(abs(start.get(name, 0.0)),
                                     peak * ctx.linking_scale.get(name, 1.0)))
                    mono.append(name not in ctx.nonmonotone)
        cols = np.array(columns, dtype=int)
        arrays = self.lp.arrays
        lower, upper = arrays.col_lower[cols].copy(), arrays.col_upper[cols].copy()
        scale = np.array(peaks)
        artificial = ~np.isfinite(upper) | (upper > 1e12)
        upper = np.where(artificial, ARTIFICIAL_BOUND_FACTOR * scale, upper)
        theta = {k: col[id(m.theta[k])] for k in range(len(self.tm.nodes))}
        self.master = Master(h, names, cols, theta, lower, upper, artificial, scale,
                             np.array(mono, dtype=bool))
        self.capacity_columns = np.array([col[id(m.capacity_cost[i])] for i in n], dtype=int)
        self.investment_columns = [
            {name: col[id(v)] for name, v in ctx.investments.items() if id(v) in col}
            for ctx in ef.contexts]

    def x0(self, start: dict[str, float]) -> np.ndarray:
        """The master's linking vector for the unqualified linking values ``start``."""
        m = self.master
        x = np.array([float(start.get(q.split("|", 1)[1], 0.0)) for q in m.names])
        return np.clip(x, m.lower, m.upper)

    def scenario_values(self, values: np.ndarray, i: int) -> dict[str, float]:
        """Scenario i's linking values and capacity decisions by name, from master columns."""
        m, prefix = self.master, f"{i}|"
        out = {q[len(prefix):]: float(values[c]) for q, c in zip(m.names, m.columns,
                                                                 strict=True)
               if q.startswith(prefix)}
        out.update({name: float(values[c])
                    for name, c in self.investment_columns[i].items()})
        return out

    def hold(self, decisions: dict[str, float]) -> list[tuple[int, float, float]]:
        """Fix the named capacity decisions in every scenario; returns what to restore."""
        h, arrays = self.master.highs, self.lp.arrays
        saved = []
        for cols in self.investment_columns:
            for name, value in decisions.items():
                c = cols.get(name)
                if c is not None:
                    saved.append((c, float(arrays.col_lower[c]), float(arrays.col_upper[c])))
                    v = max(value, float(arrays.col_lower[c]))
                    h.changeColBounds(c, v, v)
        return saved

    def release(self, saved: list[tuple[int, float, float]]) -> None:
        for c, lo, hi in saved:
            self.master.highs.changeColBounds(c, lo, hi)


class _NodeYearPool:
    """The node-years of a master as the Benders loop asks for them: one evaluation of every
    node-year at a master point, in the master's units and names; each cut is kept."""

    def __init__(self, tm: TreeModel, pool: Any, cuts: dict[str, list[Cut]],
                 specs: list[Subproblem]):
        self.tm, self.pool, self.cuts, self.specs = tm, pool, cuts, specs
        self.seconds = 0.0
        self.solves = 0
        self.short: dict[int, float] = {}
        """Node-year -> its penalised shortfall at the last evaluation."""
        self.seen: dict[tuple[str, tuple[float, ...] | None],
                        tuple[float, np.ndarray, list[str], float]] = {}
        """(subproblem, point) -> its answer: a node-year whose linking values did not move
        is not solved again."""
        self.reused = 0
        self.reads: dict[str, list[str]] = {}
        """Subproblem -> the linking names it reads."""

    def evaluate(self, linked: dict[str, float]) -> Evaluation:
        by_scenario: dict[int, dict[str, float]] = {}
        for q, v in linked.items():
            i, name = q.split("|", 1)
            by_scenario.setdefault(int(i), {})[name] = v
        tasks = [(spec, by_scenario[ny.first])
                 for spec, ny in zip(self.specs, self.tm.nodes, strict=True)]
        points = [_point(at, self.reads.get(spec.key)) for spec, at in tasks]
        todo = [k for k, (spec, _) in enumerate(tasks) if (spec.key, points[k]) not in self.seen]
        answers = dict(zip(todo, self.pool.solve([tasks[k] for k in todo]), strict=True))
        out: Evaluation = {}
        f = 1.0 / self.tm.ef.scale  # currency -> the tree's unit
        for k, (spec, at) in enumerate(tasks):
            first = self.tm.nodes[k].first
            if k in answers:
                value, slopes, names, seconds, short = answers[k]
                self.reads.setdefault(spec.key, list(names))
                self.seen[(spec.key, _point(at, names))] = (value, slopes, names, short)
                self.cuts.setdefault(spec.key, []).append(Cut(value, slopes, names, dict(at)))
                self.seconds += seconds
            else:  # solved at this very point before (its cut is in the master already)
                value, slopes, names, short = self.seen[(spec.key, points[k])]
                self.reused += 1
            self.short[k] = short
            out[k] = (f * value, f * slopes, [f"{first}|{n}" for n in names])
        self.solves += len(todo)
        return out


def _point(at: dict[str, float], names: list[str] | None) -> tuple[float, ...] | None:
    """The linking values a node-year reads (``names``; None: not known yet, so no key) as
    a key, to 12 significant digits."""
    if names is None:
        return None
    return tuple(float(f"{at.get(n, 0.0):.12g}") for n in names)


class _TreeSearch(TrustRegion):
    """The trust-region iteration with the tree's objective as the true cost."""

    def __init__(self, tmaster: TreeMaster, start: np.ndarray, cut_unboxed: bool = True):
        super().__init__(tmaster.master, start)
        self.tmaster = tmaster
        tm = tmaster.tm
        self.paths = [tm.path(i) for i in range(len(tm.inputs))]
        self.cut_unboxed = cut_unboxed
        self.unboxed_values = np.zeros(0)

    def start_at(self, x0: np.ndarray, operating: dict[int, float]) -> None:
        """Make the start the first incumbent when the master can hold its linking values
        exactly (capacity costs from the master there, operating costs from the cuts'
        solves at it); else the first step will be."""
        try:
            self.master.solve(x0, np.zeros_like(x0))
        except DecompositionError:
            return
        values = self.master.values()
        if np.max(np.abs(values[self.master.columns] - x0) / np.maximum(1.0, np.abs(x0))) > 1e-9:
            return
        self.incumbent, self.operating = values, operating
        self.f_hat = self.true_cost(0.0, 0.0, values, operating)

    def converged(self, gap: float) -> bool:
        done = super().converged(gap)
        self.unboxed_values = self.master.values()
        return done

    def step(self, pool: Any) -> None:
        """The trust-region step; with ``cut_unboxed`` also cuts where the master without the
        box went (where the lower bound is weakest: on Tochigi's 10-scenario tree 30
        iterations instead of 46), and takes that point as the incumbent if it is cheaper."""
        super().step(pool)
        if not self.cut_unboxed or not len(self.unboxed):
            return
        operating = cut_all(self.master, pool, self.unboxed)
        f = self.true_cost(0.0, 0.0, self.unboxed_values, operating)
        if f < self.f_hat:
            self.x_hat, self.f_hat = self.unboxed, f
            self.incumbent, self.operating = self.unboxed_values, operating
            self.history[-1]["upper"] = f

    def scenario_costs(self, values: np.ndarray, operating: dict[int, float]) -> np.ndarray:
        capacity = values[self.tmaster.capacity_columns]
        return np.array([capacity[i] + sum(operating[k] for k in path)
                         for i, path in enumerate(self.paths)])

    def true_cost(self, predicted: float, theta: float, values: np.ndarray,
                  operating: dict[int, float]) -> float:
        tree = self.tmaster.tree
        costs = self.scenario_costs(values, operating)
        return risk_objective(costs, tree.probabilities, tree.risk.cvar_alpha,
                              tree.risk.weight)


@dataclass
class TreeSolution:
    """What a decomposition of a tree found (costs in currency)."""

    status: str
    objective: float
    lower: float
    costs: np.ndarray
    iterations: int
    values: np.ndarray
    """The master's columns at the incumbent."""
    artificial_binding: list[str] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        return (self.objective - self.lower) / max(abs(self.objective), 1e-12)


class DecomposedTree:
    """A tree's master, its subproblems on a pool and every cut found: solved once for the
    plan, then again with first stages held (EEV, regret) or per scenario (wait and see)."""

    def __init__(self, tree: ScenarioTree, inputs: list[ModelInputs], start: dict[str, float],
                 pool: Any, *, gap: float = DEFAULT_GAP, time_limit: float | None = None,
                 max_iterations: int = 500, stage: Stage = lambda _: None,
                 cuts: dict[str, list[Cut]] | None = None,
                 specs: list[Subproblem] | None = None, cut_unboxed: bool = True):
        self.tree, self.inputs, self.start, self.pool = tree, inputs, start, pool
        self.gap, self.time_limit, self.max_iterations = gap, time_limit, max_iterations
        self.cut_unboxed = cut_unboxed
        self.cuts: dict[str, list[Cut]] = {} if cuts is None else cuts
        self.master = TreeMaster(tree, inputs, start, stage)
        tm = self.master.tm
        if specs is None:
            specs = [Subproblem(f"{ny.year}-{plan_digest(inputs[ny.first].plan)}",
                                inputs[ny.first], ny.year, dict(start)) for ny in tm.nodes]
        self.keys = [spec.key for spec in specs]
        self.subproblems = _NodeYearPool(tm, pool, self.cuts, specs)
        self.shortfalls: list[str] = []
        self._replay()

    @property
    def ef(self) -> Any:
        return self.master.tm.ef

    def _replay(self) -> None:
        """Give the master every cut already found for its node-years (another master's)."""
        m, tm = self.master.master, self.master.tm
        f = 1.0 / self.ef.scale
        index = {q: j for j, q in enumerate(m.names)}
        for k, key in enumerate(self.keys):
            first = tm.nodes[k].first
            for cut in self.cuts.get(key, []):
                names = [f"{first}|{n}" for n in cut.names]
                at = np.zeros(len(m.names))
                for q, n in zip(names, cut.names, strict=True):
                    j = index.get(q)
                    if j is not None:
                        at[j] = cut.at.get(n, 0.0)
                m.add_cut(k, f * cut.value, f * cut.slopes, at, names)

    def solve(self, hold: dict[str, float] | None = None,
              progress: Progress = lambda _: None) -> TreeSolution:
        """Iterate to the gap (with the root's decisions held at ``hold``)."""
        t0 = time.perf_counter()
        tmaster, master = self.master, self.master.master
        saved = tmaster.hold(hold) if hold else []
        try:
            x0 = tmaster.x0(self.start)
            operating = cut_all(master, self.subproblems, x0)
            if not hold:
                cut_all(master, self.subproblems, np.where(master.monotone, master.upper, x0))
            search = _TreeSearch(tmaster, x0, self.cut_unboxed)
            search.start_at(x0, operating)
            status = "iteration_limit"
            for _ in range(self.max_iterations):
                if search.converged(self.gap):
                    status = "optimal"
                    break
                if self.time_limit is not None and time.perf_counter() - t0 > self.time_limit:
                    status = "time_limit"
                    break
                search.step(self.subproblems)
                search.history[-1]["seconds"] = time.perf_counter() - t0
                progress(search.history[-1])
            if not len(search.incumbent):
                raise DecompositionError("the decomposition found no plan in its iterations")
            costs = search.scenario_costs(search.incumbent, search.operating)
        finally:
            tmaster.release(saved)
        scale = self.ef.scale
        return TreeSolution(status, search.f_hat * scale, search.lower * scale, costs * scale,
                            len(search.history), search.incumbent, search.at_artificial(),
                            search.history, time.perf_counter() - t0)

    def results(self, solution: TreeSolution) -> list[xr.Dataset]:
        """Each scenario's results at ``solution``: every node-year solved once more with
        its capacities and builds held (their capex, salvage and O&M in the year's costs),
        the years of each scenario joined. Implied carbon prices are left out (NaN): with
        capacities held a target's dual is a short-run price."""
        tm, tmaster = self.master.tm, self.master
        tasks = [(spec, tmaster.scenario_values(solution.values, ny.first))
                 for spec, ny in zip(self.subproblems.specs, tm.nodes, strict=True)]
        parts = self.pool.results(tasks)
        out = []
        for i, inp in enumerate(self.inputs):
            path = tm.path(i)
            ds = join_years([parts[k][0] for k in path], inp)
            ds.attrs["probability"] = self.tree.scenarios[i].probability
            ds.attrs["objective"] = ds.attrs["solver_objective"] = float(
                ds["cost_discounted"].sum())
            statuses = [parts[k][1] for k in path]
            ds.attrs["status"] = next((s for s in ("demand_not_met", "targets_missed")
                                       if s in statuses), "optimal")
            out.append(ds)
        self.shortfalls = [f"scenario {', '.join(names)}: {line}"
                           for ny, part in zip(tm.nodes, parts, strict=True)
                           for names in [[self.tree.scenarios[i].name for i in ny.scenarios]]
                           for line in part[2]]
        return out

    def load(self, solution: TreeSolution) -> None:
        """Write the incumbent into the master's Pyomo variables (root decisions)."""
        self.master.lp.load(solution.values)


def solve_decomposed(tree: ScenarioTree, inputs: list[ModelInputs], start: dict[str, float],
                     pool: Any, *, gap: float = DEFAULT_GAP, time_limit: float | None = None,
                     extract_results: bool = True, stage: Stage = lambda _: None,
                     cut_unboxed: bool = True) -> tuple[StochasticRun, DecomposedTree]:
    """Plan ``tree`` by decomposition from the linking values ``start``; the run as the
    extensive form's (:class:`StochasticRun`) and the decomposition, for the measures."""
    t0 = time.perf_counter()
    dt = DecomposedTree(tree, inputs, start, pool, gap=gap, time_limit=time_limit,
                        stage=stage, cut_unboxed=cut_unboxed)
    build_s = time.perf_counter() - t0

    def progress(h: dict[str, float]) -> None:
        stage(f"decomposition: iteration {int(h['iteration'])}, gap {h['gap']:.1e}")

    solution = dt.solve(progress=progress)
    dt.load(solution)
    outcome = SolveOutcome(solution.status if solution.status == "optimal" else "time_limit",
                           solution.objective, solution.lower, solution.gap,
                           solve_s=solution.seconds)
    run = StochasticRun(dt.ef, outcome, solution.costs, solution.objective,
                        timings={"build_s": build_s, "solve_s": solution.seconds,
                                 "subproblem_solve_s": dt.subproblems.seconds})
    run.size = {"form": "decomposed", "node_years": len(dt.master.tm.nodes),
                "iterations": solution.iterations, "gap": solution.gap,
                "lower_bound": solution.lower, "subproblem_solves": dt.subproblems.solves,
                "subproblems_reused": dt.subproblems.reused,
                "workers": getattr(pool, "workers", 1)}
    if tree.risk.weight == 1.0:
        run.diagnosis.append("with CVaR weight 1 only the worst scenarios enter the objective; "
                             "the decomposition leaves the others as its master does (the "
                             "extensive form re-solves them at least expected cost: --solver "
                             "extensive)")
    if solution.artificial_binding:
        run.diagnosis.append("the decomposition's artificial bound binds on "
                             + ", ".join(solution.artificial_binding[:5])
                             + ": the plan is optimal only within it")
    if extract_results:
        start_s = time.perf_counter()
        stage("extract: every node-year at the plan's capacities")
        run.results = dt.results(solution)
        run.diagnosis += dt.shortfalls
        if any(ds.attrs["status"] != "optimal" for ds in run.results):
            run.outcome.status = "targets_missed"
        run.costs = np.array([ds.attrs["objective"] for ds in run.results])
        risk = tree.risk
        run.objective = risk_objective(run.costs, tree.probabilities, risk.cvar_alpha,
                                       risk.weight)
        run.timings["extract_s"] = time.perf_counter() - start_s
    return run, dt



def start_values(loaded: LoadedPlan, tree: ScenarioTree, inputs: list[ModelInputs],
                 stage: Stage = lambda _: None,
                 ) -> tuple[dict[str, float], dict[str, float] | None]:
    """Where the decomposition starts: the linking values of the mean-value plan (every
    changed field at its probability-weighted mean) solved whole, and its capacity
    decisions (the measures hold its first stage for the EEV); no start if it has no plan."""
    stage("mean-value plan (the decomposition's start)")
    mean = tree.mean_plan(tree.scenarios[0].plan)
    res = inputs[0].resolution
    m, ctx = build_model(inputs_like(mean, inputs[0], lambda p: prepare_inputs(
        loaded._replace(plan=p), res)))
    outcome = HighsSolver().solve(m)
    if not outcome.feasible:
        return {}, None
    linking = {name: float(v.value or 0.0) for name, v in ctx.linking.items()}
    return linking, held_decisions(ctx)


def solve_tree_decomposed(tree: ScenarioTree, loaded: LoadedPlan, res: Resolution, pool: Any,
                          *, gap: float = DEFAULT_GAP, time_limit: float | None = None,
                          extract_results: bool = True, stage: Stage = lambda _: None,
                          ) -> tuple[StochasticRun, DecomposedTree, dict[str, float] | None]:
    """:func:`solve_decomposed` of ``tree`` on ``loaded`` at ``res``, from the mean-value
    plan's capacities; also returns the mean-value plan's capacity decisions (None if it has
    no plan)."""
    t0 = time.perf_counter()
    inputs = scenario_inputs(tree, loaded, res, stage)
    if not splits_by_year(inputs[0]):
        raise StochasticError("the plan's years are mixed-integer (SOFC unit commitment or "
                              "one-meter binaries): their duals give no valid cuts, so the "
                              "tree cannot be decomposed; use --solver extensive")
    prepare_s = time.perf_counter() - t0
    start, mean = start_values(loaded, tree, inputs, stage)
    start_s = time.perf_counter() - t0 - prepare_s
    run, dt = solve_decomposed(tree, inputs, start, pool, gap=gap, time_limit=time_limit,
                               extract_results=extract_results, stage=stage)
    run.timings = {"prepare_s": prepare_s, "start_s": start_s, **run.timings}
    if mean is not None:
        mean = {name: mean[name] for name in dt.ef.root_investments if name in mean}
    return run, dt, mean


#: a node-year whose penalised shortfall at a plan is above this misses a target or leaves
#: demand unserved there [t or MWh] (the diagnosis' threshold,
#: :func:`optimiser.run.pipeline.target_shortfalls`) ...
SHORT = 1e-3


def noise_shortfall(solution: TreeSolution, plan: Plan, gap: float) -> float:
    """... unless the decomposition's gap could hide it: a plan within ``gap`` of the optimum
    may keep a shortfall s whose penalty (:func:`optimiser.formulate.model.slack_penalty`, per
    t; unserved energy costs more) is at most gap × the objective, so s up to that is not a
    finding [t or MWh]."""
    return max(SHORT, gap * abs(solution.objective) / slack_penalty(plan))


class DecomposedMeasures:
    """The value measures (:class:`optimiser.stochastic.hedging.Measures`) on a decomposed
    tree: every cut found so far is reused. A held first stage is the tree's master with the
    root's builds fixed; a scenario alone is a master of that scenario given its node-years'
    cuts; the mean-value plan is the one the decomposition started from; the option value is
    a new decomposition (its plans differ, so do its subproblems)."""

    def __init__(self, dt: DecomposedTree, mean_decisions: dict[str, float] | None):
        self.dt = dt
        self.mean = mean_decisions

    def _short_years(self, dt: DecomposedTree, solution: TreeSolution) -> list[str]:
        """The years whose node-years a solution leaves short (one more round of solves at
        it)."""
        tm = dt.master.tm
        at = dict(zip(dt.master.master.names, solution.values[dt.master.master.columns],
                      strict=True))
        dt.subproblems.evaluate(at)
        limit = noise_shortfall(solution, dt.inputs[0].plan, max(dt.gap, solution.gap))
        return [f"{tm.nodes[k].year}" for k, short in dt.subproblems.short.items()
                if short > limit]

    def policy(self, name: str, decisions: dict[str, float], stage: Stage) -> PolicyCosts:
        dt = self.dt
        n = len(dt.inputs)
        try:
            solution = dt.solve(hold=decisions)
        except DecompositionError as exc:
            return PolicyCosts(name, np.full(n, np.inf), float("inf"), decisions,
                               f"its first stage cannot be held: {exc}")
        short = self._short_years(dt, solution)
        if short:
            return PolicyCosts(name, np.full(n, np.inf), float("inf"), decisions,
                               "its first stage cannot meet every target (years "
                               f"{', '.join(sorted(set(short)))})")
        return PolicyCosts(name, solution.costs, solution.objective, decisions)

    def alone(self, i: int, stage: Stage) -> tuple[float, dict[str, float] | None]:
        """Scenario i alone: its node-years are the tree's own subproblems (the node's first
        scenario's LPs, whose cuts are i's too), in a master of i's capacity model."""
        dt = self.dt
        path = dt.master.tm.path(i)
        one = DecomposedTree(dt.tree.single(dt.tree.scenarios[i]), [dt.inputs[i]], dt.start,
                             dt.pool, gap=dt.gap, time_limit=dt.time_limit, cuts=dt.cuts,
                             specs=[dt.subproblems.specs[k] for k in path],
                             cut_unboxed=dt.cut_unboxed)
        solution = one.solve()
        if self._short_years(one, solution):
            return float("inf"), None
        one.load(solution)
        return float(solution.costs[0]), one.ef.root_decisions()

    def mean_value_decisions(self, stage: Stage) -> dict[str, float] | None:
        return self.mean

    def without(self, transform: Callable[[Any], Any], stage: Stage) -> StochasticRun:
        dt = self.dt
        variant = dt.tree.with_plan(transform)
        inputs = [inp.for_plan(s.plan) for s, inp in zip(variant.scenarios, dt.inputs,
                                                          strict=True)]
        other = DecomposedTree(variant, inputs, dt.start, dt.pool, gap=dt.gap,
                               time_limit=dt.time_limit, cut_unboxed=dt.cut_unboxed)
        solution = other.solve()
        status = "targets_missed" if self._short_years(other, solution) else "optimal"
        outcome = SolveOutcome(status, solution.objective, solution.lower, solution.gap)
        return StochasticRun(other.ef, outcome, solution.costs, solution.objective)
