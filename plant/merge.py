"""Merging a plan with the files it includes, and where each money value came from.

Rules (docs/plans.md, "Includes"):

* mappings merge key by key and the including file wins; ``key: null`` deletes a key;
* a year trajectory ``{year: value}`` is **one value**: a trajectory written in the including
  file replaces the included one whole (years are never merged one by one, so a catalogue's
  2030 value cannot survive under a site's own 2025-2040 path);
* lists replace;
* every money value keeps the currency and price year of the file entry that wrote it
  (:class:`MoneyUnits`). An entry that writes a money field without a ``currency:`` of its
  own is read in the currency and price year the item had so far; one that states a
  ``currency:`` without a ``price_year:`` means the plan's price year; a field the entry
  does not restate keeps its own units.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from plant.errors import KeyPath

#: Sections holding money values: True for a mapping of named items, False for one item.
MONEY_SECTIONS: dict[str, bool] = {
    "technologies": True, "fuels": True, "certificates": True, "carbon_credits": True,
    "ppas": True, "grid": False, "carbon_price": False, "demand_charges": True,
}
_UNIT_KEYS = ("currency", "price_year")


def _is_year(key: Any) -> bool:
    return (isinstance(key, int) and not isinstance(key, bool)) or (
        isinstance(key, str) and key.strip().isdigit())


def is_trajectory(value: Any) -> bool:
    """A non-empty mapping whose keys are all years (integers, or quoted like "2030"): one
    value, never merged."""
    return isinstance(value, dict) and bool(value) and all(_is_year(k) for k in value)


def deep_merge(base: Any, over: Any) -> Any:
    """Merge ``over`` into ``base``: mappings key by key, ``null`` deletes, trajectories and
    everything else are replaced whole."""
    if isinstance(base, dict) and isinstance(over, dict) and not (
            is_trajectory(base) or is_trajectory(over)):
        out = dict(base)
        for key, value in over.items():
            if value is None:  # drops an included entry; nothing to drop is no error
                out.pop(key, None)
            else:
                out[key] = deep_merge(out[key], value) if key in out else value
        return out
    return over


@dataclass(frozen=True)
class Units:
    """Currency and price year of money values (None: the site's currency / price year)."""

    currency: str | None = None
    price_year: int | None = None


@dataclass
class MoneyUnits:
    """Units of every money-bearing item and of each field in it, by key path."""

    items: dict[KeyPath, Units] = field(default_factory=dict)
    fields: dict[KeyPath, Units] = field(default_factory=dict)

    def of(self, item: KeyPath, name: str) -> Units | None:
        """Units of field ``name`` of the item at ``item``, or None if no file wrote it (a
        record of ``Units()`` means: the site currency in the plan's price year)."""
        found = self.fields.get((*item, name))
        return found if found is not None else self.items.get(item)

    def apply(self, data: dict[str, Any]) -> None:
        """Record the units of the money items that the file content ``data`` writes."""
        for path, item in money_items(data):
            if item is None:
                self._forget(path)
                continue
            before = self.items.get(path, Units())
            if "currency" in item:  # a new currency starts in the plan's price year
                unit = Units(item["currency"], item.get("price_year"))
            else:
                unit = Units(before.currency, item.get("price_year", before.price_year))
            self.items[path] = unit
            for key, value in item.items():
                if key in _UNIT_KEYS:
                    continue
                if value is None:
                    self.fields.pop((*path, key), None)
                else:
                    self.fields[(*path, key)] = unit

    def _forget(self, path: KeyPath) -> None:
        self.items.pop(path, None)
        for key in [k for k in self.fields if k[:len(path)] == path]:
            del self.fields[key]


def money_items(data: Any) -> Iterator[tuple[KeyPath, Any]]:
    """(key path, mapping or None) of every money-bearing item written in ``data``."""
    if not isinstance(data, dict):
        return
    for section, named in MONEY_SECTIONS.items():
        if section not in data:
            continue
        value = data[section]
        if not named:
            if isinstance(value, dict) or value is None:
                yield (section,), value
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict) or item is None:
                    yield (section, name), item
