"""Modelling to generate alternatives on one built model: the cost capped, the objective
swapped for a direction, each solve warm from the last basis.

With C(x) the plan's net present cost (the model's objective) and C* its least value, an
alternative in direction d solves

    min  d(x) + τ·C(x)/|C*|   s.t.  every row of the plan (targets, balances, limits, pins),
                      C(x) ≤ C* + ε·|C*|

(ε the slack, τ = :data:`TIE` a tie-break that takes the cheapest of the plans equally far
in the direction, not any of them; Brill et al. 1982, "Modeling to generate alternatives: the
HSJ approach", Management Science 28(3); the same rows as PyPSA's and Calliope's near-optimal
spaces; docs/alternatives.md). Only the objective and that one row differ from the
least-cost model, so the model is built once, HiGHS is handed it once, and each direction
starts from the basis the least-cost solve (or the last direction) ended at: with the costs
changed that basis is still primal feasible, and primal simplex starts in its phase 2.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
import xarray as xr

from optimiser.alternatives.directions import Direction, available, measured, objective, total
from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model
from optimiser.post.results import extract
from optimiser.run.pipeline import prepare_inputs
from optimiser.solve.highs import Basis, HighsSolver, SolveOutcome
from plant.loaded import LoadedPlan

#: Weight of C(x)/|C*| beside the direction's d(x) (of order 1): among plans equally far in
#: the direction, the cheapest. Within the cap C moves by at most ε·|C*|, so the direction
#: gives up at most TIE·ε of its own scale for it.
TIE = 1e-2


class AlternativesError(RuntimeError):
    """Alternatives cannot be searched around this plan (no least-cost optimum, a model
    that is not the least-cost one)."""


def cost_cap(least_cost: float, slack: float) -> float:
    """C* + ε·|C*| [currency]: ε above the least cost, also when that cost is negative."""
    return least_cost + slack * abs(least_cost)


@dataclass
class Alternative:
    """One direction's plan."""

    direction: Direction
    status: str
    """``optimal`` or HiGHS's status when the solve found no optimum."""
    results: xr.Dataset | None = None
    totals: dict[tuple[str, str], float] = field(default_factory=dict)
    """(subject, measure) -> its total (directions module) in this plan."""
    solve_s: float = 0.0
    iterations: int = 0


@dataclass
class Search:
    """A plan's model held by HiGHS with its cost capped, solved direction by direction."""

    ctx: Any
    solver: HighsSolver
    slack: float
    least_cost: float
    """C* [currency]."""
    warm: bool
    """The least-cost basis was taken (else the least cost was solved again here)."""

    @classmethod
    def start(cls, loaded: LoadedPlan, resolution: Resolution, least_cost: float,
              slack: float, basis: Basis | None = None, time_limit: float | None = None,
              threads: int | None = None) -> Search:
        """Build the plan's model at ``resolution``, hand it to HiGHS at ``basis`` (or solve
        it from scratch when there is none that fits) and cap its cost."""
        _, ctx = build_model(prepare_inputs(loaded, resolution))
        solver = HighsSolver(time_limit=time_limit, threads=threads)
        warm = solver.hold(ctx.m, basis)
        _solve_least_cost(solver, ctx, least_cost)  # from the basis: no iteration
        solver.cap_objective(cost_cap(least_cost, slack) / float(ctx.m.money_scale))
        return cls(ctx, solver, slack, least_cost, warm)

    def solve(self, direction: Direction, keys: list[tuple[str, str]] | None = None,
              ) -> Alternative:
        """The plan of least ``direction`` within the cap, extracted like a plan run's."""
        ctx, solver = self.ctx, self.solver
        form = solver.linear_form(objective(ctx, direction))
        money = abs(self.least_cost) / float(ctx.m.money_scale)
        found = solver.solve_objective(form, tie=TIE / max(money, 1e-9))
        if found.status != "optimal" or found.x is None:
            return Alternative(direction, found.status, solve_s=found.solve_s)
        solver.load_columns(found.x)
        scale = float(ctx.m.money_scale)
        outcome = SolveOutcome("optimal", found.own_objective * scale,
                               found.own_objective * scale, 0.0, solve_s=found.solve_s)
        claim_all(ctx)
        results = extract(ctx, outcome)
        results.attrs.update(alternative=direction.name, direction=direction.text,
                             least_cost=self.least_cost, slack=self.slack)
        keys = keys if keys is not None else measured([direction])
        totals = {key: float(pyo.value(total(ctx, *key))) for key in keys
                  if _has(ctx, key[0])}
        return Alternative(direction, "optimal", results, totals, found.solve_s,
                           found.iterations)

    def totals(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """The totals of the plan the model holds now."""
        return {key: float(pyo.value(total(self.ctx, *key))) for key in keys
                if _has(self.ctx, key[0])}


def _has(ctx: Any, subject: str) -> bool:
    return subject in available(ctx.inputs.plan)


def _solve_least_cost(solver: HighsSolver, ctx: Any, least_cost: float) -> None:
    """Solve the least-cost model (from the basis held, if any) and check that it is the one
    ``least_cost`` came from (to 1e-6); its plan is then loaded in the model."""
    start = time.perf_counter()
    outcome = solver.solve(ctx.m).rescaled(float(ctx.m.money_scale))
    if outcome.status != "optimal":
        raise AlternativesError(f"the least-cost model ended {outcome.status} when solved "
                                "again for the alternatives")
    if not math.isclose(outcome.objective, least_cost, rel_tol=1e-6, abs_tol=1e-6):
        raise AlternativesError(
            f"the least-cost model solved again costs {outcome.objective:,.0f}, not "
            f"{least_cost:,.0f}: it is not the model the plan was solved on "
            f"({time.perf_counter() - start:.0f} s)")
