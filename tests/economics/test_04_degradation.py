"""Item 4 (issue 11): PV degradation.

Each PV cohort's output falls with age: in the span of modelled year y a cohort built in b
delivers cf(t) × its capacity × the mean of (1 − d)^(τ − b) over the span's years it is alive
(docs/optimiser.md, "Economic conventions"). ``degradation_per_year`` used to be ignored.
"""

from __future__ import annotations

import pytest

from ..optimiser.helpers import annual, half_day_solar, run, write_csv


def test_output_falls_with_age(tmp_path) -> None:
    """One 1 MW PV cohort built in 2025 with 1 %/yr degradation, modelled years 2025 and 2030
    (2025 stands for 2025-2029, 2030 for itself), 5 %. Half-day profile: 2190 MWh a year new,
    all of it used (0.5 MW never exceeds the 1 MW load). Available output:
      2025: 2190 × Σ_k 1.05^-k 0.99^k / Σ_k 1.05^-k (k = 0 … 4) = 2190 × 0.981159
            = 2148.74 MWh, the discount-weighted mean over the span;
      2030 (the last year, a span of one): 2190 × 0.99^5 = 2082.73 MWh,
    i.e. 0.99^5 of the first year's output."""
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "lifetime_years": 25,
          "degradation_per_year": 0.01, "max_capacity_mw": 0}
    result = run(tmp_path, {
        "technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}},
        "existing_assets": {"array": {"technology": "pv", "capacity_mw": 1.0,
                                      "build_year": 2025}},
        "finance": {"investment_years": [2025, 2030]}})
    ds = result.results
    assert result.outcome.status == "optimal"
    out = annual(ds, ds["dispatch"].sel(tech="pv", carrier="electricity"))
    first = sum(1.05 ** -k * 0.99 ** k for k in range(5)) / sum(1.05 ** -k for k in range(5))
    assert first == pytest.approx(0.981159, abs=1e-6)
    assert float(out.sel(year=2025)) == pytest.approx(2190 * first, rel=1e-6)
    assert float(out.sel(year=2030)) == pytest.approx(2190 * 0.99 ** 5, rel=1e-6)
    # capacity (for O&M and limits) does not degrade
    assert float(ds["capacity"].sel(tech="pv", year=2030)) == pytest.approx(1.0)


def test_same_span_ratio_is_the_age_difference() -> None:
    """Two spans of equal length: the later one's output is (1 − d)^5 of the earlier's."""
    from optimiser.formulate.economics import Spans

    spans = Spans((2025, 2030, 2035), 0.05, 2025)
    w25 = spans.cohort_weight(2025, 30, 2025, 0.01)
    w30 = spans.cohort_weight(2025, 30, 2030, 0.01)
    assert w30 / w25 == pytest.approx(0.99 ** 5, rel=1e-12)
