"""Valid but probably wrong inputs are flagged (issue 12, item 2): each warning names the
field, the likely slip and its fix, has a stable code a plan can acknowledge, and `--strict`
makes it an error. Run through the real command line on copies of the minimal example
(40,000 MWh of electricity, 100,000 vehicles: 0.4 MWh per vehicle)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app

from .conftest import SITES

MINIMAL = (SITES / "examples" / "minimal.yaml").read_text(encoding="utf-8")
runner = CliRunner()


def _plan(tmp_path: Path, *edits: tuple[str, str], extra: str = "") -> Path:
    text = MINIMAL
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "plan.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


CASES = {
    "kWh for MWh": (("W101", "is demand in kWh"), [
        ("electricity: {annual_mwh: 40000,", "electricity: {annual_mwh: 40000000,"),
        ("electricity_mwh: 40000", "electricity_mwh: 40000000")], "annual_mwh: 40000000"),
    "GWh for MWh": (("W101", "is demand in GWh"), [
        ("electricity: {annual_mwh: 40000,", "electricity: {annual_mwh: 40,"),
        ("electricity_mwh: 40000", "electricity_mwh: 40")], "annual_mwh: 40,"),
    "vehicles off by 1000": (("W104", "off by a factor of 1,000"), [
        ("vehicles_per_year: 100000", "vehicles_per_year: 100")], "vehicles_per_year: 100"),
    "baseline and demand disagree": (("W102", "differ by 50%"), [
        ("reference_year: 2018", "reference_year: 2018"),
        ("electricity_mwh: 40000", "electricity_mwh: 80000")], "electricity_mwh: 80000"),
    "percent-like discount rate": (("W106", "0.07 for 7 %"), [
        ("discount_rate: 0.07", "discount_rate: 0.35")], "discount_rate: 0.35"),
    "cooling in a climate never that warm": (("W108", "warmest hours reach about 16.0 °C"), [
        ("production_share: 0.6, constant_share: 0.4",
         "production_share: 0.6, cooling_share: 0.1, constant_share: 0.3"),
        ("mean_temperature_c: 9.5", "mean_temperature_c: 2")], "cooling_share: 0.1"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_slip_is_flagged_with_its_line_and_code(tmp_path: Path, case: str) -> None:
    (code, words), edits, needle = CASES[case]
    path = _plan(tmp_path, *edits)
    result = runner.invoke(app, ["validate", str(path)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert f"plan.yaml:{_line(path, needle)}: " in text and code in text, text
    assert words in text, text
    strict = runner.invoke(app, ["validate", str(path), "--strict"])
    assert strict.exit_code == 2 and "(--strict)" in strict.output


def test_a_capacity_limit_in_kw_is_flagged(tmp_path: Path) -> None:
    extra = ("\ntechnologies:\n  pv:\n    kind: solar_pv\n    capex_per_kw: 500\n"
             "    lifetime_years: 30\n    specific_yield_kwh_per_kwp: 900\n"
             "    max_capacity_mw: 30000\n")
    path = _plan(tmp_path, extra=extra)
    text = " ".join(runner.invoke(app, ["validate", str(path)]).output.split())
    assert f"plan.yaml:{_line(path, 'max_capacity_mw: 30000')}: " in text and "W105" in text
    assert "30,000 MW is more solar PV than any factory site holds" in text


@pytest.mark.parametrize(("field", "value", "words"), [
    ("capex_per_kw", 800_000, "per kW in 2025 is far above what any solar PV costs"),
    ("capex_per_kwh", 300_000, "per kWh in 2025 is far above what any battery costs"),
    ("capex_per_kwh", 500, "per kWh in 2025 is far above what any heat store costs"),
])
def test_a_capex_per_mw_written_per_kw_is_flagged(tmp_path: Path, field: str, value: int,
                                                   words: str) -> None:
    """W107: a capex per MW (or MWh) in the per-kW field is 1000x any product's price."""
    techs = {"solar PV": ("pv", "kind: solar_pv\n    specific_yield_kwh_per_kwp: 900"),
             "battery": ("bat", "kind: battery\n    round_trip_efficiency: 0.9"),
             "heat store": ("store", "kind: thermal_storage\n    heat_class: heat_low")}
    name, body = next(v for k, v in techs.items() if k in words)
    extra = (f"\ntechnologies:\n  {name}:\n    {body}\n    lifetime_years: 20\n"
             f"    {field}: {value}\n")
    elec = "electricity: {annual_mwh: 40000, production_share: 0.6, constant_share: 0.4}"
    heat = [(elec, elec + "\n  heat:\n    heat_low: {annual_mwh: 5000, temperature_c: 80, "
             "constant_share: 1}")] if name == "store" else []
    path = _plan(tmp_path, *heat, extra=extra)
    text = " ".join(runner.invoke(app, ["validate", str(path)]).output.split())
    assert f"plan.yaml:{_line(path, f'{field}: {value}')}: " in text and "W107" in text, text
    assert words in text and "1000× too high" in text, text
    fine = _plan(tmp_path, *heat, extra=extra.replace(str(value), str(value // 1000)))
    assert "W107" not in runner.invoke(app, ["validate", str(fine)]).output


def test_more_heat_than_the_baseline_fuel_could_deliver(tmp_path: Path) -> None:
    path = _plan(tmp_path, ("electricity_mwh: 40000", "electricity_mwh: 40000\n  fuels_mwh: "
                            "{natural_gas: 10000}"),
                 ("electricity: {annual_mwh: 40000, production_share: 0.6, constant_share: 0.4}",
                  "electricity: {annual_mwh: 40000, production_share: 0.6, constant_share: 0.4}"
                  "\n  heat:\n    heat_low: {annual_mwh: 60000, temperature_c: 80, "
                  "constant_share: 1.0}"),
                 extra="\nfuels:\n  natural_gas: {price_per_mwh: 40, "
                 "combustion_fossil_t_per_mwh: 0.184}\n")
    text = " ".join(runner.invoke(app, ["validate", str(path)]).output.split())
    assert "W103" in text and "could deliver at most 49,500" in text


def test_an_acknowledged_warning_is_silent_and_passes_strict(tmp_path: Path) -> None:
    path = _plan(tmp_path, ("vehicles_per_year: 100000", "vehicles_per_year: 100"),
                 extra="\nacknowledge: [W101, W104]\n")  # 100 vehicles: both fire
    result = runner.invoke(app, ["validate", str(path), "--strict"])
    assert result.exit_code == 0 and "W104" not in result.output
    bad = _plan(tmp_path, extra="\nacknowledge: [w104]\n")
    assert runner.invoke(app, ["validate", str(bad)]).exit_code == 2


def test_the_reference_plans_raise_no_warning() -> None:
    plans = [*sorted(SITES.glob("*.yaml")), *sorted((SITES / "examples").glob("*.yaml"))]
    result = runner.invoke(app, ["validate", "--strict", *map(str, plans)])
    assert result.exit_code == 0, result.output


def test_errors_in_catalogue_entries_say_what_to_write_in_your_plan(tmp_path: Path) -> None:
    """Issue 12, item 3: an entry that comes from the shared catalogue is fixed in the
    user's plan (set the key, define what it needs, or drop it), not in the catalogue."""
    catalogue = SITES / "catalogue" / "technologies.yaml"
    path = _plan(tmp_path, ("site:", f"include: [{catalogue}]\nsite:"))
    text = " ".join(runner.invoke(app, ["validate", str(path)]).output.split())
    assert ("set `technologies.solar_pv_ground.specific_yield_kwh_per_kwp` in plan.yaml, or "
            "drop the entry with `solar_pv_ground: null` under `technologies:`") in text, text
    fixed = _plan(tmp_path, ("site:", f"include: [{catalogue}]\nsite:"), extra=(
        "\ntechnologies:\n  solar_pv_ground: {specific_yield_kwh_per_kwp: 1000}\n"
        "  solar_pv_roof: {specific_yield_kwh_per_kwp: 900}\n"
        "  wind_onshore: {capacity_factor: 0.2}\n  not_in_the_catalogue: null\n"))
    text = " ".join(runner.invoke(app, ["validate", str(fixed)]).output.split())
    assert ("define `fuels.natural_gas` in plan.yaml, or drop `technologies.gas_boiler` with "
            "`gas_boiler: null`") in text, text
    assert "not_in_the_catalogue" not in text  # dropping what is not there is no error


def test_schema_and_reference_errors_come_in_one_pass(tmp_path: Path) -> None:
    """A misspelt field (schema) and a boiler burning an undefined fuel (reference) are
    both reported by one run, not one after the other is fixed."""
    path = _plan(tmp_path, extra=(
        "\ntechnologies:\n  boiler:\n    kind: fuel_boiler\n    fuels: [natral_gas]\n"
        "    efficiency: 0.9\n    heat_class: heat_low\n    lifetime_years: 25\n"
        "    capex_per_kww: 100\n"))
    result = runner.invoke(app, ["validate", str(path)])
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "capex_per_kww" in text, text
    assert "fuel 'natral_gas' is not defined under fuels" in text, text
