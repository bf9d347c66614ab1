"""Technology components: one function per technology kind adds its part of the model.

To add a technology: a schema class with a new ``kind`` in ``plant/schema/technologies.py``,
catalogue data, and one entry in :data:`REGISTRY` pointing at its ``add`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from optimiser.components import efficiency, heat, renewables, sofc_unit, storage

#: kind -> add(ctx, name, tech)
REGISTRY: dict[str, Callable[..., Any]] = {
    "solar_pv": renewables.add,
    "wind": renewables.add,
    "battery": storage.add,
    "thermal_storage": storage.add,
    "heat_pump": heat.add_heat_pump,
    "electric_heater": heat.add_electric_heater,
    "fuel_boiler": heat.add_fuel_boiler,
    "sofc": sofc_unit.add,
    "efficiency": efficiency.add,
}
