"""Capacity that is built, ages and retires; its capex, fixed O&M and salvage value.

Cohorts (docs/optimiser.md, "Economic conventions"; :mod:`optimiser.formulate.economics`): B(b) is
the capacity built in modelled year b, alive in the calendar years b … b+L−1. In modelled year y,
standing for the span of n_y calendar years, it counts with w(b, y), the discount-weighted
share of the span it is alive, so a cohort serves exactly the years it paid for (a 16-year
battery built in 2025 counts fully in 2025-2039 and only for 2040 in the 2040-2044 span).
Existing assets likewise, from their build year. Capacity:

    K(y) = Σ_a w(b_a, y)·K_a + Σ_{b ≤ y} w(b, y)·B(b)

Capex B(b)·c(b) is paid once in b. A cohort that outlives the horizon end T returns the
present value of the annuity-due it still owes, B·c(b)·ä(b+L−T)/ä(L) at T (discounted to b
here so that the objective's one-off discounting of year b applies), so that net of salvage
each cohort costs the level annuity-due c/ä(L) in each year it serves inside the horizon.
Fixed O&M K(y)·f̄(y) every year, f̄ the span mean. The build limit bounds the total capacity
(existing + new) that exists in each calendar year of every span.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.context import Context
from optimiser.formulate.economics import salvage_fraction
from plant.schema.technologies import TechnologyBase
from plant.trajectory import Trajectory

KW_PER_MW = 1000.0


def existing_capacity(ctx: Context, tech_name: str, year: int, field: str = "capacity_mw",
                      degradation: float = 0.0) -> float:
    """Capacity of existing assets of ``tech_name`` in modelled year ``year``: each weighted
    by the share of the year's span it is still alive (and by age, with ``degradation``)."""
    plan = ctx.inputs.plan
    tech = plan.technologies[tech_name]
    total = 0.0
    for asset in plan.existing_assets.values():
        if asset.technology != tech_name:
            continue
        life = asset.lifetime_years or tech.service_life_years
        weight = ctx.inputs.spans.cohort_weight(asset.build_year, life, year, degradation)
        total += weight * (getattr(asset, field) or 0.0)
    return total


def add_capacity(ctx: Context, block: pyo.Block, name: str, tech: TechnologyBase, *,
                 var: str = "build", capex_per_kw: Trajectory | None = None,
                 fixed_om_per_kw: Trajectory | None = None, existing_field: str = "capacity_mw",
                 max_total: float | None = None, use_tech_limit: bool = True,
                 limit_key: str = "max_capacity_mw", salvage_share: float = 1.0,
                 embodied_per_unit: Trajectory | None = None) -> dict[int, Any]:
    """Add build variables for one capacity of a technology; return K(y) expressions [MW].

    ``capex_per_kw`` and ``fixed_om_per_kw`` default to the technology's per-kW fields; pass
    per-kWh trajectories for energy capacities (MWh and per-kWh give the same factor 1000).
    The build limit is ``max_total`` if given, else the technology's ``max_capacity_mw`` unless
    ``use_tech_limit`` is false (a second capacity such as storage energy, which that power
    limit does not bound). ``salvage_share``: the part of the capex whose unused life is
    credited at the horizon's end (an SOFC's stack share is not: its stacks are bought as
    they wear, optimiser/formulate/components/sofc_unit.py). ``embodied_per_unit``: embodied
    emissions per unit built [t CO2e/MW or /MWh], default the technology's
    ``embodied_t_co2e_per_mw`` (:func:`add_embodied`).
    """
    inputs = ctx.inputs
    years, spans = inputs.years, inputs.spans
    life = tech.service_life_years
    build = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(var, build)
    capex = tech.capex_per_kw if capex_per_kw is None else capex_per_kw
    fom = tech.fixed_om_per_kw_year if fixed_om_per_kw is None else fixed_om_per_kw
    limit_key = f"technologies.{name}.{limit_key}"
    limit = max_total if max_total is not None else (
        tech.max_capacity_mw if use_tech_limit else None)
    total = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_total", total)
    cap: dict[int, Any] = {}
    add_embodied(ctx, block, name, var, build, tech.embodied_t_co2e_per_mw
                 if embodied_per_unit is None else embodied_per_unit)
    if inputs.fixed is not None:
        return _hold_capacity(ctx, block, name, var, build, total, fom, existing_field)
    if inputs.linked is not None:
        return _linked_capacity(ctx, block, name, var, build, total, capex, fom, life,
                                salvage_share)
    for y in years:
        ctx.investments[build[y].name] = build[y]
        if tech.first_year is not None and y < tech.first_year:
            build[y].fix(0.0)
        elif tech.max_build_rate_mw_per_year is not None:
            build[y].setub(tech.max_build_rate_mw_per_year * inputs.span[y])
            ctx.add_limit(y, f"build rate limit of {name}", build[y],
                          f"technologies.{name}.max_build_rate_mw_per_year")
        existing = existing_capacity(ctx, name, y, existing_field)
        new = pyo.quicksum(w * build[b] for b in years
                           if (w := spans.cohort_weight(b, life, y)) > 0)
        # one capacity variable per year keeps hourly rows short (one column, not one per cohort)
        block.add_component(f"{var}_total_{y}", pyo.Constraint(expr=total[y] == existing + new))
        cap[y] = total[y]
        ctx.linking[total[y].name] = total[y]
        if limit is not None:
            _add_limits(ctx, block, name, var, y, build, life, limit, existing_field, limit_key)
        _add_capacity_costs(ctx, name, var, y, build[y], cap[y], capex, fom, life,
                            salvage_share)
    return cap


def add_embodied(ctx: Context, block: pyo.Block, name: str, var: str, build: Any,
                 per_unit: Trajectory) -> None:
    """Embodied emissions of each year's build, scope 3 (capital goods) in the year it is
    built (GHG Protocol scope 3 category 2; docs/accounting.md, "Embodied emissions"):

        E_emb(y) = e(y)·B(y)   [t CO2e],   e(y) the emissions per unit built in year y.

    One column per year, so that a decomposition's years (:func:`hold_linked`) and an
    hourly verification (``inputs.fixed``, from the build held there) hold it at the
    planning run's value: their own builds are not decisions. Not an investment of its own
    (a scenario tree ties the builds, not their emissions, whose factor a scenario may
    change). Nothing is added when e is zero."""
    inputs = ctx.inputs
    years = inputs.years
    if all(per_unit.at(y) == 0 for y in years):
        return
    emitted = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_embodied", emitted)
    for y in years:
        factor = float(per_unit.at(y))
        if inputs.fixed is not None:
            emitted[y].fix(factor * max(float(inputs.fixed.get(build[y].name, 0.0)), 0.0))
        elif inputs.linked is not None:
            hold_linked(ctx, emitted[y])
        else:
            block.add_component(f"{var}_embodied_{y}", pyo.Constraint(
                expr=emitted[y] == factor * build[y]))
            ctx.linking[emitted[y].name] = emitted[y]
            ctx.linking_scale[emitted[y].name] = max(factor, 1.0)
        ctx.nonmonotone.add(emitted[y].name)  # emissions: a target's cost rises with it
        ctx.add_emission("scope3_embodied", y, emitted[y])
        ctx.embodied[(name, y)].append(emitted[y])


def fleet_year(ctx: Context, year: int) -> int:
    """The calendar year whose fleet a dispatch-only model holds for modelled year ``year``:
    the last of its span. Cohorts are built only at modelled years and retire inside spans,
    so that is the span's smallest fleet (optimiser/verify/hourly.py)."""
    return ctx.inputs.spans.calendar(year)[-1]


def held_capacity(ctx: Context, block: pyo.Block, name: str, var: str, year: int,
                  existing_field: str = "capacity_mw", degradation: float = 0.0) -> float:
    """Capacity alive in :func:`fleet_year` of ``year`` from the planning run's builds
    (``inputs.fixed``) and the existing assets, each aged by ``degradation`` per year."""
    inputs, plan = ctx.inputs, ctx.inputs.plan
    assert inputs.fixed is not None
    tau = fleet_year(ctx, year)
    tech = plan.technologies[name]
    total = _existing_alive(ctx, name, tau, existing_field, degradation)
    for b in inputs.spans.years:
        if b <= tau < b + tech.service_life_years:
            total += inputs.fixed[f"{block.name}.{var}[{b}]"] * (1.0 - degradation) ** (tau - b)
    return total


def add_firm_capacity(ctx: Context, block: pyo.Block, name: str, var: str = "build",
                      existing_field: str = "capacity_mw",
                      degradation: float = 0.0) -> dict[int, Any] | None:
    """The fleet alive at the end of each span, as one column per modelled year (docs/
    optimiser.md, "Adequacy"):

        F(y) = Σ_{existing a alive in τ_y} K_a + Σ_{b ∈ Y, b ≤ τ_y < b+L} B(b),
        τ_y = the last calendar year of y's span (:func:`fleet_year`),

    each cohort aged by (1 − d)^(τ_y − b) with ``degradation`` d (a battery's energy).

    A component whose output must be there in every year of the span (heat supply) limits
    it by F(y) as well as by the span-weighted capacity K(y), so that a cohort retiring
    inside a span (counted in K(y) for the share of the span it is alive) is not planned to
    serve the peaks of the span's last years: the fleet the hourly verification holds
    (:func:`held_capacity`). A column (not an expression) so that a decomposition's years
    read it like K(y) (:func:`hold_linked`). None in a dispatch-only model, whose capacity
    is that fleet already."""
    inputs = ctx.inputs
    if inputs.fixed is not None:
        return None
    tech = inputs.plan.technologies[name]
    firm = pyo.Var(inputs.years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_firm", firm)
    if inputs.linked is not None:
        for y in inputs.years:
            hold_linked(ctx, firm[y])
        return {y: firm[y] for y in inputs.years}
    build = getattr(block, var)

    def rule(_: pyo.Block, y: int) -> Any:
        tau = fleet_year(ctx, y)
        alive = [b for b in inputs.spans.years if b <= tau < b + tech.service_life_years]
        return firm[y] == (_existing_alive(ctx, name, tau, existing_field, degradation)
                           + pyo.quicksum((1.0 - degradation) ** (tau - b) * build[b]
                                          for b in alive))

    block.add_component(f"{var}_firm_fleet", pyo.Constraint(inputs.years, rule=rule))
    for y in inputs.years:
        ctx.linking[firm[y].name] = firm[y]
    return {y: firm[y] for y in inputs.years}


def usable_capacity(ctx: Context, block: pyo.Block, name: str, cap: dict[int, Any],
                    var: str = "build", existing_field: str = "capacity_mw",
                    degradation: float = 0.0) -> dict[int, Any]:
    """U(y) ≤ K(y), U(y) ≤ F(y): the capacity usable in every year of y's span, the smaller
    of the span-weighted capacity K and the fleet alive at the span's end F
    (:func:`add_firm_capacity`), for the rows that dispatch against it. K(y) itself in a
    dispatch-only model (the verification holds the span's end fleet already) and when the
    plan turns adequacy by construction off (``profiles.aggregation.stress_days: false``)."""
    if not ctx.inputs.plan.profiles.aggregation.stress_days:
        return cap
    firm = add_firm_capacity(ctx, block, name, var, existing_field, degradation)
    if firm is None:
        return cap
    years = ctx.inputs.years
    usable = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_usable", usable)
    block.add_component(f"{var}_usable_spanned", pyo.Constraint(
        years, rule=lambda b, y: usable[y] <= cap[y]))
    block.add_component(f"{var}_usable_firm", pyo.Constraint(
        years, rule=lambda b, y: usable[y] <= firm[y]))
    return {y: usable[y] for y in years}


def _existing_alive(ctx: Context, name: str, tau: int, existing_field: str = "capacity_mw",
                    degradation: float = 0.0) -> float:
    """Existing assets of ``name`` alive in calendar year ``tau`` [MW], aged by
    ``degradation`` per year."""
    plan = ctx.inputs.plan
    tech = plan.technologies[name]
    total = 0.0
    for asset in plan.existing_assets.values():
        life = asset.lifetime_years or tech.service_life_years
        if asset.technology == name and asset.build_year <= tau < asset.build_year + life:
            total += (getattr(asset, existing_field) or 0.0) * (1.0 - degradation) ** (
                tau - asset.build_year)
    return total


def _hold_capacity(ctx: Context, block: pyo.Block, name: str, var: str, build: Any,
                   total: Any, fom: Trajectory, existing_field: str) -> dict[int, Any]:
    """Dispatch-only model: the planning run's fleet alive at the end of each span
    (:func:`held_capacity`), nothing built or paid for but fixed O&M (capex and salvage are
    the planning run's)."""
    inputs = ctx.inputs
    cap: dict[int, Any] = {}
    for y in inputs.years:
        build[y].fix(0.0)
        total[y].fix(held_capacity(ctx, block, name, var, y, existing_field))
        cap[y] = total[y]
        ctx.add_cost("fixed_om", y, cap[y] * inputs.price(fom, y) * KW_PER_MW, tech=name)
    return cap


def hold_linked(ctx: Context, var: Any) -> None:
    """Hold ``var`` at the master's value by its bounds (a column, so that its dual is the
    slope of the subproblem's cost in it) and register it as linking."""
    assert ctx.inputs.linked is not None
    value = max(float(ctx.inputs.linked.get(var.name, 0.0)), 0.0)
    var.setlb(value)
    var.setub(value)
    var.set_value(value)  # the results read it even if no row of the LP does
    ctx.linking[var.name] = var


def _linked_capacity(ctx: Context, block: pyo.Block, name: str, var: str, build: Any,
                     total: Any, capex: Trajectory, fom: Trajectory, life: int,
                     salvage_share: float = 1.0) -> dict[int, Any]:
    """A decomposition's subproblem: K(y) as the master chose it (:func:`hold_linked`), the
    year's build fixed at the master's value (for the results: its capex and salvage are
    constants here, and the subproblem's objective leaves capacity costs to the master,
    :data:`optimiser.formulate.context.CAPACITY_COSTS`)."""
    inputs = ctx.inputs
    assert inputs.linked is not None
    cap: dict[int, Any] = {}
    for y in inputs.years:
        build[y].fix(max(float(inputs.linked.get(build[y].name, 0.0)), 0.0))
        hold_linked(ctx, total[y])
        cap[y] = total[y]
        _add_capacity_costs(ctx, name, var, y, build[y], cap[y], capex, fom, life,
                            salvage_share)
    return cap


def _add_capacity_costs(ctx: Context, name: str, var: str, year: int, build: Any, cap: Any,
                        capex: Trajectory, fom: Trajectory, life: int,
                        salvage_share: float = 1.0) -> None:
    """Capex of the year's build (paid once), its salvage value if it outlives the horizon,
    and fixed O&M on the year's capacity (module docstring)."""
    inputs = ctx.inputs
    spans = inputs.spans
    _register_build(ctx, name, var, year, build)
    spent = build * capex.at(year) * KW_PER_MW
    ctx.add_cost("capex", year, spent, tech=name)
    ctx.capex[(name, year)].append(spent)
    kept = salvage_fraction(spans.rate, life, year + life - spans.horizon_end)
    if kept > 0:
        to_build_year = spans.discount(spans.horizon_end) / spans.discount(year)
        ctx.add_cost("salvage", year, -spent * salvage_share * kept * to_build_year,
                     tech=name)
    ctx.add_cost("fixed_om", year, cap * inputs.price(fom, year) * KW_PER_MW, tech=name)


def _register_build(ctx: Context, name: str, var: str, year: int, build: Any) -> None:
    """Record a build for the results (power and energy capacities apart)."""
    if var in ("build", "build_power"):
        ctx.builds[(name, year)] = build
    elif var == "build_energy":
        ctx.energy_builds[(name, year)] = build


def _add_limits(ctx: Context, block: pyo.Block, name: str, var: str, year: int, build: Any,
                life: int, limit: float, existing_field: str, key: str) -> None:
    """Total capacity (existing + new) ≤ limit in every calendar year of the span of ``year``:
    Σ_{b alive in τ} B(b) ≤ limit − existing alive in τ, for each τ (a cohort retiring inside
    the span frees its room only when it is gone)."""
    inputs = ctx.inputs
    spans, plan = inputs.spans, inputs.plan
    tech = plan.technologies[name]
    for tau in spans.calendar(year):
        alive = [b for b in inputs.years if b <= tau < b + life]
        existing = sum(getattr(a, existing_field) or 0.0 for a in plan.existing_assets.values()
                       if a.technology == name and a.build_year <= tau
                       < a.build_year + (a.lifetime_years or tech.service_life_years))
        if not alive:
            continue
        con = pyo.Constraint(expr=pyo.quicksum(build[b] for b in alive)
                             <= max(limit - existing, 0.0))
        block.add_component(f"{var}_limit_{year}_{tau}", con)
        ctx.add_limit(year, f"build limit of {name}", con, key)


def add_aged_capacity(ctx: Context, block: pyo.Block, name: str, tech: TechnologyBase,
                      degradation: float, var: str = "build",
                      existing_field: str = "capacity_mw") -> dict[int, Any]:
    """Output capacity of the cohorts of ``block.<var>`` derated by age [MW, or MWh for a
    battery's energy]: Σ_b w_d(b, y)·B(b) + existing, w_d the cohort weight with
    degradation d per year."""
    inputs = ctx.inputs
    years, spans, life = inputs.years, inputs.spans, tech.service_life_years
    build = block.component(var)
    aged = pyo.Var(years, domain=pyo.NonNegativeReals)
    block.add_component(f"{var}_aged", aged)
    for y in years:
        if inputs.fixed is not None:
            aged[y].fix(held_capacity(ctx, block, name, var, y, existing_field,
                                      degradation=degradation))
            continue
        if inputs.linked is not None:
            hold_linked(ctx, aged[y])
            continue
        ctx.linking[aged[y].name] = aged[y]
        existing = existing_capacity(ctx, name, y, existing_field, degradation=degradation)
        new = pyo.quicksum(w * build[b] for b in years
                           if (w := spans.cohort_weight(b, life, y, degradation)) > 0)
        block.add_component(f"{var}_aged_{y}", pyo.Constraint(expr=aged[y] == existing + new))
    return {y: aged[y] for y in years}


def tech_block(ctx: Context, name: str) -> pyo.Block:
    """A Pyomo block named ``tech_<name>`` holding one technology's components."""
    block = pyo.Block()
    ctx.m.add_component(f"tech_{name}", block)
    return block
