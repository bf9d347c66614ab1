"""Bring every money value of a plan to the site currency in the plan's price year.

A value v written in currency C and price year p (its file entry's ``currency`` and
``price_year``, :class:`~plant.merge.MoneyUnits`) becomes

    v_site = v · I_C(P) / I_C(p) · x_C

with P = ``finance.price_year``, I_C the price index of C (``finance.price_index.C``) and x_C
the exchange rate (site currency per unit of C, ``finance.exchange_rates``, for year P): the
value is first brought to the plan's price year in its own currency, then converted. A value
without a price year is taken to be in the plan's price year; one in the site currency is not
converted (x = 1). Stated in docs/plans.md ("Money").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from plant.bounds import number_problem
from plant.errors import KeyPath
from plant.merge import MONEY_SECTIONS, MoneyUnits, Units
from plant.schema import Plan

Found = Iterator[tuple[KeyPath, str]]


def priced_items(plan: Plan) -> Iterator[tuple[KeyPath, BaseModel]]:
    """(key path, item) of every plan item that carries money values."""
    for section, named in MONEY_SECTIONS.items():
        value = getattr(plan, section, None)
        if value is None:
            continue
        if named:
            for name, item in value.items():
                yield (section, name), item
        else:
            yield (section,), value


def _unit(units: MoneyUnits, path: KeyPath, item: BaseModel, name: str) -> Units:
    """Units of one field: where it was written, else the item's own declaration."""
    found = units.of(path, name)
    if found is not None:
        return found
    return Units(getattr(item, "currency", None), getattr(item, "price_year", None))


def factor(plan: Plan, unit: Units) -> float:
    """Multiplier that brings a value in ``unit`` to the site currency and price year.

    Raises
    ------
    KeyError
        If an exchange rate or price index needed is missing (see :func:`money_issues`).
    """
    site, fin = plan.site.currency, plan.finance
    currency = unit.currency or site
    rate = 1.0 if currency == site else fin.exchange_rates[currency]
    if unit.price_year is None or unit.price_year == fin.price_year:
        return rate
    index = fin.price_index[currency]
    assert fin.price_year is not None  # money_issues reports a missing price year
    return rate * index[fin.price_year] / index[unit.price_year]


def money_issues(plan: Plan, units: MoneyUnits) -> Found:
    """Missing exchange rates, price years and price indices, at the key path to fix.

    One issue per item and missing number (not one per money field).
    """
    site, fin = plan.site.currency, plan.finance
    found: dict[tuple[KeyPath, str], None] = {}
    for path, item in priced_items(plan):
        for name in getattr(item, "money_fields", ()):
            if getattr(item, name) is None:
                continue
            unit = _unit(units, path, item, name)
            currency = unit.currency or site
            if currency != site and currency not in fin.exchange_rates:
                found[((*path, "currency"),
                       f"values are in {currency} but the site currency is {site}; add "
                       f"finance.exchange_rates.{currency} ({site} per {currency})")] = None
                continue
            if unit.price_year is None or unit.price_year == fin.price_year:
                continue
            if fin.price_year is None:
                found[((*path, "price_year"),
                       f"values are in {unit.price_year} prices; give finance.price_year (the "
                       "year every money value is brought to) and finance.price_index")] = None
                continue
            index = fin.price_index.get(currency, {})
            lacking = [y for y in (unit.price_year, fin.price_year) if y not in index]
            if lacking:
                found[((*path, "price_year"),
                       f"values are in {currency} of {unit.price_year}; finance.price_index."
                       f"{currency} needs values for {' and '.join(map(str, lacking))} to "
                       f"bring them to {fin.price_year} prices")] = None
    yield from found
    if not found:
        yield from _too_large_converted(plan, units)


def _too_large_converted(plan: Plan, units: MoneyUnits) -> Found:
    """Money values that, converted to the site currency and price year, exceed the bound
    every plan number keeps (:data:`plant.bounds.MAX_MAGNITUDE`)."""
    for path, item in priced_items(plan):
        for name in getattr(item, "money_fields", ()):
            value = getattr(item, name)
            if value is None:
                continue
            rate = factor(plan, _unit(units, path, item, name))
            problem = next(filter(None, (number_problem(v * rate) for v in value.values())),
                           None)
            if problem:
                yield (*path, name), f"converted to {plan.site.currency} at {rate:.4g}: {problem}"


def to_site_money(plan: Plan, units: MoneyUnits | None = None) -> Plan:
    """A copy of ``plan`` whose money values are all in the site currency and price year."""
    units = units or MoneyUnits()
    update: dict[str, Any] = {}
    for path, item in priced_items(plan):
        fields: dict[str, Any] = {"currency": None, "price_year": None}
        for name in getattr(item, "money_fields", ()):
            value = getattr(item, name)
            if value is not None:
                fields[name] = value.scaled(factor(plan, _unit(units, path, item, name)))
        converted = item.model_copy(update=fields)
        section = str(path[0])
        if len(path) == 1:
            update[section] = converted
        else:
            update.setdefault(section, dict(getattr(plan, section)))[path[1]] = converted
    return plan.model_copy(update=update)
