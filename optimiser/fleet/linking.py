"""The rows that link the plants of a fleet, and what each plant puts into them.

Corporate target rows (:func:`plant.fleet.corporate_rows`) become, for row r (target k in
modelled year y), with plant terms a_p,r and σ_r, a tonne over the limit (priced at
:func:`over_limit_price`, held at 0 outside a diagnosis):

    emissions_r:  Σ_p (E_p,r − u_p,r) − σ_r ≤ L_r     (a_p = Σ_{s∈S_k} E_p,s(y) − u_p,r)
    credits_r:    Σ_p u_p,r ≤ c_r                    (a_p = u_p,r; only where c_r > 0)

E_p,s(y) is plant p's emissions of scope s (:func:`optimiser.formulate.model.emissions_expr`)
[t CO2e/yr] and u_p,r the credits it counts toward row r, a variable of the plant's own model
with 0 ≤ u_p,r ≤ K_p(y) (the credits it buys that count toward targets) and u_p,r ≤ c_r.
This is the corporate rule Σ_p E − u ≤ L, u ≤ Σ_p K, u ≤ c with u split among the plants;
bounding each plant's share by c_r keeps a plant's priced subproblem bounded when the
corporate price of a tonne exceeds a credit's price (:mod:`optimiser.fleet.decomposed`).
Every row is ≤, so its price π_r = −∂(cost)/∂(right-hand side) ≥ 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.context import Context
from optimiser.formulate.model import emissions_expr, plan_money_scale, slack_penalty
from plant.fleet import CorporateRow
from plant.schema import Plan


@dataclass(frozen=True)
class LinkRow:
    """One linking row: ``emissions`` or ``credits`` of a corporate row."""

    id: str
    kind: str
    row: CorporateRow

    @property
    def rhs(self) -> float:
        """L_r for an emissions row, c_r for a credits row [t CO2e]."""
        return self.row.limit_t if self.kind == "emissions" else self.row.credit_cap_t


def link_rows(rows: list[CorporateRow]) -> list[LinkRow]:
    """The linking rows of the corporate rows (module docstring)."""
    out = []
    for r in rows:
        out.append(LinkRow(f"emissions:{r.key}", "emissions", r))
        if r.credit_cap_t > 0:
            out.append(LinkRow(f"credits:{r.key}", "credits", r))
    return out


def plant_terms(ctx: Context, rows: list[LinkRow]) -> dict[str, Any]:
    """a_p,r of one plant's model for every linking row [t CO2e/yr]; adds the plant's
    credits counted toward the corporate rows, u_p,r, to its model (``fleet_credits``)."""
    m = ctx.m
    keys = [lr.row.key for lr in rows if lr.kind == "credits"]
    m.fleet_credits = pyo.Var(keys, domain=pyo.NonNegativeReals)
    m.fleet_credits_bought = pyo.Constraint(keys)
    out: dict[str, Any] = {}
    for lr in rows:
        key, y = lr.row.key, lr.row.year
        if lr.kind == "credits":
            m.fleet_credits[key].setub(lr.row.credit_cap_t)
            m.fleet_credits_bought[key] = m.fleet_credits[key] <= emissions_expr(
                ctx, "credits_counted", y)
            out[lr.id] = m.fleet_credits[key]
    for lr in rows:
        if lr.kind == "emissions":
            key = lr.row.key
            emitted = pyo.quicksum(emissions_expr(ctx, s, lr.row.year) for s in lr.row.scopes)
            out[lr.id] = emitted - m.fleet_credits[key] if key in keys else emitted
    return out


def fleet_money_scale(plans: list[Plan], rates: list[float]) -> float:
    """Unit of a fleet objective [reporting currency]: the power of ten nearest the geometric
    mean of the plants' own units (:func:`optimiser.formulate.model.plan_money_scale`) in
    reporting currency, so that each plant's costs keep their scaling within a factor of
    about 3 (Sunderland GBP 1e3 = 1,270 USD, Tochigi JPY 1e5 = 660 USD → 1e3 USD)."""
    logs = [math.log10(plan_money_scale(p) * r) for p, r in zip(plans, rates, strict=True)]
    return 10.0 ** round(sum(logs) / len(logs))


def over_limit_price(plans: list[Plan], rates: list[float]) -> float:
    """Price of a tonne over a corporate limit [reporting currency, present value]: ten times
    the highest plant's own target-slack penalty per tonne-year
    (:func:`optimiser.formulate.model.slack_penalty`, 1000 × its highest grid price), so no
    real lever is dearer; it only prices a diagnosis (or a decomposition's first rounds)."""
    return 10.0 * max(slack_penalty(p) * r for p, r in zip(plans, rates, strict=True))
