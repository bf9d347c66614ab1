"""Item 1 (issue 11): plan merge and currency.

A trajectory {year: value} is one value: a site's trajectory replaces an included one whole.
Money fields keep the currency and price year of the file entry that wrote them. Rules in
docs/plans.md ("Includes", "Money").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cnplan.cli import app
from plant.errors import PlanError
from plant.loader import read_plan

from ..conftest import SITES

MINIMAL = SITES / "examples" / "minimal.yaml"


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _catalogue(tmp_path: Path, **extra) -> Path:
    pv = {"kind": "solar_pv", "currency": "EUR", "specific_yield_kwh_per_kwp": 900,
          "lifetime_years": 25, "capex_per_kw": {2025: 10, 2030: 20, 2040: 30},
          "fixed_om_per_kw_year": 4.0, **extra}
    return _write(tmp_path / "catalogue.yaml", {"technologies": {"pv": pv}})


def test_site_trajectory_replaces_the_catalogue_one_whole(tmp_path: Path) -> None:
    """Catalogue {2025: 10, 2030: 20, 2040: 30} EUR under a site override
    {2025: 100, 2050: 50} GBP: the site's line alone, 100 − 50 × 15/25 = 70 GBP in 2040
    (a year-by-year merge gave 30 EUR read as GBP)."""
    _catalogue(tmp_path)
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "technologies": {"pv": {"currency": "GBP", "capex_per_kw": {2025: 100, 2050: 50}}},
        "finance": {"exchange_rates": {"EUR": 0.85}}})
    pv = read_plan(plan).plan.technologies["pv"]
    assert pv.capex_per_kw.points == {2025: 100.0, 2050: 50.0}
    assert pv.capex_per_kw.at(2040) == pytest.approx(70.0)
    # a money field the site does not restate keeps the catalogue's currency: 4 EUR
    assert pv.fixed_om_per_kw_year.at(2030) == pytest.approx(4.0 * 0.85)


def test_tochigi_wind_capex_is_the_sites_own_path(tochigi) -> None:
    """Tochigi restates wind capex as {2025: 347000, 2040: 293000} JPY/kW: no catalogue EUR
    value survives (2030 was 1383 'JPY' and 2050 1286 before the fix)."""
    wind = tochigi.plan.technologies["wind_onshore"]
    assert wind.capex_per_kw.points == {2025: 347000.0, 2040: 293000.0}
    assert wind.capex_per_kw.at(2030) == pytest.approx(329000.0)
    # its variable O&M is the catalogue's 1.7 EUR/MWh (2025 prices): converted, not read as JPY
    assert wind.variable_om_per_mwh.at(2030) == pytest.approx(1.7 * 126.15 / 128.80 * 162.0)


def test_sunderland_2040_wind_capex_follows_the_site(sunderland) -> None:
    wind = sunderland.plan.technologies["wind_onshore"]
    assert wind.capex_per_kw.at(2040) == pytest.approx(1500.0)  # 1560 → 1440 linearly


def test_price_year_brought_to_the_plans(tmp_path: Path) -> None:
    """10 EUR of 2020 in a plan of 2024 prices with EUR index {2020: 100, 2024: 120} and
    0.85 GBP/EUR: 10 × 120/100 × 0.85 = 10.2 GBP."""
    _catalogue(tmp_path, price_year=2020, capex_per_kw=10)
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "finance": {"exchange_rates": {"EUR": 0.85}, "price_year": 2024,
                    "price_index": {"EUR": {2020: 100.0, 2024: 120.0}}}})
    pv = read_plan(plan).plan.technologies["pv"]
    assert pv.capex_per_kw.at(2030) == pytest.approx(10.2)
    assert pv.price_year is None and pv.currency is None


def test_new_currency_without_price_year_means_the_plans(tmp_path: Path) -> None:
    """A site entry that states currency: GBP (no price_year) is in the plan's price year,
    not in the catalogue entry's 2020."""
    _catalogue(tmp_path, price_year=2020)
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "technologies": {"pv": {"currency": "GBP", "capex_per_kw": 500}},
        "finance": {"exchange_rates": {"EUR": 0.85}, "price_year": 2024,
                    "price_index": {"EUR": {2020: 100.0, 2024: 120.0}}}})
    pv = read_plan(plan).plan.technologies["pv"]
    assert pv.capex_per_kw.at(2030) == pytest.approx(500.0)
    assert pv.fixed_om_per_kw_year.at(2030) == pytest.approx(4.0 * 1.2 * 0.85)


def test_missing_price_index_is_one_clear_error(tmp_path: Path) -> None:
    _catalogue(tmp_path, price_year=2020)
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "finance": {"exchange_rates": {"EUR": 0.85}, "price_year": 2024}})
    with pytest.raises(PlanError) as info:
        read_plan(plan)
    (issue,) = info.value.issues
    assert issue.path == ("technologies", "pv", "price_year")
    assert "finance.price_index.EUR needs values for 2020 and 2024" in issue.message
    assert issue.file.name == "catalogue.yaml"


def test_show_prints_resolved_costs_by_year() -> None:
    """`cnplan show` lists each technology's resolved costs by investment year in the site
    currency, so a wrong number is visible before a solve."""
    runner = CliRunner()
    result = runner.invoke(app, ["show", str(SITES / "tochigi.yaml"), "--no-profiles"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Costs and prices by investment year, JPY, 2024 prices" in result.output
    line = next(ln for ln in result.output.splitlines() if "wind_onshore.capex_per_kw" in ln)
    cells = [c.strip() for c in line.split("│") if c.strip()]
    assert cells[1:] == ["JPY/kW", "339,800", "329,000", "311,000", "293,000", "293,000",
                         "293,000"]
    data = json.loads(runner.invoke(app, ["show", str(SITES / "tochigi.yaml"), "--no-profiles",
                                          "--json"]).output)
    row = next(r for r in data["money"]["rows"]
               if (r["item"], r["field"]) == ("wind_onshore", "capex_per_kw"))
    assert row["values"] == {"2027": 339800.0, "2030": 329000.0, "2035": 311000.0,
                             "2040": 293000.0, "2045": 293000.0, "2050": 293000.0}


def test_field_in_site_currency_stays_when_the_site_switches_currency(tmp_path: Path) -> None:
    """A catalogue item written in the site currency (no currency: key), capex 100; the site
    says currency: EUR and restates only fixed O&M (10 EUR). Capex stays 100 GBP (it was
    converted as if EUR, 85, when a record of "site currency" was taken for "no record");
    O&M becomes 10 × 0.85 = 8.5 GBP."""
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 900, "lifetime_years": 25,
          "capex_per_kw": 100, "fixed_om_per_kw_year": 4.0}
    _write(tmp_path / "catalogue.yaml", {"technologies": {"pv": pv}})
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "technologies": {"pv": {"currency": "EUR", "fixed_om_per_kw_year": 10}},
        "finance": {"exchange_rates": {"EUR": 0.85}}})
    pv_loaded = read_plan(plan).plan.technologies["pv"]
    assert pv_loaded.capex_per_kw.at(2030) == pytest.approx(100.0)
    assert pv_loaded.fixed_om_per_kw_year.at(2030) == pytest.approx(8.5)


def test_quoted_year_keys_are_a_trajectory_too(tmp_path: Path) -> None:
    _catalogue(tmp_path)
    plan = _write(tmp_path / "plan.yaml", {
        "include": [str(MINIMAL), "catalogue.yaml"],
        "technologies": {"pv": {"capex_per_kw": {"2025": 12, "2050": 6}}},
        "finance": {"exchange_rates": {"EUR": 0.85}}})
    pv = read_plan(plan).plan.technologies["pv"]
    assert pv.capex_per_kw.points == {2025: 12 * 0.85, 2050: 6 * 0.85}
