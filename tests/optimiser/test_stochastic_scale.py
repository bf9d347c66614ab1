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


@pytest.mark.parametrize("weight", [0.0, 0.5])
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
