"""Annual energy figures of a plan: demand by carrier and year, existing on-site supply."""

from __future__ import annotations

from plant.schema import Plan
from plant.schema.demand import DemandShares


def demand_spec(plan: Plan, carrier: str) -> DemandShares:
    """The demand entry of ``carrier`` (electricity or a heat class)."""
    if carrier == "electricity":
        return plan.demand.electricity
    return plan.demand.heat[carrier]


def production_ratio(plan: Plan, year: int) -> float:
    """Vehicles built in ``year`` relative to the demand reference year."""
    ref = plan.production.vehicles_per_year.at(plan.demand.reference_year)
    return plan.production.vehicles_per_year.at(year) / ref if ref > 0 else 0.0


def annual_demand_mwh(plan: Plan, carrier: str, year: int) -> float:
    """Demand of ``carrier`` in ``year`` before efficiency measures [MWh].

    E(y) = E_ref · (s_prod · V(y)/V_ref + s_weather + s_cool + s_const): the
    production-following share scales with vehicles built, the rest does not.
    """
    spec = demand_spec(plan, carrier)
    annual = spec.annual_mwh  # type: ignore[attr-defined]
    return annual * (spec.production_share * production_ratio(plan, year)
                     + spec.weather_share + spec.cooling_share + spec.constant_share)
