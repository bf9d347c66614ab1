"""A readable summary of a plan: energy by carrier, baseline, targets, assets, candidates."""

from __future__ import annotations

from typing import Any

import xarray as xr

from plant.accounting import target_intensity_limit, target_limit_t
from plant.currency import priced_items
from plant.energy import annual_demand_mwh
from plant.factors import baseline_emissions
from plant.schema import Plan, SolarPV, WindTurbine


def asset_generation_mwh(plan: Plan, profiles: xr.Dataset, name: str, year: int) -> float:
    """Annual output of an existing solar or wind asset in ``year`` [MWh] (0 once retired)."""
    asset = plan.existing_assets[name]
    tech = plan.technologies[asset.technology]
    life = asset.lifetime_years or tech.service_life_years
    if not asset.build_year <= year < asset.build_year + life:
        return 0.0
    if not isinstance(tech, SolarPV | WindTurbine):
        return 0.0
    cf = float(profiles["capacity_factor"].sel(tech=asset.technology).mean())
    derate = 1.0
    if isinstance(tech, SolarPV):
        derate = (1.0 - tech.degradation_per_year) ** max(year - asset.build_year, 0)
    return asset.capacity_mw * cf * 8760.0 * derate


def ppa_generation_mwh(plan: Plan, profiles: xr.Dataset, name: str, year: int) -> float:
    """Annual output of a PPA's plant available to the site in ``year`` [MWh] (0 outside the
    contract), aged from its build year like the owned plant of its technology."""
    ppa = plan.ppas[name]
    if not ppa.start_year <= year < ppa.start_year + ppa.term_years:
        return 0.0
    tech = plan.technologies[ppa.technology]
    cf = float(profiles["capacity_factor"].sel(tech=ppa.technology).mean())
    derate = 1.0
    if isinstance(tech, SolarPV):
        derate = (1.0 - tech.degradation_per_year) ** max(year - ppa.build_year, 0)
    return ppa.capacity_mw * cf * 8760.0 * derate


def plan_summary(plan: Plan, profiles: xr.Dataset | None = None) -> dict[str, Any]:
    """Key figures of a plan as plain data (for display and JSON)."""
    years = plan.years()
    ref = plan.demand.reference_year
    show_years = sorted({plan.baseline.year, ref, years[0], *(t.year for t in plan.targets)})
    energy = {c: {y: annual_demand_mwh(plan, c, y) for y in show_years} for c in plan.carriers()}
    base = baseline_emissions(plan)
    out: dict[str, Any] = {
        "site": plan.site.name,
        "country": plan.site.country,
        "currency": plan.site.currency,
        "years": years,
        "demand_mwh": energy,
        "vehicles": {y: plan.production.vehicles_per_year.at(y) for y in show_years},
        "baseline": {
            "year": plan.baseline.year,
            "vehicles": plan.baseline.vehicles,
            "emissions_t": vars(base),
            "intensity_t_per_vehicle": (base.scope1 + base.scope2_market) / plan.baseline.vehicles,
        },
        "targets": [
            {"name": t.name, "year": t.year, "basis": t.basis, "scopes": list(t.scopes),
             "reduction": t.reduction, "limit_t": target_limit_t(plan, t),
             "limit_t_per_vehicle": target_intensity_limit(plan, t),
             "max_credit_share": t.max_credit_share}
            for t in plan.targets
        ],
        "existing_assets": {},
        "candidates": {n: t.kind for n, t in plan.technologies.items()},
    }
    for name, asset in plan.existing_assets.items():
        tech = plan.technologies[asset.technology]
        life = asset.lifetime_years or tech.service_life_years
        entry: dict[str, Any] = {"technology": asset.technology, "kind": tech.kind,
                                 "capacity_mw": asset.capacity_mw, "build_year": asset.build_year,
                                 "retires": asset.build_year + life}
        if asset.energy_mwh is not None:
            entry["energy_mwh"] = asset.energy_mwh
        if profiles is not None:
            entry["generation_mwh"] = {y: asset_generation_mwh(plan, profiles, name, y)
                                       for y in show_years}
        out["existing_assets"][name] = entry
    out["money"] = money_by_year(plan)
    out["ppas"] = {name: {"technology": p.technology, "capacity_mw": p.capacity_mw,
                          "from": p.start_year, "to": p.start_year + p.term_years - 1}
                   for name, p in plan.ppas.items()}
    if profiles is not None:
        for name, entry in out["ppas"].items():
            entry["generation_mwh"] = {y: ppa_generation_mwh(plan, profiles, name, y)
                                       for y in show_years}
        out["onsite_renewable_share"] = {
            y: sum(a.get("generation_mwh", {}).get(y, 0.0)
                   for a in [*out["existing_assets"].values(), *out["ppas"].values()])
            / energy["electricity"][y]
            for y in show_years if energy["electricity"][y] > 0
        }
    return out


#: Units of money fields by name ending, for display (money in the site currency).
_PER = (("_per_kw_year", "/kW/yr"), ("_per_kw_month", "/kW/month"),
        ("_per_kw", "/kW"), ("_per_kwh", "/kWh"),
        ("_per_mwh_saved_per_year", "/(MWh/yr)"), ("_per_mwh", "/MWh"), ("_per_t", "/t"))


def _unit(field: str, currency: str) -> str:
    for end, unit in _PER:
        if field.endswith(end):
            return currency + unit
    return currency


def money_by_year(plan: Plan) -> dict[str, Any]:
    """Every money value of the plan, resolved (site currency, price year) at each investment
    year: what the loader made of the files, for checking before a solve.

    ``{"currency", "price_year", "years", "rows": [{"section", "item", "field", "unit",
    "values": {year: value}}]}``; fields that are zero in every year are left out.
    """
    years = plan.years()
    rows = []
    for path, item in priced_items(plan):
        for field in getattr(item, "money_fields", ()):
            traj = getattr(item, field)
            if traj is None:
                continue
            values = {y: traj.at(y) for y in years}
            if not any(values.values()):
                continue
            rows.append({"section": path[0], "item": path[-1], "field": field,
                         "unit": _unit(field, plan.site.currency), "values": values})
    return {"currency": plan.site.currency, "price_year": plan.finance.price_year,
            "years": years, "rows": rows}
