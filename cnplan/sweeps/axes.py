"""What a swept key means in money: the field it changes, its unit and its value per year.

A sweep axis is a key path of the plan (``plant.overrides``): either a field set directly
(``fuels.bioethanol.price_per_mwh=15000:30000:7``, the axis values are prices) or a scale of
one (``fuels.bioethanol.price_scale=0.5:1.5:11``, the axis values are factors on the plan's
own trajectory). For a break-even a factor means little to a board; what they need is the
price, in the plan's currency, in the year the decision is made:

    price(x, year) = x · base(year)     for a scale (base: the plan's trajectory),
    price(x, year) = x                  for a field set directly,
    price per litre = price per MWh · energy_mwh_per_litre   (liquid fuels that state it,
                                                              same heating-value basis).

The base is the loaded plan's value, already in the site currency and the plan's price year
(docs/plans.md). The meaning is computed when the sweep starts and stored in ``sweep.json``.
"""

from __future__ import annotations

from typing import Any

from plant.overrides import resolve_key
from plant.schema import Plan
from plant.trajectory import Trajectory

#: Unit of a money field by the end of its name (per the site currency).
UNIT_SUFFIXES = {"_per_mwh": "MWh", "_per_t": "t", "_per_kw": "kW", "_per_kwh": "kWh",
                 "_per_kw_year": "kW/yr"}


def _item(plan: Plan, parent: list[str]) -> Any:
    """The plan object at ``parent`` (sections, named items, list indices)."""
    node: Any = plan
    for part in parent:
        if isinstance(node, dict):
            node = node[part]
        elif isinstance(node, list | tuple):
            node = node[int(part)]
        else:
            node = getattr(node, part)
    return node


def _field_words(field: str) -> str:
    for suffix in UNIT_SUFFIXES:
        if field.endswith(suffix):
            return field[: -len(suffix)].replace("_", " ")
    return field.replace("_", " ")


def axis_meaning(plan: Plan, key: str) -> dict[str, Any]:
    """How to read the values of swept ``key`` (a JSON-able dict).

    Keys: ``key``; ``field`` (the key path of the field changed); ``scale`` (values are
    factors); ``label`` (e.g. "bio-ethanol price"); ``unit`` (e.g. "JPY/MWh", "" if the field
    is not money per unit); ``base`` ({year: value} of the plan at each investment year);
    ``mwh_per_litre`` (for fuels that state their energy per litre, else None).
    """
    parent, field, scale = resolve_key(plan.model_dump(), key)
    try:
        item = _item(plan, parent)
        value = getattr(item, field) if not isinstance(item, dict) else item[field]
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        # a path the dumped plan has but the objects do not spell the same way: the axis
        # is then shown by its key, in its own values
        return {"key": key, "field": key, "scale": scale, "label": key, "unit": "",
                "base": {}, "mwh_per_litre": None}
    years = plan.years()
    trajectory = value if isinstance(value, Trajectory) else Trajectory(float(value))
    name = (item.display_name(parent[-1]) if hasattr(item, "display_name") and parent
            else " ".join(parent).replace("_", " "))
    suffix = next((s for s in UNIT_SUFFIXES if field.endswith(s)), None)
    unit = f"{plan.site.currency}/{UNIT_SUFFIXES[suffix]}" if suffix else ""
    per_litre = getattr(item, "energy_mwh_per_litre", None) if suffix == "_per_mwh" else None
    return {"key": key, "field": ".".join([*parent, field]), "scale": scale,
            "label": f"{name} {_field_words(field)}".strip(), "unit": unit,
            "base": {int(y): trajectory.at(y) for y in years},
            "mwh_per_litre": per_litre}


def axis_value_in_money(meaning: dict[str, Any], x: float, year: int) -> float:
    """The field's value in ``year`` at axis value ``x`` (see the module docstring)."""
    base = meaning["base"]
    if not meaning["scale"]:
        return float(x)
    if not base:
        raise ValueError(f"{meaning['key']}: the plan's value it scales is unknown")
    at = base.get(year, base.get(str(year)))
    if at is None:  # a year between investment years: interpolate the stored base
        points = {int(k): v for k, v in base.items()}
        at = Trajectory(points).at(year)
    return float(x) * float(at)


def per_litre_unit(meaning: dict[str, Any]) -> str | None:
    """``JPY/L`` where the axis is a fuel price that can be given per litre."""
    if not meaning.get("mwh_per_litre") or not meaning["unit"].endswith("/MWh"):
        return None
    return meaning["unit"].replace("/MWh", "/L")
