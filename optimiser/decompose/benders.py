"""Benders decomposition by modelled year: capacities in a master, one dispatch LP per year.

The planning LP is min c_Iᵀx + Σ_y Q_y(x) over the investment decisions x (builds, and
through them each year's capacity totals K(y), aged output capacity and PPA shares: the
*linking* values ξ_y(x)), where Q_y is the discounted operating cost of year y — every cost
category but capex, salvage and fixed O&M (:data:`optimiser.formulate.context.CAPACITY_COSTS`) — of
the year's dispatch LP with ξ_y held. Years share nothing but x, so (Benders 1962; the
L-shaped method of Van Slyke & Wets 1969; docs/optimiser.md, "Decomposition by year"):

* **Master** (:meth:`ModelInputs.capacity_only`): the investment part of the model
  (builds, cohorts, build limits, storage durations, saving limits, capacity pins and their
  costs) plus θ_y per year and the cuts θ_y ≥ Q_y(ξ̂) + gᵀ(ξ_y − ξ̂), g the duals (reduced
  costs) of the linking columns in year y's LP, which holds ξ_y by bounds
  (:attr:`ModelInputs.linked`).
* **Subproblem y**: the year's dispatch LP, built and compiled to arrays once
  (:mod:`.subproblems`); each iteration changes only the bounds of its linking columns and
  solves it from scratch with dual simplex (presolve makes that faster than a warm start).
  Target, removal-ramp and clean-share slack and unserved energy are allowed at
  the diagnosis' penalty (1000 × the highest grid price per t or MWh; the plan's own price
  of unserved energy if it has one), so every ξ gives a finite Q_y and a cut: an exact
  penalty whenever the plan can meet its targets and demand, which the final figures check.
* **Stabilisation**: a trust region (an L∞ box around the incumbent, Linderoth & Wright 2003)
  keeps the master from jumping to the far corners of the first cuts. A step is taken when
  the true cost falls by at least a tenth of what the master predicted; the box grows after
  such a step at its edge and shrinks after a step that made things worse.
* **Bounds**: the upper bound is the best true cost found, c_Iᵀx̂ + Σ_y Q_y(ξ̂); the lower
  bound is the master without the box (a relaxation: the cuts under-estimate each convex
  Q_y). Capacities without a build limit get a generous artificial one
  (:data:`ARTIFICIAL_BOUND_FACTOR` × the highest total demand, or × the start value) so
  that the first master is bounded; the result says if one binds (then the bound is
  conditional on it). The loop stops when (upper − lower)/|upper| ≤ ``gap``.

The start ξ⁰ is any plan's capacities (e.g. the representative-day plan's): the first cuts
are then taken where the optimum is likely to be.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo

from optimiser.decompose.subproblems import DecompositionError, Evaluation, YearPool
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs
from optimiser.formulate.model import build_model
from optimiser.solve.highs import LinearProgram, compile_lp, new_highs, solve_again

#: an unlimited capacity is bounded in the master by this × its size (the start value or
#: the highest total hourly demand over all carriers [MW], whichever is larger): 100 h of
#: the peak for a storage energy
ARTIFICIAL_BOUND_FACTOR = 100.0
#: the trust region's first half-width: this share of the start value, but at least
#: :data:`FLOOR_RADIUS` of the column's size; never below :data:`MIN_RADIUS` of its size
FIRST_RADIUS, FLOOR_RADIUS, MIN_RADIUS = 0.1, 0.1, 1e-4
_OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass
class Master:
    """The investment part of the model with θ_y and the cuts, held in HiGHS."""

    highs: highspy.Highs
    names: list[str]
    columns: np.ndarray
    """HiGHS column of each linking variable (all present)."""
    theta: dict[int, int]
    """Year (or any key of a subproblem) -> column of its θ."""
    lower: np.ndarray
    upper: np.ndarray
    """Bounds of the linking columns without the trust region (artificial ones included)."""
    artificial: np.ndarray
    """Linking columns whose upper bound is artificial."""
    scale: np.ndarray
    """A size for each linking column: its start value or the highest total demand [MW]."""
    monotone: np.ndarray
    """Linking columns the operating cost cannot rise with (capacities; not efficiency
    savings, which are forced supply, nor PPA shares, which are paid for)."""
    n_cuts: int = 0

    def add_cut(self, year: int, value: float, slopes: np.ndarray, at: np.ndarray,
                names: list[str]) -> None:
        """θ_y − Σ_j g_j ξ_j ≥ Q − Σ_j g_j ξ̂_j over the year's linking columns."""
        index = {n: i for i, n in enumerate(self.names)}
        cols, vals = [self.theta[year]], [1.0]
        rhs = value
        for name, g in zip(names, slopes, strict=True):
            j = index.get(name)
            if g == 0.0 or j is None:  # a linking value the master holds constant
                continue
            cols.append(int(self.columns[j]))
            vals.append(-float(g))
            rhs -= float(g) * float(at[j])
        self.highs.addRow(rhs, highspy.kHighsInf, len(cols), np.array(cols, dtype=np.int32),
                          np.array(vals))
        self.n_cuts += 1

    def solve(self, centre: np.ndarray | None, radius: np.ndarray | None,
              ) -> tuple[float, np.ndarray, float, bool]:
        """Solve within the box |ξ − centre| ≤ radius (none: the whole master). Returns the
        objective, ξ, Σ θ and whether the box binds."""
        lo, hi = self.lower, self.upper
        if centre is not None and radius is not None:
            lo = np.maximum(lo, centre - radius)
            hi = np.minimum(hi, np.maximum(centre + radius, lo))
        cols = self.columns.astype(np.int32)
        self.highs.changeColsBounds(len(cols), cols, lo, hi)
        status = solve_again(self.highs)
        if status != _OPTIMAL:
            raise DecompositionError("the master problem could not be solved: "
                                     f"{self.highs.modelStatusToString(status)}")
        x = np.asarray(self.highs.getSolution().col_value, dtype=float)
        xi = x[self.columns]
        theta = sum(float(x[j]) for j in self.theta.values())
        tol = 1e-7 * np.maximum(1.0, np.abs(xi))
        binds = bool(centre is not None and (
            np.any((xi <= lo + tol) & (lo > self.lower + tol))
            or np.any((xi >= hi - tol) & (hi < self.upper - tol))))
        return float(self.highs.getInfo().objective_function_value), xi, theta, binds

    def values(self) -> np.ndarray:
        """Every master column's value at the last solve."""
        return np.asarray(self.highs.getSolution().col_value, dtype=float)


def build_master(inputs: ModelInputs, start: dict[str, float],
                 ) -> tuple[Master, pyo.ConcreteModel, Context, LinearProgram]:
    """The master of ``inputs`` (all years), θ_y in its objective; linking columns get an
    artificial upper bound where they have none (module docstring)."""
    m, ctx = build_model(inputs.capacity_only())
    m.theta = pyo.Var(inputs.years, domain=pyo.Reals)
    m.objective.set_value(m.objective.expr + pyo.quicksum(m.theta[y] for y in inputs.years))
    # θ must reach the LP even before its first cut: a row that bounds nothing
    m.theta_present = pyo.Constraint(inputs.years, rule=lambda b, y: b.theta[y] >= -1e20)
    # so does every linking value: an optional PPA's share is in no capacity row and its
    # settlement is an operating cost, yet the master must choose it
    free = [n for n, v in ctx.linking.items() if not v.fixed]
    m.linking_present = pyo.Constraint(
        free, rule=lambda b, n: ctx.linking[n] >= (ctx.linking[n].lb or 0.0))
    lp = compile_lp(m)
    h = new_highs(None)
    lp.send(h)
    names = [n for n in ctx.linking if id(ctx.linking[n]) in lp.column_of]
    columns = np.array([lp.column_of[id(ctx.linking[n])] for n in names], dtype=int)
    lower, upper = lp.arrays.col_lower[columns].copy(), lp.arrays.col_upper[columns].copy()
    peak = _highest_total_demand(inputs)
    scale = np.array([max(abs(start.get(n, 0.0)), peak * ctx.linking_scale.get(n, 1.0))
                      for n in names])
    artificial = ~np.isfinite(upper) | (upper > 1e12)
    upper = np.where(artificial, ARTIFICIAL_BOUND_FACTOR * scale, upper)
    theta = {y: lp.column_of[id(m.theta[y])] for y in inputs.years}
    monotone = np.array([n not in ctx.nonmonotone for n in names], dtype=bool)
    return Master(h, names, columns, theta, lower, upper, artificial, scale, monotone), m, ctx, lp


def _highest_total_demand(inputs: ModelInputs) -> float:
    """max_t Σ_carriers demand(y, t) over the years [MW] (hourly profiles of the inputs)."""
    steps = len(inputs.step_weight)
    best = 1.0
    for y in inputs.years:
        total = np.zeros(steps)
        for c in inputs.plan.carriers():
            total += inputs.demand(c, y)
        best = max(best, float(total.max()))
    return best


@dataclass
class BendersResult:
    """What the decomposition found (model units: the objective's money scale)."""

    status: str
    """``optimal`` (gap reached), ``iteration_limit`` or ``time_limit``."""
    upper: float
    lower: float
    iterations: int
    linking: dict[str, float]
    """The incumbent's linking values by name."""
    master_values: np.ndarray
    """The master's column values at the incumbent."""
    operating: dict[int, float]
    """Q_y at the incumbent, per year."""
    artificial_binding: list[str] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """(upper − lower) / |upper|."""
        return (self.upper - self.lower) / max(abs(self.upper), 1e-12)


def solve_benders(inputs: ModelInputs, start: dict[str, float], gap: float = 1e-6,
                  max_iterations: int = 200, time_limit: float | None = None, jobs: int = 1,
                  progress: Callable[[dict[str, float]], None] = lambda _: None,
                  start_cost: float | None = None,
                  ) -> tuple[BendersResult, pyo.ConcreteModel, Context]:
    """Benders decomposition of ``inputs`` by year from the linking values ``start``
    (the years' subproblems in ``jobs`` processes). ``start_cost``: the capacity costs
    (capex, salvage, fixed O&M; discounted, model units) of the plan ``start`` comes from,
    which makes the start the first incumbent (else the first step is).

    Returns the result with the master's Pyomo model and registers, the master's variables
    loaded at the incumbent. ``progress`` gets each iteration's figures.
    """
    t0 = time.perf_counter()
    master, mm, mctx, mlp = build_master(inputs, start)
    x0 = np.clip(np.array([float(start.get(n, 0.0)) for n in master.names]), master.lower,
                 master.upper)
    with YearPool(inputs, {**start, **dict(zip(master.names, x0, strict=True))},
                  jobs) as pool:
        timings = {"build_s": time.perf_counter() - t0}
        operating = cut_all(master, pool, x0)  # the first cuts, at the start
        # and at the largest capacities (the start's efficiency savings and PPA shares, which
        # Q_y may rise with): Q_y does not rise with a capacity, whose rows only bound
        # dispatch from above, so this cut keeps θ_y above about Q_y(ξ_max) everywhere
        cut_all(master, pool, np.where(master.monotone, master.upper, x0))
        search = TrustRegion(master, x0)
        if start_cost is not None:
            search.f_hat = start_cost + sum(operating.values())
            search.operating = operating
        status = "iteration_limit"
        for _ in range(max_iterations):
            if search.converged(gap):
                status = "optimal"
                break
            if time_limit is not None and time.perf_counter() - t0 > time_limit:
                status = "time_limit"
                break
            search.step(pool)
            search.history[-1]["seconds"] = time.perf_counter() - t0
            progress(search.history[-1])
        timings["benders_s"] = time.perf_counter() - t0 - timings["build_s"]
        timings["subproblem_solve_s"] = pool.solve_seconds()
    if not len(search.incumbent):  # the start was never bettered: the master held there
        master.solve(search.x_hat, MIN_RADIUS * master.scale)
        search.incumbent = master.values()
    result = BendersResult(status, search.f_hat, search.lower, len(search.history),
                           dict(zip(master.names, search.x_hat, strict=True)),
                           search.incumbent, search.operating, search.at_artificial(),
                           search.history, timings)
    mlp.load(search.incumbent)
    return result, mm, mctx


class TrustRegion:
    """The stabilised Benders iteration (module docstring): incumbent, box and bounds."""

    def __init__(self, master: Master, start: np.ndarray):
        self.master = master
        self.x_hat = start
        self.f_hat = math.inf
        self.incumbent = np.zeros(0)
        self.operating: dict[int, float] = {}
        self.radius = np.maximum(FIRST_RADIUS * np.abs(start), FLOOR_RADIUS * master.scale)
        self.unboxed = start
        self.lower = -math.inf
        self.history: list[dict[str, float]] = []

    def converged(self, gap: float) -> bool:
        """Raise the lower bound (the master without the box); is the gap closed?"""
        bound, self.unboxed, _, _ = self.master.solve(None, None)
        self.lower = max(self.lower, bound)
        return math.isfinite(self.f_hat) and (
            self.f_hat - self.lower <= gap * max(abs(self.f_hat), 1e-12))

    def step(self, pool: Any) -> None:
        """Solve the master in the box, cut every year there, move or resize the box."""
        master = self.master
        try:
            predicted, x_new, theta, binds = master.solve(self.x_hat, self.radius)
        except DecompositionError:
            if math.isfinite(self.f_hat):
                raise
            # the start breaks a capacity row (e.g. below the existing fleet): the first
            # step from the master without the box
            predicted, x_new, theta, binds = master.solve(None, None)
        values = master.values()
        operating = cut_all(master, pool, x_new)
        f_new = self.true_cost(predicted, theta, values, operating)
        drop, promised = self.f_hat - f_new, self.f_hat - predicted
        if not math.isfinite(self.f_hat) or (promised > 0 and drop >= 0.1 * promised):
            self.x_hat, self.f_hat, self.incumbent, self.operating = (x_new, f_new, values,
                                                                      operating)
            if binds:
                self.radius = np.minimum(2.0 * self.radius, master.upper)
        elif drop < 0:
            # never below a ten-thousandth of the range: linking values are tied by the
            # cohort equalities, and a box narrower than the LP tolerances has no point
            self.radius = np.maximum(0.5 * self.radius, MIN_RADIUS * master.scale)
        self.history.append({"iteration": len(self.history) + 1, "upper": self.f_hat,
                             "lower": self.lower,
                             "gap": (self.f_hat - self.lower) / max(abs(self.f_hat), 1e-12),
                             "cuts": master.n_cuts})

    def true_cost(self, predicted: float, theta: float, values: np.ndarray,
                  operating: dict[int, float]) -> float:
        """The objective at the master's point with each θ replaced by its true Q:
        c_Iᵀx + Σ Q (the master's objective less Σ θ plus Σ Q)."""
        return predicted - theta + sum(operating.values())

    def at_artificial(self) -> list[str]:
        """Linking values at an artificial upper bound, in the incumbent or in the master
        that gave the lower bound (then the bound holds only within it)."""
        m = self.master
        tol = 1e-6 * np.maximum(1.0, m.upper)
        hit = m.artificial & ((self.x_hat >= m.upper - tol) | (self.unboxed >= m.upper - tol))
        return [n for n, h in zip(m.names, hit, strict=True) if h]


def cut_all(master: Master, pool: Any, at: np.ndarray) -> dict[int, float]:
    """Solve every year at ``at`` and add its cut; return Q_y per year."""
    evaluation: Evaluation = pool.evaluate(dict(zip(master.names, at, strict=True)))
    out = {}
    for y in sorted(evaluation):
        value, slopes, names = evaluation[y]
        master.add_cut(y, value, slopes, at, names)
        out[y] = value
    return out
