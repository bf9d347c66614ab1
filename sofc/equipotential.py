"""Equipotential cell: current distribution along the channel at one cell voltage.

Shared by the stack model with an imposed temperature profile (:mod:`sofc.stack`) and the
channel model with an energy balance (:mod:`sofc.thermal`).

Unknowns per operating point: the segment current densities :math:`i_k` [A/m2] and, in
current mode, the cell voltage :math:`V` [V]. Residuals :math:`F_k = V_k(i_k, Q_k) - V` and
:math:`G = \\sum_k A_k i_k - I`, with the charge passed upstream
:math:`Q_k = A_k(\\sum_{j<k} i_j + \\tfrac12 i_k)` [A]. Newton's method uses the Jacobian

.. math:: \\frac{\\partial F_k}{\\partial i_j} = -R_k\\,\\delta_{kj}
    + \\frac{\\partial V_k}{\\partial Q_k} A_k w_{kj},\\qquad
    w_{kj} = 1\\ (j<k),\\ \\tfrac12\\ (j=k),

plus the column :math:`\\partial F_k/\\partial V = -1` and the row
:math:`\\partial G/\\partial i_j = A_j`, with :math:`R_k` the local differential resistance
and :math:`\\partial V_k/\\partial Q_k` the effect of fuel and oxygen depletion (supplied by
the caller, e.g. a forward difference). Keeping the coupling term is what converges at low
load, where a small fuel flow makes the downstream voltage very sensitive to the current
drawn upstream (a segment-local Newton-Jacobi step overshoots there). The step is halved per
point until the merit :math:`\\max_k|F_k| + |G|\\,\\bar R/A` decreases (backtracking line
search; J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006, ch. 11).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["solve_equipotential", "upstream_weights"]

Array = NDArray[np.float64]


def upstream_weights(n: int) -> Array:
    """Weights :math:`w_{kj}` with :math:`Q_k = A_k \\sum_j w_{kj} i_j` (module notes)."""
    return np.asarray(np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n), dtype=float)


def solve_equipotential(
    performance: Callable[[Array], Any],
    sensitivity: Callable[[Array, Any], Array],
    i_seg: Array, v_cell: Array | None, i_total: Array | None, v_fixed: Array | None,
    a_seg: float, *, tol: float, max_iter: int,
) -> tuple[Array, Array, int, float]:
    """Newton's method with a backtracking line search for ``M`` equipotential cells.

    Parameters
    ----------
    performance : callable
        ``performance(i)`` for currents ``(M, N)`` [A/m2] returns an object with ``voltage``
        and ``resistance`` arrays ``(M, N)`` [V], [Ohm m2].
    sensitivity : callable
        ``sensitivity(i, perf)`` returns :math:`\\partial V_k/\\partial Q_k` ``(M, N)``
        [V/A].
    i_seg : numpy.ndarray
        Starting currents ``(M, N)`` [A/m2].
    v_cell, i_total : numpy.ndarray or None
        Starting voltage and total current ``(M,)`` in current mode [V], [A].
    v_fixed : numpy.ndarray or None
        Cell voltage ``(M,)`` in voltage mode [V].
    a_seg : float
        Segment area [m2].
    tol : float
        Merit below which a point has converged [V].
    max_iter : int
        Newton iterations allowed.

    Returns
    -------
    tuple
        Currents ``(M, N)``, cell voltage ``(M,)``, iterations used, final merit [V].
    """
    m_pts, n = i_seg.shape
    current_mode = i_total is not None
    area = a_seg * n
    weights = upstream_weights(n)

    def evaluate(i: Array, v: Array) -> tuple[Any, Array, Array]:
        perf = performance(i)
        f = perf.voltage - v[:, None]
        g = (a_seg * i.sum(axis=1) - i_total) if current_mode else np.zeros(m_pts)
        merit = np.max(np.abs(f), axis=1) + np.abs(g) * np.mean(perf.resistance, axis=1) / area
        return perf, f, merit

    v = np.asarray(v_cell if current_mode else v_fixed, dtype=float).copy()
    perf, f, merit = evaluate(i_seg, v)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - iteration count is reported
        if float(np.max(merit)) < tol:
            break
        dv_dq = sensitivity(i_seg, perf)
        jac = -np.eye(n) * perf.resistance[:, :, None] + dv_dq[:, :, None] * a_seg * weights
        if current_mode:
            full = np.zeros((m_pts, n + 1, n + 1))
            full[:, :n, :n] = jac
            full[:, :n, n] = -1.0
            full[:, n, :n] = a_seg
            rhs = -np.concatenate([f, (a_seg * i_seg.sum(axis=1) - i_total)[:, None]], axis=1)
            step = np.linalg.solve(full, rhs[..., None])[..., 0]
            di, dv = step[:, :n], step[:, n]
        else:
            di, dv = np.linalg.solve(jac, -f[..., None])[..., 0], np.zeros(m_pts)
        alpha = np.ones(m_pts)
        for _ in range(30):
            trial = evaluate(i_seg + alpha[:, None] * di, v + alpha * dv)
            better = trial[2] < (1.0 - 1e-4 * alpha) * merit
            if np.all(better | (merit < tol)):
                break
            alpha = np.where(better | (merit < tol), alpha, 0.5 * alpha)
        i_seg = i_seg + alpha[:, None] * di
        v = v + alpha * dv
        perf, f, merit = trial
    return i_seg, v, it, float(np.max(merit))
