"""Semantic checks across sections, after the structure has validated.

Each check returns issues located at the key path a user has to change. They catch what a
schema cannot: references to undefined names, years that contradict each other, and units
that were most likely mixed up (kWh for MWh, g/kWh for t/MWh, percent for fraction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from plant.errors import KeyPath, PlanIssue, PlanWarning
from plant.profiles.csvio import check_csv_profiles
from plant.schema import SOFC, FuelBoiler, HeatPump, Plan, SolarPV, WindTurbine

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


def _suggest(name: str, options: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


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


CHECKS: tuple[Callable[[Plan], Found], ...] = (_references, _years, _units)


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
    market = [t.name for t in plan.targets if "scope2_market" in t.scopes]
    if market and plan.grid.residual_mix_t_per_mwh is None:
        yield ("W201", ("grid", "residual_mix_t_per_mwh"),
               f"target(s) {', '.join(repr(n) for n in market)} count market-based scope 2 but "
               "no residual mix is given, so uncertified grid power counts at the location-based "
               "average, which understates it (GHG Protocol scope 2 guidance: the residual mix "
               "excludes claimed renewable power); give grid.residual_mix_t_per_mwh")


WARNINGS: tuple[Callable[[Plan], Warned], ...] = (_residual_mix,)


def plan_warnings(loaded: LoadedPlan) -> list[PlanWarning]:
    """Inputs that are valid but probably wrong, each with a stable code."""
    out = []
    for check in WARNINGS:
        for code, path, message in check(loaded.plan):
            file, line = loaded.where(path)
            out.append(PlanWarning(file, line, path, message, code=code))
    return out
