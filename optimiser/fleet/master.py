"""The restricted master of the fleet's Dantzig-Wolfe decomposition.

Each plant p offers the columns j it has answered with so far (:class:`~optimiser.fleet.
pricer.Column`: cost C_pj, linking terms a_pj,r). The master mixes them:

    min  Σ_pj C_pj·w_pj / U + M/U · Σ_r σ_r
    s.t. Σ_pj a_pj,r·w_pj − σ_r ≤ L_r     (emissions rows)
         Σ_pj a_pj,r·w_pj − σ_r ≤ c_r     (credits rows: the first columns may count more
                                          credits than the cap, each plant up to it)
         Σ_j w_pj = 1                     (each plant: convexity, dual μ_p)
         w, σ ≥ 0

(:mod:`optimiser.fleet.linking`). Its duals are the prices the plants answer next:
π_r = −U·∂/∂L_r ≥ 0 [reporting currency per t], μ_p = U·(dual of convexity p).
A mix of each plant's columns is a plan of that plant (its LP is convex), so with σ = 0 the
master's cost bounds the fleet's optimum from above.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from optimiser.fleet.linking import LinkRow
from optimiser.fleet.pricer import Column
from optimiser.solve.highs import new_highs


@dataclass(frozen=True)
class MasterSolution:
    """The restricted master at its optimum."""

    cost: float
    """Σ C·w + M·Σσ [reporting currency]."""
    prices: dict[str, float]
    """π_r [reporting currency per t]."""
    convexity: dict[str, float]
    """μ_p [reporting currency]."""
    weights: dict[str, list[float]]
    """w_pj by plant, in the order of its columns."""
    over: dict[str, float]
    """σ by row id [t]."""


def solve_master(columns: dict[str, list[Column]], rows: list[LinkRow], scale: float,
                 over_price: float) -> MasterSolution:
    """Build and solve the restricted master (module docstring)."""
    plants = list(columns)
    row_of = {lr.id: i for i, lr in enumerate(rows)}
    n_link = len(rows)
    convexity_row = {p: n_link + i for i, p in enumerate(plants)}
    cost, lower, upper, entries = [], [], [], []

    def add(c: float, lo: float, hi: float, coefs: list[tuple[int, float]]) -> None:
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        entries.append(coefs)

    for p in plants:
        for col in columns[p]:
            add(col.cost / scale, 0.0, highspy.kHighsInf,
                [(row_of[r], v) for r, v in col.terms.items() if r in row_of and v != 0.0]
                + [(convexity_row[p], 1.0)])
    row_ids = [lr.id for lr in rows]
    for rid in row_ids:
        add(over_price / scale, 0.0, highspy.kHighsInf, [(row_of[rid], -1.0)])
    h = new_highs()
    _pass(h, cost, lower, upper, entries,
          [-highspy.kHighsInf] * n_link + [1.0] * len(plants),
          [lr.rhs for lr in rows] + [1.0] * len(plants))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        status = h.modelStatusToString(h.getModelStatus())
        raise RuntimeError(f"the fleet's master LP ended {status}")
    sol = h.getSolution()
    x, dual = np.asarray(sol.col_value), np.asarray(sol.row_dual)
    weights, j = {}, 0
    for p in plants:
        weights[p] = [float(v) for v in x[j:j + len(columns[p])]]
        j += len(columns[p])
    over = {rid: float(x[j + i]) for i, rid in enumerate(row_ids)}
    return MasterSolution(float(h.getInfo().objective_function_value) * scale,
                          {lr.id: max(0.0, -float(dual[i]) * scale) for i, lr in enumerate(rows)},
                          {p: float(dual[convexity_row[p]]) * scale for p in plants},
                          weights, over)


def _pass(h: highspy.Highs, cost: list[float], lower: list[float], upper: list[float],
          entries: list[list[tuple[int, float]]], row_lower: list[float],
          row_upper: list[float]) -> None:
    """Pass a column-wise LP to ``h``."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(row_lower)
    lp.col_cost_ = np.asarray(cost)
    lp.col_lower_, lp.col_upper_ = np.asarray(lower), np.asarray(upper)
    lp.row_lower_, lp.row_upper_ = np.asarray(row_lower), np.asarray(row_upper)
    start, index, value = [0], [], []
    for coefs in entries:
        for i, v in coefs:
            index.append(i)
            value.append(v)
        start.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(value, dtype=float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cost), len(row_lower)
    h.passModel(lp)
