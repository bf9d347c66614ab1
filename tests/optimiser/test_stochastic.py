"""Stochastic planning (docs/stochastic.md): the extensive form against hand arithmetic and
against deterministic plans, and the value measures' signs.

Hand case (``_hedge_plan``): ``data/base.yaml`` (flat 1 MW demand, grid at 100 GBP/MWh, 5 %)
with two modelled years, 2025 and 2026 (each its own one-year span, v = 1/1.05 the discount
of 2026), and PV on the half-day profile (2190 MWh/MWp a year, all of it used: 1.5 MW × 0.5 <
1 MW), at most 1.5 MW. PV built in 2025 costs, net of salvage, the annuity-due A = c/ä(20) in
each year it serves (docs/optimiser.md); a 2026 build costs 2c, so 2A. Stage 2026: the grid
price of 2026 is 100 (low) or 250 (high). Per MW of PV and year at price p it saves
g(p) = 2190·(p − 2) − 10,000 (grid, variable and fixed O&M). With A = 300,000:

* a 2025 build gains g(100) − A = −95,380 in 2025 and v·(g(p) − A) in 2026: −90,838 (low),
  +222,019 (high);
* a 2026 build in the high scenario gains g(250) − 2A = −66,880 < 0: never built. The only
  chance to gain is to build in 2025, before the price is known.

Risk-neutral with P(high) = 0.3: E[gain] = −95,380 + 0.7·(−90,838) + 0.3·222,019 < 0, so wait
(build nothing); with P(high) = 0.7 it is +32,782 per MW > 0: build 1.5 MW. With CVaR weight 1
at α = 0.7 and P(high) = 0.3 the objective is the cost of the high scenario alone (the worst
30 %), which the 2025 build lowers by 1.5·(−95,380 + 222,019): build 1.5 MW.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser import run_plan
from optimiser.formulate.inputs import Resolution
from optimiser.run.pipeline import prepare_inputs
from optimiser.stochastic.hedging import assess
from optimiser.stochastic.shared import solve_tree
from optimiser.stochastic.tree import cvar
from plant.errors import PlanError
from plant.loader import read_plan
from plant.scenarios import (
    ScenarioFile,
    build_tree,
    read_scenarios,
    reduce_scenarios,
    staged_plan,
    without_new_capacity,
)
from plant.schema import SOFC

from .helpers import half_day_solar, write_csv, write_plan

REL = 1e-6
V = 1 / 1.05
A = 300_000.0


def adue(years: int, rate: float = 0.05) -> float:
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)


def g(price: float) -> float:
    """Yearly saving of 1 MW of PV at a grid price (before its capital cost)."""
    return 2190 * (price - 2) - 10_000


def _hedge_plan(tmp_path, later_capex: float = 2.0):
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    capex = A * adue(20) / 1000
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190,
          "capex_per_kw": {2025: capex, 2026: later_capex * capex}, "fixed_om_per_kw_year": 10,
          "variable_om_per_mwh": 2, "lifetime_years": 20, "max_capacity_mw": 1.5,
          "degradation_per_year": 0.0}
    return read_plan(write_plan(tmp_path, {
        "technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}},
        "finance": {"discount_rate": 0.05, "base_year": 2025,
                    "investment_years": [2025, 2026]}}))


def _tree(loaded, p_high: float, weight: float = 0.0, alpha: float = 0.7, high: float = 250):
    spec = ScenarioFile.model_validate({
        "stages": [2025, 2026],
        "scenarios": {"low": {"probability": 1 - p_high, "set": {}},
                      "high": {"probability": p_high,
                               "set": {"grid.import_price_per_mwh": high}}},
        "risk": {"cvar_alpha": alpha, "weight": weight}})
    return build_tree(spec, loaded.plan)


def _no_pv_costs() -> np.ndarray:
    return np.array([8760 * 100 * (1 + V), 8760 * 100 + V * 8760 * 250])


def _gain(x: float) -> np.ndarray:
    """Per scenario: cost saved by x MW of PV built in 2025."""
    return x * np.array([g(100) - A + V * (g(100) - A), g(100) - A + V * (g(250) - A)])


def _pv_2025(run) -> float:
    return float(run.results[0]["build"].sel(tech="pv", year=2025))


@pytest.mark.parametrize(("p_high", "built"), [(0.3, 0.0), (0.7, 1.5)])
def test_hand_case_risk_neutral(tmp_path, p_high, built):
    loaded = _hedge_plan(tmp_path)
    run = solve_tree(_tree(loaded, p_high), loaded, Resolution.parse("repdays:2"))
    assert run.outcome.status == "optimal"
    assert _pv_2025(run) == pytest.approx(built, abs=1e-6)
    for ds in run.results:  # the recourse never builds (2A per year does not pay)
        assert float(ds["build"].sel(tech="pv", year=2026)) == pytest.approx(0.0, abs=1e-6)
    costs = _no_pv_costs() - _gain(built)
    np.testing.assert_allclose(run.costs, costs, rtol=REL)
    p = np.array([1 - p_high, p_high])
    assert run.objective == pytest.approx(float(p @ costs), rel=REL)


def test_hand_case_cvar_weight_one_hedges(tmp_path):
    loaded = _hedge_plan(tmp_path)
    run = solve_tree(_tree(loaded, 0.3, weight=1.0, alpha=0.7), loaded,
                     Resolution.parse("repdays:2"))
    assert _pv_2025(run) == pytest.approx(1.5, abs=1e-6)
    costs = _no_pv_costs() - _gain(1.5)
    np.testing.assert_allclose(run.costs, costs, rtol=REL)
    assert run.objective == pytest.approx(costs[1], rel=REL)  # CVaR_0.7 = the high cost


def test_hand_case_vss_evpi_and_regret(tmp_path):
    """Prices 100 or 300 in 2026 (p = ½ each) and a 2026 build at 1.5c (1.5A a year).

    Stochastic plan: a 2025 MW gains −95,380 + ½·v·(g(100) − A) + ½·v·(g(300) − A − (g(300) −
    1.5A)) = −95,380 − 45,419 + 71,429 < 0 (in the high scenario the 2026 build, which pays:
    g(300) − 1.5A = 192,620 > 0, does the job for 0.5A less): wait, and build 1.5 MW in 2026
    only if the price is high. Mean-value plan (price 200): a 2025 MW gains −95,380 +
    v·(g(200) − A) = +22,353, so it builds 1.5 MW now: EEV − RP = VSS > 0. Perfect foresight
    builds now in the high scenario (gain −95,380 + v·(g(300) − A) = 230,925 per MW beats the
    2026 build's v·192,620).
    """
    loaded = _hedge_plan(tmp_path, later_capex=1.5)
    res = Resolution.parse("repdays:2")
    run = solve_tree(_tree(loaded, 0.5, high=300), loaded, res)
    found = assess(run, lambda plan: prepare_inputs(loaded._replace(plan=plan), res))
    base = np.array([8760 * 100 * (1 + V), 8760 * 100 + V * 8760 * 300])
    now = 1.5 * np.array([(g(100) - A) * (1 + V), g(100) - A + V * (g(300) - A)])
    later = np.array([0.0, 1.5 * V * (g(300) - 1.5 * A)])
    rp, eev, ws = base - later, base - now, np.array([base[0], base[1] - now[1]])
    np.testing.assert_allclose(run.costs, rp, rtol=REL)
    assert _pv_2025(run) == pytest.approx(0.0, abs=1e-6)
    assert found.ev is not None
    np.testing.assert_allclose(found.ev.costs, eev, rtol=REL)
    assert found.vss == pytest.approx(0.5 * (eev - rp).sum(), rel=1e-5)
    assert found.vss > 100_000
    np.testing.assert_allclose(found.wait_and_see, ws, rtol=REL)
    assert found.evpi == pytest.approx(0.5 * (rp - ws).sum(), rel=1e-5)
    regret = {r.name: r.objective - run.objective for r in found.regret}
    assert regret["low's plan"] == pytest.approx(0.0, abs=1e-6 * run.objective)
    assert regret["high's plan"] == pytest.approx(found.vss, rel=1e-5)


def test_one_scenario_equals_the_deterministic_plan(tmp_path):
    """A tree of one scenario (p = 1) is the deterministic plan with its overrides."""
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035], "scenarios": {
        "only": {"probability": 1.0, "set": {"grid.import_price_scale": 1.3,
                                             "fuels.natural_gas.price_scale": 0.8}}}})
    tree = build_tree(spec, loaded.plan)
    run = solve_tree(tree, loaded, Resolution.parse("repdays:2"))
    plan = staged_plan(loaded.plan, {2035: {"grid.import_price_scale": 1.3,
                                            "fuels.natural_gas.price_scale": 0.8}}, 2027)
    det = run_plan(loaded._replace(plan=plan), "repdays:2")
    assert run.costs[0] == pytest.approx(det.results.attrs["objective"], rel=1e-6)
    assert run.results[0].attrs["objective"] == pytest.approx(det.results.attrs["objective"],
                                                              rel=1e-6)


@pytest.mark.slow  # 20-50 s: make test-slow
def test_vss_and_evpi_are_not_negative():
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035], "scenarios": {
        "low": {"probability": 0.3, "set": {"grid.import_price_scale": 0.6}},
        "mid": {"probability": 0.4, "set": {}},
        "high": {"probability": 0.3, "set": {"grid.import_price_scale": 1.8}}}})
    tree = build_tree(spec, loaded.plan)
    res = Resolution.parse("repdays:2")
    run = solve_tree(tree, loaded, res)
    found = assess(run, lambda plan: prepare_inputs(loaded._replace(plan=plan), res),
                   option_kinds=(SOFC,), no_new=without_new_capacity)
    tol = 1e-7 * run.objective
    assert found.vss is not None and found.vss >= -tol
    assert found.evpi is not None and found.evpi >= -tol
    assert all(r.objective - run.objective >= -tol for r in found.regret)
    assert len(found.regret) == 3
    # perfect foresight is never worse, scenario by scenario
    assert np.all(found.wait_and_see <= run.costs + tol)


def test_first_stage_is_shared_and_recourse_differs():
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035], "scenarios": {
        "cheap": {"probability": 0.5, "set": {"grid.import_price_scale": 0.5}},
        "dear": {"probability": 0.5, "set": {"grid.import_price_scale": 2.0}}}})
    run = solve_tree(build_tree(spec, loaded.plan), loaded, Resolution.parse("repdays:2"))
    a, b = (ds["build"] for ds in run.results)
    np.testing.assert_allclose(a.sel(year=[2027, 2030]), b.sel(year=[2027, 2030]), atol=1e-6)
    assert run.ef.nonanticipative > 0


def test_staged_plan_keeps_the_base_before_the_stage():
    loaded = read_plan("sites/examples/third_plant.yaml")
    base = loaded.plan.grid.import_price_per_mwh
    plan = staged_plan(loaded.plan, {2035: {"grid.import_price_scale": 2.0}}, 2027)
    new = plan.grid.import_price_per_mwh
    for year in (2027, 2030, 2034):
        assert new.at(year) == pytest.approx(base.at(year), rel=1e-12)
    for year in (2035, 2040, 2050):
        assert new.at(year) == pytest.approx(2.0 * base.at(year), rel=1e-12)


def test_mean_plan_is_the_probability_weighted_mean():
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035], "scenarios": {
        "a": {"probability": 0.25, "set": {"grid.import_price_scale": 0.6}},
        "b": {"probability": 0.75, "set": {"grid.import_price_scale": 1.4}}}})
    tree = build_tree(spec, loaded.plan)
    mean = tree.mean_plan(loaded.plan).grid.import_price_per_mwh
    base = loaded.plan.grid.import_price_per_mwh
    assert mean.at(2030) == pytest.approx(base.at(2030), rel=1e-12)
    assert mean.at(2040) == pytest.approx(1.2 * base.at(2040), rel=1e-12)


def test_multi_stage_nodes():
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035, 2045], "scenarios": {
        "lo_lo": {"probability": 0.25, "set": {2035: {"grid.import_price_scale": 0.8},
                                               2045: {"grid.import_price_scale": 0.6}}},
        "lo_hi": {"probability": 0.25, "set": {2035: {"grid.import_price_scale": 0.8},
                                               2045: {"grid.import_price_scale": 1.0}}},
        "hi": {"probability": 0.5, "set": {2035: {"grid.import_price_scale": 1.3}}}}})
    tree = build_tree(spec, loaded.plan)
    lo_lo, lo_hi, hi = tree.scenarios
    assert tree.node(lo_lo, 2030) == tree.node(hi, 2030)
    assert tree.node(lo_lo, 2040) == tree.node(lo_hi, 2040) != tree.node(hi, 2040)
    assert tree.node(lo_lo, 2045) != tree.node(lo_hi, 2045)
    assert lo_lo.plan.grid.import_price_per_mwh.at(2050) == pytest.approx(
        0.6 * loaded.plan.grid.import_price_per_mwh.at(2050))


def test_scenarios_that_differ_only_later_share_the_middle_stage():
    """Two scenarios that change nothing at 2035 and differ from 2045 see the same data until
    2044, so they share the decisions of 2035-2044."""
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035, 2045], "scenarios": {
        "a": {"probability": 0.5, "set": {2045: {"grid.import_price_scale": 0.6}}},
        "b": {"probability": 0.5, "set": {2045: {"grid.import_price_scale": 1.6}}}}})
    tree = build_tree(spec, loaded.plan)
    a, b = tree.scenarios
    assert tree.node(a, 2040) == tree.node(b, 2040)
    assert tree.node(a, 2045) != tree.node(b, 2045)
    run = solve_tree(tree, loaded, Resolution.parse("repdays:2"))
    x, y = (ds["build"] for ds in run.results)
    np.testing.assert_allclose(x.sel(year=[2027, 2030, 2035, 2040]),
                               y.sel(year=[2027, 2030, 2035, 2040]), atol=1e-6)


def test_a_quoted_stage_year_is_a_stage_year(tmp_path):
    loaded = read_plan("sites/examples/third_plant.yaml")
    path = _write(tmp_path, 'stages: [2027, 2035]\nscenarios:\n  a: {probability: 1, set: '
                  '{"2035": {grid.import_price_scale: 1.5}}}\n')
    (a,) = read_scenarios(path, loaded.plan).scenarios
    assert a.plan.grid.import_price_per_mwh.at(2040) == pytest.approx(
        1.5 * loaded.plan.grid.import_price_per_mwh.at(2040))


def test_cvar_by_hand():
    costs, p = np.array([10.0, 20.0, 40.0]), np.array([0.5, 0.3, 0.2])
    assert cvar(costs, p, 0.8) == pytest.approx(40.0)
    assert cvar(costs, p, 0.5) == pytest.approx((0.3 * 20 + 0.2 * 40) / 0.5)
    assert cvar(costs, p, 0.0) == pytest.approx(float(p @ costs))


def test_reduction_keeps_probability():
    rng = np.random.default_rng(3)
    points = rng.uniform(0, 1, (40, 2))
    kept, p = reduce_scenarios(points, np.full(40, 1 / 40), 5)
    assert len(kept) == 5 and len(set(kept)) == 5
    assert p.sum() == pytest.approx(1.0)


def test_sampled_and_reduced_scenarios():
    loaded = read_plan("sites/examples/third_plant.yaml")
    spec = ScenarioFile.model_validate({"stages": [2027, 2035], "sample": {
        "n": 20, "seed": 4, "reduce_to": 4,
        "from": {"grid.import_price_scale": {"low": 0.5, "high": 1.5}}}})
    tree = build_tree(spec, loaded.plan)
    assert len(tree.scenarios) == 4
    assert tree.probabilities.sum() == pytest.approx(1.0)
    again = build_tree(spec, loaded.plan)  # seeded: the same tree
    assert [s.values() for s in again.scenarios] == [s.values() for s in tree.scenarios]
    for s in tree.scenarios:
        (factor,) = s.values().values()
        assert 0.5 <= factor <= 1.5


def _write(tmp_path, text: str):
    path = tmp_path / "scen.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "where", "says"), [
    ("stages: [2027, 2035]\nscenarios:\n  a: {probability: 0.5, set: {}}\n"
     "  b: {probability: 0.4, set: {}}\n", "scenarios", "sum to 0.9"),
    ("stages: [2027, 2033]\nscenarios:\n  a: {probability: 1, set: {}}\n", "stages[1]",
     "not a modelled year"),
    ("stages: [2027, 2035]\nscenarios:\n  a: {probability: 1, set: {grid.import_prise_scale: 2}}\n",
     "scenarios.a.set", "did you mean 'grid.import_price"),
    ("stages: [2027, 2035]\nscenarios:\n  a: {probability: 1, sett: {}}\n", "scenarios.a.sett",
     "did you mean 'set'"),
    ("stages: [2027, 2035]\nscenarios:\n  a: {probability: 1, set: "
     "{finance.discount_rate: 0.08}}\n", "scenarios.a.set", "not a year trajectory"),
])
def test_bad_scenario_files_name_the_key(tmp_path, text, where, says):
    loaded = read_plan("sites/examples/third_plant.yaml")
    with pytest.raises(PlanError) as info:
        read_scenarios(_write(tmp_path, text), loaded.plan)
    issue = info.value.issues[0]
    assert where in issue.location() and says in issue.message
    assert issue.line is not None


def test_hand_case_measures_when_decomposed(tmp_path):
    """The VSS hand case above solved by decomposition (``--solver decomposed``): the same
    costs, EEV, wait-and-see, VSS and EVPI, from the decomposition's own cuts."""
    from cnplan.cli_scenarios import Solving
    from cnplan.hedged import run_tree

    loaded = _hedge_plan(tmp_path, later_capex=1.5)
    res = Resolution.parse("repdays:2")
    found = run_tree(loaded, _tree(loaded, 0.5, high=300), res,
                     solving=Solving("decomposed", gap=1e-9))
    run = found.rp
    base = np.array([8760 * 100 * (1 + V), 8760 * 100 + V * 8760 * 300])
    now = 1.5 * np.array([(g(100) - A) * (1 + V), g(100) - A + V * (g(300) - A)])
    later = np.array([0.0, 1.5 * V * (g(300) - 1.5 * A)])
    rp, eev, ws = base - later, base - now, np.array([base[0], base[1] - now[1]])
    assert run.size["form"] == "decomposed"
    np.testing.assert_allclose(run.costs, rp, rtol=REL)
    assert found.ev is not None
    np.testing.assert_allclose(found.ev.costs, eev, rtol=REL)
    assert found.vss == pytest.approx(0.5 * (eev - rp).sum(), rel=1e-5)
    np.testing.assert_allclose(found.wait_and_see, ws, rtol=REL)
    assert found.evpi == pytest.approx(0.5 * (rp - ws).sum(), rel=1e-5)
    regret = {r.name: r.objective - run.objective for r in found.regret}
    assert regret["high's plan"] == pytest.approx(found.vss, rel=1e-5)


def test_decomposed_measures_when_scenarios_have_other_money_scales(tmp_path):
    """A 2026 grid price of 1200 puts the high scenario's objective in units of 10^4 against
    10^3 for the low one (docs/optimiser.md, "Numerics"); the decomposition's cuts are kept in
    currency, so a scenario planned alone on its node's shared subproblems costs what the
    extensive form says (found by an independent rebuild: it was 65 % too dear)."""
    from cnplan.cli_scenarios import Solving
    from cnplan.hedged import run_tree

    loaded = _hedge_plan(tmp_path, later_capex=1.5)
    res = Resolution.parse("repdays:2")
    tree = _tree(loaded, 0.5, high=1200)
    ext = run_tree(loaded, tree, res)
    dec = run_tree(loaded, tree, res, solving=Solving("decomposed", gap=1e-9))
    np.testing.assert_allclose(dec.rp.costs, ext.rp.costs, rtol=REL)
    np.testing.assert_allclose(dec.wait_and_see, ext.wait_and_see, rtol=REL)
    assert dec.evpi == pytest.approx(ext.evpi, rel=1e-5, abs=1e-6 * ext.rp.objective)
    assert dec.ev is not None and ext.ev is not None
    np.testing.assert_allclose(dec.ev.costs, ext.ev.costs, rtol=REL)


def test_decomposed_on_a_running_dask_scheduler(tmp_path):
    """--scheduler: the node-years go to an existing cluster's workers (here a local one)
    and give the hand case's costs."""
    import logging

    from distributed import LocalCluster

    from cnplan.cli_scenarios import Solving
    from cnplan.hedged import run_tree

    loaded = _hedge_plan(tmp_path, later_capex=1.5)
    res = Resolution.parse("repdays:2")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster:
        found = run_tree(loaded, _tree(loaded, 0.5, high=300), res, metrics=False,
                         solving=Solving("decomposed", scheduler=cluster.scheduler_address,
                                         gap=1e-9))
    base = np.array([8760 * 100 * (1 + V), 8760 * 100 + V * 8760 * 300])
    later = np.array([0.0, 1.5 * V * (g(300) - 1.5 * A)])
    assert found.rp.size["workers"] == 2
    np.testing.assert_allclose(found.rp.costs, base - later, rtol=REL)


def test_option_value_when_decomposed(tmp_path):
    """The option value of new PV in the hand case (without it: the grid alone), by the
    extensive form and by a new decomposition of the tree without new PV: the same."""
    from optimiser.stochastic.decomposed import DecomposedMeasures, solve_tree_decomposed
    from optimiser.stochastic.subproblems import subproblem_pool
    from plant.schema.technologies import SolarPV

    loaded = _hedge_plan(tmp_path, later_capex=1.5)
    res = Resolution.parse("repdays:2")
    tree = _tree(loaded, 0.5, high=300)
    ext = solve_tree(tree, loaded, res)
    kinds = {"option_kinds": (SolarPV,), "no_new": without_new_capacity, "regret": False}
    by_ef = assess(ext, lambda plan: prepare_inputs(loaded._replace(plan=plan), res), **kinds)
    with subproblem_pool(1) as pool:
        rp, dt, mean = solve_tree_decomposed(tree, loaded, res, pool, gap=1e-9)
        by_benders = assess(rp, lambda plan: prepare_inputs(loaded._replace(plan=plan), res),
                            measures=DecomposedMeasures(dt, mean), **kinds)
    value = by_ef.option_value("SolarPV")
    assert value is not None and value > 0
    assert by_benders.option_value("SolarPV") == pytest.approx(value, rel=1e-6)
    # without new PV every scenario pays the grid alone
    base = np.array([8760 * 100 * (1 + V), 8760 * 100 + V * 8760 * 300])
    assert by_benders.without["SolarPV"].objective == pytest.approx(0.5 * base.sum(), rel=REL)
