"""Invariants of the reference plans (Sunderland, Tochigi) at 6 representative days.

Each plan is solved once per module (about 15 s each). The checks rebuild balances, emissions
and costs from the results Dataset and the plan's own numbers (prices, factors, COP, weights
from the same aggregation), independently of the model's registers:

- every hourly balance closes, for electricity and each heat class;
- efficiency measures remove demand in proportion to the hourly profile;
- emissions by source add up to the categories and to ``net`` in summary.json;
- NPV by category adds up to the objective, each category being its yearly cost times the
  year's discount factor, and grid and fuel costs are price × quantity;
- each target is met in its year and every later year it holds, or explained in diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import xarray as xr

from optimiser import PlanRun, make_inputs, run_plan, summary
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import ONCE
from plant.accounting import target_limit_t
from plant.factors import baseline_emissions
from plant.loader import read_plan
from plant.profiles import build_profiles
from plant.schema import SOFC, ElectricHeater, HeatPump, Plan

from ..conftest import SITES

RESOLUTION = "repdays:6"
REL = 1e-6


@dataclass
class Solved:
    plan: Plan
    run: PlanRun
    ds: xr.Dataset
    inputs: ModelInputs
    summ: dict[str, Any]


@pytest.fixture(scope="module", params=["sunderland", "tochigi"])
def solved(request) -> Solved:
    loaded = read_plan(SITES / f"{request.param}.yaml")
    result = run_plan(loaded, RESOLUTION)
    profiles = build_profiles(loaded.plan, loaded.file.parent)
    inputs = make_inputs(loaded.plan, profiles, Resolution.parse(RESOLUTION))
    summ = summary(result.results, result.timings, {"plan_sha256": loaded.sha256})
    return Solved(loaded.plan, result, result.results, inputs, summ)


def _weighted(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    return (da * ds["weight"]).sum(("period", "hour"))


def _grid(inputs: ModelInputs, name: str, **sel: str) -> np.ndarray:
    """A profile on (period, hour) from the re-made aggregation."""
    return inputs.profiles[name].sel(**sel).transpose("period", "hour").values


def test_status_and_alignment(solved: Solved):
    """The plan solves to optimality with all demand served; the re-made aggregation is the
    one the model used (same weights, same demand), so the checks below compare like with
    like."""
    ds, inputs = solved.ds, solved.inputs
    assert solved.run.outcome.status == "optimal", solved.run.diagnosis
    assert solved.summ["status"] == "optimal"
    np.testing.assert_array_equal(ds["weight"].values, inputs.profiles["weight"].values)
    assert float(ds["weight"].sum()) == pytest.approx(365.0, rel=1e-12)
    for c in ds["carrier"].values:
        for y in ds["year"].values:
            np.testing.assert_allclose(
                ds["demand"].sel(carrier=c, year=y).values.reshape(-1),
                inputs.demand(str(c), int(y)), rtol=1e-12)
    assert float(_weighted(ds, ds["unserved"]).sum()) == pytest.approx(0.0, abs=1e-6)
    assert solved.summ["unserved_mwh"] == pytest.approx(0.0, abs=1e-6)


def test_hourly_balances_close(solved: Solved):
    """Σ_tech net output + import − export + unserved − electricity used for heat = demand.

    Net output per tech and carrier is ``dispatch`` (storage: discharge − charge; efficiency
    measures: the demand they remove, so the right side is demand before measures). Heat
    pumps draw Σ_c q_c / COP_c(t) and electric heaters Σ_c q_c / η from electricity; COP is
    taken from the plan's aggregated profile (and compared with the Dataset's ``consumption``
    where it has one); an SOFC draws its standby and start-up power (the Dataset's
    ``consumption``). Checked in every year, period and hour to 1e-6 × the carrier's peak
    demand.
    """
    plan, ds, inputs = solved.plan, solved.ds, solved.inputs
    for carrier in ds["carrier"].values:
        lhs = ds["dispatch"].sel(carrier=carrier).sum("tech") + ds["unserved"].sel(
            carrier=carrier)
        if carrier == "electricity":
            lhs = lhs + ds["grid_import"] - ds["grid_export"] + ds["ppa_take"].sum("ppa")
            drawn: dict[str, xr.DataArray] = {}
            for name, tech in plan.technologies.items():
                if isinstance(tech, HeatPump | ElectricHeater):
                    for cls in tech.serves:
                        heat = ds["dispatch"].sel(tech=name, carrier=cls)
                        if isinstance(tech, HeatPump):
                            cop = _grid(inputs, "cop", heat_pump=name, heat_class=cls)
                            if not np.all(cop > 0):
                                assert float(abs(heat).max()) == 0.0
                                continue
                            used = heat / xr.DataArray(cop, dims=("period", "hour"))
                        else:
                            used = heat / tech.efficiency
                        lhs = lhs - used
                        drawn[name] = drawn.get(name, 0.0) + used
                if isinstance(tech, SOFC):  # hot standby and cold starts draw site power
                    lhs = lhs - ds["consumption"].sel(tech=name, carrier="electricity")
            if "consumption" in ds.data_vars:  # the Dataset's own record, where it has one
                for name, used in drawn.items():
                    got = ds["consumption"].sel(tech=name, carrier="electricity")
                    np.testing.assert_allclose(got.transpose(*used.dims).values, used.values,
                                               rtol=1e-6, atol=1e-9, err_msg=name)
        demand = ds["demand"].sel(carrier=carrier)
        scale = float(demand.max())
        np.testing.assert_allclose(lhs.transpose(*demand.dims).values, demand.values,
                                   rtol=0, atol=1e-6 * scale, err_msg=str(carrier))


def test_efficiency_reduces_demand_in_proportion(solved: Solved):
    """An efficiency measure saving S MWh/yr of a carrier with annual demand D removes
    d(t)·S/D in every hour (efficiency.py), and S ≤ s_max·D."""
    plan, ds = solved.plan, solved.ds
    measures = {n: t for n, t in plan.technologies.items() if t.kind == "efficiency"}
    assert measures
    for name, tech in measures.items():
        demand = ds["demand"].sel(carrier=tech.carrier)
        annual = _weighted(ds, demand)
        saved = ds["capacity"].sel(tech=name)
        assert bool((saved <= tech.max_saving_fraction * annual * (1 + REL) + 1e-6).all()), name
        expected = demand * saved / annual
        got = ds["dispatch"].sel(tech=name, carrier=tech.carrier)
        np.testing.assert_allclose(got.transpose(*expected.dims).values, expected.values,
                                   rtol=1e-6, atol=1e-9 * float(demand.max()), err_msg=name)


def test_emissions_add_up(solved: Solved):
    """Emissions rebuilt from quantities and the plan's factors, year by year.

    scope 1 = Σ_f F_f · fossil_f / (LHV/HHV); biogenic and upstream alike; scope 2 location =
    Σ_t w_t · I_t · shape_t · g(y); market = (Σ_t w_t I_t − C(y)) · residual(y) with C the
    certificates bought (their cost ÷ price); credits = their cost ÷ price; summary.json
    net = scope 1 + scope 2 market − credits, and summary figures equal the Dataset's.
    """
    plan, ds, inputs = solved.plan, solved.ds, solved.inputs
    certs = [c for c in plan.certificates.values() if c.counts_toward_target]
    credits = [c for c in plan.carbon_credits.values() if c.counts_toward_target]
    assert len(certs) == 1 and len(credits) == 1  # so that cost ÷ price gives the quantity
    residual = plan.grid.residual_mix_t_per_mwh or plan.grid.carbon_intensity_t_per_mwh
    ci_shape = xr.DataArray(_grid(inputs, "grid_carbon_shape"), dims=("period", "hour"))
    for y in (int(v) for v in ds["year"].values):
        em = {c: float(ds["emissions"].sel(category=c, year=y)) for c in ds["category"].values}
        fuel = {f: float(ds["fuel_purchase"].sel(fuel=f, year=y)) for f in ds["fuel"].values}
        for category, field in (("scope1", "combustion_fossil_t_per_mwh"),
                                ("biogenic", "combustion_biogenic_t_per_mwh"),
                                ("upstream", "upstream_t_per_mwh")):
            expected = sum(q * getattr(plan.fuels[f], field).at(y) / plan.fuels[f].hhv_to_lhv
                           for f, q in fuel.items())
            assert em[category] == pytest.approx(expected, rel=REL, abs=1e-6), (category, y)
        imports = ds["grid_import"].sel(year=y)
        location = (float(_weighted(ds, imports * ci_shape))
                    * plan.grid.carbon_intensity_t_per_mwh.at(y))
        assert em["scope2_location"] == pytest.approx(location, rel=REL, abs=1e-6), y
        bought = float(ds["cost"].sel(cost_category="certificates", year=y)) / certs[
            0].price_per_mwh.at(y)
        market = (float(_weighted(ds, imports)) - bought) * residual.at(y)
        assert em["scope2_market"] == pytest.approx(market, rel=REL, abs=1e-6), y
        credited = float(ds["cost"].sel(cost_category="credits", year=y)) / credits[
            0].price_per_t.at(y)
        assert em["credits"] == pytest.approx(credited, rel=REL, abs=1e-6), y
        reported = solved.summ["emissions"][str(y)]
        for category, value in em.items():
            assert reported[category] == pytest.approx(value, rel=1e-12, abs=1e-9)
        net = em["scope1"] + em["scope2_market"] - em["credits"]
        assert reported["net"] == pytest.approx(net, rel=REL, abs=1e-6), y


def test_costs_add_up_to_objective(solved: Solved):
    """Σ of summary ``costs_npv`` = the objective; each is Σ_y cost(y) × discount(y) (once for
    capex and salvage, over the span otherwise); grid import = Σ_t w_t I_t σ_t p(y); export =
    −Σ_t w_t X_t p_x(y); fuel = Σ_f F_f · price_f / (LHV/HHV)."""
    plan, ds, inputs, summ = solved.plan, solved.ds, solved.inputs, solved.summ
    npv = summ["costs_npv"]
    objective = solved.run.outcome.objective
    assert sum(npv.values()) == pytest.approx(objective, rel=REL)
    assert summ["objective"]["net_present_cost"] == pytest.approx(objective, rel=REL)
    for category in ds["cost_category"].values:
        factors = [inputs.once_discount[y] if category in ONCE else inputs.annual_discount[y]
                   for y in inputs.years]
        by_year = ds["cost"].sel(cost_category=category).values
        assert npv[str(category)] == pytest.approx(float(np.dot(by_year, factors)), rel=REL,
                                                   abs=1e-6), category
    shape = xr.DataArray(_grid(inputs, "grid_price_shape"), dims=("period", "hour"))
    for y in inputs.years:
        cost = {c: float(ds["cost"].sel(cost_category=c, year=y)) for c in
                ("grid_import", "export_revenue", "fuel")}
        imported = float(_weighted(ds, ds["grid_import"].sel(year=y) * shape))
        assert cost["grid_import"] == pytest.approx(
            imported * plan.grid.import_price_per_mwh.at(y), rel=REL), y
        exported = float(_weighted(ds, ds["grid_export"].sel(year=y)))
        assert cost["export_revenue"] == pytest.approx(
            -exported * plan.grid.export_price_per_mwh.at(y), rel=REL, abs=1e-6), y
        fuel = sum(float(ds["fuel_purchase"].sel(fuel=f, year=y))
                   * plan.fuels[str(f)].price_per_mwh.at(y) / plan.fuels[str(f)].hhv_to_lhv
                   for f in ds["fuel"].values)
        assert cost["fuel"] == pytest.approx(fuel, rel=REL, abs=1e-6), y


def test_targets_met_or_explained(solved: Solved):
    """Each target is met (``met: true``) or named with its year in the diagnosis; a met
    target also holds in every later year when ``hold_after`` is set.

    In year y: Σ_scopes E(y) − u(y) ≤ L(y) with u = min(credits(y), share · B) the most
    credits that may count (per-vehicle targets scale B and L with vehicles built).
    """
    plan, ds, summ = solved.plan, solved.ds, solved.summ
    assert len(summ["targets"]) == len(plan.targets) > 0
    base = baseline_emissions(plan)
    for target, entry in zip(plan.targets, summ["targets"], strict=True):
        if not entry["met"]:
            assert any(target.name in line and str(target.year) in line
                       for line in solved.run.diagnosis), (entry, solved.run.diagnosis)
            continue
        assert entry["achieved"] <= entry["limit"] * (1 + 1e-6) + 1e-3, entry
        assert entry["limit"] == pytest.approx(target_limit_t(plan, target), rel=1e-12)
        years = [int(y) for y in ds["year"].values
                 if y == target.year or (target.hold_after and y > target.year)]
        for y in years:
            emitted = sum(float(ds["emissions"].sel(category=s, year=y))
                          for s in target.scopes)
            cap = base.total(list(target.scopes)) * target.max_credit_share
            if target.basis == "per_vehicle":
                cap *= plan.production.vehicles_per_year.at(y) / plan.baseline.vehicles
            counted = min(float(ds["emissions"].sel(category="credits", year=y)), cap)
            limit = target_limit_t(plan, target, y)
            assert emitted - counted <= limit * (1 + 1e-6) + 1e-3, (target.name, y)


def test_results_ledger_adds_up(solved: Solved):
    """The results' per-technology and per-fuel numbers add up to the model's totals: every
    cost a technology causes (capex, salvage, O&M, stacks) is in ``tech_cost``, fuel costs
    per technology and per fuel equal the fuel category, and abatement closes on every
    basis (issue 13: one source of truth after the solve)."""
    ds = solved.ds
    for category in ("capex", "salvage", "fixed_om", "variable_om", "stack_replacement"):
        np.testing.assert_allclose(ds["tech_cost"].sel(cost_category=category).sum("tech"),
                                   ds["cost"].sel(cost_category=category), rtol=1e-9,
                                   atol=1e-3, err_msg=category)
    fuel = ds["cost"].sel(cost_category="fuel")
    np.testing.assert_allclose(ds["fuel_spend"].sum("fuel"), fuel, rtol=1e-7, atol=1e-3)
    np.testing.assert_allclose(ds["fuel_cost"].sum("tech"), fuel, rtol=1e-7, atol=1e-3)
    for basis in ds["basis"].values:
        scopes = str(basis).split("+")
        base = float(ds["baseline_emissions"].sel(baseline_category=scopes).sum())
        emitted = ds["emissions"].sel(category=scopes).sum("category")
        np.testing.assert_allclose(base - ds["abatement"].sel(basis=basis).sum("effect"),
                                   emitted, rtol=1e-9, atol=1e-6)


def test_demand_charges_bill_the_peak_import(solved: Solved):
    """Each demand charge's cost is 1000 × price × the peaks it bills (× months billed for an
    annual peak), and each billed peak is the highest grid import in its window, recomputed
    here from the calendar, ``day_period`` and the hourly imports of the results."""
    import pandas as pd

    ds, plan = solved.ds, solved.plan
    if not plan.demand_charges:
        pytest.skip("no demand charges in this plan")
    days = pd.date_range(f"{int(solved.inputs.profiles.attrs['profile_year'])}-01-01",
                         periods=365, freq="D")
    total = np.zeros(ds.sizes["year"])
    for name, charge in plan.demand_charges.items():
        peaks = ds["peak_import"].sel(demand_charge=name)
        price = ds["demand_charge_price"].sel(demand_charge=name).values
        billed = len(charge.months) if charge.peak == "annual" else 1
        total += 1000 * price * billed * peaks.sum("month").values
        for j, y in enumerate(ds["year"].values):
            imports = ds["grid_import"].sel(year=y).values  # (period, hour)
            for month in ([0] if charge.peak == "annual" else charge.months):
                chosen = [d for d in range(365)
                          if ((month == 0 and days[d].month in charge.months)
                              or days[d].month == month)
                          and (charge.days == "all"
                               or (days[d].weekday() < 5) == (charge.days == "weekdays"))]
                periods = sorted({int(ds["day_period"].values[d]) for d in chosen})
                lo, hi = charge.hours
                highest = imports[periods, lo:hi].max()
                assert float(peaks.sel(month=month).isel(year=j)) == pytest.approx(
                    highest, rel=REL, abs=1e-6), (name, y, month)
    np.testing.assert_allclose(ds["cost"].sel(cost_category="demand_charge").values, total,
                               rtol=REL)
