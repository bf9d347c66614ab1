"""Hourly profiles of a site (weather, demand, renewables, grid) and representative days."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plant.profiles.aggregate import aggregate
from plant.profiles.calendar import HOURS_PER_YEAR, hourly_index

if TYPE_CHECKING:
    from plant.profiles.build import build_profiles, heat_pump_cop

__all__ = ["HOURS_PER_YEAR", "aggregate", "build_profiles", "heat_pump_cop", "hourly_index"]

#: Names imported on first use: plant.profiles.build pulls in pvlib, xarray, pandas and
#: scipy.stats, which plan validation (plant.checks reads CSV profiles through
#: plant.profiles.csvio) does not need.
_LAZY = {"build_profiles": "plant.profiles.build", "heat_pump_cop": "plant.profiles.build"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
