"""The whole fleet as one LP: every plant's model a block, joined by the linking rows.

    min  Σ_p x_p·C_p / U  +  M/U · Σ_r σ_r
    s.t. each plant's own rows, and the linking rows (:mod:`optimiser.fleet.linking`)

with C_p the plant's net present cost in its currency (its model's objective × its unit),
x_p its exchange rate into the reporting currency and U the fleet's objective unit
(:func:`~optimiser.fleet.linking.fleet_money_scale`). σ is held at 0 unless the fleet is
infeasible: then it is freed at price M to say which corporate target cannot be met, by how
much (and the plants' own target slack too, if they still cannot).
"""

from __future__ import annotations

import math
import time
from typing import Any

import pyomo.environ as pyo

from optimiser.fleet.linking import LinkRow, fleet_money_scale, over_limit_price
from optimiser.fleet.plants import BuiltPlant, PlantSpec, build_plant
from optimiser.fleet.result import FleetRun, RowPrice, own_target_rows, read_plant
from optimiser.run.pipeline import Stage, free_target_slack, target_shortfalls
from optimiser.solve.highs import HighsSolver, SolveOutcome


def solve_monolithic(specs: list[PlantSpec], rows: list[LinkRow], *,
                     time_limit: float | None = None, method: str = "auto",
                     stage: Stage = lambda _: None) -> FleetRun:
    """Build every plant, join them and solve the fleet as one LP."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    built = []
    for spec in specs:
        stage(f"build:{spec.name}")
        built.append(build_plant(spec))
    timings["build_s"] = time.perf_counter() - start
    fleet, scale = join(built, rows)
    stage("solve")
    solver = HighsSolver(time_limit=time_limit, method=method)
    duals_of = [*fleet.link.values(), *(c for b in built for c in own_target_rows(b))]
    outcome = solver.solve(fleet, duals_of=duals_of)
    diagnosis: list[str] = []
    if outcome.status == "infeasible":
        stage("diagnose")
        outcome, diagnosis = _diagnose(solver, fleet, built, rows, duals_of)
    timings["transfer_s"], timings["solve_s"] = outcome.transfer_s, outcome.solve_s
    if not outcome.feasible:
        return FleetRun(outcome.status, "monolithic", float("nan"), {}, [], timings=timings,
                        diagnosis=diagnosis or [f"solver: {outcome.message}"])
    stage("extract")
    plants = {}
    for b in built:
        rate = b.spec.rate
        duals = {c: outcome.duals.get(c, 0.0) * scale / rate for c in own_target_rows(b)}
        own = SolveOutcome(outcome.status, pyo.value(b.ctx.m.objective.expr) * b.scale,
                           duals=duals, solve_s=outcome.solve_s)
        plants[b.spec.name] = read_plant(b, own, b.timings)
    prices = [RowPrice(lr, sum(p.terms[lr.id] for p in plants.values()),
                       _value(fleet.over, lr.id), 0.0 - outcome.duals.get(
                           fleet.link[lr.id], 0.0) * scale) for lr in rows]
    npc = sum(p.net_present_cost_reporting for p in plants.values())
    return FleetRun(outcome.status, "monolithic", npc, plants, prices,
                    bound=npc if outcome.status == "optimal" else math.nan,
                    timings=timings, diagnosis=diagnosis)


def _value(var: Any, key: str) -> float:
    return float(var[key].value or 0.0) if key in var else 0.0


def join(built: list[BuiltPlant], rows: list[LinkRow]) -> tuple[pyo.ConcreteModel, float]:
    """One model with each plant's model as a block and the linking rows; returns it with
    its objective unit U [reporting currency]."""
    fleet = pyo.ConcreteModel(name="fleet")
    plans = [b.spec.loaded.plan for b in built]
    rates = [b.spec.rate for b in built]
    scale = fleet_money_scale(plans, rates)
    for i, b in enumerate(built):
        b.ctx.m.objective.deactivate()
        fleet.add_component(f"plant_{i}", b.ctx.m)
    emission_rows = [lr.id for lr in rows if lr.kind == "emissions"]
    fleet.over = pyo.Var(emission_rows, domain=pyo.NonNegativeReals)
    for v in fleet.over.values():
        v.fix(0.0)
    fleet.link = pyo.Constraint([lr.id for lr in rows])
    for lr in rows:
        total = pyo.quicksum(b.terms[lr.id] for b in built)
        over = fleet.over[lr.id] if lr.kind == "emissions" else 0.0
        fleet.link[lr.id] = total - over <= lr.rhs
    penalty = over_limit_price(plans, rates)
    cost = pyo.quicksum(b.spec.rate * b.scale * b.ctx.m.objective.expr for b in built)
    fleet.objective = pyo.Objective(expr=(cost + penalty * pyo.quicksum(fleet.over.values()))
                                    / scale, sense=pyo.minimize)
    return fleet, scale


def _diagnose(solver: HighsSolver, fleet: pyo.ConcreteModel, built: list[BuiltPlant],
              rows: list[LinkRow], duals_of: list[Any]) -> tuple[SolveOutcome, list[str]]:
    """An infeasible fleet: free the corporate slack (then the plants' own target slack)
    to say which target cannot be met, in which year and by how much."""
    for v in fleet.over.values():
        v.unfix()
    outcome = solver.solve(fleet, duals_of=duals_of)
    if not outcome.feasible:
        for b in built:
            free_target_slack(b.ctx)
        outcome = solver.solve(fleet, duals_of=duals_of)
    if not outcome.feasible:
        return outcome, ["infeasible even with every target relaxed: a plant cannot serve "
                         "its demand (plan it alone with `cnplan plan` to see why)"]
    outcome.status = "targets_missed"
    lines = [over_line(lr, float(fleet.over[lr.id].value or 0.0)) for lr in rows
             if lr.kind == "emissions" and (fleet.over[lr.id].value or 0.0) > 1e-3]
    for b in built:
        lines += [f"{b.spec.name}: {line}" for line in target_shortfalls(b.ctx)]
    return outcome, lines


def over_line(lr: LinkRow, over: float) -> str:
    """"corporate target 'x' cannot be met in 2030: ...": one line of a diagnosis."""
    r = lr.row
    if lr.kind == "credits":
        return (f"corporate target '{r.name}' cannot be met in {r.year}: it needs "
                f"{r.credit_cap_t + over:,.0f} t of credits against a cap of "
                f"{r.credit_cap_t:,.0f} t ({over:,.0f} t over)")
    return (f"corporate target '{r.name}' cannot be met in {r.year}: the least the fleet can "
            f"emit is {r.limit_t + over:,.0f} t CO2e against a limit of {r.limit_t:,.0f} t "
            f"({over:,.0f} t over)")
