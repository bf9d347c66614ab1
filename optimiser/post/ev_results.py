"""What the workplace-EV levers do, for the report (docs/workplace-ev.md;
optimiser/formulate/components/workplace_ev.py): the fleet's unmanaged charging, and each
lever's enrolled cars, managed charging and V2B discharge on the time grid.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from optimiser.formulate.components.workplace_ev import unmanaged_load
from optimiser.formulate.context import Context
from optimiser.formulate.evaluate import value_or_zero
from optimiser.formulate.inputs import HOURS
from plant.profiles.workplace_ev import KW_PER_MW, parked_hours
from plant.schema import WorkplaceEVLever


def add_workplace_ev_results(ds: xr.Dataset, ctx: Context) -> None:
    """``ev_unmanaged`` (period, hour), ``ev_cars`` (ev_lever, year), ``ev_share`` (year),
    ``ev_charge`` and
    ``ev_discharge`` (ev_lever, year, period, hour), in place; nothing without a fleet."""
    plan, inputs = ctx.inputs.plan, ctx.inputs
    fleet = plan.demand.workplace_evs
    if fleet is None or not inputs.dispatch:
        return
    levers = [n for n, t in plan.technologies.items() if isinstance(t, WorkplaceEVLever)]
    n_periods, years = inputs.n_steps // HOURS, inputs.years
    ds["ev_unmanaged"] = xr.DataArray(
        unmanaged_load(ctx).reshape(n_periods, HOURS), dims=("period", "hour"),
        attrs={"units": "MW", "long_name": "the workplace fleet charging unmanaged"})
    ds.coords["ev_lever"] = levers
    cars = np.array([[value_or_zero(ctx.m.component(f"tech_{n}").enrolled[y]) * KW_PER_MW
                      / fleet.charger_kw for y in years] for n in levers]).reshape(
        len(levers), len(years))
    ds["ev_cars"] = xr.DataArray(cars, dims=("ev_lever", "year"), attrs={
        "units": "cars", "long_name": "cars each lever enrols"})
    ds["ev_share"] = xr.DataArray(cars.sum(axis=0) / fleet.cars, dims=("year",), attrs={
        "units": "1", "long_name": "share of the workplace fleet enrolled by any lever"})
    flows = np.zeros((2, len(levers), len(years), n_periods * HOURS))
    hours = [parked_hours(plan.production.calendar, k) for k in range(len(fleet.cars_per_shift))]
    for j, name in enumerate(levers):
        block = ctx.m.component(f"tech_{name}")
        for f, key in enumerate(("charge", "discharge")):
            var = getattr(block, key, None)
            for (y, k, p, i), v in ({} if var is None else var.items()):
                flows[f, j, years.index(y), p * HOURS + hours[k][i]] += value_or_zero(v)
    for f, (key, long) in enumerate((("ev_charge", "managed charging of the enrolled cars"),
                                     ("ev_discharge", "V2B discharge to the plant"))):
        ds[key] = xr.DataArray(flows[f].reshape(len(levers), len(years), n_periods, HOURS),
                               dims=("ev_lever", "year", "period", "hour"),
                               attrs={"units": "MW", "long_name": long})
