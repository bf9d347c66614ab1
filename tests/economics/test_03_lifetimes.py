"""Item 3 (issue 11): lifetimes that are not multiples of the investment step.

A cohort built in b with life L serves the calendar years b … b+L−1; in the span of modelled
year y it counts with the share of the span's years it is alive (docs/optimiser.md,
"Economic conventions"). Before, a 16-year battery built in 2025 counted fully in the
2040-2044 span: 20 years of service for 16 years of capex.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.formulate.economics import Spans

from ..optimiser.helpers import run
from .test_02_capital_cost import adue

YEARS = [2025, 2030, 2035, 2040, 2045]


def test_cohort_serves_the_years_it_paid_for() -> None:
    """A 16-year cohort built in 2025, modelled years 2025-2045 in steps of 5, 7 %: it counts
    fully in the 2025, 2030 and 2035 spans and, in 2040-2044, only for 2040, which weighs
    v^15 / Σ_{k=15}^{19} v^k = 1/ä(5) of that span's discounting. The present value of the
    years it counts for, Σ_y w(y)·δ_y, is exactly that of 16 years, ä(16)."""
    spans = Spans(tuple(YEARS), 0.07, 2025)
    weights = [spans.cohort_weight(2025, 16, y) for y in YEARS]
    assert weights == pytest.approx([1.0, 1.0, 1.0, 1 / adue(5, 0.07), 0.0], rel=1e-12)
    served = sum(w * spans.annual[y] for w, y in zip(weights, YEARS, strict=True))
    assert served == pytest.approx(adue(16, 0.07), rel=1e-12)
    # without discounting the weight is the plain share of the span's years
    plain = Spans(tuple(YEARS), 0.0, 2025)
    assert plain.cohort_weight(2025, 16, 2040) == pytest.approx(0.2)
    # a 7-year cohort built in 2025 with the last year standing for one year
    short = Spans((2025, 2030, 2035), 0.0, 2025)
    assert [short.cohort_weight(2025, 7, y) for y in (2025, 2030, 2035)] == pytest.approx(
        [1.0, 0.4, 0.0])
    assert [short.cohort_weight(2030, 7, y) for y in (2025, 2030, 2035)] == pytest.approx(
        [0.0, 1.0, 1.0])


def test_existing_battery_retires_inside_a_span(tmp_path) -> None:
    """An existing 1 MW / 2 MWh battery built in 2025 with a 16-year life, years 2025-2045 in
    steps of 5, 5 %: its power counts 1, 1, 1, 1/ä(5) = 0.21998 and 0 MW, its energy twice
    that, and its fixed O&M (10 per kW-year) is paid on those: 10,000 × weight a year."""
    battery = {"kind": "battery", "capex_per_kwh": 100, "round_trip_efficiency": 0.81,
               "fixed_om_per_kw_year": 10, "lifetime_years": 16, "max_capacity_mw": 0}
    result = run(tmp_path, {
        "technologies": {"battery": battery},
        "existing_assets": {"old": {"technology": "battery", "capacity_mw": 1.0,
                                    "energy_mwh": 2.0, "build_year": 2025}},
        "finance": {"investment_years": YEARS}})
    ds = result.results
    assert result.outcome.status == "optimal"
    share = np.array([1, 1, 1, 1 / adue(5, 0.05), 0])
    np.testing.assert_allclose(ds["capacity"].sel(tech="battery").values, share, atol=1e-9)
    np.testing.assert_allclose(ds["energy_capacity"].sel(tech="battery").values, 2 * share,
                               atol=1e-9)
    np.testing.assert_allclose(ds["cost"].sel(cost_category="fixed_om").values,
                               10_000 * share, rtol=1e-9, atol=1e-6)


def test_build_limit_holds_in_every_calendar_year(tmp_path) -> None:
    """PV limited to 1 MW in total with an existing 1 MW array built in 2018 (10-year life,
    so it stands until 2027): a new cohort may not be built in 2025 beside it, although the
    old one counts for only 3 of the 5 years of the 2025 span. PV is worth building (it
    costs 1000/kW over 20 years and saves 100/MWh × 2190 h), so the optimum builds 1 MW in
    2030, when the old array is gone, and nothing in 2025."""
    from ..optimiser.helpers import half_day_solar, write_csv

    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
          "lifetime_years": 20, "degradation_per_year": 0.0, "max_capacity_mw": 1.0}
    result = run(tmp_path, {
        "technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}},
        "existing_assets": {"old": {"technology": "pv", "capacity_mw": 1.0, "build_year": 2018,
                                    "lifetime_years": 10}},
        "finance": {"investment_years": [2025, 2030, 2035]}})
    build = result.results["build"].sel(tech="pv").values
    np.testing.assert_allclose(build, [0.0, 1.0, 0.0], atol=1e-6)
