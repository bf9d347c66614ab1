"""Semantic checks across sections, after the structure has validated.

Each check returns issues located at the key path a user has to change. They catch what a
schema cannot: references to undefined names, years that contradict each other, and units
that were most likely mixed up (kWh for MWh, g/kWh for t/MWh, percent for fraction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from plant import plausibility
from plant.accounting import counted_scopes, deliverable, removal_share, sbti, site_market
from plant.energy import demand_spec
from plant.errors import KeyPath, PlanIssue, PlanWarning
from plant.profiles.csvio import check_csv_profiles
from plant.schema import (
    SOFC,
    Certificate,
    FuelBoiler,
    HeatPump,
    Plan,
    PowerPurchaseAgreement,
    SolarPV,
    VehicleToBuilding,
    WindTurbine,
    WorkplaceEVLever,
)

if TYPE_CHECKING:
    from plant.loaded import LoadedPlan

Found = Iterator[tuple[KeyPath, str]]

#: Below this import price per MWh the number is almost surely per kWh (by currency).
_MIN_PLAUSIBLE_POWER_PRICE = {"JPY": 1000.0, "KRW": 10000.0, "INR": 500.0, "CNY": 50.0}
_DEFAULT_MIN_POWER_PRICE = 5.0


def _references(plan: Plan) -> Found:
    techs, fuels, heat = set(plan.technologies), set(plan.fuels), set(plan.heat_classes())
    for name, asset in plan.existing_assets.items():
        if asset.technology not in techs:
            yield (("existing_assets", name, "technology"),
                   f"technology {asset.technology!r} is not defined under technologies"
                   + _suggest(asset.technology, techs))
        elif asset.efficiency is not None and not isinstance(
                plan.technologies[asset.technology], FuelBoiler):
            yield (("existing_assets", name, "efficiency"),
                   f"an asset's own efficiency is for fuel-fired boilers and furnaces "
                   f"(fuel_boiler); {asset.technology!r} is a "
                   f"{plan.technologies[asset.technology].kind}")
    for name, tech in plan.technologies.items():
        for index, cls in enumerate(getattr(tech, "serves", [])):
            if cls not in heat:
                yield (("technologies", name, "serves", index),
                       f"heat class {cls!r} is not in demand.heat" + _suggest(cls, heat))
        for attr in ("heat_class",):
            cls = getattr(tech, attr, None)
            if cls is not None and cls not in heat:
                yield (("technologies", name, attr),
                       f"heat class {cls!r} is not in demand.heat" + _suggest(cls, heat))
        fuel_refs = tech.fuels if isinstance(tech, FuelBoiler) else (
            [tech.fuel] if isinstance(tech, SOFC) else [])
        for fuel in fuel_refs:
            if fuel not in fuels:
                key = ("fuels",) if isinstance(tech, FuelBoiler) else ("fuel",)
                yield (("technologies", name, *key),
                       f"fuel {fuel!r} is not defined under fuels" + _suggest(fuel, fuels))
        carrier = getattr(tech, "carrier", None)
        if carrier is not None and carrier not in plan.carriers():
            yield (("technologies", name, "carrier"),
                   f"carrier {carrier!r} is not electricity or a heat class in demand.heat")
    for name, tech in plan.technologies.items():
        if tech.replaced_by is None:
            continue
        other = plan.technologies.get(tech.replaced_by)
        if other is None:
            yield (("technologies", name, "replaced_by"),
                   f"technology {tech.replaced_by!r} is not defined under technologies"
                   + _suggest(tech.replaced_by, techs))
        elif other.kind != tech.kind:
            yield (("technologies", name, "replaced_by"),
                   f"{tech.replaced_by!r} is a {other.kind}, not a {tech.kind}: a like-for-like "
                   "replacement is of the same kind")
    for name, ppa in plan.ppas.items():
        follows = plan.technologies.get(ppa.technology)
        if follows is None:
            yield (("ppas", name, "technology"),
                   f"technology {ppa.technology!r} is not defined under technologies"
                   + _suggest(ppa.technology, techs))
        elif not isinstance(follows, SolarPV | WindTurbine):
            yield (("ppas", name, "technology"),
                   f"{ppa.technology!r} is a {follows.kind}; a PPA follows the hourly profile "
                   "of a solar_pv or wind technology")
    first = plan.years()[0]
    for name, ppa in plan.ppas.items():
        if ppa.optional and ppa.start_year < first:
            yield (("ppas", name, "start_year"),
                   f"an optional contract is one the site may still sign: it starts in or "
                   f"after the plan's first year {first}, not {ppa.start_year} (a contract "
                   "already signed is not optional)")
    for fuel in plan.baseline.fuels_mwh:
        if fuel not in fuels:
            yield (("baseline", "fuels_mwh", fuel),
                   f"fuel {fuel!r} is not defined under fuels" + _suggest(fuel, fuels))
    for index, pin in enumerate(plan.pins):
        if pin.technology not in techs:
            yield (("pins", index, "technology"),
                   f"technology {pin.technology!r} is not defined" + _suggest(pin.technology,
                                                                             techs))
        if pin.carrier not in plan.carriers():
            yield (("pins", index, "carrier"), f"unknown carrier {pin.carrier!r}")


def _names(data: dict[str, Any], section: str) -> set[str]:
    value = data.get(section)
    return {str(k) for k in value} if isinstance(value, dict) else set()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def raw_references(data: Any) -> Found:
    """The name references of a plan that failed the schema, checked on its raw data, so
    that one run reports both kinds of mistake (a typo in a field and a fuel that is not
    defined) instead of two waves. Only what can be read safely is checked."""
    data = _dict(data)
    techs, fuels = _names(data, "technologies"), _names(data, "fuels")
    heat = {str(k) for k in _dict(_dict(data.get("demand")).get("heat"))}
    for name, asset in _dict(data.get("existing_assets")).items():
        ref = _dict(asset).get("technology")
        if isinstance(ref, str) and ref not in techs:
            yield (("existing_assets", name, "technology"),
                   f"technology {ref!r} is not defined under technologies"
                   + _suggest(ref, techs))
    for name, raw in _dict(data.get("technologies")).items():
        tech = _dict(raw)
        listed = [f for f in _list(tech.get("fuels")) if isinstance(f, str)]
        single = [tech["fuel"]] if isinstance(tech.get("fuel"), str) else []
        for key, refs in (("fuels", listed), ("fuel", single)):
            for fuel in refs:
                if fuel not in fuels:
                    yield (("technologies", name, key),
                           f"fuel {fuel!r} is not defined under fuels" + _suggest(fuel, fuels))
        for index, cls in enumerate(_list(tech.get("serves"))):
            if isinstance(cls, str) and cls not in heat:
                yield (("technologies", name, "serves", index),
                       f"heat class {cls!r} is not in demand.heat" + _suggest(cls, heat))


def _suggest(name: str, options: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _workplace_evs(plan: Plan) -> Found:
    """Workplace-EV levers need the fleet; the fleet needs one car count per shift and its
    commute back within a shift (docs/workplace-ev.md)."""
    from plant.profiles.workplace_ev import parked_hours, unmanaged_kw_per_car

    fleet = plan.demand.workplace_evs
    levers = [n for n, t in plan.technologies.items() if isinstance(t, WorkplaceEVLever)]
    if fleet is None:
        for name in levers:
            yield (("technologies", name, "kind"),
                   f"a technology of kind {plan.technologies[name].kind} needs the employees' "
                   "cars: add demand.workplace_evs (docs/workplace-ev.md)")
        return
    shifts = plan.production.calendar.shifts_per_day
    if len(fleet.cars_per_shift) != shifts:
        yield (("demand", "workplace_evs", "cars_per_shift"),
               f"{len(fleet.cars_per_shift)} car counts for {shifts} shifts a day "
               "(production.calendar.shifts_per_day): give one per shift")
        return
    try:
        unmanaged_kw_per_car(fleet, len(parked_hours(plan.production.calendar, 0)))
    except ValueError as err:
        yield (("demand", "workplace_evs", "commute_km_per_day"), f"{err} (a shift)")
    v2b = [n for n in levers if isinstance(plan.technologies[n], VehicleToBuilding)]
    if v2b and any(t.matching == "hourly" for t in plan.accounting.clean_electricity_targets):
        yield (("technologies", v2b[0], "kind"),
               "vehicle-to-building with an hourly clean-electricity target is not modelled "
               "yet: the cars keep no clean ledger (docs/workplace-ev.md, \"Limits\")")


def _years(plan: Plan) -> Found:
    years = plan.years()
    base = plan.baseline.year
    for index, target in enumerate(plan.targets):
        if target.year <= base:
            yield (("targets", index, "year"),
                   f"target year {target.year} is not after the baseline year {base}")
        elif not years[0] <= target.year <= years[-1]:
            yield (("targets", index, "year"),
                   f"target year {target.year} is outside the planning years "
                   f"{years[0]}-{years[-1]} (finance.investment_years)")
        elif target.year not in years:
            yield (("targets", index, "year"),
                   f"target year {target.year} is not one of the investment years; add it to "
                   "finance.investment_years so the target can be checked")
    if plan.finance.base_year > years[0]:
        yield (("finance", "base_year"),
               f"base year {plan.finance.base_year} is after the first investment year "
               f"{years[0]}")
    if years[0] <= base:
        yield (("finance", "investment_years"),
               f"first investment year {years[0]} is not after the baseline year {base}")
    for name, asset in plan.existing_assets.items():
        if asset.build_year > years[0]:
            yield (("existing_assets", name, "build_year"),
                   f"build year {asset.build_year} is after the first planning year {years[0]}; "
                   "plan it as a pin instead")
    for name, tech in plan.technologies.items():
        if isinstance(tech, HeatPump):
            for index, cls in enumerate(tech.serves):
                heat = plan.demand.heat.get(cls)
                if heat and heat.temperature_c > tech.max_supply_temperature_c:
                    yield (("technologies", name, "serves", index),
                           f"{cls} needs {heat.temperature_c:g} °C but this heat pump reaches "
                           f"only {tech.max_supply_temperature_c:g} °C")


def _units(plan: Plan) -> Found:
    floor = _MIN_PLAUSIBLE_POWER_PRICE.get(plan.site.currency, _DEFAULT_MIN_POWER_PRICE)
    price = plan.grid.import_price_per_mwh
    if 0 < min(price.values()) < floor and plan.grid.currency in (None, plan.site.currency):
        yield (("grid", "import_price_per_mwh"),
               f"{min(price.values()):g} {plan.site.currency}/MWh is implausibly low for "
               "electricity: is it per kWh? (multiply by 1000)")
    ci = plan.grid.carbon_intensity_t_per_mwh
    if max(ci.values()) > 1.5:
        yield (("grid", "carbon_intensity_t_per_mwh"),
               f"{max(ci.values()):g} t/MWh is above any real grid (coal is about 1.0): "
               "t/MWh equals kg/kWh; g/kWh must be divided by 1000")
    for name, fuel in plan.fuels.items():
        for field in ("combustion_fossil_t_per_mwh", "combustion_biogenic_t_per_mwh",
                      "upstream_t_per_mwh"):
            value = max(getattr(fuel, field).values())
            if value > 0.5:
                yield (("fuels", name, field),
                       f"{value:g} t/MWh is above any fuel (coal is about 0.34): is it in "
                       "kg/MWh or g/kWh? t/MWh equals kg/kWh")
    for name, tech in plan.technologies.items():
        if isinstance(tech, SolarPV) and tech.specific_yield_kwh_per_kwp > 2500:
            yield (("technologies", name, "specific_yield_kwh_per_kwp"),
                   f"{tech.specific_yield_kwh_per_kwp:g} kWh/kWp a year exceeds the best "
                   "deserts (about 2,300): is it per MWp or in Wh?")
    for name, asset in plan.existing_assets.items():
        of = plan.technologies.get(asset.technology)
        if of is not None and of.energy_unit is not None and asset.energy_mwh is None:
            yield (("existing_assets", name, "energy_mwh"),
                   "storage assets need energy_mwh (their energy capacity)")


def _accounting(plan: Plan) -> Found:
    """SBTi v2 mode: the removal ramp needs removal credits to buy; scope 2 by a low-carbon
    share needs clean-electricity targets (docs/accounting.md)."""
    yield from _scope2_basis(plan)
    if not sbti(plan):
        return
    ramp = [y for y in plan.years() if removal_share(plan, y) is not None]
    removals = [n for n, c in plan.carbon_credits.items()
                if c.kind == "removal" and c.counts_toward_target]
    if ramp and not removals:
        yield (("accounting", "target_mode"),
               f"SBTi v2 asks for removal credits from {ramp[0]} (1 % of ongoing emissions "
               "from 2035, rising to 100 % at the net-zero year), but the plan offers none: "
               "add a carbon_credits entry with kind: removal, or use target_mode: company")


def _scope2_basis(plan: Plan) -> Found:
    """``sbti_scope2: low_carbon_share`` only in SBTi mode, with clean-electricity targets,
    and no emission target left counting nothing."""
    acc = plan.accounting
    if acc.sbti_scope2 != "low_carbon_share":
        return
    if not sbti(plan):
        yield (("accounting", "sbti_scope2"),
               "sbti_scope2 applies to target_mode: sbti_v2 only; set target_mode: sbti_v2, or "
               "leave sbti_scope2 out")
        return
    if not acc.clean_electricity_targets:
        yield (("accounting", "clean_electricity_targets"),
               "sbti_scope2: low_carbon_share sets scope 2 as a low-carbon-electricity share: "
               "give clean_electricity_targets (e.g. {year: 2030, share: 0.75})")
    for k, target in enumerate(plan.targets):
        if all(s.startswith("scope2") for s in target.scopes):
            yield (("targets", k, "scopes"),
                   f"target {target.name!r} counts only scope 2, which sbti_scope2: "
                   "low_carbon_share leaves to clean_electricity_targets: remove the target or "
                   "add the other scopes")


CHECKS: tuple[Callable[[Plan], Found], ...] = (
    _references, _years, _units, _accounting, _workplace_evs, *plausibility.CHECKS)


def check_plan(loaded: LoadedPlan, *, check_files: bool = True) -> list[PlanIssue]:
    """Run every semantic check; return the issues with file and line attached."""
    issues = []
    for check in CHECKS:
        for path, message in check(loaded.plan):
            file, line = loaded.where(path)
            issues.append(PlanIssue(file, line, path, message))
    if check_files and not issues:
        issues.extend(check_csv_profiles(loaded))
    return issues


Warned = Iterator[tuple[str, KeyPath, str]]


def _residual_mix(plan: Plan) -> Warned:
    """W201: market-based scope 2 counted without a residual-mix factor."""
    market = [t.name for t in plan.targets if "scope2_market" in counted_scopes(plan, t)]
    if market and plan.grid.residual_mix_t_per_mwh is None:
        yield ("W201", ("grid", "residual_mix_t_per_mwh"),
               f"target(s) {', '.join(repr(n) for n in market)} count market-based scope 2 but "
               "no residual mix is given, so uncertified grid power counts at the location-based "
               "average, which understates it (GHG Protocol scope 2 guidance: the residual mix "
               "excludes claimed renewable power); give grid.residual_mix_t_per_mwh")


#: Energy a car plant uses per vehicle, all carriers [MWh]: about 1-3 (docs/site-data.md);
#: outside this band a unit slip (kWh for MWh, vehicles ×1000) is likelier than the plant.
ENERGY_PER_VEHICLE_MWH = (0.3, 10.0)
#: Largest output of one car plant [vehicles/yr] (the largest make about 1 million).
MAX_VEHICLES = 3_000_000
#: Baseline and demand figures for the same year that differ by more than this [fraction].
SAME_YEAR_TOLERANCE = 0.25
#: Best efficiency of a fuel boiler [useful heat / fuel]: heat above the baseline's fuel at
#: this efficiency (plus all its electricity) cannot have been delivered.
BEST_BOILER_EFFICIENCY = 0.95
#: A real discount rate above this is unusual for a factory's energy investments [fraction].
HIGH_DISCOUNT_RATE = 0.2


def _undeliverable(plan: Plan) -> Warned:
    """W202: certificates from another market, not marked legacy: they count toward nothing."""
    sections: list[tuple[str, str, Certificate | PowerPurchaseAgreement]] = [
        ("certificates", n, c) for n, c in plan.certificates.items() if c.counts_toward_target]
    sections += [("ppas", n, p) for n, p in plan.ppas.items() if p.kind == "virtual"]
    for section, name, item in sections:
        if not deliverable(plan, item):
            yield ("W202", (section, name, "market_boundary"),
                   f"certificates from {item.market_boundary}, but the site draws from "
                   f"{site_market(plan)}: not deliverable, so they count toward nothing "
                   "(docs/accounting.md); mark an existing contract legacy: true, or set "
                   "site.market_boundary")


def _annual_under_hourly(plan: Plan) -> Warned:
    """W203: annual certificates offered while market-based scope 2 is matched hourly."""
    if plan.accounting.scope2_matching != "hourly":
        return
    for name, cert in plan.certificates.items():
        if cert.granularity == "annual" and cert.counts_toward_target:
            yield ("W203", ("certificates", name, "granularity"),
                   "annual certificates count toward nothing in market-based scope 2 when "
                   "accounting.scope2_matching is hourly, only toward annual clean-electricity "
                   "targets (docs/accounting.md, \"Contractual instruments\"); give hourly "
                   "certificates (granularity: hourly) or match annually")


def _energy_per_vehicle(plan: Plan) -> Warned:
    """W101: all energy per vehicle outside the car-plant band (a kWh/MWh or ×1000 slip)."""
    year = plan.demand.reference_year
    vehicles = plan.production.vehicles_per_year.at(year)
    energy = plan.demand.electricity.annual_mwh + sum(h.annual_mwh for h in
                                                      plan.demand.heat.values())
    if vehicles <= 0 or energy <= 0:
        return
    per = energy / vehicles
    low, high = ENERGY_PER_VEHICLE_MWH
    if per > high:
        yield ("W101", ("demand", "electricity", "annual_mwh"),
               f"{per:,.3g} MWh of energy per vehicle in {year} ({energy:,.0f} MWh for "
               f"{vehicles:,.0f} vehicles); car plants use about 1-3: is demand in kWh "
               "(1000× too high), or production.vehicles_per_year 1000× too low?")
    elif per < low:
        yield ("W101", ("demand", "electricity", "annual_mwh"),
               f"{per:,.3g} MWh of energy per vehicle in {year} ({energy:,.0f} MWh for "
               f"{vehicles:,.0f} vehicles); car plants use about 1-3: is demand in GWh "
               "(1000× too low), or production.vehicles_per_year 1000× too high?")


def _vehicles(plan: Plan) -> Warned:
    """W104: production off by a factor of 1000 (against the baseline, or beyond any plant)."""
    base = plan.baseline.vehicles
    for year in plan.years()[:1] + [plan.demand.reference_year]:
        v = plan.production.vehicles_per_year.at(year)
        if v > MAX_VEHICLES:
            yield ("W104", ("production", "vehicles_per_year"),
                   f"{v:,.0f} vehicles a year in {year}: more than any car plant makes "
                   f"(the largest, about 1 million); a unit slip?")
            return
        if v > 0 and not base / 20 <= v <= base * 20:
            yield ("W104", ("production", "vehicles_per_year"),
                   f"{v:,.0f} vehicles a year in {year} against {base:,.0f} in the baseline "
                   f"year: off by a factor of {max(v / base, base / v):,.0f}; is one of them "
                   "in thousands?")
            return


def _baseline_vs_demand(plan: Plan) -> Warned:
    """W102/W103: baseline and demand for the same year that disagree; more heat than the
    baseline's fuel and electricity can have delivered."""
    b, d = plan.baseline, plan.demand
    if b.year != d.reference_year:
        return
    elec = d.electricity.annual_mwh
    if max(elec, b.electricity_mwh) > 0 and abs(elec - b.electricity_mwh) > (
            SAME_YEAR_TOLERANCE * max(elec, b.electricity_mwh)):
        yield ("W102", ("baseline", "electricity_mwh"),
               f"baseline electricity {b.electricity_mwh:,.0f} MWh and demand "
               f"{elec:,.0f} MWh are both for {b.year} but differ by "
               f"{abs(elec - b.electricity_mwh) / max(elec, b.electricity_mwh):.0%}: the "
               "baseline sets the targets' starting emissions, the demand what the plant "
               "needs each year; one of them is probably wrong")
    heat = sum(h.annual_mwh for h in d.heat.values())
    fuel = sum(b.fuels_mwh.values())
    if b.fuels_mwh and heat > fuel * BEST_BOILER_EFFICIENCY + b.electricity_mwh:
        yield ("W103", ("demand", "heat"),
               f"{heat:,.0f} MWh of useful heat in {b.year}, but the baseline's "
               f"{fuel:,.0f} MWh of fuel at {BEST_BOILER_EFFICIENCY:.0%} (and all its "
               "electricity) could deliver at most "
               f"{fuel * BEST_BOILER_EFFICIENCY + b.electricity_mwh:,.0f}: is heat given as "
               "fuel input, or in kWh?")


def _capacity_limits(plan: Plan) -> Warned:
    """W105: a build limit beyond any factory site of its kind (kW written as MW)."""
    for name, tech in plan.technologies.items():
        limit = tech.max_capacity_mw
        if limit is not None and limit > tech.plausible_max_mw:
            yield ("W105", ("technologies", name, "max_capacity_mw"),
                   f"{limit:,.0f} MW is more {tech.kind_label or tech.kind} than any factory "
                   f"site holds (about {tech.plausible_max_mw:,.0f} MW at most): is it in kW?")


def _degree_hours(plan: Plan) -> Warned:
    """W108: a heating (``weather_share``) or cooling share whose synthetic climate seldom or
    never passes its base temperature: the share would fall on a few hours or, with none, be
    spread evenly over the year. The reach of the climate is T_mean ± (A_seasonal + A_diurnal
    + 2σ_noise) [°C]; a temperature profile from CSV is not checked."""
    if "temperature" in plan.profiles.csv:
        return
    c = plan.climate
    reach = c.seasonal_amplitude_c + c.diurnal_amplitude_c + 2.0 * c.weather_noise_c
    warmest, coldest = c.mean_temperature_c + reach, c.mean_temperature_c - reach
    for carrier in plan.carriers():
        spec = demand_spec(plan, carrier)
        path = ("demand", carrier) if carrier == "electricity" else ("demand", "heat", carrier)
        if spec.cooling_share > 0 and warmest <= c.cooling_base_temperature_c:
            yield ("W108", (*path, "cooling_share"),
                   f"cooling_share {spec.cooling_share:g} follows the air above "
                   f"climate.cooling_base_temperature_c ({c.cooling_base_temperature_c:g} °C), "
                   f"but this climate's warmest hours reach about {warmest:.1f} °C: the share "
                   "falls on a few hours or, with none, is spread evenly over the year; lower "
                   "the base or move the share to constant_share")
        if spec.weather_share > 0 and coldest >= c.heating_base_temperature_c:
            yield ("W108", (*path, "weather_share"),
                   f"weather_share {spec.weather_share:g} follows the air below "
                   f"climate.heating_base_temperature_c ({c.heating_base_temperature_c:g} °C), "
                   f"but this climate's coldest hours reach only about {coldest:.1f} °C: the "
                   "share falls on a few hours or, with none, is spread evenly over the year; "
                   "raise the base or move the share to constant_share")


#: US dollars per unit of a site currency, to an order of magnitude only (late 2026): used
#: to compare money with the bounds of W107 and W109-W116 (plant/plausibility.py) and for no
#: number of the plan.
ROUGH_USD_PER_UNIT = {
    "USD": 1.0, "EUR": 1.1, "GBP": 1.3, "CHF": 1.15, "JPY": 0.0068, "CNY": 0.14,
    "KRW": 0.00072, "INR": 0.012, "SEK": 0.095, "NOK": 0.092, "DKK": 0.15, "PLN": 0.26,
    "CZK": 0.044, "HUF": 0.0028, "CAD": 0.72, "AUD": 0.65, "MXN": 0.055, "BRL": 0.18,
    "THB": 0.029, "ZAR": 0.055, "TRY": 0.025,
}


def _capex(plan: Plan) -> Warned:
    """W107: capex per kW (or kWh) beyond any product of its kind (a cost per MW or MWh
    written where per kW or kWh is meant)."""
    usd = ROUGH_USD_PER_UNIT.get(plan.site.currency)
    if usd is None:
        return
    years, cur = plan.years(), plan.site.currency
    for name, tech in plan.technologies.items():
        for field, unit, bound in (
                ("capex_per_kw", "kW", tech.plausible_max_capex_usd_per_kw),
                ("capex_per_kwh", "kWh", getattr(tech, "plausible_max_capex_usd_per_kwh",
                                                 None))):
            value = getattr(tech, field, None)
            if bound is None or value is None:
                continue
            cost, year = max((value.at(y), y) for y in years)
            if cost * usd > bound:
                yield ("W107", ("technologies", name, field),
                       f"{cost:,.0f} {cur} per {unit} in {year} is far above what any "
                       f"{tech.kind_label or tech.kind} costs (this check allows up to about "
                       f"{bound / usd:,.0f}, 5-10× the dearest published): is it per "
                       f"M{unit[1:]} (1000× too high)?")


def _discount_rate(plan: Plan) -> Warned:
    """W106: a discount rate that looks like a percentage or a nominal rate."""
    rate = plan.finance.discount_rate
    if rate > HIGH_DISCOUNT_RATE:
        yield ("W106", ("finance", "discount_rate"),
               f"a real discount rate of {rate:.0%} is unusual for energy investments "
               "(3-10 %); it is a fraction (0.07 for 7 %), real, not nominal")


WARNINGS: tuple[Callable[[Plan], Warned], ...] = (
    _residual_mix, _undeliverable, _annual_under_hourly, _energy_per_vehicle, _vehicles,
    _baseline_vs_demand, _capacity_limits, _capex, _discount_rate, _degree_hours,
    *plausibility.WARNINGS)  # W105 (existing assets), W107, W109-W119 (plant/plausibility.py)


def plan_warnings(loaded: LoadedPlan) -> list[PlanWarning]:
    """Inputs that are valid but probably wrong, each with a stable code."""
    out = []
    meant = set(loaded.plan.acknowledge)
    for check in WARNINGS:
        for code, path, message in check(loaded.plan):
            if code in meant:
                continue
            file, line = loaded.where(path)
            out.append(PlanWarning(file, line, path, message, code=code))
    return out
