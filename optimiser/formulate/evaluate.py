"""Values of many expressions of a solved model at once, compiled once per built model.

Reading a result expression by expression with ``pyo.value`` walks each expression tree
every time; a sweep re-solves the same model for other prices and reads the same hourly
expressions again at every point (issue 16: most of a warm re-solve's time). An
:class:`Evaluator` keeps, per named batch of expressions, their linear form

    e_i = Σ_j a_ij·x_j + b_i

as a sparse matrix A over the variables x they use, and evaluates a batch as one product
A·x + b with x read from the variables' current values (a variable without a value counts
0). A row that is a price times a linear expression, f·e (a cost: Σ_t w_t·x_t times a
mutable price Param), keeps f apart and is evaluated as value(f)·(A·x + b) of its row; any
other row whose coefficients or constant are not plain numbers (a fixed variable folded into
the constant, a Param inside a sum) is evaluated with ``pyo.value`` each time. A changed
price or a variable fixed later is so always read at its current value.

Compiling costs about what one expression-by-expression evaluation costs (Pyomo's
``generate_standard_repn``), so the first read of a model is no slower and later reads of the
same model (re-solves) skip the walk.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import ProductExpression
from pyomo.repn.standard_repn import generate_standard_repn
from scipy import sparse


def value_or_zero(expr: Any) -> float:
    """``pyo.value`` with a missing value (a variable no solve set) read as 0."""
    value = pyo.value(expr, exception=False)
    return float(value) if value is not None else 0.0


@dataclass
class _Batch:
    """Compiled linear forms of a list of expressions."""

    matrix: sparse.csr_matrix
    constant: np.ndarray
    variables: list[Any]
    dynamic: list[tuple[int, Any]]
    """(row, expression) of rows evaluated with ``pyo.value`` each time."""
    factors: list[tuple[int, Any]]
    """(row, factor) of rows compiled without a constant factor (a price Param)."""

    def values(self) -> np.ndarray:
        x = np.fromiter((v.value if v.value is not None else 0.0 for v in self.variables),
                        dtype=float, count=len(self.variables))
        out = np.asarray(self.matrix @ x + self.constant, dtype=float)
        for i, factor in self.factors:
            out[i] *= value_or_zero(factor)
        for i, expr in self.dynamic:
            out[i] = value_or_zero(expr)
        return out


def _split_factors(expr: Any) -> tuple[Any, list[Any]]:
    """``expr`` = inner × Π factors, the factors being the outer constant (not variable)
    operands of products: (Σ_t w_t·x_t)·p → (Σ_t w_t·x_t, [p])."""
    factors = []
    while isinstance(expr, ProductExpression):
        a, b = expr.args
        if not getattr(a, "is_potentially_variable", lambda: False)():
            factors.append(a)
            expr = b
        elif not getattr(b, "is_potentially_variable", lambda: False)():
            factors.append(b)
            expr = a
        else:
            break
    return expr, factors


def _compile(exprs: Sequence[Any]) -> _Batch:
    """The linear form of each expression (see the module docstring)."""
    column: dict[int, int] = {}
    variables: list[Any] = []
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    constant = np.zeros(len(exprs))
    dynamic: list[tuple[int, Any]] = []
    factors: list[tuple[int, Any]] = []
    for i, whole in enumerate(exprs):
        if isinstance(whole, Real):
            constant[i] = float(whole)
            continue
        expr, outer = _split_factors(whole)
        if isinstance(expr, Real) or not expr.is_potentially_variable():
            dynamic.append((i, whole))
            continue
        if expr.is_variable_type():  # read as it is, fixed or not
            terms: Sequence[tuple[Any, Any]] = ((expr, 1.0),)
        else:
            repn = generate_standard_repn(expr, compute_values=False, quadratic=False)
            if not (repn.is_linear() and isinstance(repn.constant, Real)
                    and all(isinstance(c, Real) for c in repn.linear_coefs)):
                dynamic.append((i, whole))
                continue
            constant[i] = float(repn.constant)
            terms = tuple(zip(repn.linear_vars, repn.linear_coefs, strict=True))
        for v, coef in terms:
            j = column.setdefault(id(v), len(variables))
            if j == len(variables):
                variables.append(v)
            rows.append(i)
            cols.append(j)
            data.append(float(coef))
        factors.extend((i, f) for f in outer)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(exprs), len(variables)))
    return _Batch(matrix, constant, variables, dynamic, factors)


class Evaluator:
    """Named batches of expressions of one built model, compiled on first use."""

    def __init__(self) -> None:
        self._batches: dict[Hashable, _Batch] = {}
        self._groups: dict[Hashable, np.ndarray] = {}
        self._sizes: dict[Hashable, int] = {}

    def values(self, key: Hashable, expressions: Callable[[], Sequence[Any]]) -> np.ndarray:
        """Current values of the batch ``key``; ``expressions()`` builds its expressions
        the first time (the same key must always name the same expressions)."""
        batch = self._batches.get(key)
        if batch is None:
            batch = self._batches[key] = _compile(list(expressions()))
        return batch.values()

    def sums(self, key: Hashable, groups: Callable[[], Sequence[Sequence[Any]]]) -> np.ndarray:
        """Σ of each group's terms (e.g. the cost terms of each category and year), each term
        compiled as a row of its own so that a price factor stays outside its sum."""
        batch = self._batches.get(key)
        if batch is None:
            listed = [list(g) for g in groups()]
            terms = [t for g in listed for t in g]
            batch = self._batches[key] = _compile(terms)
            self._groups[key] = np.repeat(np.arange(len(listed)), [len(g) for g in listed])
            self._sizes[key] = len(listed)
        return np.bincount(self._groups[key], weights=batch.values(),
                           minlength=self._sizes[key]).astype(float)
