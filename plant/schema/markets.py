"""Plan sections for what the site buys and sells: fuels, grid, certificates, credits."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from plant.schema._base import (
    Fraction,
    NonNegativeTrajectory,
    PlanModel,
    Positive,
    PositiveTrajectory,
    Priced,
)
from plant.trajectory import Trajectory


class Fuel(Priced):
    """A purchased fuel. Emission factors per MWh on the stated heating-value basis.

    Combustion CO2 is split into fossil (scope 1) and biogenic (reported outside the scopes,
    GHG Protocol); upstream (well-to-tank) emissions are reported separately (scope 3).
    """

    label: str | None = None
    """Name reports show (e.g. "bio-ethanol"); the key with spaces if not given."""
    description: str = ""
    heating_value_basis: Literal["LHV", "HHV"] = "LHV"
    """Basis of prices, quantities and factors (UK gas is traded on gross/HHV)."""
    hhv_to_lhv: Positive = 1.0
    """LHV/HHV ratio for this fuel (0.901 natural gas, 0.9 ethanol); 1 if basis is LHV."""
    price_per_mwh: NonNegativeTrajectory
    """Delivered price per MWh of fuel energy."""
    combustion_fossil_t_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Fossil CO2e from combustion [t/MWh] (scope 1)."""
    combustion_biogenic_t_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Biogenic CO2 from combustion [t/MWh] (outside scopes)."""
    upstream_t_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Well-to-tank emissions [t CO2e/MWh] (scope 3, reported)."""
    supply_limit_mwh_per_year: NonNegativeTrajectory | None = None
    """Most that can be bought in a year [MWh]."""
    first_year: int | None = None
    """First year the fuel can be bought."""
    energy_mwh_per_litre: Positive | None = None
    """Energy in a litre of the fuel on the same heating-value basis [MWh/L], for liquid fuels
    (bio-ethanol 21.2 MJ/L LHV = 0.00589 MWh/L): lets reports give prices per litre."""
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_mwh",)

    def display_name(self, key: str) -> str:
        """The name reports show: ``label``, else the key with spaces."""
        return self.label or key.replace("_", " ")

    @model_validator(mode="after")
    def _basis_ratio(self) -> Fuel:
        if self.heating_value_basis == "LHV" and self.hhv_to_lhv != 1.0:
            raise ValueError("hhv_to_lhv only applies to fuels given on an HHV basis")
        if self.hhv_to_lhv > 1.0:
            raise ValueError("hhv_to_lhv is LHV/HHV and cannot exceed 1")
        return self


class TimeOfUse(PlanModel):
    """A time-of-use band multiplying the base import price."""

    name: str
    hours: tuple[int, int]
    """Local hours [start, end): e.g. [16, 19] for 16:00-19:00."""
    days: Literal["all", "weekdays", "weekends"] = "all"
    months: list[int] = list(range(1, 13))
    multiplier: Positive

    @model_validator(mode="after")
    def _hours(self) -> TimeOfUse:
        start, end = self.hours
        if not (0 <= start < end <= 24):
            raise ValueError(f"hours must be [start, end) within 0-24, got {list(self.hours)}")
        if any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months must be 1-12")
        return self


class DemandCharge(Priced):
    """A charge on the peak power drawn from the grid (docs/plans.md, "Demand charges").

    Each month is billed ``price_per_kw_month`` × the peak import [kW] that sets it:
    ``monthly``, that month's own peak; ``annual``, the year's highest, as with a 12-month
    ratchet (Japan's contract demand: the highest 30-minute demand of this and the previous
    11 months) or an agreed capacity sized to the peak. Only imports in the charge's hours,
    days and months set its peak (a time-banded charge, e.g. a red band).
    """

    price_per_kw_month: NonNegativeTrajectory
    """Charge per kW of peak import and month (site currency unless ``currency`` says)."""
    peak: Literal["monthly", "annual"] = "monthly"
    hours: tuple[int, int] = (0, 24)
    """Local hours [start, end) whose imports set the peak."""
    days: Literal["all", "weekdays", "weekends"] = "all"
    months: list[int] = list(range(1, 13))
    """Months billed (and whose imports set the peak)."""
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_kw_month",)

    @model_validator(mode="after")
    def _window(self) -> DemandCharge:
        start, end = self.hours
        if not (0 <= start < end <= 24):
            raise ValueError(f"hours must be [start, end) within 0-24, got {list(self.hours)}")
        if not self.months or any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months must be 1-12")
        return self


class CarbonIntensityShape(PlanModel):
    """Hourly shape of grid carbon intensity around its annual mean (mean stays 1)."""

    summer_midday_factor: Positive = 1.0
    """Multiplier at midday in June/July (solar dip)."""
    winter_evening_factor: Positive = 1.0
    """Multiplier at 17:00-20:00 in December/January (peak)."""


class Grid(Priced):
    """Grid connection: prices, limits and carbon intensity."""

    import_price_per_mwh: NonNegativeTrajectory
    """Annual average all-in import price per MWh (energy, network, levies)."""
    time_of_use: list[TimeOfUse] = []
    """Multipliers on the import price by hour; the annual mean is kept."""
    export_price_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    export_allowed: bool = True
    connection_limit_mw: Positive | None = None
    """Import (and export) limit of the connection [MW]."""
    carbon_intensity_t_per_mwh: NonNegativeTrajectory
    """Location-based average emission factor [t CO2e/MWh] by year."""
    residual_mix_t_per_mwh: NonNegativeTrajectory | None = None
    """Market-based factor for uncertified purchases; defaults to the location factor."""
    carbon_intensity_shape: CarbonIntensityShape = CarbonIntensityShape()
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("import_price_per_mwh", "export_price_per_mwh")


class Certificate(Priced):
    """Renewable energy certificates or a PPA (market-based scope 2 at zero factor;
    docs/accounting.md, "Contractual instruments")."""

    kind: Literal["certificate", "ppa"] = "certificate"
    price_per_mwh: NonNegativeTrajectory
    """Certificate price, or for a PPA the premium over the grid price, per MWh."""
    granularity: Literal["annual", "hourly"] = "annual"
    """``annual``: unbundled certificates for a year's consumption (REGOs, guarantees of
    origin, Japan's non-fossil certificates); they count in annual matching only.
    ``hourly``: time-stamped (granular) certificates, each for one hour's consumption: bought
    hour by hour, at most that hour's grid import, they count in hourly, monthly and annual
    matching."""
    max_mwh_per_year: NonNegativeTrajectory | None = None
    counts_toward_target: bool = True
    """Whether the market-based scope 2 reduction counts toward targets."""
    market_boundary: str | None = None
    """Market the certificates come from (default: the site's). Certificates from another
    market are not deliverable and count toward nothing, unless ``legacy``."""
    legacy: bool = False
    """An existing contract kept under a legacy clause: counts wherever it comes from."""
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_mwh",)


class PowerPurchaseAgreement(Priced):
    """Electricity bought from a named plant under contract (e.g. a private-wire solar farm
    owned by a third party): its output is bought, not owned, so it has no capex
    (docs/accounting.md, "Contractual instruments").

    ``private_wire``: the plant is connected behind the site's meter; its output, up to
    ``capacity_mw`` × the hourly capacity factor of ``technology`` (aged from ``build_year``
    by that technology's degradation), can be used on site in the hour it is produced, is paid
    for as produced (used or spilled) at ``price_per_mwh`` from ``start_year`` for
    ``term_years``, and is neither grid import nor on-site owned generation (scope 2 at the
    plant's factor, zero for solar and wind; no export by the site).

    ``virtual``: a contract for difference on the plant's output, which stays on the grid.
    Each MWh produced is settled at ``price_per_mwh`` (the strike) less
    ``market_price_per_mwh`` (what the plant's output fetches in the market), paid by the site
    when positive, received when negative, and brings its certificate for the hour it was
    produced. The certificates count toward market-based scope 2 and clean-electricity
    targets if the plant is in the site's market (``market_boundary``) or the contract is
    ``legacy``; they do not change location-based scope 2.
    """

    kind: Literal["private_wire", "virtual"] = "private_wire"
    technology: str
    """A solar_pv or wind technology in ``technologies`` whose hourly profile it follows."""
    capacity_mw: Positive
    """Rated power of the contracted plant [MW]."""
    build_year: int = Field(ge=1950, le=2100)
    """Year the plant started operating (its age, for degradation)."""
    start_year: int = Field(ge=1950, le=2100)
    """First year of the contract."""
    term_years: int = Field(gt=0, le=60)
    """Contract length [years]: output is available in start_year … start_year + term − 1."""
    optional: bool = False
    """A contract the site may still sign: the optimiser chooses what share of
    ``capacity_mw`` to contract (0 to all, one choice for the whole term), and business as
    usual signs none. Otherwise the contract holds in full (signed already, or decided)."""
    price_per_mwh: NonNegativeTrajectory
    """Price per MWh produced (pay as produced); for a virtual PPA, the strike price."""
    market_price_per_mwh: NonNegativeTrajectory | None = None
    """Virtual PPA only (and required): the market price its output is settled against, per
    MWh (the plant's capture price in the wholesale market)."""
    market_boundary: str | None = None
    """Virtual PPA: market the plant is in (default: the site's). From another market its
    certificates count toward nothing, unless ``legacy``."""
    legacy: bool = False
    """Virtual PPA: an existing contract kept under a legacy clause, counted wherever its
    plant is."""
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_mwh", "market_price_per_mwh")

    @model_validator(mode="after")
    def _virtual_fields(self) -> PowerPurchaseAgreement:
        virtual = self.kind == "virtual"
        if virtual and self.market_price_per_mwh is None:
            raise ValueError("a virtual PPA is settled against a market price: give "
                             "market_price_per_mwh")
        if not virtual and (self.market_price_per_mwh is not None
                            or self.market_boundary is not None or self.legacy):
            raise ValueError("market_price_per_mwh, market_boundary and legacy apply to a "
                             "virtual PPA only (kind: virtual); a private-wire PPA is "
                             "delivered behind the meter")
        return self


class CarbonCredit(Priced):
    """Purchased carbon credits (offsets), kept apart from real reductions."""

    kind: Literal["avoidance", "removal"] = "avoidance"
    price_per_t: NonNegativeTrajectory
    max_t_per_year: NonNegativeTrajectory | None = None
    counts_toward_target: bool = True
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_t",)


class CarbonPrice(Priced):
    """A carbon price paid on scope 1 emissions (e.g. UK ETS), if the site is covered."""

    price_per_t: NonNegativeTrajectory
    covered_share: Fraction = 1.0
    source: str = ""

    money_fields: ClassVar[tuple[str, ...]] = ("price_per_t",)


__all__ = ["CarbonCredit", "CarbonIntensityShape", "CarbonPrice", "Certificate", "DemandCharge",
           "Fuel", "Grid",
           "PositiveTrajectory", "PowerPurchaseAgreement", "TimeOfUse"]
