"""One-slip plans (issue #29): every money and quantity field is checked at both ends, the
coordinates against the time zone and the country, every emission factor for g/kWh. Each case
is a copy of the minimal example (GBP, Europe/London) with one value slipped, run through the
real command line: a warning with its code at the line to change (an error for the residual
mix, as for the location-based factor), and no warning with the value meant."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from typer.testing import CliRunner

from cnplan.cli import app

from .test_plausibility import _line
from .test_plausibility import _plan as _edited_plan

runner = CliRunner()

ELECTRICITY = "electricity: {annual_mwh: 40000, production_share: 0.6, constant_share: 0.4}"
HEAT = (ELECTRICITY, ELECTRICITY + "\n  heat:\n    heat_low: {annual_mwh: 5000, "
        "temperature_c: 80, constant_share: 1}")
GAS = "\nfuels:\n  natural_gas:\n    price_per_mwh: 40\n    combustion_fossil_t_per_mwh: 0.184\n"
IMPORT = "  import_price_per_mwh: 200\n"

PV = {"kind": "solar_pv", "lifetime_years": 30, "specific_yield_kwh_per_kwp": 900,
      "capex_per_kw": 600}
WIND = {"kind": "wind", "lifetime_years": 25, "capacity_factor": 0.25, "capex_per_kw": 1500}
BATTERY = {"kind": "battery", "lifetime_years": 15, "round_trip_efficiency": 0.9,
           "capex_per_kwh": 300}
BOILER = {"kind": "fuel_boiler", "lifetime_years": 25, "fuels": "[natural_gas]",
          "serves": "[heat_low]", "efficiency": 0.9, "capex_per_kw": 60}
SAVING = {"kind": "efficiency", "lifetime_years": 15, "carrier": "electricity",
          "capex_per_mwh_saved_per_year": 500, "max_saving_fraction": 0.1}

Edits = list[tuple[str, str]]


def _tech(body: dict[str, object], **fields: object) -> str:
    lines = "".join(f"    {k}: {v}\n" for k, v in {**body, **fields}.items())
    return f"\ntechnologies:\n  t:\n{lines}"


def _section(head: str, key: str) -> Callable[[str], tuple[Edits, str]]:
    """A plan with ``head`` (YAML down to the item) and ``key: value`` under it."""
    return lambda v: ([], f"\n{head}    {key}: {v}\n")


def _tech_case(body: dict[str, object], field: str, heat: bool = False
               ) -> Callable[[str], tuple[Edits, str]]:
    return lambda v: ([HEAT] if heat else [], _tech(body, **{field: v}) + (GAS if heat else ""))


def _edit(old: str, new: str) -> Callable[[str], tuple[Edits, str]]:
    return lambda v: ([(old, new.format(v=v))], "")


class Case(NamedTuple):
    code: str
    words: str
    key: str
    """The key slipped: the warning names the line ``key: <bad>``."""
    plan: Callable[[str], tuple[Edits, str]]
    bad: str
    good: str


CASES = {
    # the five one-slip plans of issue #29 that passed silently
    "PV capex in USD/W": Case("W109", "far below what any solar PV costs", "capex_per_kw",
                              _tech_case(PV, "capex_per_kw"), "1.2", "1200"),
    "roof area in km²": Case("W117", "is it in km² (×1,000,000) or hectares", "max_area_m2",
                             _tech_case(PV, "max_area_m2"), "0.12", "120000"),
    "longitude sign dropped": Case(
        "W119", "is a minus sign missing (-86)? East is positive", "longitude_deg",
        _edit("country: GB\n  latitude_deg: 54.9\n  longitude_deg: -1.47\n  timezone: "
              "Europe/London", "country: US\n  latitude_deg: 35.9\n  longitude_deg: {v}\n"
              "  timezone: America/Chicago"), "86.0", "-86.0"),
    "demand charge per kW-year": Case(
        "W116", "is it per kW and year? (divide by 12)", "price_per_kw_month",
        _section("demand_charges:\n  capacity:\n", "price_per_kw_month"), "180", "15"),
    # the other end of each, and every other field class
    "latitude sign flipped": Case(
        "W119", "is a minus sign missing or extra (54.9, -1.47", "latitude_deg",
        _edit("latitude_deg: 54.9", "latitude_deg: {v}"), "-54.9", "54.9"),
    "battery capex in USD/Wh": Case("W109", "is it per Wh?", "capex_per_kwh",
                                    _tech_case(BATTERY, "capex_per_kwh"), "0.15", "150"),
    "battery embodied CO2 in kg per MWh": Case(
        "W120", "is it in kg? (kg per kWh = t per MWh)", "embodied_t_co2e_per_mwh",
        _tech_case(BATTERY, "embodied_t_co2e_per_mwh"), "80000", "80"),
    "PV embodied CO2 in kg per MW": Case(
        "W120", "is it in kg? (kg per kW = t per MW)", "embodied_t_co2e_per_mw",
        _tech_case(PV, "embodied_t_co2e_per_mw"), "810000", "810"),
    "saving cost per kWh a year": Case(
        "W109", "is it per kWh a year saved?", "capex_per_mwh_saved_per_year",
        _tech_case(SAVING, "capex_per_mwh_saved_per_year"), "0.5", "500"),
    "saving's whole cost": Case(
        "W107", "is it the measure's whole cost", "capex_per_mwh_saved_per_year",
        _tech_case(SAVING, "capex_per_mwh_saved_per_year"), "900000", "900"),
    "fixed O&M per W": Case("W110", "far below any solar PV's fixed O&M",
                            "fixed_om_per_kw_year", _tech_case(PV, "fixed_om_per_kw_year"),
                            "0.012", "12"),
    "fixed O&M per MW": Case("W110", "is it per MW? (divide by 1000)", "fixed_om_per_kw_year",
                             _tech_case(WIND, "fixed_om_per_kw_year"), "30000", "30"),
    "variable O&M per kWh": Case("W111", "far below any wind's variable O&M",
                                 "variable_om_per_mwh", _tech_case(WIND, "variable_om_per_mwh"),
                                 "0.0018", "1.8"),
    "variable O&M per GWh": Case("W111", "is a fuel cost in it, or is it per GWh?",
                                 "variable_om_per_mwh", _tech_case(WIND, "variable_om_per_mwh"),
                                 "1800", "1.8"),
    "gas price per kWh": Case("W112", "far below any fuel price", "price_per_mwh",
                              _section("fuels:\n  natural_gas:\n", "price_per_mwh"), "0.04", "40"),
    "gas price per GWh": Case("W112", "is it per GWh, or in another currency?", "price_per_mwh",
                              _section("fuels:\n  natural_gas:\n", "price_per_mwh"),
                              "40000", "40"),
    "export price per kWh": Case("W113", "far below any electricity price",
                                 "export_price_per_mwh",
                                 _edit(IMPORT, IMPORT + "  export_price_per_mwh: {v}\n"),
                                 "0.05", "50"),
    "import price in yen": Case("W113", "far above any electricity price",
                                "import_price_per_mwh",
                                _edit("import_price_per_mwh: 200", "import_price_per_mwh: {v}"),
                                "30000", "200"),
    "certificate per kWh": Case("W114", "far below any certificate price", "price_per_mwh",
                                _section("certificates:\n  rego:\n", "price_per_mwh"),
                                "0.005", "5"),
    "certificate per GWh": Case("W114", "far above any certificate price", "price_per_mwh",
                                _section("certificates:\n  rego:\n", "price_per_mwh"),
                                "5000", "5"),
    "credit per kg": Case("W115", "far below any carbon credit price", "price_per_t",
                          _section("carbon_credits:\n  offsets:\n", "price_per_t"),
                          "0.008", "8"),
    "carbon price per kt": Case("W115", "far above any carbon price", "price_per_t",
                                lambda v: ([], f"\ncarbon_price:\n  price_per_t: {v}\n"),
                                "80000", "80"),
    "demand charge per W": Case("W116", "is it per W, or per kW and day?", "price_per_kw_month",
                                _section("demand_charges:\n  capacity:\n", "price_per_kw_month"),
                                "0.015", "15"),
    "PV area per kW in m² per MW": Case("W117", "m² per kW is outside what PV takes",
                                        "area_m2_per_kw", _tech_case(PV, "area_m2_per_kw"),
                                        "5500", "5.5"),
    "PV yield in MWh/kWp": Case("W118", "below the darkest sites", "specific_yield_kwh_per_kwp",
                                _tech_case(PV, "specific_yield_kwh_per_kwp"), "1.1", "1100"),
    "PV degradation in percent": Case("W118", "it is a fraction, 0.005 for 0.5 %",
                                      "degradation_per_year",
                                      _tech_case(PV, "degradation_per_year"), "0.5", "0.005"),
    "wind capacity factor": Case("W118", "below any wind turbine's", "capacity_factor",
                                 _tech_case(WIND, "capacity_factor"), "0.003", "0.3"),
    "boiler efficiency in percent": Case("W118", "is it in percent? (0.9 for 90 %)",
                                         "efficiency", _tech_case(BOILER, "efficiency", True),
                                         "90", "0.9"),
    "existing boilers in kW": Case(
        "W105", "MW is more fuel boiler than any factory site holds", "capacity_mw",
        lambda v: ([HEAT], _tech(BOILER) + GAS + "\nexisting_assets:\n  boilers:\n"
                   f"    technology: t\n    capacity_mw: {v}\n    build_year: 2010\n"),
        "70000", "70"),
}


def _plan(tmp_path: Path, edits: Edits, extra: str) -> Path:
    return _edited_plan(tmp_path, *edits, extra=extra)


def _validate(path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path), *args], terminal_width=400)
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_a_slip_is_flagged_where_it_was_made(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = _plan(tmp_path, *case.plan(case.bad))
    code, text = _validate(path)
    assert code == 0, text  # a warning, not an error
    assert f"plan.yaml:{_line(path, f'{case.key}: {case.bad}')}: " in text, text
    assert f"{case.code}: " in text and case.words in text, text
    assert _validate(path, "--strict")[0] == 2
    code, text = _validate(_plan(tmp_path, *case.plan(case.good)), "--strict")
    assert code == 0, text  # the value meant passes


def test_a_residual_mix_in_g_per_kwh_is_an_error_like_the_location_factor(
        tmp_path: Path) -> None:
    """Both grid factors are t/MWh (= kg/kWh); 460 is g/kWh, as for 283 in the location
    factor (tests/broken_plans/11_grid_factor_in_g_per_kwh.yaml)."""
    path = _plan(tmp_path, [], "")
    text = path.read_text().replace("carbon_intensity_t_per_mwh: {2018: 0.283, 2030: 0.04}",
                                    "carbon_intensity_t_per_mwh: {2018: 0.283, 2030: 0.04}\n"
                                    "  residual_mix_t_per_mwh: {2018: 460, 2030: 60}")
    path.write_text(text, encoding="utf-8")
    code, out = _validate(path)
    assert code == 2, out
    assert (f"plan.yaml:{_line(path, 'residual_mix_t_per_mwh')}: grid.residual_mix_t_per_mwh: "
            "460 t/MWh is above any real grid's residual mix") in out, out
    path.write_text(text.replace("{2018: 460, 2030: 60}", "{2018: 0.46, 2030: 0.06}"))
    assert _validate(path, "--strict")[0] == 0


def test_a_place_the_plan_means_can_be_acknowledged(tmp_path: Path) -> None:
    case = CASES["longitude sign dropped"]
    edits, extra = case.plan(case.bad)
    assert "W119" in _validate(_plan(tmp_path, edits, extra))[1]
    path = _plan(tmp_path, edits, extra + "\nacknowledge: [W119]\n")
    code, text = _validate(path, "--strict")
    assert code == 0 and "W119" not in text, text
