"""Business as usual: the counterpart plan and the extra cost per tonne avoided (docs/plans.md,
"Business as usual"), pinned by hand-computable cases."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from optimiser.post.statistics import versus_bau
from plant.bau import business_as_usual
from plant.loader import read_plan
from plant.schema import EfficiencyMeasure

from ..conftest import SITES


def _results(years: list[int], net: list[float], bau: list[float], delta: list[float],
             npc: float, npc_bau: float, baseline: float) -> xr.Dataset:
    """The few variables versus_bau reads: emissions (scope 1 only), δ_y, the baseline."""
    cats = ["scope1", "scope2_market", "credits"]
    em = np.zeros((3, len(years)))
    em[0] = net
    bau_em = np.zeros((3, len(years)))
    bau_em[0] = bau
    ds = xr.Dataset(
        {"emissions": (("category", "year"), em), "bau_emissions": (("category", "year"), bau_em),
         "discount_factor": ("year", np.array(delta)),
         "baseline_emissions": ("baseline_category", np.array([baseline, 0.0]))},
        coords={"category": cats, "year": years,
                "baseline_category": ["scope1", "scope2_market"]})
    ds.attrs.update(objective=npc, bau_objective=npc_bau, bau_status="optimal")
    return ds


def test_cost_per_tonne_avoided_by_hand() -> None:
    """110 m against 100 m, 1,000 t a year avoided over one modelled year standing for ten
    calendar years at 5 % from the base year: δ = Σ_{k=0..9} 1.05^-k = 8.1078, so 8,107.8 t
    discounted and 10 m / 8,107.8 t = 1,233.4 per tonne; cut against a 5,000 t baseline with
    3,000 t left: 40 %."""
    delta = sum(1.05 ** -k for k in range(10))
    assert delta == pytest.approx(8.1078, abs=1e-4)
    out = versus_bau(_results([2030], [3000.0], [4000.0], [delta], 110e6, 100e6, 5000.0))
    assert out is not None
    assert out["extra_net_present_cost"] == pytest.approx(10e6)
    assert out["abated_t_present_value"] == pytest.approx(1000.0 * delta)
    assert out["cost_per_t_abated"] == pytest.approx(1233.38, abs=0.01)
    assert out["reduction_vs_baseline"]["2030"] == pytest.approx(0.4)
    assert out["bau_reduction_vs_baseline"]["2030"] == pytest.approx(0.2)


def test_a_roadmap_that_saves_money_has_a_negative_cost_per_tonne() -> None:
    out = versus_bau(_results([2030, 2040], [3000.0, 0.0], [4000.0, 4000.0], [4.0, 3.0],
                              90e6, 100e6, 5000.0))
    assert out is not None
    assert out["abated_t_present_value"] == pytest.approx(1000 * 4 + 4000 * 3)
    assert out["cost_per_t_abated"] == pytest.approx(-10e6 / 16000)


def test_nothing_avoided_gives_no_cost_per_tonne() -> None:
    out = versus_bau(_results([2030], [4000.0], [4000.0], [1.0], 100e6, 100e6, 5000.0))
    assert out is not None and out["cost_per_t_abated"] is None


def test_business_as_usual_plan_of_sunderland() -> None:
    """No targets, no pins; a technology without existing assets cannot be built; one with
    existing assets only up to their capacity (like-for-like); the 6.6 MW of V47s, no longer
    sold, are repowered with onshore wind (their ``replaced_by``) from 2030, when they retire
    (built 2005, 25 years); efficiency saves nothing; prices and demand unchanged."""
    plan = read_plan(SITES / "sunderland.yaml").plan
    bau = business_as_usual(plan)
    assert bau.targets == [] and bau.pins == []
    assert bau.grid == plan.grid and bau.fuels == plan.fuels and bau.demand == plan.demand
    assert bau.scenario.name == "business as usual"
    for name, tech in bau.technologies.items():
        existing = sum(a.capacity_mw for a in plan.existing_assets.values()
                       if a.technology == name)
        if name == "wind_onshore":  # repowers the V47s (replaced_by) when they retire
            assert tech.max_capacity_mw == pytest.approx(6.6) and tech.first_year == 2030
            continue
        assert tech.max_capacity_mw == pytest.approx(existing) or (
            tech.max_capacity_mw == 0.0 and plan.technologies[name].max_capacity_mw == 0.0)
        if isinstance(tech, EfficiencyMeasure):
            assert tech.max_saving_fraction == 0.0
    assert any(a for a in plan.existing_assets.values()), "the test needs existing assets"


def test_replaced_by_must_name_a_technology_of_the_same_kind() -> None:
    from plant.checks import CHECKS

    plan = read_plan(SITES / "sunderland.yaml").plan
    techs = dict(plan.technologies)
    techs["wind_existing_v47"] = techs["wind_existing_v47"].model_copy(
        update={"replaced_by": "solar_pv_ground"})
    bad = plan.model_copy(update={"technologies": techs})
    issues = [msg for check in CHECKS for path, msg in check(bad)
              if path[-1] == "replaced_by"]
    assert issues and "same kind" in issues[0]
