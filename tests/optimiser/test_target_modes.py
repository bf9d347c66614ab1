"""Target modes (issue 17, item 2; docs/accounting.md): the plan's own rules (``company``)
against the SBTi Corporate Net-Zero Standard v2.0 (``sbti_v2``), by hand.

The base plan (tests/optimiser/data/base.yaml): a flat 1 MW load, 8760 MWh a year, from a
grid at 100 GBP/MWh and 0.2 t/MWh, so 1752 t of scope 2 a year on either basis and in the
baseline year; no technology can be built.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from optimiser import summary
from plant.accounting import removal_share
from plant.loader import read_plan

from .helpers import run, write_plan

REL = 1e-6
LEVERS = {"certificates": {"rego": {"price_per_mwh": 5}},
          "carbon_credits": {"removal": {"kind": "removal", "price_per_t": 30}},
          "demand": {"unserved_cost_per_mwh": 5000}}
HALF = {"name": "half", "year": 2025, "reduction": 0.5, "max_credit_share": 0.6}


def _mode(mode: str) -> dict:
    return {"accounting": {"target_mode": mode}}


@pytest.fixture
def dirs(tmp_path):
    """Two folders, one per mode."""
    for name in ("c", "s"):
        (tmp_path / name).mkdir()
    return tmp_path


def test_credits_and_certificates_do_not_count_in_sbti_mode(dirs):
    """-50 % in 2025 (limit 876 t). Company mode: certificates at 5 GBP/MWh are the cheapest
    lever (876 t / 0.2 = 4380 MWh, 21,900 GBP; NPC 897,900; 25 GBP/t). SBTi v2: scope 2 is
    counted location-based, so certificates do not help, and credits never count: the only
    lever is shedding 4380 MWh at 5000 GBP/MWh (NPC 4380 × 5000 + 4380 × 100 = 22,338,000;
    a tonne costs (5000 − 100) / 0.2 = 24,500 GBP)."""
    company = run(dirs / "c", {**LEVERS, "targets": [HALF], **_mode("company")})
    sbti = run(dirs / "s", {**LEVERS, "targets": [HALF], **_mode("sbti_v2")})
    assert company.outcome.objective == pytest.approx(897_900.0, rel=REL)
    assert sbti.outcome.objective == pytest.approx(22_338_000.0, rel=REL)
    (entry,) = summary(sbti.results, {}, {})["targets"]
    assert entry["scopes"] == "scope1+scope2_location"
    assert entry["credits"] == 0.0 and entry["needs_credits_in"] == []
    assert entry["shadow_price"] == pytest.approx(24_500.0, rel=REL)
    assert summary(sbti.results, {}, {})["target_mode"] == "sbti_v2"


def test_credits_count_in_company_mode_and_are_flagged(tmp_path):
    """Company mode, credits only (30 GBP/t, up to 60 % of the baseline): 876 t of credits
    meet the target, which the summary says is met only with credits."""
    plan = {"carbon_credits": LEVERS["carbon_credits"], "targets": [HALF]}
    (entry,) = summary(run(tmp_path, plan).results, {}, {})["targets"]
    assert entry["met"] and entry["needs_credits_in"] == [2025]
    assert entry["credits"] == pytest.approx(876.0, rel=REL)


@pytest.mark.parametrize(("year", "share"), [
    (2034, None), (2035, 0.01), (2040, 0.01 + 0.99 * 5 / 15), (2049, 0.01 + 0.99 * 14 / 15),
    (2050, 1.0), (2055, 1.0)])
def test_removal_ramp_share(tmp_path, year, share):
    """r(y) = 1 % in 2035 rising linearly to 100 % at the net-zero year (2050)."""
    nz = {"name": "nz", "year": 2050, "reduction": 1.0, "max_credit_share": 1.0}
    plan = read_plan(write_plan(tmp_path, {**LEVERS, "targets": [nz], **_mode("sbti_v2"),
                                           "finance": {"investment_years": [2025, 2050]}}))
    got = removal_share(plan.plan, year)
    assert got == (None if share is None else pytest.approx(share, rel=1e-12))


def _ramp_mean(years: range) -> float:
    """Discount-weighted mean of r(τ) = 0.01 + 0.99 (τ − 2035)/15 (1 from 2050) over
    ``years`` at 5 % from 2025."""
    def r(tau: int) -> float:
        return 1.0 if tau >= 2050 else 0.01 + 0.99 * (tau - 2035) / 15
    w = [1.05 ** -(tau - 2025) for tau in years]
    return sum(wi * r(tau) for wi, tau in zip(w, years, strict=True)) / sum(w)


def test_removal_ramp_buys_removals_from_2035(dirs):
    """Net zero in 2050, nothing can be abated, 1752 t a year: SBTi v2 buys removals in each
    modelled year at the ramp's discount-weighted mean over the years it stands for (2035:
    2035-39, 1 % to 27.4 %, mean 13.6 %; 2040: 2040-49, 34 % to 93.4 %, mean 61.1 %; 2050:
    100 %, which also neutralises the residual); company mode buys them only in 2050, where
    the target holds."""
    nz = {"name": "nz", "year": 2050, "reduction": 1.0, "max_credit_share": 1.0}
    plan = {"carbon_credits": LEVERS["carbon_credits"], "targets": [nz],
            "finance": {"investment_years": [2025, 2035, 2040, 2050]}}
    expected = {2025: 0.0, 2035: 1752 * _ramp_mean(range(2035, 2040)),
                2040: 1752 * _ramp_mean(range(2040, 2050)), 2050: 1752.0}
    assert expected[2035] == pytest.approx(237.51, rel=1e-4)  # 13.6 %, docs/accounting.md
    assert expected[2040] == pytest.approx(1069.67, rel=1e-4)  # 61.1 %
    sbti = run(dirs / "s", {**plan, **_mode("sbti_v2")}).results
    company = run(dirs / "c", {**plan, **_mode("company")}).results
    for y, t in expected.items():
        bought = float(sbti["emissions"].sel(category="credits", year=y))
        assert bought == pytest.approx(t, rel=REL, abs=1e-6), y
        assert float(company["emissions"].sel(category="credits", year=y)) == pytest.approx(
            1752.0 if y == 2050 else 0.0, rel=REL, abs=1e-6)
    (entry,) = summary(sbti, {}, {})["targets"]
    assert entry["met"] and entry["needs_credits_in"] == [2050]


def test_ramp_without_removal_credits_is_a_plan_error(tmp_path):
    nz = {"name": "nz", "year": 2050, "reduction": 1.0}
    path = write_plan(tmp_path, {"targets": [nz], **_mode("sbti_v2"),
                                 "finance": {"investment_years": [2025, 2050]}})
    result = CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "accounting.target_mode: SBTi v2 asks for removal credits from 2050" in text, text


def test_the_command_line_and_report_say_how_targets_were_counted(dirs):
    """The ramp case through `cnplan plan`: the headline names the mode, the neutralisation
    is said apart, and page 1 of the report states the rules and the scopes counted; in
    company mode a target met with credits is flagged as such."""
    nz = {"name": "nz", "year": 2050, "reduction": 1.0, "max_credit_share": 1.0}
    plan = {"carbon_credits": LEVERS["carbon_credits"], "targets": [nz],
            "finance": {"investment_years": [2025, 2035, 2040, 2050]}}
    runner = CliRunner()
    for mode, folder in (("sbti_v2", "s"), ("company", "c")):
        path = write_plan(dirs / folder, {**plan, **_mode(mode)})
        result = runner.invoke(app, ["plan", str(path), "--out", str(dirs / folder / "run"),
                                     "--resolution", "repdays:2", "--no-bau"],
                               terminal_width=300)
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        html = (dirs / folder / "run" / "report.html").read_text(encoding="utf-8")
        if mode == "sbti_v2":
            assert "(targets counted by SBTi v2)" in text
            assert "residual neutralised by removals in 2050 (1,752 t in 2050)" in text, text
            assert "counted by the SBTi Corporate Net-Zero Standard v2.0" in html
            assert "nz: scope 1 + scope 2 location-based" in html
        else:
            assert "met only with credits, not reductions, in 2050 (1,752 t in 2050)" in text
            assert "counted by the plan's own rules" in html


def test_hourly_matched_share_with_a_solar_ppa_by_hand(dirs):
    """Flat 1 MW load; a private-wire PV PPA of 2 MW whose profile gives 0.5 from 06:00 to
    18:00: 1 MW of clean supply in 12 of the 24 hours, all of it used on site. Hourly matched
    share 12/24 = 50 %. With 4 MW (2 MW in sunny hours, half of it spilled) still 50 %: a
    surplus in one hour does not match another. Annual matching counts certificates too:
    with certificates for the other 4380 MWh (bought to meet a market-based target), 100 %."""
    from optimiser.post.matching import clean_shares

    from .helpers import half_day_solar, write_csv

    shares = {}
    for folder, mw, certs in (("s", 2.0, False), ("c", 4.0, True)):
        solar = write_csv(dirs / folder, "solar", half_day_solar(), "cf")
        plan = {
            "profiles": {"csv": {"solar": solar}},
            "technologies": {"pv": {"kind": "solar_pv", "lifetime_years": 25,
                                    "specific_yield_kwh_per_kwp": 2190, "max_capacity_mw": 0}},
            "ppas": {"farm": {"technology": "pv", "capacity_mw": mw, "build_year": 2025,
                              "start_year": 2025, "term_years": 20, "price_per_mwh": 1}},
        }
        if certs:
            plan |= {"certificates": {"rego": {"price_per_mwh": 1}},
                     "targets": [{"name": "zero", "year": 2025, "reduction": 1.0}]}
        ds = run(dirs / folder, plan).results
        shares[folder] = {k: float(v.sel(year=2025)) for k, v in clean_shares(ds).items()}
    assert shares["s"]["hourly"] == pytest.approx(0.5, rel=REL)
    assert shares["s"]["annual"] == pytest.approx(0.5, rel=REL)
    assert shares["c"]["hourly"] == pytest.approx(0.5, rel=REL)
    assert shares["c"]["annual"] == pytest.approx(1.0, rel=REL)


def _adue(years: int, rate: float = 0.05) -> float:
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)


def test_a_clean_share_target_forces_one_lever_with_its_price(dirs):
    """Flat 1 MW load; PV (half-day profile: 0.5 MW/MW from 06:00 to 18:00, 2190 MWh/MW a
    year) at 5000 GBP/kW, which does not pay for itself: per MW and year it costs
    5e6/ä(20) + 10,000 + 2 × 2190 and saves 100 × 2190, a net 177,488 GBP. An hourly-matched
    target of 40 % needs 0.4 × 8760 = 3504 MWh matched; up to 2 MW all PV output is matched
    (0.5 K ≤ 1 MW load), so K = 3504 / 2190 = 1.6 MW. The implied price of one more matched
    MWh is the net cost per MWh, 177,488 / 2190 = 81.04 GBP; a percentage point costs
    87.6 MWh × that, 7,099.5 GBP a year."""
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 5000,
          "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
          "degradation_per_year": 0.0}
    from .helpers import half_day_solar, write_csv

    net = 5e6 / _adue(20) + 10_000 + 2 * 2190 - 100 * 2190
    results = {}
    for folder, targets in (("c", []), ("s", [{"year": 2025, "share": 0.4}])):
        solar = write_csv(dirs / folder, "solar", half_day_solar(), "cf")
        plan = {"profiles": {"csv": {"solar": solar}}, "technologies": {"pv": pv},
                "accounting": {"clean_electricity_targets": targets}}
        results[folder] = run(dirs / folder, plan)
    assert float(results["c"].results["capacity"].sel(tech="pv", year=2025)) == pytest.approx(
        0.0, abs=1e-6)
    ds = results["s"].results
    assert float(ds["capacity"].sel(tech="pv", year=2025)) == pytest.approx(1.6, rel=REL)
    extra = results["s"].outcome.objective - results["c"].outcome.objective
    assert extra == pytest.approx(1.6 * net, rel=REL)
    (entry,) = summary(ds, {}, {})["clean_electricity_targets"]
    assert entry["met"] and entry["matching"] == "hourly"
    assert entry["price_per_mwh"] == pytest.approx(net / 2190, rel=REL)
    assert entry["price_per_point"] == pytest.approx(87.6 * net / 2190, rel=REL)
    hourly = summary(ds, {}, {})["clean_electricity_share"]["2025"]["hourly"]
    assert hourly == pytest.approx(0.4, rel=REL)


def test_a_clean_share_target_shows_on_the_command_line_and_report(dirs):
    """The 40 % case through `cnplan plan`: the headline and page 1 give the target, that it
    is met, and what a percentage point more costs (7,099.5 GBP a year, shown as 7,100)."""
    from .helpers import half_day_solar, write_csv

    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 5000,
          "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
          "degradation_per_year": 0.0}
    solar = write_csv(dirs / "s", "solar", half_day_solar(), "cf")
    path = write_plan(dirs / "s", {
        "profiles": {"csv": {"solar": solar}}, "technologies": {"pv": pv},
        "accounting": {"clean_electricity_targets": [{"year": 2025, "share": 0.4}]}})
    result = CliRunner().invoke(app, ["plan", str(path), "--out", str(dirs / "s" / "run"),
                                      "--resolution", "repdays:2", "--no-bau"],
                                terminal_width=300)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("clean electricity ≥ 40% (hourly) in 2025: met, a percentage point more costs "
            "7,100 GBP/yr") in text, text
    assert "clean electricity, hourly-matched: 40% (2025)" in text
    html = (dirs / "s" / "run" / "report.html").read_text(encoding="utf-8")
    assert ("Clean-electricity target 2025: at least 40 % of consumption, matched hourly, "
            "met") in html


@pytest.mark.parametrize("matching", ["hourly", "annual"])
def test_a_clean_share_target_with_storage_counts_its_losses(dirs, matching):
    """75 % of a flat 1 MW load from PV (half-day profile, no export) and a battery (50 GBP/kWh,
    0.81 round trip, power free).

    Hourly: 12 MWh a day direct and 6 MWh from the battery, which needs 6/0.81 = 7.407 MWh of
    clean charge, so PV = (12 + 7.407)/6 = 3.23457 MW and the battery 6/0.9 = 6.667 MWh
    (rebuilt by an independent review: NPC 1,542,578.49 GBP).

    Annual: PV output 6K a day counts whole (none is curtailed: the surplus 6K − 12 goes to
    the battery), and the battery's losses 0.19 (6K − 12) are consumption:
    6K = 0.75 (24 + 0.19 (6K − 12)), so K = (18 − 0.75·0.19·12) / (6 (1 − 0.75·0.19)) =
    3.16618 MW, and the battery stores 0.9 (6K − 12) = 6.297 MWh. (Without the losses counted
    it would build 3 MW.)"""
    from optimiser.post.matching import clean_shares

    from .helpers import half_day_solar, write_csv

    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 5000,
          "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
          "degradation_per_year": 0.0}
    bat = {"kind": "battery", "capex_per_kwh": 50, "round_trip_efficiency": 0.81,
           "lifetime_years": 10}
    solar = write_csv(dirs / "s", "solar", half_day_solar(), "cf")
    result = run(dirs / "s", {
        "profiles": {"csv": {"solar": solar}}, "technologies": {"pv": pv, "bat": bat},
        "accounting": {"clean_electricity_targets": [
            {"year": 2025, "share": 0.75, "matching": matching}]}})
    ds = result.results
    pv_mw = ((12 + 6 / 0.81) / 6 if matching == "hourly"
             else (18 - 0.75 * 0.19 * 12) / (6 * (1 - 0.75 * 0.19)))
    stored = 6 / 0.9 if matching == "hourly" else 0.9 * (6 * pv_mw - 12)
    assert float(ds["capacity"].sel(tech="pv", year=2025)) == pytest.approx(pv_mw, rel=REL)
    assert float(ds["energy_capacity"].sel(tech="bat", year=2025)) == pytest.approx(
        stored, rel=REL)
    if matching == "hourly":
        assert result.outcome.objective == pytest.approx(1_542_578.49, rel=REL)
    shares = clean_shares(ds)
    assert float(shares[matching].sel(year=2025)) == pytest.approx(0.75, rel=REL)


def test_monthly_matching_by_hand(dirs):
    """A flat 1 MW load; 2 MW of existing PV that produces only in January's 12 sunny hours
    (2 MW then: 1 MW used, 1 MW exported, whose certificates the site keeps). Hourly:
    January's sunny hours, 12 × 31 / 8760 = 4.25 %. Monthly: January is covered in full (24
    MWh of clean output a day for 24 MWh of load), 31 × 24 / 8760 = 8.49 %. Annual: the same
    744 MWh, also 8.49 %. A monthly target of 8 % is met by the PV alone; an hourly one of
    8 % is not (without other levers the plan reports the shortfall)."""
    import numpy as np

    from optimiser.post.matching import clean_shares

    from .helpers import half_day_solar, write_csv

    january = np.arange(8760) < 31 * 24
    profile = np.where(january, 2 * half_day_solar(), 0.0)  # 1.0 in January's sunny hours
    results = {}
    for folder, matching in (("s", "monthly"), ("c", "hourly")):
        solar = write_csv(dirs / folder, "solar", profile, "cf")
        plan = {
            "profiles": {"csv": {"solar": solar}},
            "grid": {"export_allowed": True, "export_price_per_mwh": 10},
            "technologies": {"pv": {"kind": "solar_pv", "lifetime_years": 25,
                                    "degradation_per_year": 0.0,
                                    "specific_yield_kwh_per_kwp": 372, "max_capacity_mw": 2}},
            "existing_assets": {"pv_old": {"technology": "pv", "capacity_mw": 2.0,
                                           "build_year": 2024}},
            "accounting": {"clean_electricity_targets": [
                {"year": 2025, "share": 0.08, "matching": matching}]},
        }
        results[folder] = run(dirs / folder, plan, resolution="hourly")
    shares = {k: float(v.sel(year=2025)) for k, v in clean_shares(results["s"].results).items()}
    assert shares["hourly"] == pytest.approx(12 * 31 / 8760, rel=REL)
    assert shares["monthly"] == pytest.approx(31 * 24 / 8760, rel=REL)
    assert shares["annual"] == pytest.approx(31 * 24 / 8760, rel=REL)
    assert results["s"].outcome.status == "optimal"
    assert results["c"].outcome.status == "targets_missed"
    assert any("clean-electricity target cannot be met in 2025" in line
               for line in results["c"].diagnosis)


def test_certificates_from_another_market_count_only_under_a_legacy_clause(dirs):
    """-50 % market-based on 1752 t: 4380 MWh of certificates. French guarantees of origin at
    1 GBP/MWh are not deliverable to a GB site, so it buys REGOs at 5 (NPC 876,000 + 21,900 =
    897,900) and `validate` warns W202; marked legacy, the GOs count (876,000 + 4,380)."""
    certs = {"rego": {"price_per_mwh": 5},
             "go_fr": {"price_per_mwh": 1, "market_boundary": "FR"}}
    target = {"name": "half", "year": 2025, "reduction": 0.5}
    plain = run(dirs / "c", {"certificates": certs, "targets": [target]})
    assert plain.outcome.objective == pytest.approx(897_900.0, rel=REL)
    path = write_plan(dirs / "c", {"certificates": certs, "targets": [target]}, name="w.yaml")
    text = " ".join(CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
                    .output.split())
    assert ("certificates.go_fr.market_boundary: W202: certificates from FR, but the site draws "
            "from GB: not deliverable") in text, text
    legacy = {**certs, "go_fr": {**certs["go_fr"], "legacy": True}}
    kept = run(dirs / "s", {"certificates": legacy, "targets": [target]})
    assert kept.outcome.objective == pytest.approx(880_380.0, rel=REL)


def test_sbti_scope2_as_a_low_carbon_share_lets_certificates_count(dirs):
    """SBTi v2 allows scope 2 as a location-based reduction or as a low-carbon-electricity
    share target. Location-based (the default), the -50 % target can be met only by shedding
    load (22,338,000, first test). As a share, the emission target counts scope 1 only (0 t
    here) and a 50 % clean-electricity target matched annually is met with 4380 MWh of
    certificates at 5 GBP/MWh: 876,000 + 21,900 = 897,900. Credits still never count."""
    plan = {**LEVERS, "targets": [{**HALF, "scopes": ["scope1", "scope2_market"]}],
            "accounting": {"target_mode": "sbti_v2", "sbti_scope2": "low_carbon_share",
                           "clean_electricity_targets": [
                               {"year": 2025, "share": 0.5, "matching": "annual"}]}}
    result = run(dirs / "s", plan)
    assert result.outcome.objective == pytest.approx(897_900.0, rel=REL)
    entry = summary(result.results, {}, {})
    assert entry["targets"][0]["scopes"] == "scope1"
    assert entry["sbti_scope2"] == "low_carbon_share"
    assert float(result.results["emissions"].sel(category="credits", year=2025)) == 0.0


@pytest.mark.parametrize("accounting, targets, message", [
    ({"sbti_scope2": "low_carbon_share"}, [HALF], "applies to target_mode: sbti_v2 only"),
    ({"target_mode": "sbti_v2", "sbti_scope2": "low_carbon_share"}, [HALF],
     "give clean_electricity_targets"),
    ({"target_mode": "sbti_v2", "sbti_scope2": "low_carbon_share",
      "clean_electricity_targets": [{"year": 2025, "share": 0.5}]},
     [{**HALF, "scopes": ["scope2_market"]}], "counts only scope 2"),
])
def test_a_low_carbon_share_basis_that_cannot_work_is_refused(tmp_path, accounting, targets,
                                                             message):
    path = write_plan(tmp_path, {"accounting": accounting, "targets": targets})
    result = CliRunner().invoke(app, ["validate", str(path)], terminal_width=300)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_a_linear_pathway_holds_the_straight_line_before_the_target_year(tmp_path):
    """-60 % by 2030 from the 2018 baseline (1752 t), modelled years 2025 and 2030. With
    ``pathway: linear`` 2025 must be 0.6 × 7/12 = 35 % down: limit 1138.8 t, met with
    (1752 − 1138.8) / 0.2 = 3066 MWh of certificates; 2030 needs 0.6 × 8760 = 5256 MWh.
    Without it, nothing is bought in 2025."""
    target = {"name": "near", "year": 2030, "reduction": 0.6, "pathway": "linear"}
    bought = {}
    for name, t in (("linear", target), ("plain", {**target, "pathway": "target_year"})):
        (tmp_path / name).mkdir()
        ds = run(tmp_path / name, {"certificates": LEVERS["certificates"], "targets": [t],
                                   "finance": {"investment_years": [2025, 2030]}}).results
        bought[name] = ds["certificates_bought"]
        if name == "linear":
            assert float(ds["target_limit_by_year"].sel(year=2025, target="near")) == pytest.approx(
                1138.8, rel=REL)
    assert float(bought["linear"].sel(year=2025)) == pytest.approx(3066.0, rel=REL)
    assert float(bought["linear"].sel(year=2030)) == pytest.approx(5256.0, rel=REL)
    assert float(bought["plain"].sel(year=2025)) == pytest.approx(0.0, abs=1e-6)
