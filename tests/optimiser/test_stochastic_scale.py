"""Scenario trees at scale (docs/stochastic.md, "The model" and "Decomposition"): the
shared-node extensive form against the per-scenario one, the decomposition against the
extensive form, and a decomposition that loses a worker."""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.formulate.inputs import Resolution
from optimiser.stochastic.shared import build_form, solve_tree
from optimiser.stochastic.tree import scenario_inputs, solve_extensive_form
from plant.loader import read_plan
from plant.scenarios import ScenarioFile, build_tree

THIRD = "sites/examples/third_plant.yaml"


def _three_stage(weight: float = 0.0):
    loaded = read_plan(THIRD)
    spec = ScenarioFile.model_validate({
        "stages": [2027, 2035, 2045],
        "scenarios": {
            "lo_lo": {"probability": 0.25, "set": {
                2035: {"grid.import_price_scale": 0.8, "fuels.natural_gas.price_scale": 1.2},
                2045: {"grid.import_price_scale": 0.6}}},
            "lo_hi": {"probability": 0.25, "set": {
                2035: {"grid.import_price_scale": 0.8, "fuels.natural_gas.price_scale": 1.2},
                2045: {"grid.import_price_scale": 1.5}}},
            "hi": {"probability": 0.5, "set": {2035: {"grid.import_price_scale": 1.4}}}},
        "risk": {"cvar_alpha": 0.8, "weight": weight}})
    return loaded, build_tree(spec, loaded.plan)


@pytest.mark.parametrize("weight", [0.0, pytest.param(0.5, marks=pytest.mark.slow)])
def test_shared_node_form_equals_the_per_scenario_form(weight):
    """Same optimum (1e-9 relative), same expected cost and CVaR, with fewer columns: the
    dispatch of 2027-2030 is built once (root), 2035-2040 twice (two nodes), 2045-2050 three
    times, against three times for every year."""
    loaded, tree = _three_stage(weight)
    res = Resolution.parse("repdays:2")
    inputs = scenario_inputs(tree, loaded, res)
    runs = {}
    for form in ("per-scenario", "shared-node"):
        ef = build_form(tree, inputs, form=form)
        assert ef.form == form
        runs[form] = solve_extensive_form(ef)
    old, new = runs["per-scenario"], runs["shared-node"]
    assert new.feasible and old.feasible
    assert new.objective == pytest.approx(old.objective, rel=1e-9)
    p = tree.probabilities
    assert float(p @ new.costs) == pytest.approx(float(p @ old.costs), rel=1e-9)
    for a, b in zip(old.results, new.results, strict=True):
        assert float(b["cost_discounted"].sum()) == pytest.approx(
            b.attrs["objective"], rel=1e-9)
        np.testing.assert_allclose(b["build"].sel(year=[2027, 2030]),
                                   new.results[0]["build"].sel(year=[2027, 2030]), atol=1e-6)
        assert set(a.data_vars) <= set(b.data_vars) | {"sofc_curve_load"}
    # 6 modelled years: 3 x 6 = 18 year-blocks against 2 + 2·2 + 3·2 = 12
    assert new.ef.lp_size["columns"] < 0.8 * old.ef.lp_size["columns"]


def test_solve_tree_reports_the_form_and_size():
    loaded, tree = _three_stage()
    run = solve_tree(tree, loaded, Resolution.parse("repdays:2"), extract_results=False)
    assert run.size["form"] == "shared-node"
    assert run.size["columns"] > 0 and run.size["rows"] > 0


def _decomposed(tree, loaded, res, pool, gap=1e-7, stage=lambda _: None):
    from optimiser.stochastic.decomposed import solve_tree_decomposed

    run, _, _ = solve_tree_decomposed(tree, loaded, res, pool, gap=gap, stage=stage)
    return run


@pytest.mark.parametrize("weight", [0.0, pytest.param(0.5, marks=pytest.mark.slow)])
def test_decomposed_equals_the_extensive_form(weight):
    """Benders over the node-years reaches the extensive form's optimum: the expected cost
    (risk-neutral) or the objective with CVaR to 1e-4 relative (the issue's bar; it stops at
    a gap of 1e-6 here), the bounds bracket it, and the first stage is shared."""
    from optimiser.stochastic.subproblems import subproblem_pool

    loaded, tree = _three_stage(weight)
    res = Resolution.parse("repdays:2")
    ef = solve_tree(tree, loaded, res)
    with subproblem_pool(1) as pool:
        dec = _decomposed(tree, loaded, res, pool, gap=1e-6)
    assert dec.outcome.status == "optimal"
    assert dec.objective == pytest.approx(ef.objective, rel=1e-4)
    assert dec.outcome.bound <= ef.objective * (1 + 1e-9)
    assert dec.outcome.objective >= ef.objective * (1 - 1e-9)
    p = tree.probabilities
    if weight == 0:
        assert float(p @ dec.costs) == pytest.approx(float(p @ ef.costs), rel=1e-4)
    for ds in dec.results[1:]:
        np.testing.assert_allclose(ds["build"].sel(year=[2027, 2030]),
                                   dec.results[0]["build"].sel(year=[2027, 2030]), atol=1e-6)
    assert dec.size["form"] == "decomposed" and dec.size["node_years"] == 12


def test_a_killed_worker_does_not_lose_the_run():
    """Two Dask workers; one is killed (SIGKILL) at the second iteration. Its
    subproblems are built again on the other (or on the nanny's replacement) and the run
    ends where the in-process one does."""
    import os
    import signal

    from optimiser.run.cluster import dask_client
    from optimiser.stochastic.subproblems import DaskPool, subproblem_pool

    loaded, tree = _three_stage()
    res = Resolution.parse("repdays:2")
    with subproblem_pool(1) as pool:
        alone = _decomposed(tree, loaded, res, pool, gap=1e-6)
    killed = []
    with dask_client(2, None) as client:
        pool = DaskPool(client)

        def stage(text: str) -> None:
            if "iteration 2," in text and not killed:
                victim = sorted(client.scheduler_info()["workers"])[0]
                pid = client.run(os.getpid, workers=[victim])[victim]
                killed.append(pid)
                os.kill(pid, signal.SIGKILL)

        run = _decomposed(tree, loaded, res, pool, gap=1e-6, stage=stage)
        pool.close()
    assert killed
    assert run.outcome.status == "optimal"
    # both within 1e-6 of the optimum (the workers' HiGHS may pick other degenerate duals,
    # so the two runs may take other steps)
    assert run.objective == pytest.approx(alone.objective, rel=2e-6)
