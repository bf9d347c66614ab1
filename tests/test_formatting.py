"""Numbers as the report writes them (cnplan/report/formatting.py)."""

from __future__ import annotations

import pytest

from cnplan.report.formatting import amount, change, money, number, per_tonne, percent


@pytest.mark.parametrize(("value", "currency", "text"), [
    (295.5e6, "GBP", "£295.5 m"), (32.2e9, "JPY", "¥32.2 bn"), (-1.46e9, "JPY", "−¥1.5 bn"),
    (858_209.0, "JPY", "¥858,209"), (-0.3, "GBP", "£0"), (12e6, "CHF", "12.0 m CHF"),
    (None, "GBP", "–"), (float("nan"), "GBP", "–"),
])
def test_money(value: float | None, currency: str, text: str) -> None:
    assert money(value, currency) == text


def test_numbers_have_no_minus_zero_nor_scientific_notation() -> None:
    assert number(-0.0004) == "0" and number(-0.4, 1) == "−0.4" and number(-1234.5) == "−1,234"
    assert per_tonne(-0.2, "JPY") == "¥0/t" and per_tonne(-32611.6, "JPY") == "−¥32,612/t"
    assert per_tonne(118.0, "GBP") == "£118/t"
    assert amount(3.47e5) == "347,000" and amount(2.2e4) == "22,000" and amount(0.0) == "0"
    assert amount(0.00589) == "0.00589" and amount(12.34) == "12.3" and amount(0.123) == "0.123"
    assert percent(0.61) == "61 %" and percent(-0.07) == "−7 %"
    assert change(0.61) == "61 % less" and change(-0.07) == "7 % more"
    assert change(0.001) == "the same"
