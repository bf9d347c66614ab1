"""Assemble every hourly profile of a plan into one xarray Dataset (8760 hours)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from plant.energy import demand_spec
from plant.profiles import calendar, demand, grid, solar, weather, wind, workplace_ev
from plant.profiles.csvio import read_csv_profile
from plant.schema import HeatPump, Plan, SolarPV, WindTurbine

Progress = Callable[[str], None]
#: The demand component of the employees' cars charging unmanaged (docs/workplace-ev.md).
WORKPLACE_EV = "workplace_ev"


def _noop(_: str) -> None:
    return None


def heat_pump_cop(tech: HeatPump, supply_c: float, source_c: np.ndarray) -> np.ndarray:
    """COP of an air-source heat pump per hour.

    COP = min(COP_max, η_C · T_sink / (T_sink − T_source)), T_sink = supply + 5 K and
    T_source = air − 5 K (heat-exchanger approach temperatures), in kelvin; η_C is the
    Carnot (second-law) efficiency, typically 0.4-0.5 for industrial units (Arpagaus et al.
    2018, Energy 152, 985-1010).
    """
    t_sink = supply_c + 5.0 + 273.15
    t_source = source_c - 5.0 + 273.15
    lift = np.maximum(t_sink - t_source, 1.0)
    return np.minimum(tech.cop_max, tech.carnot_efficiency * t_sink / lift)


def build_profiles(plan: Plan, base_dir: Path | str = ".",
                   progress: Progress = _noop) -> xr.Dataset:
    """Hourly profiles of a plan: weather, demand, renewables, grid shapes, heat-pump COP.

    Deterministic for a given plan (seeded). CSV profiles in ``plan.profiles.csv`` replace
    the synthetic ones; ``base_dir`` is where their relative paths start (the plan's folder).
    """
    base_dir = Path(base_dir)
    res = plan.profiles.resources
    csv = plan.profiles.csv
    rng = np.random.default_rng(res.seed)
    index = calendar.hourly_index(res.profile_year)
    offset = calendar.standard_utc_offset_hours(plan.site.timezone, res.profile_year)
    data: dict[str, xr.DataArray] = {}

    def attach(name: str, values: np.ndarray, dims: tuple[str, ...], units: str, long: str,
               coords: dict | None = None) -> None:
        data[name] = xr.DataArray(values, dims=dims, coords=coords,
                                  attrs={"units": units, "long_name": long})

    progress("weather")
    temp = (read_csv_profile("temperature", csv["temperature"], base_dir) if "temperature" in csv
            else weather.air_temperature(index, plan.climate, rng))
    attach("temperature", temp, ("time",), "degC", "ambient air temperature")
    activity = calendar.production_activity(index, plan.production.calendar, plan.site.country)
    attach("production_activity", activity, ("time",), "1", "share of the hour in production")
    hdh = weather.heating_degree_hours(temp, plan.climate.heating_base_temperature_c)
    cdh = weather.cooling_degree_hours(temp, plan.climate.cooling_base_temperature_c)

    progress("demand")
    carriers = plan.carriers()
    comps = []
    fleet = plan.demand.workplace_evs
    components = [*demand.COMPONENTS, *([WORKPLACE_EV] if fleet else [])]
    ev_load = (workplace_ev.unmanaged_charging_mw(index, plan.production.calendar,
                                                   plan.site.country, fleet)
               if fleet else None)
    for carrier in carriers:
        spec = demand_spec(plan, carrier)
        metered = read_csv_profile(carrier, csv[carrier], base_dir) if carrier in csv else None
        rows = demand.demand_components_mw(spec, spec.annual_mwh,  # type: ignore[attr-defined]
                                           activity, hdh, cdh, metered)
        if ev_load is not None:  # the employees' cars charging unmanaged: electricity only
            rows = np.vstack([rows, ev_load if carrier == "electricity" else 0.0 * ev_load])
        comps.append(rows)
    attach("demand", np.stack(comps), ("carrier", "component", "time"), "MW",
           f"hourly demand in {plan.demand.reference_year} by driver",
           {"carrier": carriers, "component": components})

    progress("solar and wind")
    techs, cf_rows = [], []
    solar_rng, wind_rng = np.random.default_rng(res.seed + 1), np.random.default_rng(res.seed + 2)
    quantiles = wind.wind_quantiles(index, res, wind_rng)
    cloud_seed = solar_rng.integers(2**32)
    for name, tech in plan.technologies.items():
        if isinstance(tech, SolarPV):
            if "solar" in csv:
                row = read_csv_profile("solar", csv["solar"], base_dir)
            else:
                poa = solar.plane_of_array_irradiance(
                    index, offset, plan.site, res, tech.tilt_deg, tech.azimuth_deg,
                    np.random.default_rng(cloud_seed))  # same clouds for every PV array
                row = solar.pv_output_per_mw(poa, temp, tech)
        elif isinstance(tech, WindTurbine):
            row = (read_csv_profile("wind", csv["wind"], base_dir) if "wind" in csv
                   else wind.wind_output_per_mw(index, quantiles, res, tech))
        else:
            continue
        techs.append(name)
        cf_rows.append(row)
    attach("capacity_factor", np.array(cf_rows).reshape(len(techs), len(index)),
           ("tech", "time"), "MW/MW", "available output per unit of rated power",
           {"tech": np.array(techs, dtype=str)})

    progress("grid")
    ci = (read_csv_profile("grid_carbon_shape", csv["grid_carbon_shape"], base_dir)
          if "grid_carbon_shape" in csv else grid.carbon_intensity_shape(index, plan.grid))
    attach("grid_carbon_shape", ci / ci.mean(), ("time",), "1",
           "grid carbon intensity relative to the annual mean")
    price = (read_csv_profile("grid_price_shape", csv["grid_price_shape"], base_dir)
             if "grid_price_shape" in csv else grid.price_shape(index, plan.grid))
    attach("grid_price_shape", price / price.mean(), ("time",), "1",
           "grid import price relative to the annual mean")

    hp_names = [n for n, t in plan.technologies.items() if isinstance(t, HeatPump)]
    heat = plan.heat_classes()
    cop = np.zeros((len(hp_names), len(heat), len(index)))
    for i, name in enumerate(hp_names):
        tech = plan.technologies[name]
        assert isinstance(tech, HeatPump)
        for j, cls in enumerate(heat):
            if cls in tech.serves:
                cop[i, j] = heat_pump_cop(tech, plan.demand.heat[cls].temperature_c, temp)
    attach("cop", cop, ("heat_pump", "heat_class", "time"), "1", "heat pump coefficient of "
           "performance", {"heat_pump": np.array(hp_names, dtype=str),
                                  "heat_class": np.array(heat, dtype=str)})

    ds = xr.Dataset(data, coords={"time": index})
    ds.attrs.update(site=plan.site.name, profile_year=res.profile_year, seed=res.seed,
                    demand_reference_year=plan.demand.reference_year)
    return ds
