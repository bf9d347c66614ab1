"""The root of a site plan."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from plant.schema._base import PlanModel
from plant.schema.demand import Climate, Demand
from plant.schema.markets import (
    CarbonCredit,
    CarbonPrice,
    Certificate,
    DemandCharge,
    Fuel,
    Grid,
    PowerPurchaseAgreement,
)
from plant.schema.profiles import Profiles
from plant.schema.site import Baseline, Finance, Production, SiteInfo
from plant.schema.targets import Accounting, Pin, Target
from plant.schema.technologies import ExistingAsset, Technology


class Scenario(PlanModel):
    """Which variant of a site's plan this is, for titles, file names and comparisons."""

    name: str = Field(default="reference", min_length=1, max_length=60)
    """Short name, e.g. "least cost" or "company SOFC path"."""
    description: str = ""
    """One line on what sets it apart."""

    def slug(self) -> str:
        """The name for file names: lower case, words joined by "-"."""
        import re

        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "reference"


class Plan(PlanModel):
    """A factory site plan: what the site is, what it needs, what it may build and buy."""

    schema_version: int = Field(default=1, ge=1, le=1)
    """Version of the plan format."""
    include: list[str] = []
    """Catalogue files merged under this plan (paths relative to the plan file)."""
    scenario: Scenario = Scenario()
    """The scenario's name and a one-line description (shown in titles and comparisons)."""
    acknowledge: list[Annotated[str, StringConstraints(pattern=r"^W\d{3}$")]] = []
    """Warning codes this plan means (e.g. ``[W104]`` for a plant that really triples its
    output): they are not printed, and ``--strict`` does not fail on them."""
    site: SiteInfo
    production: Production
    baseline: Baseline
    demand: Demand
    climate: Climate
    technologies: dict[str, Technology] = {}
    """Candidate and existing technology types by name."""
    existing_assets: dict[str, ExistingAsset] = {}
    """Assets on site by name."""
    fuels: dict[str, Fuel] = {}
    grid: Grid
    demand_charges: dict[str, DemandCharge] = {}
    """Charges on the peak grid import by name (basic, capacity, red-band charges)."""
    certificates: dict[str, Certificate] = {}
    ppas: dict[str, PowerPurchaseAgreement] = {}
    """Power purchase agreements by name (private-wire plants the site buys from)."""
    carbon_credits: dict[str, CarbonCredit] = {}
    carbon_price: CarbonPrice | None = None
    targets: list[Target] = []
    accounting: Accounting = Accounting()
    """The rules the targets are counted by: the plan's own, or SBTi v2."""
    pins: list[Pin] = []
    finance: Finance
    profiles: Profiles = Profiles()

    def years(self) -> list[int]:
        """Investment (and operating) years of the plan."""
        return self.finance.years()

    def heat_classes(self) -> list[str]:
        """Names of the heat temperature classes."""
        return list(self.demand.heat)

    def carriers(self) -> list[str]:
        """Energy carriers balanced hour by hour: electricity and each heat class."""
        return ["electricity", *self.heat_classes()]
