"""The one place that talks to HiGHS.

The Pyomo model is compiled once into matrix form by Pyomo's ``LinearStandardFormCompiler``
(``mixed_form``: rows keep their ≤, = or ≥ sense) and handed to HiGHS in one ``passModel``
call, which is several times faster than Pyomo's persistent interface adding columns and rows
one by one (bench/RESULTS.md). Later solves of the same model send only what changed:

- the objective, when a mutable ``Param`` changed (prices in a sweep) — Params may appear in
  the objective only, never in constraints;
- the bounds of variables that were fixed or unfixed since the last solve (target slack and
  unserved energy in the infeasibility diagnosis, integers fixed for duals).

HiGHS keeps its basis between solves, so a re-solve is a warm simplex start.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.standard_repn import generate_standard_repn

_STATUS = highspy.HighsModelStatus
_FEASIBLE = 2
"""HiGHS ``primal_solution_status`` of a feasible point."""


@dataclass
class SolveOutcome:
    """What came back from the solver."""

    status: str
    """``optimal``, ``time_limit`` (with a feasible plan), ``unbounded``, ``targets_missed``
    (a diagnostic plan with priced target slack), ``demand_not_met`` (diagnostic, unserved
    energy allowed), ``no_plan_in_time``, ``infeasible`` or ``error``."""
    objective: float = math.nan
    bound: float = math.nan
    gap: float = math.nan
    solve_s: float = 0.0
    transfer_s: float = 0.0
    duals: dict[Any, float] = field(default_factory=dict)
    message: str = ""

    def rescaled(self, scale: float) -> SolveOutcome:
        """The outcome with objective, bound and duals in currency (objective unit × scale)."""
        return SolveOutcome(self.status, self.objective * scale, self.bound * scale, self.gap,
                            self.solve_s, self.transfer_s,
                            {k: v * scale for k, v in self.duals.items()}, self.message)

    @property
    def feasible(self) -> bool:
        """A plan (optimal or not) is loaded in the model."""
        return self.status in ("optimal", "time_limit", "targets_missed", "demand_not_met")


@dataclass
class _Transferred:
    """A model as HiGHS holds it: columns, rows and what later solves compare against."""

    model: pyo.ConcreteModel
    columns: list[Any]
    column_of: dict[int, int]
    row_of: dict[int, list[int]]
    fixed: np.ndarray
    params: tuple[float, ...]
    integer_columns: np.ndarray
    relaxed: bool = False
    """Every integer column is fixed, so HiGHS holds the model as an LP (duals available)."""

    @property
    def integer(self) -> bool:
        """HiGHS solves a MIP (some integer column is free)."""
        return len(self.integer_columns) > 0 and not self.relaxed


class HighsSolver:
    """HiGHS holding one model: transferred once, later solves send only changes.

    Parameters
    ----------
    time_limit
        Wall-clock limit per solve [s].
    mip_gap
        Relative MIP gap (unit commitment plans only).
    threads
        HiGHS threads (``None``: HiGHS decides). Set it to 1 in parallel sweep workers.
    method
        HiGHS ``solver`` option for the first (cold) solve of a model: ``simplex``, ``ipm``
        (interior point with crossover, so the basis is there for warm re-solves) or
        ``choose``. Re-solves always use the simplex method from the last basis.
    """

    def __init__(self, time_limit: float | None = None, mip_gap: float = 1e-4,
                 threads: int | None = None, method: str = "choose"):
        self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", False)
        if time_limit is not None:
            self._h.setOptionValue("time_limit", float(time_limit))
        self._h.setOptionValue("mip_rel_gap", float(mip_gap))
        if threads is not None:
            self._h.setOptionValue("threads", int(threads))
        self._method = method
        self._held: _Transferred | None = None

    def solve(self, m: pyo.ConcreteModel, duals_of: list[Any] | None = None) -> SolveOutcome:
        """Solve ``m`` (transferring it on first use); load the solution if there is one."""
        start = time.perf_counter()
        if self._held is None or self._held.model is not m:
            self._held = _transfer(self._h, m)
            # HiGHS's MIP solver picks its own LP method
            self._h.setOptionValue("solver", "choose" if len(self._held.integer_columns)
                                   else self._method)
        else:
            _send_changes(self._h, self._held)
            self._h.setOptionValue("solver", "simplex")
        transfer = time.perf_counter() - start
        self._h.run()
        elapsed = time.perf_counter() - start - transfer
        return self._outcome(duals_of, elapsed, transfer)

    def _outcome(self, duals_of: list[Any] | None, elapsed: float,
                 transfer: float) -> SolveOutcome:
        """Read the status, load the plan into the model and collect the asked duals."""
        h, held = self._h, self._held
        assert held is not None
        status = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == _FEASIBLE
        times = {"solve_s": elapsed, "transfer_s": transfer}
        if status in (_STATUS.kInfeasible, _STATUS.kUnboundedOrInfeasible):
            return SolveOutcome("infeasible", message=h.modelStatusToString(status), **times)
        if status == _STATUS.kUnbounded:
            return SolveOutcome("unbounded", message="the plan is unbounded: some profitable "
                                "flow has no limit (e.g. export priced above import without a "
                                "connection limit)", **times)
        stopped = status in (_STATUS.kTimeLimit, _STATUS.kIterationLimit,
                             _STATUS.kSolutionLimit, _STATUS.kInterrupt)
        if stopped and not has_plan:
            return SolveOutcome("no_plan_in_time", message="the solver stopped at the time "
                                "limit before it found a feasible plan (an LP has none until "
                                "it finishes); raise --time-limit or use fewer representative "
                                "days", **times)
        if not has_plan or (status != _STATUS.kOptimal and not stopped):
            return SolveOutcome("error", message=h.modelStatusToString(status), **times)
        solution = h.getSolution()
        _load_values(held.columns, solution.col_value)
        obj = float(info.objective_function_value)
        bound = float(info.mip_dual_bound) if held.integer else obj
        gap = abs(obj - bound) / max(abs(obj), 1e-9)
        outcome = SolveOutcome("time_limit" if stopped else "optimal", obj, bound, gap, **times)
        if duals_of and not held.integer and outcome.status == "optimal":
            outcome.duals = _duals(held, solution.row_dual, duals_of)
        return outcome


def _transfer(h: highspy.Highs, m: pyo.ConcreteModel) -> _Transferred:
    """Compile ``m`` to matrix form and pass it to HiGHS in one call.

    Fixed variables are compiled as columns with equal bounds (the compiler would fold them
    into constants), so that fixing and unfixing later changes bounds, not the matrix.
    """
    with _all_unfixed(m) as fixed_values:
        info = LinearStandardFormCompiler().write(m, mixed_form=True)
    columns = list(info.columns)
    column_of = {id(v): j for j, v in enumerate(columns)}
    lower, upper = _column_bounds(columns, fixed_values)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.fromiter((r.bound_type for r in info.rows), dtype=np.int8, count=len(info.rows))
    row_lower = np.where(sense >= 0, np.where(sense == 0, rhs, -highspy.kHighsInf), rhs)
    row_upper = np.where(sense <= 0, np.where(sense == 0, rhs, highspy.kHighsInf), rhs)
    a = info.A.tocsc()
    cost = np.asarray(info.c.todense()).ravel() if info.c.shape[0] else np.zeros(len(columns))
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(info.rows)
    lp.col_cost_, lp.offset_ = cost, offset
    lp.col_lower_, lp.col_upper_ = lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = a.indptr, a.indices
    lp.a_matrix_.value_ = a.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(columns), len(info.rows)
    h.clearModel()
    h.passModel(lp)
    integer = np.flatnonzero(np.fromiter((not v.is_continuous() for v in columns), dtype=bool,
                                         count=len(columns))).astype(np.int32)
    _set_integrality(h, integer, highspy.HighsVarType.kInteger)
    row_of: dict[int, list[int]] = {}
    for i, row in enumerate(info.rows):
        row_of.setdefault(id(row.constraint), []).append(i)
    fixed = np.fromiter((v.fixed for v in columns), dtype=bool, count=len(columns))
    return _Transferred(m, columns, column_of, row_of, fixed, _param_values(m), integer)


def _set_integrality(h: highspy.Highs, columns: np.ndarray, kind: Any) -> None:
    if len(columns):
        h.changeColsIntegrality(len(columns), columns, np.full(len(columns), kind))


def _send_changes(h: highspy.Highs, held: _Transferred) -> None:
    """Send changed objective coefficients and bounds of (un)fixed variables to HiGHS."""
    params = _param_values(held.model)
    if params != held.params:
        cost, offset = _objective_costs(held)
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.changeObjectiveOffset(offset)
        held.params = params
    fixed = np.fromiter((v.fixed for v in held.columns), dtype=bool, count=len(held.columns))
    idx = np.flatnonzero(fixed | held.fixed)
    if len(idx):
        lower, upper = _column_bounds([held.columns[j] for j in idx], {})
        h.changeColsBounds(len(idx), idx.astype(np.int32), lower, upper)
    held.fixed = fixed
    if len(held.integer_columns):
        all_fixed = bool(fixed[held.integer_columns].all())
        if all_fixed != held.relaxed:  # integers all fixed (for duals) → an LP, and back
            _set_integrality(h, held.integer_columns, highspy.HighsVarType.kContinuous
                             if all_fixed else highspy.HighsVarType.kInteger)
            held.relaxed = all_fixed


def _objective_costs(held: _Transferred) -> tuple[np.ndarray, float]:
    """Objective coefficients per column and constant, at the current Param values."""
    (objective,) = held.model.component_data_objects(pyo.Objective, active=True)
    with _unfixed([v for v in held.columns if v.fixed]):
        repn = generate_standard_repn(objective.expr, compute_values=True, quadratic=False)
    cost = np.zeros(len(held.columns))
    for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        j = held.column_of.get(id(v))
        if j is None:
            raise RuntimeError(f"{v.name} entered the objective after the model was sent to "
                               "HiGHS: build a new solver for a changed model")
        cost[j] += coef
    sign = 1.0 if objective.sense == pyo.minimize else -1.0
    return sign * cost, sign * float(repn.constant)


def _column_bounds(columns: list[Any], fixed_values: dict[int, float],
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``columns``; a fixed variable's bounds are its value."""
    lower = np.empty(len(columns))
    upper = np.empty(len(columns))
    inf = highspy.kHighsInf
    for j, v in enumerate(columns):
        value = fixed_values.get(id(v), v.value if v.fixed else None)
        if value is not None:
            lower[j] = upper[j] = value
        else:
            lb, ub = v.bounds
            lower[j] = -inf if lb is None else lb
            upper[j] = inf if ub is None else ub
    return lower, upper


def _load_values(columns: list[Any], values: Any) -> None:
    """Write HiGHS column values into the Pyomo variables (fixed ones keep theirs)."""
    for v, x in zip(columns, values, strict=True):
        if not v.fixed:
            v.set_value(x, skip_validation=True)


def _duals(held: _Transferred, row_dual: Any, constraints: list[Any]) -> dict[Any, float]:
    """Dual of each constraint (∂ objective / ∂ right-hand side, HiGHS sign convention)."""
    out = {}
    for con in constraints:
        rows = held.row_of.get(id(con))
        if rows:
            out[con] = float(sum(row_dual[i] for i in rows))
    return out


def _param_values(m: pyo.ConcreteModel) -> tuple[float, ...]:
    """Values of every mutable Param of ``m``, to notice a price change."""
    return tuple(pyo.value(p) for param in m.component_objects(pyo.Param, active=True)
                 if param.mutable for p in param.values())


@contextmanager
def _all_unfixed(m: pyo.ConcreteModel):
    """Unfix every fixed variable of ``m`` for the duration; yields {id: fixed value}."""
    with _unfixed([v for v in m.component_data_objects(pyo.Var, active=True) if v.fixed]) as values:
        yield values


@contextmanager
def _unfixed(fixed: list[Any]):
    """Unfix the variables ``fixed`` for the duration; yields {id: fixed value}."""
    values = {id(v): v.value for v in fixed}
    for v in fixed:
        v.unfix()
    try:
        yield values
    finally:
        for v in fixed:
            v.fix(values[id(v)])
