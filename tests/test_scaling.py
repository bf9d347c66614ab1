"""The objective's money scale (:func:`optimiser.formulate.model.money_scale`, issue 26): the cost
vector of the reference plans sits inside the range HiGHS accepts without a warning, and the
scale changes the objective in currency only by rounding."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

import optimiser.formulate.model
from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model, plan_money_scale
from optimiser.run.pipeline import prepare_inputs, run_plan
from optimiser.solve.highs import METHODS
from plant.loader import LoadedPlan, read_plan
from plant.schema import Plan

#: HiGHS logs "Problem has some excessively small costs" when the smallest nonzero |cost| is
#: below kExcessivelySmallObjectiveCoefficient = 1e-4, and "... excessively large costs" when
#: the largest is above kExcessivelyLargeObjectiveCoefficient = 1e6 (HiGHS's
#: assessExcessiveObjectiveBoundScaling; checked on highspy 1.15.1: 9.9e-5 and 1.01e6 warn,
#: 1e-4 and 1e6 do not).
HIGHS_SMALL_COST, HIGHS_LARGE_COST = 1e-4, 1e6
EXAMPLES = Path(__file__).resolve().parent.parent / "sites" / "examples"


def _old_money_scale(plan: Plan) -> float:
    """The rule before issue 26: 1000 · 10^⌊log10 p⌋ (Tochigi's smallest cost 9e-6)."""
    price = max(max(plan.grid.import_price_per_mwh.values()), 1.0)
    return 10.0 ** math.floor(math.log10(price)) * 1e3


def _with_price(loaded: LoadedPlan, price: float) -> Plan:
    plan = loaded.plan
    grid = plan.grid.model_copy(update={"import_price_per_mwh": {2025: price, 2050: price}})
    return plan.model_copy(update={"grid": grid})


@pytest.mark.parametrize(("price", "scale"), [
    (0.5, 10.0), (1.0, 10.0), (9.9, 10.0), (10.0, 100.0), (10.5, 100.0), (100.0, 1e3),
    (120.0, 1e3), (200.0, 1e3), (15_498.0, 1e5), (22_000.0, 1e5), (100_000.0, 1e6)])
def test_scale_is_the_power_of_ten_above_the_highest_import_price(minimal, price, scale):
    assert plan_money_scale(_with_price(minimal, price)) == scale


@pytest.mark.parametrize("site", ["tochigi", "sunderland"])
def test_objective_costs_within_highs_range(request, site):
    """Every nonzero objective coefficient of a reference plan lies within HiGHS's
    [1e-4, 1e6], as HiGHS sees them (fixed variables folded in, as optimiser.solve.highs sends)."""
    loaded: LoadedPlan = request.getfixturevalue(site)
    m, _ = build_model(prepare_inputs(loaded, Resolution.parse("repdays:4")))
    info = LinearStandardFormCompiler().write(m, mixed_form=True)
    cost = np.abs(np.asarray(info.c.todense()).ravel())
    cost = cost[cost != 0]
    assert len(cost) > 1000
    assert cost.min() >= HIGHS_SMALL_COST, (site, cost.min(), m.money_scale)
    assert cost.max() <= HIGHS_LARGE_COST, (site, cost.max(), m.money_scale)


@pytest.mark.parametrize("example", ["minimal", "third_plant"])
def test_objective_in_currency_does_not_depend_on_the_scale(example, monkeypatch):
    """The same plan solved with the old and the new unit of the objective: the objective in
    currency (scaled back by SolveOutcome.rescaled) agrees to rounding. Minimal is solved by
    presolve alone; the third plant (PV, wind, the catalogue's technologies) takes some 5,700
    simplex iterations. The old unit (100 × larger, costs 100 × smaller) is solved with
    feasibility tolerances of 1e-10, as a reference: at HiGHS's default 1e-7 its objective on
    the third plant with the catalogue's battery ageing (issue 34) was 1.6e-9 off
    (274,124,479.22 against 274,124,478.79 GBP), and at 1e-10 it agrees with the new unit's
    default solve to 1e-15 — the inaccuracy the new unit removed."""
    loaded = read_plan(EXAMPLES / f"{example}.yaml")
    new = run_plan(loaded, "repdays:2")
    assert new.outcome.status == "optimal"
    assert _old_money_scale(loaded.plan) == 100 * plan_money_scale(loaded.plan)
    monkeypatch.setattr(optimiser.formulate.model, "plan_money_scale", _old_money_scale)
    tight = {**METHODS["auto"], "primal_feasibility_tolerance": 1e-10,
             "dual_feasibility_tolerance": 1e-10}
    monkeypatch.setitem(METHODS, "auto", tight)
    old = run_plan(loaded, "repdays:2")
    assert old.outcome.status == "optimal"
    assert new.outcome.objective == pytest.approx(old.outcome.objective, rel=1e-9)
    assert new.outcome.objective > 1e6  # in currency, not in units of the objective


def test_session_rebuilds_when_the_scale_changes(minimal):
    """A price sweep re-solves the built model while the unit stays (prices are Params) and
    builds again when the highest import price crosses a power of ten (the unit is part of
    the structure key); either way the objective is the fresh run's."""
    from optimiser.run.session import PlanSession
    from plant.overrides import apply_overrides

    session = PlanSession(minimal, "repdays:2")
    for factor, rebuilds in [(1.0, True), (1.5, False), (0.4, True)]:  # 200, 300, 80/MWh
        values = {"grid.import_price_scale": factor}
        plan, run, rebuilt = session.run(values)
        assert rebuilt is rebuilds
        fresh = run_plan(minimal._replace(plan=apply_overrides(minimal.plan, values)),
                         "repdays:2")
        assert run.outcome.objective == pytest.approx(fresh.outcome.objective, rel=1e-9)
    assert plan_money_scale(plan) == 100.0
