"""Baseline emissions and target limits, checked against hand calculations."""

from __future__ import annotations

import pytest

from plant.accounting import target_intensity_limit, target_limit_t
from plant.factors import baseline_emissions
from plant.loader import LoadedPlan


def test_sunderland_baseline_by_hand(sunderland: LoadedPlan) -> None:
    e = baseline_emissions(sunderland.plan)
    # scope 1: 221,127 MWh gas (GCV) x 0.18396 t/MWh (BEIS 2018)
    assert e.scope1 == pytest.approx(221127 * 0.18396)
    # scope 2: (177,000 - 12,600) MWh from the grid x 0.28307 t/MWh (BEIS 2018)
    assert e.scope2_location == pytest.approx((177000 - 12600) * 0.28307)
    # market-based: the same grid power x the GB residual mix, 0.377 t/MWh held before 2020
    assert e.scope2_market == pytest.approx((177000 - 12600) * 0.377)
    assert e.upstream == pytest.approx(221127 * 0.03)


def test_sunderland_intensity_is_plausible(sunderland: LoadedPlan) -> None:
    # SD 1.3 gives 0.45-0.55 t/vehicle for the whole group (E); a UK assembly plant on a
    # cleaner grid must sit below that, and above the 2030 target ~0.1 t/vehicle.
    e = baseline_emissions(sunderland.plan)
    per_vehicle = (e.scope1 + e.scope2_market) / sunderland.plan.baseline.vehicles
    assert 0.15 < per_vehicle < 0.45


def test_absolute_and_per_vehicle_limits(sunderland: LoadedPlan) -> None:
    plan = sunderland.plan
    base = baseline_emissions(plan)
    absolute, per_vehicle, net_zero = plan.targets
    assert target_limit_t(plan, absolute) == pytest.approx(0.5 * (base.scope1 + base.scope2_market))
    intensity = target_intensity_limit(plan, per_vehicle)
    assert intensity == pytest.approx(0.48 * (base.scope1 + base.scope2_market) / 442254)
    assert target_limit_t(plan, per_vehicle) == pytest.approx(intensity * 273087)  # 2030 output
    assert target_limit_t(plan, net_zero) == 0.0
