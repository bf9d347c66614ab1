"""Numbers of the roadmap report. Every derived number comes from the results (results.nc and
summary.json, written by the optimiser); the plan (plan.json) is shown only as inputs, in the
assumptions table and the header."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from cnplan import tables
from cnplan.report.formatting import money
from cnplan.tables import COST_LABELS
from cnplan.wording import EMISSION_LABELS
from optimiser.post.statistics import (
    EFFECTS,
    LEVERS,
    annual,
    basis_name,
    by_heat_class,
    export_shares,
    headline_basis,
    net_electricity,
)
from plant.schema import DemandCharge, Plan


def target_years(ds: xr.Dataset) -> list[int]:
    """The years the targets are set for (the last modelled year if there are none)."""
    if "target" in ds.coords and ds.sizes["target"]:
        return sorted({int(y) for y in ds["target_year"].values})
    return [int(ds["year"].values[-1])]


def lever_basis(ds: xr.Dataset) -> str:
    """The basis the abatement table is drawn on: the headline basis
    (:func:`optimiser.post.statistics.headline_basis`)."""
    return basis_name(headline_basis(ds))


def lever_table(ds: xr.Dataset, years: list[int]) -> dict[int, dict[str, float]]:
    """Abatement by effect for ``years`` on :func:`lever_basis` (from results), in the order of
    :data:`EFFECTS`: the effects the results hold (a run written before an effect existed,
    such as "workplace EVs", has none of it)."""
    table = ds["abatement"].sel(basis=lever_basis(ds))
    held = [e for e in EFFECTS if e in set(table["effect"].values)]
    return {y: {e: float(table.sel(effect=e, year=y)) for e in held} for y in years}


def _techs(ds: xr.Dataset, **coords: str) -> list[str]:
    """Technologies whose metadata coordinates equal ``coords`` (e.g. lever="SOFC")."""
    mask = np.ones(ds.sizes["tech"], dtype=bool)
    for name, value in coords.items():
        mask &= ds[f"tech_{name}"].values == value
    return [str(t) for t in ds["tech"].values[mask]]


#: Below this abatement per MWh a lever supplies [t/MWh], a cost per tonne means little (the
#: grid it displaces is nearly clean) and is not shown.
MIN_ABATEMENT_PER_MWH = 0.02


def headline_cuts(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Page 1's cuts against the baseline: summary.json's ``cut_vs_baseline``; for a folder
    written before it, the cuts of ``business_as_usual`` on the basis that names (net of
    credits, as it then counted them); None with neither."""
    block = summary.get("cut_vs_baseline")
    if block:
        return dict(block)
    bau = summary.get("business_as_usual")
    if not bau:
        return None
    blank = {"emitted": None, "credits": None, "counted": None, "per_vehicle": None,
             "cut_per_vehicle": None}
    return {"basis": bau["basis"], "net_of_credits": bau.get("net_of_credits", True),
            "figures": bau.get("figures", "estimate"), "measures": {},
            "baseline_per_vehicle": None,
            "by_year": {y: {**blank, "cut": r} for y, r in bau["reduction_vs_baseline"].items()}}


def mac_rows(ds: xr.Dataset, year: int) -> list[dict]:
    """Net cost per tonne of each lever in ``year`` (indicative; see the report's notes).

    Net cost = the lever's technologies' yearly cost as the model charges it (capital as the
    annuity-due of the cohorts in service, O&M, stacks, fuel; private-wire PPAs with on-site
    renewables, virtual PPAs with certificates)
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
            cost += float(_ppa_cost(y, "private_wire")) - taken * grid_price
            energy += taken
        rows.append(_mac_row(lever, abated, cost, energy))
    certificates = wedges.get("certificates", 0.0)
    if certificates > 1.0:
        rows.append(_mac_row("certificates", certificates,
                             float(y["cost"].sel(cost_category="certificates"))
                             + _ppa_cost(y, "virtual"), None))
    credits = float(y["emissions"].sel(category="credits"))
    if credits > 1.0:
        rows.append(_mac_row("credits", credits, float(y["cost"].sel(cost_category="credits")),
                             None))
    return rows


def instruments_text(block: dict | None) -> str:
    """summary.json's ``instruments`` as a sentence: MWh counted each year, by kind; "" if
    none were counted."""
    parts = []
    for year, c in ((block or {}).get("by_year") or {}).items():
        if c["counted"] <= 0.5:
            continue
        kinds = [f"{label} {c[key]:,.0f}" for key, label in (
            ("certificates_annual", "annual"), ("certificates_hourly", "hourly"),
            ("virtual_ppa_certificates", "virtual PPAs produced")) if c[key] > 0.5]
        parts.append(f"{c['counted']:,.0f} MWh in {year} ({', '.join(kinds)})")
    return "; ".join(parts)


def _ppa_cost(y: xr.Dataset, kind: str) -> float:
    """What the PPAs of ``kind`` cost in one year of the results."""
    if not y.sizes.get("ppa", 0):
        return 0.0
    return float(y["ppa_cost"].where(y["ppa_kind"] == kind, 0.0).sum())


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
        return f"{label}, saving {built * 8760:,.0f} MWh/yr"
    stores = bool(str(ds["tech_energy_unit"].sel(tech=tech).values))
    energy = float(ds["build_energy"].sel(tech=tech, year=year)) if stores else 0.0
    if built < 0.005 and stores:
        return f"{energy:,.1f} MWh of {label} energy capacity"
    if built < 1.0:
        return f"{built * 1000:,.0f} kW of {label}"
    return f"{built:,.1f} MW{f' / {energy:,.1f} MWh' if stores else ''} of {label}"


def first_builds(ds: xr.Dataset) -> dict[str, int]:
    """Each technology's first decision: the year of its first new or expanding build
    (:func:`cnplan.tables.build_kinds`); like-for-like renewals of existing assets are not
    decisions."""
    out: dict[str, int] = {}
    for (tech, year), kind in sorted(tables.build_kinds(ds).items(), key=lambda kv: kv[0][1]):
        if kind != "renewal" and tech not in out and float(
                ds["capex"].sel(tech=tech, year=year)) > 0:
            out[tech] = year
    return out


def top_decisions(ds: xr.Dataset, n: int = 3) -> list[str]:
    """The largest first decisions (new or expanding builds), phrased as decisions."""
    cur = ds.attrs["currency"]
    firsts = [(float(ds["capex"].sel(tech=t, year=y)), t, y) for t, y in first_builds(ds).items()]
    return [f"Build {describe_build(ds, tech, year)} in {periods(ds)[year]} "
            f"({money(value, cur)})" for value, tech, year in sorted(firsts, reverse=True)[:n]]


#: How the report names each kind of build.
BUILD_KINDS = {"new": "new", "expansion": "expansion", "renewal": "renewal (like for like)"}


def build_rows(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Every build with investment, in time order: label, period, what, capex and its kind
    (new, expansion, renewal: :func:`cnplan.tables.build_kinds`)."""
    kinds = tables.build_kinds(ds)
    floor = 1e-4 * max(float(ds["capex"].max()) if ds["capex"].size else 0.0, 1.0)
    rows = [{"tech": str(ds["tech_label"].sel(tech=t).values), "year": int(y),
             "period": periods(ds)[int(y)], "what": describe_build(ds, str(t), int(y)),
             "capex": float(ds["capex"].sel(tech=t, year=y)),
             "kind": BUILD_KINDS[kinds.get((str(t), int(y)), "renewal")]}
            for t in ds["tech"].values for y in ds["year"].values
            if float(ds["capex"].sel(tech=t, year=y)) > floor]
    return sorted(rows, key=lambda r: (r["year"], -r["capex"]))


def periods(ds: xr.Dataset) -> dict[int, str]:
    """What each modelled year stands for: ``2027–29``, ``2030–34``, ``2050``."""
    return tables.periods(ds)


def _label(ds: xr.Dataset, tech: str) -> str:
    return str(ds["tech_label"].sel(tech=tech).values)


def sofc_stats(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Operating hours, fuel and cost per kWh of each SOFC in each year it is installed
    (results); an SOFC that never runs is one row (``idle``) with its capacity by year."""
    rows: list[dict[str, Any]] = []
    for name in _techs(ds, kind="sofc"):
        output = annual(ds, ds["dispatch"].sel(tech=name, carrier="electricity"))
        capacity = ds["capacity"].sel(tech=name)
        if float(capacity.max()) > 1e-6 and float(output.max()) < 1e-6:
            rows.append({"tech": _label(ds, name), "idle": True, "capacity_kw": {
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
            rows.append({"tech": _label(ds, name), "idle": False, "year": int(y),
                         "capacity_mw": cap,
                         "full_load_hours": power / cap, "power_mwh": power, "heat_mwh": heat,
                         "fuel_mwh": fuel, "efficiency": power / fuel if fuel else float("nan"),
                         "fuel_cost_per_kwh": float(sel["fuel_cost"]) * per_kwh,
                         "cost_per_kwh": float(sel["tech_annual_cost"]) * per_kwh,
                         **sofc_operation(ds, name, int(y))})
    return rows


def sofc_operation(ds: xr.Dataset, name: str, year: int) -> dict[str, Any]:
    """Starts a year, hours a year in standby and at each load, and stacks bought (results
    written before the SOFC's operating limits have none of them: an empty dict)."""
    if "sofc_starts" not in ds or name not in ds["sofc"].values:
        return {}
    at = {"sofc": name, "year": year}
    hours = ds["sofc_load_hours"].sel(at)
    return {"starts": float(ds["sofc_starts"].sel(at)),
            "load_hours": {str(b): float(hours.sel(sofc_load_band=b))
                           for b in hours["sofc_load_band"].values},
            "stacks_mw": float(ds["sofc_stacks_bought"].sel(at))}


def sofc_life(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Stack life, life-average derating and full-load efficiency, and cold-start time of
    each SOFC (what the optimiser took from the twin)."""
    if "sofc_life_hours" not in ds:
        return []
    return [{"tech": _label(ds, str(n)), "life_hours": float(ds["sofc_life_hours"].sel(sofc=n)),
             "rated_ratio": float(ds["sofc_rated_ratio"].sel(sofc=n)),
             "efficiency": float(ds["sofc_rated_efficiency"].sel(sofc=n)),
             "start_hours": float(ds["sofc_start_hours"].sel(sofc=n))}
            for n in ds["sofc"].values]


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
    for name, charge in plan.demand_charges.items():
        add(f"demand charge {name.replace('_', ' ')} ({charge_terms(charge)})",
            charge.price_per_kw_month, f"{cur}/kW-month", charge.source)
    for name, ppa in plan.ppas.items():
        what = "strike price" if ppa.kind == "virtual" else "price"
        label = f"{'virtual ' if ppa.kind == 'virtual' else ''}PPA {name.replace('_', ' ')}"
        terms = (f"{'up to ' if ppa.optional else ''}{ppa.capacity_mw:g} MW, {ppa.start_year}-"
                 f"{ppa.start_year + ppa.term_years - 1}")
        add(f"{label} {what} ({terms})", ppa.price_per_mwh, f"{cur}/MWh", ppa.source)
        if ppa.market_price_per_mwh is not None:
            add(f"{label} market price it settles against", ppa.market_price_per_mwh,
                f"{cur}/MWh", ppa.source)
    for name, fuel in plan.fuels.items():
        add(f"{fuel.display_name(name)} price ({fuel.heating_value_basis})", fuel.price_per_mwh,
            f"{cur}/MWh", fuel.source)
    if plan.carbon_price is not None:
        add("carbon price", plan.carbon_price.price_per_t, f"{cur}/t", plan.carbon_price.source)
    for name, cert in plan.certificates.items():
        add(f"certificate: {name.replace('_', ' ')}", cert.price_per_mwh, f"{cur}/MWh", cert.source)
    for name, tech in plan.technologies.items():
        label = tech.display_name(name)
        per_kwh = getattr(tech, "capex_per_kwh", None)
        if per_kwh is not None:
            add(f"{label}: energy capex", per_kwh, f"{cur}/kWh", tech.source)
        saved = getattr(tech, "capex_per_mwh_saved_per_year", None)
        if saved is not None:
            add(f"{label}: capex", saved, f"{cur} per MWh/yr", tech.source)
        else:
            add(f"{label}: capex", tech.capex_per_kw, f"{cur}/kW", tech.source)
    return rows


def charge_terms(charge: DemandCharge) -> str:
    """How a demand charge's peak is set: "annual peak", "monthly peak, 16:00–19:00,
    weekdays, months 11, 12, 1"."""
    parts = [f"{charge.peak} peak"]
    start, end = charge.hours
    if (start, end) != (0, 24):
        parts.append(f"{start:02d}:00–{end:02d}:00")
    if charge.days != "all":
        parts.append(charge.days)
    if sorted(charge.months) != list(range(1, 13)):
        parts.append("months " + ", ".join(map(str, charge.months)))
    return ", ".join(parts)


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
        "bau_capex_by_year": ({y: float(ds["bau_capex"].sel(year=y)) for y in years}
                              if "bau_capex" in ds else None),
        "periods": periods(ds),
        "cuts": headline_cuts(summary),
        "decisions": top_decisions(ds),
        "mac_year": mac_year,
        "mac": sorted(mac_rows(ds, mac_year), key=_mac_order),
        "min_abatement": MIN_ABATEMENT_PER_MWH,
        "sofc": sofc_stats(ds),
        "sofc_life": sofc_life(ds),
        "sofc_fit_error": (float(ds["sofc_fit_max_error"].max()) if "sofc_fit_max_error" in ds
                           else None),
        "assumptions": assumptions(plan, [y for y in years if y in (years[0], *years_t)]),
        "builds": build_rows(ds),
    }
