"""Results as one source of truth (issue 13): abatement by lever at each year's own factors,
targets in every year they hold, and implied carbon prices on both sides of a kink.

Hand cases on the base plans of tests/optimiser/data (a flat 1 MW load, grid at 100/MWh).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser import summary
from optimiser.post.statistics import EFFECTS, annual, emissions_on

from ..optimiser.helpers import run
from .two_class_plant import ASSETS, GAS, HEAT, gas_plant


def test_lever_is_worth_nothing_where_the_grid_is_clean(tmp_path) -> None:
    """Grid factor 0.2 t/MWh in 2025 and 0 from 2030; free ethanol, so the SOFC carries the
    load in both years (no heat class, biogenic CO2 outside the scopes). Its electricity
    wedge is 0.2 × its output in 2025 and exactly 0 in 2030: it displaces clean power. (The
    old report valued it at the 2018 factor in every year.)"""
    result = run(tmp_path, {
        "grid": {"carbon_intensity_t_per_mwh": {2025: 0.2, 2030: 0.0},
                 "residual_mix_t_per_mwh": {2025: 0.2, 2030: 0.0}},
        "fuels": {"bioethanol": {"price_per_mwh": 0}},
        "finance": {"investment_years": [2025, 2030]}}, base="sofc_plan.yaml")
    ds = result.results
    assert result.outcome.status == "optimal"
    out = annual(ds, ds["dispatch"].sel(tech="sofc_bioethanol", carrier="electricity"))
    assert float(out.sel(year=2030)) > 1000.0
    sofc = ds["abatement"].sel(basis="scope1+scope2_market", effect="SOFC")
    assert float(sofc.sel(year=2025)) == pytest.approx(0.2 * float(out.sel(year=2025)),
                                                      rel=1e-6)
    assert float(sofc.sel(year=2030)) == pytest.approx(0.0, abs=1e-9)


def test_effects_close_exactly(tmp_path) -> None:
    """Baseline − Σ effects = the year's emissions on the basis (scope 1 + market scope 2),
    with "other" zero when all demand is served: grid only, 1752 t in 2025."""
    result = run(tmp_path, {"grid": {"residual_mix_t_per_mwh": 0.2}})
    ds = result.results
    table = ds["abatement"].sel(basis="scope1+scope2_market", year=2025)
    assert list(table["effect"].values) == list(EFFECTS)
    base = float(ds["baseline_emissions"].sel(baseline_category=["scope1",
                                                                 "scope2_market"]).sum())
    emitted = float(emissions_on(ds, ("scope1", "scope2_market")).sel(year=2025))
    assert base - float(table.sum()) == pytest.approx(emitted, rel=1e-9)
    assert float(table.sel(effect="other")) == pytest.approx(0.0, abs=1e-6)
    assert emitted == pytest.approx(1752.0, rel=1e-9)


def test_target_missed_in_a_later_year_is_not_met(tmp_path) -> None:
    """A -50 % target in 2025 that holds after it; certificates (5/MWh) can cover 4380 MWh in
    2025 but none from 2030, and nothing else cuts emissions. 2025: met (876 t); 2030:
    missed by 876 t. The target is not met, and says so for 2030 (it read "met" when only
    the target year was looked at)."""
    certs = {"rego": {"price_per_mwh": 5, "max_mwh_per_year": {2025: 4380, 2026: 0}}}
    target = {"name": "half", "year": 2025, "reduction": 0.5}
    result = run(tmp_path, {"certificates": certs, "targets": [target],
                            "grid": {"residual_mix_t_per_mwh": 0.2},
                            "finance": {"investment_years": [2025, 2030]}})
    summ = summary(result.results, result.timings, {})
    (entry,) = summ["targets"]
    assert summ["status"] == "targets_missed"
    assert entry["met"] is False
    assert entry["missed_in"] == [2030]
    assert entry["years"]["2025"]["met"] is True
    assert entry["years"]["2030"]["achieved"] == pytest.approx(1752.0, rel=1e-6)
    assert entry["shortfall"] == pytest.approx(876.0, rel=1e-6)
    # a missed target has no implied price (its dual is the diagnostic penalty)
    assert entry["years"]["2025"]["price_lower"] is None
    assert entry["shadow_price"] is None


def test_implied_price_on_a_kink_has_two_sides(tmp_path) -> None:
    """Grid only (1752 t), certificates at 5/MWh = 25/t up to 2000 MWh (400 t), removal
    credits at 30/t. The target asks for exactly 400 t (reduction 400/1752): relaxing it by
    a tonne saves a certificate tonne, 25; tightening needs a credit, 30. Both are reported,
    with the certificate cap as what binds (the dual alone gave one of the two)."""
    certs = {"rego": {"price_per_mwh": 5, "max_mwh_per_year": 2000}}
    credits = {"removal": {"kind": "removal", "price_per_t": 30}}
    target = {"name": "cut", "year": 2025, "reduction": 400 / 1752, "max_credit_share": 0.5}
    result = run(tmp_path, {"certificates": certs, "carbon_credits": credits,
                            "targets": [target], "grid": {"residual_mix_t_per_mwh": 0.2}})
    (entry,) = summary(result.results, result.timings, {})["targets"]
    assert entry["met"] is True
    assert entry["shadow_price"] == pytest.approx(25.0, rel=1e-6)
    assert entry["shadow_price_upper"] == pytest.approx(30.0, rel=1e-6)
    assert "cap on certificates rego" in entry["binds"]


def test_results_carry_the_models_costs_per_technology(tmp_path) -> None:
    """tech_cost by category adds up to the model's cost by category (capex, O&M) and the
    yearly cost of a cohort built in the only year is its annuity-due plus O&M."""
    from ..optimiser.helpers import half_day_solar, write_csv

    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
          "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
          "max_capacity_mw": 1.5, "degradation_per_year": 0.0}
    result = run(tmp_path, {"technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}}})
    ds = result.results
    for category in ("capex", "salvage", "fixed_om", "variable_om"):
        np.testing.assert_allclose(ds["tech_cost"].sel(cost_category=category).sum("tech"),
                                   ds["cost"].sel(cost_category=category), rtol=1e-9)
    adue = (1 - 1.05 ** -20) / (1 - 1 / 1.05)
    expected = 1.5e6 / adue + 15_000 + 6_570
    assert float(ds["tech_annual_cost"].sel(tech="pv", year=2025)) == pytest.approx(
        expected, rel=1e-9)
    assert str(ds["tech_lever"].sel(tech="pv").values) == "on-site renewables"
    assert str(ds["tech_capacity_unit"].sel(tech="pv").values) == "MW"


def test_console_shows_both_prices_and_what_binds(tmp_path) -> None:
    from typer.testing import CliRunner

    from cnplan.cli import app

    from ..optimiser.helpers import write_plan

    plan = write_plan(tmp_path, {
        "certificates": {"rego": {"price_per_mwh": 5, "max_mwh_per_year": 2000}},
        "carbon_credits": {"removal": {"kind": "removal", "price_per_t": 30}},
        "targets": [{"name": "cut", "year": 2025, "reduction": 400 / 1752,
                     "max_credit_share": 0.5}],
        "grid": {"residual_mix_t_per_mwh": 0.2}})
    result = CliRunner().invoke(app, ["plan", str(plan), "--out", str(tmp_path / "run"),
                                      "--resolution", "repdays:2", "--no-report"],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "implied carbon price 25 to 30 GBP/t (cap on certificates rego binds)" in text


def test_kink_with_a_zero_dual_still_costs_to_tighten(tmp_path) -> None:
    """PV that pays for itself is built to its 1.5 MW limit (3285 MWh, leaving 1095 t); the
    target asks for exactly that (reduction 1 − 1095/1752 = 0.375). Its dual is 0 — the PV is
    built anyway — but a tonne more needs a certificate at 5/MWh = 25/t: 0 and 25, with the
    PV's build limit as what binds (it was reported as 0 alone)."""
    from ..optimiser.helpers import half_day_solar, write_csv

    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
          "fixed_om_per_kw_year": 10, "lifetime_years": 20, "max_capacity_mw": 1.5,
          "degradation_per_year": 0.0}
    target = {"name": "cut", "year": 2025, "reduction": 1 - 1095 / 1752}
    result = run(tmp_path, {"technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}},
                            "certificates": {"rego": {"price_per_mwh": 5}},
                            "targets": [target], "grid": {"residual_mix_t_per_mwh": 0.2}})
    (entry,) = summary(result.results, result.timings, {})["targets"]
    assert entry["shadow_price"] == pytest.approx(0.0, abs=1e-6)
    assert entry["shadow_price_upper"] == pytest.approx(25.0, rel=1e-6)
    assert "build limit of pv" in entry["binds"]


def test_each_heat_class_is_valued_at_its_own_plant(tmp_path) -> None:
    """Two heat classes served by existing gas plant of different efficiency: boilers (0.9)
    for 4380 MWh of low-temperature heat and furnaces (0.4) for 2190 MWh of casting heat;
    gas 0.2 t/MWh, baseline gas = 4380/0.9 + 2190/0.4 = 10,341.7 MWh. Doing nothing, the
    boilers and furnaces abate nothing ("fuels & boilers" = 0; one average heat factor gave
    the boilers a credit and the furnaces a debit), and an electric furnace replacing the
    casting heat is worth 0.2/0.4 = 0.5 t per MWh of heat, not the average 0.317."""
    techs = {**gas_plant(30),
             "e_furnace": {"kind": "electric_heater", "serves": ["heat_casting"],
                           "efficiency": 1.0, "capex_per_kw": 0.0, "lifetime_years": 20,
                           "max_capacity_mw": 0}}
    base = {"electricity_mwh": 8760, "fuels_mwh": {"gas": 4380 / 0.9 + 2190 / 0.4}}
    common = {"demand": {"heat": HEAT}, "fuels": {"gas": GAS}, "existing_assets": ASSETS,
              "baseline": base, "grid": {"residual_mix_t_per_mwh": 0.2}}
    idle = run(tmp_path, {**common, "technologies": techs}).results
    table = idle["abatement"].sel(basis="scope1+scope2_market", year=2025)
    assert float(table.sel(effect="fuels & boilers")) == pytest.approx(0.0, abs=1e-6)
    techs["e_furnace"]["max_capacity_mw"] = 1  # free and on a grid at 0: replaces the furnace
    electric = run(tmp_path, {**common, "technologies": techs,
                              "grid": {"import_price_per_mwh": 10,
                                       "carbon_intensity_t_per_mwh": 0.0,
                                       "residual_mix_t_per_mwh": 0.0}}).results
    table = electric["abatement"].sel(basis="scope1+scope2_market", year=2025)
    assert float(table.sel(effect="electrification")) == pytest.approx(2190 * 0.5, rel=1e-6)
