"""Contractual instruments (issue 17, item 1; docs/accounting.md, "Contractual instruments"):
hourly certificates, virtual PPAs and the hourly matching of market-based scope 2, by hand.

The base plan (tests/optimiser/data/base.yaml): a flat 1 MW load, 8760 MWh a year, from a
grid at 100 GBP/MWh and 0.2 t/MWh, so 1752 t of scope 2 a year and in the baseline year; one
modelled year, 2025, with no discounting inside it. A -50 % market-based target in 2025
(limit 876 t) needs 4380 MWh of certificates. The PV profile gives 0.5 MW per MW from 06:00
to 18:00 (2190 MWh per MW a year).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from optimiser import summary
from optimiser.post.matching import clean_shares
from plant.bau import business_as_usual
from plant.loader import read_plan

from .helpers import annual, half_day_solar, run, write_csv, write_plan

REL = 1e-6
HALF = {"name": "half", "year": 2025, "reduction": 0.5}
PV = {"kind": "solar_pv", "lifetime_years": 25, "specific_yield_kwh_per_kwp": 2190,
      "max_capacity_mw": 0}
GRID_COST = 876_000.0  # 8760 MWh × 100 GBP


def _vppa(mw: float, strike: float = 60.0, market: float = 45.0, **extra) -> dict:
    return {"kind": "virtual", "technology": "pv", "capacity_mw": mw, "build_year": 2025,
            "start_year": 2025, "term_years": 15, "price_per_mwh": strike,
            "market_price_per_mwh": market, **extra}


def _with_pv(folder, plan: dict) -> dict:
    solar = write_csv(folder, "solar", half_day_solar(), "cf")
    return {"profiles": {"csv": {"solar": solar}}, "technologies": {"pv": PV}, **plan}


def _scope2_market(ds) -> float:
    return float(ds["emissions"].sel(category="scope2_market", year=2025))


def test_hourly_matching_counts_only_hourly_certificates(tmp_path):
    """Annual certificates at 5 GBP/MWh and hourly ones at 8. Matched annually (today's
    rule) the plan buys 4380 MWh of annual ones: 876,000 + 21,900 = 897,900. Matched hourly,
    annual certificates count toward nothing: 4380 MWh of hourly ones, each for one hour's
    import (at most 1 MW), 876,000 + 35,040 = 911,040; `validate` warns W203."""
    certs = {"rego": {"price_per_mwh": 5},
             "granular": {"price_per_mwh": 8, "granularity": "hourly"}}
    results = {}
    for matching in ("annual", "hourly"):
        (tmp_path / matching).mkdir()
        results[matching] = run(tmp_path / matching, {
            "certificates": certs, "targets": [HALF],
            "accounting": {"scope2_matching": matching}})
    assert results["annual"].outcome.objective == pytest.approx(GRID_COST + 21_900, rel=REL)
    assert results["hourly"].outcome.objective == pytest.approx(GRID_COST + 35_040, rel=REL)
    ds = results["hourly"].results
    assert float(annual(ds, ds["certificates_hourly"]).sel(year=2025)) == pytest.approx(
        4380.0, rel=REL)
    assert float(ds["certificates_hourly"].max()) <= 1.0 + 1e-9
    assert float(ds["certificates_annual"].sel(year=2025)) == pytest.approx(0.0, abs=1e-6)
    assert float(ds["certificates_bought"].sel(year=2025)) == pytest.approx(4380.0, rel=REL)
    assert _scope2_market(ds) == pytest.approx(876.0, rel=REL)
    path = write_plan(tmp_path, {"certificates": certs, "targets": [HALF],
                                 "accounting": {"scope2_matching": "hourly"}}, name="w.yaml")
    text = " ".join(CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
                    .output.split())
    assert ("certificates.rego.granularity: W203: annual certificates count toward nothing in "
            "market-based scope 2") in text, text


def test_a_virtual_ppa_settles_at_strike_less_market_and_brings_certificates(tmp_path):
    """A 2 MW virtual PV PPA produces 1 MW from 06:00 to 18:00, 4380 MWh a year, settled at
    the strike 60 less the market 45: the site pays 15 × 4380 = 65,700 GBP a year, draws
    nothing from it, and holds 4380 MWh of certificates, exactly the -50 % target
    (NPC 876,000 + 65,700). Clean shares: hourly 50 % (each certificate in its own hour),
    annual 50 %. Location-based scope 2 is unchanged (1752 t). A strike of 40 under a market
    of 45 pays the site 5 × 4380 = 21,900 a year."""
    ds_run = run(tmp_path, _with_pv(tmp_path, {"ppas": {"vppa": _vppa(2.0)},
                                               "targets": [HALF]}))
    ds = ds_run.results
    assert ds_run.outcome.objective == pytest.approx(GRID_COST + 65_700, rel=REL)
    assert float(ds["ppa_cost"].sel(ppa="vppa", year=2025)) == pytest.approx(65_700, rel=REL)
    assert float(annual(ds, ds["ppa_take"]).sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(annual(ds, ds["ppa_certificates"]).sel(year=2025).sum()) == pytest.approx(
        4380.0, rel=REL)
    assert _scope2_market(ds) == pytest.approx(876.0, rel=REL)
    assert float(ds["emissions"].sel(category="scope2_location", year=2025)) == pytest.approx(
        1752.0, rel=REL)
    shares = {k: float(v.sel(year=2025)) for k, v in clean_shares(ds).items()}
    assert shares["hourly"] == pytest.approx(0.5, rel=REL)
    assert shares["annual"] == pytest.approx(0.5, rel=REL)
    (tmp_path / "low").mkdir()
    low = run(tmp_path / "low", _with_pv(tmp_path / "low",
                                        {"ppas": {"vppa": _vppa(2.0, strike=40.0)}}))
    assert low.outcome.objective == pytest.approx(GRID_COST - 21_900, rel=REL)


def test_a_large_virtual_ppa_counts_annually_but_not_beyond_each_hours_import(tmp_path):
    """A 4 MW virtual PPA brings 2 MW of certificates in each of 12 sunny hours (8760 MWh a
    year) against 1 MW of import. Matched annually, they cover the whole year's import:
    market-based scope 2 is 0. Matched hourly, only 1 MW of them counts in each sunny hour
    (4380 MWh): 0.2 × 4380 = 876 t remain. The settlement is the same (15 × 8760)."""
    out = {}
    for matching in ("annual", "hourly"):
        folder = tmp_path / matching
        folder.mkdir()
        out[matching] = run(folder, _with_pv(folder, {
            "ppas": {"vppa": _vppa(4.0)}, "accounting": {"scope2_matching": matching}}))
    assert _scope2_market(out["annual"].results) == pytest.approx(0.0, abs=1e-6)
    assert _scope2_market(out["hourly"].results) == pytest.approx(876.0, rel=REL)
    for r in out.values():
        assert r.outcome.objective == pytest.approx(GRID_COST + 15 * 8760, rel=REL)
    hourly = clean_shares(out["hourly"].results)["hourly"].sel(year=2025)
    assert float(hourly) == pytest.approx(0.5, rel=REL)


def test_an_optional_virtual_ppa_is_signed_as_far_as_it_pays(tmp_path):
    """Optional 4 MW virtual PPA (15 GBP per MWh produced, net) against hourly certificates
    at 20, -50 % target matched hourly. Contracting a share z brings 2z MW in each sunny hour,
    of which at most 1 MW counts: z = 0.5 gives exactly the 4380 MWh needed at 15 per MWh
    (65,700 a year), cheaper than certificates (87,600). Business as usual signs nothing."""
    plan = _with_pv(tmp_path, {
        "ppas": {"vppa": _vppa(4.0, optional=True)},
        "certificates": {"granular": {"price_per_mwh": 20, "granularity": "hourly"}},
        "targets": [HALF], "accounting": {"scope2_matching": "hourly"}})
    result = run(tmp_path, plan)
    ds = result.results
    assert float(ds["ppa_share"].sel(ppa="vppa")) == pytest.approx(0.5, rel=REL)
    assert result.outcome.objective == pytest.approx(GRID_COST + 65_700, rel=REL)
    assert float(ds["certificates_bought"].sel(year=2025)) == pytest.approx(4380.0, rel=REL)
    bau = business_as_usual(read_plan(write_plan(tmp_path, plan, name="again.yaml")).plan)
    assert list(bau.ppas) == []


def test_a_virtual_ppa_from_another_market_counts_toward_nothing(tmp_path):
    """The 2 MW virtual PPA of a plant in France: not deliverable to a GB site, so its
    certificates count nowhere (market-based scope 2 stays 1752 t, hourly share 0) while the
    site still pays the settlement; `validate` warns W202. Marked legacy, it counts."""
    far = _with_pv(tmp_path, {"ppas": {"vppa": _vppa(2.0, market_boundary="FR")}})
    ds = run(tmp_path, far).results
    assert _scope2_market(ds) == pytest.approx(1752.0, rel=REL)
    assert float(clean_shares(ds)["hourly"].sel(year=2025)) == pytest.approx(0.0, abs=1e-9)
    assert float(ds["ppa_cost"].sel(ppa="vppa", year=2025)) == pytest.approx(65_700, rel=REL)
    path = write_plan(tmp_path, far, name="w.yaml")
    text = " ".join(CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
                    .output.split())
    assert "ppas.vppa.market_boundary: W202: certificates from FR" in text, text
    (tmp_path / "legacy").mkdir()
    kept = _with_pv(tmp_path / "legacy",
                    {"ppas": {"vppa": _vppa(2.0, market_boundary="FR", legacy=True)}})
    assert _scope2_market(run(tmp_path / "legacy", kept).results) == pytest.approx(
        876.0, rel=REL)


def test_a_clean_share_target_buys_hourly_certificates_at_their_price(tmp_path):
    """An hourly-matched 40 % clean-electricity target with annual certificates at 1 GBP/MWh
    and hourly ones at 8: annual certificates do not count hour by hour, so it buys
    0.4 × 8760 = 3504 MWh of hourly ones (28,032 GBP), and one more matched MWh costs 8.
    Matched annually, the annual ones at 1 do (3504 GBP)."""
    certs = {"rego": {"price_per_mwh": 1},
             "granular": {"price_per_mwh": 8, "granularity": "hourly"}}
    out = {}
    for matching in ("hourly", "annual"):
        (tmp_path / matching).mkdir()
        out[matching] = run(tmp_path / matching, {"certificates": certs, "accounting": {
            "clean_electricity_targets": [{"year": 2025, "share": 0.4, "matching": matching}]}})
    assert out["hourly"].outcome.objective == pytest.approx(GRID_COST + 28_032, rel=REL)
    assert out["annual"].outcome.objective == pytest.approx(GRID_COST + 3_504, rel=REL)
    (entry,) = summary(out["hourly"].results, {}, {})["clean_electricity_targets"]
    assert entry["met"] and entry["price_per_mwh"] == pytest.approx(8.0, rel=REL)
    shares = summary(out["hourly"].results, {}, {})["clean_electricity_share"]["2025"]
    assert shares["hourly"] == pytest.approx(0.4, rel=REL)


@pytest.mark.parametrize("fields, message", [
    ({"kind": "virtual"}, "a virtual PPA is settled against a market price"),
    ({"market_price_per_mwh": 45}, "apply to a virtual PPA only"),
])
def test_ppa_fields_that_do_not_fit_its_kind_are_refused(tmp_path, fields, message):
    ppa = {"technology": "pv", "capacity_mw": 2, "build_year": 2025, "start_year": 2025,
           "term_years": 15, "price_per_mwh": 60, **fields}
    path = write_plan(tmp_path, _with_pv(tmp_path, {"ppas": {"p": ppa}}))
    result = CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_an_optional_ppa_cannot_start_before_the_plan(tmp_path):
    path = write_plan(tmp_path, _with_pv(tmp_path, {
        "ppas": {"p": {**_vppa(2.0, optional=True), "start_year": 2022}}}))
    result = CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
    assert result.exit_code == 2
    assert "ppas.p.start_year" in result.output


def test_the_summary_and_report_say_which_certificates_were_counted(tmp_path):
    """The 2 MW virtual PPA case through `cnplan plan`: summary.json's ``instruments`` gives
    4380 MWh from the virtual PPA, all counted, and page 1 of the report says so."""
    import json

    path = write_plan(tmp_path, _with_pv(tmp_path, {"ppas": {"vppa": _vppa(2.0)},
                                                    "targets": [HALF]}))
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(out), "--resolution",
                                      "repdays:2", "--no-bau"], terminal_width=300)
    assert result.exit_code == 0, result.output
    block = json.loads((out / "summary.json").read_text())["instruments"]
    year = block["by_year"]["2025"]
    assert year["virtual_ppa_certificates"] == pytest.approx(4380.0, rel=REL)
    assert year["counted"] == pytest.approx(4380.0, rel=REL)
    assert block["ppa_share"] == {"vppa": 1.0}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert ("Certificates counted against grid imports (market-based scope 2, matched over the "
            "year): 4,380 MWh in 2025 (virtual PPAs produced 4,380)") in html


def test_in_hourly_matching_certificates_match_only_the_hours_grid_import(tmp_path):
    """Independent review's case: day price 150 (06:00-18:00), night 50, a fixed 2 MW virtual
    PV PPA (1 MW of certificates in each day hour), a cheap battery, an hourly 50 %
    clean-electricity target. Without the target the battery shifts the day's import to the
    night. With it, the certificates match only grid import in their hour, so the day's
    import must stay: no battery, NPC 876,000 + 65,700 = 941,700 (an own LP agreed)."""
    battery = {"kind": "battery", "capex_per_kwh": 50, "round_trip_efficiency": 0.81,
               "lifetime_years": 10}
    tou = [{"name": "day", "hours": [6, 18], "multiplier": 1.5},
           {"name": "night1", "hours": [0, 6], "multiplier": 0.5},
           {"name": "night2", "hours": [18, 24], "multiplier": 0.5}]
    plan = _with_pv(tmp_path, {
        "ppas": {"vppa": _vppa(2.0)}, "grid": {"time_of_use": tou},
        "accounting": {"scope2_matching": "hourly", "clean_electricity_targets": [
            {"year": 2025, "share": 0.5, "matching": "hourly"}]}})
    plan["technologies"]["bat"] = battery
    result = run(tmp_path, plan)
    ds = result.results
    assert result.outcome.objective == pytest.approx(GRID_COST + 65_700, rel=REL)
    assert float(ds["energy_capacity"].sel(tech="bat", year=2025)) == pytest.approx(0.0,
                                                                                    abs=1e-6)
    assert float(clean_shares(ds)["hourly"].sel(year=2025)) == pytest.approx(0.5, rel=REL)
    assert _scope2_market(ds) == pytest.approx(876.0, rel=REL)


def test_annual_certificates_still_count_for_an_annual_clean_share_under_hourly_scope2(
        tmp_path):
    """Hourly scope-2 matching, an annual 40 % clean-electricity target, annual certificates
    at 1 GBP/MWh and hourly ones at 8: the annual target counts the annual ones (3504 MWh,
    879,504) though market-based scope 2 does not (1752 t)."""
    certs = {"rego": {"price_per_mwh": 1},
             "granular": {"price_per_mwh": 8, "granularity": "hourly"}}
    result = run(tmp_path, {"certificates": certs, "accounting": {
        "scope2_matching": "hourly",
        "clean_electricity_targets": [{"year": 2025, "share": 0.4, "matching": "annual"}]}})
    assert result.outcome.objective == pytest.approx(GRID_COST + 3_504, rel=REL)
    assert _scope2_market(result.results) == pytest.approx(1752.0, rel=REL)


def test_business_as_usual_has_no_clean_electricity_targets(tmp_path):
    path = write_plan(tmp_path, {"accounting": {"clean_electricity_targets": [
        {"year": 2025, "share": 0.5}]}})
    assert business_as_usual(read_plan(path).plan).accounting.clean_electricity_targets == []
