"""Plan sections describing the site itself: location, production, baseline and finance."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from plant.schema._base import (
    NonNegative,
    NonNegativeTrajectory,
    PlanModel,
    Positive,
    Year,
)

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SiteInfo(PlanModel):
    """Where the plant is."""

    name: str = Field(min_length=1)
    """Plant name, used in reports and output folders."""
    country: str
    """ISO 3166-1 alpha-2 country code (e.g. GB, JP); selects national holidays."""
    market_boundary: str | None = None
    """Electricity market the site draws from, for the deliverability of certificates (e.g.
    GB; JP-TEPCO for the TEPCO area); default: the country code."""
    latitude_deg: float = Field(ge=-90, le=90)
    """Latitude [degrees north]."""
    longitude_deg: float = Field(ge=-180, le=180)
    """Longitude [degrees east]."""
    altitude_m: float = Field(default=0.0, ge=-500, le=6000)
    """Altitude above sea level [m]."""
    timezone: str
    """IANA time zone, e.g. Europe/London; the working calendar is in local time."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency of every money value in this plan (e.g. GBP, JPY)."""

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError("expected a two-letter ISO 3166 country code such as GB or JP, "
                             f"got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                             "'Europe/London' or 'Asia/Tokyo')") from None
        return value


class Shutdown(PlanModel):
    """A period each year when production stops (base load continues)."""

    name: str = "shutdown"
    start: str
    """First day, MM-DD."""
    end: str
    """Last day (inclusive), MM-DD; may wrap over the new year (e.g. 12-24 to 01-03)."""

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        if not _MONTH_DAY.match(value):
            raise ValueError(f"{value!r} is not a MM-DD date such as '08-01'")
        return value


class Calendar(PlanModel):
    """Working calendar of production (local time)."""

    shifts_per_day: int = Field(ge=0, le=3)
    """Production shifts per working day (0-3)."""
    shift_hours: Positive = 8.0
    """Length of one shift [h]; shifts run back to back from ``first_shift_start_hour``."""
    first_shift_start_hour: int = Field(default=6, ge=0, le=23)
    """Local hour at which the first shift starts."""
    working_days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"],
                                        min_length=1)
    """Days of the week with production."""
    national_holidays: bool = True
    """Stop on the country's public holidays (from the ``holidays`` package)."""
    shutdowns: list[Shutdown] = []
    """Annual shutdown periods (summer, year end)."""

    @model_validator(mode="after")
    def _shifts_fit_in_a_day(self) -> Calendar:
        if self.shifts_per_day * self.shift_hours > 24:
            raise ValueError(
                f"{self.shifts_per_day} shifts of {self.shift_hours} h exceed 24 h a day"
            )
        return self


class Production(PlanModel):
    """Vehicles built and when."""

    vehicles_per_year: NonNegativeTrajectory
    """Vehicles produced per year (trajectory)."""
    capacity_vehicles_per_year: NonNegative | None = None
    """Nameplate capacity [vehicles/year], for reference."""
    calendar: Calendar


class BaselineEmissions(PlanModel):
    """Reported baseline emissions [t CO2e]; omitted values are computed from energy use."""

    scope1: NonNegative | None = None
    scope2_location: NonNegative | None = None
    scope2_market: NonNegative | None = None


class Baseline(PlanModel):
    """The reference year that targets are measured against."""

    year: Year = 2018
    """Reference year of the targets."""
    vehicles: Positive
    """Vehicles produced in the baseline year."""
    electricity_mwh: NonNegative
    """Electricity consumed on site in the baseline year [MWh] (grid + on-site generation)."""
    onsite_renewable_mwh: NonNegative = 0.0
    """Part of ``electricity_mwh`` generated on site from renewables [MWh]."""
    fuels_mwh: dict[str, NonNegative] = {}
    """Fuel burned on site by fuel name [MWh, on the fuel's stated heating value basis]."""
    emissions_t: BaselineEmissions = BaselineEmissions()
    """Reported emissions; when omitted they are computed from energy and factors."""


class InvestmentYears(PlanModel):
    """Evenly spaced investment years, e.g. 2025 to 2050 every 5 years."""

    start: Year
    end: Year
    step: int = Field(default=1, ge=1, le=25)

    @model_validator(mode="after")
    def _ordered(self) -> InvestmentYears:
        if self.end < self.start:
            raise ValueError(f"end year {self.end} is before start year {self.start}")
        return self

    def years(self) -> list[int]:
        """The investment years; ``end`` is always included."""
        out = list(range(self.start, self.end + 1, self.step))
        return out if out[-1] == self.end else [*out, self.end]


class Finance(PlanModel):
    """Discounting and the planning horizon."""

    discount_rate: float = Field(ge=0, le=0.5)
    """Real discount rate [1/year], e.g. 0.07."""
    base_year: Year
    """Year to which costs are discounted."""
    investment_years: list[Year] | InvestmentYears
    """Years in which capacity can be built: a list, or {start, end, step}."""
    exchange_rates: dict[str, Positive] = {}
    """Site-currency units per unit of another currency in the price year, e.g. {EUR: 0.85}
    for a GBP site."""
    price_year: Year | None = None
    """Year whose prices every money value is brought to (e.g. 2024): items that state another
    ``price_year`` are converted with ``price_index`` of their currency."""
    price_index: dict[str, dict[Year, Positive]] = {}
    """Price index by currency and year (any base), e.g. {EUR: {2015: 100.0, 2024: 126.2}}:
    a value of price year p is multiplied by index(price_year) / index(p)."""

    @field_validator("investment_years")
    @classmethod
    def _sorted_unique(cls, value: list[int] | InvestmentYears) -> list[int] | InvestmentYears:
        if isinstance(value, list):
            if not value:
                raise ValueError("needs at least one investment year")
            if sorted(set(value)) != value:
                raise ValueError("investment years must be increasing and unique")
        return value

    def years(self) -> list[int]:
        """Investment years as a sorted list."""
        iy = self.investment_years
        return iy.years() if isinstance(iy, InvestmentYears) else list(iy)
