"""Regression tests for optimiser defects found while writing the hand cases.

Each test states the correct result worked out by hand: a battery's power limit does not cap
its energy, the grid cannot import and export in the same hour, and an unbounded LP is
reported as such (not as a time-limited plan).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from optimiser.solve.highs import HighsSolver

from .helpers import annual, run

REL = 1e-6
YEAR = 2025
TWO_PRICE_DAY = {"time_of_use": [{"name": "peak", "hours": [12, 24], "multiplier": 3}]}
"""Import prices 50 GBP/MWh for 00-12 and 150 for 12-24 (mean 100, from data/base.yaml)."""


def test_battery_power_limit_does_not_cap_energy(tmp_path):
    """``max_capacity_mw`` limits a battery's power, not its energy.

    The arbitrage day of test_hand_cases (prices 50/150, RTE 0.81, 100 GBP/kWh, life 10) with
    power at 1 GBP/kW and a power limit of 5 MW. Energy is still pinned by the peak load:
    E = 12 / 0.9 = 13.333 MWh; power is then the least that the 8 h maximum duration allows,
    P = E / 8 = 1.667 MW (charging needs only 14.815 / 12 = 1.235 MW, discharging 1 MW), well
    under 5 MW. NPC = 653,820.624 + 1.667 MW × 1000 GBP/MW / ä(10) = 654,026.19, with
ä(10) = (1 − 1.05^-10)/(1 − 1.05^-1) the annuity-due factor (capex net of salvage).
    """
    battery = {"kind": "battery", "capex_per_kwh": 100, "capex_per_kw": 1,
               "round_trip_efficiency": 0.81, "lifetime_years": 10, "max_capacity_mw": 5}
    result = run(tmp_path, {"technologies": {"battery": battery}, "grid": TWO_PRICE_DAY})
    ds = result.results
    assert result.outcome.status == "optimal"
    energy = 12 / 0.9
    power = energy / 8
    expected = (365 * 50 * (12 + 12 / 0.81)
                + (energy * 100 + power * 1) * 1000 / ((1 - 1.05 ** -10) / (1 - 1 / 1.05)))
    assert float(ds["energy_capacity"].sel(tech="battery", year=YEAR)) == pytest.approx(
        energy, rel=REL)
    assert float(ds["capacity"].sel(tech="battery", year=YEAR)) == pytest.approx(power, rel=REL)
    assert result.outcome.objective == pytest.approx(expected, rel=REL)


def test_no_export_of_imported_power(tmp_path):
    """A site with no generation exports nothing and pays for its load.

    Prices 50 (00-12) and 150 (12-24), export allowed at 60 GBP/MWh, connection 10 MW, no
    technology. The site can only buy its 1 MW: NPC = 365 × (12 × 50 + 12 × 150) = 876,000,
    scope 2 = 8760 × 0.2 = 1752 t, export 0. (The defect gives 481,800: 10 MW imported and
    9 MW exported in every off-peak hour, and 9636 t of scope 2.)
    """
    grid = {**TWO_PRICE_DAY, "export_allowed": True, "export_price_per_mwh": 60,
            "connection_limit_mw": 10}
    result = run(tmp_path, {"grid": grid})
    ds = result.results
    assert result.outcome.status == "optimal"
    np.testing.assert_allclose(ds["grid_export"].values, 0.0, atol=1e-6)
    assert result.outcome.objective == pytest.approx(876_000.0, rel=REL)
    assert float(annual(ds, ds["grid_import"]).sum()) == pytest.approx(8760.0, rel=REL)
    assert float(ds["emissions"].sel(category="scope2_location", year=YEAR)) == pytest.approx(
        1752.0, rel=REL)


def test_unbounded_model_is_not_reported_as_a_plan():
    """min −x subject to x + y ≥ 1, x, y ≥ 0 is unbounded: no plan must be reported.

    The solver adapter alone, on a two-variable LP: ``feasible`` must be false and the status
    neither ``optimal`` nor ``time_limit``.
    """
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.y = pyo.Var(domain=pyo.NonNegativeReals)
    m.cover = pyo.Constraint(expr=m.x + m.y >= 1)
    m.objective = pyo.Objective(expr=-m.x, sense=pyo.minimize)
    outcome = HighsSolver().solve(m)
    assert outcome.status not in ("optimal", "time_limit")
    assert not outcome.feasible


def test_bounded_model_is_optimal():
    """Control for the test above: min x + 2y subject to x + y ≥ 1 is optimal at x = 1."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals)
    m.y = pyo.Var(domain=pyo.NonNegativeReals)
    m.cover = pyo.Constraint(expr=m.x + m.y >= 1)
    m.objective = pyo.Objective(expr=m.x + 2 * m.y, sense=pyo.minimize)
    outcome = HighsSolver().solve(m)
    assert outcome.status == "optimal"
    assert outcome.objective == pytest.approx(1.0, rel=REL)
    assert pyo.value(m.x) == pytest.approx(1.0, rel=REL)
