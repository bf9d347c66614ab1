"""Unserved energy in the hourly verification is priced at the value of lost load (issue 27,
part 3; docs/optimiser.md, "Hourly verification").

The case (:func:`helpers.retiring_heater_plan`): the planning run counts 1 MW of old
electric heaters retiring in 2027 at their share of 2025's span (2/5) and builds 0.6 MW; the
verification holds the fleet of 2029 (0.6 MW) and leaves 0.4 MW × 8760 h = 3504 MWh of
``heat_low`` unserved in 2025. The grid is at 100 GBP/MWh, so the default value of lost load
is 100 × 100 = 10,000 GBP/MWh (:data:`optimiser.formulate.components.markets.VOLL_PRICE_MULTIPLE`).
"""

from __future__ import annotations

import pytest

from optimiser import run_plan
from optimiser.formulate.components.markets import VOLL_PRICE_MULTIPLE, value_of_lost_load
from optimiser.post.gaps import verification_gaps
from optimiser.verify.hourly import lp_unserved_penalty, verify
from plant.loader import read_plan

from .helpers import retiring_heater_plan, write_plan

UNSERVED_MWH = 0.4 * 8760  # 3504 MWh of heat in 2025
GRID = 100.0  # GBP/MWh


def _verified(folder, **demand):
    loaded = read_plan(write_plan(folder, retiring_heater_plan(**demand)))
    run = run_plan(loaded, "repdays:2")
    verified = verify(loaded, run.decisions, run.results, jobs=1)
    ds = run.results.merge(verified)
    ds.attrs.update(run.results.attrs | verified.attrs)
    return loaded, run, ds


@pytest.mark.parametrize(("demand", "voll"), [
    ({}, VOLL_PRICE_MULTIPLE * GRID),
    ({"value_of_lost_load_per_mwh": 2000.0}, 2000.0),
])
def test_unserved_energy_is_priced_at_the_value_of_lost_load(tmp_path, demand, voll):
    """Verified 2025: 3504 MWh of heat unserved, costing 3504 × VOLL (35,040,000 GBP at the
    default 10,000 GBP/MWh; 7,008,000 at a plan's 2,000); the grid serves 3504 MWh less heat,
    saving 3504 × 100 = 350,400 GBP. Undiscounted, δ_2025 = 5 years, so the verified net present
    cost is the estimate + 5 × 3504 × (VOLL − 100): + 173,448,000 GBP at the default,
    + 33,288,000 at 2,000. 2030 is served: its costs are the estimate's."""
    loaded, run, ds = _verified(tmp_path, **demand)
    assert value_of_lost_load(loaded.plan) == voll
    gaps = verification_gaps(ds)
    year = gaps["by_year"]["2025"]
    assert year["unserved_by_carrier"] == {"heat_low": pytest.approx(UNSERVED_MWH, rel=1e-9)}
    assert year["unserved_cost"] == pytest.approx(UNSERVED_MWH * voll, rel=1e-9)
    assert float(ds["verified_cost"].sel(year=2025, cost_category="unserved")) == \
        pytest.approx(UNSERVED_MWH * voll, rel=1e-9)
    assert float(ds["discount_factor"].sel(year=2025)) == pytest.approx(5.0, rel=1e-12)
    estimate = float(run.results.attrs["objective"])
    assert gaps["net_present_cost"] == pytest.approx(
        estimate + 5 * UNSERVED_MWH * (voll - GRID), rel=1e-9)
    assert ds.attrs["verified_objective"] == gaps["net_present_cost"]
    assert gaps["value_of_lost_load"] == voll
    assert gaps["by_year"]["2030"]["unserved_mwh"] == pytest.approx(0.0, abs=1e-6)
    assert gaps["status"] == "demand_not_met"


def test_load_comes_first_in_the_verification_lp(tmp_path):
    """Without ``unserved_cost_per_mwh`` the verification LP charges more than anything
    shedding a MWh could save (so it sheds only what no dispatch serves), and the verified cost
    prices what it sheds at the value of lost load; a plan that prices unserved energy trades
    at its value of lost load (``unserved_cost_per_mwh`` by default)."""
    loaded = read_plan(write_plan(tmp_path, retiring_heater_plan()))
    assert lp_unserved_penalty(loaded.plan) >= 1000.0 * GRID > value_of_lost_load(loaded.plan)
    priced = read_plan(write_plan(tmp_path, retiring_heater_plan(unserved_cost_per_mwh=3000.0),
                                  name="priced.yaml"))
    assert value_of_lost_load(priced.plan) == 3000.0
    assert lp_unserved_penalty(priced.plan) == 3000.0
