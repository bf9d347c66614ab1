"""What an alternative pushes: a total of the plan (a lever's capacity, the grid's energy, the
credits bought) to its least or its most, or a random mix of such totals.

A *subject* is a set of the plan's technologies chosen by metadata, never by name: a lever
(``storage``, ``electrification``, ``sofc``, ``efficiency``, ``renewables``,
``fuels-boilers``), a kind (``battery``, ``heat_pump``, ``solar_pv`` or its alias
``solar``, ``wind``) or one technology's key as the plan writes it (``pv_roof``); or one of
the site's purchases, ``grid`` (electricity imported) and ``credits`` (carbon credits
bought). Its *total* is a discounted mean over the plan's horizon, each modelled year y
weighted by v_y, its discounted span Σ_τ 1/(1+r)^(τ−base) over the calendar years τ it stands
for (the weight its yearly costs carry in the objective, ``ModelInputs.annual_discount``):

    capacity  T = Σ_y v_y Σ_{i∈S} K_i(y) / Σ_y v_y              [MW; efficiency: MWh/yr saved]
    energy    T = Σ_y v_y Σ_{i∈S} Σ_c Σ_t w_t q_{i,c}(y,t) / Σ_y v_y       [MWh/yr delivered]
    grid      T = Σ_y v_y Σ_t w_t g(y,t) / Σ_y v_y                          [MWh/yr imported]
    credits   T = Σ_y v_y Σ_n x_n(y) / Σ_y v_y                              [t CO2e/yr bought]

with K the installed capacity, q the output to carrier c, w_t the days step t stands for,
g the grid import and x_n the credits of offer n. Discounted like the costs, so that a
megawatt-year counts in the direction with the weight its cost has in the cap (with span
weights, Tochigi's most storage and electrification were gigawatts built in 2050 alone; with
discounted ones they are spread out). A capacity built in the last modelled year still costs
little before its salvage, so a technology whose cost falls over the horizon is still pushed
late (Tochigi's most SOFC builds most of it in 2050): ``@YEAR`` and ``.energy`` ask other
questions (docs/alternatives.md).

A direction is ``SUBJECT[.MEASURE][@YEAR]:min|max`` (``sofc:max``, ``sofc.energy:max``,
``grid:min``; ``@YEAR`` takes the total of that modelled year alone, ``sofc@2030:max`` the
most SOFC capacity in 2030) or ``random`` (random weights in [-1, 1] on every default
subject's total, each divided by its scale: the site's peak demand for capacities, its
annual demand for energy, its baseline emissions for credits, so that no subject outweighs
the others by its unit; reproducible with ``seed``). The defaults
(:func:`default_directions`) take each lever the issue of alternatives names, SOFC, solar,
wind, storage, electrification, grid import and credits, to its most and then to its least.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.context import Context
from plant.factors import baseline_emissions
from plant.schema import Plan

#: Measures a technology subject can be pushed on.
TECH_MEASURES = ("capacity", "energy")
#: The site's purchases: subject -> its only measure.
PURCHASES = {"grid": "energy", "credits": "tonnes"}
#: The subjects of the default directions, in the order they are taken (those the plan has).
DEFAULT_SUBJECTS = ("sofc", "solar", "wind", "storage", "electrification", "grid", "credits")
#: Units of each measure's total.
UNITS = {"capacity": "MW", "energy": "MWh/yr", "tonnes": "t CO2e/yr"}
#: A default ``min`` direction is left out when the least-cost plan's total is this small:
#: the least-cost plan is already at it.
AT_ZERO = 1e-6


class DirectionError(ValueError):
    """A direction names no subject of the plan, no measure, or no sense."""


@dataclass(frozen=True)
class Direction:
    """Minimise (``sense`` +1) or maximise (−1) Σ weights[s]·T_s / scale_s."""

    name: str
    """Folder name and label: ``sofc-max``, ``grid-min``, ``random-3``."""
    text: str
    """As asked: ``sofc:max``, ``random``."""
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    """(subject, measure) -> weight (min: +1; max: −1; random: in [−1, 1])."""

    @property
    def single(self) -> tuple[str, str, str] | None:
        """(subject, measure, 'min'|'max') of a one-subject direction, else None."""
        if len(self.weights) != 1:
            return None
        ((subject, measure), w), = self.weights.items()
        return subject, measure, "min" if w > 0 else "max"


def slug(text: str) -> str:
    """``on-site renewables`` -> ``on-site-renewables``; ``fuels & boilers`` ->
    ``fuels-boilers``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def subjects(plan: Plan) -> dict[str, list[str]]:
    """Every technology subject of ``plan``: name -> the technologies it totals (levers,
    kinds and their aliases, keys; a key that is also a lever or kind name means the key)."""
    out: dict[str, list[str]] = {}
    for key, tech in plan.technologies.items():
        names = {slug(tech.lever), tech.kind, *tech.aliases}
        if tech.lever == "on-site renewables":
            names.add("renewables")
        for name in names:
            out.setdefault(name, []).append(key)
    for key in plan.technologies:
        out[key] = [key]
    return out


def available(plan: Plan) -> list[str]:
    """Subjects a direction may name in ``plan``, sorted (for messages)."""
    names = set(subjects(plan))
    names.add("grid")
    if plan.carbon_credits:
        names.add("credits")
    return sorted(names)


def parse_directions(text: str, plan: Plan) -> list[Direction]:
    """``sofc:max,solar:min,random`` -> directions; :class:`DirectionError` names the first
    item that is not one and what would be."""
    out = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        if item == "random":
            out.append(Direction("random", "random"))
            continue
        out.append(_parse_one(item, plan))
    if not out:
        raise DirectionError("--directions lists no direction (e.g. sofc:max,grid:min)")
    return out


def _parse_one(item: str, plan: Plan) -> Direction:
    subject_measure, _, sense = item.rpartition(":")
    if sense not in ("min", "max") or not subject_measure:
        raise DirectionError(f"'{item}': a direction is SUBJECT[.MEASURE][@YEAR]:min|max or "
                             "random (e.g. sofc:max, sofc.energy:max, sofc@2030:max, grid:min)")
    subject_measure, _, year = subject_measure.partition("@")
    subject, _, measure = subject_measure.partition(".")
    if subject not in available(plan):
        raise DirectionError(f"'{item}': '{subject}' is no lever, kind or technology of this "
                             f"plan (one of: {', '.join(available(plan))})")
    measure = measure or PURCHASES.get(subject, "capacity")
    allowed = (PURCHASES[subject],) if subject in PURCHASES else TECH_MEASURES
    if measure not in allowed:
        raise DirectionError(f"'{item}': '{subject}' is measured as {' or '.join(allowed)}, "
                             f"not '{measure}'")
    if year:
        years = [str(y) for y in plan.years()]
        if year not in years:
            raise DirectionError(f"'{item}': {year} is not a modelled year of this plan (one "
                                 f"of: {', '.join(years)})")
        measure = f"{measure}@{year}"
    return one_way(subject, measure, sense)


def base_measure(measure: str) -> tuple[str, int | None]:
    """``capacity@2030`` -> (``capacity``, 2030); ``energy`` -> (``energy``, None)."""
    name, _, year = measure.partition("@")
    return name, int(year) if year else None


def one_way(subject: str, measure: str, sense: str) -> Direction:
    """The direction that takes one subject's total to its least (``min``) or most."""
    name, year = base_measure(measure)
    suffix = "" if name in ("capacity", PURCHASES.get(subject)) else f"-{name}"
    suffix += f"-{year}" if year else ""
    return Direction(f"{subject}{suffix}-{sense}", f"{subject}.{measure}:{sense}",
                     {(subject, measure): 1.0 if sense == "min" else -1.0})


def default_directions(plan: Plan, least_cost: dict[tuple[str, str], float]) -> list[Direction]:
    """Each default subject the plan has to its most, then each to its least, leaving out a
    least that the least-cost plan is already at (``least_cost``: its totals)."""
    keys = _default_keys(plan)
    most = [one_way(s, m, "max") for s, m in keys]
    least = [one_way(s, m, "min") for s, m in keys if least_cost.get((s, m), 0.0) > AT_ZERO]
    return most + least


def _default_keys(plan: Plan) -> list[tuple[str, str]]:
    """(subject, measure) of each default subject the plan has, in the default order."""
    names = set(available(plan))
    return [(s, PURCHASES.get(s, "capacity")) for s in DEFAULT_SUBJECTS if s in names]


def random_direction(plan: Plan, rng: random.Random, number: int) -> Direction:
    """Weights drawn uniformly in [−1, 1] on every default subject the plan has."""
    weights = {key: rng.uniform(-1.0, 1.0) for key in _default_keys(plan)}
    return Direction(f"random-{number}", "random", weights)


def choose(plan: Plan, n: int, asked: list[Direction] | None,
           least_cost: dict[tuple[str, str], float], seed: int = 0) -> list[Direction]:
    """The ``n`` directions of a run: those asked (``random`` drawn with ``seed``), else the
    defaults; random ones fill up to ``n``."""
    rng = random.Random(seed)
    drawn = 0

    def draw() -> Direction:
        nonlocal drawn
        drawn += 1
        return random_direction(plan, rng, drawn)

    base = asked if asked is not None else default_directions(plan, least_cost)
    out = [draw() if d.text == "random" else d for d in base][:n]
    while len(out) < n:
        out.append(draw())
    return out


def measured(directions: list[Direction]) -> list[tuple[str, str]]:
    """Every (subject, measure) the directions weigh, and the default ones, without repeats."""
    keys = [(s, PURCHASES.get(s, "capacity")) for s in DEFAULT_SUBJECTS]
    for d in directions:
        keys.extend(d.weights)
    return list(dict.fromkeys(keys))


def total(ctx: Context, subject: str, measure: str) -> Any:
    """T of the module docstring, a linear expression over the built model."""
    inputs, m = ctx.inputs, ctx.m
    measure, year = base_measure(measure)
    years, v = ([year] if year else inputs.years), inputs.annual_discount
    weight = {y: v[y] / sum(v[u] for u in years) for y in years}
    w, steps = inputs.step_weight, range(inputs.n_steps)
    if subject == "grid":
        return pyo.quicksum(weight[y] * float(w[t]) * m.grid_import[y, t]
                            for y in years for t in steps)
    if subject == "credits":
        offers = list(inputs.plan.carbon_credits)
        return pyo.quicksum(weight[y] * m.credits[y, n] for y in years for n in offers)
    techs = subjects(inputs.plan)[subject]
    if measure == "capacity":
        return pyo.quicksum(weight[y] * ctx.capacity[(i, y)] for i in techs for y in years)
    return pyo.quicksum(weight[y] * float(w[t]) * out(y, t) for i in techs
                        for out in ctx.output.get(i, {}).values() for y in years for t in steps)


def scale(ctx: Context, measure: str) -> float:
    """What a total is divided by in a mixed direction: the site's peak demand [MW] for
    capacity, its annual demand [MWh/yr] for energy, its baseline emissions [t] for credits
    (at least 1)."""
    inputs = ctx.inputs
    plan = inputs.plan
    measure = base_measure(measure)[0]
    if measure == "tonnes":
        return max(baseline_emissions(plan).total(["scope1", "scope2_market"]), 1.0)
    demand = [inputs.demand(c, y) for c in plan.carriers() for y in inputs.years]
    if measure == "capacity":
        return max(max(float(d.max()) for d in demand), 1.0)
    return max(max(inputs.annual(d) for d in demand), 1.0)


def objective(ctx: Context, direction: Direction) -> Any:
    """Σ weights·T/scale of ``direction``: of order 1 whatever the units."""
    return pyo.quicksum(w * total(ctx, *key) / scale(ctx, key[1])
                        for key, w in direction.weights.items())
