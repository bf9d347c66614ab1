"""Plan sections for energy demand and the site climate that drives it."""

from __future__ import annotations

from pydantic import Field, model_validator

from plant.schema._base import Fraction, NonNegative, PlanModel, Year

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


class Demand(PlanModel):
    """Annual demand by carrier in a reference year; profiles come from calendar and weather."""

    reference_year: Year
    """Year whose production volume the annual figures belong to."""
    electricity: ElectricityDemand
    heat: dict[str, HeatDemand] = {}
    """Useful heat by temperature class, e.g. ``heat_low`` (space, washers), ``heat_process``
    (paint ovens)."""
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
