"""Factors and prices are computed once (plant/factors.py) and every reader takes them from
there: the model's grid and fuel rows, market-based scope 2 and the results' ledger
(docs/accounting.md, "Where the factors come from")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyomo.environ as pyo
import pytest

from optimiser.formulate.inputs import Resolution, plan_spans
from optimiser.formulate.model import build_model, emissions_expr
from optimiser.run.pipeline import prepare_inputs, solve_built
from optimiser.solve.highs import HighsSolver
from plant.factors import FUEL_CATEGORIES, FUEL_FIELDS, baseline_emissions, site_factors
from plant.loader import read_plan
from tests.optimiser.helpers import write_plan

SITES = Path(__file__).resolve().parent.parent / "sites"


@pytest.mark.parametrize("site", ["sunderland", "tochigi"])
def test_fuels_per_mwh_lhv_are_the_stated_values_over_lhv_per_hhv(site: str) -> None:
    """Both reference plans state natural gas on HHV (κ = 0.901 and 0.902, sites/*.yaml) and
    a supply limit on one fuel: per MWh LHV a price or factor is the stated one / κ, a limit
    the stated one × κ."""
    plan = read_plan(SITES / f"{site}.yaml").plan
    years = plan.years()
    mean = plan_spans(plan).mean
    factors = site_factors(plan, years, mean)
    hhv = [n for n, f in plan.fuels.items() if f.hhv_to_lhv < 1.0]
    assert hhv, "the reference plans have HHV-stated gas"
    for name, fuel in plan.fuels.items():
        got = factors.fuels[name]
        for y in years:
            assert got.price_lhv[y] == pytest.approx(mean(fuel.price_per_mwh, y)
                                                     / fuel.hhv_to_lhv, rel=1e-14)
            for c in FUEL_CATEGORIES:
                stated = getattr(fuel, FUEL_FIELDS[c]).at(y)
                assert got.factor_lhv[c][y] == pytest.approx(stated / fuel.hhv_to_lhv,
                                                             rel=1e-14)
            if fuel.supply_limit_mwh_per_year is not None:
                assert got.supply_limit_lhv is not None
                assert got.supply_limit_lhv[y] == pytest.approx(
                    fuel.supply_limit_mwh_per_year.at(y) * fuel.hhv_to_lhv, rel=1e-14)


def test_market_factor_is_the_residual_mix_else_the_location_factor() -> None:
    plan = read_plan(SITES / "sunderland.yaml").plan
    years = plan.years()
    given = site_factors(plan, years, plan_spans(plan).mean).grid
    assert given.residual_mix_given
    assert plan.grid.residual_mix_t_per_mwh is not None
    assert given.market == {y: plan.grid.residual_mix_t_per_mwh.at(y) for y in years}
    without = plan.model_copy(update={"grid": plan.grid.model_copy(
        update={"residual_mix_t_per_mwh": None})})
    none = site_factors(without, years, plan_spans(without).mean).grid
    assert not none.residual_mix_given
    assert none.market == none.location == {
        y: plan.grid.carbon_intensity_t_per_mwh.at(y) for y in years}
    # the baseline (computed: the plan states no emissions) follows the same rule
    assert without.baseline.emissions_t.scope2_market is None
    base, stated = baseline_emissions(without), baseline_emissions(plan)
    assert base.scope2_market == base.scope2_location < stated.scope2_market


def test_the_model_and_the_ledger_read_the_factors_object(tmp_path: Path) -> None:
    """Hand case (tests/optimiser/data/base.yaml): a flat 1 MW load from a grid at 0.2 t/MWh
    and no residual mix, so 8,760 MWh a year, scope 2 1,752 t both ways. Change the factors
    in the object alone (location 0.5 t/MWh, market 0.3) and the model's scope 2 rows and
    the ledger follow: 4,380 t location-based and 2,628 t market-based."""
    loaded = read_plan(write_plan(tmp_path, {}))
    inputs = prepare_inputs(loaded, Resolution.parse("repdays:1"))
    (year,) = inputs.years
    grid = inputs.factors.grid
    assert grid.location[year] == grid.market[year] == 0.2
    inputs.factors = dataclasses.replace(inputs.factors, grid=dataclasses.replace(
        grid, location={year: 0.5}, market={year: 0.3}))
    _, ctx = build_model(inputs)
    run = solve_built(HighsSolver(), ctx)
    assert run.outcome.status == "optimal"
    assert pyo.value(emissions_expr(ctx, "scope2_location", year)) == pytest.approx(4380.0)
    assert pyo.value(emissions_expr(ctx, "scope2_market", year)) == pytest.approx(2628.0)
    ds = run.results
    assert float(ds["grid_factor"].sel(factor_basis="location", year=year)) == 0.5
    assert float(ds["grid_factor"].sel(factor_basis="market", year=year)) == 0.3
    assert float(ds["emissions"].sel(category="scope2_market", year=year)) == pytest.approx(
        2628.0)



def test_the_counterfactual_of_some_years_is_taken_by_year() -> None:
    """A decomposition's yearly subproblem keeps the plan's factors for all its years but
    models one, whose counterfactual the ledger writes (tests/optimiser/test_decompose.py runs
    that path; it failed when the ledger wrote all six years of Tochigi against one)."""
    plan = read_plan(SITES / "tochigi.yaml").plan
    years = tuple(plan.years())
    heat = site_factors(plan, years, plan_spans(plan).mean).heat
    assert heat.years == years and len(years) > 2
    factors, prices = heat.in_years([years[2]])
    assert factors.shape == (heat.factors.shape[0], len(FUEL_CATEGORIES), 1)
    assert (factors[:, :, 0] == heat.factors[:, :, 2]).all()
    assert (prices[:, 0] == heat.prices[:, 2]).all()
    assert prices[:, 0].tolist() != heat.prices[:, 0].tolist()  # the years differ


def test_inputs_take_a_new_plan_only_with_the_same_finance(tmp_path: Path) -> None:
    """Factors are span means over the inputs' years: a plan with another discount rate (or
    other years) needs new inputs, not the old ones with new factors."""
    loaded = read_plan(write_plan(tmp_path, {}))
    inputs = prepare_inputs(loaded, Resolution.parse("repdays:1"))
    dearer = loaded.plan.model_copy(update={"grid": loaded.plan.grid.model_copy(
        update={"import_price_per_mwh": loaded.plan.grid.import_price_per_mwh.scaled(2.0)})})
    (year,) = inputs.years
    inputs.set_plan(dearer)
    assert inputs.factors.grid.import_price[year] == pytest.approx(200.0)
    other = dearer.model_copy(update={"finance": dearer.finance.model_copy(
        update={"discount_rate": 0.1})})
    with pytest.raises(ValueError, match="finance"):
        inputs.set_plan(other)
