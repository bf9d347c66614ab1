"""Modelling to generate alternatives on one built model: the cost capped, the objective
swapped for a direction, each solve warm from the least-cost basis.

With C(x) the plan's net present cost (the model's objective) and C* its least value, an
alternative in direction d is found in two steps (lexicographically: first the direction,
then the cost):

    1.  d* = min d(x)   s.t.  every row of the plan (targets, balances, limits, pins),
                              C(x) ≤ C* + ε·|C*|
    2.  min C(x)        s.t.  the same rows, and d(x) ≤ d* + δ

(ε the slack, δ = :data:`HOLD` of d's scale; Brill et al. 1982, "Modeling to generate
alternatives: the HSJ approach", Management Science 28(3); the same cost row as PyPSA's and
Calliope's near-optimal spaces; docs/alternatives.md). Step 2 makes the alternative the
cheapest plan that goes as far in the direction, not any plan under the cap: the least SOFC
when it is none costs what having none costs, and a plan does not carry what the first step
left in it at no gain (credits bought, capacity that does not move d).

Only the objective and one or two rows differ from the least-cost model, so the model is
built once, HiGHS is handed it once, and each direction starts from the least-cost basis:
with the costs changed that basis is still primal feasible, and primal simplex starts in its
phase 2; step 2 starts from step 1's basis.
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

#: How far step 2 may let the direction's d(x) (of order 1: totals over their scale, see
#: :func:`optimiser.alternatives.directions.objective`) fall back from d*: solver tolerance.
HOLD = 1e-6


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
    """Both steps [s]."""
    iterations: int = 0
    """Simplex iterations of both steps."""
    first_iterations: int = 0
    """Of step 1."""
    first_solve_s: float = 0.0
    """Step 1's time [s]."""


@dataclass
class Search:
    """A plan's model held by HiGHS with its cost capped, solved direction by direction."""

    ctx: Any
    solver: HighsSolver
    slack: float
    least_cost: float
    """C* [currency]."""
    start_basis: Basis | None = None
    """The least-cost basis with the cost row: where every direction starts."""

    @classmethod
    def start(cls, loaded: LoadedPlan, resolution: Resolution, least_cost: float,
              slack: float, basis: Basis | None = None, time_limit: float | None = None,
              threads: int | None = None) -> Search:
        """Build the plan's model at ``resolution``, hand it to HiGHS at ``basis`` (or solve
        it from scratch when there is none that fits) and cap its cost."""
        _, ctx = build_model(prepare_inputs(loaded, resolution))
        solver = HighsSolver(time_limit=time_limit, threads=threads)
        solver.hold(ctx.m, basis)
        _solve_least_cost(solver, ctx, least_cost)  # from the basis: no iteration
        solver.cap_objective(cost_cap(least_cost, slack) / float(ctx.m.money_scale))
        return cls(ctx, solver, slack, least_cost, solver.basis())

    def solve(self, direction: Direction, keys: list[tuple[str, str]] | None = None,
              ) -> Alternative:
        """The cheapest plan of least ``direction`` within the cap (steps 1 and 2 of the
        module docstring), extracted like a plan run's."""
        ctx, solver = self.ctx, self.solver
        if self.start_basis is not None:
            solver.set_basis(self.start_basis)
        form = solver.linear_form(objective(ctx, direction))
        first = solver.solve_objective(form)
        if first.status != "optimal" or first.x is None:
            return Alternative(direction, first.status, solve_s=first.solve_s)
        row = solver.add_row(form, first.value + HOLD)
        try:
            found = solver.solve_objective(solver.own_form())
        finally:
            solver.delete_row(row)
        solve_s, iterations = first.solve_s + found.solve_s, first.iterations + found.iterations
        if found.status != "optimal" or found.x is None:
            return Alternative(direction, found.status, solve_s=solve_s, iterations=iterations)
        solver.load_columns(found.x)
        scale = float(ctx.m.money_scale)
        outcome = SolveOutcome("optimal", found.own_objective * scale,
                               found.own_objective * scale, 0.0, solve_s=solve_s)
        claim_all(ctx)
        results = extract(ctx, outcome)
        results.attrs.update(alternative=direction.name, direction=direction.text,
                             least_cost=self.least_cost, slack=self.slack)
        keys = keys if keys is not None else measured([direction])
        return Alternative(direction, "optimal", results, self.totals(keys), solve_s,
                           iterations, first.iterations, first.solve_s)

    def totals(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """The totals of the plan the model holds now (of the subjects the plan has)."""
        names = set(available(self.ctx.inputs.plan))
        return {key: float(pyo.value(total(self.ctx, *key))) for key in keys
                if key[0] in names}


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
