"""Emissions accounting (GHG Protocol) for the baseline year and target limits.

Scope 1: fossil CO2e from fuels burned on site. Scope 2 location-based: grid electricity ×
average grid factor; market-based: grid electricity not covered by certificates × residual
mix factor. Biogenic combustion CO2 is reported outside the scopes; upstream (well-to-tank)
fuel emissions are reported as scope 3. Units: MWh and t CO2e.
"""

from __future__ import annotations

from dataclasses import dataclass

from plant.schema import Plan, Target


@dataclass(frozen=True)
class Emissions:
    """Emissions of one year by category [t CO2e]."""

    scope1: float
    scope2_location: float
    scope2_market: float
    biogenic: float
    upstream: float

    def total(self, scopes: list[str]) -> float:
        """Sum over the named scopes."""
        return sum(getattr(self, s) for s in scopes)


def baseline_emissions(plan: Plan) -> Emissions:
    """Baseline-year emissions: reported values where given, else computed from energy use."""
    base = plan.baseline
    year = base.year
    scope1 = biogenic = upstream = 0.0
    for name, mwh in base.fuels_mwh.items():
        fuel = plan.fuels[name]
        scope1 += mwh * fuel.combustion_fossil_t_per_mwh.at(year)
        biogenic += mwh * fuel.combustion_biogenic_t_per_mwh.at(year)
        upstream += mwh * fuel.upstream_t_per_mwh.at(year)
    grid_mwh = max(base.electricity_mwh - base.onsite_renewable_mwh, 0.0)
    loc = grid_mwh * plan.grid.carbon_intensity_t_per_mwh.at(year)
    residual = plan.grid.residual_mix_t_per_mwh or plan.grid.carbon_intensity_t_per_mwh
    market = grid_mwh * residual.at(year)
    stated = base.emissions_t
    return Emissions(
        scope1=stated.scope1 if stated.scope1 is not None else scope1,
        scope2_location=stated.scope2_location if stated.scope2_location is not None else loc,
        scope2_market=stated.scope2_market if stated.scope2_market is not None else market,
        biogenic=biogenic,
        upstream=upstream,
    )


def target_limit_t(plan: Plan, target: Target, year: int | None = None) -> float:
    """Emission limit of ``target`` in ``year`` (default: the target year) [t CO2e].

    Absolute: (1 − r) · E_base. Per vehicle: (1 − r) · E_base / V_base · V(year), i.e. the
    per-vehicle limit times the vehicles built that year.
    """
    year = target.year if year is None else year
    base = baseline_emissions(plan).total(list(target.scopes))
    limit = (1.0 - target.reduction) * base
    if target.basis == "per_vehicle":
        limit *= plan.production.vehicles_per_year.at(year) / plan.baseline.vehicles
    return limit


def target_intensity_limit(plan: Plan, target: Target) -> float | None:
    """Per-vehicle limit [t CO2e/vehicle] for per-vehicle targets, else None."""
    if target.basis != "per_vehicle":
        return None
    base = baseline_emissions(plan).total(list(target.scopes)) / plan.baseline.vehicles
    return (1.0 - target.reduction) * base
