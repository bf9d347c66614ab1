"""Charges on the peak power drawn from the grid (``demand_charges``; docs/plans.md).

For charge c and modelled year y, with I(y,t) the grid import [MW] and T_c,m the time steps
that stand for a day of month m inside the charge's hours, days and months:

    monthly peak:  P_c,m(y) ≥ I(y,t)  ∀ t ∈ T_c,m;  cost_c(y) = 1000 · p_c(y) · Σ_m P_c,m(y)
    annual peak:   P_c(y)   ≥ I(y,t)  ∀ t ∈ ∪_m T_c,m;  cost_c(y) = 1000 · p_c(y) · M_c · P_c(y)

(``peak_import[y, c, m]``; key 0 for an annual peak)

with p_c the price per kW and month (its span mean, like every price), M_c the number of
months billed and 1000 kW per MW. The cost is yearly, in cost category ``demand_charge``.

A step stands for a day of month m when the representative period it belongs to represents
at least one calendar day of m (``day_period`` of the profiles, in the profile year's
calendar). So the modelled peak is the peak of the representative days: it can be lower than
the year's true peak, which is why plans with demand charges keep the peak-demand day as a
period of its own (:func:`optimiser.formulate.inputs.make_inputs`). That keeps the year's demand
peak only. Other months' peaks, and import peaks on other days, are still those of typical days.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.context import Context
from optimiser.formulate.inputs import HOURS, ModelInputs, plan_spans, profile_days
from plant.schema import DemandCharge, Plan

KW_PER_MW = 1000.0


def window_steps(inputs: ModelInputs, charge: DemandCharge) -> dict[int, list[int]]:
    """Month → the time steps whose import sets the charge's peak in that month."""
    year = int(inputs.profiles.attrs["profile_year"])
    days = profile_days(year)
    period = np.asarray(inputs.profiles["day_period"].values, dtype=int)
    start, end = charge.hours
    steps: dict[int, set[int]] = {}
    for day, p in zip(days, period, strict=True):
        weekday = day.weekday() < 5
        if day.month not in charge.months or (charge.days == "weekdays" and not weekday) or (
                charge.days == "weekends" and weekday):
            continue
        steps.setdefault(day.month, set()).update(int(p) * HOURS + h for h in range(start, end))
    return {month: sorted(found) for month, found in sorted(steps.items())}


def add_demand_charges(ctx: Context) -> None:
    """Peak variables, their rows and the charges' yearly cost."""
    inputs, m = ctx.inputs, ctx.m
    charges = inputs.plan.demand_charges
    years = inputs.years
    m.price_demand_charge = pyo.Param(years, list(charges), mutable=True,
                                      initialize=lambda _, y, n: inputs.spans.mean(
                                          charges[n].price_per_kw_month, y))
    windows = {}
    for name, charge in charges.items():
        by_month = window_steps(inputs, charge)
        if charge.peak == "annual":  # one peak, billed every month of the charge
            by_month = {0: sorted({t for steps in by_month.values() for t in steps})}
        windows[name] = by_month
    m.peak_import = pyo.Var([(y, n, k) for y in years for n, w in windows.items() for k in w],
                            domain=pyo.NonNegativeReals)
    m.peak_import_rows = pyo.ConstraintList()
    for name, by_month in windows.items():
        months_billed = len(charges[name].months) if charges[name].peak == "annual" else 1
        for y in years:
            price = m.price_demand_charge[y, name] * KW_PER_MW * months_billed
            for key, steps in by_month.items():
                peak = m.peak_import[y, name, key]
                for t in steps:
                    m.peak_import_rows.add(peak >= m.grid_import[y, t])
                ctx.add_cost("demand_charge", y, price * peak)


def update_demand_charge_prices(m: pyo.ConcreteModel, plan: Plan) -> None:
    """Set the charge prices of a built model from ``plan`` (a price sweep)."""
    mean = plan_spans(plan).mean
    for y, n in m.price_demand_charge:
        m.price_demand_charge[y, n] = mean(plan.demand_charges[n].price_per_kw_month, y)
