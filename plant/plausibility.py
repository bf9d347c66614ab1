"""Plausibility of the numbers a hurried engineer slips on (issue #29).

Each money and quantity field is checked at both ends against what any real plant, fuel or
tariff of its kind has: far outside, a unit slip (per W for per kW, per kWh for per MWh, per
kW-year for per kW-month, km² for m², percent for a fraction) is likelier than the plant. The
coordinates are checked against the time zone and the country. Money is compared in US dollars
through :data:`plant.checks.ROUGH_USD_PER_UNIT`, after the loader has brought it to the site
currency and price year (a currency not listed is not checked); a value of 0 means "none" and is
not checked. Bounds per technology kind are metadata of the schema classes (``plausible_*``),
those of markets are below; each is justified where it is set and in docs/plans.md
("Warnings"). :data:`WARNINGS` carry stable codes; :data:`CHECKS` are errors.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from plant.errors import KeyPath
from plant.schema import FuelBoiler, Plan, SiteInfo, SolarPV, Technology, WindTurbine
from plant.trajectory import Trajectory

Found = Iterator[tuple[KeyPath, str]]
Warned = Iterator[tuple[str, KeyPath, str]]


@dataclass(frozen=True)
class Band:
    """What a money field plausibly holds [USD per ``unit``] and the likely slip either side."""

    code: str
    low: float
    high: float
    unit: str
    """What the value is per, as written after the currency ("per MWh")."""
    what: str
    """What it is compared with, after "far below" ("any fuel price")."""
    too_low: str
    too_high: str = ""
    high_code: str = ""
    """Code of the high end if not ``code``."""


#: Delivered fuel [USD/MWh]: the cheapest (coal; US gas at its 2020 low, about 6) to the
#: dearest (hydrogen at 10 USD/kg is about 300, e-fuels 300-500).
FUEL_PRICE = Band("W112", 1.0, 1_000.0, "per MWh", "any fuel price",
                  "is it per kWh? (multiply by 1000)", "is it per GWh, or in another currency?")
#: Electricity bought or sold [USD/MWh] (grid, PPAs): all-in industrial prices are about
#: 40-400, wholesale, export and PPA prices 20-150 (docs/site-data.md, "Prices").
POWER_PRICE = Band("W113", 1.0, 2_000.0, "per MWh", "any electricity price",
                   "is it per kWh? (multiply by 1000)", "is it per GWh, or in another currency?")
#: Energy attribute certificates [USD/MWh]: guarantees of origin 0.1-10, REGOs up to about 25
#: (GBP, 2023), Japan's non-fossil 3-9, US solar RECs up to about 400.
CERTIFICATE_PRICE = Band("W114", 0.02, 1_000.0, "per MWh", "any certificate price",
                         "is it per kWh? (multiply by 1000)",
                         "is it per GWh, or in another currency?")
#: Carbon credits [USD/t]: generic avoidance from about 0.9, engineered removals (DAC) about
#: 300-1,000 (docs/site-data.md, "Carbon").
CREDIT_PRICE = Band("W115", 0.2, 5_000.0, "per t", "any carbon credit price",
                    "is it per kg? (multiply by 1000)", "is it per kt, or in another currency?")
#: Carbon prices and taxes [USD/t]: a few (Japan's tax, about 2) to about 850 (France's 2050
#: shadow value, 775 EUR2018/t).
CARBON_PRICE = Band("W115", 0.5, 2_000.0, "per t", "any carbon price",
                    "is it per kg? (multiply by 1000)", "is it per kt, or in another currency?")
#: Demand charges [USD/kW-month]: US 5-30 (up to about 50 in California), Japan's basic
#: charge 10-18 (1,500-2,600 JPY), UK capacity charges 1-5.
DEMAND_CHARGE = Band("W116", 0.1, 60.0, "per kW-month", "any demand charge",
                     "is it per W, or per kW and day?", "is it per kW and year? (divide by 12)")
#: Largest residual mix [t/MWh] (the same bound as the location-based factor's in
#: :func:`plant.checks._units`): coal-heavy grids' residual mixes are about 1.0.
MAX_GRID_FACTOR = 1.5
#: Most useful heat per unit of fuel of a fuel-fired device (gas absorption heat pumps about
#: 1.5-1.7, condensing boilers 1.05): above it, the efficiency is in percent.
MAX_HEAT_PER_FUEL = 3.0
#: Hours a site's standard time may differ from its solar time (longitude / 15): western China
#: keeps UTC+8 at about UTC+5 solar (2.9 h); beyond this a longitude's sign or the zone is wrong.
MAX_ZONE_SOLAR_GAP_H = 3.5
#: Distance [km] from the site to the nearest place its country has in the tz database
#: (zone.tab): China's north-east is about 2,500 km from Shanghai, Japan's Ishigaki 2,000 km from
#: Tokyo; farther, the coordinates are not in that country.
MAX_COUNTRY_DISTANCE_KM = 3_000.0
EARTH_RADIUS_KM = 6_371.0


def _usd(plan: Plan) -> float | None:
    """US dollars per unit of the site currency, roughly (None: not listed, not checked)."""
    from plant.checks import ROUGH_USD_PER_UNIT  # plant.checks imports this module

    return ROUGH_USD_PER_UNIT.get(plan.site.currency)


def _num(value: float) -> str:
    """A number for a message: ``1,200``, ``1.2``, ``0.0012``."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _technology_bands(tech: Technology) -> Iterator[tuple[str, Band]]:
    """(field, band) of a technology's money fields, from its kind's ``plausible_*``."""
    label = tech.kind_label or tech.kind
    costs = f"what any {label} costs"
    if tech.plausible_min_capex_usd_per_kw is not None:
        yield "capex_per_kw", Band("W109", tech.plausible_min_capex_usd_per_kw, math.inf,
                                   "per kW", costs, "is it per W? (multiply by 1000)")
    per_kwh = getattr(tech, "plausible_min_capex_usd_per_kwh", None)
    if per_kwh is not None:
        yield "capex_per_kwh", Band("W109", per_kwh, math.inf, "per kWh", costs,
                                    "is it per Wh? (multiply by 1000)")
    saved = getattr(tech, "plausible_capex_usd_per_mwh_saved_per_year", None)
    if saved is not None:
        yield "capex_per_mwh_saved_per_year", Band(
            "W109", saved[0], saved[1], "per MWh a year saved", costs,
            "is it per kWh a year saved? (multiply by 1000)",
            "is it the measure's whole cost, or per GWh a year saved?", high_code="W107")
    low, high = tech.plausible_fixed_om_usd_per_kw_year
    yield "fixed_om_per_kw_year", Band("W110", low, high, "per kW-year",
                                       f"any {label}'s fixed O&M",
                                       "is it per W? (multiply by 1000)",
                                       "is it per MW? (divide by 1000)")
    low, high = tech.plausible_variable_om_usd_per_mwh
    yield "variable_om_per_mwh", Band("W111", low, high, "per MWh",
                                      f"any {label}'s variable O&M",
                                      "is it per kWh? (multiply by 1000)",
                                      "is a fuel cost in it, or is it per GWh?")


def _priced(plan: Plan) -> Iterator[tuple[KeyPath, Trajectory, Band]]:
    """Every money value the plan gives, with its key path and band."""
    for name, tech in plan.technologies.items():
        for field, band in _technology_bands(tech):
            yield ("technologies", name, field), getattr(tech, field), band
    for name, fuel in plan.fuels.items():
        yield ("fuels", name, "price_per_mwh"), fuel.price_per_mwh, FUEL_PRICE
    for field in ("import_price_per_mwh", "export_price_per_mwh"):
        yield ("grid", field), getattr(plan.grid, field), POWER_PRICE
    for name, ppa in plan.ppas.items():
        yield ("ppas", name, "price_per_mwh"), ppa.price_per_mwh, POWER_PRICE
        if ppa.market_price_per_mwh is not None:
            yield ("ppas", name, "market_price_per_mwh"), ppa.market_price_per_mwh, POWER_PRICE
    for name, cert in plan.certificates.items():
        yield ("certificates", name, "price_per_mwh"), cert.price_per_mwh, CERTIFICATE_PRICE
    for name, credit in plan.carbon_credits.items():
        yield ("carbon_credits", name, "price_per_t"), credit.price_per_t, CREDIT_PRICE
    if plan.carbon_price is not None:
        yield ("carbon_price", "price_per_t"), plan.carbon_price.price_per_t, CARBON_PRICE
    for name, charge in plan.demand_charges.items():
        yield ("demand_charges", name, "price_per_kw_month"), charge.price_per_kw_month, (
            DEMAND_CHARGE)


def _money(plan: Plan) -> Warned:
    """W107 (efficiency measures), W109-W116: a money value outside its band in a plan year."""
    usd = _usd(plan)
    if usd is None:
        return
    cur, years = plan.site.currency, plan.years()
    for path, value, band in _priced(plan):
        values = [(value.at(y), y) for y in years]
        high, year = max(values)
        if high * usd > band.high:
            yield (band.high_code or band.code, path,
                   f"{_num(high)} {cur} {band.unit} in {year} is far above {band.what} (this "
                   f"check allows up to about {_num(band.high / usd)}): {band.too_high}")
        positive = [(v, y) for v, y in values if v > 0]
        low, year = min(positive) if positive else (0.0, years[0])
        if 0 < low * usd < band.low:
            yield (band.code, path,
                   f"{_num(low)} {cur} {band.unit} in {year} is far below {band.what} (this "
                   f"check allows from about {_num(band.low / usd)}): {band.too_low}")


def _solar_area(plan: Plan) -> Warned:
    """W117: PV area per kW, or the area available, in another unit than m²."""
    for name, tech in plan.technologies.items():
        if not isinstance(tech, SolarPV):
            continue
        low, high = tech.plausible_area_m2_per_kw
        per = tech.area_m2_per_kw
        if not low <= per <= high:
            yield ("W117", ("technologies", name, "area_m2_per_kw"),
                   f"{per:g} m² per kW is outside what PV takes (about {low:g}-{high:g}: the "
                   "modules alone about 5 at 20 % efficiency, ground mounts with row spacing "
                   "up to about 25): is it per MW or per W?")
        area = tech.max_area_m2
        if area is None or area == 0:
            continue
        if area < tech.plausible_min_area_m2:
            yield ("W117", ("technologies", name, "max_area_m2"),
                   f"{area:g} m² holds only {area / per:.2g} kW of PV: is it in km² "
                   "(×1,000,000) or hectares (×10,000)? max_area_m2 is in m²")
        elif area / per / 1000 > tech.plausible_max_mw:
            yield ("W117", ("technologies", name, "max_area_m2"),
                   f"{area:,.0f} m² would hold {area / per / 1000:,.0f} MW of PV, more than any "
                   f"factory site (about {tech.plausible_max_mw:,.0f} MW at most): is it in "
                   "another unit than m²?")


def _performance(plan: Plan) -> Warned:
    """W118: a yield, capacity factor, degradation or efficiency in another unit."""
    for name, tech in plan.technologies.items():
        path: KeyPath = ("technologies", name)
        if isinstance(tech, SolarPV):
            yield from _solar_performance(path, tech)
        elif isinstance(tech, WindTurbine):
            low, high = tech.plausible_capacity_factor
            cf = tech.capacity_factor
            if 0 < cf < low:
                yield ("W118", (*path, "capacity_factor"),
                       f"a capacity factor of {cf:g} is below any wind turbine's (about "
                       "0.15-0.5): it is a fraction, 0.3 for 30 %")
            elif cf > high:
                yield ("W118", (*path, "capacity_factor"),
                       f"a capacity factor of {cf:g} is above any onshore wind turbine's (the "
                       "best sites reach about 0.5): is it the availability, or the share of "
                       "hours turning?")
        elif isinstance(tech, FuelBoiler):
            best, year = max((tech.efficiency.at(y), y) for y in plan.years())
            if best > MAX_HEAT_PER_FUEL:
                yield ("W118", (*path, "efficiency"),
                       f"an efficiency of {best:g} in {year} is more useful heat per unit of "
                       f"fuel than any fuel-fired device delivers (a gas absorption heat pump "
                       f"about 1.6): is it in percent? (0.9 for 90 %)")


def _solar_performance(path: KeyPath, tech: SolarPV) -> Warned:
    """W118 for PV: a yield below the darkest sites, a degradation in percent."""
    yield_ = tech.specific_yield_kwh_per_kwp
    if yield_ < tech.plausible_min_yield_kwh_per_kwp:
        yield ("W118", (*path, "specific_yield_kwh_per_kwp"),
               f"{yield_:g} kWh/kWp a year is below the darkest sites (about 700 in northern "
               "Europe): is it in MWh/kWp, a capacity factor, or one month's yield?")
    rate = tech.degradation_per_year
    if rate > tech.plausible_max_degradation_per_year:
        yield ("W118", (*path, "degradation_per_year"),
               f"degradation_per_year {rate:g} loses {rate:.0%} of the yield each year (panels "
               "lose about 0.3-1 %): it is a fraction, 0.005 for 0.5 %")


#: Embodied emissions above these are kg written as t (W120): the most carbon-intensive
#: equipment the catalogue knows is c-Si PV at ~0.8-1.8 t CO2e per kW (1,800 t/MW) and Li-ion
#: at 0.06-0.2 t per kWh (200 t/MWh; docs/data-sources.md, "Embodied emissions").
MAX_EMBODIED_T_PER_MW = 20_000.0
MAX_EMBODIED_T_PER_MWH = 2_000.0


def _embodied(plan: Plan) -> Warned:
    """W120: embodied emissions per MW or per MWh that are kg written as tonnes."""
    for name, tech in plan.technologies.items():
        for field, most in (("embodied_t_co2e_per_mw", MAX_EMBODIED_T_PER_MW),
                            ("embodied_t_co2e_per_mwh", MAX_EMBODIED_T_PER_MWH)):
            trajectory = getattr(tech, field, None)
            if trajectory is None:
                continue
            value, year = max((trajectory.at(y), y) for y in plan.years())
            if value > most:
                unit = field.rsplit("_per_", 1)[1].upper().replace("MWH", "MWh")
                yield ("W120", ("technologies", name, field),
                       f"{value:,.0f} t CO2e per {unit} in {year} is more than making any "
                       f"such equipment emits (at most ~{most / 10:,.0f}): is it in kg? "
                       f"(kg per kW{'h' if unit == 'MWh' else ''} = t per {unit})")


def _existing_capacity(plan: Plan) -> Warned:
    """W105: an existing asset larger than any factory site holds of its kind (kW as MW)."""
    for name, asset in plan.existing_assets.items():
        tech = plan.technologies.get(asset.technology)
        if tech is None or tech.capacity_unit != "MW":
            continue
        if asset.capacity_mw > tech.plausible_max_mw:
            yield ("W105", ("existing_assets", name, "capacity_mw"),
                   f"{asset.capacity_mw:,.0f} MW is more {tech.kind_label or tech.kind} than "
                   f"any factory site holds (about {tech.plausible_max_mw:,.0f} MW at most): "
                   "is it in kW?")


def _wrap_hours(hours: float) -> float:
    """A time difference brought into -12 to 12 h."""
    return (hours + 12.0) % 24.0 - 12.0


def standard_offset_h(zone: str) -> float:
    """UTC offset of a time zone's standard (winter) time [h], on fixed dates of 2025."""
    tz = zoneinfo.ZoneInfo(zone)
    offsets = [datetime(2025, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7)]
    return min(o.total_seconds() for o in offsets if o is not None) / 3600.0


def _zone_gap(site: SiteInfo, longitude: float) -> float:
    """Hours between the site's standard time and its solar time at ``longitude``."""
    return _wrap_hours(standard_offset_h(site.timezone) - longitude / 15.0)


def _zone_tab() -> str:
    """The tz database's zone.tab, where zoneinfo finds its zones ("" if nowhere)."""
    for root in zoneinfo.TZPATH:
        path = Path(root, "zone.tab")
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        from importlib.resources import files

        return (files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return ""


_ISO6709 = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?([+-])(\d{3})(\d{2})(\d{2})?")


def _degrees(sign: str, deg: str, minutes: str, seconds: str | None) -> float:
    value = int(deg) + int(minutes) / 60.0 + int(seconds or 0) / 3600.0
    return -value if sign == "-" else value


@lru_cache(maxsize=1)
def zone_places() -> dict[str, tuple[tuple[float, float, str], ...]]:
    """(latitude, longitude, zone) of each country's time zones in zone.tab, by country."""
    places: dict[str, list[tuple[float, float, str]]] = {}
    for line in _zone_tab().splitlines():
        fields = line.split("\t")
        found = _ISO6709.fullmatch(fields[1]) if len(fields) >= 3 else None
        if line.startswith("#") or found is None:
            continue
        g = found.groups()
        places.setdefault(fields[0], []).append(
            (_degrees(*g[:4]), _degrees(*g[4:]), fields[2]))
    return {country: tuple(found) for country, found in places.items()}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance [km] (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _nearest(country: str, lat: float, lon: float) -> tuple[float, str] | None:
    """Distance [km] to the nearest tz place of ``country`` and its zone (None: unknown)."""
    places = zone_places().get(country)
    if not places:
        return None
    return min((distance_km(lat, lon, p_lat, p_lon), zone) for p_lat, p_lon, zone in places)


def _place(plan: Plan) -> Warned:
    """W119: coordinates that contradict the time zone, or lie outside the country."""
    site = plan.site
    gap = _zone_gap(site, site.longitude_deg)
    if abs(gap) > MAX_ZONE_SOLAR_GAP_H:
        yield _zone_warning(site, gap)
        return
    near = _nearest(site.country, site.latitude_deg, site.longitude_deg)
    if near is not None and near[0] > MAX_COUNTRY_DISTANCE_KM:
        yield _country_warning(site, *near)


def _zone_warning(site: SiteInfo, gap: float) -> tuple[str, KeyPath, str]:
    offset = standard_offset_h(site.timezone)
    said = (f"longitude {site.longitude_deg:g}° puts the site's solar noon {abs(gap):.1f} h "
            f"off its time zone {site.timezone} (UTC{offset:+g}), so the sun would peak near "
            f"{(12 + gap) % 24:.0f}:00 local time")
    if abs(_zone_gap(site, -site.longitude_deg)) <= MAX_ZONE_SOLAR_GAP_H:
        return ("W119", ("site", "longitude_deg"),
                f"{said}: is a minus sign missing ({-site.longitude_deg:g})? East is positive, "
                "west negative")
    return ("W119", ("site", "timezone"), f"{said}: check longitude_deg and timezone")


def _country_warning(site: SiteInfo, km: float, zone: str) -> tuple[str, KeyPath, str]:
    lat, lon = site.latitude_deg, site.longitude_deg
    said = (f"({lat:g}, {lon:g}) is {km:,.0f} km from the nearest place the time-zone "
            f"database has for {site.country} ({zone})")
    for key, flipped, rule in (("latitude_deg", (-lat, lon), "North is positive, south negative"),
                               ("longitude_deg", (lat, -lon), "East is positive, west negative")):
        near = _nearest(site.country, *flipped)
        if near is not None and near[0] <= MAX_COUNTRY_DISTANCE_KM:
            return ("W119", ("site", key),
                    f"{said}: is a minus sign missing or extra ({flipped[0]:g}, "
                    f"{flipped[1]:g} is {near[0]:,.0f} km)? {rule}")
    return ("W119", ("site", "country"), f"{said}: check latitude_deg, longitude_deg and country")


def _residual_mix_units(plan: Plan) -> Found:
    """The residual mix in g/kWh, as the location-based factor is checked."""
    mix = plan.grid.residual_mix_t_per_mwh
    if mix is not None and max(mix.values()) > MAX_GRID_FACTOR:
        yield (("grid", "residual_mix_t_per_mwh"),
               f"{max(mix.values()):g} t/MWh is above any real grid's residual mix (coal-heavy "
               "grids' are about 1.0): t/MWh equals kg/kWh; g/kWh must be divided by 1000")


#: Errors, run with :data:`plant.checks.CHECKS`.
CHECKS: tuple[Callable[[Plan], Found], ...] = (_residual_mix_units,)
#: Warnings, run with :data:`plant.checks.WARNINGS`.
WARNINGS: tuple[Callable[[Plan], Warned], ...] = (
    _money, _solar_area, _performance, _embodied, _existing_capacity, _place)
