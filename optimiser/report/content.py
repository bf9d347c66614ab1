"""Numbers of the roadmap report, all computed from results.nc, summary.json and plan.json."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.economics import annuity_due_factor
from optimiser.inputs import plan_spans
from optimiser.report.levers import annual, lever_table
from plant.accounting import baseline_emissions
from plant.schema import SOFC, FuelBoiler, Plan

LEVER_TECH_KINDS = {
    "efficiency": ("efficiency",),
    "electrification": ("heat_pump", "electric_heater"),
    "on-site renewables": ("solar_pv", "wind", "battery"),
    "SOFC": ("sofc",),
}


def _year_cost_of(ds: xr.Dataset, plan: Plan, techs: list[str], year: int) -> float:
    """Yearly capital cost of the cohorts in service in ``year`` plus their fixed O&M
    [currency/yr], by the optimiser's conventions (docs/optimiser.md): each cohort costs the
    annuity-due capex/ä(L) for the (discount-weighted) share of the span it serves, fixed
    O&M at the span mean."""
    spans = plan_spans(plan)
    total = 0.0
    for t in techs:
        tech = plan.technologies[t]
        life = tech.lifetime_years
        annuity = 1.0 / annuity_due_factor(spans.rate, life)
        for b in ds["year"].values:
            share = spans.cohort_weight(int(b), life, year)
            total += float(ds["capex"].sel(tech=t, year=b)) * annuity * share
        cap = float(ds["capacity"].sel(tech=t, year=year))
        if tech.kind == "efficiency":
            continue
        total += cap * spans.mean(tech.fixed_om_per_kw_year, year) * 1000
    return total


def _heat_price(plan: Plan, year: int) -> float:
    """Cost of a MWh of useful heat from the cheapest fossil boiler fuel [currency/MWh]."""
    spans = plan_spans(plan)
    best = np.inf
    for tech in plan.technologies.values():
        if isinstance(tech, FuelBoiler):
            for f in tech.fuels:
                fuel = plan.fuels[f]
                if fuel.combustion_fossil_t_per_mwh.at(year) > 0.01:
                    price = spans.mean(fuel.price_per_mwh, year) / fuel.hhv_to_lhv
                    best = min(best, price / tech.efficiency.at(year))
    return 0.0 if best == np.inf else float(best)


def _fuel_price_lhv(plan: Plan, fuel_name: str, year: int) -> float:
    """Price of a MWh (LHV) of a fuel in ``year``'s span: HHV-priced fuels cost 1/(LHV/HHV)
    more per MWh LHV, as in the optimiser."""
    fuel = plan.fuels[fuel_name]
    return plan_spans(plan).mean(fuel.price_per_mwh, year) / fuel.hhv_to_lhv


def mac_rows(ds: xr.Dataset, plan: Plan, year: int, wedges: dict[str, float]) -> list[dict]:
    """Net cost per tonne of each lever in ``year`` (indicative; see the report's notes).

    Net cost = annualised capex + fixed O&M (+ fuel for SOFC) of the lever's technologies −
    the energy it saves or displaces, valued at the year's average grid import price (power)
    and at the cheapest fossil heat (heat).
    """
    y = ds.sel(year=year)
    grid_price = plan_spans(plan).mean(plan.grid.import_price_per_mwh, year)
    heat_price = _heat_price(plan, year)
    disp = annual(ds, y["dispatch"])
    cons = annual(ds, y["consumption"])
    by_kind: dict[str, list[str]] = {}
    for lever, kinds in LEVER_TECH_KINDS.items():
        by_kind[lever] = [t for t, tech in plan.technologies.items() if tech.kind in kinds]
    rows = []
    for lever, techs in by_kind.items():
        abated = wedges.get(lever, 0.0)
        if abated <= 1.0 or not techs:
            continue
        cost = _year_cost_of(ds, plan, techs, year)
        power = float(disp.sel(tech=techs, carrier="electricity").sum())
        heat = float(disp.sel(tech=techs).sum()) - power
        used = float(cons.sel(tech=techs, carrier="electricity").sum())
        if lever == "SOFC":
            for t in techs:
                tech = plan.technologies[t]
                if isinstance(tech, SOFC):
                    fuel = float(ds["fuel_purchase"].sel(fuel=tech.fuel, year=year))
                    cost += fuel * _fuel_price_lhv(plan, tech.fuel, year)
        cost -= (power - used) * grid_price + heat * heat_price
        rows.append({"lever": lever, "abatement_t": abated, "net_cost": cost,
                     "cost_per_t": cost / abated})
    cert = float(y["cost"].sel(cost_category="certificates"))
    if wedges.get("certificates", 0) > 1:
        rows.append({"lever": "certificates", "abatement_t": wedges["certificates"],
                     "net_cost": cert, "cost_per_t": cert / wedges["certificates"]})
    cred = float(y["cost"].sel(cost_category="credits"))
    if wedges.get("credits", 0) > 1:
        rows.append({"lever": "credits", "abatement_t": wedges["credits"], "net_cost": cred,
                     "cost_per_t": cred / wedges["credits"]})
    return rows


def top_decisions(ds: xr.Dataset, n: int = 3) -> list[str]:
    """The largest investments, phrased as decisions."""
    cur = ds.attrs["currency"]
    spend = ds["capex"].to_series()
    spend = spend[spend > 0].sort_values(ascending=False).head(n)
    out = []
    for (tech, year), value in spend.items():
        built = float(ds["build"].sel(tech=tech, year=year))
        if str(tech).startswith("efficiency"):
            what = f"efficiency measure {tech} saving {built * 8760:,.0f} MWh/yr"
        else:
            what = f"{built:,.1f} MW of {tech}"
        out.append(f"Build {what} in {year} ({value / 1e6:,.1f} M{cur})")
    return out


def sofc_stats(ds: xr.Dataset, plan: Plan) -> list[dict[str, Any]]:
    """Operating hours, fuel and cost per kWh of each SOFC in each year it runs."""
    rows = []
    for name, tech in plan.technologies.items():
        if not isinstance(tech, SOFC):
            continue
        for y in ds["year"].values:
            cap = float(ds["capacity"].sel(tech=name, year=y))
            if cap < 1e-6:
                continue
            power = float(annual(ds, ds["dispatch"].sel(tech=name, carrier="electricity",
                                                        year=y)))
            heat = float(annual(ds, ds["dispatch"].sel(tech=name, year=y)).sum()) - power
            fuel_price = _fuel_price_lhv(plan, tech.fuel, int(y))
            fuel = float(ds["fuel_purchase"].sel(fuel=tech.fuel, year=y))
            fixed = _year_cost_of(ds, plan, [name], int(y)) + _stack_cost(ds, plan, name, int(y))
            rows.append({"tech": name, "year": int(y), "capacity_mw": cap,
                         "full_load_hours": power / cap, "power_mwh": power, "heat_mwh": heat,
                         "fuel_mwh": fuel, "efficiency": power / fuel if fuel else float("nan"),
                         "fuel_cost_per_kwh": fuel * fuel_price / power / 1000 if power else
                         float("nan"),
                         "cost_per_kwh": (fuel * fuel_price + fixed) / power / 1000 if power
                         else float("nan")})
    return rows


def _stack_cost(ds: xr.Dataset, plan: Plan, name: str, year: int) -> float:
    """The model's stack replacement cost of ``year`` shared among the SOFCs by capacity."""
    sofcs = [t for t, tech in plan.technologies.items() if isinstance(tech, SOFC)]
    caps = ds["capacity"].sel(tech=sofcs, year=year)
    total = float(ds["cost"].sel(cost_category="stack_replacement", year=year))
    share = float(caps.sel(tech=name)) / float(caps.sum()) if float(caps.sum()) > 0 else 0.0
    return total * share


def assumptions(plan: Plan, years: list[int]) -> list[dict[str, Any]]:
    """Key inputs straight from the plan, with their sources."""
    cur = plan.site.currency
    rows: list[dict[str, Any]] = []

    def add(item: str, traj: Any, unit: str, source: str) -> None:
        rows.append({"item": item, "values": {y: traj.at(y) for y in years}, "unit": unit,
                     "source": source})

    g = plan.grid
    add("grid import price", g.import_price_per_mwh, f"{cur}/MWh", g.source)
    add("grid export price", g.export_price_per_mwh, f"{cur}/MWh", g.source)
    add("grid carbon intensity (location)", g.carbon_intensity_t_per_mwh, "t/MWh", g.source)
    if g.residual_mix_t_per_mwh is not None:
        add("grid residual mix (market-based)", g.residual_mix_t_per_mwh, "t/MWh", g.source)
    for name, ppa in plan.ppas.items():
        add(f"PPA {name} price ({ppa.capacity_mw:g} MW, {ppa.start_year}-"
            f"{ppa.start_year + ppa.term_years - 1})", ppa.price_per_mwh, f"{cur}/MWh",
            ppa.source)
    for name, fuel in plan.fuels.items():
        add(f"{name} price ({fuel.heating_value_basis})", fuel.price_per_mwh, f"{cur}/MWh",
            fuel.source)
    if plan.carbon_price is not None:
        add("carbon price", plan.carbon_price.price_per_t, f"{cur}/t", plan.carbon_price.source)
    for name, cert in plan.certificates.items():
        add(f"certificate {name}", cert.price_per_mwh, f"{cur}/MWh", cert.source)
    for name, tech in plan.technologies.items():
        per_kwh = getattr(tech, "capex_per_kwh", None)
        if per_kwh is not None:
            add(f"{name} energy capex", per_kwh, f"{cur}/kWh", tech.source)
        add(f"{name} capex", tech.capex_per_kw if tech.kind != "efficiency" else
            tech.capex_per_mwh_saved_per_year,  # type: ignore[union-attr]
            f"{cur}/kW" if tech.kind != "efficiency" else f"{cur} per MWh/yr", tech.source)
    return rows


def report_context(ds: xr.Dataset, summary: dict, plan: Plan) -> dict[str, Any]:
    """Everything the template shows."""
    target_years = sorted({t.year for t in plan.targets}) or [int(ds["year"].values[-1])]
    levers = lever_table(ds, plan, target_years)
    base = baseline_emissions(plan)
    years = [int(y) for y in ds["year"].values]
    capex = ds["capex"].sum("tech")
    mac_year = target_years[-1]
    return {
        "plan": plan,
        "summary": summary,
        "currency": plan.site.currency,
        "target_years": target_years,
        "levers": levers,
        "baseline_total": base.scope1 + base.scope2_market,
        "baseline": base,
        "years": years,
        "capex_by_year": {y: float(capex.sel(year=y)) for y in years},
        "decisions": top_decisions(ds),
        "mac_year": mac_year,
        "mac": mac_rows(ds, plan, mac_year, levers[mac_year]),
        "sofc": sofc_stats(ds, plan),
        "sofc_fit_error": (float(ds["sofc_fit_max_error"].max()) if "sofc_fit_max_error" in ds
                           else None),
        "assumptions": assumptions(plan, [y for y in years if y in (years[0], *target_years)]),
        "builds": [
            {"tech": str(t), "year": int(y), "mw": float(ds["build"].sel(tech=t, year=y)),
             "capex": float(ds["capex"].sel(tech=t, year=y))}
            for t in ds["tech"].values for y in ds["year"].values
            if float(ds["capex"].sel(tech=t, year=y)) > 1e-4 * max(float(ds["capex"].max()), 1)
        ],
    }
