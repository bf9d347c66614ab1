"""Loading plans: includes merge, money converts, hashes identify content."""

from __future__ import annotations

from pathlib import Path

import pytest

from plant.errors import PlanError
from plant.loader import LoadedPlan, read_plan
from plant.schema import SolarPV

from .conftest import SITES


def test_reference_plans_validate(sunderland: LoadedPlan, tochigi: LoadedPlan) -> None:
    assert sunderland.plan.site.name == "Sunderland"
    assert tochigi.plan.site.currency == "JPY"
    assert sunderland.plan.years() == [2027, 2030, 2035, 2040, 2045, 2050]


def test_site_overrides_catalogue_and_keeps_the_rest(sunderland: LoadedPlan) -> None:
    pv = sunderland.plan.technologies["solar_pv_ground"]
    assert isinstance(pv, SolarPV)
    assert pv.capex_per_kw.at(2025) == 550  # GBP from the site file
    assert pv.lifetime_years == 38  # from the catalogue
    assert pv.specific_yield_kwh_per_kwp == 900


def test_foreign_currency_is_converted(sunderland: LoadedPlan) -> None:
    # catalogue heat pump: 1045 EUR/kW (2025 prices) for 2025; to 2024 prices with the euro
    # area HICP (126.15/128.80), then 0.85 GBP/EUR
    hp = sunderland.plan.technologies["heat_pump_industrial"]
    assert hp.currency is None and hp.price_year is None
    assert hp.capex_per_kw.at(2025) == pytest.approx(1045 * 126.15 / 128.80 * 0.85)
    ethanol = sunderland.plan.fuels["bioethanol"]  # USD of the plan's price year
    assert ethanol.price_per_mwh.at(2030) == pytest.approx(110 * 0.787)


def test_scenario_file_includes_reference_plan() -> None:
    company = read_plan(SITES / "tochigi_company_plan.yaml")
    assert company.plan.pins[0].min_capacity_mw == 0.02
    assert company.plan.technologies.keys() == read_plan(SITES / "tochigi.yaml").plan.\
        technologies.keys()


def test_null_removes_an_included_entry(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: [{SITES / 'sunderland.yaml'}]\ntechnologies:\n"
                    "  battery_li_ion: null\n")
    loaded = read_plan(plan)
    assert "battery_li_ion" not in loaded.plan.technologies


def test_hash_changes_with_content(tmp_path: Path, minimal: LoadedPlan) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: [{SITES / 'examples' / 'minimal.yaml'}]\n"
                    "grid: {import_price_per_mwh: 201}\n")
    assert read_plan(plan).sha256 != minimal.sha256
    assert read_plan(SITES / "examples" / "minimal.yaml").sha256 == minimal.sha256


def test_include_cycle_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n")
    with pytest.raises(PlanError, match="include cycle"):
        read_plan(tmp_path / "a.yaml")


def test_several_mistakes_are_all_reported(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: [{SITES / 'examples' / 'minimal.yaml'}]\n"
                    "site: {latitude_deg: 100, timezone: Mars/Base}\n")
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    assert len(info.value.issues) == 2


def test_error_in_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "catalogue.yaml").write_text("technologies:\n  pv:\n    kind: solar_pv\n"
                                             "    lifetime_years: -3\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: [{SITES / 'examples' / 'minimal.yaml'}, catalogue.yaml]\n"
                    "technologies:\n  pv:\n    specific_yield_kwh_per_kwp: 900\n")
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    text = str(info.value)
    assert "catalogue.yaml:4: technologies.pv.lifetime_years" in text


def test_heat_class_return_must_be_below_its_supply(tmp_path: Path) -> None:
    """A heat class returning at or above its supply temperature is refused with the key
    path; without a return it defaults to 20 K below the supply (docs/plans.md)."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: [{SITES / 'examples' / 'minimal.yaml'}]\n"
                    "demand:\n  heat:\n    heat_low:\n      annual_mwh: 100\n"
                    "      constant_share: 1\n      temperature_c: 60\n"
                    "      return_temperature_c: 70\n")
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    assert "demand.heat.heat_low" in str(info.value)
    assert "must be below the supply" in str(info.value)
    plan.write_text(f"include: [{SITES / 'examples' / 'minimal.yaml'}]\n"
                    "demand:\n  heat:\n    heat_low:\n      annual_mwh: 100\n"
                    "      constant_share: 1\n      temperature_c: 60\n")
    assert read_plan(plan).plan.demand.heat["heat_low"].return_c == 40.0


def test_demand_shares_add_up_to_one_with_cooling(tmp_path: Path) -> None:
    """production + weather (heating) + cooling + constant = 1; a cooling base the plan
    gives must not lie below its heating base."""
    plan = tmp_path / "plan.yaml"
    head = f"include: [{SITES / 'examples' / 'minimal.yaml'}]\n"
    plan.write_text(head + "demand:\n  electricity: {annual_mwh: 40000, production_share: 0.6, "
                    "cooling_share: 0.1, constant_share: 0.4}\n")
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    assert ("demand.electricity: production_share + weather_share + cooling_share + "
            "constant_share must add up to 1, got 1.1") in str(info.value)
    plan.write_text(head + "demand:\n  electricity: {annual_mwh: 40000, production_share: 0.6, "
                    "cooling_share: 0.1, constant_share: 0.3}\n")
    assert read_plan(plan).plan.demand.electricity.cooling_share == 0.1
    plan.write_text(head + "climate: {heating_base_temperature_c: 15.5, "
                    "cooling_base_temperature_c: 12}\n")
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    assert "must not be below heating_base_temperature_c (15.5)" in str(info.value)
    # a plan written before cooling existed: a heating base above the default cooling base
    plan.write_text(head + "climate: {heating_base_temperature_c: 20}\n")
    assert read_plan(plan).plan.climate.cooling_base_temperature_c == 18.3
