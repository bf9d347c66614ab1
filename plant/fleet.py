"""A company's fleet of plants: the fleet file, its checks, and the corporate target rows.

A fleet file names the plants' own plan files, the reporting currency with one exchange rate
per plant currency, whether each plant's own targets still hold, and the corporate targets
(docs/fleet.md). It is read like a plan: safe YAML, pydantic, then cross-checks; every
problem is a :class:`~plant.errors.PlanIssue` with file, line and key path (a plant plan's
own problems name that plan's file).

Corporate targets (docs/fleet.md, "Corporate targets"), for target k in modelled year y:

    Σ_p Σ_{s∈S_k} E_p,s(y) − u_k(y) ≤ L_k(y),   0 ≤ u_k(y) ≤ Σ_p K_p(y),   u_k(y) ≤ c_k(y)

with E_p,s(y) plant p's emissions of scope s [t CO2e/yr], K_p(y) the credits it buys that
count toward targets [t/yr], and

    absolute:     L_k(y) = (1 − r_k) · Σ_p B_p,S_k
    per vehicle:  L_k(y) = (1 − r_k) · Σ_p B_p,S_k / Σ_p V_p,base · Σ_p V_p(y)
    credits:      c_k(y) = s_k · Σ_p B_p,S_k  (× Σ_p V_p(y) / Σ_p V_p,base per vehicle)

B_p,S the plant's baseline emissions on scopes S (:func:`plant.factors.baseline_emissions`),
V the vehicles built, r_k the reduction and s_k the credit share: the company's intensity is
total emissions over total vehicles, so a plant that builds more vehicles carries more of it.
"""

from __future__ import annotations

import hashlib
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from plant.errors import KeyPath, PlanError, PlanIssue
from plant.factors import baseline_emissions
from plant.loaded import LoadedPlan, locate
from plant.loader import read_plan, validation_issues
from plant.schema import Plan
from plant.schema._base import Fraction, PlanModel, Positive, Year
from plant.schema.targets import Scope
from plant.yamlio import LineMap, read_yaml


class CorporateTarget(PlanModel):
    """A company-wide emission target over all plants of the fleet."""

    name: str = Field(min_length=1)
    year: Year
    reduction: Fraction
    """Reduction vs the summed plant baselines (0.52 = −52 %)."""
    per_vehicle: bool = False
    """Count emissions per vehicle produced across the fleet (total emissions over total
    vehicles), else absolute tonnes."""
    scopes: list[Scope] = Field(default=["scope1", "scope2_market"], min_length=1)
    hold_after: bool = True
    """Keep the limit in every later modelled year too."""
    max_credit_share: Fraction = 0.0
    """Share of the fleet's baseline (on this basis) that credits bought by the plants may
    cover."""
    source: str = ""

    @field_validator("scopes")
    @classmethod
    def _scopes_unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("scopes are listed twice")
        if "scope2_location" in value and "scope2_market" in value:
            raise ValueError("a target counts scope 2 either location- or market-based, not both")
        return value


class FleetPlant(PlanModel):
    """One plant: its plan file (relative to the fleet file) and an optional short name."""

    plan: str = Field(min_length=1)
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    """Name of the plant's sub-folder and column in the fleet report (default: the plan
    file's name without ``.yaml``)."""


class Fleet(PlanModel):
    """A fleet file (docs/fleet.md)."""

    name: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    """Reporting currency (ISO 4217); each plant keeps its own."""
    price_year: Year
    """Price year of every plant's money (each plan's ``finance.price_year``)."""
    exchange_rates: dict[str, Positive] = {}
    """Reporting-currency units per unit of each plant currency, in the price year."""
    plants: list[FleetPlant] = Field(min_length=1)
    plant_targets: Literal["keep", "drop"] = "keep"
    """``keep``: each plant's own targets still hold beside the corporate ones; ``drop``:
    only the corporate targets bind (the fleet report compares the two)."""
    targets: list[CorporateTarget] = []
    description: str = ""

    @model_validator(mode="after")
    def _names_unique(self) -> Fleet:
        names = [plant_name(p) for p in self.plants]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"two plants are both named {twice[0]!r}: give one a `name`")
        return self


def plant_name(plant: FleetPlant) -> str:
    """The plant's name: its ``name``, else its plan file's stem."""
    return plant.name or Path(plant.plan).stem


class LoadedFleet(typing.NamedTuple):
    """A validated fleet file with its plants' validated plans, in the file's order."""

    fleet: Fleet
    file: Path
    lines: LineMap
    plants: dict[str, LoadedPlan]
    sha256: str
    """Hash of the fleet file's content and every plant plan's hash."""
    warnings: tuple[str, ...] = ()

    def rate(self, name: str) -> float:
        """Reporting-currency units per unit of plant ``name``'s currency."""
        cur = self.plants[name].plan.site.currency
        return 1.0 if cur == self.fleet.currency else self.fleet.exchange_rates[cur]

    def plant_plan(self, name: str) -> LoadedPlan:
        """Plant ``name``'s plan as the fleet plans it: its own targets dropped with
        ``plant_targets: drop`` (:func:`without_targets`)."""
        loaded = self.plants[name]
        if self.fleet.plant_targets == "drop":
            return loaded._replace(plan=without_targets(loaded.plan))
        return loaded

    def with_plant_targets(self, mode: str) -> LoadedFleet:
        """The same fleet with ``plant_targets`` set to ``mode`` (``keep`` or ``drop``)."""
        return self._replace(fleet=self.fleet.model_copy(update={"plant_targets": mode}))


def looks_like_fleet(file: str | Path) -> bool:
    """Whether ``file`` is a fleet file rather than a plan: a mapping with ``plants`` and
    without ``site`` (False for anything that cannot be read; the plan reader then says
    why)."""
    try:
        data, _ = read_yaml(Path(file))
    except (PlanError, OSError):
        return False
    return isinstance(data, dict) and "plants" in data and "site" not in data


def read_fleet(file: str | Path) -> LoadedFleet:
    """Read and check a fleet file and the plans it names.

    Raises
    ------
    PlanError
        With every problem found: the fleet file's own at file, line and key path, and each
        plant plan's in that plan's file.
    """
    path = Path(file)
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PlanError([PlanIssue(path, 1, (), f"a fleet file must be a mapping of sections, "
                                   f"this file is {kind}")])
    try:
        fleet = Fleet.model_validate(data)
    except ValidationError as exc:
        raise PlanError(validation_issues(exc, data, lines, path, root=Fleet)) from None
    plants, issues = _read_plants(fleet, path, lines)
    if issues:
        raise PlanError(issues)
    found = list(fleet_issues(fleet, plants))
    if found:
        raise PlanError([PlanIssue(*locate(lines, key, path), key, msg) for key, msg in found])
    text = json.dumps({"fleet": fleet.model_dump(mode="json"),
                       "plants": {n: p.sha256 for n, p in plants.items()}}, sort_keys=True)
    return LoadedFleet(fleet, path, lines, plants, hashlib.sha256(text.encode()).hexdigest(),
                       tuple(fleet_warnings(plants)))


def _read_plants(fleet: Fleet, path: Path, lines: LineMap,
                 ) -> tuple[dict[str, LoadedPlan], list[PlanIssue]]:
    plants: dict[str, LoadedPlan] = {}
    issues: list[PlanIssue] = []
    for i, entry in enumerate(fleet.plants):
        plan_file = path.parent / entry.plan
        if not plan_file.is_file():
            issues.append(PlanIssue(*locate(lines, ("plants", i, "plan"), path),
                                    ("plants", i, "plan"), f"plan file {entry.plan!r} not "
                                    f"found (looked in {path.parent})"))
            continue
        try:
            plants[plant_name(entry)] = read_plan(plan_file)
        except PlanError as exc:
            issues += exc.issues
    return plants, issues


Found = typing.Iterator[tuple[KeyPath, str]]


def fleet_issues(fleet: Fleet, plants: dict[str, LoadedPlan]) -> Found:
    """What makes a valid fleet file with valid plans unusable together: a currency without
    an exchange rate, money of another price year, costs discounted to different years, a
    corporate target in a year some plant does not model."""
    names = list(plants)
    for i, name in enumerate(names):
        plan = plants[name].plan
        cur = plan.site.currency
        if cur != fleet.currency and cur not in fleet.exchange_rates:
            yield ("exchange_rates",), (
                f"plant {name!r} is in {cur}: give its rate, e.g. exchange_rates: "
                f"{{{cur}: <{fleet.currency} per {cur}>}}")
        if plan.finance.price_year not in (None, fleet.price_year):
            yield ("plants", i, "plan"), (
                f"plant {name!r} states its money in {plan.finance.price_year} prices, the "
                f"fleet in {fleet.price_year} prices: set finance.price_year: "
                f"{fleet.price_year} in {plants[name].file.name} (with its price_index)")
    bases = {plants[n].plan.finance.base_year for n in names}
    if len(bases) > 1:
        found = ", ".join(f"{n} {plants[n].plan.finance.base_year}" for n in names)
        yield ("plants",), (f"the plants discount their costs to different years ({found}): "
                            "give every plan the same finance.base_year")
    for k, target in enumerate(fleet.targets):
        for name in names:
            years = plants[name].plan.years()
            if target.year not in years:
                yield ("targets", k, "year"), (
                    f"plant {name!r} does not model {target.year} (its years: "
                    f"{', '.join(map(str, years))}); choose a year every plant models")
            if target.year <= plants[name].plan.baseline.year:
                yield ("targets", k, "year"), (
                    f"{target.year} is not after plant {name!r}'s baseline year "
                    f"{plants[name].plan.baseline.year}")


def fleet_warnings(plants: dict[str, LoadedPlan]) -> typing.Iterator[str]:
    """Valid but worth saying: the corporate baseline adds plant baselines of different
    years; the plants model different years (corporate rows hold only in the common ones)."""
    years = {n: p.plan.baseline.year for n, p in plants.items()}
    if len(set(years.values())) > 1:
        found = ", ".join(f"{n} {y}" for n, y in years.items())
        yield (f"the corporate baseline adds plant baselines of different years ({found}); "
               "each plant's targets and the fleet's count from them")
    modelled = {n: tuple(p.plan.years()) for n, p in plants.items()}
    if len(set(modelled.values())) > 1:
        common = common_years([p.plan for p in plants.values()])
        yield ("the plants model different years; the corporate targets hold only in those "
               f"every plant models ({', '.join(map(str, common))})")


@dataclass(frozen=True)
class CorporateRow:
    """One corporate target in one modelled year (module docstring)."""

    target: int
    """Index in the fleet's ``targets``."""
    name: str
    year: int
    scopes: tuple[Scope, ...]
    limit_t: float
    """L_k(y) [t CO2e]."""
    credit_cap_t: float
    """c_k(y) [t CO2e]; 0: credits do not count."""
    baseline_t: float
    """Σ_p B_p on the target's scopes [t CO2e] (per vehicle: scaled to the year's output)."""

    @property
    def key(self) -> str:
        """``t0_2030``: target index and year."""
        return f"t{self.target}_{self.year}"


def common_years(plans: list[Plan]) -> list[int]:
    """The modelled years every plant has."""
    years = set(plans[0].years())
    for plan in plans[1:]:
        years &= set(plan.years())
    return sorted(years)


def corporate_rows(fleet: Fleet, plans: list[Plan]) -> list[CorporateRow]:
    """Every corporate target row: its own year, and with ``hold_after`` each later year every
    plant models (module docstring for the limits)."""
    rows = []
    years = common_years(plans)
    vehicles_base = sum(p.baseline.vehicles for p in plans)
    for k, target in enumerate(fleet.targets):
        base = sum(baseline_emissions(p).total(list(target.scopes)) for p in plans)
        for y in years:
            if not (y == target.year or (target.hold_after and y > target.year)):
                continue
            scale = (sum(p.production.vehicles_per_year.at(y) for p in plans) / vehicles_base
                     if target.per_vehicle else 1.0)
            rows.append(CorporateRow(k, target.name, y, tuple(target.scopes),
                                     (1.0 - target.reduction) * base * scale,
                                     target.max_credit_share * base * scale, base * scale))
    return rows


def with_shares(plan: Plan, rows: list[CorporateRow], shares: dict[str, tuple[float, float]],
                ) -> Plan:
    """The plan with its share of each corporate row as a target of its own, for checking
    its plan hour by hour: ``shares[row.key]`` = (net emissions allowed, credits it may count)
    [t CO2e], so that Σ_S E(y) − u ≤ net with u ≤ credits and u ≤ its credits bought.

    The limit is (1 − r)·B on the row's scopes with r = 1 − net / B (B the plant's baseline
    on them): a plant allowed more than its baseline gets r < 0, outside what a plan's own
    ``reduction`` accepts, hence built without validation (these targets exist only inside
    the check)."""
    from plant.schema import Target

    added = []
    for row in rows:
        if row.key not in shares:
            continue
        net, credits = shares[row.key]
        base = baseline_emissions(plan).total(list(row.scopes))
        if base <= 0:
            continue
        added.append(Target.model_construct(
            name=f"share of {row.name} ({row.year})", year=row.year, basis="absolute",
            scopes=list(row.scopes), reduction=1.0 - net / base,
            max_credit_share=max(credits, 0.0) / base, hold_after=False,
            pathway="target_year", source="fleet share"))
    return plan.model_copy(update={"targets": [*plan.targets, *added]})


def without_targets(plan: Plan) -> Plan:
    """The plan with its own emission targets dropped (``plant_targets: drop``); its
    clean-electricity targets stay, they are procurement rules rather than emission limits."""
    return plan.model_copy(update={"targets": []})
