"""The model's own money and emission numbers, written into the results Dataset.

Everything the report and the sweeps derive after the solve comes from these variables, so
they never re-derive the model's economics from the plan (docs/architecture.md):

* technology metadata as coordinates on ``tech`` (kind, lever, label, capacity unit);
* ``tech_cost`` (tech, cost_category, year): the part of each cost category a technology
  causes (capex and salvage one-off, the rest yearly), as registered by its component;
* ``fuel_use`` (tech, fuel, year) [MWh LHV], ``fuel_price`` (fuel, year) per MWh LHV,
  ``fuel_factor`` (fuel, fuel_category, year) t per MWh LHV, ``fuel_cost`` (tech, year),
  ``fuel_spend`` (fuel, year) and ``tech_emissions`` (tech, fuel_category, year), the
  emissions by source beside the grid's scope 2;
* ``tech_annual_cost`` (tech, year): the yearly cost of a technology as the model charges it:
  the annuity-due capex/ä(L) of each cohort in service (by its cohort weight), fixed and
  variable O&M, stack replacement and fuel;
* the grid's factors (location, market = residual mix) and mean prices per year, the
  certificates counted (``certificates_bought``, annual ones apart, hourly ones by the hour,
  ``ppa_certificates`` of virtual PPAs, ``ppa_share`` contracted, ``ppa_cost``), and the
  baseline the targets and the abatement are measured from, with the counterfactual heat
  factor and heat price of each year (docs/optimiser.md, "Abatement by lever").

Factors, prices, the baseline and the counterfactual are written as the model read them:
from the plan's :class:`plant.factors.SiteFactors` (``inputs.factors``), unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from optimiser.formulate.components.certificates import (
    annual_certificates,
    counted_mwh,
    counted_virtual_ppas,
    hourly_certificates,
    virtual_supply,
)
from optimiser.formulate.components.ppa import settlement
from optimiser.formulate.context import COST_CATEGORIES, Context
from optimiser.formulate.economics import annuity_due_factor
from optimiser.formulate.inputs import ModelInputs
from plant.energy import annual_demand_mwh
from plant.factors import FUEL_CATEGORIES

YEARLY = ("fixed_om", "variable_om", "stack_replacement", "augmentation")
"""Technology cost categories paid every year (capex and salvage are one-off)."""


def _v(expr: Any) -> float:
    value = pyo.value(expr, exception=False)
    return float(value) if value is not None else 0.0


def _da(values: Any, dims: tuple[str, ...], units: str, long: str) -> xr.DataArray:
    return xr.DataArray(values, dims=dims, attrs={"units": units, "long_name": long})


def add_ledger(ds: xr.Dataset, ctx: Context) -> None:
    """Add the variables of the module docstring to ``ds`` (which has ``tech``, ``year``,
    ``fuel`` and ``carrier`` coordinates and the ``capex`` variable)."""
    add_tech_metadata(ds, ctx)
    _add_tech_costs(ds, ctx)
    _add_fuels(ds, ctx)
    _add_grid(ds, ctx)
    _add_instruments(ds, ctx)
    _add_baseline(ds, ctx)
    add_annual_cost(ds, ctx.inputs)


def add_tech_metadata(ds: xr.Dataset, ctx: Context) -> None:
    techs = ctx.inputs.plan.technologies
    names = list(ds["tech"].values)
    for attr in ("kind", "lever", "kind_label", "capacity_unit"):
        ds.coords[f"tech_{attr}"] = ("tech", [str(getattr(techs[n], attr)) for n in names])
    ds.coords["tech_label"] = ("tech", [techs[n].display_name(n) for n in names])
    ds.coords["tech_energy_unit"] = ("tech", [techs[n].energy_unit or "" for n in names])
    ds.coords["tech_generates"] = ("tech", [bool(techs[n].generates) for n in names])
    ds.coords["tech_carbon_free"] = ("tech", [bool(techs[n].carbon_free) for n in names])
    ds.coords["tech_stores_electricity"] = ("tech", [bool(techs[n].stores_electricity)
                                                    for n in names])


def _add_tech_costs(ds: xr.Dataset, ctx: Context) -> None:
    techs, years = list(ds["tech"].values), ctx.inputs.years
    cur = ctx.inputs.plan.site.currency
    values = np.array([[[_v(pyo.quicksum(ctx.tech_costs.get((t, c, y), []))) for y in years]
                        for c in COST_CATEGORIES] for t in techs])
    ds["tech_cost"] = _da(values.reshape(len(techs), len(COST_CATEGORIES), len(years)),
                          ("tech", "cost_category", "year"),
                          f"{cur}/yr (one-off for capex and salvage)",
                          "undiscounted cost caused by each technology")


def _add_fuels(ds: xr.Dataset, ctx: Context) -> None:
    inputs = ctx.inputs
    plan, years = inputs.plan, inputs.years
    techs, fuels = list(ds["tech"].values), list(ds["fuel"].values)
    cur = plan.site.currency
    use = np.array([[[_v(ctx.tech_fuel_use.get((t, f, y), 0.0)) for y in years] for f in fuels]
                    for t in techs]).reshape(len(techs), len(fuels), len(years))
    factors = inputs.factors.fuels
    price = np.array([[factors[f].price_lhv[y] for y in years]
                      for f in fuels]).reshape(len(fuels), len(years))
    factor = np.array([[[factors[f].factor_lhv[c][y] for y in years] for c in FUEL_CATEGORIES]
                       for f in fuels]).reshape(len(fuels), len(FUEL_CATEGORIES), len(years))
    ds["fuel_use"] = _da(use, ("tech", "fuel", "year"), "MWh/yr (LHV)",
                         "fuel each technology burns")
    ds["fuel_price"] = _da(price, ("fuel", "year"), f"{cur}/MWh (LHV)",
                           "fuel price the model pays, per MWh LHV (span mean)")
    ds.coords["fuel_category"] = list(FUEL_CATEGORIES)
    ds["fuel_factor"] = _da(factor, ("fuel", "fuel_category", "year"), "t CO2e/MWh (LHV)",
                            "emission factor per MWh LHV: combustion fossil (scope 1), "
                            "combustion biogenic, well-to-tank (upstream)")
    ds["fuel_cost"] = _da((ds["fuel_use"] * ds["fuel_price"]).sum("fuel").values,
                          ("tech", "year"), f"{cur}/yr", "cost of the fuel each technology "
                          "burns")
    ds["fuel_spend"] = _da((ds["fuel_purchase"] * ds["fuel_price"]).values, ("fuel", "year"),
                           f"{cur}/yr", "cost of each fuel bought")
    ds["tech_emissions"] = _da((ds["fuel_use"] * ds["fuel_factor"]).sum("fuel").transpose(
        "tech", "fuel_category", "year").values, ("tech", "fuel_category", "year"),
        "t CO2e/yr", "emissions of the fuel each technology burns, by category (the grid's "
        "are scope 2 in `emissions`)")


def _add_grid(ds: xr.Dataset, ctx: Context) -> None:
    inputs, grid, years = ctx.inputs, ctx.inputs.factors.grid, ctx.inputs.years
    cur = inputs.plan.site.currency
    ds.coords["factor_basis"] = ["location", "market"]
    ds["grid_factor"] = _da(np.array([[grid.location[y] for y in years],
                                      [grid.market[y] for y in years]]),
                            ("factor_basis", "year"), "t CO2e/MWh",
                            "grid factor: location-based annual average and market-based "
                            "(residual mix)")
    ds["price_grid_import"] = _da([grid.import_price[y] for y in years], ("year",),
                                  f"{cur}/MWh", "mean import price (span mean)")
    ds["price_grid_export"] = _da([grid.export_price[y] for y in years], ("year",),
                                  f"{cur}/MWh", "export price (span mean)")
    if grid.location_shape is not None:
        n_periods = inputs.n_steps // 24
        ds["grid_carbon_shape"] = _da(grid.location_shape.reshape(n_periods, 24),
                                      ("period", "hour"), "1", "hourly shape of the "
                                      "location-based grid factor (mean 1)")


def _add_instruments(ds: xr.Dataset, ctx: Context) -> None:
    """Certificates and virtual-PPA certificates
    (optimiser/formulate/components/certificates.py)."""
    inputs, m, plan = ctx.inputs, ctx.m, ctx.inputs.plan
    years, steps = inputs.years, range(inputs.n_steps)
    shape = (len(years), inputs.n_steps // 24, 24)
    ds["certificates_bought"] = _da([_v(counted_mwh(ctx, y)) for y in years], ("year",),
                                    "MWh/yr", "certificates (annual, hourly and those of "
                                    "virtual PPAs) counted against grid imports in "
                                    "market-based scope 2")
    ds["certificates_annual"] = _da([_v(annual_certificates(ctx, y)) for y in years],
                                    ("year",), "MWh/yr", "annual certificates bought")
    hourly = np.array([[_v(hourly_certificates(ctx, y, t)) for t in steps] for y in years])
    ds["certificates_hourly"] = _da(hourly.reshape(shape), ("year", "period", "hour"), "MW",
                                    "hourly certificates bought for each hour's import")
    virtual = set(counted_virtual_ppas(plan))
    supply = np.array([[virtual_supply(ctx, n, y) if n in virtual else np.zeros(len(steps))
                        for y in years] for n in plan.ppas]).reshape(len(plan.ppas), *shape)
    ds["ppa_certificates"] = _da(supply, ("ppa", "year", "period", "hour"), "MW",
                                 "certificates a virtual PPA brings, by the hour produced "
                                 "(0 for private wire and undeliverable contracts)")
    cur = plan.site.currency
    cost = np.array([[_v(settlement(ctx, n, y)) for y in years] for n in plan.ppas])
    ds["ppa_cost"] = _da(cost.reshape(len(plan.ppas), len(years)), ("ppa", "year"),
                         f"{cur}/yr", "what each PPA costs: payment as produced (private "
                         "wire) or settlement at strike less market price (virtual)")
    ds.coords["ppa_kind"] = ("ppa", [p.kind for p in plan.ppas.values()])
    ds["ppa_share"] = _da([_v(m.ppa_share[n]) for n in plan.ppas], ("ppa",), "1",
                          "share of each PPA's capacity contracted")


def _add_baseline(ds: xr.Dataset, ctx: Context) -> None:
    """Baseline emissions and energy, and each year's counterfactual heat factor and price."""
    plan = ctx.inputs.plan
    base = ctx.inputs.factors.baseline
    cats = ("scope1", "scope2_location", "scope2_market", "biogenic", "upstream",
            "scope3_embodied")
    ds.coords["baseline_category"] = list(cats)
    ds["baseline_emissions"] = _da([getattr(base, c) for c in cats], ("baseline_category",),
                                   "t CO2e/yr", f"emissions in the baseline year "
                                   f"{plan.baseline.year}")
    year0 = plan.baseline.year
    ds["baseline_demand"] = _da([annual_demand_mwh(plan, c, year0) for c in ds["carrier"].values],
                                ("carrier",), "MWh/yr", "demand in the baseline year")
    ds["baseline_onsite_renewable"] = _da(plan.baseline.onsite_renewable_mwh, (), "MWh/yr",
                                          "on-site renewable electricity in the baseline year")
    ds.attrs["baseline_year"] = year0
    heat = ctx.inputs.factors.heat
    factors, prices = heat.in_years(ctx.inputs.years)
    ds.coords["heat_class"] = plan.heat_classes()
    ds["heat_factor_baseline"] = _da(heat.base_year_factors, ("heat_class", "fuel_category"),
                                     "t CO2e/MWh",
                                     "the counterfactual heat factor in the baseline year")
    ds["heat_factor"] = _da(factors, ("heat_class", "fuel_category", "year"), "t CO2e/MWh",
                            "emissions of a MWh of useful heat of each class from the baseline's "
                            "fuel-fired plant as the heat model burns it, at each year's "
                            "factors (the counterfactual, plant/factors.py; not "
                            "scaled to the stated baseline)")
    ds["heat_price"] = _da(prices, ("heat_class", "year"), f"{plan.site.currency}/MWh",
                           "cost of a MWh of useful heat of each class from the baseline's "
                           "fuel-fired plant at each year's prices (the counterfactual)")


def add_annual_cost(ds: xr.Dataset, inputs: ModelInputs) -> None:
    """tech_annual_cost: capital as the annuity-due of the cohorts in service, plus O&M,
    stack replacement and fuel (the model's own yearly cost of each technology). Needs every
    year's capex (a decomposition adds it after joining its years)."""
    spans, years = inputs.spans, inputs.years
    techs = list(ds["tech"].values)
    capital = np.zeros((len(techs), len(years)))
    for i, name in enumerate(techs):
        life = inputs.plan.technologies[name].service_life_years
        annuity = 1.0 / annuity_due_factor(spans.rate, life)
        spent = ds["tech_cost"].sel(tech=name, cost_category="capex").values
        for j, y in enumerate(years):
            capital[i, j] = sum(spent[b] * annuity * spans.cohort_weight(by, life, y)
                                for b, by in enumerate(years))
    yearly = ds["tech_cost"].sel(cost_category=list(YEARLY)).sum("cost_category")
    cur = inputs.plan.site.currency
    ds["tech_capital_cost"] = _da(capital, ("tech", "year"), f"{cur}/yr",
                                  "capex as the annuity-due of each cohort in service")
    ds["tech_annual_cost"] = _da(capital + yearly.values + ds["fuel_cost"].values,
                                 ("tech", "year"), f"{cur}/yr", "yearly cost of each "
                                 "technology: capital (annuity-due), O&M, stacks, fuel")
