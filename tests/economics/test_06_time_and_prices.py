"""Item 6 (issue 11): time and price alignment.

* A modelled year standing for a span of calendar years pays, for every price, the
  discount-weighted mean of the price over the span (so that the span's present value is
  exact); capex is paid at its build year's price; quantities, factors and limits are those
  of the modelled year (docs/optimiser.md, "Economic conventions").
* Every money value is brought to the plan's price year (test_01 covers the loader; here the
  reference catalogue: each entry states its currency and price year).
"""

from __future__ import annotations

import pytest
import yaml

from optimiser.formulate.economics import Spans
from plant.trajectory import Trajectory

from ..conftest import SITES
from ..optimiser.helpers import run


def test_span_mean_is_discount_weighted() -> None:
    """Price 100 in 2025 rising to 200 in 2030, r = 5 %, 2025 stands for 2025-2029:
    Σ_k 1.05^-k (100 + 20k) / Σ_k 1.05^-k = 138.05 (the plain mean is 140, the year's own
    value 100)."""
    spans = Spans((2025, 2030), 0.05, 2025)
    price = Trajectory({2025: 100.0, 2030: 200.0})
    expected = sum(1.05 ** -k * (100 + 20 * k) for k in range(5)) / sum(
        1.05 ** -k for k in range(5))
    assert spans.mean(price, 2025) == pytest.approx(expected, rel=1e-12)
    assert spans.mean(price, 2025) == pytest.approx(138.05, abs=0.01)
    assert spans.mean(price, 2030) == 200.0  # the last year stands for itself


def test_grid_cost_of_a_span_is_its_present_value(tmp_path) -> None:
    """Grid only, 1 MW flat, years 2025 and 2030, price {2025: 100, 2030: 200}: the NPC is
    8760 × Σ_{τ=2025}^{2030} 1.05^-(τ−2025) p(τ), the exact present value of every year's
    bill (with the year's own value it was 8760 × (100 × 4.546 + 200 × 0.7835))."""
    result = run(tmp_path, {"grid": {"import_price_per_mwh": {2025: 100, 2030: 200}},
                            "finance": {"investment_years": [2025, 2030]}})
    expected = 8760 * sum(1.05 ** -k * (100 + 20 * k) for k in range(6))
    assert result.outcome.objective == pytest.approx(expected, rel=1e-9)


def test_catalogue_entries_state_currency_and_price_year() -> None:
    data = yaml.safe_load((SITES / "catalogue" / "technologies.yaml").read_text())
    for name, tech in data["technologies"].items():
        assert tech.get("currency"), name
        assert tech.get("price_year"), name
    indices = yaml.safe_load((SITES / "catalogue" / "price_indices.yaml").read_text())
    assert set(indices["finance"]["price_index"]) >= {"EUR", "USD", "GBP", "JPY"}
