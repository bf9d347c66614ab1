"""Turn a solved model into one xarray Dataset: every number the report and sweeps use."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from optimiser.formulate.components.ppa import available as ppa_supply
from optimiser.formulate.context import COST_CATEGORIES, Context
from optimiser.formulate.evaluate import value_or_zero
from optimiser.formulate.inputs import HOURS, ModelInputs
from optimiser.formulate.model import ONCE
from optimiser.post.ev_results import add_workplace_ev_results
from optimiser.post.implied_prices import PriceRange
from optimiser.post.ledger import add_ledger, add_tech_metadata
from optimiser.post.sofc_results import add_sofc_results
from optimiser.post.statistics import DEFAULT_BASIS, abatement, basis_name
from optimiser.post.targets import add_clean_targets, add_targets
from optimiser.solve.highs import SolveOutcome
from plant.accounting import counted_scopes

REPORTED_EMISSIONS = ("scope1", "scope2_location", "scope2_market", "biogenic", "upstream",
                      "scope3_embodied", "credits")




def _grid(values: np.ndarray, n_periods: int) -> np.ndarray:
    """(..., steps) -> (..., period, hour)."""
    return values.reshape(*values.shape[:-1], n_periods, HOURS)


def _stress_days(inputs: ModelInputs) -> np.ndarray:
    """The calendar day of each period kept as a stress day, −1 for a typical day."""
    if "stress_day" in inputs.profiles:
        return np.asarray(inputs.profiles["stress_day"].values, dtype=int)
    return np.full(inputs.profiles.sizes["period"], -1, dtype=int)


def extract(ctx: Context, outcome: SolveOutcome,
            ranges: dict[tuple[int, int], PriceRange] | None = None,
            light: bool = False) -> xr.Dataset:
    """Results of a solved model as one Dataset (units and long names in attrs): what the
    model decided, what it costs and emits by technology, fuel and year (:mod:`ledger`),
    target status in every year (:mod:`targets`) and abatement by lever
    (:func:`optimiser.post.statistics.abatement`). ``ranges``: one-sided implied prices
    (:func:`optimiser.post.implied_prices.price_ranges`). ``light``: decisions, dispatch, costs,
    emissions and targets only, without the ledger, abatement, demand-charge peaks and SOFC
    curves (what a sweep point keeps, :func:`cnplan.sweeps.worker.point_outputs`)."""
    inputs, m = ctx.inputs, ctx.m
    plan = inputs.plan
    years, steps = inputs.years, range(inputs.n_steps)
    n_periods = inputs.n_steps // HOURS
    carriers = plan.carriers()
    techs = list(plan.technologies)

    def per_tech_year(value: Any) -> np.ndarray:
        return np.array([[value_or_zero(value(t, y)) for y in years] for t in techs]
                        ).reshape(len(techs), len(years))

    def series(key: tuple[Any, ...], term: Any) -> np.ndarray:
        """(years, steps) values of ``term(y, t)``, compiled once per model."""
        return ctx.evaluator.values(key, lambda: [term(y, t) for y in years for t in steps]
                                    ).reshape(len(years), inputs.n_steps)

    def hourly(name: str, register: dict[str, dict[str, Any]]) -> np.ndarray:
        out = np.zeros((len(techs), len(carriers), len(years), inputs.n_steps))
        for i, tech in enumerate(techs):
            for carrier, term in register.get(tech, {}).items():
                out[i, carriers.index(carrier)] = series((name, tech, carrier), term)
        return out

    cap = per_tech_year(lambda t, y: ctx.capacity.get((t, y), 0.0))
    energy = per_tech_year(lambda t, y: ctx.capacity.get((f"{t}:energy", y), 0.0))
    usable = per_tech_year(lambda t, y: ctx.capacity.get(
        (f"{t}:usable_energy", y), ctx.capacity.get((f"{t}:energy", y), 0.0)))
    embodied = per_tech_year(lambda t, y: pyo.quicksum(ctx.embodied.get((t, y), [])))
    built = per_tech_year(lambda t, y: ctx.builds.get((t, y), 0.0))
    built_energy = per_tech_year(lambda t, y: ctx.energy_builds.get((t, y), 0.0))
    capex = per_tech_year(lambda t, y: pyo.quicksum(ctx.capex.get((t, y), [])))
    dispatch = hourly("output", ctx.output)
    consumption = hourly("consumption", ctx.consumption)
    grid_in = series(("grid_import",), lambda y, t: m.grid_import[y, t])
    grid_out = series(("grid_export",), lambda y, t: m.grid_export[y, t])
    unserved = np.array([series(("unserved", c), lambda y, t, c=c: m.unserved[y, t, c])
                         for c in carriers])
    demand = np.array([[inputs.demand(c, y) for y in years] for c in carriers])
    emis = ctx.evaluator.sums(("emissions",), lambda: [
        ctx.emissions.get((s, y), []) for s in REPORTED_EMISSIONS for y in years]
    ).reshape(len(REPORTED_EMISSIONS), len(years))
    costs = ctx.evaluator.sums(("costs",), lambda: [
        ctx.costs.get((c, y), []) for c in COST_CATEGORIES for y in years]
    ).reshape(len(COST_CATEGORIES), len(years))
    disc = np.array([[inputs.once_discount[y] if c in ONCE else inputs.annual_discount[y]
                      for y in years] for c in COST_CATEGORIES])
    ppas = list(plan.ppas)
    ppa_take = np.array([series(("ppa_take", n), lambda y, t, n=n: m.ppa_take[y, t, n])
                         for n in ppas]).reshape(len(ppas), len(years), inputs.n_steps)
    ppa_available = np.array([[value_or_zero(m.ppa_share[n]) * ppa_supply(ctx, n, y) for y in years]
                              for n in ppas]).reshape(
        len(ppas), len(years), inputs.n_steps)
    fuels = sorted({f for f, _ in ctx.fuel_use})
    fuel = np.array([[value_or_zero(m.fuel_purchase[y, f]) for y in years] for f in fuels]).reshape(
        len(fuels), len(years))
    vehicles = plan.production.vehicles_per_year.over(years)
    cur = plan.site.currency

    def da(values: Any, dims: tuple[str, ...], units: str, long: str) -> xr.DataArray:
        return xr.DataArray(values, dims=dims, attrs={"units": units, "long_name": long})

    ds = xr.Dataset(
        {
            "capacity": da(cap, ("tech", "year"), "MW", "installed capacity (efficiency: "
                           "MWh/yr saved)"),
            "build": da(built, ("tech", "year"), "MW", "capacity built in the year (efficiency: "
                        "average MW saved)"),
            "capex": da(capex, ("tech", "year"), cur, "investment in the year"),
            "build_energy": da(built_energy, ("tech", "year"), "MWh", "storage energy capacity "
                               "built in the year"),
            "energy_capacity": da(energy, ("tech", "year"), "MWh", "storage energy capacity"),
            "usable_energy": da(usable, ("tech", "year"), "MWh", "storage energy capacity "
                                "left after calendar ageing (span mean)"),
            "tech_embodied": da(embodied, ("tech", "year"), "t CO2e", "embodied emissions of "
                                "what each technology builds in the year (scope 3, one-off; "
                                "the rest of scope3_embodied is cycle wear bought back every "
                                "year)"),
            "dispatch": da(_grid(dispatch, n_periods), ("tech", "carrier", "year", "period",
                           "hour"), "MW", "net output into each carrier (storage: discharge "
                           "minus charge)"),
            "consumption": da(_grid(consumption, n_periods), ("tech", "carrier", "year",
                              "period", "hour"), "MW", "energy drawn from each carrier "
                              "(heat pumps, electric heaters)"),
            "grid_import": da(_grid(grid_in, n_periods), ("year", "period", "hour"), "MW",
                              "grid import"),
            "grid_export": da(_grid(grid_out, n_periods), ("year", "period", "hour"), "MW",
                              "grid export"),
            "unserved": da(_grid(unserved, n_periods), ("carrier", "year", "period", "hour"),
                           "MW", "demand not served"),
            "demand": da(_grid(demand, n_periods), ("carrier", "year", "period", "hour"), "MW",
                         "demand before efficiency measures"),
            "emissions": da(emis, ("category", "year"), "t CO2e/yr", "emissions by category"),
            "cost": da(costs, ("cost_category", "year"), f"{cur}/yr (one-off for capex and "
                       "salvage)", "undiscounted cost by category"),
            "cost_discounted": da(costs * disc, ("cost_category", "year"), cur,
                                  "present value of each cost"),
            "fuel_purchase": da(fuel, ("fuel", "year"), "MWh/yr (LHV)", "fuel bought"),
            "ppa_take": da(_grid(ppa_take, n_periods), ("ppa", "year", "period", "hour"), "MW",
                           "electricity taken from each power purchase agreement"),
            "ppa_available": da(_grid(ppa_available, n_periods),
                                ("ppa", "year", "period", "hour"), "MW",
                                "electricity each power purchase agreement's plant produces "
                                "under the contract (private wire: for the site, paid as "
                                "produced, taken or not; virtual: settled, nothing delivered)"),
            "vehicles": da(vehicles, ("year",), "1/yr", "vehicles produced"),
            "span": da(np.array([inputs.span[y] for y in years]), ("year",), "yr",
                       "calendar years each modelled year stands for"),
            "discount_factor": da(np.array([inputs.annual_discount[y] for y in years]),
                                  ("year",), "yr", "present value of one unit a year over the "
                                  "span of each modelled year (δ_y)"),
            "once_discount_factor": da(np.array([inputs.once_discount[y] for y in years]),
                                       ("year",), "1", "present value of one unit once, in "
                                       "the modelled year itself (embodied emissions)"),
            "weight": da(inputs.profiles["weight"].values, ("period",), "day",
                         "days each period stands for"),
            "day_period": da(inputs.profiles["day_period"].values, ("day",), "1",
                             "representative period of each calendar day"),
            "stress_day": da(_stress_days(inputs), ("period",), "1",
                             "calendar day a stress period is (-1: a typical day; "
                             "docs/optimiser.md \"Adequacy\")"),
        },
        coords={"tech": techs, "carrier": carriers, "year": years, "period": range(n_periods),
                "hour": range(HOURS), "category": list(REPORTED_EMISSIONS),
                "cost_category": list(COST_CATEGORIES), "fuel": fuels, "ppa": ppas},
    )
    net = ds["emissions"].sel(category="scope1") + ds["emissions"].sel(
        category="scope2_market") - ds["emissions"].sel(category="credits")
    ds["net_emissions"] = da(net.values, ("year",), "t CO2e/yr",
                             "scope 1 + scope 2 market-based − credits")
    ds["intensity_per_vehicle"] = da(
        (ds["emissions"].sel(category="scope1") + ds["emissions"].sel(category="scope2_market")
         ).values / np.where(vehicles > 0, vehicles, np.nan), ("year",), "t CO2e/vehicle",
        "scope 1 + scope 2 market-based per vehicle (before credits)")
    add_targets(ds, ctx, outcome, ranges or {})
    if light:
        add_tech_metadata(ds, ctx)
    else:
        _add_peaks(ds, ctx)
        add_clean_targets(ds, ctx, outcome)
        add_sofc_results(ds, ctx)
        add_workplace_ev_results(ds, ctx)
        add_ledger(ds, ctx)
        bases = sorted({tuple(counted_scopes(plan, t)) for t in plan.targets}
                       | {DEFAULT_BASIS})
        ds.coords["basis"] = [basis_name(b) for b in bases]
        ds["abatement"] = xr.concat([abatement(ds, b) for b in bases],
                                    dim="basis").assign_attrs(
            units="t CO2e/yr", long_name="change from the baseline's emissions by effect, at "
            "each year's own factors (optimiser/post/statistics.py)")
    _drop_solver_noise(ds)
    npv = float(ds["cost_discounted"].drop_sel(cost_category="target_slack").sum())
    ds.attrs.update(site=plan.site.name, scenario=plan.scenario.name,
                    scenario_description=plan.scenario.description, currency=cur,
                    status=outcome.status,
                    objective=npv, solver_objective=outcome.objective, mip_gap=outcome.gap,
                    resolution=str(inputs.resolution),
                    target_mode=plan.accounting.target_mode,
                    baseline_vehicles=float(plan.baseline.vehicles),
                    sbti_scope2=plan.accounting.sbti_scope2,
                    scope2_matching=plan.accounting.scope2_matching,
                    profile_year=int(inputs.profiles.attrs["profile_year"]))
    return ds


#: Below this magnitude a result is solver noise (HiGHS's tolerances are ~1e-7 relative):
#: written as exactly 0, so no "-0" and no 3.6e-12 t "achieved" reach a report or summary.
NOISE = 1e-9


def _add_peaks(ds: xr.Dataset, ctx: Context) -> None:
    """Peak import each demand charge is billed on, by year and month (0: an annual peak)
    [MW], and the charge's price [per kW and month]; NaN where a month is not billed."""
    charges = list(ctx.inputs.plan.demand_charges)
    if not charges:
        return
    m, years = ctx.m, ctx.inputs.years
    peak = np.full((len(charges), len(years), 13), np.nan)
    for (y, n, k), v in m.peak_import.items():
        peak[charges.index(n), years.index(y), k] = value_or_zero(v)
    cur = ctx.inputs.plan.site.currency
    ds["peak_import"] = xr.DataArray(peak, dims=("demand_charge", "year", "month"), coords={
        "demand_charge": charges, "month": range(13)}, attrs={
        "units": "MW", "long_name": "grid import peak each demand charge bills (month 0: the "
        "year's peak, billed every month of the charge)"})
    ds["demand_charge_price"] = xr.DataArray(
        [[value_or_zero(m.price_demand_charge[y, n]) for y in years] for n in charges],
        dims=("demand_charge", "year"), attrs={"units": f"{cur}/kW/month",
                                              "long_name": "span-mean price of each charge"})


def _drop_solver_noise(ds: xr.Dataset) -> None:
    """Set every float value with |x| < :data:`NOISE` (and −0.0) to 0, in place, once."""
    for name in ds.data_vars:
        values = ds[name].values
        if np.issubdtype(values.dtype, np.floating):
            values[np.abs(values) < NOISE] = 0.0
