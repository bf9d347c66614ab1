"""Candidate and existing technologies: one model per kind, one discriminated union.

Money values are in the technology's ``currency`` and ``price_year`` (default: the plan's);
the loader converts them (``plant.currency``). Power is in MW (electric unless the name says
``_th``), energy in MWh, specific costs per kW or per kWh as their names say.
"""

from __future__ import annotations

import math
from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from plant.schema._base import (
    Fraction,
    FractionTrajectory,
    NonNegative,
    NonNegativeTrajectory,
    PlanModel,
    Positive,
    PositiveTrajectory,
    Priced,
    Year,
)
from plant.trajectory import Trajectory


class TechnologyBase(Priced):
    """Fields every technology shares."""

    label: str | None = None
    """Name shown in reports, e.g. "Li-ion battery" (default: the technology's key)."""
    description: str = ""
    capex_per_kw: NonNegativeTrajectory = Trajectory(0.0)
    """Overnight investment cost per kW of rated power, by build year."""
    fixed_om_per_kw_year: NonNegativeTrajectory = Trajectory(0.0)
    """Fixed operation and maintenance cost per kW and year."""
    variable_om_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Variable O&M cost per MWh of output."""
    lifetime_years: int = Field(gt=0, le=80)
    """Economic and technical lifetime [years]."""
    first_year: Year | None = None
    """First year it can be built (technology readiness)."""
    max_capacity_mw: NonNegative | None = None
    """Build limit on total installed capacity [MW] (land, roof, permits)."""
    max_build_rate_mw_per_year: NonNegative | None = None
    """Most capacity that can be added in one year [MW/year]."""
    replaced_by: str | None = None
    """For a technology that can no longer be bought (``max_capacity_mw: 0``): the technology
    of the same kind that replaces its existing assets like for like at the end of their life
    in business as usual (docs/plans.md)."""
    embodied_t_co2e_per_mw: NonNegativeTrajectory = Trajectory(0.0)
    """Embodied (cradle-to-gate) emissions of building one unit of capacity [t CO2e per MW,
    per MWh/yr saved for an efficiency measure], by build year: reported as scope 3
    (capital goods) in the year it is built and counted by targets that list
    ``scope3_embodied`` (docs/accounting.md, "Embodied emissions")."""
    source: str = ""
    """Where the numbers come from."""

    #: Money fields converted to the site currency by the loader.
    money_fields: ClassVar[tuple[str, ...]] = (
        "capex_per_kw", "fixed_om_per_kw_year", "variable_om_per_mwh",
    )
    #: Abatement lever the technology belongs to (docs/optimiser.md, "Abatement by lever").
    lever: ClassVar[str] = ""
    #: Human name of the kind, for reports ("solar PV").
    kind_label: ClassVar[str] = ""
    #: Unit of its capacity in results ("MW"; efficiency measures "MWh/yr" saved).
    capacity_unit: ClassVar[str] = "MW"
    #: More capacity than any factory site holds of this kind [MW]: a build limit above it is
    #: probably in kW (warning W105). The largest car-plant solar farms are ~100-200 MW.
    plausible_max_mw: ClassVar[float] = 2000.0
    #: Capex above this [USD/kW, roughly] is beyond any product of the kind: probably a cost
    #: per MW written in ``capex_per_kw`` (warning W107). Bounds are ~5-10x the dearest
    #: published costs (docs/plans.md, "Warnings"); the slip they catch is 1000x.
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 20_000.0
    #: Capex below this [USD/kW, roughly] is below any product of the kind: probably a cost
    #: per W written in ``capex_per_kw`` (warning W109). Bounds are ~1/3-1/10 of the cheapest
    #: published costs; the slip they catch is 1000x. A capex of 0 is not checked.
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 50.0
    #: Fixed O&M outside this [USD/kW-year, roughly] is per W-year or per MW-year (W110):
    #: published figures run from ~1.5 (electric boilers, DEA) to ~400 (SOFC, 4-5 % of capex).
    plausible_fixed_om_usd_per_kw_year: ClassVar[tuple[float, float]] = (0.1, 2_000.0)
    #: Variable O&M outside this [USD/MWh] is per kWh, or more than any plant's O&M (W111):
    #: published figures are ~0.5-5 (DEA onshore wind 1.6-1.9 EUR/MWh, electric boilers ~1).
    plausible_variable_om_usd_per_mwh: ClassVar[tuple[float, float]] = (0.01, 500.0)
    #: Unit of a second, energy capacity (storage), if it has one.
    energy_unit: ClassVar[str | None] = None
    #: Short names that choose the kind's technologies in ``--directions`` besides its
    #: ``kind`` (``solar`` for ``solar_pv``; :mod:`optimiser.alternatives.directions`).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Generates electricity on site (so some of it may be exported).
    generates: ClassVar[bool] = False
    #: Its electricity is carbon-free and counts as clean supply in the clean-electricity
    #: (hourly-matched) share (docs/accounting.md).
    carbon_free: ClassVar[bool] = False
    #: Stores electricity: its discharge counts as clean only in the share it charged from
    #: clean supply (docs/accounting.md).
    stores_electricity: ClassVar[bool] = False
    #: What it supplies is demand it removes (an efficiency measure, managed EV charging):
    #: the clean-electricity share counts it as load not consumed (docs/accounting.md).
    cuts_demand: ClassVar[bool] = False

    @property
    def service_life_years(self) -> int:
        """Years a cohort serves: ``lifetime_years`` (a battery may retire earlier at its
        ``end_of_life_share``)."""
        return self.lifetime_years

    def display_name(self, key: str) -> str:
        """The name reports show: ``label``, else the key with spaces ("wind onshore")."""
        return self.label or key.replace("_", " ")

    def outputs(self) -> tuple[str, ...]:
        """Carriers it supplies to the site's hourly balances (an efficiency measure: the
        carrier whose demand it cuts; a store: its carrier, net of what it charges). Its model
        component registers each with ``Context.supply``, and only these (the builder checks:
        ``optimiser.formulate.context.check_flows``)."""
        return ()

    def inputs(self) -> tuple[str, ...]:
        """Carriers it draws from the site's hourly balances (registered with
        ``Context.draw``, and only these); fuels are not among them (:meth:`fuels_burned`)."""
        return ()

    def fuels_burned(self) -> tuple[str, ...]:
        """Fuels it burns (names in ``fuels``; registered with ``Context.add_fuel_use``)."""
        return ()

    def heat_per_fuel(self, year: int) -> float | None:
        """Useful heat per unit of fuel (LHV) in ``year`` if it turns fuel into heat."""
        return None


class OnSiteRenewable(TechnologyBase):
    """What solar PV and wind share: carbon-free electricity generated on site."""

    lever: ClassVar[str] = "on-site renewables"
    generates: ClassVar[bool] = True
    carbon_free: ClassVar[bool] = True

    def outputs(self) -> tuple[str, ...]:
        return ("electricity",)

    def build_limit(self) -> tuple[float | None, str]:
        """The most capacity the plan allows in total [MW] (None: no limit) and the plan key
        that sets it."""
        return self.max_capacity_mw, "max_capacity_mw"


class SolarPV(OnSiteRenewable):
    """Photovoltaic plant; output from the site's solar profile."""

    kind: Literal["solar_pv"]
    aliases: ClassVar[tuple[str, ...]] = ("solar",)
    plausible_max_mw: ClassVar[float] = 2000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 10_000.0
    #: W109: the cheapest utility PV costs ~300-400 USD/kW (China 2024; IRENA 2023 global 758).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 100.0
    #: W117: modules alone take ~4.5-5 m²/kW at 20-22 % efficiency (so below 3 none does),
    #: ground mounts with row spacing up to ~25; beyond, per MW or per W.
    plausible_area_m2_per_kw: ClassVar[tuple[float, float]] = (3.0, 60.0)
    #: W117: less roof or land than this [m²] (under 20 kW of PV) is in km² or hectares.
    plausible_min_area_m2: ClassVar[float] = 100.0
    #: W118: the darkest sites yield ~600-800 kWh/kWp (northern Europe, Alaska); below this the
    #: yield is in MWh/kWp, a capacity factor or a month's (the high end, 2,500, is an error).
    plausible_min_yield_kwh_per_kwp: ClassVar[float] = 300.0
    #: W118: modules lose ~0.3-1 %/yr (worst field cases ~2 %); above this, it is in percent.
    plausible_max_degradation_per_year: ClassVar[float] = 0.03
    kind_label: ClassVar[str] = "solar PV"
    specific_yield_kwh_per_kwp: Positive
    """Annual yield the profile is calibrated to [kWh/kWp/year] (in the first year)."""
    tilt_deg: float = Field(default=30.0, ge=0, le=90)
    azimuth_deg: float = Field(default=180.0, ge=0, lt=360)
    """Panel azimuth [degrees from north, clockwise]: 180 faces south."""
    degradation_per_year: Fraction = 0.004
    """Yield loss per year of age [1/year]."""
    area_m2_per_kw: Positive = 5.5
    """Land or roof area per kW [m²/kW]."""
    max_area_m2: NonNegative | None = None
    """Roof or land area available [m²]; with ``area_m2_per_kw`` gives a build limit."""

    def build_limit(self) -> tuple[float | None, str]:
        """The lower of ``max_capacity_mw`` and what ``max_area_m2`` holds
        (area / area per kW / 1000) [MW], with the key that sets it."""
        limit, key = super().build_limit()
        if self.max_area_m2 is not None:
            by_area = self.max_area_m2 / self.area_m2_per_kw / 1000.0
            if limit is None or by_area < limit:
                return by_area, "max_area_m2"
        return limit, key


class WindTurbine(OnSiteRenewable):
    """Onshore wind; output from a turbine power curve on the site's wind series."""

    kind: Literal["wind"]
    plausible_max_mw: ClassVar[float] = 1000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 15_000.0
    #: W109: the cheapest onshore wind costs ~600-1,000 USD/kW (China; IRENA 2023 global 1,160).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 200.0
    #: W118: onshore capacity factors run ~0.15-0.5; outside this, not a capacity factor.
    plausible_capacity_factor: ClassVar[tuple[float, float]] = (0.05, 0.65)
    kind_label: ClassVar[str] = "wind"
    capacity_factor: Fraction
    """Annual capacity factor the profile is calibrated to."""
    turbine: Literal["vestas_v90_3000kw", "enercon_e48_800kw"] = "vestas_v90_3000kw"
    """Power curve used to turn wind speed into output."""
    hub_height_m: Positive = 90.0


class Battery(TechnologyBase):
    """Electricity storage: power and energy are sized separately."""

    kind: Literal["battery"]
    plausible_max_mw: ClassVar[float] = 2000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 10_000.0
    lever: ClassVar[str] = "storage"
    kind_label: ClassVar[str] = "battery"
    generates: ClassVar[bool] = True
    stores_electricity: ClassVar[bool] = True
    energy_unit: ClassVar[str | None] = "MWh"
    capex_per_kwh: NonNegativeTrajectory = Trajectory(0.0)
    """Investment cost per kWh of usable energy capacity (the model's energy capacity is
    usable energy; ``capex_per_kw`` prices the power rating)."""
    round_trip_efficiency: Fraction
    """AC-to-AC round-trip efficiency."""
    min_duration_h: Positive = 0.5
    max_duration_h: Positive = 8.0
    """Range of energy-to-power ratio [h]."""
    self_discharge_per_hour: Fraction = 0.0
    second_life: bool = False
    """Built from EV packs after their first life (lower cost, lower capacity)."""
    usable_fraction: Fraction = 1.0
    """Usable share of nameplate energy (depth of discharge, state of health). Energy
    capacities and their prices are per usable kWh; this only converts to nameplate kWh for
    display (nameplate = usable / usable_fraction)."""
    calendar_fade_per_year: Annotated[float, Field(ge=0, lt=0.5)] = 0.0
    """Calendar ageing: share of its usable energy a cohort loses in each year of service,
    used or not; a cohort built in b holds (1 − f)^(τ − b) of its energy in year τ
    (docs/storage.md, "Ageing")."""
    cycle_fade_per_cycle: Annotated[float, Field(ge=0, le=0.01)] = 0.0
    """Cycle ageing: share of usable energy lost per equivalent full cycle. The plan keeps
    the energy by augmentation as it wears: each MWh discharged wears this many MWh of
    capacity, bought back at that year's ``capex_per_kwh`` (docs/storage.md, "Ageing")."""
    state_of_health_at_start: Annotated[float, Field(gt=0, le=1)] = 1.0
    """Capacity left when installed, as a share of the pack's capacity when new (a
    second-life pack after ~10 years in a car: 0.7-0.8, docs/domain-brief.md 5). Prices and
    energy capacities stay per usable kWh; this sets when ``end_of_life_share`` is reached."""
    end_of_life_share: Fraction | None = None
    """Retire a cohort once its state of health (share of capacity when new) would fall below
    this under calendar ageing: it then serves n = ⌊ln(eol/SOH₀)/ln(1 − f)⌋ + 1 years, if
    fewer than ``lifetime_years`` (docs/storage.md, "Ageing")."""
    embodied_t_co2e_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Embodied emissions of one MWh of usable energy capacity built [t CO2e/MWh] (Li-ion
    61-106 kg CO2e per kWh of NMC cells, IVL 2019; a second-life pack ~7 % of a new one,
    docs/accounting.md, "Embodied emissions")."""
    money_fields: ClassVar[tuple[str, ...]] = (*TechnologyBase.money_fields, "capex_per_kwh")
    #: As ``plausible_max_capex_usd_per_kw``, for ``capex_per_kwh`` (W107).
    plausible_max_capex_usd_per_kwh: ClassVar[float] = 5_000.0
    #: W109: the power part (inverter, bicharger ~110-150 USD/kW, PNNL) may be 0 when the
    #: energy part carries it all; turnkey storage costs >=~65 USD/kWh (second-life packs).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 5.0
    plausible_min_capex_usd_per_kwh: ClassVar[float] = 10.0

    @model_validator(mode="after")
    def _durations(self) -> Battery:
        if self.max_duration_h < self.min_duration_h:
            raise ValueError("max_duration_h is below min_duration_h")
        return self

    @model_validator(mode="after")
    def _end_of_life_below_start(self) -> Battery:
        eol = self.end_of_life_share
        if eol is not None and eol >= self.state_of_health_at_start:
            raise ValueError(f"end_of_life_share ({eol:g}) must be below "
                             f"state_of_health_at_start ({self.state_of_health_at_start:g})")
        if eol is not None and self.calendar_fade_per_year <= 0:
            raise ValueError("end_of_life_share needs calendar_fade_per_year > 0 (without "
                             "calendar ageing it is never reached)")
        return self

    @property
    def service_life_years(self) -> int:
        """``lifetime_years``, or fewer if calendar ageing takes the cohort's state of health
        below ``end_of_life_share`` first: the years τ − b = 0 … n − 1 with
        SOH₀·(1 − f)^(τ − b) ≥ eol, n = ⌊ln(eol/SOH₀)/ln(1 − f)⌋ + 1."""
        eol, fade = self.end_of_life_share, self.calendar_fade_per_year
        if eol is None or fade <= 0:
            return self.lifetime_years
        if eol <= 0:
            return self.lifetime_years
        years = math.floor(math.log(eol / self.state_of_health_at_start)
                           / math.log(1.0 - fade) + 1e-9) + 1
        return max(1, min(self.lifetime_years, years))

    def outputs(self) -> tuple[str, ...]:
        return ("electricity",)

    def inputs(self) -> tuple[str, ...]:
        """Electricity, which it charges (within its net supply d − c, not a draw)."""
        return ("electricity",)


class ThermalStorage(TechnologyBase):
    """Heat storage (hot water or steam accumulator) for one heat class."""

    kind: Literal["thermal_storage"]
    plausible_max_mw: ClassVar[float] = 2000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 10_000.0
    lever: ClassVar[str] = "storage"
    kind_label: ClassVar[str] = "heat store"
    energy_unit: ClassVar[str | None] = "MWh"
    heat_class: str
    capex_per_kwh: NonNegativeTrajectory = Trajectory(0.0)
    """Investment cost per kWh of heat stored; ``capex_per_kw`` prices the charge and
    discharge power rating (heat exchangers, pumps)."""
    loss_per_hour: Fraction = 0.000077
    """Standing loss [1/h]: a fraction per hour (DEA large hot-water tank 0.0077 %/h =
    7.7e-5/h)."""
    min_duration_h: Positive = 1.0
    """Shortest energy-to-power ratio [h]: the store cannot be charged or emptied faster."""
    max_duration_h: Positive = 24.0
    embodied_t_co2e_per_mwh: NonNegativeTrajectory = Trajectory(0.0)
    """Embodied emissions of one MWh of heat storage capacity built [t CO2e/MWh]
    (docs/accounting.md, "Embodied emissions")."""
    money_fields: ClassVar[tuple[str, ...]] = (*TechnologyBase.money_fields, "capex_per_kwh")
    #: As ``plausible_max_capex_usd_per_kw``, for ``capex_per_kwh`` (W107): hot-water tanks
    #: cost ~1-5 EUR/kWh, pits ~0.5-1, steam accumulators and molten salt ~20-60.
    plausible_max_capex_usd_per_kwh: ClassVar[float] = 200.0
    #: W109: heat exchangers and pumps per kW (often 0); pit stores ~0.3-0.5 EUR/kWh, tanks 1-5.
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 1.0
    plausible_min_capex_usd_per_kwh: ClassVar[float] = 0.05

    @model_validator(mode="after")
    def _durations(self) -> ThermalStorage:
        if self.max_duration_h < self.min_duration_h:
            raise ValueError("max_duration_h is below min_duration_h")
        return self

    def outputs(self) -> tuple[str, ...]:
        return (self.heat_class,)

    def inputs(self) -> tuple[str, ...]:
        """Its heat class, which it charges (within its net supply d − c, not a draw)."""
        return (self.heat_class,)


class HeatPump(TechnologyBase):
    """Electric heat pump; capex per kW of heat output."""

    kind: Literal["heat_pump"]
    plausible_max_mw: ClassVar[float] = 500.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 15_000.0
    #: W109: the cheapest large heat pumps cost ~300-500 USD/kW of heat (DEA 900-1,300 EUR).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 50.0
    lever: ClassVar[str] = "electrification"
    kind_label: ClassVar[str] = "heat pump"
    serves: list[str] = Field(min_length=1)
    """Heat classes it can supply."""
    max_supply_temperature_c: float = Field(ge=30, le=250)
    """Highest supply temperature it reaches [°C]."""
    carnot_efficiency: Annotated[float, Field(gt=0, le=1)] = 0.45
    """COP = carnot_efficiency × T_sink / (T_sink − T_source), temperatures in K (above 0:
    a heat pump that moves no heat is no technology)."""
    cop_max: Positive = 6.0
    """Cap on COP at small temperature lifts."""

    def outputs(self) -> tuple[str, ...]:
        return tuple(self.serves)

    def inputs(self) -> tuple[str, ...]:
        return ("electricity",)


class ElectricHeater(TechnologyBase):
    """Electric boiler, resistive heater or electric oven; capex per kW of heat."""

    kind: Literal["electric_heater"]
    plausible_max_mw: ClassVar[float] = 1000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 5_000.0
    #: W109: central resistive heaters cost ~17-90 EUR/kW (DEA, docs/site-data.md).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 5.0
    lever: ClassVar[str] = "electrification"
    kind_label: ClassVar[str] = "electric heater"
    serves: list[str] = Field(min_length=1)
    efficiency: Fraction = 0.99

    def outputs(self) -> tuple[str, ...]:
        return tuple(self.serves)

    def inputs(self) -> tuple[str, ...]:
        return ("electricity",)


class FuelBoiler(TechnologyBase):
    """Fuel-fired boiler or burner (existing gas-fired equipment, bio-methane)."""

    kind: Literal["fuel_boiler"]
    plausible_max_mw: ClassVar[float] = 2000.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 5_000.0
    #: W109: direct-fired gas heaters cost ~19 EUR/kW, boilers 58-73 (DEA, docs/site-data.md).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 5.0
    lever: ClassVar[str] = "fuels & boilers"
    kind_label: ClassVar[str] = "fuel boiler"
    serves: list[str] = Field(min_length=1)
    fuels: list[str] = Field(min_length=1)
    """Fuels it can burn (names in ``fuels``)."""
    efficiency: PositiveTrajectory
    """Useful heat per unit of fuel energy on an LHV basis (HHV fuels are converted)."""

    def outputs(self) -> tuple[str, ...]:
        return tuple(self.serves)

    def fuels_burned(self) -> tuple[str, ...]:
        return tuple(self.fuels)

    def heat_per_fuel(self, year: int) -> float | None:
        return self.efficiency.at(year)


class SOFC(TechnologyBase):
    """Solid oxide fuel cell self-generation; fuel use from the sofc/ digital twin.

    Capacity and ``capex_per_kw`` are per kW of nameplate net AC power with new stacks; the
    power lost as stacks age is applied to what the capacity can deliver, not to its price.
    """

    kind: Literal["sofc"]
    plausible_max_mw: ClassVar[float] = 200.0
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = 100_000.0
    #: W109: long-run targets for fuel cells are ~900-1,100 USD/kW (US DOE; DEA 2050).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 100.0
    lever: ClassVar[str] = "SOFC"
    kind_label: ClassVar[str] = "SOFC"
    generates: ClassVar[bool] = True
    fuel: str
    """Fuel it runs on (a name in ``fuels``), e.g. bioethanol."""
    config: str | None = None
    """Path of an sofc/ system config YAML (relative to the plan); default system if unset."""
    min_load_fraction: Fraction = 0.3
    heat_class: str | None = None
    """Heat class that its recovered heat can supply."""
    end_of_life_power_loss: Annotated[float, Field(gt=0, lt=1)] = 0.2
    """Share of a new stack's full-load net AC power lost when the stack is replaced [-];
    with the twin's degradation rate it sets the stack life (docs/sofc.md, "Stack life":
    usual end-of-life rules are 10-20 % loss)."""
    stack_life_hours: Annotated[float, Field(gt=0, le=200_000)] | None = None
    """Operating hours a stack lasts [h]; unset: the age at which the twin has lost
    ``end_of_life_power_loss`` of its power. If given, the twin must keep at least
    1 − ``end_of_life_power_loss`` of its power at that age. The optimiser uses the twin's
    average over the stack's life."""
    stack_replacement_fraction_of_capex: Fraction = 0.25
    """Cost of a stack replacement as a share of the capex per kW in the year it is bought;
    charged per stack bought when the stacks in service are worn out (docs/optimiser.md,
    "SOFC")."""
    thermal_cycles_per_stack: NonNegative = 200.0
    """Cold starts (thermal cycles) a stack tolerates over its life; with the stack life and
    the availability it limits starts per year (docs/sofc.md, "Operating limits")."""
    availability: Fraction = 0.9
    """Share of hours the system can run (maintenance, outages)."""
    commitment: bool = False
    """Commit whole units on/off (mixed-integer) instead of a continuous online capacity."""
    unit_size_mw: Positive = 0.25
    """Nameplate (new-stack) net AC rating of one unit, for ``commitment`` [MW]."""

    def outputs(self) -> tuple[str, ...]:
        return ("electricity", *([self.heat_class] if self.heat_class else []))

    def inputs(self) -> tuple[str, ...]:
        """Electricity: hot standby and cold starts draw site power (its fuel is
        :meth:`fuels_burned`)."""
        return ("electricity",)

    def fuels_burned(self) -> tuple[str, ...]:
        return (self.fuel,)


class EfficiencyMeasure(TechnologyBase):
    """Demand reduction: cost per MWh/year saved (capex_per_kw is not used)."""

    kind: Literal["efficiency"]
    lever: ClassVar[str] = "efficiency"
    cuts_demand: ClassVar[bool] = True
    kind_label: ClassVar[str] = "efficiency measure"
    capacity_unit: ClassVar[str] = "MWh/yr"
    #: Not checked by W107 or W109: its cost is ``capex_per_mwh_saved_per_year``.
    plausible_max_capex_usd_per_kw: ClassVar[float | None] = None
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = None
    #: W109/W107 for ``capex_per_mwh_saved_per_year`` [USD per MWh/yr]: measures cost ~50
    #: (leaks, lighting: paid back within a year) to ~3,000; outside, per kWh or a whole cost.
    plausible_capex_usd_per_mwh_saved_per_year: ClassVar[tuple[float, float]] = (5.0, 50_000.0)
    carrier: str
    """Carrier whose demand it reduces (electricity or a heat class)."""
    capex_per_mwh_saved_per_year: NonNegativeTrajectory
    """Investment per MWh of annual saving."""
    max_saving_fraction: Fraction
    """Most of that carrier's demand it can save."""
    money_fields: ClassVar[tuple[str, ...]] = (
        *TechnologyBase.money_fields, "capex_per_mwh_saved_per_year",
    )

    def outputs(self) -> tuple[str, ...]:
        return (self.carrier,)


class WorkplaceEVLever(TechnologyBase):
    """Managed charging of the employees' cars of ``demand.workplace_evs``
    (docs/workplace-ev.md). Its capacity is the charger power of the cars enrolled [MW]
    (cars × ``charger_kw``), at most the whole fleet's, shared with the site's other
    workplace-EV technologies; ``capex_per_kw`` prices enrolling a car's charger (per kW).
    An enrolled car no longer charges unmanaged: the lever supplies that load back and draws
    the car's charging where it chooses within the shift."""

    lever: ClassVar[str] = "workplace EVs"
    cuts_demand: ClassVar[bool] = True
    #: Smart-charging control may cost almost nothing per kW (software on existing chargers).
    plausible_min_capex_usd_per_kw: ClassVar[float | None] = 0.5
    plausible_max_mw: ClassVar[float] = 200.0

    def outputs(self) -> tuple[str, ...]:
        """Electricity: the unmanaged charging of its cars, removed (and V2B's discharge)."""
        return ("electricity",)

    def inputs(self) -> tuple[str, ...]:
        """Electricity: its cars' managed charging."""
        return ("electricity",)


class SmartCharging(WorkplaceEVLever):
    """Smart (managed, one-way) charging: each enrolled car gets its commute back within its
    shift, in the hours the plan chooses."""

    kind: Literal["ev_smart_charging"]
    kind_label: ClassVar[str] = "EV smart charging"
    aliases: ClassVar[tuple[str, ...]] = ("smart_charging",)


class VehicleToBuilding(WorkplaceEVLever):
    """Bidirectional (V2B) charging: enrolled cars may also discharge to the plant, never
    below the fleet's ``min_soc`` while parked, and leave with their commute charged.
    ``variable_om_per_mwh`` is paid per MWh discharged (the drivers' battery wear)."""

    kind: Literal["ev_v2b"]
    kind_label: ClassVar[str] = "vehicle-to-building"
    aliases: ClassVar[tuple[str, ...]] = ("v2b",)


Technology = Annotated[
    SolarPV | WindTurbine | Battery | ThermalStorage | HeatPump | ElectricHeater | FuelBoiler
    | SOFC | EfficiencyMeasure | SmartCharging | VehicleToBuilding,
    Field(discriminator="kind"),
]


class ExistingAsset(PlanModel):
    """Capacity already on site, retired after its lifetime."""

    technology: str
    """Name of its technology in ``technologies`` (performance and O&M come from there)."""
    capacity_mw: NonNegative
    energy_mwh: NonNegative | None = None
    """Energy capacity for storage [MWh], usable when it was installed: a battery's calendar
    fade ages it from ``build_year`` (docs/storage.md), so do not enter today's faded value."""
    build_year: Year
    lifetime_years: int | None = Field(default=None, gt=0, le=80)
    """Overrides the technology's lifetime."""
    efficiency: float | None = Field(default=None, gt=0, le=1.2)
    """Fuel-fired boilers and furnaces (``fuel_boiler``) only: this asset's own useful heat
    per unit of fuel (LHV), e.g. an older boiler below the technology's new-build
    ``efficiency``; it applies to this asset alone, not to new builds of the technology
    (docs/plans.md, "Existing assets")."""
    source: str = ""


__all__ = [
    "SOFC",
    "Battery",
    "EfficiencyMeasure",
    "ElectricHeater",
    "ExistingAsset",
    "FractionTrajectory",
    "FuelBoiler",
    "HeatPump",
    "SolarPV",
    "Technology",
    "SmartCharging",
    "ThermalStorage",
    "VehicleToBuilding",
    "WindTurbine",
    "WorkplaceEVLever",
]
