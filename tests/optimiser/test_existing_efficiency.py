"""Issue 29 (D6): an existing boiler may state its own efficiency, for that cohort only, and
Tochigi's heat inputs are on one heating-value basis.

Hand cases on the base plan of tests/optimiser/data: 4380 MWh of low-temperature heat a year,
a flat 0.5 MW; gas 30/MWh (LHV), 0.2 t/MWh.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyomo.repn import generate_standard_repn

from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model
from optimiser.run.pipeline import prepare_inputs
from plant.errors import PlanError
from plant.loader import read_plan

from .helpers import annual, run, write_plan

SITES = Path(__file__).resolve().parents[2] / "sites"
HEAT = {"heat_low": {"temperature_c": 60, "annual_mwh": 4380, "constant_share": 1.0}}
GAS = {"gas": {"heating_value_basis": "LHV", "price_per_mwh": 30,
               "combustion_fossil_t_per_mwh": 0.2}}


def _plan(old_mw: float, new_max_mw: float) -> dict:
    """A boiler technology at 0.9 (new build free up to ``new_max_mw``) with an existing
    asset of ``old_mw`` that states 0.75."""
    boiler = {"kind": "fuel_boiler", "serves": ["heat_low"], "fuels": ["gas"],
              "efficiency": 0.9, "lifetime_years": 30, "max_capacity_mw": old_mw + new_max_mw}
    old = {"technology": "boiler", "capacity_mw": old_mw, "build_year": 2015,
           "efficiency": 0.75}
    return {"demand": {"heat": HEAT}, "fuels": GAS, "technologies": {"boiler": boiler},
            "existing_assets": {"old": old},
            "baseline": {"electricity_mwh": 8760, "fuels_mwh": {"gas": 4380 / 0.75}}}


def test_an_existing_boiler_burns_at_its_own_efficiency(tmp_path) -> None:
    """Only the old 0.6 MW boiler: 4380 MWh of heat burn 4380/0.75 = 5840 MWh of gas (the
    technology's 0.9 would burn 4866.7)."""
    ds = run(tmp_path, _plan(0.6, 0.0)).results
    assert float(annual(ds, ds["dispatch"].sel(tech="boiler", carrier="heat_low")).sum()
                 ) == pytest.approx(4380, rel=1e-9)
    assert float(ds["fuel_use"].sel(tech="boiler").sum()) == pytest.approx(5840, rel=1e-9)


def test_own_efficiency_is_for_that_cohort_only(tmp_path) -> None:
    """Old 0.35 MW at 0.75 and free new build at 0.9 up to 0.2 MW: the new 0.2 MW runs flat
    out (1752 MWh at 0.9) and the old supplies the other 0.3 MW (2628 MWh at 0.75), 5450.7
    MWh of gas. New build cannot supply more than it has (it would burn 4866.7)."""
    ds = run(tmp_path, _plan(0.35, 0.2)).results
    assert float(ds["capacity"].sel(tech="boiler", year=2025)) == pytest.approx(0.55, rel=1e-6)
    assert float(ds["fuel_use"].sel(tech="boiler").sum()) == pytest.approx(
        1752 / 0.9 + 2628 / 0.75, rel=1e-6)


def test_hourly_verification_holds_the_cohorts(tmp_path) -> None:
    """The hour-by-hour check (capacities held) of the case above burns the same gas: the
    old cohort keeps its 0.35 MW and 0.75 there too (scope 1 = 0.2 × 5450.7 t)."""
    from optimiser.verify.hourly import verify

    loaded = read_plan(write_plan(tmp_path, _plan(0.35, 0.2)))
    result = run(tmp_path, _plan(0.35, 0.2))
    verified = verify(loaded, result.decisions, result.results, jobs=1)
    scope1 = float(verified["verified_emissions"].sel(category="scope1", year=2025))
    assert scope1 == pytest.approx(0.2 * (1752 / 0.9 + 2628 / 0.75), rel=1e-6)


def test_own_efficiency_only_on_fuel_boilers(tmp_path) -> None:
    """An efficiency on an existing heat pump is an error at its key."""
    hp = {"kind": "heat_pump", "serves": ["heat_low"], "max_supply_temperature_c": 80,
          "lifetime_years": 20}
    plan = {"demand": {"heat": HEAT}, "technologies": {"hp": hp},
            "existing_assets": {"hp1": {"technology": "hp", "capacity_mw": 1,
                                        "build_year": 2015, "efficiency": 0.9}}}
    with pytest.raises(PlanError, match="efficiency"):
        read_plan(write_plan(tmp_path, plan))


def test_tochigi_heat_on_one_heating_value_basis() -> None:
    """Casting heat = 105,000 MWh gas (HHV) × 30 % × 0.902 (LHV/HHV) × 0.40 useful per LHV
    (it was 12,600: the LHV efficiency on HHV gas); the 2005 boilers state 0.86 LHV, the
    figure the heat_low and heat_process derivations use (× 0.902 = 0.775), and the built
    model burns fuel for their heat at 0.86, for new boilers at the catalogue's figure."""
    loaded = read_plan(SITES / "tochigi.yaml")
    plan = loaded.plan
    assert plan.demand.heat["heat_casting"].annual_mwh == pytest.approx(
        105_000 * 0.30 * 0.902 * 0.40, abs=1.0)
    assert plan.existing_assets["gas_boilers"].efficiency == pytest.approx(0.86)
    inputs = prepare_inputs(loaded, Resolution.parse("repdays:2"))
    m, _ = build_model(inputs)
    year = inputs.years[0]
    repn = generate_standard_repn(m.tech_gas_boiler.fuel_balance[year].body)
    coefs = {v.name: c for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)}
    fuel = coefs[f"tech_gas_boiler.fuel[{year},natural_gas]"]
    weight = float(inputs.step_weight[0])
    own = -coefs[f"tech_gas_boiler.own_heat[gas_boilers,{year},0,heat_low]"]
    new = -coefs[f"tech_gas_boiler.heat[{year},0,heat_low]"]
    assert fuel * weight / own == pytest.approx(0.86, rel=1e-12)
    assert fuel * weight / new == pytest.approx(
        plan.technologies["gas_boiler"].heat_per_fuel(year), rel=1e-12)
