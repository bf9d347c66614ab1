"""Abatement by lever: how the plan gets from baseline emissions to a year's emissions.

Baseline intensities per MWh of demand: f_el = scope 2 (market) / electricity used and
f_heat = scope 1 / useful heat demand, both in the baseline year. For year y (all MWh annual):

* volume: Σ_c f_c (D_c(base) − D_c(y)), demand change from production;
* efficiency: Σ_c f_c · saved_c(y);
* electrification: f_heat · H_el(y) − f_el · W_heat(y) (electric heat at the baseline heat
  factor, minus the electricity it takes at the baseline power factor);
* bio-fuels & boilers: f_heat · H_fuel(y) − scope1(y), fuel-fired heat at the baseline factor
  minus actual scope 1 (fuel switching, boiler efficiency);
* SOFC: f_el · P_sofc(y) + f_heat · Q_sofc(y);
* on-site renewables: f_el · (self-consumed renewable generation, owned or bought over a
  private wire (PPA), − baseline on-site);
* certificates: bought certificates × residual factor;
* grid decarbonisation & other: what remains of f_el · W(y) − scope2_market(y), W the total
  electricity used (grid factor changes, storage, exports);
* credits: kept apart from reductions.

The wedges add up exactly: E_base − Σ wedges = scope1 + scope2_market − credits of year y.
"""

from __future__ import annotations

import xarray as xr

from plant.accounting import baseline_emissions
from plant.energy import annual_demand_mwh
from plant.schema import (
    SOFC,
    EfficiencyMeasure,
    ElectricHeater,
    FuelBoiler,
    HeatPump,
    Plan,
    SolarPV,
    WindTurbine,
)

LEVERS = ("volume", "efficiency", "electrification", "on-site renewables", "SOFC",
          "bio-fuels & boilers", "certificates", "grid decarbonisation & other", "credits")


def annual(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    """Σ over periods and hours weighted by days [MWh from MW]."""
    return (da * ds["weight"]).sum(("period", "hour"))


def _kind_techs(plan: Plan, kinds: tuple[type, ...]) -> list[str]:
    return [n for n, t in plan.technologies.items() if isinstance(t, kinds)]


def abatement_by_lever(ds: xr.Dataset, plan: Plan, year: int) -> dict[str, float]:
    """Reduction from the baseline by lever in ``year`` [t CO2e] (see module docstring)."""
    base = baseline_emissions(plan)
    heat = plan.heat_classes()
    base_year = plan.baseline.year
    d0 = {c: annual_demand_mwh(plan, c, base_year) for c in plan.carriers()}
    f_el = base.scope2_market / max(plan.baseline.electricity_mwh, 1e-9)
    heat0 = sum(d0[c] for c in heat)
    f_heat = base.scope1 / heat0 if heat0 > 0 else 0.0
    f = {c: (f_el if c == "electricity" else f_heat) for c in plan.carriers()}
    y = ds.sel(year=year)
    disp = annual(ds, y["dispatch"])
    cons = annual(ds, y["consumption"])

    def out(techs: list[str], carriers: list[str]) -> float:
        if not techs or not carriers:
            return 0.0
        return float(disp.sel(tech=techs, carrier=carriers).sum())

    eff = _kind_techs(plan, (EfficiencyMeasure,))
    electric_heat = _kind_techs(plan, (HeatPump, ElectricHeater))
    boilers = _kind_techs(plan, (FuelBoiler,))
    sofcs = _kind_techs(plan, (SOFC,))
    renew = _kind_techs(plan, (SolarPV, WindTurbine))
    emis = y["emissions"]
    scope1 = float(emis.sel(category="scope1"))
    scope2 = float(emis.sel(category="scope2_market"))
    credits = float(emis.sel(category="credits"))

    wedges = {k: 0.0 for k in LEVERS}
    wedges["volume"] = sum(f[c] * (d0[c] - annual_demand_mwh(plan, c, year))
                           for c in plan.carriers())
    wedges["efficiency"] = sum(f[c] * out(
        [t for t in eff if plan.technologies[t].carrier == c], [c])  # type: ignore[union-attr]
        for c in plan.carriers())
    heat_el = out(electric_heat, heat)
    power_for_heat = float(cons.sel(tech=electric_heat, carrier="electricity").sum()) if (
        electric_heat) else 0.0
    wedges["electrification"] = f_heat * heat_el - f_el * power_for_heat
    wedges["bio-fuels & boilers"] = f_heat * out(boilers, heat) - scope1
    wedges["SOFC"] = f_el * out(sofcs, ["electricity"]) + f_heat * out(sofcs, heat)
    export = float(annual(ds, y["grid_export"]))
    self_used = max(out(renew, ["electricity"]) - export, 0.0)
    if "ppa_take" in y:
        self_used += float(annual(ds, y["ppa_take"]).sum())
    wedges["on-site renewables"] = f_el * (self_used - plan.baseline.onsite_renewable_mwh)
    bought = float(annual(ds, y["grid_import"]))
    residual = plan.grid.residual_mix_t_per_mwh or plan.grid.carbon_intensity_t_per_mwh
    # scope2_market = r·(imports − certificates), so certificates·r = r·imports − scope2
    wedges["certificates"] = bought * residual.at(year) - scope2
    # everything else on the electricity side closes the balance exactly
    total = base.scope1 + base.scope2_market
    explained = sum(v for k, v in wedges.items() if k not in ("grid decarbonisation & other",
                                                                "credits"))
    wedges["grid decarbonisation & other"] = total - (scope1 + scope2) - explained
    wedges["credits"] = credits
    return {k: float(v) for k, v in wedges.items()}


def lever_table(ds: xr.Dataset, plan: Plan, years: list[int]) -> dict[int, dict[str, float]]:
    """Abatement by lever for several years."""
    return {y: abatement_by_lever(ds, plan, y) for y in years}


def check_closure(ds: xr.Dataset, plan: Plan, year: int) -> float:
    """Baseline − Σ wedges − net emissions of ``year`` (zero up to rounding)."""
    base = baseline_emissions(plan)
    wedges = abatement_by_lever(ds, plan, year)
    net = float(ds["net_emissions"].sel(year=year))
    return base.scope1 + base.scope2_market - sum(wedges.values()) - net


__all__ = ["LEVERS", "abatement_by_lever", "annual", "check_closure", "lever_table"]
