"""Batteries over their life: ageing and augmentation, second-life packs, embodied emissions,
and workplace EVs (docs/storage.md, docs/accounting.md "Embodied emissions",
docs/workplace-ev.md). Hand cases on ``data/base.yaml`` (flat 1 MW demand, grid at a mean
100 GBP/MWh and 0.2 t/MWh, discount rate 5 %); the arithmetic is in each docstring.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyomo.environ import value

from optimiser.decompose.run import run_decomposed
from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model
from optimiser.run.pipeline import prepare_inputs, run_plan, solve_built
from optimiser.solve.highs import HighsSolver
from plant.errors import PlanError
from plant.loader import read_plan
from plant.profiles.workplace_ev import unmanaged_kw_per_car
from plant.schema import Battery, WorkplaceEVFleet

from .helpers import run, write_plan

REL = 1e-6
#: Prices 9.524 (00-12) and 190.48 (12-24): relative 1 and 20, mean 10.5 → 2/21 and 40/21.
STEEP_DAY = {"time_of_use": [{"name": "peak", "hours": [12, 24], "multiplier": 20}]}
P_OFF, P_PEAK = 100 * 2 / 21, 100 * 40 / 21
E_STAR = 12 / 0.9
"""Usable energy that covers the 12 peak hours of 1 MW at 0.9 discharge efficiency [MWh]."""


def adue(years: int, rate: float = 0.05) -> float:
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)


def battery(**extra: object) -> dict:
    return {"kind": "battery", "capex_per_kwh": 50, "round_trip_efficiency": 0.81,
            "lifetime_years": 2, **extra}


def test_end_of_life_share_sets_the_service_life() -> None:
    """A second-life pack at 75 % retiring at 60 % with 2 %/yr calendar fade serves
    n = ⌊ln(0.6/0.75)/ln(0.98)⌋ + 1 = ⌊11.045⌋ + 1 = 12 years (fewer than its 15)."""
    pack = Battery(kind="battery", round_trip_efficiency=0.85, lifetime_years=15,
                   calendar_fade_per_year=0.02, state_of_health_at_start=0.75,
                   end_of_life_share=0.6)
    assert math.floor(math.log(0.6 / 0.75) / math.log(0.98)) + 1 == 12
    assert pack.service_life_years == 12
    assert pack.model_copy(update={"lifetime_years": 10}).service_life_years == 10
    with pytest.raises(ValueError, match="must be below state_of_health_at_start"):
        Battery(kind="battery", round_trip_efficiency=0.85, lifetime_years=15,
                calendar_fade_per_year=0.02, state_of_health_at_start=0.6,
                end_of_life_share=0.7)


def test_augmentation_beats_a_bigger_battery(tmp_path) -> None:
    """Calendar fade f = 10 %/yr, investment years 2025 and 2026 (spans of one year, horizon
    end 2027), life 2, energy at 50 GBP/kWh, power free, prices 9.52 / 190.48 GBP/MWh.

    Covering the peak needs E* = 12/0.9 MWh usable in both years (a MWh of it earns
    0.9 × 365 × (190.48 − 9.52/0.81) = 58,710 GBP a year, far above its cost). The 2025
    cohort holds E* in 2025 and (1 − f)·E* in 2026, so 2026 lacks f·E*. Two ways to hold it:
      bigger at the start: f·E*/(1 − f) more in 2025, 55,556 GBP per MWh missing in 2026;
      augmentation: f·E* built in 2026, 50,000 × (1 − ä(1)/ä(2)/1.05)/1.05 = 24,390 GBP per
        MWh (discounted to 2025, net of the salvage of its unused second year).
    The plan augments: B_E(2025) = E*, B_E(2026) = f·E*. NPC = grid + capex:
      grid   365 × 9.524 × (12 + 12/0.81) × (1 + 1/1.05)
      capex  E*·50,000 + f·E*·50,000·(1 − ä(1)/ä(2)/1.05)/1.05
    The bigger battery costs (E*/(1 − f) − E*)·50,000 more than E*·50,000, against the
    augmentation's f·E*·24,390.
    """
    f = 0.1
    result = run(tmp_path, {"technologies": {"battery": battery(calendar_fade_per_year=f)},
                            "grid": STEEP_DAY, "finance": {"investment_years": [2025, 2026]}})
    ds = result.results
    assert result.outcome.status == "optimal"
    built = ds["build_energy"].sel(tech="battery")
    assert float(built.sel(year=2025)) == pytest.approx(E_STAR, rel=REL)
    assert float(built.sel(year=2026)) == pytest.approx(f * E_STAR, rel=REL)
    usable = ds["usable_energy"].sel(tech="battery")
    np.testing.assert_allclose(usable.values, E_STAR, rtol=REL)
    grid = 365 * P_OFF * (12 + 12 / 0.81) * (1 + 1 / 1.05)
    augment = f * E_STAR * 50_000 * (1 - adue(1) / adue(2) / 1.05) / 1.05
    expected = grid + E_STAR * 50_000 + augment
    assert result.outcome.objective == pytest.approx(expected, rel=REL)
    bigger = grid + E_STAR / (1 - f) * 50_000
    assert expected < bigger - 0.5 * (bigger - expected)  # and by a wide margin


def test_cycle_wear_is_bought_back_at_the_energy_price(tmp_path) -> None:
    """Cycle fade k = 1e-4 per equivalent full cycle: each MWh discharged wears k MWh, bought
    at 50 GBP/kWh: 365 × 12 MWh × 1e-4 × 50,000 = 21,900 GBP in the year ("augmentation");
    making it emits 365 × 12 × 1e-4 × 80 t/MWh = 35.04 t besides the pack's own E*·80."""
    pack = battery(cycle_fade_per_cycle=1e-4, embodied_t_co2e_per_mwh=80)
    result = run(tmp_path, {"technologies": {"battery": pack}, "grid": STEEP_DAY})
    ds = result.results
    assert float(ds["cost"].sel(cost_category="augmentation", year=2025)) == pytest.approx(
        365 * 12 * 1e-4 * 50_000, rel=REL)
    assert float(ds["emissions"].sel(category="scope3_embodied", year=2025)) == pytest.approx(
        E_STAR * 80 + 365 * 12 * 1e-4 * 80, rel=REL)


def _second_life_plan(embodied_in_target: bool) -> dict:
    """New pack 50 GBP/kWh, 80 t CO2e/MWh; second-life pack 60 GBP/kWh, 5.6 t/MWh (7 %);
    same efficiency 0.81 and life 10. Baseline scope 2 set to 3,000 t; target −30 % in 2025
    (limit 2,100 t) on scopes 1 + 2 market, and scope 3 embodied if asked."""
    new = battery(capex_per_kwh=50, lifetime_years=10, embodied_t_co2e_per_mwh=80)
    second = battery(capex_per_kwh=60, lifetime_years=10, embodied_t_co2e_per_mwh=5.6,
                     second_life=True)
    scopes = ["scope1", "scope2_market", *(["scope3_embodied"] if embodied_in_target else [])]
    return {"technologies": {"new": new, "second_life": second}, "grid": STEEP_DAY,
            "baseline": {"emissions_t": {"scope1": 0, "scope2_location": 3000,
                                         "scope2_market": 3000}},
            "targets": [{"name": "cut", "year": 2025, "reduction": 0.3, "scopes": scopes}],
            "acknowledge": ["W104", "W112"]}


@pytest.mark.parametrize("embodied_in_target", [False, True])
def test_embodied_emissions_in_the_target_choose_second_life(tmp_path,
                                                             embodied_in_target) -> None:
    """Both packs cover the peak (E* = 13.333 MWh); the site then imports
    365 × (12 + 12/0.81) = 9,787.4 MWh, 1,957.5 t at 0.2 t/MWh.

    Without embodied emissions in the target (limit 2,100 t not binding) the cheaper new pack
    is built: 13.333 MWh new, none second-life; 1,066.7 t embodied reported apart.
    With them the target leaves 2,100 − 1,957.5 = 142.5 t for what is built. Swapping a MWh
    from new to second-life frees 74.4 t for 10,000 GBP of capex; shrinking the battery frees
    at most 5.6 + 0.2 × 365 × (1/0.81 − 1) × 0.9 ≈ 21 t for ~58,700 GBP a year of arbitrage, so
    the plan swaps: x_new·80 + (E* − x_new)·5.6 = 142.5, x_new = (142.5 − 5.6·E*)/74.4 = 0.912.
    """
    result = run(tmp_path, _second_life_plan(embodied_in_target))
    ds = result.results
    assert result.outcome.status == "optimal"
    energy = ds["energy_capacity"].sel(year=2025)
    operating = 0.2 * 365 * (12 + 12 / 0.81)
    if embodied_in_target:
        x_new = (2100 - operating - 5.6 * E_STAR) / (80 - 5.6)
        assert float(energy.sel(tech="new")) == pytest.approx(x_new, rel=1e-5)
        assert float(energy.sel(tech="second_life")) == pytest.approx(E_STAR - x_new, rel=1e-5)
    else:
        assert float(energy.sel(tech="new")) == pytest.approx(E_STAR, rel=REL)
        assert float(energy.sel(tech="second_life")) == pytest.approx(0.0, abs=1e-6)
    embodied = float(ds["emissions"].sel(category="scope3_embodied", year=2025))
    assert embodied == pytest.approx(float(energy.sel(tech="new")) * 80
                                     + float(energy.sel(tech="second_life")) * 5.6, rel=REL)
    assert float(ds["tech_embodied"].sel(tech="new", year=2025)) == pytest.approx(
        float(energy.sel(tech="new")) * 80, rel=REL)
    assert float(ds["emissions"].sel(category="scope2_market", year=2025)) == pytest.approx(
        operating, rel=REL)


FLEET = {"cars_per_shift": [100, 50], "commute_km_per_day": 35, "min_soc": 0.3}
"""Two shifts (06-14, 14-22) of 100 and 50 cars, 35 km = 5 kWh a day each; V2B may take a
parked car down to 30 % (the second shift can charge (58.1 − 30) % of 62 kWh back in
18-22: 17.4 kWh, within 4 h × 6 kW × 0.9 = 21.6 kWh)."""


def test_unmanaged_charging_returns_the_commute() -> None:
    """5 kWh at 90 % is 5.556 kWh from the grid: 5.556 kW in the first hour at 6 kW."""
    fleet = WorkplaceEVFleet(**FLEET)
    draw = unmanaged_kw_per_car(fleet, 8)
    assert draw[0] == pytest.approx(5 / 0.9) and draw[1:].sum() == 0.0
    with pytest.raises(ValueError, match="more than its 6 kW charger gives in 1 h"):
        unmanaged_kw_per_car(fleet.model_copy(update={"commute_km_per_day": 70}), 1)


AFTERNOON_PEAK = {"time_of_use": [{"name": "peak", "hours": [12, 18], "multiplier": 20}]}
"""The second shift (14-22) arrives in the peak and leaves after it: V2B empties its cars
in 14-18 and charges them back in 18-22."""


def _v2b_model(tmp_path, **lever: object):
    v2b = {"kind": "ev_v2b", "capex_per_kw": 10, "lifetime_years": 10,
           "variable_om_per_mwh": 1, **lever}
    path = write_plan(tmp_path, {"technologies": {"v2b": v2b}, "grid": AFTERNOON_PEAK,
                                 "demand": {"workplace_evs": FLEET}})
    inputs = prepare_inputs(read_plan(path), Resolution.parse("repdays:2"))
    _, ctx = build_model(inputs)
    return solve_built(HighsSolver(), ctx), ctx


def test_v2b_never_leaves_a_car_below_its_commute_need(tmp_path) -> None:
    """Afternoon peak prices pay V2B to empty the cars to their floor; still every parked hour
    holds each enrolled car at or above 30 % of 62 kWh, and each leaves with its arrival
    50 % plus its 5 kWh commute (58.1 %). Per car: state ÷ (ρ · cars enrolled in the shift).
    The floor and the departure rows bind somewhere (the test could fail)."""
    result, ctx = _v2b_model(tmp_path)
    assert result.outcome.status == "optimal"
    fleet = WorkplaceEVFleet(**FLEET)
    block = ctx.m.tech_v2b
    enrolled = float(result.results["capacity"].sel(tech="v2b", year=2025))
    assert enrolled == pytest.approx(fleet.cars * fleet.charger_kw / 1000, rel=REL)
    per_car_soc: dict[tuple[int, int], list[float]] = {}
    for (y, k, p, i), var in block.soc.items():
        present = _present_power(block, y, k, p, i) / (fleet.charger_kw / 1000)
        per_car_soc.setdefault((k, p), []).append(var.value / present / fleet.pack_kwh * 1000)
    lowest = min(min(v) for v in per_car_soc.values())
    assert lowest >= fleet.floor_soc - 1e-7
    assert lowest == pytest.approx(fleet.floor_soc, abs=1e-6)  # the floor binds
    leaving = [v[-1] for v in per_car_soc.values()]
    assert min(leaving) >= fleet.departure_soc - 1e-7
    assert min(leaving) == pytest.approx(fleet.departure_soc, abs=1e-6)
    discharged = sum(v.value for v in block.discharge.values())
    assert discharged > 0


def _present_power(block, y: int, k: int, p: int, i: int) -> float:
    """ρ(p)·x_k(y) [MW], the charger power of the shift's enrolled cars present: the charge
    limit reads c − ρ·x_k ≤ 0, so it is c − body."""
    row = block.charge_limit[y, k, p, i]
    assert value(row.upper) == 0
    return value(block.charge[y, k, p, i]) - value(row.body)


def test_workplace_ev_lever_without_a_fleet_is_a_plan_error(tmp_path) -> None:
    path = write_plan(tmp_path, {"technologies": {"v2b": {
        "kind": "ev_v2b", "capex_per_kw": 10, "lifetime_years": 10}}})
    with pytest.raises(PlanError, match="needs the employees' cars"):
        read_plan(path)


def test_the_levers_together_never_enrol_more_than_the_fleet(tmp_path) -> None:
    """Smart charging (life 6, cheap) and V2B (from 2030, life 10, at most 0.5 MW) over
    2025, 2030 and 2035. Whatever chargers the plan buys (a cohort may overlap the one it
    replaces), the cars enrolled by both together never exceed the fleet's 150 (0.9 MW), in
    every modelled year; each lever enrols at most its chargers alive in every calendar year
    of the span; the V2B chargers are used (the case exercises both levers). Once, the limit
    was on chargers alive in each calendar year (the overlap then kept the fleet from being
    re-enrolled), then on span means (cars counted enrolled after their chargers retired)."""
    smart = {"kind": "ev_smart_charging", "capex_per_kw": 1, "lifetime_years": 6}
    v2b = {"kind": "ev_v2b", "capex_per_kw": 10, "lifetime_years": 10,
           "variable_om_per_mwh": 1, "first_year": 2030, "max_capacity_mw": 0.5}
    result = run(tmp_path, {"technologies": {"smart": smart, "v2b": v2b},
                            "grid": AFTERNOON_PEAK, "demand": {"workplace_evs": FLEET},
                            "finance": {"investment_years": [2025, 2030, 2035]}})
    assert result.outcome.status == "optimal"
    cars = result.results["ev_cars"]
    np.testing.assert_array_less(cars.sum("ev_lever").values, 150 + 1e-6)
    assert float(cars.sel(ev_lever="v2b", year=2030)) > 0
    np.testing.assert_allclose(cars.sum("ev_lever").values, 150, rtol=1e-6)  # all enrolled
    built, spans = result.results["build"], result.results["span"]
    lives = {"smart": 6, "v2b": 10}
    for lever, life in lives.items():  # each lever: at most its chargers alive, every year
        for y, n in zip((2025, 2030, 2035), spans.values, strict=True):
            fewest = min(sum(float(built.sel(tech=lever, year=b)) for b in (2025, 2030, 2035)
                             if b <= tau < b + life) for tau in range(y, y + int(n)))
            assert float(cars.sel(ev_lever=lever, year=y)) * 6 / 1000 <= fewest + 1e-7


def test_decomposed_engine_holds_embodied_emissions_like_the_whole_lp(tmp_path) -> None:
    """Benders by year from nothing built, on the second-life plan over 2025-2026 with the
    embodied emissions in the target: the same cost and builds as the whole LP. (The master
    once bounded the embodied columns [t] by 100 × the peak demand [MW], which capped the new
    pack at 1.25 MWh a year and came out 87 % dearer, reported optimal.)"""
    plan = _second_life_plan(embodied_in_target=True)
    plan["finance"] = {"investment_years": [2025, 2026]}
    plan["targets"][0]["year"] = 2026
    plan["technologies"]["new"]["lifetime_years"] = 2
    plan["technologies"]["second_life"]["lifetime_years"] = 1
    loaded = read_plan(write_plan(tmp_path, plan))
    whole = run_plan(loaded, "repdays:2")
    split = run_decomposed(prepare_inputs(loaded, Resolution.parse("repdays:2")), {}, gap=1e-7)
    assert split.outcome.status == whole.outcome.status == "optimal"
    assert split.outcome.objective == pytest.approx(whole.outcome.objective, rel=1e-6)
    np.testing.assert_allclose(split.results["build_energy"].values,
                               whole.results["build_energy"].values, atol=1e-5)
    assert float(whole.results["build_energy"].sel(tech="new").sum()) > 1.25 * 2 + 1e-3


def test_embodied_emissions_count_once_in_the_tonnes_avoided() -> None:
    """Cost per tonne against business as usual: a yearly category counts in every year of
    its span (δ_y), embodied emissions once, in their modelled year (v_y). Two modelled years
    with δ = 4.5, 10 and v = 1, 0.78; scope 1: roadmap 100, 50 t/yr against BAU 200, 200;
    embodied 1,000 t built in the first year against none:
    abated = 4.5 × 100 + 10 × 150 − 1 × 1,000 = 950 t (not 4.5 × 1,000 = 4,500 off)."""
    import xarray as xr

    from optimiser.post.statistics import versus_bau

    cats = ["scope1", "scope2_market", "scope3_embodied", "credits"]
    ours = [[100, 50], [0, 0], [1000, 0], [0, 0]]
    bau = [[200, 200], [0, 0], [0, 0], [0, 0]]
    ds = xr.Dataset(
        {"emissions": (("category", "year"), np.array(ours, float)),
         "bau_emissions": (("category", "year"), np.array(bau, float)),
         "discount_factor": ("year", [4.5, 10.0]), "once_discount_factor": ("year", [1.0, 0.78]),
         "baseline_emissions": ("baseline_category", [300.0, 0.0, 0.0])},
        coords={"category": cats, "year": [2025, 2030],
                "baseline_category": ["scope1", "scope2_market", "scope3_embodied"]},
        attrs={"objective": 1_000_000.0, "bau_objective": 1_095_000.0})
    found = versus_bau(ds, ("scope1", "scope2_market", "scope3_embodied"), "estimate")
    assert found["abated_t_present_value"] == pytest.approx(950.0)
    assert found["cost_per_t_abated"] == pytest.approx(-95_000 / 950)
    # with 10 t/yr of cycle wear bought back (yearly) in scope3_embodied beside the 1,000 t
    # built (tech_embodied, one-off): 4.5 × (200 − 110) + 10 × (200 − 60) − 1 × 1,000 = 805
    ds["emissions"].loc[{"category": "scope3_embodied"}] = [1010.0, 10.0]
    ds["tech_embodied"] = (("tech", "year"), np.array([[1000.0, 0.0]]))
    ds["bau_embodied_once"] = ("year", [0.0, 0.0])
    found = versus_bau(ds, ("scope1", "scope2_market", "scope3_embodied"), "estimate")
    assert found["abated_t_present_value"] == pytest.approx(805.0)
