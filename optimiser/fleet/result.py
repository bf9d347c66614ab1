"""What a fleet run returns, and how one plant's part of a solution is read out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from optimiser.fleet.linking import LinkRow
from optimiser.fleet.plants import BuiltPlant, PlantResult
from optimiser.formulate.components.certificates import claim_all
from optimiser.post.results import extract
from optimiser.run.pipeline import PlanRun, held_decisions
from optimiser.solve.highs import SolveOutcome


@dataclass
class RowPrice:
    """The corporate implied carbon price of one linking row."""

    row: LinkRow
    value_t: float
    """Σ_p a_p,r at the solution [t CO2e/yr]: emissions net of credits counted, or credits
    counted."""
    over_t: float
    """σ_r, tonnes over the limit (a diagnosis only)."""
    npc_per_t: float
    """π_r [reporting currency, present value per t of the year's limit]."""


@dataclass
class FleetRun:
    """A solved (or failed) fleet."""

    status: str
    """``optimal``, ``targets_missed`` (a corporate or plant target cannot be met: the
    diagnosis says which year and by how much), ``time_limit`` (a decomposition stopped at
    its most rounds: feasible, gap above the one asked), ``mixed_integer`` (a plant has
    integer decisions: decomposition refused), ``infeasible``, ``error``."""
    method: str
    net_present_cost: float
    """Σ_p of the plants' net present costs [reporting currency]."""
    plants: dict[str, PlantResult]
    prices: list[RowPrice]
    iterations: int = 1
    gap: float = 0.0
    """Relative gap between the best bound and the plan's cost (0 for the whole LP)."""
    bound: float = float("nan")
    """Lower bound on the fleet's net present cost [reporting currency]."""
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: list[str] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    """Per iteration of a decomposition: bound, cost, gap, columns added, seconds."""
    workers: int = 1
    """Processes the plants were solved in."""

    @property
    def feasible(self) -> bool:
        """Every plant has a plan."""
        return self.status in ("optimal", "targets_missed", "time_limit") and bool(self.plants)


def read_plant(built: BuiltPlant, outcome: SolveOutcome,
               timings: dict[str, float]) -> PlantResult:
    """The plant's results from the values loaded in its model (``outcome`` in the plant's
    currency, with the duals of its own targets)."""
    ctx = built.ctx
    claim_all(ctx)
    results = extract(ctx, outcome, {})
    linking = {name: float(var.value or 0.0) for name, var in ctx.linking.items()}
    run = PlanRun(results, outcome, dict(timings), [], held_decisions(ctx), linking)
    terms = {rid: float(pyo.value(expr)) for rid, expr in built.terms.items()}
    spec = built.spec
    return PlantResult(spec.name, run, spec.currency, spec.rate,
                       float(results.attrs["objective"]), terms)


def own_target_rows(built: BuiltPlant) -> list[Any]:
    """The plant's own target rows (their duals: the plant's implied prices)."""
    m = built.ctx.m
    return [m.target[i] for i in m.target_index] + list(m.clean_share.values())
