"""Statistics of a results Dataset: annual sums, emissions on a target's basis, abatement by
lever, target status. They read the Dataset only (never the plan), in the spirit of PyPSA's
``statistics``; the report and the sweeps use them.

Abatement by lever (docs/optimiser.md, "Abatement by lever") is a stated sequential
decomposition of the change from the baseline's emissions E₀ to a year's emissions E(y), on a
basis S of scopes (e.g. scope 1 + market-based scope 2):

  E₀ − E(y) = calibration + volume + factors + Σ_levers wedge + other,

* e(y, t): the grid's factor on the basis, hour by hour (market: the residual mix; location:
  the annual factor × its hourly shape); h_c(y): emissions of a MWh of useful heat of class c
  from the baseline's own fuel-fired plant in year y as the heat model burns it
  (:func:`plant.factors.heat_counterfactual`); D(t), H_c: electricity and heat demand before
  efficiency; R₀: baseline on-site renewables, valued at the demand-weighted mean ē(y);
  r₀ = E₀,el/(D₀ − R₀) the baseline's own electricity intensity; E₀,heat the stated
  baseline's fuel emissions on the basis.
* baseline calibration = E₀,heat − Σ_c h_c(y₀)H_c,₀ (the same in every year): what the stated
  baseline (``baseline.fuels_mwh``, reported scope 1) emits beyond what the heat model's
  baseline plant burns for the baseline year's heat demand. Not a lever: it is a gap in the
  inputs (an efficiency or a heat demand inconsistent with the fuel stated), so a plant that
  changes nothing abates nothing by any lever;
* volume = r₀(D₀ − D(y)) + Σ_c h_c(y₀)(H_c,₀ − H_c(y)): production and weather changing demand
  (its own effect, not a lever);
* factors = r₀(D(y) − R₀) − (Σ_t w_t e(y,t)D(t) − ē(y)R₀) + Σ_c (h_c(y₀) − h_c(y))H_c(y): the
  grid and fuels decarbonising without the site doing anything;
* each technology's wedge at year y's own factors: Σ_t w_t e(y,t)·(electricity it supplies,
  net of what it draws and of its share of that hour's export) + Σ_c h_c(y)·(heat of class c
  it supplies) − the emissions of the fuel it burns on the basis; summed by the lever its
  schema class names; power over a private wire counts with on-site renewables, less ē·R₀;
* certificates: r(y)·(certificates bought), on the market basis;
* other: what closes the balance: unserved energy (zero when all demand is served).

With the grid factor 0 in year y, electricity from any lever abates nothing in y.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

#: Emission categories that happen once in their modelled year (embodied emissions of what
#: is built), not in every year of its span.
ONE_OFF_EMISSIONS = ("scope3_embodied",)
#: Effects of the decomposition, in the order the report draws them.
EFFECTS = ("baseline calibration", "volume", "grid & fuel factors", "efficiency",
           "electrification", "on-site renewables", "SOFC", "fuels & boilers", "storage",
           "workplace EVs", "certificates", "other")
#: The effects that are the site's own levers (calibration, volume and factors are not).
LEVERS = EFFECTS[3:-1]
#: The effects before the levers, drawn grey (not the site's doing).
NOT_LEVERS = EFFECTS[:3]
#: The headline basis of a run without targets (:func:`headline_basis`).
DEFAULT_BASIS = ("scope1", "scope2_market")


def annual(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    """Σ over the time grid weighted by the days each period stands for [MWh from MW]."""
    return (da * ds["weight"]).sum(("period", "hour"))


def basis_name(scopes: tuple[str, ...] | list[str]) -> str:
    """``("scope1", "scope2_market")`` -> ``"scope1+scope2_market"``."""
    return "+".join(scopes)


def emissions_on(ds: xr.Dataset, scopes: tuple[str, ...] | list[str]) -> xr.DataArray:
    """Emissions of each year summed over ``scopes`` (before credits) [t CO2e/yr]."""
    return ds["emissions"].sel(category=list(scopes)).sum("category")


def headline_basis(ds: xr.Dataset) -> tuple[str, ...]:
    """The scopes of the headline figures (docs/accounting.md, "The headline basis"): the
    first target's counted scopes (SBTi v2: scope 2 location-based), else
    :data:`DEFAULT_BASIS`."""
    if "target_scopes" in ds and ds.sizes.get("target", 0):
        return tuple(str(ds["target_scopes"].values[0]).split("+"))
    return DEFAULT_BASIS


def credits_netted(ds: xr.Dataset) -> bool:
    """The headline figures are net of credits, except under SBTi v2 (credits are never
    netted from the inventory there)."""
    return ds.attrs.get("target_mode", "company") != "sbti_v2"


def _counted(ds: xr.Dataset, scopes: tuple[str, ...], netted: bool) -> xr.DataArray:
    """Emissions on ``scopes``, net of credits where ``netted`` [t CO2e/yr, by year]; a
    difference within 1e-9 of the gross emissions (credits offsetting them exactly, up to
    rounding) is 0."""
    gross = emissions_on(ds, scopes)
    if not netted:
        return gross
    net = gross - ds["emissions"].sel(category="credits")
    return net.where(abs(net) > 1e-9 * abs(gross), 0.0)


def _baseline_on(ds: xr.Dataset, scopes: tuple[str, ...]) -> float:
    """The baseline year's emissions on ``scopes`` [t CO2e/yr]."""
    base = ds["baseline_emissions"]
    return float(base.sel(baseline_category=[
        s for s in scopes if s in base["baseline_category"].values]).sum())


def _cut(value: float, base: float) -> float | None:
    """1 − value/base, the fraction cut against the baseline (None without a baseline)."""
    return 1.0 - value / base if base > 0 else None


def _use_verified(ds: xr.Dataset, figures: str, verified_here: bool) -> xr.Dataset | None:
    """``ds`` with the verified emissions as its emissions, where ``figures`` asks for them
    (``auto``: where ``verified_here``), else None."""
    if figures == "verified" or (figures == "auto" and verified_here):
        return ds.assign(emissions=ds["verified_emissions"])
    return None


def cut_vs_baseline(ds: xr.Dataset, figures: str = "auto") -> dict:
    """The headline emissions and cut against the baseline year by year, on
    :func:`headline_basis`, net of credits where :func:`credits_netted`.

    ``figures``: ``verified`` (hour by hour), ``estimate`` (representative days) or ``auto``
    (verified where the run was, with the estimate beside it as ``estimate``). Per year:
    emitted (before credits), credits, counted (emitted − credits where netted), cut =
    1 − counted / E₀; per vehicle, counted / V(y) and its cut against E₀ / V₀ (None where the
    results do not carry the baseline's vehicles). ``measures``: how each target year's cut
    is stated, ``absolute`` and/or ``per_vehicle`` as its targets are set.
    """
    scopes, netted = headline_basis(ds), credits_netted(ds)
    checked = _use_verified(ds, figures, "verified_emissions" in ds)
    shown = ds if checked is None else checked
    base = _baseline_on(ds, scopes)
    per_vehicle_base = _baseline_per_vehicle(ds, base)
    gross = emissions_on(shown, scopes)
    credits = shown["emissions"].sel(category="credits")
    counted = _counted(shown, scopes, netted)
    by_year = {}
    for y in ds["year"].values:
        n = float(counted.sel(year=y))
        vehicles = float(ds["vehicles"].sel(year=y)) if "vehicles" in ds else 0.0
        intensity = n / vehicles if vehicles > 0 else None
        by_year[str(int(y))] = {
            "emitted": float(gross.sel(year=y)), "credits": float(credits.sel(year=y)),
            "counted": n, "cut": _cut(n, base), "per_vehicle": intensity,
            "cut_per_vehicle": None if intensity is None or per_vehicle_base is None
            else _cut(intensity, per_vehicle_base)}
    out = {"basis": basis_name(scopes), "net_of_credits": netted, "baseline_t": base,
           "baseline_per_vehicle": per_vehicle_base, "measures": _measures(ds),
           "figures": "estimate" if checked is None else "verified", "by_year": by_year}
    if checked is not None and figures == "auto":
        out["estimate"] = cut_vs_baseline(ds, "estimate")
    return out


def _baseline_per_vehicle(ds: xr.Dataset, base: float) -> float | None:
    """E₀ / V₀ on the headline basis, where the results carry the baseline's vehicles."""
    vehicles = float(ds.attrs.get("baseline_vehicles", 0.0))
    return base / vehicles if vehicles > 0 else None


def _measures(ds: xr.Dataset) -> dict[str, list[str]]:
    """Each target year's targets' bases (``absolute`` first): how its cut is stated."""
    if "target_basis" not in ds or not ds.sizes.get("target", 0):
        return {}
    out: dict[str, list[str]] = {}
    for year, basis in zip(ds["target_year"].values, ds["target_basis"].values, strict=True):
        kinds = out.setdefault(str(int(year)), [])
        if str(basis) not in kinds:
            kinds.append(str(basis))
    return {y: sorted(k, key=lambda b: b != "absolute") for y, k in out.items()}


def _electricity_factor(ds: xr.Dataset, scopes: tuple[str, ...]) -> tuple[xr.DataArray,
                                                                          float]:
    """e(y, t) on the basis ``scopes`` (market: residual mix; location: the annual factor ×
    its hourly shape; neither: 0) and the baseline's electricity emissions E₀,el."""
    base = ds["baseline_emissions"]
    shape = xr.ones_like(ds["grid_carbon_shape"])
    if "scope2_market" in scopes:
        factor, el0 = ds["grid_factor"].sel(factor_basis="market"), float(base.sel(
            baseline_category="scope2_market"))
    elif "scope2_location" in scopes:
        factor, el0 = ds["grid_factor"].sel(factor_basis="location"), float(base.sel(
            baseline_category="scope2_location"))
        shape = ds["grid_carbon_shape"]
    else:
        return xr.zeros_like(ds["grid_factor"].sel(factor_basis="market") * shape), 0.0
    return factor.drop_vars("factor_basis") * shape, el0


def _heat_categories(scopes: tuple[str, ...]) -> list[str]:
    return [c for c in ("scope1", "upstream") if c in scopes]


def _heat_factors(ds: xr.Dataset, scopes: tuple[str, ...]) -> tuple[xr.DataArray,
                                                                     xr.DataArray]:
    """h_c(y) and h_c(y₀) on the basis ``scopes`` (heat_class[, year]) [t/MWh useful]."""
    cats = _heat_categories(scopes)
    now = ds["heat_factor"].sel(fuel_category=cats).sum("fuel_category")
    then = ds["heat_factor_baseline"].sel(fuel_category=cats).sum("fuel_category")
    return now, then


def by_heat_class(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    """The heat carriers of ``da`` relabelled as ``heat_class``."""
    heat = [str(c) for c in ds["heat_class"].values]
    return da.sel(carrier=heat).rename(carrier="heat_class")


def tech_fuel_emissions(ds: xr.Dataset, scopes: tuple[str, ...]) -> xr.DataArray:
    """Emissions of the fuel each technology burns, on the basis ``scopes`` (tech, year)."""
    cats = _heat_categories(scopes)
    if not cats or ds.sizes.get("fuel", 0) == 0:
        return xr.zeros_like(ds["capacity"])
    factor = ds["fuel_factor"].sel(fuel_category=cats).sum("fuel_category")
    return (ds["fuel_use"] * factor).sum("fuel")


def export_shares(ds: xr.Dataset) -> xr.DataArray:
    """Each technology's part of every hour's export [MW]: split in proportion to the
    electricity each generating technology (solar, wind, storage, SOFC: ``generates`` on its
    schema class) puts into that hour. Efficiency measures take no share."""
    gen = ds["dispatch"].sel(carrier="electricity").clip(min=0).where(ds["tech_generates"], 0.0)
    total = gen.sum("tech")
    share = xr.where(total > 0, gen / total.where(total > 0), 0.0)
    return share * ds["grid_export"]


def net_electricity(ds: xr.Dataset) -> xr.DataArray:
    """Electricity each technology supplies to the site, net of what it draws and of its
    share of the export, hour by hour (tech, year, period, hour) [MW]."""
    return (ds["dispatch"].sel(carrier="electricity")
            - ds["consumption"].sel(carrier="electricity") - export_shares(ds))


def tech_wedges(ds: xr.Dataset, scopes: tuple[str, ...] = DEFAULT_BASIS) -> xr.DataArray:
    """Abatement of each technology in each year at that year's factors (tech, year)."""
    e, _ = _electricity_factor(ds, tuple(scopes))
    h, _ = _heat_factors(ds, tuple(scopes))
    heat = annual(ds, by_heat_class(ds, ds["dispatch"]))
    return annual(ds, e * net_electricity(ds)) + (h * heat).sum("heat_class") - (
        tech_fuel_emissions(ds, tuple(scopes)))


def abatement(ds: xr.Dataset, scopes: tuple[str, ...] = DEFAULT_BASIS) -> xr.DataArray:
    """The decomposition of the module docstring: (effect, year) [t CO2e/yr]."""
    scopes = tuple(scopes)
    e, el0 = _electricity_factor(ds, scopes)
    h, h0 = _heat_factors(ds, scopes)
    demand_el = ds["demand"].sel(carrier="electricity")
    d = annual(ds, demand_el)
    heat_demand = annual(ds, by_heat_class(ds, ds["demand"]))
    d0 = float(ds["baseline_demand"].sel(carrier="electricity"))
    heat0 = by_heat_class(ds, ds["baseline_demand"])
    r_on = float(ds["baseline_onsite_renewable"])
    r0 = el0 / (d0 - r_on) if d0 > r_on else 0.0
    valued = annual(ds, e * demand_el)
    mean_e = valued / d.where(d > 0, 1.0)
    out = {k: xr.zeros_like(d) for k in EFFECTS}
    base = ds["baseline_emissions"]
    heat_stated = float(base.sel(baseline_category=_heat_categories(scopes)).sum())
    out["baseline calibration"] = out["baseline calibration"] + heat_stated - float(
        (h0 * heat0).sum())
    out["volume"] = r0 * (d0 - d) + (h0 * (heat0 - heat_demand)).sum("heat_class")
    out["grid & fuel factors"] = (r0 * (d - r_on) - (valued - mean_e * r_on)
                                  + ((h0 - h) * heat_demand).sum("heat_class"))
    wedges = tech_wedges(ds, scopes)
    for lever in LEVERS:
        techs = ds["tech"].where(ds["tech_lever"] == lever, drop=True).values
        if len(techs):
            out[lever] = out[lever] + wedges.sel(tech=techs).sum("tech")
    ppa = annual(ds, e * ds["ppa_take"]).sum("ppa") if ds.sizes.get("ppa", 0) else 0.0
    out["on-site renewables"] = out["on-site renewables"] + ppa - mean_e * r_on
    if "scope2_market" in scopes:
        out["certificates"] = ds["grid_factor"].sel(factor_basis="market", drop=True) * (
            ds["certificates_bought"])
    total0 = el0 + heat_stated
    explained = sum(out[k] for k in EFFECTS if k != "other")
    out["other"] = total0 - explained - emissions_on(ds, scopes)
    return xr.concat([out[k].drop_vars([c for c in out[k].coords if c != "year"])
                      for k in EFFECTS], dim=xr.DataArray(list(EFFECTS), dims="effect"))


def target_status(ds: xr.Dataset) -> list[dict]:
    """Each target in every year it holds: limit, emissions counted, met, shortfall, implied
    prices (both sides), what binds, and the credits it counts against its baseline
    (:func:`_credit_rows`); met overall only if met in every year; ``credits_use`` says how
    the years that need credits use them (:func:`credits_use`)."""
    out: list[dict] = []
    if "target" not in ds.coords:
        return out
    holds = ds["target_holds"]
    for i, name in enumerate(ds["target"].values):
        rows = {}
        for y in ds["year"].values:
            if not bool(holds.isel(target=i).sel(year=y)):
                continue
            sel = {"target": name, "year": y}
            limit = float(ds["target_limit_by_year"].sel(sel))
            counted = float(ds["target_counted"].sel(sel))
            credits = float(ds["target_credits"].sel(sel)) if "target_credits" in ds else 0.0
            rows[int(y)] = {
                "limit": limit, "achieved": counted, "credits": credits,
                "met": _within(counted, limit),
                "met_without_credits": _within(counted + credits, limit),
                "shortfall": float(ds["target_shortfall_by_year"].sel(sel)),
                "price_lower": _finite(ds["target_price_lower"].sel(sel)),
                "price_upper": _finite(ds["target_price_upper"].sel(sel)),
                "binds": str(ds["target_binds"].sel(sel).values),
                **_credit_rows(ds, i, int(y), counted, credits)}
        needs = [y for y, r in rows.items() if r["met"] and not r["met_without_credits"]]
        cap = (_finite(ds["target_max_credit_share"].isel(target=i))
               if "target_max_credit_share" in ds else None)
        out.append({"name": str(name), "year": int(ds["target_year"][i]),
                    "basis": str(ds["target_basis"].values[i]),
                    "scopes": str(ds["target_scopes"].values[i]), "years": rows,
                    "met": all(r["met"] for r in rows.values()),
                    "missed_in": [y for y, r in rows.items() if not r["met"]],
                    "needs_credits_in": needs, "max_credit_share": cap,
                    "credits_use": credits_use([rows[y] for y in needs], cap)})
    return out


def _credit_rows(ds: xr.Dataset, i: int, year: int, counted: float, credits: float) -> dict:
    """Target ``i``'s baseline B in ``year`` (E₀ on its scopes; per vehicle × V(y)/V₀, the
    tonnes its cap and limit are shares of), its credits as a share of B and the cut its
    emissions alone make (1 − emitted/B); None where the results lack V₀."""
    base = _baseline_on(ds, tuple(str(ds["target_scopes"].values[i]).split("+")))
    if str(ds["target_basis"].values[i]) == "per_vehicle":
        vehicles0 = float(ds.attrs.get("baseline_vehicles", 0.0))
        base = base * float(ds["vehicles"].sel(year=year)) / vehicles0 if vehicles0 > 0 \
            else 0.0
    if base <= 0:
        return {"baseline": None, "credit_share": None, "reduction_before_credits": None}
    return {"baseline": base, "credit_share": credits / base,
            "reduction_before_credits": 1.0 - (counted + credits) / base}


def credits_use(rows: list[dict], cap: float | None) -> str | None:
    """How a met target uses credits in the years that need them (``rows``), the report's
    wording (docs/accounting.md, "Credits"): None (no year needs them); ``only_credits``
    (in some year its emissions alone cut nothing against its baseline); ``beyond_share``
    (more than the share ``cap`` of the baseline it allows); ``within_share`` (its emissions
    fall and the credits stay within the cap); ``unknown`` (results without the cap or the
    baseline)."""
    if not rows:
        return None
    if cap is None or any(r.get("credit_share") is None for r in rows):
        return "unknown"
    if any(r["reduction_before_credits"] <= 1e-6 for r in rows):
        return "only_credits"
    if any(r["credit_share"] > cap * (1 + 1e-6) + 1e-9 for r in rows):
        return "beyond_share"
    return "within_share"


def _within(emitted: float, limit: float) -> bool:
    """At or below the limit, up to solver tolerance (1e-6 relative, 1 kg absolute)."""
    return bool(emitted <= limit * (1 + 1e-6) + 1e-3)


def _finite(da: xr.DataArray) -> float | None:
    x = float(da)
    return x if np.isfinite(x) else None


def attach_bau(ds: xr.Dataset, bau: xr.Dataset) -> None:
    """Add the business-as-usual plan's emissions and costs to ``ds`` (``bau_*``)."""
    ds["bau_emissions"] = bau["emissions"].assign_attrs(
        long_name="emissions of the business-as-usual plan", units="t CO2e/yr")
    ds["bau_cost"] = bau["cost"].assign_attrs(long_name="undiscounted cost of the "
                                              "business-as-usual plan")
    ds["bau_capex"] = bau["capex"].sum("tech").assign_attrs(
        units=bau["capex"].attrs.get("units", ""), long_name="investment of the "
        "business-as-usual plan (like-for-like replacements)")
    if "tech_embodied" in bau:
        ds["bau_embodied_once"] = bau["tech_embodied"].sum("tech").assign_attrs(
            units="t CO2e", long_name="embodied emissions of what the business-as-usual plan "
            "builds in the year (one-off)")
    ds.attrs["bau_objective"] = float(bau.attrs["objective"])
    ds.attrs["bau_status"] = str(bau.attrs["status"])
    if "verified_emissions" in bau:  # verified hour by hour too (cnplan plan --verify)
        ds["bau_verified_emissions"] = bau["verified_emissions"].assign_attrs(
            long_name="emissions of the business-as-usual plan, verified hour by hour",
            units="t CO2e/yr")
        ds.attrs["bau_verified_objective"] = float(bau.attrs["verified_objective"])


def verified_basis(ds: xr.Dataset) -> bool:
    """The plan and its business as usual were both verified hour by hour: their comparison
    is drawn on the verified figures (:func:`versus_bau`)."""
    return "verified_emissions" in ds and "bau_verified_emissions" in ds


def one_off_emissions(ds: xr.Dataset, prefix: str = "") -> xr.DataArray:
    """The one-off part of the embodied emissions by year [t CO2e]: what is built
    (``tech_embodied``, or ``bau_embodied_once``), else all of ``scope3_embodied`` (a run or
    Dataset without the split)."""
    held = "bau_embodied_once" if prefix else "tech_embodied"
    if held in ds:
        return ds[held].sum("tech") if "tech" in ds[held].dims else ds[held]
    return ds[f"{prefix}emissions"].sel(category=list(ONE_OFF_EMISSIONS)).sum("category")


def versus_bau(ds: xr.Dataset, scopes: tuple[str, ...] | None = None,
               figures: str = "auto") -> dict | None:
    """What the roadmap costs and cuts against business as usual (None without a BAU run).

    ``scopes``: default :func:`headline_basis` (the first target's counted scopes), net of
    credits where :func:`credits_netted`, as :func:`cut_vs_baseline` counts them.
    ``figures``: ``verified`` (each plan's net present cost and emissions verified hour by
    hour, docs/optimiser.md "Hourly verification"), ``estimate`` (the representative-day
    figures) or ``auto``: verified where both plans were (:func:`verified_basis`), with the
    estimate's comparison beside it (``estimate``), else the estimate.

    extra_cost = NPC − NPC_BAU; abated = Σ_y δ_y·(E_BAU(y) − E(y)), the present value of the
    tonnes the roadmap avoids (E on the basis, counted as the cut is; the embodied emissions
    of what is built, a one-off in their modelled year, with that year's discount v_y instead
    of the span's δ_y, :func:`one_off_emissions`); cost per tonne =
    extra_cost / abated, an average over the whole roadmap (no-regret measures included),
    not the marginal cost that the implied carbon prices give. Reductions against the
    baseline year are on the same basis (docs/plans.md).
    """
    if "bau_emissions" not in ds:
        return None
    scopes = headline_basis(ds) if scopes is None else tuple(scopes)
    netted = credits_netted(ds)
    ds_in, verified = ds, figures == "verified" or (figures == "auto" and verified_basis(ds))
    if verified:
        ds = ds.assign(emissions=ds["verified_emissions"],
                       bau_emissions=ds["bau_verified_emissions"])
        ds.attrs = {**ds_in.attrs, "objective": ds_in.attrs["verified_objective"],
                    "bau_objective": ds_in.attrs["bau_verified_objective"]}
    net = _counted(ds, scopes, netted)
    bau = ds["bau_emissions"].sel(category=list(scopes)).sum("category")
    abated = float((ds["discount_factor"] * (bau - net)).sum())
    one_off = [s for s in scopes if s in ONE_OFF_EMISSIONS]
    if one_off and "once_discount_factor" in ds:  # counted once, not in each span year
        gap = one_off_emissions(ds, "bau_") - one_off_emissions(ds)
        abated -= float(((ds["discount_factor"] - ds["once_discount_factor"]) * gap).sum())
    extra = float(ds.attrs["objective"]) - float(ds.attrs["bau_objective"])
    base = _baseline_on(ds, scopes)
    years = [int(y) for y in ds["year"].values]
    return {
        "basis": basis_name(scopes),
        "net_of_credits": netted,
        "net_present_cost": float(ds.attrs["bau_objective"]),
        "extra_net_present_cost": extra,
        "abated_t_present_value": abated,
        "cost_per_t_abated": extra / abated if abated > 1e-6 else None,
        "emissions": {str(y): float(bau.sel(year=y)) for y in years},
        "reduction_vs_baseline": {str(y): _cut(float(net.sel(year=y)), base) for y in years},
        "bau_reduction_vs_baseline": {str(y): _cut(float(bau.sel(year=y)), base)
                                      for y in years},
        "status": ds.attrs.get("bau_status", ""),
        "figures": "verified" if verified else "estimate",
        **({"estimate": versus_bau(ds_in, scopes, "estimate")} if verified and figures == "auto"
           else {}),
    }
