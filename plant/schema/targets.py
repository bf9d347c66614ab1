"""Plan sections for emission targets and pinned decisions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from plant.schema._base import Fraction, NonNegative, PlanModel, Year

Scope = Literal["scope1", "scope2_location", "scope2_market", "upstream", "scope3_embodied"]
#: ``scope3_embodied``: embodied emissions of what the plan builds, in the year it is built
#: (scope 3 category 2, capital goods; docs/accounting.md, "Embodied emissions").


class Target(PlanModel):
    """An emission target relative to the baseline year.

    The limit in ``year`` is ``(1 - reduction) × baseline``, on the chosen basis and scopes.
    Net zero is ``reduction: 1.0`` with credits allowed for the residual.
    """

    name: str
    year: Year
    basis: Literal["absolute", "per_vehicle"] = "absolute"
    scopes: list[Scope] = Field(default=["scope1", "scope2_market"], min_length=1)
    reduction: Fraction
    """Reduction vs the baseline year (0.5 = -50 %)."""
    max_credit_share: Fraction = 0.0
    """Share of baseline emissions (on this basis) that credits may cover."""
    hold_after: bool = True
    """Keep the limit in every later year too."""
    pathway: Literal["target_year", "linear"] = "target_year"
    """``linear``: also hold the straight line from the baseline year to this target in every
    modelled year between them, a reduction of ``reduction`` × (y − baseline year) / (target
    year − baseline year) in year y (SBTi's near-term milestones, when the modelled years are
    five apart; docs/accounting.md)."""
    source: str = ""

    @model_validator(mode="after")
    def _scopes_unique(self) -> Target:
        if len(set(self.scopes)) != len(self.scopes):
            raise ValueError("scopes are listed twice")
        if "scope2_location" in self.scopes and "scope2_market" in self.scopes:
            raise ValueError("a target counts scope 2 either location- or market-based, not both")
        return self


class CleanElectricityTarget(PlanModel):
    """A least share of the site's electricity consumption covered by clean supply, from a
    year on (docs/accounting.md, "Clean-electricity share")."""

    year: Year
    share: Fraction
    """Least clean share of consumption (0.9 = 90 %) in this year and every later one."""
    matching: Literal["hourly", "monthly", "annual"] = "hourly"
    """``hourly``: clean supply counts only in the hour it is consumed (storage for what it
    charged from clean supply); ``monthly``: within each calendar month; ``annual``: over the
    year. Annual certificates count only in annual matching; hourly certificates and virtual
    PPAs in the hour they are for."""
    source: str = ""


class Accounting(PlanModel):
    """The rules targets are counted by (docs/accounting.md)."""

    target_mode: Literal["company", "sbti_v2"] = "company"
    """``company``: each target as the plan states it (its scopes; credits count up to its
    ``max_credit_share``). ``sbti_v2``: SBTi Corporate Net-Zero Standard v2.0 — scope 2 is
    counted location-based, credits never count toward a target, removals only neutralise
    the residual at and after the net-zero year (up to ``max_credit_share``), and from 2035
    removals are bought at a share of ongoing emissions rising from 1 % to 100 % at the
    net-zero year."""
    sbti_scope2: Literal["location", "low_carbon_share"] = "location"
    """How ``sbti_v2`` sets scope 2's target (SBTi CNZS v2.0 allows either):
    ``location``, scope 2 in every emission target counted location-based;
    ``low_carbon_share``, scope 2 left out of the emission targets and governed by
    ``clean_electricity_targets`` instead (which the plan must then give)."""
    scope2_matching: Literal["annual", "hourly"] = "annual"
    """How market-based scope 2 counts contractual instruments against grid imports.
    ``annual`` (the 2015 GHG Protocol scope 2 guidance): every deliverable certificate and
    virtual-PPA MWh of the year, up to the year's imports. ``hourly`` (the 2025 revision's
    proposal): only hourly instruments — hourly certificates and virtual PPAs — each against
    the import of its own hour; annual certificates count toward nothing."""
    clean_electricity_targets: list[CleanElectricityTarget] = []
    """Least clean-electricity shares of consumption (e.g. SBTi v2's recognised 75 % by 2030
    and 90 % by 2035, hourly matched), each a constraint with its implied price."""
    source: str = ""


class Pin(PlanModel):
    """Fix or bound a decision so a company plan can be compared with the least-cost plan."""

    technology: str
    year: Year | None = None
    """Year it applies from (all years if unset)."""
    min_capacity_mw: NonNegative | None = None
    max_capacity_mw: NonNegative | None = None
    min_share_of_carrier: Fraction | None = None
    """Least share of a carrier's annual demand this technology supplies."""
    carrier: str = "electricity"
    source: str = ""

    @model_validator(mode="after")
    def _something_pinned(self) -> Pin:
        lo, hi = self.min_capacity_mw, self.max_capacity_mw
        if lo is None and hi is None and self.min_share_of_carrier is None:
            raise ValueError("pin sets nothing: give min/max_capacity_mw or min_share_of_carrier")
        if lo is not None and hi is not None and hi < lo:
            raise ValueError("max_capacity_mw is below min_capacity_mw")
        return self
