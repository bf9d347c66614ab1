"""Small plans whose optimum is worked out by hand (arithmetic in each docstring).

All cases start from ``data/base.yaml``: a flat 1 MW electricity demand (8760 MWh a year),
grid at 100 GBP/MWh and 0.2 t CO2e/MWh, no export, discount rate 5 %, one investment year
2025 that is also the base year. With one investment year the span is 1 year and the horizon
ends in 2026, so annual_discount = once_discount = 1 and a technology of life L built in 2025
returns a salvage of capex · ä(L − 1)/ä(L) · 1.05^-1, the present value of the annuities it
still owes (ä(n) = (1 − 1.05^-n)/(1 − 1.05^-1), the annuity-due factor; docs/optimiser.md).
Net of salvage a cohort built in 2025 then costs capex/ä(L), one year's annuity-due.

Every day of these plans looks the same to the optimiser (flat demand, a repeating solar day,
time-of-use bands every day), so two representative days reproduce the year exactly; the
grid-only case is also run hourly to show that.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from optimiser import summary

from .helpers import annual, half_day_solar, run, total_unserved, write_csv

REL = 1e-6
YEAR = 2025
DEMAND_MWH = 8760.0

PV = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
      "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
      "max_capacity_mw": 1.5, "degradation_per_year": 0.0}
"""PV with the half-day profile: 0.5 × 12 h × 365 = 2190 MWh per MWp a year (no ageing)."""


def adue(years: int, rate: float = 0.05) -> float:
    """Annuity-due factor ä(n) = Σ_{k<n} (1+r)^-k in closed form."""
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)

TWO_PRICE_DAY = {"time_of_use": [{"name": "peak", "hours": [12, 24], "multiplier": 3}]}
"""Relative price 1 for 00-12 and 3 for 12-24, mean 2: shape 0.5 / 1.5, so 50 and 150."""


def _pv_overrides(tmp_path, **extra):
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    return {"technologies": {"pv": PV}, "profiles": {"csv": {"solar": solar}}, **extra}


def _cost(ds, category: str, year: int = YEAR) -> float:
    return float(ds["cost"].sel(cost_category=category, year=year))


def _emission(ds, category: str, year: int = YEAR) -> float:
    return float(ds["emissions"].sel(category=category, year=year))


@pytest.mark.parametrize("resolution", ["hourly", "repdays:2"])
def test_grid_only(tmp_path, resolution):
    """Grid only: NPC = 8760 MWh × 100 GBP/MWh = 876,000; emissions = 8760 × 0.2 = 1752 t.

    Import is 1 MW in every hour (unique: the only supply). Scope 2 location- and market-
    based are equal (no residual mix given, no certificates); no scope 1; net = 1752 t.
    """
    result = run(tmp_path, {}, resolution)
    ds = result.results
    assert result.outcome.status == "optimal"
    assert result.outcome.objective == pytest.approx(DEMAND_MWH * 100, rel=REL)
    np.testing.assert_allclose(ds["grid_import"].values, 1.0, rtol=REL)
    assert float(annual(ds, ds["grid_import"]).sum()) == pytest.approx(DEMAND_MWH, rel=REL)
    assert float(ds["weight"].sum()) == pytest.approx(365.0, rel=1e-12)
    assert _emission(ds, "scope2_location") == pytest.approx(1752.0, rel=REL)
    assert _emission(ds, "scope2_market") == pytest.approx(1752.0, rel=REL)
    assert _emission(ds, "scope1") == pytest.approx(0.0, abs=1e-9)
    summ = summary(ds, result.timings, {})
    assert summ["emissions"][str(YEAR)]["net"] == pytest.approx(1752.0, rel=REL)
    assert summ["objective"]["net_present_cost"] == pytest.approx(876_000.0, rel=REL)
    assert total_unserved(ds) == pytest.approx(0.0, abs=1e-9)


def test_pv_built_to_its_limit(tmp_path):
    """PV cheaper than the grid is built to its 1.5 MW limit.

    Per MW and year PV costs 1e6/ä(20) + 10,000 = 76,422 + 10,000 and saves
    2190 × (100 − 2) = 214,620, and up to 2 MW its output (0.5 MW/MW) never exceeds the 1 MW
    load, so the limit binds: K = 1.5 MW, output 1.5 × 2190 = 3285 MWh, 0.75 MW in each sun
    hour. With ä(20) = 13.085321 and ä(19) = 12.689587, NPC:
      capex      1.5 MW × 1000 GBP/kW × 1000            = 1,500,000
      salvage   −1,500,000 × ä(19)/ä(20) × 1.05^-1      = −1,385,367.73
      fixed O&M  1.5 × 10 × 1000                        =    15,000
      var. O&M   3285 × 2                               =     6,570
      grid       (8760 − 3285) × 100                    =   547,500
      total                                             =   683,702.27
    Emissions: 5475 MWh × 0.2 = 1095 t.
    """
    result = run(tmp_path, _pv_overrides(tmp_path))
    ds = result.results
    assert result.outcome.status == "optimal"
    salvage = 1.5e6 * adue(19) / adue(20) / 1.05
    expected = 1.5e6 - salvage + 15_000 + 6_570 + 547_500
    assert result.outcome.objective == pytest.approx(expected, rel=REL)
    assert float(ds["capacity"].sel(tech="pv", year=YEAR)) == pytest.approx(1.5, rel=REL)
    pv = ds["dispatch"].sel(tech="pv", carrier="electricity", year=YEAR)
    sun = (ds["hour"] >= 6) & (ds["hour"] < 18)
    np.testing.assert_allclose(pv.where(sun, drop=True).values, 0.75, rtol=REL)
    np.testing.assert_allclose(pv.where(~sun, drop=True).values, 0.0, atol=1e-9)
    assert _cost(ds, "capex") == pytest.approx(1.5e6, rel=REL)
    assert _cost(ds, "salvage") == pytest.approx(-salvage, rel=REL)
    assert _cost(ds, "fixed_om") == pytest.approx(15_000, rel=REL)
    assert _cost(ds, "variable_om") == pytest.approx(6_570, rel=REL)
    assert _cost(ds, "grid_import") == pytest.approx(547_500, rel=REL)
    assert _emission(ds, "scope2_market") == pytest.approx(1095.0, rel=REL)


def test_battery_arbitrage_sized_by_demand(tmp_path):
    """A battery shifts the whole peak load to the off-peak hours; energy is pinned by demand.

    Prices 50 (00-12) and 150 (12-24). Battery: 100 GBP/kWh, power free, RTE 0.81 (0.9 each
    way), life 10, no standing loss. Per MWh of energy capacity and year it earns
    0.9 × 365 × (150 − 50/0.81) = 28,996 and costs 100,000/ä(10) = 12,333, so it
    grows until it covers the whole peak: discharge 1 MW in each of the 12 peak hours (no
    export) = 12 MWh a day, charge 12/0.81 = 14.815 MWh off-peak, stored 0.9 × 14.815 =
    13.333 MWh = E. NPC:
      grid     365 × 50 × (12 + 14.815)                 =   489,370.370
      capex    13.333 MWh × 100 GBP/kWh × 1000          = 1,333,333.333
      salvage  −1,333,333.333 × ä(9)/ä(10) × 1.05^-1    = −1,168,883.079
      total                                             =   653,820.624
    (No battery: 365 × (12 × 50 + 12 × 150) = 876,000.)
    """
    battery = {"kind": "battery", "capex_per_kwh": 100, "round_trip_efficiency": 0.81,
               "lifetime_years": 10}
    result = run(tmp_path, {"technologies": {"battery": battery}, "grid": TWO_PRICE_DAY})
    ds = result.results
    assert result.outcome.status == "optimal"
    energy = 12 / 0.9
    capex = energy * 100 * 1000
    expected = 365 * 50 * (12 + 12 / 0.81) + capex * (1 - adue(9) / adue(10) / 1.05)
    assert result.outcome.objective == pytest.approx(expected, rel=REL)
    assert float(ds["energy_capacity"].sel(tech="battery", year=YEAR)) == pytest.approx(
        energy, rel=REL)
    peak = ds["hour"] >= 12
    net = ds["dispatch"].sel(tech="battery", carrier="electricity", year=YEAR)
    np.testing.assert_allclose(net.where(peak, drop=True).values, 1.0, rtol=REL)
    imports = ds["grid_import"].sel(year=YEAR)
    np.testing.assert_allclose(imports.where(peak, drop=True).values, 0.0, atol=1e-6)
    charged = -float(annual(ds, net.where(~peak, drop=True)))
    assert charged == pytest.approx(365 * 12 / 0.81, rel=REL)
    assert _cost(ds, "grid_import") == pytest.approx(365 * 50 * (12 + 12 / 0.81), rel=REL)
    assert total_unserved(ds) == pytest.approx(0.0, abs=1e-6)


LEVERS = {
    "certificate": ({"certificates": {"rego": {"price_per_mwh": 5}}}, 5 / 0.2, 897_900.0,
                    {"scope2_market": 876.0, "credits": 0.0},
                    {"certificates": 4380 * 5, "grid_import": 876_000, "unserved": 0.0}),
    "credit": ({"carbon_credits": {"removal": {"kind": "removal", "price_per_t": 30}}}, 30.0,
               902_280.0, {"scope2_market": 1752.0, "credits": 876.0},
               {"credits": 876 * 30, "grid_import": 876_000, "unserved": 0.0}),
    "lost load": ({"demand": {"unserved_cost_per_mwh": 5000}}, (5000 - 100) / 0.2,
                  22_338_000.0, {"scope2_market": 876.0, "credits": 0.0},
                  {"unserved": 4380 * 5000, "grid_import": 4380 * 100}),
}


@pytest.mark.parametrize("lever", list(LEVERS))
def test_target_met_by_one_lever(tmp_path, lever):
    """A -50 % target that only one lever can meet; its shadow price is that lever's cost.

    Baseline scope 1 + 2 (market) = 8760 MWh × 0.2 = 1752 t, limit 0.5 × 1752 = 876 t; grid
    only, so 876 t must be bought or shed away:
    - certificates at 5 GBP/MWh: 876 / 0.2 = 4380 MWh, 21,900 GBP; NPC 876,000 + 21,900 =
      897,900; a tonne more costs 5 / 0.2 = 25 GBP (shadow price);
    - removal credits at 30 GBP/t (counted, up to 60 % of the baseline, 1051 t, so the cap is
      slack): 876 t, 26,280 GBP; NPC 902,280; shadow price 30 GBP/t;
    - lost load priced at 5000 GBP/MWh (``demand.unserved_cost_per_mwh``): shed 4380 MWh,
      21,900,000 GBP, import 4380 MWh, 438,000 GBP; NPC 22,338,000; a tonne costs
      (5000 − 100) / 0.2 = 24,500 GBP.
    Scope 2 location-based stays at the physical imports × 0.2.
    """
    overrides, marginal_per_t, expected_npc, emissions, costs = LEVERS[lever]
    target = {"name": "half", "year": YEAR, "reduction": 0.5, "max_credit_share": 0.6}
    result = run(tmp_path, {**overrides, "targets": [target]})
    ds = result.results
    assert result.outcome.status == "optimal"
    assert result.outcome.objective == pytest.approx(expected_npc, rel=REL)
    summ = summary(ds, result.timings, {})
    assert summ["objective"]["net_present_cost"] == pytest.approx(expected_npc, rel=REL)
    (entry,) = summ["targets"]
    assert entry["met"] is True
    assert entry["limit"] == pytest.approx(876.0, rel=REL)
    assert entry["achieved"] == pytest.approx(876.0, rel=REL)
    assert entry["shadow_price"] == pytest.approx(marginal_per_t, rel=REL)
    for category, value in emissions.items():
        assert _emission(ds, category) == pytest.approx(value, rel=REL, abs=1e-9), category
    for category, value in costs.items():
        assert _cost(ds, category) == pytest.approx(value, rel=REL, abs=1e-6), category
    imported = float(annual(ds, ds["grid_import"]).sum())
    assert _emission(ds, "scope2_location") == pytest.approx(imported * 0.2, rel=REL)
    assert summ["emissions"][str(YEAR)]["net"] == pytest.approx(876.0, rel=REL)


def test_unreachable_target_is_reported(tmp_path):
    """A -50 % target with no lever at all: status targets_missed, diagnosis names year/gap.

    Grid only, no certificates, credits, technologies or priced unserved energy: the least
    achievable is 1752 t against a limit of 876 t, 876 t over. Expected: no exception, status
    ``targets_missed``, all demand served, one diagnosis line "... cannot be met in 2025: the
    least achievable is 1,752 t CO2e against a limit of 876 t (876 t over)", summary ``met``
    false with ``shortfall`` 876 and no shadow price (the dual is then the diagnostic penalty).
    """
    target = {"name": "half", "year": YEAR, "reduction": 0.5}
    result = run(tmp_path, {"targets": [target]})
    ds = result.results
    assert result.outcome.status == "targets_missed"
    assert total_unserved(ds) == pytest.approx(0.0, abs=1e-6)
    (line,) = result.diagnosis
    numbers = re.search(r"'half' cannot be met in (\d{4}): the least achievable is ([\d,]+) t "
                        r"CO2e against a limit of ([\d,]+) t \(([\d,]+) t over\)", line)
    assert numbers, line
    year, least, limit, over = (int(g.replace(",", "")) for g in numbers.groups())
    assert (year, least, limit, over) == (2025, 1752, 876, 876)
    summ = summary(ds, result.timings, {})
    assert summ["status"] == "targets_missed"
    (entry,) = summ["targets"]
    assert entry["met"] is False
    assert entry["achieved"] == pytest.approx(1752.0, rel=REL)
    assert entry["shortfall"] == pytest.approx(876.0, rel=REL)
    assert entry["shadow_price"] is None
    # the reported plan is the grid-only plan: NPC without the diagnostic penalty
    assert summ["objective"]["net_present_cost"] == pytest.approx(876_000.0, rel=REL)


def test_two_investment_years_discounting(tmp_path):
    """Two investment years: yearly costs × Σ of discount factors over each span.

    Years 2025 and 2030, base 2025, r = 5 %: 2025 stands for 2025-2029 and 2030 (the last)
    for one year, so the horizon ends in 2031.
      annual_discount(2025) = Σ_{k=0..4} 1.05^-k = 4.545951, annual_discount(2030) =
      1.05^-5 = 0.783526; a one-off cost in 2025 is not discounted.
    Grid price 100 in 2025 rising linearly to 200 in 2030: the 2025 span pays 100, 120, 140,
    160, 180 in 2025-2029 (its price is their discount-weighted mean, 138.05). PV (1.5 MW
    limit, life 20) is built in full in 2025. It serves 2025-2030 (6 of its 20 years) and is
    worth ä(14)/ä(20) of its capex in 2031. NPC:
      capex     1,500,000                                      = 1,500,000
      salvage   −1.5e6 × ä(14)/ä(20) × 1.05^-6                  =  −889,070.01
      fixed O&M 15,000 × (4.545951 + 0.783526)                 =    79,942.15
      var. O&M  6,570 × 5.329477                               =    35,014.66
      grid 2025 5475 × Σ_k 1.05^-k (100 + 20k)                  = 3,435,947.41
      grid 2030 5475 × 200 × 0.783526                          =   857,961.15
      total                                                    = 5,019,795.36
    """
    ad25 = sum(1.05 ** -k for k in range(5))
    ad30 = 1.05 ** -5
    overrides = _pv_overrides(
        tmp_path, finance={"investment_years": [2025, 2030]},
        grid={"import_price_per_mwh": {2025: 100, 2030: 200}})
    result = run(tmp_path, overrides)
    ds = result.results
    assert result.outcome.status == "optimal"
    salvage = 1.5e6 * adue(14) / adue(20) * 1.05 ** -6
    grid25 = 5475 * sum(1.05 ** -k * (100 + 20 * k) for k in range(5))
    by_category = {
        "capex": 1.5e6,
        "salvage": -salvage,
        "fixed_om": 15_000 * (ad25 + ad30),
        "variable_om": 6_570 * (ad25 + ad30),
        "grid_import": grid25 + 1_095_000 * ad30,
    }
    assert result.outcome.objective == pytest.approx(sum(by_category.values()), rel=REL)
    npv = ds["cost_discounted"].sum("year")
    for category, value in by_category.items():
        assert float(npv.sel(cost_category=category)) == pytest.approx(value, rel=REL), category
    np.testing.assert_allclose(ds["capacity"].sel(tech="pv").values, [1.5, 1.5], rtol=REL)
    assert _cost(ds, "grid_import", 2030) == pytest.approx(1_095_000, rel=REL)
    assert _emission(ds, "scope2_market", 2030) == pytest.approx(1095.0, rel=REL)
