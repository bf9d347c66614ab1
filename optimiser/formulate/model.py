"""Assemble the Pyomo model: components, hourly balances, targets, pins and the objective."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.components import REGISTRY
from optimiser.formulate.components.certificates import add_certificates
from optimiser.formulate.components.clean_share import add_clean_share_targets
from optimiser.formulate.components.demand_charges import (
    add_demand_charges,
    update_demand_charge_prices,
)
from optimiser.formulate.components.markets import (
    add_carbon_price,
    add_credits,
    add_export_limit,
    add_fuels,
    add_grid,
    add_unserved,
)
from optimiser.formulate.components.markets import update_prices as _update_market_prices
from optimiser.formulate.components.ppa import add_ppas
from optimiser.formulate.context import CAPACITY_COSTS, COST_CATEGORIES, Context, check_flows
from optimiser.formulate.inputs import ModelInputs
from plant.accounting import (
    counted_scopes,
    credits_may_count,
    holds_in,
    net_zero_year,
    ramp_scopes,
    removal_share,
    target_limit_t,
)
from plant.factors import baseline_emissions
from plant.schema import Plan

ONCE = ("capex", "salvage")


def build_model(inputs: ModelInputs) -> tuple[pyo.ConcreteModel, Context]:
    """Build the planning model of ``inputs``; return it with its registers."""
    m = pyo.ConcreteModel(name=inputs.plan.site.name)
    ctx = Context(m=m, inputs=inputs)
    add_grid(ctx)
    if inputs.dispatch:
        add_demand_charges(ctx)
    for name, tech in inputs.plan.technologies.items():
        REGISTRY[tech.kind](ctx, name, tech)
        check_flows(ctx, name, tech)
    add_ppas(ctx)
    if inputs.dispatch:  # certificates cover imports year by year: operating rows
        add_certificates(ctx)
    add_export_limit(ctx)
    add_fuels(ctx)
    add_carbon_price(ctx)
    add_credits(ctx)
    add_unserved(ctx)
    if inputs.dispatch:  # a decomposition's master has no hourly or yearly operating rows
        _add_balances(ctx)
        _add_targets(ctx)
        _add_removal_ramp(ctx)
        add_clean_share_targets(ctx)
    _add_pins(ctx)
    m.money_scale = money_scale(inputs)
    m.objective = pyo.Objective(expr=discounted_total(ctx, objective_categories(inputs))
                                / m.money_scale, sense=pyo.minimize)
    return m, ctx


def objective_categories(inputs: ModelInputs) -> tuple[str, ...]:
    """The cost categories in a model's objective: all of them, except in a decomposition
    (:mod:`optimiser.decompose`), whose master carries the capacity costs
    (:data:`~optimiser.formulate.context.CAPACITY_COSTS`) and whose yearly subproblems the rest."""
    if not inputs.dispatch:
        return CAPACITY_COSTS
    if inputs.linked is not None:
        return tuple(c for c in COST_CATEGORIES if c not in CAPACITY_COSTS)
    return COST_CATEGORIES


def update_prices(m: pyo.ConcreteModel, inputs: ModelInputs) -> None:
    """Set the price Params of a built model from ``inputs``, made those of a plan that
    differs from the one the model was built from in prices only
    (:meth:`ModelInputs.set_plan`): market prices and the diagnostic penalties.

    The objective's unit (:func:`money_scale`) is not a Param: a plan whose highest grid
    price changes its order of magnitude needs a new build (the sweep's structure key
    includes it).
    """
    _update_market_prices(m, inputs)
    update_demand_charge_prices(m, inputs.plan)
    m.penalty_target_slack.set_value(slack_penalty(inputs.plan))


def money_scale(inputs: ModelInputs) -> float:
    """Unit of the objective [currency]: keeps cost coefficients well scaled in any currency.

    The smallest power of ten above p, the plan's highest grid import price per MWh (at least
    1): 1e3 for GBP at 200/MWh (and at 100/MWh, so that prices of 100 and 200 share a model
    in a sweep), 1e5 for JPY at 15,498/MWh. A MWh at that price is then worth between 0.1
    and 1 unit. Objective values and duals are scaled back on output.

    Why: in currency, the objective's coefficients of the reference plans (sites/, repdays:4
    to hourly) run from about 5e-3·p (a cheap cost per MWh discounted from 2050: a wind
    farm's variable O&M in one hour of a one-day period, a certificate) to about 4e4·p (capex
    per MW of a build), seven orders of magnitude whatever the currency. With p/unit in [0.1, 1)
    they lie within about [5e-4, 4e4]: at least 5× above the cost HiGHS calls "excessively
    small" (1e-4) and 25× below "excessively large" (1e6), with their geometric middle
    between 1.4 and 14 (2 to 3 on the reference plans; Tochigi at repdays:12 9e-4 to 6e3).
    A larger unit would bring the middle nearer 1 but the small costs nearer 1e-4 (the
    former 1000·10^⌊log10 p⌋ put Tochigi's at 9e-6, and HiGHS warned); a smaller one would
    push the large costs toward 1e6.
    """
    return plan_money_scale(inputs.plan)


def plan_money_scale(plan: Plan) -> float:
    """:func:`money_scale` of a plan: 10^(⌊log10 p⌋ + 1), p the highest grid import price per
    MWh (at least 1)."""
    import math

    price = max(max(plan.grid.import_price_per_mwh.values()), 1.0)
    return 10.0 ** (math.floor(math.log10(price)) + 1)


def _add_balances(ctx: Context) -> None:
    """Σ supply − consumption = demand, every carrier, year and step."""
    inputs, m = ctx.inputs, ctx.m
    for carrier in inputs.plan.carriers():
        demand = {y: inputs.demand(carrier, y) for y in inputs.years}
        terms = ctx.balance[carrier]

        def rule(_: Any, y: int, t: int, terms: list = terms, demand: dict = demand) -> Any:
            return pyo.quicksum(f(y, t) for f in terms) == float(demand[y][t])

        m.add_component(f"balance_{carrier}",
                        pyo.Constraint(inputs.years, range(inputs.n_steps), rule=rule))


def emissions_expr(ctx: Context, category: str, year: int) -> Any:
    """Annual emissions of one category as an expression [t CO2e]."""
    return pyo.quicksum(ctx.emissions.get((category, year), []))


def _add_targets(ctx: Context) -> None:
    """Emission limits from the plan's targets, each with a slack that is off by default.

    For target k and year y it binds: Σ_scopes E(y) − u_k(y) ≤ L_k(y) + σ_k(y), with u_k the
    counted credits, u_k ≤ credits(y) and u_k ≤ s_k·B_k(y) (credit share of the baseline on
    the target's basis). σ is fixed at 0 unless the plan turns out infeasible. The scopes and
    which credits count follow ``accounting.target_mode`` (:mod:`plant.accounting`): in SBTi
    v2 mode u_k = 0, except for a net-zero target from its year on, where u_k ≤ removals(y).
    """
    inputs, m = ctx.inputs, ctx.m
    plan = inputs.plan
    base = baseline_emissions(plan)
    m.target_index = pyo.Set(initialize=[
        (k, y) for k, t in enumerate(plan.targets) for y in inputs.years
        if holds_in(plan, t, y)], dimen=2)
    m.target_credit = pyo.Var(m.target_index, domain=pyo.NonNegativeReals)
    m.target_slack = pyo.Var(m.target_index, domain=pyo.NonNegativeReals)
    m.penalty_target_slack = pyo.Param(mutable=True, initialize=slack_penalty(plan))
    m.target = pyo.Constraint(m.target_index)
    m.target_credit_cap = pyo.Constraint(m.target_index)
    m.target_credit_use = pyo.Constraint(m.target_index)
    for k, y in m.target_index:
        target = plan.targets[k]
        m.target_slack[k, y].fix(0.0)
        limit = target_limit_t(plan, target, y)
        scopes = counted_scopes(plan, target)
        share_base = base.total(scopes) * target.max_credit_share
        if target.basis == "per_vehicle":
            share_base *= plan.production.vehicles_per_year.at(y) / plan.baseline.vehicles
        emitted = pyo.quicksum(emissions_expr(ctx, s, y) for s in scopes)
        m.target[k, y] = emitted - m.target_credit[k, y] <= limit + m.target_slack[k, y]
        ctx.add_cost("target_slack", y, m.target_slack[k, y] * m.penalty_target_slack)
        which = credits_may_count(plan, target, y)
        if which is None or target.max_credit_share <= 0:  # a 0 % cap bans credits: no limit
            m.target_credit[k, y].fix(0.0)
            continue
        m.target_credit_cap[k, y] = m.target_credit[k, y] <= share_base
        ctx.add_limit(y, f"credit cap of '{target.name}' ({target.max_credit_share:.0%} of its "
                      "baseline)", m.target_credit_cap[k, y], f"targets[{k}].max_credit_share")
        m.target_credit_use[k, y] = m.target_credit[k, y] <= (
            _removals(ctx, y) if which == "removals" else emissions_expr(
                ctx, "credits_counted", y))


def _removals(ctx: Context, year: int) -> Any:
    """Removal credits bought in ``year`` [t CO2e]."""
    credits = ctx.inputs.plan.carbon_credits
    return pyo.quicksum(ctx.m.credits[year, n] for n, c in credits.items()
                        if c.kind == "removal" and c.counts_toward_target)


def span_removal_share(ctx: Context, year: int) -> float:
    """r̄(y) = Σ_τ v^τ r(τ) / Σ_τ v^τ over the calendar years τ modelled year y stands for
    (r = 0 where no ramp applies): the modelled year's emissions stand for each year of its
    span, so its removals must cover the ramp of each, weighted like its costs."""
    spans, plan = ctx.inputs.spans, ctx.inputs.plan
    taus = spans.calendar(year)
    weights = [spans.discount(tau) for tau in taus]
    shares = [removal_share(plan, tau) or 0.0 for tau in taus]
    return sum(w * r for w, r in zip(weights, shares, strict=True)) / sum(weights)


def _add_removal_ramp(ctx: Context) -> None:
    """SBTi v2: removals bought in modelled year y ≥ r̄(y) · ongoing emissions in y, on scopes
    1, 2 (as the net-zero target counts it) and 3 (:func:`plant.accounting.ramp_scopes`;
    r̄: :func:`span_removal_share`; none in ``company`` mode)."""
    plan, m = ctx.inputs.plan, ctx.m
    nz = net_zero_year(plan)
    shares = {y: span_removal_share(ctx, y) for y in ctx.inputs.years} if nz else {}
    years = [y for y, r in shares.items() if r > 0]
    m.removal_ramp = pyo.Constraint(years)
    m.removal_ramp_slack = pyo.Var(years, domain=pyo.NonNegativeReals)
    for y in years:
        ongoing = pyo.quicksum(emissions_expr(ctx, s, y) for s in ramp_scopes(plan))
        share = shares[y]
        slack = m.removal_ramp_slack[y]
        slack.fix(0.0)  # freed, and priced, only to diagnose an infeasible plan
        m.removal_ramp[y] = _removals(ctx, y) + slack >= share * ongoing
        ctx.add_cost("target_slack", y, slack * m.penalty_target_slack)


def slack_penalty(plan: Plan) -> float:
    """Price of a tonne over a target when a plan is re-solved to diagnose infeasibility."""
    price = plan.grid.import_price_per_mwh
    return 1000.0 * max(max(price.values()), 1.0)


def _add_pins(ctx: Context) -> None:
    """Fixed or bounded decisions from the plan (capacities, shares of a carrier)."""
    inputs, m = ctx.inputs, ctx.m
    m.pins = pyo.ConstraintList()
    for i, pin in enumerate(inputs.plan.pins):
        for y in inputs.years:
            if pin.year is not None and y < pin.year:
                continue
            cap = ctx.capacity[(pin.technology, y)]
            held = inputs.fixed is not None or inputs.linked is not None
            if held:  # capacities are held: only a share pin binds
                pass
            elif pin.min_capacity_mw is not None:
                ctx.add_limit(y, f"pin on {pin.technology}", m.pins.add(
                    cap >= pin.min_capacity_mw), f"pins[{i}]")
            if pin.max_capacity_mw is not None and not held:
                ctx.add_limit(y, f"pin on {pin.technology}", m.pins.add(
                    cap <= pin.max_capacity_mw), f"pins[{i}]")
            if pin.min_share_of_carrier is not None and inputs.dispatch:
                out = ctx.output[pin.technology][pin.carrier]
                w = inputs.step_weight
                supplied = pyo.quicksum(float(w[t]) * out(y, t) for t in range(inputs.n_steps))
                supplied += _share_pin_slack(ctx, i, y)
                demand = inputs.annual(inputs.demand(pin.carrier, y))
                ctx.add_limit(y, f"pin on {pin.technology}'s share of {pin.carrier}",
                              m.pins.add(supplied >= pin.min_share_of_carrier * demand),
                              f"pins[{i}]")


def _share_pin_slack(ctx: Context, pin: int, year: int) -> Any:
    """0, or in a decomposition's year (capacities held, which may be too small for the
    share) a slack priced like target slack per MWh short (an exact penalty whenever the
    share can be met; :mod:`optimiser.decompose`)."""
    m = ctx.m
    if ctx.inputs.linked is None:
        return 0.0
    if not hasattr(m, "share_pin_slack"):
        m.share_pin_slack = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals)
    slack = m.share_pin_slack[pin, year]
    ctx.add_cost("target_slack", year, slack * m.penalty_target_slack)
    return slack


def discounted_total(ctx: Context, categories: tuple[str, ...] = COST_CATEGORIES) -> Any:
    """Net present cost of ``categories``: one-off costs discounted from their year, yearly
    costs over spans."""
    inputs = ctx.inputs
    terms = []
    for (category, y), exprs in ctx.costs.items():
        if category not in categories:
            continue
        factor = inputs.once_discount[y] if category in ONCE else inputs.annual_discount[y]
        terms.append(factor * pyo.quicksum(exprs))
    return pyo.quicksum(terms)
