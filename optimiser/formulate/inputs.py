"""Numbers the model is built from: years, discounting, the time grid and the profiles.

Time is a set of representative days (``period``) of 24 hours, each with a weight in days;
a full hourly year is the special case of 365 periods of weight 1 in calendar order. Every
annual quantity is Σ_t w_t x_t with w_t the weight of the period of step t.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from optimiser.formulate.economics import Spans
from plant.energy import production_ratio
from plant.factors import SiteFactors, site_factors
from plant.profiles import aggregate
from plant.profiles.calendar import hourly_index
from plant.schema import OnSiteRenewable, Plan
from plant.trajectory import Trajectory

HOURS = 24


@dataclass(frozen=True)
class Resolution:
    """``repdays:N`` (tsam) or ``hourly`` (365 days in order), with calendar days to keep
    as periods of their own (``extra_days``, 0 = 1 January of the profile year: days an
    hourly verification found short, :mod:`optimiser.verify.adequacy`)."""

    kind: str
    days: int
    extra_days: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Resolution:
        """``"repdays:12"`` -> Resolution("repdays", 12); ``"hourly"`` -> 365 days."""
        if text == "hourly":
            return cls("hourly", 365)
        kind, _, number = text.partition(":")
        if kind == "repdays" and number.isdigit() and 1 <= int(number) <= 365:
            return cls("repdays", int(number))
        raise ValueError(f"resolution {text!r} is not 'hourly' or 'repdays:N' with N in 1-365")

    def __str__(self) -> str:
        return "hourly" if self.kind == "hourly" else f"repdays:{self.days}"

    def with_days(self, days: list[int] | tuple[int, ...]) -> Resolution:
        """This resolution with ``days`` kept as periods of their own too."""
        return Resolution(self.kind, self.days, tuple(sorted({*self.extra_days, *days})))


@dataclass
class ModelInputs:
    """Everything the builder needs, precomputed as arrays."""

    plan: Plan
    resolution: Resolution
    profiles: xr.Dataset
    """Profiles on (period, hour), with ``weight`` and ``day_period``."""
    years: list[int]
    span: dict[int, int]
    """Calendar years each investment year stands for."""
    annual_discount: dict[int, float]
    """Σ over the span of 1/(1+r)^(t − base): multiplies a yearly cost."""
    once_discount: dict[int, float]
    """1/(1+r)^(y − base): multiplies a one-off cost in year y."""
    horizon_end: int
    """First year after the horizon (salvage is valued then)."""
    step_weight: np.ndarray
    """Days each time step stands for (= weight of its period) [day]."""
    n_steps: int
    spans: Spans
    """The economic conventions (span means, cohort weights):
    :mod:`optimiser.formulate.economics`."""
    factors: SiteFactors
    """Emission factors and prices, computed once for the plan (:mod:`plant.factors`): every
    row, the ledger and the counterfactual read them from here."""
    sofc: dict[str, Any] = field(default_factory=dict)
    """The digital twin's figures for each SOFC
    (:class:`optimiser.formulate.sofc_twin.SofcUnit`)."""
    _demand: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)
    fixed: dict[str, float] | None = None
    """Investment decisions to hold (a dispatch-only model, optimiser/verify/hourly.py): the
    value of every capacity variable by its name
    (:attr:`optimiser.formulate.context.Context.investments`)."""
    linked: dict[str, float] | None = None
    """Capacities a decomposition's master problem has chosen (a year's subproblem,
    :mod:`optimiser.decompose`): the value of every linking variable by its name
    (:attr:`optimiser.formulate.context.Context.linking`). They become columns held at these values
    by their bounds, so that their duals are the cut's slopes; capacity-only rows (build
    limits, storage durations, saving limits, capacity pins) stay in the master."""

    @property
    def dispatch(self) -> bool:
        """The model has time steps (a decomposition's master has none: capacity only)."""
        return self.n_steps > 0

    def capacity_only(self) -> ModelInputs:
        """These inputs without time steps: a decomposition's master (investment, capacity
        rows and capacity costs only). Step weights and profiles stay, so annual sums that
        capacity rows read (an efficiency measure's saving limit) are those of the time grid."""
        out = copy.copy(self)
        out.n_steps = 0
        return out

    def for_plan(self, plan: Plan) -> ModelInputs:
        """These inputs for ``plan`` (same time grid, profiles and SOFC fits): for a plan that
        differs only in what the builder reads from the plan itself (prices, build years)."""
        out = copy.copy(self)
        out.set_plan(plan)
        return out

    def set_plan(self, plan: Plan) -> None:
        """Make these inputs (in place) those of ``plan``, which differs only in what the
        builder reads from the plan itself: its factors and prices are computed anew. A plan
        with other finance (years, discount rate, base year) needs new inputs."""
        if plan.finance != self.plan.finance:
            raise ValueError("the plan's finance differs from these inputs' (years, discount "
                             "rate or base year): make new inputs")
        self.plan = plan
        self.factors = plan_factors(plan, self.years, self.profiles)

    @property
    def chronological(self) -> bool:
        """The time steps are the year's 8760 hours in calendar order (all weights 1)."""
        order = self.profiles["day_period"].values
        return self.n_steps == 365 * HOURS and bool((order == np.arange(365)).all())

    def demand(self, carrier: str, year: int) -> np.ndarray:
        """Hourly demand of ``carrier`` in ``year`` on the time grid [MW] (computed once: a
        re-solve for other prices asks again for the same)."""
        key = (carrier, year)
        if key not in self._demand:
            self._demand[key] = self._demand_of(carrier, year)
        return self._demand[key]

    def _demand_of(self, carrier: str, year: int) -> np.ndarray:
        comp = self.profiles["demand"].sel(carrier=carrier)
        ratio = production_ratio(self.plan, year)
        # D(y, t) = r(y)·D_production(t) + Σ of every other component (heating, cooling,
        # constant, whichever the profiles hold): only production scales with vehicles
        scale = xr.where(comp["component"] == "production", ratio, 1.0)
        return (comp * scale).sum("component").values.reshape(-1)

    def series(self, name: str, **sel: str) -> np.ndarray:
        """A profile variable flattened over (period, hour)."""
        return self.profiles[name].sel(sel).values.reshape(-1)

    def capacity_factor(self, tech: str) -> np.ndarray:
        """Capacity factor of a solar or wind technology on the time grid, without negligible
        hours (:func:`without_negligible_hours`)."""
        return without_negligible_hours(self.series("capacity_factor", tech=tech),
                                        self.step_weight)

    def month_weights(self) -> np.ndarray:
        """(12, n_steps): days of each calendar month (January first) that each time step
        stands for, from ``day_period`` in the profile year's calendar (365 days)."""
        return month_weights(self.profiles["day_period"].values,
                             int(self.profiles.attrs["profile_year"]))

    def price(self, trajectory: Trajectory, year: int) -> float:
        """A price or other money rate for modelled year ``year``: its discount-weighted mean
        over the span the year stands for (:meth:`Spans.mean`)."""
        return self.spans.mean(trajectory, year)

    def annual(self, values: np.ndarray) -> float:
        """Σ_t w_t x_t of an hourly series [MWh for MW]."""
        return float(np.dot(self.step_weight, values))


def profile_days(profile_year: int) -> pd.DatetimeIndex:
    """The 365 days of the profile year, as the hourly profiles have them (no 29 February)."""
    return hourly_index(profile_year)[::HOURS]


def month_weights(day_period: np.ndarray, profile_year: int) -> np.ndarray:
    """(12, n_periods × 24): days of each month each step stands for; the rows add up to the
    step weights."""
    months = profile_days(profile_year).month.to_numpy()
    n_periods = int(np.max(day_period)) + 1
    per_period = np.zeros((12, n_periods))
    np.add.at(per_period, (months - 1, np.asarray(day_period, dtype=int)), 1.0)
    return np.repeat(per_period, HOURS, axis=1)


#: Capacity factors below this [MW/MW] are set to zero (an output of 100 W per MW of rating,
#: at dawn and dusk): they would put coefficients of ~1e-6 in the matrix, 1e8 below its
#: largest, and carry no energy that matters (issue 12, docs/optimiser.md "Numerics").
NEGLIGIBLE_CAPACITY_FACTOR = 1e-4


def without_negligible_hours(cf: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``cf`` with values below :data:`NEGLIGIBLE_CAPACITY_FACTOR` set to 0 and the others
    scaled by one factor so that the weighted annual yield is kept, never above 1:

        cf'_t = 0 if cf_t < ε, else min(1, cf_t · Σ_s w_s cf_s / Σ_{s: cf_s ≥ ε} w_s cf_s)

    The yield is kept exactly unless hours at full output are capped (then a few parts per
    million of it are lost: the factor is 1 + ~2e-6 on the reference plans).
    """
    kept = np.where(cf >= NEGLIGIBLE_CAPACITY_FACTOR, cf, 0.0)
    total, left = float(np.dot(weight, cf)), float(np.dot(weight, kept))
    return np.minimum(kept * (total / left), 1.0) if left > 0 else kept


def renewables_mw(plan: Plan, techs: list[str]) -> dict[str, float]:
    """The most capacity of each on-site renewable in ``techs`` the plan may have [MW]: the
    larger of its build limit (:meth:`plant.schema.OnSiteRenewable.build_limit`, the one the
    model enforces) and its existing capacity (existing capacity alone if it has no limit),
    plus the plants of private-wire PPAs that follow its profile (for the residual-load day,
    :func:`plant.profiles.aggregate`)."""
    out = {}
    for name in techs:
        tech = plan.technologies.get(name)
        if not isinstance(tech, OnSiteRenewable):
            continue
        existing = sum(a.capacity_mw for a in plan.existing_assets.values()
                       if a.technology == name)
        limit, _ = tech.build_limit()
        out[name] = max(float(limit), existing) if limit is not None else existing
        out[name] += sum(p.capacity_mw for p in plan.ppas.values()
                         if p.technology == name and p.kind == "private_wire")
    return out


def make_inputs(plan: Plan, hourly_profiles: xr.Dataset, resolution: Resolution) -> ModelInputs:
    """Aggregate profiles to the resolution and precompute discounting. Unless the plan says
    otherwise (``profiles.aggregation.stress_days``), each carrier's peak-demand day and the
    highest residual-electricity day are periods of their own, as are the resolution's
    ``extra_days`` (more periods than the resolution says; :func:`plant.profiles.aggregate`,
    docs/optimiser.md "Adequacy")."""
    renewables = (renewables_mw(plan, [str(t) for t in hourly_profiles["tech"].values])
                  if "capacity_factor" in hourly_profiles else {})
    settings = plan.profiles.aggregation
    agg = aggregate(hourly_profiles, resolution.days,
                    stress_carriers=tuple(plan.carriers()) if settings.stress_days else (),
                    renewables_mw=renewables, stress_days=resolution.extra_days,
                    renewable_weight=settings.renewable_weight,
                    representation=settings.representation)
    if resolution.kind == "hourly":
        agg["day_period"] = xr.DataArray(np.arange(365), dims="day")
    spans = plan_spans(plan)
    weight = np.repeat(agg["weight"].values, HOURS)
    return ModelInputs(plan=plan, resolution=resolution, profiles=agg, years=list(spans.years),
                       span=spans.span, annual_discount=spans.annual, once_discount=spans.once,
                       horizon_end=spans.horizon_end, step_weight=weight,
                       n_steps=len(weight), spans=spans,
                       factors=plan_factors(plan, list(spans.years), agg))


def plan_factors(plan: Plan, years: list[int], profiles: xr.Dataset) -> SiteFactors:
    """:func:`plant.factors.site_factors` of ``plan`` with this module's conventions: prices
    as span means (:meth:`Spans.mean`), the location factor's shape on the time grid."""
    shape = (profiles["grid_carbon_shape"].values.reshape(-1)
             if "grid_carbon_shape" in profiles else None)
    return site_factors(plan, years, plan_spans(plan).mean, shape)


def plan_spans(plan: Plan) -> Spans:
    """The modelled years of ``plan`` with its discount rate and base year."""
    return Spans(tuple(plan.years()), plan.finance.discount_rate, plan.finance.base_year)
