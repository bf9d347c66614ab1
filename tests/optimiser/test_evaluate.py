"""The compiled evaluation of result expressions (optimiser/formulate/evaluate.py) gives what
``pyo.value`` gives, also after prices and values change and variables are fixed."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from optimiser.formulate.evaluate import Evaluator


def _model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(3), initialize={0: 1.0, 1: 2.0, 2: 3.0})
    m.u = pyo.Var()  # never given a value: counts 0
    m.p = pyo.Param(mutable=True, initialize=10.0)
    return m


def _expressions(m: pyo.ConcreteModel) -> list:
    return [
        m.x[0] - m.x[1],                            # plain linear: -1
        2.5 * m.x[2] + 4,                           # with a constant: 11.5
        (2 * m.x[0] + m.x[1]) * m.p,                # a price times a sum: 40
        m.p * m.x[2],                               # a Param coefficient (kept apart): 30
        m.x[0] + m.p * m.x[2],                      # a Param inside a sum (dynamic row): 31
        m.x[1],                                     # a variable: 2
        7.0,                                        # a number
        pyo.quicksum([]),                           # an empty sum: 0
        (m.x[0] + m.x[2]) * m.p * 0.5,              # nested factors: 20
    ]


def test_values_equal_pyomo_and_follow_changes() -> None:
    m = _model()
    ev = Evaluator()
    calls = []

    def exprs() -> list:
        calls.append(1)
        return _expressions(m)

    expected = [-1.0, 11.5, 40.0, 30.0, 31.0, 2.0, 7.0, 0.0, 20.0]
    assert ev.values("k", exprs) == pytest.approx(expected)
    m.p.set_value(3.0)
    m.x[0].set_value(5.0)
    m.x[2].fix(1.0)  # fixed after compiling: read at its fixed value
    again = ev.values("k", exprs)
    assert again == pytest.approx([pyo.value(e) for e in _expressions(m)])
    assert again == pytest.approx([3.0, 6.5, 36.0, 3.0, 8.0, 2.0, 7.0, 0.0, 9.0])
    assert len(calls) == 1  # compiled once


def test_fixed_variable_when_compiled_and_missing_values() -> None:
    m = _model()
    m.x[1].fix(4.0)
    ev = Evaluator()
    assert ev.values("a", lambda: [m.x[0] + m.x[1], m.x[1], m.u + m.x[0]]) == pytest.approx(
        [5.0, 4.0, 1.0])
    m.x[1].fix(6.0)
    assert ev.values("a", lambda: []) == pytest.approx([7.0, 6.0, 1.0])


def test_sums_add_each_groups_terms() -> None:
    m = _model()
    ev = Evaluator()
    groups = lambda: [[m.x[0], m.x[1] * m.p], [], [3.0, 2 * m.x[2]]]  # noqa: E731
    assert ev.sums("g", groups) == pytest.approx([21.0, 0.0, 9.0])
    m.p.set_value(1.0)
    assert np.allclose(ev.sums("g", groups), [3.0, 0.0, 9.0])
