"""The ``summary.json`` contract: headline figures of a plan, read from its results."""

from __future__ import annotations

import xarray as xr

from optimiser.post.gaps import verification_gaps
from optimiser.post.matching import clean_shares, consumption
from optimiser.post.results import REPORTED_EMISSIONS
from optimiser.post.statistics import cut_vs_baseline, target_status, versus_bau


def _engine(ds: xr.Dataset) -> dict:
    """How the plan was solved: the whole LP, or by year (bounds, gap, iterations)."""
    if ds.attrs.get("engine") != "decomposed":
        return {"name": "monolithic"}
    return {"name": "decomposed", "iterations": int(ds.attrs["decomposition_iterations"]),
            "gap": float(ds.attrs["decomposition_gap"]),
            "lower_bound": float(ds.attrs["decomposition_lower_bound"])}


def summary(ds: xr.Dataset, timings: dict[str, float], provenance: dict[str, str]) -> dict:
    """Headline figures: cost, emissions by year, targets (met only if met in every year
    they hold, with per-year detail and both implied prices), capacities, costs by category;
    the cut against the baseline (``cut_vs_baseline``) and the comparison with business as
    usual on one named basis, the headline basis
    (:func:`optimiser.post.statistics.headline_basis`), which the report and compare read.

    A plan verified hour by hour (``verified_*``, docs/optimiser.md "Hourly verification")
    has the verified net present cost, emissions and intensity as its headline, the
    representative-day figures beside them (``*_estimate``), and the worse of the planning
    run's status and the verification's (``status_basis`` says which)."""
    years = [int(y) for y in ds["year"].values]
    cur = ds.attrs["currency"]
    checked = verification_gaps(ds)
    estimate = _emissions(ds, ds["emissions"])
    em = _emissions(ds, ds["verified_emissions"]) if checked else estimate
    npc = float(ds.attrs["objective"])
    capacity = {str(t): {str(y): _clean(float(ds["capacity"].sel(tech=t, year=y)))
                         for y in years}
                for t in ds["tech"].values if float(ds["capacity"].sel(tech=t).max()) > 1e-6}
    unserved = float((ds["unserved"] * ds["weight"]).sum())
    return {
        "site": ds.attrs["site"],
        "scenario": {"name": ds.attrs.get("scenario", "reference"),
                     "description": ds.attrs.get("scenario_description", "")},
        **_status(str(ds.attrs["status"]), checked),
        "objective": {"net_present_cost": checked["net_present_cost"] if checked else npc,
                      **({"net_present_cost_estimate": npc} if checked else {}),
                      "figures": "verified" if checked else "estimate", "currency": cur,
                      "mip_gap": _nan_to_none(ds.attrs["mip_gap"])},
        "resolution": ds.attrs["resolution"],
        "engine": _engine(ds),
        "target_mode": ds.attrs.get("target_mode", "company"),
        "sbti_scope2": ds.attrs.get("sbti_scope2", "location"),
        "scope2_matching": ds.attrs.get("scope2_matching", "annual"),
        "clean_electricity_share": _clean_shares(ds),
        "clean_electricity_targets": _clean_targets(ds),
        "instruments": _instruments(ds),
        "emissions": em,
        **({"emissions_estimate": estimate} if checked else {}),
        "intensity_per_vehicle": _intensity(ds, em),
        **({"intensity_per_vehicle_estimate": _intensity(ds, estimate)} if checked else {}),
        "targets": [_target_entry(ds, t, cur) for t in target_status(ds)],
        "cut_vs_baseline": cut_vs_baseline(ds),
        "capacity": capacity,
        "costs_npv": {str(c): float(ds["cost_discounted"].sel(cost_category=c).sum())
                      for c in ds["cost_category"].values},
        "unserved_mwh": unserved,
        "business_as_usual": versus_bau(ds),
        "verification": checked,
        "timings": timings,
        "units": units(ds),
        **provenance,
    }


def _emissions(ds: xr.Dataset, emissions: xr.DataArray) -> dict:
    """Emissions by category and year, and net (scope 1 + scope 2 market-based − credits),
    from the estimate's ``emissions`` or the verified ones."""
    return {str(int(y)): {**{c: float(emissions.sel(category=c, year=y))
                             for c in REPORTED_EMISSIONS},
                          "net": _clean(float(emissions.sel(category="scope1", year=y)
                                              + emissions.sel(category="scope2_market", year=y)
                                              - emissions.sel(category="credits", year=y)),
                                        1e-6)}
            for y in ds["year"].values}


def _intensity(ds: xr.Dataset, emissions: dict) -> dict:
    """Scope 1 + scope 2 market-based (before credits) per vehicle, by year."""
    out = {}
    for y in ds["year"].values:
        vehicles, e = float(ds["vehicles"].sel(year=y)), emissions[str(int(y))]
        out[str(int(y))] = (e["scope1"] + e["scope2_market"]) / vehicles if vehicles > 0 \
            else None
    return out


#: Statuses that write a plan but exit 3, the worse first (cnplan plan).
SHORT_STATUSES = ("demand_not_met", "targets_missed")


def _status(planned: str, checked: dict) -> dict:
    """``status``: the planning run's, or the hourly verification's where that is worse
    (``demand_not_met`` before ``targets_missed``: :func:`optimiser.verify.hourly.verified_status`);
    with a verification, ``status_estimate`` (the planning run's) and ``status_basis``
    (``plan`` or ``verification``: which one set the status)."""
    if not checked:
        return {"status": planned}
    rank = {s: len(SHORT_STATUSES) - i for i, s in enumerate(SHORT_STATUSES)}
    found = checked["status"]
    worse = rank.get(found, 0) > rank.get(planned, 0)
    return {"status": found if worse else planned, "status_estimate": planned,
            "status_basis": "verification" if worse else "plan"}


def units(ds: xr.Dataset) -> dict:
    """The unit of every block of ``summary.json`` (capacity per technology)."""
    cur = ds.attrs["currency"]
    pv = f"{cur}, present value at finance.base_year in money of finance.price_year"
    return {
        "objective": {"net_present_cost": pv, "net_present_cost_estimate": pv,
                      "figures": "verified: hour by hour (cnplan plan --verify); estimate: "
                      "the representative-day planning run"},
        "emissions": "t CO2e/yr", "emissions_estimate": "t CO2e/yr",
        "intensity_per_vehicle": "t CO2e per vehicle (scope 1 + scope 2 market-based, net)",
        "clean_electricity_share": "fraction of the site's electricity consumption matched by "
        "clean supply hour by hour (hourly) or over the year with certificates (annual)",
        "instruments": {"certificates_annual": "MWh/yr", "certificates_hourly": "MWh/yr",
                        "virtual_ppa_certificates": "MWh/yr", "counted": "MWh/yr counted "
                        "against grid imports in market-based scope 2",
                        "ppa_share": "fraction of each PPA's capacity contracted"},
        "clean_electricity_targets": {"share": "fraction", "shortfall_mwh": "MWh/yr",
                                      "price_per_mwh": f"{cur}/MWh of matched clean "
                                      "electricity a year, net of the grid power it saves",
                                      "price_per_point": f"{cur}/yr per percentage point of "
                                      "consumption"},
        "targets": {"limit": "t CO2e/yr", "achieved": "t CO2e/yr", "shortfall": "t CO2e/yr",
                    "credits": "t CO2e/yr counted toward the target (SBTi v2: removals "
                    "neutralising a net-zero target's residual)",
                    "shadow_price": f"{cur}/t CO2e", "shadow_price_upper": f"{cur}/t CO2e",
                    "limit_per_vehicle": "t CO2e per vehicle",
                    "achieved_per_vehicle": "t CO2e per vehicle",
                    "max_credit_share": "fraction of the target's baseline",
                    "baseline": "t CO2e/yr: the baseline on the target's scopes (per vehicle: "
                    "at that year's output)", "credit_share": "fraction of that baseline",
                    "reduction_before_credits": "fraction of that baseline cut by the "
                    "emissions alone",
                    "credits_use": "within_share, only_credits, beyond_share or unknown "
                    "(docs/accounting.md, \"Credits on page 1\")"},
        "cut_vs_baseline": {
            "basis": "the headline basis: the first target's counted scopes "
            "(docs/accounting.md, \"The headline basis\")",
            "net_of_credits": "counted = emitted − credits (company mode) or as emitted "
            "(SBTi v2)",
            "baseline_t": "t CO2e/yr", "baseline_per_vehicle": "t CO2e per vehicle",
            "emitted": "t CO2e/yr", "credits": "t CO2e/yr", "counted": "t CO2e/yr",
            "cut": "fraction of the baseline year's emissions", "per_vehicle":
            "t CO2e per vehicle (counted)", "cut_per_vehicle": "fraction of the baseline "
            "year's emissions per vehicle",
            "measures": "how each target year's cut is stated: absolute, per_vehicle"},
        "capacity": {str(t): str(ds["tech_capacity_unit"].sel(tech=t).values)
                     for t in ds["tech"].values},
        "costs_npv": pv,
        "unserved_mwh": "MWh, summed over the modelled years (each year once)",
        "business_as_usual": {
            "net_present_cost": pv, "extra_net_present_cost": pv,
            "abated_t_present_value": "t CO2e, discounted like money (Σ δ_y · t_y)",
            "cost_per_t_abated": f"{cur}/t CO2e", "emissions": "t CO2e/yr",
            "basis": "the headline basis (cut_vs_baseline.basis)",
            "reduction_vs_baseline": "fraction of the baseline year's emissions",
            "bau_reduction_vs_baseline": "fraction of the baseline year's emissions",
            "figures": "verified: both plans verified hour by hour; estimate: representative "
            "days (the estimate block when verified)"},
        "verification": {"net_present_cost": pv, "net_present_cost_estimate": pv,
                         "net_present_cost_gap": "(estimate − verified) / verified",
                         "operating_cost": f"{cur}/yr: every yearly cost but target slack, "
                         "unserved energy at the value of lost load (undiscounted)",
                         "scope1_2_market": "t CO2e/yr", "value_of_lost_load": f"{cur}/MWh",
                         "unserved_mwh": "MWh/yr", "unserved_cost": f"{cur}/yr",
                         "peak_import_mw": "MW",
                         "targets_missed": "t CO2e/yr over each target's limit",
                         "clean_target_short_mwh": "MWh/yr"},
        "timings": "s",
    }


def _clean_shares(ds: xr.Dataset) -> dict:
    """Hourly-matched and annual clean-electricity shares by year (optimiser.post.matching)."""
    if "tech_carbon_free" not in ds.coords:
        return {}
    shares = clean_shares(ds)
    return {str(int(y)): {k: float(v.sel(year=y)) for k, v in shares.items()}
            for y in ds["year"].values}


def _instruments(ds: xr.Dataset) -> dict:
    """Certificates by kind and year, what market-based scope 2 counts of them, and the share
    of each PPA contracted (docs/accounting.md, "Contractual instruments")."""
    if "certificates_annual" not in ds:
        return {}
    hourly = (ds["certificates_hourly"] * ds["weight"]).sum(("period", "hour"))
    virtual = ((ds["ppa_certificates"] * ds["weight"]).sum(("ppa", "period", "hour"))
               if ds.sizes.get("ppa", 0) else 0.0 * hourly)
    by_year = {str(int(y)): {"certificates_annual": float(ds["certificates_annual"].sel(year=y)),
                             "certificates_hourly": float(hourly.sel(year=y)),
                             "virtual_ppa_certificates": float(virtual.sel(year=y)),
                             "counted": float(ds["certificates_bought"].sel(year=y))}
               for y in ds["year"].values}
    shares = ({str(p): float(ds["ppa_share"].sel(ppa=p)) for p in ds["ppa"].values}
              if ds.sizes.get("ppa", 0) else {})
    return {"by_year": by_year, "ppa_share": shares}


def _clean_targets(ds: xr.Dataset) -> list[dict]:
    """Each year a clean-electricity target holds: least share, matching, met, shortfall and
    the implied price per MWh and per percentage point of consumption."""
    if "clean_target_share" not in ds:
        return []
    used = (consumption(ds) * ds["weight"]).sum(("period", "hour"))
    out = []
    for y in ds["year"].values:
        share = float(ds["clean_target_share"].sel(year=y))
        if share != share:
            continue
        price = _nan_to_none(float(ds["clean_target_price"].sel(year=y)))
        short = float(ds["clean_target_shortfall"].sel(year=y))
        out.append({"year": int(y), "share": share,
                    "matching": str(ds["clean_target_matching"].sel(year=y).values),
                    "met": short <= 1e-3, "shortfall_mwh": short, "price_per_mwh": price,
                    "price_per_point": None if price is None else
                    price * 0.01 * float(used.sel(year=y))})
    return out


def _target_entry(ds: xr.Dataset, status: dict, cur: str) -> dict:
    """One target: its own year's figures, whether it is met in every year, per-year detail."""
    year = status["year"]
    first = status["years"].get(year, {})
    entry = {"name": status["name"], "year": year, "basis": status["basis"],
             "limit": first.get("limit"), "achieved": first.get("achieved"),
             "met": status["met"], "missed_in": status["missed_in"],
             "shortfall": max((r["shortfall"] for r in status["years"].values()), default=0.0),
             "shadow_price": first.get("price_lower"),
             "shadow_price_upper": first.get("price_upper"), "binds": first.get("binds", ""),
             "units": "t CO2e/yr", "shadow_price_units": f"{cur}/t CO2e",
             "scopes": status["scopes"], "credits": first.get("credits", 0.0),
             "needs_credits_in": status["needs_credits_in"],
             "max_credit_share": status["max_credit_share"],
             "credits_use": status["credits_use"],
             "years": {str(y): r for y, r in status["years"].items()}}
    if status["basis"] == "per_vehicle" and first:
        vehicles = float(ds["vehicles"].sel(year=year))
        entry["limit_per_vehicle"] = first["limit"] / vehicles
        entry["achieved_per_vehicle"] = first["achieved"] / vehicles
    return entry


def _clean(value: float, tol: float = 1e-9) -> float:
    """Solver noise around zero (e.g. -1e-12 MW) reported as 0."""
    return 0.0 if abs(value) < tol else value


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value
