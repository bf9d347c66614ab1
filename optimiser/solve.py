"""The one place that talks to HiGHS (through Pyomo's persistent interface)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs


@dataclass
class SolveOutcome:
    """What came back from the solver."""

    status: str
    """``optimal``, ``time_limit`` (with a feasible plan), ``unbounded``, ``targets_missed``
    (a diagnostic
    plan with priced target slack), ``demand_not_met`` (diagnostic, unserved energy allowed),
    ``infeasible`` or ``error``."""
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


class HighsSolver:
    """Persistent HiGHS: the model is transferred once, later solves send only changes."""

    def __init__(self, time_limit: float | None = None, mip_gap: float = 1e-4,
                 threads: int | None = None):
        self._solver = Highs()
        self._solver.config.load_solutions = False
        self._solver.config.raise_exception_on_nonoptimal_result = False
        if time_limit is not None:
            self._solver.config.time_limit = time_limit
        self._solver.config.rel_gap = mip_gap
        if threads is not None:
            self._solver.config.threads = threads
        self._instance: pyo.ConcreteModel | None = None

    def solve(self, m: pyo.ConcreteModel, duals_of: list[Any] | None = None) -> SolveOutcome:
        """Solve ``m`` (transferring it on first use); load the solution if there is one."""
        start = time.perf_counter()
        transfer = 0.0
        if self._instance is not m:
            self._solver.set_instance(m)
            self._instance = m
            transfer = time.perf_counter() - start
        res = self._solver.solve(m)
        elapsed = time.perf_counter() - start - transfer
        term = res.termination_condition
        if term in (TerminationCondition.provenInfeasible,
                    TerminationCondition.infeasibleOrUnbounded):
            return SolveOutcome("infeasible", solve_s=elapsed, transfer_s=transfer,
                                message=str(term))
        if term == TerminationCondition.unbounded:
            return SolveOutcome("unbounded", solve_s=elapsed, transfer_s=transfer,
                                message="the plan is unbounded: some profitable flow has no "
                                "limit (e.g. export priced above import without a connection "
                                "limit)")
        stopped = term in (TerminationCondition.maxTimeLimit,
                           TerminationCondition.iterationLimit)
        if stopped and res.solution_status not in (SolutionStatus.optimal,
                                                   SolutionStatus.feasible):
            return SolveOutcome("no_plan_in_time", solve_s=elapsed, transfer_s=transfer,
                                message="the solver stopped at the time limit before it found "
                                "a feasible plan (an LP has none until it finishes); raise "
                                "--time-limit or use fewer representative days")
        if res.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible) or (
                term != TerminationCondition.convergenceCriteriaSatisfied and not stopped):
            return SolveOutcome("error", solve_s=elapsed, transfer_s=transfer,
                                message=f"{term}, {res.solution_status}")
        res.solution_loader.load_vars()
        status = "time_limit" if stopped else "optimal"
        obj = float(res.incumbent_objective)
        bound = float(res.objective_bound) if res.objective_bound is not None else obj
        gap = abs(obj - bound) / max(abs(obj), 1e-9)
        duals: dict[Any, float] = {}
        if duals_of and not _has_integers(m) and status == "optimal":
            duals = dict(res.solution_loader.get_duals(duals_of))
        return SolveOutcome(status, obj, bound, gap, elapsed, transfer, duals)


def _has_integers(m: pyo.ConcreteModel) -> bool:
    return any(not v.is_continuous() for v in m.component_data_objects(pyo.Var, active=True)
               if not v.fixed)
