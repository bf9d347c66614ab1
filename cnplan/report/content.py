"""Numbers of the roadmap report. Every derived number comes from the results (results.nc and
summary.json, written by the optimiser); the plan (plan.json) is shown only as inputs, in the
assumptions table and the header."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from optimiser.statistics import (
    DEFAULT_BASIS,
    EFFECTS,
    LEVERS,
    annual,
    basis_name,
    by_heat_class,
    export_shares,
    net_electricity,
)
from plant.schema import Plan

#: How the report names each cost category (every category of optimiser.context).
COST_LABELS = {
    "capex": "investment", "fixed_om": "fixed O&M", "variable_om": "variable O&M",
    "stack_replacement": "SOFC stack replacement", "fuel": "fuel", "grid_import": "grid power",
    "ppa": "power purchase agreements", "export_revenue": "export revenue",
    "certificates": "certificates", "credits": "carbon credits", "carbon_price": "carbon price",
    "unserved": "unserved energy", "salvage": "salvage value at the horizon",
    "target_slack": "target shortfall (diagnostic)",
}
#: How the report names each reported emission category.
EMISSION_LABELS = {
    "scope1": "scope 1", "scope2_location": "scope 2 location-based",
    "scope2_market": "scope 2 market-based", "biogenic": "biogenic CO2 (outside the scopes)",
    "upstream": "upstream fuel (scope 3)", "credits": "credits (apart)", "net": "net",
}


def target_years(ds: xr.Dataset) -> list[int]:
    """The years the targets are set for (the last modelled year if there are none)."""
    if "target" in ds.coords and ds.sizes["target"]:
        return sorted({int(y) for y in ds["target_year"].values})
    return [int(ds["year"].values[-1])]


def lever_basis(ds: xr.Dataset) -> str:
    """The basis the abatement table is drawn on: the first target's scopes, else scope 1 +
    market-based scope 2."""
    if "target" in ds.coords and ds.sizes["target"]:
        return str(ds["target_scopes"].values[0])
    return basis_name(DEFAULT_BASIS)


def lever_table(ds: xr.Dataset, years: list[int]) -> dict[int, dict[str, float]]:
    """Abatement by effect for ``years`` on :func:`lever_basis` (from results)."""
    table = ds["abatement"].sel(basis=lever_basis(ds))
    return {y: {str(e): float(table.sel(effect=e, year=y)) for e in EFFECTS} for y in years}


def _techs(ds: xr.Dataset, **coords: str) -> list[str]:
    """Technologies whose metadata coordinates equal ``coords`` (e.g. lever="SOFC")."""
    mask = np.ones(ds.sizes["tech"], dtype=bool)
    for name, value in coords.items():
        mask &= ds[f"tech_{name}"].values == value
    return [str(t) for t in ds["tech"].values[mask]]


#: Below this abatement per MWh a lever supplies [t/MWh], a cost per tonne means little (the
#: grid it displaces is nearly clean) and is not shown.
MIN_ABATEMENT_PER_MWH = 0.02


def mac_rows(ds: xr.Dataset, year: int) -> list[dict]:
    """Net cost per tonne of each lever in ``year`` (indicative; see the report's notes).

    Net cost = the lever's technologies' yearly cost as the model charges it (capital as the
    annuity-due of the cohorts in service, O&M, stacks, fuel; PPAs with on-site renewables)
    − the electricity they supply to the site net of what they draw, at the year's mean grid
    price, − what they export, at the export price, − the heat they supply, at the cost of
    that class's heat from the baseline's own plant; abatement from the results'
    decomposition. ``cost_per_t`` is None where the lever abates less than
    :data:`MIN_ABATEMENT_PER_MWH` per MWh it supplies.
    """
    y = ds.sel(year=year)
    wedges = lever_table(ds, [year])[year]
    power = annual(ds, net_electricity(ds).sel(year=year))
    export = annual(ds, export_shares(ds).sel(year=year))
    heat = annual(ds, by_heat_class(ds, ds["dispatch"]).sel(year=year))
    grid_price, export_price = float(y["price_grid_import"]), float(y["price_grid_export"])
    heat_value = (heat * y["heat_price"]).sum("heat_class")
    rows = []
    for lever in LEVERS:
        abated = wedges.get(lever, 0.0)
        techs = _techs(ds, lever=lever)
        if abated <= 1.0 or lever == "certificates":
            continue
        cost, energy = 0.0, 0.0
        if techs:
            cost = float(y["tech_annual_cost"].sel(tech=techs).sum()
                         - power.sel(tech=techs).sum() * grid_price
                         - export.sel(tech=techs).sum() * export_price
                         - heat_value.sel(tech=techs).sum())
            energy = float(abs(power.sel(tech=techs)).sum() + export.sel(tech=techs).sum()
                           + heat.sel(tech=techs).sum())
        if lever == "on-site renewables" and ds.sizes.get("ppa", 0):
            taken = float(annual(ds, y["ppa_take"]).sum())
            cost += float(y["cost"].sel(cost_category="ppa")) - taken * grid_price
            energy += taken
        rows.append(_mac_row(lever, abated, cost, energy))
    certificates = wedges.get("certificates", 0.0)
    if certificates > 1.0:
        rows.append(_mac_row("certificates", certificates,
                             float(y["cost"].sel(cost_category="certificates")), None))
    credits = float(y["emissions"].sel(category="credits"))
    if credits > 1.0:
        rows.append(_mac_row("credits", credits, float(y["cost"].sel(cost_category="credits")),
                             None))
    return rows


def _mac_row(lever: str, abated: float, cost: float, energy: float | None) -> dict:
    shown = energy is None or abated >= MIN_ABATEMENT_PER_MWH * energy
    return {"lever": lever, "abatement_t": abated, "net_cost": cost,
            "cost_per_t": cost / abated if shown else None}


def _mac_order(row: dict) -> tuple[bool, float]:
    return (row["cost_per_t"] is None, row["cost_per_t"] or 0.0)


def describe_build(ds: xr.Dataset, tech: str, year: int) -> str:
    """``12.5 MW of solar PV (solar_pv_ground)``, or the MWh/yr an efficiency measure saves."""
    unit = str(ds["tech_capacity_unit"].sel(tech=tech).values)
    label = str(ds["tech_label"].sel(tech=tech).values)
    built = float(ds["build"].sel(tech=tech, year=year))
    if unit == "MWh/yr":
        return f"{label} {tech} saving {built * 8760:,.0f} MWh/yr"
    if built < 0.005 and str(ds["tech_energy_unit"].sel(tech=tech).values):
        energy = float(ds["energy_capacity"].sel(tech=tech, year=year))
        return f"{energy:,.1f} MWh of {label} energy capacity ({tech})"
    if built < 1.0:
        return f"{built * 1000:,.0f} kW of {label} ({tech})"
    return f"{built:,.1f} MW of {label} ({tech})"


def top_decisions(ds: xr.Dataset, n: int = 3) -> list[str]:
    """The largest investments, phrased as decisions."""
    cur = ds.attrs["currency"]
    spend = ds["capex"].to_series()
    spend = spend[spend > 0].sort_values(ascending=False).head(n)
    return [f"Build {describe_build(ds, str(tech), int(year))} in {year} "
            f"({value / 1e6:,.1f} M{cur})" for (tech, year), value in spend.items()]


def sofc_stats(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Operating hours, fuel and cost per kWh of each SOFC in each year it is installed
    (results); an SOFC that never runs is one row (``idle``) with its capacity by year."""
    rows: list[dict[str, Any]] = []
    for name in _techs(ds, kind="sofc"):
        output = annual(ds, ds["dispatch"].sel(tech=name, carrier="electricity"))
        capacity = ds["capacity"].sel(tech=name)
        if float(capacity.max()) > 1e-6 and float(output.max()) < 1e-6:
            rows.append({"tech": name, "idle": True, "capacity_kw": {
                int(y): float(capacity.sel(year=y)) * 1000 for y in ds["year"].values
                if float(capacity.sel(year=y)) > 1e-6}})
            continue
        for y in ds["year"].values:
            cap = float(ds["capacity"].sel(tech=name, year=y))
            if cap < 1e-6:
                continue
            sel = ds.sel(tech=name, year=y)
            power = float(annual(ds, sel["dispatch"].sel(carrier="electricity")))
            heat = float(annual(ds, sel["dispatch"]).sum()) - power
            fuel = float(sel["fuel_use"].sum())
            per_kwh = 1.0 / (power * 1000) if power else float("nan")
            rows.append({"tech": name, "idle": False, "year": int(y), "capacity_mw": cap,
                         "full_load_hours": power / cap, "power_mwh": power, "heat_mwh": heat,
                         "fuel_mwh": fuel, "efficiency": power / fuel if fuel else float("nan"),
                         "fuel_cost_per_kwh": float(sel["fuel_cost"]) * per_kwh,
                         "cost_per_kwh": float(sel["tech_annual_cost"]) * per_kwh})
    return rows


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
        saved = getattr(tech, "capex_per_mwh_saved_per_year", None)
        if saved is not None:
            add(f"{name} capex", saved, f"{cur} per MWh/yr", tech.source)
        else:
            add(f"{name} capex", tech.capex_per_kw, f"{cur}/kW", tech.source)
    return rows


def report_context(ds: xr.Dataset, summary: dict, plan: Plan) -> dict[str, Any]:
    """Everything the template shows."""
    years_t = target_years(ds)
    years = [int(y) for y in ds["year"].values]
    base = ds["baseline_emissions"]
    capex = ds["capex"].sum("tech")
    mac_year = years_t[0]
    basis = lever_basis(ds)
    scopes = basis.split("+")
    return {
        "plan": plan,
        "summary": summary,
        "cost_labels": COST_LABELS,
        "emission_labels": EMISSION_LABELS,
        "currency": ds.attrs["currency"],
        "target_years": years_t,
        "levers": lever_table(ds, years_t),
        "lever_basis": basis,
        "baseline_year": int(ds.attrs["baseline_year"]),
        "baseline_total": float(base.sel(baseline_category=[
            s for s in scopes if s in base["baseline_category"].values]).sum()),
        "years": years,
        "capex_by_year": {y: float(capex.sel(year=y)) for y in years},
        "decisions": top_decisions(ds),
        "mac_year": mac_year,
        "mac": sorted(mac_rows(ds, mac_year), key=_mac_order),
        "min_abatement": MIN_ABATEMENT_PER_MWH,
        "sofc": sofc_stats(ds),
        "sofc_fit_error": (float(ds["sofc_fit_max_error"].max()) if "sofc_fit_max_error" in ds
                           else None),
        "assumptions": assumptions(plan, [y for y in years if y in (years[0], *years_t)]),
        "builds": [
            {"tech": str(t), "year": int(y), "what": describe_build(ds, str(t), int(y)),
             "capex": float(ds["capex"].sel(tech=t, year=y))}
            for t in ds["tech"].values for y in ds["year"].values
            if float(ds["capex"].sel(tech=t, year=y)) > 1e-4 * max(float(ds["capex"].max()), 1)
        ],
    }
