"""Implied carbon prices of the targets, as both one-sided derivatives where they differ.

The dual of a target's constraint is the change of the net present cost per tonne of its
limit, but an LP's cost is piecewise linear in the limit: where the limit sits on a kink (a
credit cap, a build limit or a supply limit starts or stops binding), the dual is only one
end of the range. For every binding target-year the limit is moved by ±Δ (Δ = 0.1 % of the
target's baseline emissions, at least 1 t) in two warm re-solves:

  relaxing:   p⁻ = (C − C(L + Δ)) / (Δ·δ_y),    tightening:   p⁺ = (C(L − Δ) − C) / (Δ·δ_y),

with C the net present cost and δ_y the discount factor of the year's span, so both are prices
per tonne emitted in year y, like the dual. p⁻ ≤ p⁺; where they differ, the limits active in
that year are named (what binds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from optimiser.context import Context
from optimiser.solve import HighsSolver
from plant.accounting import baseline_emissions

#: Relative difference of the two sides below which they count as one price.
SAME = 1e-4


@dataclass(frozen=True)
class PriceRange:
    """One-sided implied prices of a target in a year [currency/t] and what binds."""

    lower: float
    """What relaxing the limit by a tonne saves."""
    upper: float | None
    """What tightening it by a tonne costs (None: the tighter plan is infeasible)."""
    binds: str = ""
    """Limits active in that year when the two differ (a credit cap, a build limit...)."""


def price_ranges(solver: HighsSolver, ctx: Context, duals: dict[Any, float],
                 objective: float) -> dict[tuple[int, int], PriceRange]:
    """Both one-sided implied prices of every binding target-year (docstring above).

    ``duals`` and ``objective`` are in currency (the outcome after rescaling)."""
    m, inputs = ctx.m, ctx.inputs
    plan, scale = inputs.plan, m.money_scale
    base = baseline_emissions(plan)
    out: dict[tuple[int, int], PriceRange] = {}
    for k, y in m.target_index:
        con = m.target[k, y]
        disc = inputs.annual_discount[y]
        dual = duals.get(con)
        if dual is None or abs(dual) / disc < 1e-6:
            continue
        delta = max(1.0, 1e-3 * base.total(list(plan.targets[k].scopes)))
        relaxed = solver.shifted_objective(con, delta)
        tight = solver.shifted_objective(con, -delta)
        lower = (objective - relaxed * scale) / delta / disc if relaxed is not None else (
            -dual / disc)
        upper = (tight * scale - objective) / delta / disc if tight is not None else None
        differ = upper is None or abs(upper - lower) > SAME * max(abs(upper), abs(lower), 1.0)
        out[(k, y)] = PriceRange(lower, upper, binding_limits(ctx, k, y) if differ else "")
    return out


def binding_limits(ctx: Context, k: int, y: int) -> str:
    """The limits active in year ``y`` at the solution: the target's credit cap, build limits,
    fuel supply limits and certificate caps."""
    m, plan = ctx.m, ctx.inputs.plan
    found = []
    cap = m.target_credit_cap[k, y]
    if abs(pyo.value(cap.body) - pyo.value(cap.upper)) <= 1e-6 * max(1.0, pyo.value(cap.upper)):
        found.append(f"credit cap of '{plan.targets[k].name}' "
                     f"({plan.targets[k].max_credit_share:.0%} of its baseline)")
    for name in plan.technologies:
        block = m.find_component(f"tech_{name}")
        for con in block.component_objects(pyo.Constraint, active=True):
            if "_limit_" in con.local_name and con.local_name.split("_limit_")[1].startswith(
                    f"{y}_") and _active(con):
                found.append(f"build limit of {name}")
                break
    for (yy, fuel), var in m.fuel_purchase.items():
        if yy == y and var.ub is not None and var.value is not None and var.value >= (
                var.ub - 1e-6 * max(1.0, var.ub)):
            found.append(f"supply limit of {fuel}")
    for (yy, cert), var in m.certificates.items():
        if yy == y and var.ub is not None and var.value is not None and var.value >= (
                var.ub - 1e-6 * max(1.0, var.ub)):
            found.append(f"cap on certificates {cert}")
    return "; ".join(found)


def _active(con: Any) -> bool:
    """A (scalar) ≤ constraint at its upper bound."""
    data = con if not con.is_indexed() else None
    if data is None or data.upper is None:
        return False
    upper = pyo.value(data.upper)
    return abs(pyo.value(data.body) - upper) <= 1e-6 * max(1.0, abs(upper))
