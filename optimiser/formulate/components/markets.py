"""What the site buys and sells: grid power, fuels, certificates, credits, carbon price.

Grid: import I(y,t) and export X(y,t) up to the connection limit, export no more than the
hour's on-site generation, never both in one hour (one meter, :func:`add_export_limit`);
cost Σ_t w_t p(y)·σ_p(t)·I,
revenue Σ_t w_t p_x(y)·X. Scope 2 location-based: Σ_t w_t g(y)·σ_g(t)·I (hourly-shaped grid
factor); market-based, with the certificates: optimiser/formulate/components/certificates.py.
Fuels: purchases equal registered use (LHV), priced and counted per MWh LHV
(:mod:`plant.factors`, which holds every factor and the HHV→LHV rule). Scope 1 = fossil
combustion factor × use; biogenic and upstream are reported.
Carbon price on the covered share of scope 1. Credits: bought per year, kept apart from
emissions. Unserved energy: only where the plan prices it (``demand.unserved_cost_per_mwh``).

Prices (and every other money rate) of modelled year y are the discount-weighted means of
their trajectories over the span y stands for (:meth:`optimiser.formulate.economics.Spans.mean`);
quantities, limits and emission factors are those of year y itself, the year targets are
checked in. Every price is a mutable Pyomo ``Param`` (``price_grid_import[y]``,
``price_grid_export[y]``, ``price_certificate[y, name]`` (optimiser/formulate/components/
certificates.py), ``price_credit[y, name]``,
``price_fuel[y, fuel]``, ``price_carbon[y]`` and the diagnostic penalties
``penalty_unserved``, ``penalty_target_slack``) so that a price sweep re-solves the same
model after :func:`update_prices` (see ``docs/sweeps.md``); the solver sends only the changed
cost coefficients.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.context import AtKey, Context
from optimiser.formulate.inputs import ModelInputs, plan_spans
from plant.factors import FUEL_CATEGORIES
from plant.schema import Plan


def add_grid(ctx: Context) -> pyo.Var:
    """Grid import/export and location-based scope 2; returns the import variable
    (certificates and market-based scope 2: optimiser/formulate/components/certificates.py)."""
    inputs, m = ctx.inputs, ctx.m
    grid = inputs.plan.grid
    years, steps = inputs.years, range(inputs.n_steps)
    limit = grid.connection_limit_mw
    m.grid_import = pyo.Var(years, steps, domain=pyo.NonNegativeReals, bounds=(0, limit))
    m.grid_export = pyo.Var(years, steps, domain=pyo.NonNegativeReals, bounds=(0, limit))
    if not grid.export_allowed:
        for v in m.grid_export.values():
            v.fix(0.0)
    ctx.add_balance("electricity", lambda y, t: m.grid_import[y, t] - m.grid_export[y, t])
    price_shape = inputs.series("grid_price_shape")
    factors = inputs.factors.grid
    m.price_grid_import = pyo.Param(years, mutable=True,
                                    initialize=lambda _, y: factors.import_price[y])
    m.price_grid_export = pyo.Param(years, mutable=True,
                                    initialize=lambda _, y: factors.export_price[y])
    for y in years:
        ctx.add_cost("grid_import", y, ctx.annual_sum(m.grid_import, y, price_shape)
                     * m.price_grid_import[y])
        ctx.add_cost("export_revenue", y,
                     -ctx.annual_sum(m.grid_export, y) * m.price_grid_export[y])
        ctx.add_emission("scope2_location", y, ctx.annual_sum(
            m.grid_import, y, factors.location_shape) * factors.location[y])
    return m.grid_import


class OneMeterError(ValueError):
    """Export pays more than import in some hours and the plan states no connection limit,
    which the one-meter rows need as their bound (docs/optimiser.md, "One meter")."""

    key = ("grid", "connection_limit_mw")


def add_export_limit(ctx: Context) -> None:
    """Export at most what is generated on site in the hour, through one meter.

    X(y,t) ≤ Σ local generation(y,t): no pass-through of grid power. One meter: import and
    export are never both positive in an hour. Where export pays less than import
    (p_x(y) < p_i(y)·σ_p(t)) passing power both ways only loses money, so the LP keeps one of
    them at zero by itself. In the hours :func:`one_meter_steps` finds, where it would gain, a
    binary δ(y,t) (1: importing) holds I(y,t) ≤ L·δ(y,t) and X(y,t) ≤ L·(1 − δ(y,t)) with L the
    connection limit, so those plans are mixed-integer (their duals come from the LP with δ
    held, optimiser/run/pipeline.py). Call after all technologies are added. A plan without export
    (X fixed at 0) needs no such rows.
    """
    m, inputs = ctx.m, ctx.inputs
    if not inputs.plan.grid.export_allowed:
        return
    terms = ctx.local_generation

    def rule(_: Any, y: int, t: int) -> Any:
        if not terms:
            return m.grid_export[y, t] == 0
        return m.grid_export[y, t] <= pyo.quicksum(f(y, t) for f in terms)

    m.export_limit = pyo.Constraint(inputs.years, range(inputs.n_steps), rule=rule)
    steps = one_meter_steps(inputs)
    m.one_meter_steps = tuple(steps)  # model structure: a sweep rebuilds when it moves
    if terms:  # without local generation nothing is exported
        _add_one_meter(ctx, steps)


def one_meter_steps(inputs: ModelInputs) -> list[tuple[int, int]]:
    """(year, step) where export pays at least what import costs: p_x(y) ≥ p_i(y)·σ_p(t) > 0
    or p_x(y) > 0 = p_i(y)·σ_p(t), with the span-mean prices the objective uses (the plan's
    factors; a sweep point asks with its own, :meth:`ModelInputs.for_plan`)."""
    if not inputs.plan.grid.export_allowed:
        return []
    shape = np.asarray(inputs.series("grid_price_shape"), dtype=float)
    grid = inputs.factors.grid
    steps: list[tuple[int, int]] = []
    for y in inputs.years:
        p_x = grid.export_price[y]
        if p_x > 0:
            steps.extend((y, int(t)) for t in np.flatnonzero(p_x >= grid.import_price[y] * shape))
    return steps


def _add_one_meter(ctx: Context, steps: list[tuple[int, int]]) -> None:
    """The binaries and rows of :func:`add_export_limit` on ``steps``."""
    m = ctx.m
    if not steps:
        return
    limit = ctx.inputs.plan.grid.connection_limit_mw
    if limit is None:
        years = sorted({y for y, _ in steps})
        raise OneMeterError(
            f"export pays at least the import price in {len(steps)} modelled hours of "
            f"{', '.join(map(str, years))}; with one meter the site cannot import and export "
            "in the same hour, which the model holds with a binary per such hour bounded by "
            "the connection limit: state grid.connection_limit_mw (MW)")
    m.importing = pyo.Var(steps, domain=pyo.Binary)
    m.one_meter_import = pyo.Constraint(
        steps, rule=lambda _, y, t: m.grid_import[y, t] <= limit * m.importing[y, t])
    m.one_meter_export = pyo.Constraint(
        steps, rule=lambda _, y, t: m.grid_export[y, t] <= limit * (1 - m.importing[y, t]))


def add_fuels(ctx: Context) -> None:
    """Fuel purchases for every fuel some technology uses."""
    inputs, m = ctx.inputs, ctx.m
    used = sorted({f for f, _ in ctx.fuel_use})
    m.fuel_purchase = pyo.Var(inputs.years, used, domain=pyo.NonNegativeReals)
    factors = inputs.factors.fuels
    # the price Param is per MWh on the fuel's stated basis (what a sweep sets), times 1/κ
    m.price_fuel = pyo.Param(inputs.years, used, mutable=True,
                             initialize=lambda _, y, f: factors[f].price[y])
    for (fuel_name, y), terms in ctx.fuel_use.items():
        fuel, lhv = inputs.plan.fuels[fuel_name], factors[fuel_name]
        buy = m.fuel_purchase[y, fuel_name]
        m.add_component(f"fuel_use_{fuel_name}_{y}",
                        pyo.Constraint(expr=buy == pyo.quicksum(terms)))
        if fuel.first_year is not None and y < fuel.first_year:
            buy.fix(0.0)
        if lhv.supply_limit_lhv is not None:
            buy.setub(lhv.supply_limit_lhv[y])
            ctx.add_limit(y, f"supply limit of {fuel_name}", buy,
                          f"fuels.{fuel_name}.supply_limit_mwh_per_year")
        ctx.add_cost("fuel", y, buy * m.price_fuel[y, fuel_name] * lhv.per_lhv)
        for category in FUEL_CATEGORIES:
            ctx.add_emission(category, y, buy * lhv.factor_lhv[category][y])


def add_carbon_price(ctx: Context) -> None:
    """Pay the carbon price on the covered share of scope 1."""
    price = ctx.inputs.plan.carbon_price
    if price is None:
        return
    m = ctx.m
    m.price_carbon = pyo.Param(ctx.inputs.years, mutable=True, initialize=lambda _, y:
                               ctx.inputs.spans.mean(price.price_per_t, y))
    for y in ctx.inputs.years:
        scope1 = pyo.quicksum(ctx.emissions.get(("scope1", y), []))
        ctx.add_cost("carbon_price", y, scope1 * m.price_carbon[y] * price.covered_share)


def add_credits(ctx: Context) -> None:
    """Carbon credits that may be bought each year."""
    inputs, m = ctx.inputs, ctx.m
    credits = inputs.plan.carbon_credits
    m.credits = pyo.Var(inputs.years, list(credits), domain=pyo.NonNegativeReals)
    m.price_credit = pyo.Param(inputs.years, list(credits), mutable=True,
                               initialize=lambda _, y, n: inputs.spans.mean(
                                   credits[n].price_per_t, y))
    for y in inputs.years:
        for n, credit in credits.items():
            if not credit.counts_toward_target:
                m.credits[y, n].fix(0.0)  # buys nothing the plan values
                continue
            if credit.max_t_per_year is not None:
                m.credits[y, n].setub(credit.max_t_per_year.at(y))
                ctx.add_limit(y, f"cap on credits {n}", m.credits[y, n],
                              f"carbon_credits.{n}.max_t_per_year")
            ctx.add_cost("credits", y, m.credits[y, n] * m.price_credit[y, n])
            ctx.add_emission("credits", y, m.credits[y, n])
            ctx.add_emission("credits_counted", y, m.credits[y, n])


def unserved_penalty(plan: Plan) -> float:
    """Cost of a MWh not served: the plan's value, else (diagnostics only) 50 × the highest
    grid import price."""
    if plan.demand.unserved_cost_per_mwh is not None:
        return plan.demand.unserved_cost_per_mwh
    return 50.0 * max(max(plan.grid.import_price_per_mwh.values()), 1.0)


#: The default value of lost load as a multiple of the plan's highest grid import price per
#: MWh, so that it holds in any currency (docs/optimiser.md, "Hourly verification").
VOLL_PRICE_MULTIPLE = 100.0


def value_of_lost_load(plan: Plan) -> float:
    """What a MWh unserved costs in the verified figures [site currency/MWh]: the plan's
    ``demand.value_of_lost_load_per_mwh``, else its ``unserved_cost_per_mwh``, else
    :data:`VOLL_PRICE_MULTIPLE` × the highest grid import price (at least 1 per MWh)."""
    demand = plan.demand
    if demand.value_of_lost_load_per_mwh is not None:
        return demand.value_of_lost_load_per_mwh
    if demand.unserved_cost_per_mwh is not None:
        return demand.unserved_cost_per_mwh
    return VOLL_PRICE_MULTIPLE * max(max(plan.grid.import_price_per_mwh.values()), 1.0)


def add_unserved(ctx: Context) -> dict[str, Any]:
    """Unserved energy per carrier: fixed at zero unless the plan gives it a cost (the
    diagnostic re-solve of an infeasible plan frees it to show what cannot be served)."""
    inputs, m = ctx.inputs, ctx.m
    carriers = inputs.plan.carriers()
    m.unserved = pyo.Var(inputs.years, range(inputs.n_steps), carriers,
                         domain=pyo.NonNegativeReals)
    if inputs.plan.demand.unserved_cost_per_mwh is None:
        for v in m.unserved.values():
            v.fix(0.0)
    m.penalty_unserved = pyo.Param(mutable=True, initialize=unserved_penalty(ctx.inputs.plan))
    penalty = m.penalty_unserved
    for c in carriers:
        ctx.add_balance(c, AtKey(m.unserved, c))
    for y in inputs.years:
        total = pyo.quicksum(ctx.annual_sum(AtKey(m.unserved, c), y) for c in carriers)
        ctx.add_cost("unserved", y, total * penalty)
    return {"unserved": m.unserved}


def update_prices(m: pyo.ConcreteModel, inputs: ModelInputs) -> None:
    """Set every price Param of a built model ``m`` from ``inputs`` (same structure), whose
    plan and factors are those of the new prices (:meth:`ModelInputs.set_plan`).

    The plan must differ from the plan ``m`` was built from in prices only (see
    :func:`optimiser.run.session.structure_key`); the next persistent solve sends the changed
    cost coefficients to HiGHS and starts from the previous basis.
    """
    plan, mean = inputs.plan, plan_spans(inputs.plan).mean
    grid, fuels = inputs.factors.grid, inputs.factors.fuels
    for y in m.price_grid_import:
        m.price_grid_import[y] = grid.import_price[y]
        m.price_grid_export[y] = grid.export_price[y]
    for y, n in m.price_certificate:
        m.price_certificate[y, n] = mean(plan.certificates[n].price_per_mwh, y)
    for y, f in m.price_fuel:
        m.price_fuel[y, f] = fuels[f].price[y]
    for y, n in m.price_credit:
        m.price_credit[y, n] = mean(plan.carbon_credits[n].price_per_t, y)
    if hasattr(m, "price_carbon"):
        if plan.carbon_price is None:
            raise ValueError("the model has a carbon price and the plan has none: rebuild")
        for y in m.price_carbon:
            m.price_carbon[y] = mean(plan.carbon_price.price_per_t, y)
    m.penalty_unserved.set_value(unserved_penalty(plan))
