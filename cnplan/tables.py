"""The result tables a plan run is exported and compared as, read from its results.

Every table is a ``pandas.DataFrame`` in long or tidy form whose column headers carry their
unit (``"power capacity [MW]"``); the values are the results' own, not re-derived. Exports
(``cnplan export``) write them as they are; comparisons (``cnplan compare``) stack them with a
``run`` column. Units: power MW, energy MWh, efficiency savings MWh/yr, money in the site
currency of the plan's price year (yearly costs per year, one-off costs in their year, present
values at the plan's base year), emissions t CO2e/yr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan.wording import EMISSION_LABELS
from optimiser.post.statistics import target_status

#: How the reports name each cost category.
COST_LABELS = {
    "capex": "investment", "fixed_om": "fixed O&M", "variable_om": "variable O&M",
    "stack_replacement": "SOFC stack replacement",
    "augmentation": "battery augmentation (cycle wear)", "fuel": "fuel",
    "grid_import": "grid power",
    "demand_charge": "grid demand charges", "ppa": "power purchase agreements",
    "export_revenue": "export revenue",
    "certificates": "certificates", "credits": "carbon credits", "carbon_price": "carbon price",
    "unserved": "unserved energy", "salvage": "salvage value at the horizon",
    "target_slack": "target shortfall (diagnostic)",
}
#: Costs paid once in their year (the rest are per year over each modelled year's span).
ONE_OFF_COSTS = ("capex", "salvage")
HOURS_PER_YEAR = 8760.0


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    """Solver noise (|x| < 1e-9, e.g. -0.0) written as 0."""
    for column in table.columns:
        if pd.api.types.is_float_dtype(table[column]):
            values = table[column]
            table[column] = values.where(~(values.abs() < 1e-9), 0.0)
    return table


def _label(ds: xr.Dataset, tech: object) -> str:
    return str(ds["tech_label"].sel(tech=tech).values)


def periods(ds: xr.Dataset) -> dict[int, str]:
    """What each modelled year stands for: ``2027–29``, ``2030–34``, ``2050``."""
    out = {}
    for y, n in zip(ds["year"].values, ds["span"].values, strict=True):
        out[int(y)] = str(int(y)) if int(n) == 1 else f"{int(y)}–{str(int(y) + int(n) - 1)[-2:]}"
    return out


def _is_efficiency(ds: xr.Dataset, tech: object) -> bool:
    return str(ds["tech_capacity_unit"].sel(tech=tech).values) == "MWh/yr"


def _stores(ds: xr.Dataset, tech: object) -> bool:
    return bool(str(ds["tech_energy_unit"].sel(tech=tech).values))


def capacities(ds: xr.Dataset) -> pd.DataFrame:
    """Installed capacity of every technology in every modelled year."""
    rows = []
    for t in ds["tech"].values:
        eff, stores = _is_efficiency(ds, t), _stores(ds, t)
        for y in ds["year"].values:
            cap = float(ds["capacity"].sel(tech=t, year=y))
            rows.append({
                "technology": str(t), "label": _label(ds, t), "year": int(y),
                "power capacity [MW]": np.nan if eff else cap,
                "storage energy capacity [MWh]": (float(ds["energy_capacity"].sel(
                    tech=t, year=y)) if stores else np.nan),
                "efficiency savings [MWh/yr]": cap if eff else np.nan})
    return _tidy(pd.DataFrame(rows, columns=[
        "technology", "label", "year", "power capacity [MW]", "storage energy capacity [MWh]",
        "efficiency savings [MWh/yr]"]))


def build_kinds(ds: xr.Dataset) -> dict[tuple[str, int], str]:
    """What each build (tech, year) is: ``new`` (the technology is not on site before),
    ``expansion`` (capacity beyond the most the site had of it before: existing assets or
    earlier years) or ``renewal`` (replacing retired capacity, no more than before). Only
    ``new`` and ``expansion`` are decisions; a renewal is the like-for-like replacement of
    an asset at the end of its life."""
    years = [int(y) for y in ds["year"].values]
    kinds = {}
    for t in ds["tech"].values:
        cap = ds["capacity"].sel(tech=t).values
        added = ds["build"].sel(tech=t).values * (HOURS_PER_YEAR if _is_efficiency(ds, t)
                                                   else 1.0)
        most = max(float(cap[0] - added[0]), 0.0)  # existing assets before the first year
        for i, y in enumerate(years):
            if float(ds["capex"].sel(tech=t, year=y)) > 0.0 or added[i] > 1e-9:
                tol = 1e-6 * max(most, 1e-3)
                kinds[(str(t), y)] = ("new" if most <= 1e-9 else
                                      "renewal" if cap[i] <= most + tol else "expansion")
            most = max(most, float(cap[i]))
    return kinds


def builds(ds: xr.Dataset) -> pd.DataFrame:
    """Every build (capacity added, with its investment) by technology and year, and what
    it is (:func:`build_kinds`: new, expansion or renewal)."""
    cur = ds.attrs["currency"]
    spans = periods(ds)
    kinds = build_kinds(ds)
    rows = []
    for t in ds["tech"].values:
        eff, stores = _is_efficiency(ds, t), _stores(ds, t)
        for y in ds["year"].values:
            built = float(ds["build"].sel(tech=t, year=y))
            energy = float(ds["build_energy"].sel(tech=t, year=y)) if stores else 0.0
            capex = float(ds["capex"].sel(tech=t, year=y))
            if (str(t), int(y)) not in kinds:
                continue
            rows.append({
                "technology": str(t), "label": _label(ds, t), "year": int(y),
                "period": spans[int(y)],
                "power built [MW]": np.nan if eff else built,
                "storage energy built [MWh]": energy if stores else np.nan,
                "efficiency savings added [MWh/yr]": built * HOURS_PER_YEAR if eff else np.nan,
                f"investment [{cur}]": capex, "kind of build": kinds[(str(t), int(y))]})
    return _tidy(pd.DataFrame(rows, columns=[
        "technology", "label", "year", "period", "power built [MW]",
        "storage energy built [MWh]", "efficiency savings added [MWh/yr]", f"investment [{cur}]",
        "kind of build"]))


def costs(ds: xr.Dataset) -> pd.DataFrame:
    """Cost by category and modelled year: yearly costs per year of the span, one-off costs
    (investment, salvage) in their year, and the present value of each."""
    cur = ds.attrs["currency"]
    rows = []
    for c in ds["cost_category"].values:
        once = str(c) in ONE_OFF_COSTS
        for y in ds["year"].values:
            value = float(ds["cost"].sel(cost_category=c, year=y))
            rows.append({
                "category": str(c), "label": COST_LABELS.get(str(c), str(c)), "year": int(y),
                f"yearly cost [{cur}/yr]": np.nan if once else value,
                f"one-off cost [{cur}]": value if once else np.nan,
                f"present value [{cur}]": float(ds["cost_discounted"].sel(cost_category=c,
                                                                          year=y))})
    return _tidy(pd.DataFrame(rows))


def emissions(ds: xr.Dataset) -> pd.DataFrame:
    """Emissions by scope and modelled year (one column per category), and net."""
    rows = []
    for y in ds["year"].values:
        row: dict[str, object] = {"year": int(y)}
        for c in ds["category"].values:
            row[f"{EMISSION_LABELS.get(str(c), str(c))} [t CO2e/yr]"] = float(
                ds["emissions"].sel(category=c, year=y))
        row["net [t CO2e/yr]"] = float(ds["net_emissions"].sel(year=y))
        rows.append(row)
    return _tidy(pd.DataFrame(rows))


def targets(ds: xr.Dataset) -> pd.DataFrame:
    """Every target in every year it holds: limit, emissions counted, met, implied prices."""
    cur = ds.attrs["currency"]
    rows = []
    for t in target_status(ds):
        for y, r in t["years"].items():
            rows.append({
                "target": t["name"], "basis": t["basis"], "year": int(y),
                "limit [t CO2e/yr]": r["limit"], "counted [t CO2e/yr]": r["achieved"],
                "met": r["met"], "shortfall [t CO2e/yr]": r["shortfall"],
                f"implied carbon price, relaxing [{cur}/t CO2e]": r["price_lower"],
                f"implied carbon price, tightening [{cur}/t CO2e]": r["price_upper"],
                "what binds": r["binds"]})
    return _tidy(pd.DataFrame(rows, columns=[
        "target", "basis", "year", "limit [t CO2e/yr]", "counted [t CO2e/yr]", "met",
        "shortfall [t CO2e/yr]", f"implied carbon price, relaxing [{cur}/t CO2e]",
        f"implied carbon price, tightening [{cur}/t CO2e]", "what binds"]))


def fuels(ds: xr.Dataset) -> pd.DataFrame:
    """Fuel bought by fuel and year, on each fuel's heating-value basis."""
    column = f"purchased [{ds['fuel_purchase'].attrs.get('units', 'MWh/yr')}]"
    rows = [{"fuel": str(f), "year": int(y),
             column: float(ds["fuel_purchase"].sel(fuel=f, year=y))}
            for f in ds["fuel"].values for y in ds["year"].values]
    return _tidy(pd.DataFrame(rows, columns=["fuel", "year", column]))


def flows(ds: xr.Dataset) -> list[tuple[str, str, str, str, xr.DataArray]]:
    """Every flow of every carrier as (key, label, carrier, direction, MW ≥ 0 on year ×
    period × hour), direction "supply" or "use"; in every hour and carrier the supplies add
    up to the uses (the optimiser's balance). A storage's dispatch is net (negative while it
    charges): its discharge is a supply, its charging a use."""
    out: list[tuple[str, str, str, str, xr.DataArray]] = []
    for c in ds["carrier"].values:
        c = str(c)
        out.append(("demand", "site demand (before efficiency)", c, "use",
                    ds["demand"].sel(carrier=c)))
        out.append(("unserved", "unserved", c, "supply", ds["unserved"].sel(carrier=c)))
        for t in ds["tech"].values:
            label = _label(ds, t)
            drawn = f"{label} (charging)" if _stores(ds, t) else f"{label} (draws)"
            net = ds["dispatch"].sel(tech=t, carrier=c) - ds["consumption"].sel(tech=t, carrier=c)
            out.append((str(t), label, c, "supply", net.clip(min=0.0)))
            out.append((str(t), drawn, c, "use", (-net).clip(min=0.0)))
    out.append(("grid_import", "grid import", "electricity", "supply", ds["grid_import"]))
    out.append(("grid_export", "export", "electricity", "use", ds["grid_export"]))
    if "ppa_take" in ds and ds.sizes.get("ppa", 0):
        for p in ds["ppa"].values:
            out.append((f"ppa_{p}", f"PPA {str(p).replace('_', ' ')}", "electricity", "supply",
                         ds["ppa_take"].sel(ppa=p)))
    return out


def dispatch(ds: xr.Dataset) -> pd.DataFrame:
    """Hourly flows of the representative days (MW), every flow that is ever non-zero:
    supplies (technology output, grid import, PPAs, unserved) and uses (demand, technology
    input such as storage charging and heat-pump power, export). ``days represented`` is the
    weight of the representative day."""
    weight = ds["weight"]
    frames = []
    for flow, label, carrier, direction, da in flows(ds):
        if float(np.abs(da).max()) <= 1e-9:
            continue
        frame = da.transpose("year", "period", "hour").to_dataframe(name="MW").reset_index()
        frame = frame[["year", "period", "hour", "MW"]]
        frame.insert(0, "direction", direction)
        frame.insert(0, "carrier", carrier)
        frame.insert(0, "label", label)
        frame.insert(0, "flow", flow)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True).rename(columns={"MW": "power [MW]"})
    table.insert(int(table.columns.get_loc("hour")) + 1, "days represented [day]",
                 weight.sel(period=table["period"].to_numpy()).to_numpy())
    return _tidy(table)


#: Every exported table, in sheet order.
TABLES: dict[str, Callable[[xr.Dataset], pd.DataFrame]] = {
    "capacity": capacities, "builds": builds, "costs": costs, "emissions": emissions,
    "targets": targets, "fuels": fuels, "dispatch": dispatch,
}


def about(ds: xr.Dataset, finance: dict[str, Any] | None = None) -> pd.DataFrame:
    """Where the tables come from: site, scenario, status, currency, plan hash, version; with
    the plan's ``finance`` (plan.json), the money's price year and the present values' base
    year and discount rate (:func:`money_rows`)."""
    keys = ("site", "scenario", "scenario_description", "status", "currency", "resolution",
            "plan_file", "plan_sha256", "cnplan_version", "run_format")
    rows = [{"item": k, "value": str(ds.attrs.get(k, ""))} for k in keys]
    rows += money_rows(str(ds.attrs["currency"]), finance or {})
    rows.append({"item": "net present cost [" + ds.attrs["currency"] + "]",
                 "value": f"{float(ds.attrs['objective']):.2f}"})
    return _tidy(pd.DataFrame(rows))


def money_rows(currency: str, finance: dict[str, Any]) -> list[dict[str, str]]:
    """The money of every table: currency and price year, and what present values are
    discounted to (``finance`` of plan.json; "not stated" where the plan gives none)."""
    year = finance.get("price_year")
    rate = finance.get("discount_rate")
    return [
        {"item": "price year", "value": str(year) if year else "not stated (money as the "
         "plan gives it)"},
        {"item": "money", "value": f"{currency}" + (f" in {year} prices" if year else "")},
        {"item": "present values discounted to", "value": str(finance.get("base_year", ""))},
        {"item": "discount rate (real)", "value": "" if rate is None else f"{rate:.4g}"}]
