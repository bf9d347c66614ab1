"""Hourly profiles of a site (weather, demand, renewables, grid) and representative days."""

from plant.profiles.aggregate import aggregate
from plant.profiles.build import build_profiles, heat_pump_cop
from plant.profiles.calendar import HOURS_PER_YEAR, hourly_index

__all__ = ["HOURS_PER_YEAR", "aggregate", "build_profiles", "heat_pump_cop", "hourly_index"]
