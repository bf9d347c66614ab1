"""Plan sections for energy demand and the site climate that drives it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from plant.schema._base import Fraction, NonNegative, PlanModel, Positive, Year

#: Carrier names used for demand and supply balances.
ELECTRICITY = "electricity"


class DemandShares(PlanModel):
    """How a demand splits into parts that follow production, cold or hot weather, or neither
    (docs/plans.md, "Demand shares: production, heating, cooling")."""

    production_share: Fraction = 0.0
    """Share that follows production hours and scales with vehicles built."""
    weather_share: Fraction = 0.0
    """Share that follows heating degree-hours below ``climate.heating_base_temperature_c``
    (space heating, air make-up). Its meaning is unchanged since ``cooling_share`` was added:
    the heating part of the weather-driven demand."""
    cooling_share: Fraction = 0.0
    """Share that follows cooling degree-hours above ``climate.cooling_base_temperature_c``
    (chillers and air conditioning of paint shops, halls and offices)."""
    constant_share: Fraction = 0.0
    """Share that is flat around the clock (base load, idle equipment)."""

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> DemandShares:
        total = (self.production_share + self.weather_share + self.cooling_share
                 + self.constant_share)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                "production_share + weather_share + cooling_share + constant_share must add "
                f"up to 1, got {total:g}"
            )
        return self


class ElectricityDemand(DemandShares):
    """Annual electricity demand in the reference year."""

    annual_mwh: NonNegative
    """Electricity demand in ``Demand.reference_year`` [MWh/year], before efficiency measures."""


class HeatDemand(DemandShares):
    """Annual useful heat demand of one temperature class."""

    annual_mwh: NonNegative
    """Useful heat demand in ``Demand.reference_year`` [MWh_th/year]."""
    temperature_c: float = Field(ge=20, le=1200)
    """Supply temperature of this class [°C]; decides which technologies can serve it."""
    return_temperature_c: float | None = Field(default=None, ge=5, le=1200)
    """Temperature the heat-carrying water or air comes back at [°C]; default 20 K below the
    supply. A recovery heat exchanger (the SOFC's) heats from here to the supply temperature,
    so a return below the flue dew point lets the flue condense (docs/sofc.md)."""
    description: str = ""

    @model_validator(mode="after")
    def _return_below_supply(self) -> HeatDemand:
        if self.return_temperature_c is not None and not (
                self.return_temperature_c < self.temperature_c):
            raise ValueError(f"return_temperature_c ({self.return_temperature_c:g}) must be "
                             f"below the supply temperature_c ({self.temperature_c:g})")
        return self

    @property
    def return_c(self) -> float:
        """Return temperature [°C], 20 K below the supply unless given."""
        return (self.temperature_c - 20.0 if self.return_temperature_c is None
                else self.return_temperature_c)


class WorkplaceEVFleet(PlanModel):
    """Employees' electric cars, plugged in at work while their shift runs, charged there for
    their commute (docs/workplace-ev.md). Without a smart-charging or V2B technology each car
    charges at full charger power from the shift's first hour until its commute is back in the
    pack ("unmanaged"), a part of the electricity demand. Defaults are the workplace V2B
    study's (docs/domain-brief.md 5): 62 kWh pack, 6 kW charger, 90 % each way, 7 km/kWh,
    arriving at 50 %."""

    cars_per_shift: list[Annotated[int, Field(ge=0)]] = Field(min_length=1)
    """Cars parked during each shift of ``production.calendar`` (first shift first; one entry
    per shift); they come on production days only."""
    commute_km_per_day: Positive
    """What each car drives between two workdays (home to work and back) [km]."""
    km_per_kwh: Positive = 7.0
    pack_kwh: Positive = 62.0
    """Usable battery of one car [kWh]."""
    charger_kw: Positive = 6.0
    """Charger power per car, each way [kW]."""
    charge_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.9
    discharge_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.9
    arrival_soc: Fraction = 0.5
    """State of charge a car arrives with (share of ``pack_kwh``)."""
    max_soc: Fraction = 0.9
    """Highest state of charge the site charges a car to."""
    min_soc: Fraction | None = None
    """Lowest state of charge V2B may take a parked car to (default ``arrival_soc``: the
    plant never borrows below what the driver came with)."""
    source: str = ""

    @property
    def commute_kwh(self) -> float:
        """Energy each car must take home each day [kWh]: commute ÷ km per kWh."""
        return self.commute_km_per_day / self.km_per_kwh

    @property
    def floor_soc(self) -> float:
        """``min_soc``, else ``arrival_soc``."""
        return self.arrival_soc if self.min_soc is None else self.min_soc

    @property
    def departure_soc(self) -> float:
        """State of charge every car leaves with at least: arrival + commute."""
        return self.arrival_soc + self.commute_kwh / self.pack_kwh

    @property
    def cars(self) -> int:
        """Cars over all shifts."""
        return sum(self.cars_per_shift)

    @model_validator(mode="after")
    def _commute_fits(self) -> WorkplaceEVFleet:
        if self.cars == 0:
            raise ValueError("cars_per_shift has no cars: leave workplace_evs out instead")
        if self.departure_soc > self.max_soc + 1e-9:
            raise ValueError(
                f"a car arriving at {self.arrival_soc:.0%} needs {self.commute_kwh:.1f} kWh "
                f"for its commute, {self.departure_soc:.0%} of its {self.pack_kwh:g} kWh pack: "
                f"above max_soc {self.max_soc:.0%}")
        if self.floor_soc > self.arrival_soc + 1e-9:
            raise ValueError(f"min_soc ({self.floor_soc:g}) is above arrival_soc "
                             f"({self.arrival_soc:g}): cars could not arrive")
        return self


class Demand(PlanModel):
    """Annual demand by carrier in a reference year; profiles come from calendar and weather."""

    reference_year: Year
    """Year whose production volume the annual figures belong to."""
    electricity: ElectricityDemand
    heat: dict[str, HeatDemand] = {}
    """Useful heat by temperature class, e.g. ``heat_low`` (space, washers), ``heat_process``
    (paint ovens)."""
    workplace_evs: WorkplaceEVFleet | None = None
    """Employees' cars charged at work (docs/workplace-ev.md): their unmanaged charging is
    electricity demand on top of ``electricity``; smart charging and V2B are technologies."""
    unserved_cost_per_mwh: NonNegative | None = None
    """Allow the planning run to leave demand unserved at this cost (site currency per MWh);
    by default every MWh must be served."""
    value_of_lost_load_per_mwh: NonNegative | None = None
    """What a MWh of demand left unserved costs the site (site currency of the price year),
    any carrier: the price of the unserved energy the hourly verification finds, in the
    verified cost (``cnplan plan --verify``). Default: ``unserved_cost_per_mwh`` if given,
    else 100 × the highest grid import price (docs/optimiser.md, "Hourly verification")."""

    @model_validator(mode="after")
    def _heat_names(self) -> Demand:
        for name in self.heat:
            if name == ELECTRICITY or not name.startswith("heat_"):
                raise ValueError(f"heat class {name!r} must be named heat_<something>")
        return self


class Climate(PlanModel):
    """Synthetic hourly ambient temperature (seeded) for heating, cooling and heat-pump COP."""

    mean_temperature_c: float = Field(ge=-30, le=40)
    """Annual mean air temperature [°C]."""
    seasonal_amplitude_c: NonNegative
    """Half the difference between the warmest and the coldest month's mean [K]."""
    diurnal_amplitude_c: NonNegative = 3.0
    """Half the mean daily temperature swing [K]."""
    coldest_day_of_year: int = Field(default=20, ge=1, le=366)
    """Day of year of the coldest seasonal mean (about 20 in the northern hemisphere)."""
    weather_noise_c: NonNegative = 2.5
    """Standard deviation of day-to-day weather noise [K]."""
    heating_base_temperature_c: float = Field(default=15.5, ge=0, le=25)
    """Base temperature for heating degree-hours [°C] (UK practice 15.5 °C)."""
    cooling_base_temperature_c: float = Field(default=18.3, ge=10, le=35)
    """Base temperature for cooling degree-hours [°C]: air above it drives ``cooling_share``
    (default 18.3 °C, the US 65 °F convention; docs/data-sources.md, "Cooling and heating
    degree-hours")."""

    @model_validator(mode="after")
    def _cooling_base_above_heating(self) -> Climate:
        # only a base the plan gives: a plan written before cooling existed stays valid
        if ("cooling_base_temperature_c" in self.model_fields_set
                and self.cooling_base_temperature_c < self.heating_base_temperature_c):
            raise ValueError(
                f"cooling_base_temperature_c ({self.cooling_base_temperature_c:g}) must not be "
                f"below heating_base_temperature_c ({self.heating_base_temperature_c:g})")
        return self
