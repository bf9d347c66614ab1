"""Numbers as people write them in reports: money with a symbol and m/bn, thousands
separators, no scientific notation, no "-0", a dash where there is no value."""

from __future__ import annotations

SYMBOLS = {"GBP": "£", "JPY": "¥", "EUR": "€", "USD": "$"}


def number(value: float | None, digits: int = 0) -> str:
    """``12,345`` or ``−12,345`` (``digits`` decimals, a true minus sign); "–" for None or
    NaN; no "−0"."""
    if value is None or value != value:
        return "–"
    text = f"{abs(value):,.{digits}f}"
    return f"−{text}" if value < 0 and text.strip("0.,") != "" else text


def amount(value: float | None) -> str:
    """A plain number with precision by size: 12,345 · 123 · 12.3 · 1.23 · 0.123."""
    if value is None or value != value:
        return "–"
    size = abs(value)
    if size == 0.0:
        return "0"
    digits = 0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3 if size >= 0.01 \
        else 5
    return number(value, digits)


def money(value: float | None, currency: str) -> str:
    """``£274.8 m``, ``¥32.3 bn``, ``−£1.2 m``; other currencies as ``1.2 m CHF``."""
    if value is None or value != value:
        return "–"
    size = abs(value)
    if size >= 1e9:
        body = f"{size / 1e9:,.1f} bn"
    elif size >= 1e6:
        body = f"{size / 1e6:,.1f} m"
    else:
        body = number(size)
    sign = "−" if value < 0 and body.strip("0.,") != "" else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{body}" if symbol else f"{sign}{body} {currency}"


def per_tonne(value: float | None, currency: str) -> str:
    """``£118/t``, ``¥22,500/t``; a dash where there is none."""
    if value is None or value != value:
        return "–"
    symbol = SYMBOLS.get(currency)
    body = number(abs(value))
    sign = "−" if value < 0 and body.strip("0.,") != "" else ""
    return f"{sign}{symbol}{body}/t" if symbol else f"{sign}{body} {currency}/t"


def percent(value: float | None) -> str:
    """``−61 %`` for a fraction of −0.61."""
    if value is None or value != value:
        return "–"
    return number(value * 100) + " %"


def change(reduction: float | None) -> str:
    """A reduction against a reference in words: ``"61 % less"`` for 0.61, ``"7 % more"`` for
    −0.07, ``"the same"`` below 0.5 %."""
    if reduction is None or reduction != reduction:
        return "–"
    if abs(reduction) < 0.005:
        return "the same"
    return f"{number(abs(reduction) * 100)} % {'less' if reduction > 0 else 'more'}"
