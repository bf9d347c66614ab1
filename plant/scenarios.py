"""Scenario trees for stochastic planning: what is uncertain, when it becomes known, how likely.

A scenario file (``cnplan plan SITE.yaml --scenarios SCEN.yaml``; docs/stochastic.md)::

    stages: [2027, 2035]          # decisions of years before 2035 are shared by all scenarios
    scenarios:
      low_ethanol:  {probability: 0.3, set: {fuels.bioethanol.price_scale: 0.5}}
      mid:          {probability: 0.4, set: {}}
      high_ethanol: {probability: 0.3, set: {fuels.bioethanol.price_scale: 1.4}}
    risk: {cvar_alpha: 0.9, weight: 0.0}

``set`` takes the key paths of ``cnplan sweep --set`` (:mod:`plant.overrides`). A flat ``set``
becomes known at the second stage; with more stages it is keyed by stage year
(``set: {2035: {...}, 2045: {...}}``), each stage's values holding from its year on: the
overrides of stages 1…k are applied in order to the base plan (a ``_scale`` of a later stage
scales what the earlier ones set). Before a value becomes known, every scenario sees the base
plan's value: scenario s's value of a changed field f in calendar year τ is

    f_s(τ) = f_base(τ)            for τ < Y_1
    f_s(τ) = f_s,k(τ)             for Y_k ≤ τ < Y_{k+1}

with f_s,k the base plan with s's overrides of stages 1…k applied. Changed fields must
therefore be year trajectories (prices, factors), not single numbers. Two scenarios share a
node of stage k when their overrides of stages 1…k are equal (a stage without overrides
reveals nothing); decisions of the years [Y_k, Y_{k+1}) are equal across the scenarios of one
node (non-anticipativity).

Instead of listing scenarios, a file may draw them: ``sample: {n: 50, seed: 1, from:
{KEY: {low: a, high: b}}}`` (independent uniform draws, equal probabilities) and reduce them
to ``reduce_to`` representatives (fast forward selection, :func:`reduce_scenarios`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from plant.bounds import number_problem
from plant.errors import PlanError, PlanIssue
from plant.loaded import locate
from plant.loader import validation_issues
from plant.overrides import OverrideError, apply_overrides, resolve_key, validated_plan
from plant.schema import Plan
from plant.trajectory import Trajectory
from plant.yamlio import read_yaml

#: tolerance on Σ probabilities = 1
PROBABILITY_TOLERANCE = 1e-6
#: Most scenarios a file may list or draw (``sample.n``) unless the caller allows more
#: (``cnplan plan --max-scenarios``): each scenario holds its own copy of the plan (about
#: 0.5 MB once validated) and adds its own dispatch to the model, and a draw to be reduced
#: keeps n × n distances; 10,000 listed scenarios took 4.75 GB before any model existed.
MAX_SCENARIOS = 1_000

Sets = dict[str, float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScenarioEntry(_Strict):
    """One scenario of a file: its probability, its overrides and where its numbers come from."""

    probability: float = Field(gt=0, le=1)
    set: dict[str | int, Any] = {}
    """{KEY: number} (known at the second stage) or {YEAR: {KEY: number}} (by stage)."""
    source: str = ""

    @field_validator("set")
    @classmethod
    def _one_form(cls, value: dict[str | int, Any]) -> dict[str | int, Any]:
        value = {int(k) if isinstance(k, str) and k.isdigit() else k: v
                 for k, v in value.items()}  # "2035": a quoted stage year
        yearly = [isinstance(k, int) for k in value]
        if any(yearly) and not all(yearly):
            raise ValueError("mixes key paths and stage years: write either {KEY: number, ...} "
                             "(known at the second stage) or {YEAR: {KEY: number, ...}, ...}")
        if not all(yearly):
            _numbers(value, "")
            return value
        for year, overrides in value.items():
            if not isinstance(overrides, dict):
                raise ValueError(f"{year}: expected the overrides known from {year} as "
                                 f"{{KEY: number, ...}}, got {overrides!r}")
            _numbers(overrides, f"{year}.")
        return value


def _numbers(overrides: dict[Any, Any], prefix: str) -> None:
    for key, v in overrides.items():
        if not isinstance(key, str) or isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"{prefix}{key}: expected KEY: number, got {v!r}")
        problem = number_problem(v)
        if problem:
            raise ValueError(f"{prefix}{key}: {problem}")


class RiskSpec(_Strict):
    """Blend of expected cost and CVaR: (1 − weight)·E[C] + weight·CVaR_α[C]."""

    cvar_alpha: float = Field(default=0.9, ge=0, lt=1)
    weight: float = Field(default=0.0, ge=0, le=1)


class UniformRange(_Strict):
    """Values drawn uniformly between ``low`` and ``high``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> UniformRange:
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.high < self.low:
            raise ValueError(f"needs finite low ≤ high, got {self.low} and {self.high}")
        return self


class SampleSpec(_Strict):
    """Scenarios drawn at random, equally likely, optionally reduced."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              allow_inf_nan=False)
    n: int = Field(ge=1, le=10_000)
    seed: int = 0
    from_: dict[str, UniformRange] = Field(alias="from", min_length=1)
    reduce_to: int | None = Field(default=None, ge=1)


class ScenarioFile(_Strict):
    """The scenario file as written."""

    stages: list[int] = Field(min_length=1)
    scenarios: dict[str, ScenarioEntry] = {}
    sample: SampleSpec | None = None
    risk: RiskSpec = RiskSpec()
    sources: dict[str, str] = {}
    description: str = ""

    @model_validator(mode="after")
    def _one_way(self) -> ScenarioFile:
        if bool(self.scenarios) == (self.sample is not None):
            raise ValueError("give either 'scenarios' (named, with probabilities) or "
                             "'sample' (drawn), not both and not neither")
        if sorted(set(self.stages)) != self.stages:
            raise ValueError(f"stages must be increasing years, got {self.stages}")
        return self


@dataclass(frozen=True)
class Scenario:
    """One leaf of the tree: a complete plan and the overrides that made it."""

    name: str
    probability: float
    plan: Plan
    sets: tuple[tuple[int, tuple[tuple[str, float], ...]], ...]
    """(stage year, ((key, value), ...)) of stages 1…K, sorted."""
    source: str = ""

    def history(self, year: int) -> str:
        """What this scenario has revealed by ``year``: its overrides of the stages up to it
        (two scenarios are in the same node of that stage when these are equal)."""
        return json.dumps([(y, kv) for y, kv in self.sets if y <= year and kv])

    def values(self) -> dict[str, float]:
        """Every override, keyed ``KEY`` (two stages) or ``KEY@YEAR`` (more)."""
        many = len(self.sets) > 1
        return {(f"{k}@{y}" if many else k): v for y, kv in self.sets for k, v in kv}


@dataclass(frozen=True)
class ScenarioTree:
    """Stages, scenarios (leaves with their plans) and the risk measure."""

    stages: tuple[int, ...]
    scenarios: tuple[Scenario, ...]
    risk: RiskSpec
    sources: Mapping[str, str]
    file: Path | None = None
    description: str = ""

    @property
    def probabilities(self) -> np.ndarray:
        """p_s in scenario order."""
        return np.array([s.probability for s in self.scenarios])

    def stage_of(self, year: int) -> int:
        """Index k of the stage whose decisions include ``year``: Y_k ≤ year < Y_{k+1}."""
        return max(0, int(np.searchsorted(self.stages, year, side="right")) - 1)

    def node(self, scenario: Scenario, year: int | None) -> str:
        """The node deciding ``year`` for ``scenario``: what it has revealed by the start of
        that year's stage (None: a decision of the whole horizon, taken at the root)."""
        if year is None:
            return scenario.history(self.stages[0])
        return scenario.history(self.stages[self.stage_of(year)])

    def mean_plan(self, base: Plan) -> Plan:
        """The expected-value plan: every changed field at its probability-weighted mean,
        year by year (the mean-value problem of the VSS)."""
        return mean_plan(base, [(s.probability, s.plan) for s in self.scenarios],
                         self.changed_fields(base))

    def changed_fields(self, base: Plan) -> list[tuple[str, ...]]:
        """Paths (in the dumped plan) of every field some scenario changes."""
        data = base.model_dump()
        out: dict[tuple[str, ...], None] = {}
        for s in self.scenarios:
            for _, kv in s.sets:
                for key, _ in kv:
                    parent, name, _ = resolve_key(data, key)
                    out[(*parent, name)] = None
        return list(out)

    def with_plan(self, transform: Any) -> ScenarioTree:
        """The tree with ``transform(plan)`` applied to every scenario's plan."""
        leaves = tuple(Scenario(s.name, s.probability, transform(s.plan), s.sets, s.source)
                       for s in self.scenarios)
        return ScenarioTree(self.stages, leaves, self.risk, self.sources, self.file,
                            self.description)

    def single(self, scenario: Scenario) -> ScenarioTree:
        """A tree of ``scenario`` alone, with probability 1 (its perfect-information plan)."""
        leaf = Scenario(scenario.name, 1.0, scenario.plan, scenario.sets, scenario.source)
        return ScenarioTree(self.stages, (leaf,), self.risk, self.sources, self.file,
                            self.description)


def _get(node: Any, path: tuple[str, ...]) -> Any:
    """The object at ``path`` of a plan (models, dicts and lists)."""
    for part in path:
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node[part]
        else:
            node = getattr(node, part)
    return node


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[path[-1]] = value


def _trajectory(value: Any) -> Trajectory:
    return value if isinstance(value, Trajectory) else Trajectory(float(value))


def _piecewise(pieces: list[tuple[int, Trajectory]], base: Trajectory, first: int) -> Any:
    """Year-by-year points of ``base`` before the first piece's year and of each piece from
    its year on (exact at every calendar year: linear interpolation between whole years)."""
    years = {first, *base.points} | {y for y, t in pieces} | {
        y for _, t in pieces for y in t.points}
    lo, hi = min(years), max(years)

    def at(year: int) -> float:
        value = base.at(year)
        for start, traj in pieces:
            if year >= start:
                value = traj.at(year)
        return value

    return {year: at(year) for year in range(lo, hi + 1)}


def staged_plan(base: Plan, sets: Mapping[int, Mapping[str, float]], first_year: int) -> Plan:
    """The base plan with ``sets[Y]`` holding from year Y on (see the module docstring).

    Raises
    ------
    OverrideError
        For an unknown key, a value the plan does not accept, or a changed field that is a
        single number rather than a year trajectory.
    """
    stages = sorted(sets)
    cumulative: dict[str, float] = {}
    stage_plans = []
    for year in stages:
        cumulative = {**cumulative, **sets[year]}
        stage_plans.append((year, apply_overrides(base, cumulative)))
    data = base.model_dump()
    fields = {(*p, n) for p, n, _ in (resolve_key(data, k) for k in cumulative)}
    for path in sorted(fields):
        old = _get(base, path)
        if not isinstance(old, Trajectory):
            key = ".".join(path)
            raise OverrideError(f"{key} is a single number, not a year trajectory: a scenario "
                                "can change only trajectories (prices, factors), since before "
                                "its stage year every scenario must see the base plan")
        pieces = [(year, _trajectory(_get(p, path))) for year, p in stage_plans]
        _set(data, path, _piecewise(pieces, old, first_year))
    return validated_plan(data)


def mean_plan(base: Plan, weighted: list[tuple[float, Plan]],
              fields: list[tuple[str, ...]]) -> Plan:
    """``base`` with each of ``fields`` replaced by Σ_s p_s f_s(τ), year by year."""
    data = base.model_dump()
    for path in fields:
        trajs = [(p, _trajectory(_get(plan, path))) for p, plan in weighted]
        years = sorted({y for _, t in trajs for y in t.points} or {base.years()[0]})
        if all(not t.points for _, t in trajs):
            _set(data, path, sum(p * t.at(0) for p, t in trajs))
            continue
        lo, hi = years[0], years[-1]
        _set(data, path, {y: sum(p * t.at(y) for p, t in trajs) for y in range(lo, hi + 1)})
    return validated_plan(data)


def _stage_sets(entry: ScenarioEntry, stages: list[int]) -> dict[int, dict[str, float]]:
    """``set`` by stage year: a flat ``set`` becomes known at the second stage."""
    if not entry.set:
        return {}
    first = next(iter(entry.set))
    if isinstance(first, int):
        return {int(y): {str(k): float(v) for k, v in kv.items()} for y, kv in entry.set.items()}
    if len(stages) < 2:
        raise ValueError("a scenario that changes values needs a second stage (its year is "
                         "when the values become known), e.g. stages: [2027, 2035]")
    return {stages[1]: {str(k): float(v) for k, v in entry.set.items()}}


def _sampled(spec: SampleSpec, stages: list[int]) -> dict[str, ScenarioEntry]:
    """``n`` equally likely scenarios drawn uniformly, each key independently (seeded)."""
    rng = np.random.default_rng(spec.seed)
    keys = sorted(spec.from_)
    draws = {k: rng.uniform(spec.from_[k].low, spec.from_[k].high, spec.n) for k in keys}
    width = len(str(spec.n))
    return {f"s{i:0{width}d}": ScenarioEntry(
        probability=1.0 / spec.n, set={k: float(draws[k][i]) for k in keys})
        for i in range(spec.n)}


def reduce_scenarios(points: np.ndarray, probabilities: np.ndarray, keep: int,
                     ) -> tuple[list[int], np.ndarray]:
    """Fast forward selection (Heitsch & Römisch 2003, Algorithm 2.4 with the Euclidean
    distance of the override values, each column scaled to its range): pick ``keep``
    scenarios one at a time, each time the one that most lowers Σ_i p_i min_j d(i, j) over the
    unpicked i; every dropped scenario's probability moves to its nearest kept one.

    Returns the kept indices and their new probabilities (summing to 1).
    """
    span = np.ptp(points, axis=0)
    x = points / np.where(span > 0, span, 1.0)
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)
    n = len(points)
    kept: list[int] = []
    nearest = np.full(n, np.inf)
    for _ in range(min(keep, n)):
        left = [j for j in range(n) if j not in kept]
        costs = [float(np.sum(probabilities * np.minimum(nearest, d[:, j]))) for j in left]
        pick = left[int(np.argmin(costs))]
        kept.append(pick)
        nearest = np.minimum(nearest, d[:, pick])
    owner = np.array(kept)[np.argmin(d[:, kept], axis=1)]
    new = np.array([probabilities[owner == k].sum() for k in kept])
    return kept, new / new.sum()


def _reduced(entries: dict[str, ScenarioEntry], keep: int) -> dict[str, ScenarioEntry]:
    names = list(entries)
    keys = sorted({k for e in entries.values() for k in e.set})
    points = np.array([[float(entries[n].set.get(k, 0.0)) for k in keys] for n in names])
    probs = np.array([entries[n].probability for n in names])
    kept, new = reduce_scenarios(points, probs, keep)
    return {names[i]: entries[names[i]].model_copy(update={"probability": float(p)})
            for i, p in zip(kept, new, strict=True)}


def _too_many(spec: ScenarioFile, limit: int) -> tuple[tuple[str, ...], str] | None:
    """Where and why ``spec`` has more scenarios than ``limit`` (before any is built)."""
    count, key, verb = (spec.sample.n, ("sample", "n"), "draw") if spec.sample else (
        len(spec.scenarios), ("scenarios",), "list")
    if count <= limit:
        return None
    return key, (f"{count:,} scenarios, more than {limit:,}: each holds a copy of the plan "
                 f"and adds its own dispatch to the model; {verb} fewer, or allow more with "
                 "`cnplan plan --max-scenarios N`")


def build_tree(spec: ScenarioFile, base: Plan, file: Path | None = None,
               where: Any = None, max_scenarios: int = MAX_SCENARIOS) -> ScenarioTree:
    """The scenario tree of ``spec`` on ``base``; raises PlanError naming key paths (also
    when it has more than ``max_scenarios`` scenarios, before any is built)."""
    where = where or (lambda path: (file or Path("scenarios"), None))
    too_many = _too_many(spec, max_scenarios)
    if too_many:
        key, message = too_many
        f, line = where(key)
        raise PlanError([PlanIssue(f, line, key, message)])
    issues: list[PlanIssue] = []

    def issue(path: tuple[Any, ...], message: str) -> None:
        f, line = where(path)
        issues.append(PlanIssue(f, line, path, message))

    years = base.years()
    if spec.stages[0] != years[0]:
        issue(("stages", 0), f"the first stage must be the plan's first year {years[0]} "
              f"(decisions now), got {spec.stages[0]}")
    for i, year in enumerate(spec.stages[1:], start=1):
        if year not in years:
            issue(("stages", i), f"{year} is not a modelled year of the plan (one of "
                  f"{', '.join(map(str, years))}): a stage must start where a modelled "
                  "year's span starts")
    entries = _sampled(spec.sample, spec.stages) if spec.sample else dict(spec.scenarios)
    if spec.sample and spec.sample.reduce_to:
        entries = _reduced(entries, spec.sample.reduce_to)
    total = sum(e.probability for e in entries.values())
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        issue(("scenarios",), f"probabilities sum to {total:.6g}, not 1")
    leaves = []
    for name, entry in entries.items():
        try:
            sets = _stage_sets(entry, spec.stages)
        except ValueError as exc:
            issue(("scenarios", name, "set"), str(exc))
            continue
        for year in sets:
            if year not in spec.stages[1:]:
                issue(("scenarios", name, "set", year), f"{year} is not a stage after the "
                      f"first ({', '.join(map(str, spec.stages[1:])) or 'none'})")
        if issues:
            continue
        try:
            plan = staged_plan(base, sets, years[0])
        except OverrideError as exc:
            issue(("scenarios", name, "set"), str(exc))
            continue
        frozen = tuple((y, tuple(sorted(sets[y].items()))) for y in sorted(sets))
        leaves.append(Scenario(name, entry.probability, plan, frozen, entry.source))
    if issues:
        raise PlanError(issues)
    return ScenarioTree(tuple(spec.stages), tuple(leaves), spec.risk, dict(spec.sources),
                        file, spec.description)


def read_scenarios(file: str | Path, base: Plan,
                   max_scenarios: int = MAX_SCENARIOS) -> ScenarioTree:
    """Read and check a scenario file against the plan it applies to (at most
    ``max_scenarios`` scenarios: :data:`MAX_SCENARIOS` unless the caller allows more).

    Raises
    ------
    PlanError
        Naming the file, line and key path of every problem (unknown keys with a
        did-you-mean, probabilities that do not sum to 1, stages off the modelled years,
        overrides the plan does not accept).
    """
    path = Path(file)
    data, lines = read_yaml(path)
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise PlanError(validation_issues(exc, data, lines, path, ScenarioFile)) from None
    return build_tree(spec, base, path, lambda key: locate(lines, key, path), max_scenarios)


def without_new_capacity(plan: Plan, cls: type) -> Plan:
    """``plan`` with no new capacity of the technologies of schema class ``cls`` (their
    ``first_year`` after the horizon); existing assets stay (an option value's counterfactual)."""
    data = plan.model_dump()
    after = plan.years()[-1] + 1
    for name, tech in plan.technologies.items():
        if isinstance(tech, cls):
            data["technologies"][name]["first_year"] = after
    return validated_plan(data)
