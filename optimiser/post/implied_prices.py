"""Implied carbon prices of the targets, as both one-sided derivatives where they differ.

The dual of a target's constraint is the change of the net present cost per tonne of its
limit, but an LP's cost is piecewise linear in the limit: where the limit sits on a kink (a
credit cap, a build limit or a supply limit starts or stops binding), the dual is only one
end of the range. For every target-year whose limit is reached the limit is moved by ±Δ
(Δ = 10⁻⁵ of the target's baseline emissions, at least 0.1 t) in two warm re-solves:

  relaxing:   p⁻ = (C − C(L + Δ)) / (Δ·δ_y),    tightening:   p⁺ = (C(L − Δ) − C) / (Δ·δ_y),

with C the net present cost and δ_y the discount factor of the year's span, so both are prices
per tonne emitted in year y, like the dual. p⁻ ≤ p⁺; where they differ, the annual limits
reached in that year are named (what binds). A plan that misses a target has no implied
price (its dual is the diagnostic penalty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.context import Context
from optimiser.solve.highs import HighsSolver
from plant.accounting import counted_scopes
from plant.factors import baseline_emissions

#: Relative difference of the two sides below which they count as one price.
SAME = 1e-4
#: Step Δ as a share of the target's baseline emissions (at least 0.1 t): small enough to
#: give the derivatives, not a secant across a nearby kink; large enough for the solver.
STEP = 1e-5


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
    """Both one-sided implied prices of every target-year whose limit is reached (docstring
    above), whether or not its dual is zero: a target met exactly by a lever at its cap has a
    dual of 0 and yet costs something to tighten.

    ``duals`` and ``objective`` are in currency (the outcome after rescaling)."""
    m, inputs = ctx.m, ctx.inputs
    plan, scale = inputs.plan, m.money_scale
    base = baseline_emissions(plan)
    out: dict[tuple[int, int], PriceRange] = {}
    for k, y in m.target_index:
        con = m.target[k, y]
        disc = inputs.annual_discount[y]
        dual = duals.get(con, 0.0)
        if not _active(con) and abs(dual) / disc < 1e-6:
            continue
        delta = max(0.1, STEP * base.total(counted_scopes(plan, plan.targets[k])))
        relaxed = solver.shifted_objective(con, delta) if abs(dual) / disc >= 1e-6 else None
        tight = solver.shifted_objective(con, -delta)
        lower = (objective - relaxed * scale) / delta / disc if relaxed is not None else (
            -dual / disc)
        upper = (tight * scale - objective) / delta / disc if tight is not None else None
        differ = upper is None or abs(upper - lower) > SAME * max(abs(upper), abs(lower), 1.0)
        out[(k, y)] = PriceRange(_clean(lower), None if upper is None else _clean(upper),
                                 binding_limits(ctx, y) if differ else "")
    return out


def binding_limits(ctx: Context, year: int, keys: bool = False) -> str:
    """The annual limits of ``year`` that are reached at the solution (registered by the
    components with :meth:`~optimiser.formulate.context.Context.add_limit`): build, build-rate and
    saving limits, pins, fuel supply limits, certificate and credit caps, the targets' credit
    caps. Several may be listed; the kink comes from one or more of them. With ``keys``,
    each names the plan key that sets it ("cap on certificates rego (`certificates.rego.
    max_mwh_per_year`)")."""
    found = [f"{what} (`{key}`)" if keys and key else what
             for y, what, item, key in ctx.limits if y == year and _active(item)]
    return "; ".join(dict.fromkeys(found))


def _active(item: Any) -> bool:
    """A constraint at one of its bounds, or a variable at its upper bound."""
    if isinstance(item, pyo.Var) or getattr(item, "ctype", None) is pyo.Var:
        ub, value = item.ub, item.value
        return ub is not None and value is not None and value >= ub - 1e-6 * max(1.0, abs(ub))
    body = pyo.value(item.body, exception=False)
    if body is None:
        return False
    for bound in (item.upper, item.lower):
        if bound is not None:
            b = pyo.value(bound)
            if abs(body - b) <= 1e-6 * max(1.0, abs(b)):
                return True
    return False


def _clean(price: float) -> float:
    """No "-0" for a price that is zero up to solver noise."""
    return 0.0 if abs(price) < 1e-9 else price
