"""The yearly subproblems of a decomposition by year (:mod:`optimiser.decompose.benders`):
each year's dispatch LP held in HiGHS and re-solved for new capacities, in this process or
in worker processes that keep their years for the whole run."""

from __future__ import annotations

import dataclasses
import gc
import logging
import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs
from optimiser.formulate.model import build_model, slack_penalty
from optimiser.solve.highs import LpArrays, compile_lp, new_highs, solve_again
from plant.schema import Plan

_OPTIMAL = highspy.HighsModelStatus.kOptimal
LOG = logging.getLogger(__name__)


class DecompositionError(RuntimeError):
    """A subproblem or the master could not be solved."""


@dataclass
class YearProblem:
    """One year's dispatch LP, kept as arrays and solved for new linking values.

    Each solve sends the LP to a HiGHS shared by the years of a process and solves it from
    scratch: presolve shrinks an hourly year a lot once the linking columns are fixed (Tochigi:
    ~78,000 dual simplex iterations in ~3 s), while a warm start skips presolve and works on
    the whole LP (~1.4 ms an iteration), and a HiGHS kept per year holds ~1 GB after solving
    (bench/NOTES.md)."""

    year: int
    lp: LpArrays
    names: list[str]
    """Linking variables this year reads, by name."""
    columns: np.ndarray
    """Their LP columns (−1: not in the LP, so the cost does not depend on it)."""
    held: dict[str, float]
    """The values it was built with (kept for any the master holds constant)."""
    solve_s: float = 0.0
    slack: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    """Columns of the penalised shortfalls (target, ramp, clean-share and share-pin slack,
    unserved energy when the plan does not price it)."""
    short: float = 0.0
    """Σ of those columns at the last solve (0: every target and demand met)."""

    def evaluate(self, linked: dict[str, float], highs: highspy.Highs,
                 ) -> tuple[float, np.ndarray]:
        """Q_y and its slopes ∂Q_y/∂ξ_j at ``linked`` (model units; a name missing from
        ``linked`` keeps the value the year was built with), solved in ``highs``."""
        values = np.array([max(float(linked.get(n, self.held[n])), 0.0) for n in self.names])
        present = self.columns >= 0
        cols = self.columns[present].astype(np.int64)
        self.lp.col_lower[cols] = values[present]
        self.lp.col_upper[cols] = values[present]
        start = time.perf_counter()
        self.lp.send(highs)
        status = solve_again(highs)
        elapsed = time.perf_counter() - start
        self.solve_s += elapsed
        LOG.info("year %d solved in %.1f s (%d simplex iterations)", self.year, elapsed,
                 highs.getInfo().simplex_iteration_count)
        if status != _OPTIMAL:
            raise DecompositionError(f"the dispatch of {self.year} could not be solved: "
                                     f"{highs.modelStatusToString(status)}")
        duals = np.asarray(highs.getSolution().col_dual, dtype=float)
        slopes = np.zeros(len(self.names))
        slopes[present] = duals[cols]
        objective = float(highs.getInfo().objective_function_value)
        if len(self.slack):
            values = np.asarray(highs.getSolution().col_value, dtype=float)
            self.short = float(values[self.slack].sum())
        highs.clearModel()  # its factorisation would stay in memory until the next year
        return objective, slopes


def year_inputs(inputs: ModelInputs, year: int, linked: dict[str, float]) -> ModelInputs:
    """The inputs of year ``year``'s subproblem with the linking values ``linked``."""
    return dataclasses.replace(inputs, years=[year], linked=dict(linked), _demand={})


def unserved_penalty(plan: Plan) -> float:
    """What a year's subproblem charges per MWh unserved when the plan prices none: more
    than anything shedding it could save there (1000 × the highest grid price, plus a year
    of every demand charge on 1 MW, which shedding a peak hour could avoid), so that it sheds
    nothing the held capacities can serve (an exact penalty)."""
    charges = sum(12.0 * 1000.0 * max(c.price_per_kw_month.values())
                  for c in plan.demand_charges.values())
    return slack_penalty(plan) + charges


def build_year(inputs: ModelInputs) -> tuple[pyo.ConcreteModel, Context]:
    """A year's subproblem in Pyomo, every shortfall allowed at its penalty (module
    docstring)."""
    m, ctx = build_model(inputs)
    for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
              *m.clean_share_slack.values()]:
        v.unfix()
    if inputs.plan.demand.unserved_cost_per_mwh is None:
        m.penalty_unserved.set_value(unserved_penalty(inputs.plan))
        for v in m.unserved.values():
            v.unfix()
    return m, ctx


@dataclass
class CompiledYear:
    """A year's subproblem as arrays, with its linking columns (what a worker sends back)."""

    year: int
    lp: LpArrays
    names: list[str]
    columns: np.ndarray
    held: dict[str, float]
    slack: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def _shortfalls(m: pyo.ConcreteModel, plan: Plan) -> list[Any]:
    """The penalised shortfall variables of a year's subproblem (:func:`build_year`)."""
    out = [*m.target_slack.values(), *m.removal_ramp_slack.values(),
           *m.clean_share_slack.values()]
    if hasattr(m, "share_pin_slack"):
        out += list(m.share_pin_slack.values())
    if plan.demand.unserved_cost_per_mwh is None:
        out += list(m.unserved.values())
    return out


def compile_year(inputs: ModelInputs, year: int, linked: dict[str, float]) -> CompiledYear:
    """Build year ``year``'s subproblem in Pyomo and compile it to arrays."""
    m, ctx = build_year(year_inputs(inputs, year, linked))
    lp = compile_lp(m)
    names = list(ctx.linking)
    columns = np.array([lp.column_of.get(id(ctx.linking[n]), -1) for n in names])
    held = {n: float(linked.get(n, 0.0)) for n in names}
    slack = np.array([lp.column_of[id(v)] for v in _shortfalls(m, inputs.plan)
                      if id(v) in lp.column_of], dtype=int)
    return CompiledYear(year, lp.arrays, names, columns, held, slack)


Evaluation = dict[int, tuple[float, np.ndarray, list[str]]]
"""Year -> (Q_y, slopes, the linking names the slopes are for)."""


class YearPool:
    """Every year's subproblem, held for the whole decomposition: in this process
    (``jobs`` = 1) or spread over ``jobs`` worker processes, each of which builds its years
    one at a time (only arrays stay: the Pyomo model of an hourly year is ~0.5 GB while
    built) and then answers :meth:`evaluate` for them, in parallel with the others."""

    def __init__(self, inputs: ModelInputs, linked: dict[str, float], jobs: int = 1):
        years = list(inputs.years)
        self._local: dict[int, YearProblem] = {}
        self._highs = new_highs(None)
        self._workers: list[tuple[Any, Any]] = []
        if jobs <= 1 or len(years) == 1:
            for y in years:
                self._local[y] = _problem(compile_year(inputs, y, linked))
            return
        context = multiprocessing.get_context("spawn")
        groups = [years[i::jobs] for i in range(min(jobs, len(years)))]
        for group in groups:
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, inputs, group, linked),
                                      daemon=True)
            process.start()
            theirs.close()
            self._workers.append((process, mine))
        for _, conn in self._workers:
            self._answer(conn)  # "ready", or the error of a failed build

    def evaluate(self, linked: dict[str, float]) -> Evaluation:
        """Q_y and its slopes for every year at ``linked``."""
        if not self._workers:
            return {y: (*p.evaluate(linked, self._highs), p.names)
                    for y, p in self._local.items()}
        for _, conn in self._workers:
            conn.send(("evaluate", linked))
        out: Evaluation = {}
        for _, conn in self._workers:
            out.update(self._answer(conn))
        return out

    def solve_seconds(self) -> float:
        """HiGHS time of the subproblems so far (the slowest worker's, in parallel)."""
        if not self._workers:
            return sum(p.solve_s for p in self._local.values())
        for _, conn in self._workers:
            conn.send(("seconds", None))
        return max(float(self._answer(conn)) for _, conn in self._workers)

    def close(self) -> None:
        """Stop the workers (nothing to do in process)."""
        for process, conn in self._workers:
            try:
                conn.send(("stop", None))
            except (BrokenPipeError, OSError):
                pass
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        self._workers = []

    def __enter__(self) -> YearPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @staticmethod
    def _answer(conn: Any) -> Any:
        try:
            kind, payload = conn.recv()
        except EOFError:
            raise DecompositionError("a worker building or solving the yearly subproblems "
                                     "stopped (out of memory?)") from None
        if kind == "error":
            raise DecompositionError(payload)
        return payload


def _problem(compiled: CompiledYear) -> YearProblem:
    """A compiled year as a subproblem."""
    return YearProblem(compiled.year, compiled.lp, compiled.names, compiled.columns,
                       compiled.held, slack=compiled.slack)


def _serve(conn: Any, inputs: ModelInputs, years: list[int], linked: dict[str, float]) -> None:
    """A worker: build ``years`` one at a time, then answer the parent until "stop"."""
    try:
        problems = {}
        for y in years:
            problems[y] = _problem(compile_year(inputs, y, linked))
            gc.collect()
        highs = new_highs(1)
        conn.send(("ready", None))
        while True:
            command, payload = conn.recv()
            if command == "stop":
                break
            if command == "seconds":
                conn.send(("ok", sum(p.solve_s for p in problems.values())))
                continue
            conn.send(("ok", {y: (*p.evaluate(payload, highs), p.names)
                              for y, p in problems.items()}))
    except Exception as exc:  # the parent raises it as a DecompositionError
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
