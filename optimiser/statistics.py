"""Statistics of a results Dataset: annual sums, emissions on a target's basis, abatement by
lever, target status. They read the Dataset only (never the plan), in the spirit of PyPSA's
``statistics``; the report and the sweeps use them.

Abatement by lever (docs/optimiser.md, "Abatement by lever") is a stated sequential
decomposition of the change from the baseline's emissions E₀ to a year's emissions E(y), on a
basis S of scopes (e.g. scope 1 + market-based scope 2):

  E₀ − E(y) = volume + factors + Σ_levers wedge + other,

* e(y): the grid's factor on the basis (market: residual mix; location: annual average),
  h(y): emissions of a MWh of useful heat from the baseline's fuels and boilers in year y;
  D, H: electricity and heat demand before efficiency; R₀: baseline on-site renewables;
  r₀ = E₀,el/(D₀ − R₀), h₀ = E₀,heat/H₀ the baseline's own intensities.
* volume = r₀(D₀ − D(y)) + h₀(H₀ − H(y)): production and weather changing demand (its own
  effect, not a lever);
* factors = (r₀ − e(y))(D(y) − R₀) + (h₀ − h(y))H(y): the grid and fuels decarbonising
  without the site doing anything;
* each technology's wedge at year y's own factors: e(y)·(electricity it supplies net of what
  it draws, less its share of each hour's export) + h(y)·(heat it supplies) − the emissions of
  the fuel it burns on the basis; summed by the lever its schema class names; power bought
  over a private wire counts with on-site renewables, and R₀ is taken off them;
* certificates: e(y)·(certificates bought), on the market basis;
* other: what closes the balance (unserved energy; on the location basis, the hourly shape
  of the grid factor).

With the grid factor 0 in year y, electricity from any lever abates nothing in y.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

#: Effects of the decomposition, in the order the report draws them.
EFFECTS = ("volume", "grid & fuel factors", "efficiency", "electrification",
           "on-site renewables", "SOFC", "fuels & boilers", "storage", "certificates", "other")
#: The effects that are the site's own levers (volume and factors are not).
LEVERS = EFFECTS[2:-1]
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


def _factors(ds: xr.Dataset, scopes: tuple[str, ...]) -> tuple[xr.DataArray, xr.DataArray,
                                                               float, float]:
    """e(y), h(y), E₀ of electricity and of heat on the basis ``scopes``."""
    base = ds["baseline_emissions"]
    if "scope2_market" in scopes:
        e, el0 = ds["grid_factor"].sel(factor_basis="market"), float(base.sel(
            baseline_category="scope2_market"))
    elif "scope2_location" in scopes:
        e, el0 = ds["grid_factor"].sel(factor_basis="location"), float(base.sel(
            baseline_category="scope2_location"))
    else:
        e, el0 = xr.zeros_like(ds["grid_factor"].sel(factor_basis="market")), 0.0
    heat_cats = [c for c in ("scope1", "upstream") if c in scopes]
    h = ds["heat_factor"].sel(fuel_category=heat_cats).sum("fuel_category")
    heat0 = float(base.sel(baseline_category=heat_cats).sum()) if heat_cats else 0.0
    return e.drop_vars("factor_basis"), h, el0, heat0


def _heat_carriers(ds: xr.Dataset) -> list[str]:
    return [str(c) for c in ds["carrier"].values if c != "electricity"]


def tech_fuel_emissions(ds: xr.Dataset, scopes: tuple[str, ...]) -> xr.DataArray:
    """Emissions of the fuel each technology burns, on the basis ``scopes`` (tech, year)."""
    cats = [c for c in ("scope1", "upstream") if c in scopes]
    if not cats or ds.sizes.get("fuel", 0) == 0:
        return xr.zeros_like(ds["capacity"])
    factor = ds["fuel_factor"].sel(fuel_category=cats).sum("fuel_category")
    return (ds["fuel_use"] * factor).sum("fuel")


def export_shares(ds: xr.Dataset) -> xr.DataArray:
    """Each technology's part of the exports of each year [MWh/yr]: every hour's export
    split in proportion to the electricity each generating technology (solar, wind, storage,
    SOFC: ``generates`` on its schema class) puts into that hour."""
    gen = ds["dispatch"].sel(carrier="electricity").clip(min=0).where(ds["tech_generates"], 0.0)
    total = gen.sum("tech")
    share = xr.where(total > 0, gen / total.where(total > 0), 0.0)
    return annual(ds, share * ds["grid_export"])


def tech_wedges(ds: xr.Dataset, scopes: tuple[str, ...] = DEFAULT_BASIS) -> xr.DataArray:
    """Abatement of each technology in each year at that year's factors (tech, year)."""
    e, h, _, _ = _factors(ds, scopes)
    heat = _heat_carriers(ds)
    net_el = annual(ds, ds["dispatch"].sel(carrier="electricity") - ds["consumption"].sel(
        carrier="electricity")) - export_shares(ds)
    net_heat = annual(ds, ds["dispatch"].sel(carrier=heat)).sum("carrier") if heat else 0.0
    return e * net_el + h * net_heat - tech_fuel_emissions(ds, scopes)


def abatement(ds: xr.Dataset, scopes: tuple[str, ...] = DEFAULT_BASIS) -> xr.DataArray:
    """The decomposition of the module docstring: (effect, year) [t CO2e/yr]."""
    scopes = tuple(scopes)
    e, h, el0, heat0 = _factors(ds, scopes)
    heat = _heat_carriers(ds)
    demand = annual(ds, ds["demand"])
    d, hh = demand.sel(carrier="electricity"), demand.sel(carrier=heat).sum("carrier")
    base_d = ds["baseline_demand"]
    d0 = float(base_d.sel(carrier="electricity"))
    h0_mwh = float(base_d.sel(carrier=heat).sum()) if heat else 0.0
    r_on = float(ds["baseline_onsite_renewable"])
    r0 = el0 / (d0 - r_on) if d0 > r_on else 0.0
    h0 = heat0 / h0_mwh if h0_mwh > 0 else 0.0
    out = {k: xr.zeros_like(d) for k in EFFECTS}
    out["volume"] = r0 * (d0 - d) + h0 * (h0_mwh - hh)
    out["grid & fuel factors"] = (r0 - e) * (d - r_on) + (h0 - h) * hh
    wedges = tech_wedges(ds, scopes)
    for lever in LEVERS:
        techs = ds["tech"].where(ds["tech_lever"] == lever, drop=True).values
        if len(techs):
            out[lever] = out[lever] + wedges.sel(tech=techs).sum("tech")
    ppa = annual(ds, ds["ppa_take"]).sum("ppa") if ds.sizes.get("ppa", 0) else 0.0
    out["on-site renewables"] = out["on-site renewables"] + e * (ppa - r_on)
    if "scope2_market" in scopes:
        out["certificates"] = e * ds["certificates_bought"]
    total0 = el0 + heat0
    explained = sum(out[k] for k in EFFECTS if k != "other")
    out["other"] = total0 - explained - emissions_on(ds, scopes)
    return xr.concat([out[k].drop_vars([c for c in out[k].coords if c != "year"])
                      for k in EFFECTS], dim=xr.DataArray(list(EFFECTS), dims="effect"))


def target_status(ds: xr.Dataset) -> list[dict]:
    """Each target in every year it holds: limit, emissions counted, met, shortfall, implied
    prices (both sides) and what binds; met overall only if met in every year."""
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
            rows[int(y)] = {
                "limit": limit, "achieved": counted,
                "met": bool(counted <= limit * (1 + 1e-6) + 1e-3),
                "shortfall": float(ds["target_shortfall_by_year"].sel(sel)),
                "price_lower": _finite(ds["target_price_lower"].sel(sel)),
                "price_upper": _finite(ds["target_price_upper"].sel(sel)),
                "binds": str(ds["target_binds"].sel(sel).values)}
        out.append({"name": str(name), "year": int(ds["target_year"][i]),
                    "basis": str(ds["target_basis"].values[i]), "years": rows,
                    "met": all(r["met"] for r in rows.values()),
                    "missed_in": [y for y, r in rows.items() if not r["met"]]})
    return out


def _finite(da: xr.DataArray) -> float | None:
    x = float(da)
    return x if np.isfinite(x) else None
