"""A plant's subproblem in a decomposition: built once, priced many times, finished once.

A :class:`PlantPricer` lives where its plant is solved (this process, or a Dask worker as an
actor, :mod:`optimiser.fleet.pools`). It builds the plant's model and solves it alone, then
for prices π_r of the linking rows [reporting currency per t] re-solves

    min  C_p(x) + Σ_r π_r · a_p,r(x)

warm from its last basis (only costs change: primal simplex), and answers with a column:
C_p in reporting currency and the a_p,r. It keeps every answer's plan, so that at the end
its plan can be the master's mix of its columns, x̄_p = Σ_j w_pj x_pj
(:meth:`PlantPricer.finish`): a plan of the plant (its LP is convex) whose cost and linking
terms are the mix's, with no further solve.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimiser.fleet.plants import PlantResult, PlantSpec, build_plant
from optimiser.fleet.result import own_target_rows, read_plant
from optimiser.run.pipeline import free_target_slack, target_shortfalls
from optimiser.solve.highs import HighsSolver, LinearForm, SolveOutcome


@dataclass(frozen=True)
class Column:
    """One plant's answer to a set of prices."""

    plant: str
    status: str
    index: int = -1
    """Which of the pricer's answers it is (:meth:`PlantPricer.finish`)."""
    cost: float = math.nan
    """C_p at the answer [reporting currency, net present cost]."""
    terms: dict[str, float] = field(default_factory=dict)
    """a_p,r at the answer [t CO2e/yr]."""
    solve_s: float = 0.0
    message: str = ""

    def priced(self, prices: dict[str, float]) -> float:
        """C_p + Σ_r π_r · a_p,r [reporting currency]."""
        return self.cost + sum(prices.get(r, 0.0) * v for r, v in self.terms.items())


class PlantPricer:
    """One plant's model and its HiGHS, kept between pricing rounds (module docstring)."""

    def __init__(self, spec: PlantSpec, threads: int | None = 1,
                 time_limit: float | None = None, method: str = "auto"):
        start = time.perf_counter()
        self.built = build_plant(spec)
        self.solver = HighsSolver(time_limit=time_limit, threads=threads, method=method)
        self.forms: dict[str, LinearForm] = {}
        self.answers: list[np.ndarray] = []
        """The plan of every answer, by :attr:`Column.index`."""
        self.duals: dict[Any, float] = {}
        """The duals of the plant's own target rows in the last answer [model units]."""
        self.timings = dict(self.built.timings)
        self.timings["setup_s"] = time.perf_counter() - start
        self.timings["price_s"] = 0.0
        self.rounds = 0
        self.relaxed = ""
        """``targets_missed`` or ``demand_not_met`` when the plant alone cannot meet its own
        targets (or demand) and was solved with them relaxed (:meth:`_relaxed`)."""

    @property
    def name(self) -> str:
        """The plant's name."""
        return self.built.spec.name

    def start(self) -> Column:
        """Solve the plant alone (no prices): the first column, and the basis later rounds
        start from."""
        outcome = self.solver.solve(self.built.ctx.m)
        if outcome.status == "infeasible":
            outcome = self._relaxed()
        self.timings["solve_s"] = outcome.solve_s
        self.timings["transfer_s"] = outcome.transfer_s
        if not outcome.feasible:
            return Column(self.name, outcome.status, message=outcome.message or outcome.status)
        if self.solver.holds_integers:
            return Column(self.name, "mixed_integer", message=(
                "its model has integer decisions (unit commitment or one-meter rules), which "
                "a decomposition by prices cannot coordinate exactly: use --method monolithic"))
        self.forms = {rid: self.solver.linear_form(expr)
                      for rid, expr in self.built.terms.items()}
        return self.price({})

    def _relaxed(self) -> SolveOutcome:
        """The plant cannot meet its own targets alone: solve it with their slack priced (then
        with unserved energy allowed too), as ``plan`` diagnoses; the fleet's plan then says
        which of them it misses, when and by how much (:meth:`finish`)."""
        ctx = self.built.ctx
        free_target_slack(ctx)
        self.relaxed = "targets_missed"
        outcome = self.solver.solve(ctx.m)
        if outcome.status == "infeasible":
            for v in ctx.m.unserved.values():
                v.unfix()
            self.relaxed = "demand_not_met"
            outcome = self.solver.solve(ctx.m)
        return outcome

    def price(self, prices: dict[str, float]) -> Column:
        """The plant's best answer to ``prices`` [reporting currency per t, present value]."""
        per_unit = 1.0 / (self.built.spec.rate * self.built.scale)
        extra = [(form, prices.get(rid, 0.0) * per_unit) for rid, form in self.forms.items()
                 if prices.get(rid, 0.0) != 0.0]
        solved = self.solver.solve_priced(extra, own_target_rows(self.built))
        self.timings["price_s"] += solved.solve_s
        self.rounds += 1
        if solved.x is None:
            return Column(self.name, solved.status, solve_s=solved.solve_s,
                          message=f"a pricing round ended {solved.status}")
        self.answers.append(solved.x)
        self.duals = solved.duals
        terms = {rid: form.value(solved.x) for rid, form in self.forms.items()}
        cost = solved.own_objective * self.built.scale * self.built.spec.rate
        return Column(self.name, "optimal", len(self.answers) - 1, cost, terms, solved.solve_s)

    def finish(self, weights: dict[int, float]) -> PlantResult:
        """Load the mix Σ_j w_j x_j of the answers ``weights`` names (by
        :attr:`Column.index`) into the plant's model and read its results. Its own targets'
        prices are their duals in the last answer (at the final corporate prices)."""
        start = time.perf_counter()
        x = sum(w * self.answers[j] for j, w in weights.items())
        assert isinstance(x, np.ndarray)
        self.solver.load_columns(x)
        cost = self.solver.own_objective(x) * self.built.scale
        duals = {c: d * self.built.scale for c, d in self.duals.items()}
        outcome = SolveOutcome(self.relaxed or "optimal", cost, cost, 0.0,
                               duals={} if self.relaxed else duals)
        result = read_plant(self.built, outcome, self.timings)
        if self.relaxed:
            result.run.diagnosis = target_shortfalls(self.built.ctx) + (
                ["demand cannot be served with the technologies on offer (plan the plant alone "
                 "with `cnplan plan` for the detail)"] if self.relaxed == "demand_not_met"
                else [])
        # the duals are keyed by the model's constraints (already in the results): sent back
        # from a Dask worker they would drag the whole model along (1-1.5 s a plant)
        result.run.outcome.duals = {}
        self.timings["finish_s"] = time.perf_counter() - start
        result.run.timings["finish_s"] = self.timings["finish_s"]
        return result
