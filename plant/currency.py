"""Convert every money value of a plan to the site currency with ``finance.exchange_rates``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from plant.schema import Plan


def _convert(item: BaseModel, site_currency: str, rates: dict[str, float]) -> BaseModel:
    currency = getattr(item, "currency", None)
    if currency is None or currency == site_currency:
        return item
    rate = rates[currency]  # presence checked by plant.checks
    update: dict[str, Any] = {"currency": None}
    for name in getattr(item, "money_fields", ()):
        value = getattr(item, name)
        if value is not None:
            update[name] = value.scaled(rate)
    return item.model_copy(update=update)


def to_site_currency(plan: Plan) -> Plan:
    """A copy of ``plan`` whose money values are all in ``site.currency``."""
    cur, rates = plan.site.currency, plan.finance.exchange_rates
    update: dict[str, Any] = {}
    for section in ("technologies", "fuels", "certificates", "carbon_credits"):
        items = getattr(plan, section)
        update[section] = {k: _convert(v, cur, rates) for k, v in items.items()}
    update["grid"] = _convert(plan.grid, cur, rates)
    if plan.carbon_price is not None:
        update["carbon_price"] = _convert(plan.carbon_price, cur, rates)
    return plan.model_copy(update=update)
