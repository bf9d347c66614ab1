"""The direct HiGHS transfer and the hourly storage formulation.

- A full hourly year keeps one chronological, year-cyclic state of charge per store; on the
  same 365 days in calendar order the day-linked (Kotzur) formulation used for representative
  days is exact for a store without standing loss, so both must give the same optimum.
- A unit-commitment plan (MILP) still reports target shadow prices: the solver turns the
  model into an LP once every integer is fixed, and back.
- A price changed after a solve is sent to HiGHS (re-solve equals a fresh model).
- A method that gives up (solve error) is retried with the next one.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from optimiser import summary
from optimiser.formulate.inputs import ModelInputs, Resolution, without_negligible_hours
from optimiser.formulate.model import build_model, update_prices
from optimiser.run.pipeline import prepare_inputs, solve_built
from optimiser.solve.highs import METHODS, HighsSolver
from plant.loader import read_plan
from plant.overrides import apply_overrides

from .helpers import run, write_csv, write_plan

REL = 1e-6
YEAR = 2025
HOURS = np.arange(8760)


def _weekend_cheap_grid(tmp_path) -> dict:
    """Import prices: ×0.4 on the weekend (days 5 and 6 of every week), ×1.24 otherwise, so a
    two-day store fills at the weekend and empties over the week (mean 1)."""
    weekend = (HOURS // 24) % 7 >= 5
    shape = np.where(weekend, 0.4, 1.0)
    shape = shape / shape.mean()
    return {"profiles": {"csv": {"grid_price_shape": write_csv(tmp_path, "price", shape)}}}


SEASONAL_BATTERY = {"kind": "battery", "capex_per_kwh": 20, "capex_per_kw": 30,
                    "round_trip_efficiency": 0.9, "lifetime_years": 15,
                    "max_duration_h": 72.0}


def test_hourly_store_is_chronological_and_equals_day_linking(tmp_path, monkeypatch):
    """Same optimum from the year-cyclic hourly state and from 365 linked days (λ = 0)."""
    plan = {"technologies": {"battery": SEASONAL_BATTERY}, **_weekend_cheap_grid(tmp_path)}
    loaded = read_plan(write_plan(tmp_path, plan))
    inputs = prepare_inputs(loaded, Resolution.parse("hourly"))
    assert inputs.chronological
    m, ctx = build_model(inputs)
    assert not hasattr(m.tech_battery, "level")
    hourly = solve_built(HighsSolver(), ctx)
    soc = [m.tech_battery.soc[YEAR, t].value for t in (8759, 0)]
    block = m.tech_battery
    charge, discharge = block.charge[YEAR, 0].value, block.discharge[YEAR, 0].value
    eta = np.sqrt(0.9)
    assert soc[1] == pytest.approx(soc[0] + eta * charge - discharge / eta, abs=1e-6)

    monkeypatch.setattr(ModelInputs, "chronological", property(lambda self: False))
    m2, ctx2 = build_model(inputs)
    assert hasattr(m2.tech_battery, "level")
    linked = solve_built(HighsSolver(), ctx2)
    assert hourly.outcome.status == linked.outcome.status == "optimal"
    energy = float(hourly.results["energy_capacity"].sel(tech="battery", year=YEAR))
    assert energy > 10.0, "the store must be used across days for the test to mean anything"
    assert hourly.outcome.objective == pytest.approx(linked.outcome.objective, rel=REL)


def test_unit_commitment_plan_reports_shadow_prices(tmp_path):
    """A MILP (SOFC in units of 0.25 MW) with a -50 % target met by certificates.

    Ethanol at 400 GBP/MWh keeps the SOFC out, so the target is met by certificates at
    5 GBP/MWh: shadow price 5 / 0.2 = 25 GBP/t, as in test_hand_cases for the LP. The dual
    comes from the LP with the integers fixed (they were all 0).
    """
    target = {"name": "half", "year": YEAR, "reduction": 0.5, "max_credit_share": 0.6}
    result = run(tmp_path, {
        "technologies": {"sofc_bioethanol": {"commitment": True, "unit_size_mw": 0.25}},
        "fuels": {"bioethanol": {"price_per_mwh": 400}},
        "certificates": {"rego": {"price_per_mwh": 5}},
        "targets": [target]}, base="sofc_plan.yaml")
    assert result.outcome.status == "optimal"
    (entry,) = summary(result.results, result.timings, {})["targets"]
    assert entry["met"] is True
    assert entry["shadow_price"] == pytest.approx(25.0, rel=REL)


def test_price_change_reaches_highs(tmp_path):
    """Re-solving after :func:`update_prices` equals solving a fresh model at the new price."""
    loaded = read_plan(write_plan(tmp_path, {"technologies": {"battery": SEASONAL_BATTERY},
                                             **_weekend_cheap_grid(tmp_path)}))
    res = Resolution.parse("repdays:4")
    inputs = prepare_inputs(loaded, res)
    m, ctx = build_model(inputs)
    solver = HighsSolver()
    first = solve_built(solver, ctx).outcome.objective
    dearer = apply_overrides(loaded.plan, {"grid.import_price_per_mwh": 150.0})
    ctx.inputs.set_plan(dearer)
    update_prices(m, ctx.inputs)
    again = solve_built(solver, ctx).outcome.objective
    fresh = run(tmp_path, {"technologies": {"battery": SEASONAL_BATTERY},
                           "grid": {"import_price_per_mwh": 150},
                           **_weekend_cheap_grid(tmp_path)}, resolution="repdays:4")
    assert again > first * 1.2
    assert again == pytest.approx(fresh.outcome.objective, rel=REL)


class _FailsOnce:
    """A HiGHS instance whose first answer is 'solve error' (as HiGHS gives up on a badly
    scaled model), to check that the solver starts again with the other method."""

    def __init__(self, highs):
        self._highs, self.runs, self.methods = highs, 0, []

    def run(self):
        self.runs += 1
        options = self._highs.getOptions()
        self.methods.append({"solver": options.solver,
                             "simplex_scale_strategy": options.simplex_scale_strategy,
                             "simplex_strategy": options.simplex_strategy})
        return self._highs.run()

    def getModelStatus(self):  # noqa: N802 - HiGHS's name
        status = self._highs.getModelStatus()
        return highspy.HighsModelStatus.kSolveError if self.runs == 1 else status

    def __getattr__(self, name):
        return getattr(self._highs, name)


@pytest.mark.parametrize("first", list(METHODS))
def test_failed_method_falls_back_to_the_next(tmp_path, first):
    """A solve error from one method is retried from scratch with the next, and succeeds."""
    loaded = read_plan(write_plan(tmp_path, {"technologies": {"battery": SEASONAL_BATTERY}}))
    inputs = prepare_inputs(loaded, Resolution.parse("repdays:2"))
    m, ctx = build_model(inputs)
    solver = HighsSolver(method=first)
    proxy = _FailsOnce(solver._h)
    solver._h = proxy
    outcome = solver.solve(m)
    assert outcome.status == "optimal"
    following = next(k for k in METHODS if k != first)
    recorded = ("solver", "simplex_scale_strategy", "simplex_strategy")
    assert proxy.methods == [{k: METHODS[m][k] for k in recorded} for m in (first, following)]
    assert outcome.objective * m.money_scale == pytest.approx(
        run(tmp_path, {"technologies": {"battery": SEASONAL_BATTERY}},
            resolution="repdays:2").outcome.objective, rel=REL)


class _GivesUp:
    """A HiGHS stand-in whose first ``n`` runs end in "solve error", as HiGHS's postsolve
    sometimes does on badly scaled models; everything else goes to the real solver."""

    def __init__(self, real, n: int):
        self._real, self._left = real, n

    def run(self):
        self._real.run()
        self._left -= 1

    def getModelStatus(self):
        import highspy

        if self._left >= 0:
            return highspy.HighsModelStatus.kSolveError
        return self._real.getModelStatus()

    def __getattr__(self, name):
        return getattr(self._real, name)


def _tiny_lp():
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 10))
    m.y = pyo.Var(bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x + m.y >= 4)
    m.obj = pyo.Objective(expr=2 * m.x + 3 * m.y)
    return m


def test_fallback_chain_ends_without_presolve_and_says_what_it_tried():
    """auto, ipm and simplex give up; auto without presolve solves (x = 4, cost 8)."""
    solver = HighsSolver()
    m = _tiny_lp()
    solver.solve(m)  # transfer once, so the stand-in sees only re-runs from scratch
    solver._held = None
    real = solver._h
    solver._h = _GivesUp(real, 3)
    outcome = solver.solve(m)
    assert outcome.status == "optimal" and outcome.objective == pytest.approx(8.0)
    assert len(outcome.tried) == 4 and outcome.tried[-1].startswith("auto without presolve")


def test_when_everything_gives_up_the_message_lists_what_was_tried():
    solver = HighsSolver()
    m = _tiny_lp()
    solver._h = _GivesUp(solver._h, 100)
    outcome = solver.solve(m)
    assert outcome.status == "error"
    assert len(outcome.tried) == 6
    assert "tried auto (" in outcome.message and "simplex without presolve" in outcome.message
    assert "--resolution" in outcome.message
    assert "(coefficients: matrix " in outcome.message and ", costs " in outcome.message


def test_negligible_capacity_factors_are_dropped_and_the_yield_kept():
    """cf = [0, 5e-5, 0.3, 0.5] with weights [1, 1, 2, 1]: the 5e-5 hour goes (below 1e-4),
    the rest scale by (0.6 + 0.5 + 5e-5) / (0.6 + 0.5) so Σ w cf stays 1.10005."""
    cf, w = np.array([0.0, 5e-5, 0.3, 0.5]), np.array([1.0, 1.0, 2.0, 1.0])
    out = without_negligible_hours(cf, w)
    k = 1.10005 / 1.1
    assert out == pytest.approx([0.0, 0.0, 0.3 * k, 0.5 * k], rel=1e-12)
    assert np.dot(w, out) == pytest.approx(1.10005, rel=1e-12)
    assert (without_negligible_hours(np.array([0.0, 5e-5]), np.ones(2)) == 0).all()
    # an hour at full output stays at 1 (no output above nameplate)
    assert without_negligible_hours(np.array([5e-5, 1.0, 0.5]), np.ones(3)).max() == 1.0


def test_binding_limits_name_the_key_of_the_limit_that_binds():
    """Two pins on one technology: only the second is reached, and it is the one named."""
    from types import SimpleNamespace

    import pyomo.environ as pyo

    from optimiser.post.implied_prices import binding_limits

    m = pyo.ConcreteModel()
    m.a, m.b = pyo.Var(bounds=(0, 5)), pyo.Var(bounds=(0, 5))
    m.a.set_value(1.0)
    m.b.set_value(5.0)
    ctx = SimpleNamespace(limits=[(2030, "pin on pv", m.a, "pins[0]"),
                                  (2030, "pin on pv", m.b, "pins[1]")])
    assert binding_limits(ctx, 2030, keys=True) == "pin on pv (`pins[1]`)"
    assert binding_limits(ctx, 2030) == "pin on pv"
    assert binding_limits(ctx, 2035) == ""


def test_a_price_change_is_re_solved_warm_with_primal_simplex(tmp_path):
    """Only costs changed: the held basis stays primal feasible, so the re-solve runs primal
    simplex from it (few iterations) and finds what a cold solve of the new prices finds."""
    from optimiser.formulate.model import update_prices
    from plant.overrides import apply_overrides

    plan = {"technologies": {"battery": SEASONAL_BATTERY}}
    loaded = read_plan(write_plan(tmp_path, plan))
    m, ctx = build_model(prepare_inputs(loaded, Resolution.parse("repdays:2")))
    solver = HighsSolver()
    proxy = _FailsOnce(solver._h)
    proxy.runs = 1  # no failure: only record the options of each run
    solver._h = proxy
    solver.solve(m)
    cheaper = apply_overrides(loaded.plan, {"grid.import_price_per_mwh": 80.0})
    ctx.inputs.set_plan(cheaper)
    update_prices(m, ctx.inputs)
    warm = solver.solve(m)
    assert [o["simplex_strategy"] for o in proxy.methods] == [1, 4]
    cold = run(tmp_path, {**plan, "grid": {"import_price_per_mwh": 80.0}},
               resolution="repdays:2")
    assert warm.objective * m.money_scale == pytest.approx(cold.outcome.objective, rel=REL)


def test_zero_credit_cap_is_not_named_as_a_binding_limit(tmp_path):
    """A target with ``max_credit_share: 0`` bans credits; its cap is not a limit that the
    solution "reaches", so "what binds" never names it (issue #29, D4)."""
    from optimiser.post.implied_prices import binding_limits

    target = {"name": "half", "year": YEAR, "reduction": 0.5, "max_credit_share": 0.0}
    loaded = read_plan(write_plan(tmp_path, {
        "carbon_credits": {"removal": {"kind": "removal", "price_per_t": 30}},
        "certificates": {"rego": {"price_per_mwh": 5}}, "targets": [target]}))
    m, ctx = build_model(prepare_inputs(loaded, Resolution.parse("repdays:2")))
    run_ = solve_built(HighsSolver(), ctx)
    assert run_.outcome.status == "optimal"
    assert "credit cap" not in binding_limits(ctx, YEAR)
    assert float(run_.results["emissions"].sel(category="scope2_market", year=YEAR)) == (
        pytest.approx(0.5 * 8760 * 0.2, rel=REL))
