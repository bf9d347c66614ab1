"""Demand charges (issue 17, item 3), by hand.

The base plan (tests/optimiser/data/base.yaml) with a metered load of 1 MW, and 2 MW from
18:00 to 19:00 every day (25 MWh a day, 9125 a year), the grid at a flat 100 GBP/MWh, and
a charge of D GBP per kW of each month's peak import.

A battery (100 GBP/kWh of energy, power free, 0.9 each way, life 10 years) shaves x MW off the
18:00 peak: it discharges x MWh and charges x/0.81 MWh, spread over the other 23 hours, where
it lifts the import to 1 + x/(0.81·23). The peak falls while that stays below 2 − x, i.e. up
to x* = 1 / (1 + 1/(0.81·23)) = 0.949058. Per MW shaved and year the battery costs its energy
(1/0.9 MWh) at 100,000 GBP/MWh net of salvage, k = 1 − ä(9)/ä(10)/1.05, plus the losses,
365 · 100 · (1/0.81 − 1), and saves 12 · 1000 · D. So it pays for itself exactly at

    D* = (100,000 · k / 0.9 + 36,500 · (1/0.81 − 1)) / 12,000   [GBP per kW-month].
"""

from __future__ import annotations

import numpy as np
import pytest

from .helpers import run, write_csv

REL = 1e-6
HOURS = np.arange(8760) % 24
LOAD = np.where(HOURS == 18, 2.0, 1.0)
BATTERY = {"kind": "battery", "capex_per_kwh": 100, "round_trip_efficiency": 0.81,
           "lifetime_years": 10}


def adue(years: int, rate: float = 0.05) -> float:
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)


K = 1 - adue(9) / adue(10) / 1.05
BREAK_EVEN = (100_000 * K / 0.9 + 36_500 * (1 / 0.81 - 1)) / 12_000
X_MAX = 1 / (1 + 1 / (0.81 * 23))


def _plan(tmp_path, price: float, peak: str = "monthly") -> dict:
    return {
        "demand": {"electricity": {"annual_mwh": 9125, "constant_share": 1.0}},
        "profiles": {"csv": {"electricity": write_csv(tmp_path, "load", LOAD)}},
        "technologies": {"battery": BATTERY},
        "demand_charges": {"capacity": {"price_per_kw_month": price, "peak": peak}},
    }


@pytest.mark.parametrize("factor", [1.02, 0.98])
def test_a_demand_charge_makes_a_battery_pay_exactly_at_its_break_even(tmp_path, factor):
    price = BREAK_EVEN * factor
    result = run(tmp_path, _plan(tmp_path, price))
    ds = result.results
    assert result.outcome.status == "optimal"
    x = X_MAX if factor > 1 else 0.0
    energy = float(ds["energy_capacity"].sel(tech="battery", year=2025))
    assert energy == pytest.approx(x / 0.9, rel=REL, abs=1e-6)
    grid = 365 * 100 * (25 + x * (1 / 0.81 - 1))
    charge = 12 * 1000 * price * (2 - x)
    capex = x / 0.9 * 100_000 * K
    assert result.outcome.objective == pytest.approx(grid + charge + capex, rel=REL)
    cost = float(ds["cost"].sel(cost_category="demand_charge", year=2025))
    assert cost == pytest.approx(charge, rel=REL)


def test_an_annual_peak_bills_every_month_on_the_year_s_highest(tmp_path):
    """A ratchet on a load whose 2 MW hour falls only in January: without a battery
    (price below break-even), 12 months × 2 MW; a monthly peak bills 2 MW once and 1 MW
    eleven times."""
    load = np.where((HOURS == 18) & (np.arange(8760) < 31 * 24), 2.0, 1.0)
    annual_mwh = float(load.sum())
    costs = {}
    for peak in ("annual", "monthly"):
        folder = tmp_path / peak
        folder.mkdir()
        plan = {
            "demand": {"electricity": {"annual_mwh": annual_mwh, "constant_share": 1.0}},
            "profiles": {"csv": {"electricity": write_csv(folder, "load", load)}},
            "demand_charges": {"c": {"price_per_kw_month": 1.0, "peak": peak}},
        }
        ds = run(folder, plan, resolution="hourly").results
        costs[peak] = float(ds["cost"].sel(cost_category="demand_charge", year=2025))
    assert costs["annual"] == pytest.approx(12 * 2000.0, rel=REL)
    assert costs["monthly"] == pytest.approx(2000.0 + 11 * 1000.0, rel=REL)


def test_representative_days_keep_the_peak_day(tmp_path):
    """With a demand charge, the day of the year's peak demand is a period of its own (weight
    1), so the modelled peak import is the true one: a load of 1 MW with one 3 MW hour on
    one day of the year is billed on 3 MW in that month at repdays:2 (3 periods), where the
    typical days alone would smooth it away."""
    load = np.ones(8760)
    load[40 * 24 + 18] = 3.0  # 9 February, 18:00
    plan = {"demand": {"electricity": {"annual_mwh": float(load.sum()), "constant_share": 1.0}},
            "profiles": {"csv": {"electricity": write_csv(tmp_path, "load", load)}},
            "demand_charges": {"c": {"price_per_kw_month": 1.0}}}
    ds = run(tmp_path, plan, resolution="repdays:2").results
    assert ds.sizes["period"] == 3 and sorted(ds["weight"].values.tolist())[0] == 1.0
    cost = float(ds["cost"].sel(cost_category="demand_charge", year=2025))
    assert cost == pytest.approx(3000.0 + 11 * 1000.0, rel=REL)


def test_results_carry_the_billed_peaks(tmp_path):
    """The peaks a charge bills are in the results, and price × 1000 × Σ peaks is its cost."""
    ds = run(tmp_path, _plan(tmp_path, BREAK_EVEN * 0.98)).results
    peaks = ds["peak_import"].sel(demand_charge="capacity", year=2025)
    np.testing.assert_allclose(peaks.sel(month=range(1, 13)).values, 2.0, rtol=REL)
    price = float(ds["demand_charge_price"].sel(demand_charge="capacity", year=2025))
    cost = float(ds["cost"].sel(cost_category="demand_charge", year=2025))
    assert cost == pytest.approx(1000 * price * float(peaks.sum()), rel=REL)
