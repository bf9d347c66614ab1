"""A plant of two heat classes on existing gas plant, shared by the abatement tests: boilers
(0.9) for 4380 MWh of low-temperature heat and furnaces (0.4) for 2190 MWh of casting heat,
gas at 0.2 t/MWh (LHV); nothing can be built."""

from __future__ import annotations

from typing import Any

HEAT = {"heat_low": {"temperature_c": 60, "annual_mwh": 4380, "constant_share": 1.0},
        "heat_casting": {"temperature_c": 750, "annual_mwh": 2190, "constant_share": 1.0}}
GAS = {"heating_value_basis": "LHV", "price_per_mwh": 30, "combustion_fossil_t_per_mwh": 0.2}
ASSETS = {"boilers": {"technology": "boiler", "capacity_mw": 2, "build_year": 2015},
          "furnaces": {"technology": "furnace", "capacity_mw": 1, "build_year": 2015}}


def gas_plant(lifetime_years: int) -> dict[str, dict[str, Any]]:
    """The boiler and furnace technologies, with no room to build more."""
    return {
        "boiler": {"kind": "fuel_boiler", "serves": ["heat_low"], "fuels": ["gas"],
                   "efficiency": 0.9, "lifetime_years": lifetime_years, "max_capacity_mw": 0},
        "furnace": {"kind": "fuel_boiler", "serves": ["heat_casting"], "fuels": ["gas"],
                    "efficiency": 0.4, "lifetime_years": lifetime_years,
                    "max_capacity_mw": 0}}
