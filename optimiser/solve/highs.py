"""The one place that talks to HiGHS.

The Pyomo model is compiled once into matrix form by Pyomo's ``LinearStandardFormCompiler``
(``mixed_form``: rows keep their ≤, = or ≥ sense) and handed to HiGHS in one ``passModel``
call, which is several times faster than Pyomo's persistent interface adding columns and rows
one by one (bench/RESULTS.md). Later solves of the same model send only what changed:

the objective, when a mutable ``Param`` changed (prices in a sweep) — Params may appear in
the objective only, never in constraints. HiGHS keeps its basis, so such a re-solve is a warm
start, with primal simplex: a change of costs leaves the basis primal feasible.

Fixed variables are constants in the matrix (as in Pyomo's persistent interface: HiGHS's dual
simplex failed on Tochigi at repdays:4 when they were kept as fixed columns with their
coefficients). Fixing or unfixing a variable (target slack and unserved energy in the
infeasibility diagnosis, integers fixed for duals) therefore sends the model again; that
happens only on those rare paths.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.standard_repn import generate_standard_repn

_STATUS = highspy.HighsModelStatus
_FEASIBLE = 2
"""HiGHS ``primal_solution_status`` of a feasible point."""
#: HiGHS ``simplex_strategy`` values: dual simplex (cold solves, bounds changed) and primal
#: (warm re-solves after a change of costs only).
DUAL, PRIMAL = 1, 4
METHODS: dict[str, dict[str, Any]] = {
    "auto": {"solver": "simplex", "simplex_scale_strategy": 0, "simplex_strategy": DUAL},
    "ipm": {"solver": "ipm", "simplex_scale_strategy": 2, "simplex_strategy": DUAL},
    "simplex": {"solver": "simplex", "simplex_scale_strategy": 2, "simplex_strategy": DUAL},
    "hipo": {"solver": "hipo", "run_crossover": "on", "simplex_scale_strategy": 0,
             "simplex_strategy": DUAL},
    "dual": {"solver": "simplex", "simplex_scale_strategy": 0, "simplex_strategy": DUAL},
}
"""HiGHS options of each cold-solve method. ``auto``: the model is built in units that keep
coefficients within a few orders of magnitude of 1 (MW, t, the objective in
:func:`optimiser.formulate.model.money_scale`, whose costs lie inside HiGHS's [1e-4, 1e6]), and
HiGHS's own scaling made dual simplex slower and more fragile on it (measured when the objective's
unit was 100 times larger, costs down to 1e-5): Tochigi repdays:12 × 6 years
10.6 s unscaled against 46 s scaled (IPM 37 s), Sunderland 27 s against 79 s (IPM 32 s),
Tochigi's hourly 2030 57 s against 64 s; Tochigi repdays:4 × 3 years failed ("solve error")
scaled and with IPM, and solved unscaled in 0.5 s."""
#: ``auto`` solves an LP of at least this many columns with HiPO, HiGHS's newer interior
#: point solver (with crossover, so re-solves have a basis), when ``highspy-extras`` is
#: installed: one hourly planning year of Sunderland (254,091 columns) took 140 s with it
#: against more than 400 s of dual simplex (stopped), while Tochigi at repdays:12 (52,672
#: columns) took 48 s against 33 s (bench/NOTES.md)
HIPO_COLUMNS = 150_000
MIP_SETTINGS = {"solver": "choose", "simplex_scale_strategy": 2, "simplex_strategy": DUAL}
_NO_ANSWER = (_STATUS.kNotset, _STATUS.kSolveError, _STATUS.kPostsolveError, _STATUS.kUnknown)
"""Model statuses after which another method may still find the answer."""


def hipo_available() -> bool:
    """HiGHS's HiPO solver is installed (the ``highspy-extras`` package)."""
    import importlib.util

    return importlib.util.find_spec("highspy_extras") is not None


def available_methods() -> list[str]:
    """The keys of :data:`METHODS` this installation can run."""
    return [k for k in METHODS if k != "hipo" or hipo_available()]


#: the methods a solve that gives up falls back to, in order (HiPO is chosen by ``auto`` for
#: large LPs or asked for; as a fallback it adds a slow interior point run and no new way out)
FALLBACK = ("auto", "ipm", "simplex")


def cold_method(method: str, n_columns: int) -> str:
    """The settings a cold solve of an LP of ``n_columns`` runs with: ``auto`` is HiPO from
    :data:`HIPO_COLUMNS` on (if installed), else dual simplex on the model as built; ``dual``
    is always the latter (dispatch-only LPs with capacities held: presolve shrinks an hourly
    year so much that dual simplex takes seconds, where HiPO takes minutes)."""
    if method == "auto" and n_columns >= HIPO_COLUMNS and hipo_available():
        return "hipo"
    return method


@dataclass
class SolveOutcome:
    """What came back from the solver."""

    status: str
    """``optimal``, ``time_limit`` (with a feasible plan), ``unbounded``, ``targets_missed``
    (a diagnostic plan with priced target slack), ``demand_not_met`` (diagnostic, unserved
    energy allowed), ``no_plan_in_time``, ``infeasible``, ``error`` or ``numerical_error``
    (the solver's answer is not a finite number: :meth:`not_finite`)."""
    objective: float = math.nan
    bound: float = math.nan
    gap: float = math.nan
    solve_s: float = 0.0
    transfer_s: float = 0.0
    duals: dict[Any, float] = field(default_factory=dict)
    message: str = ""
    tried: list[str] = field(default_factory=list)
    """The solver settings tried, each with the status it ended in."""

    def rescaled(self, scale: float) -> SolveOutcome:
        """The outcome with objective, bound and duals in currency (objective unit × scale);
        ``numerical_error`` if a plan's objective is then not a finite number."""
        out = SolveOutcome(self.status, self.objective * scale, self.bound * scale, self.gap,
                           self.solve_s, self.transfer_s,
                           {k: v * scale for k, v in self.duals.items()}, self.message,
                           self.tried)
        return out.not_finite() if out.feasible and not math.isfinite(out.objective) else out

    def not_finite(self) -> SolveOutcome:
        """This outcome as ``numerical_error``: the solver reported a plan whose objective is
        not a finite number (no plan is kept; the command line exits 1)."""
        return SolveOutcome("numerical_error", solve_s=self.solve_s, transfer_s=self.transfer_s,
                            tried=self.tried, message=(
                                f"the solver's answer is not a finite number (net present "
                                f"cost {self.objective}): a number of the plan is too large "
                                "or too small for the model; check the units of the largest "
                                "prices and quantities"))

    @property
    def feasible(self) -> bool:
        """A plan (optimal or not) is loaded in the model."""
        return self.status in ("optimal", "time_limit", "targets_missed", "demand_not_met")


@dataclass
class _Transferred:
    """A model as HiGHS holds it: columns, rows and what later solves compare against."""

    model: pyo.ConcreteModel
    columns: list[Any]
    column_of: dict[int, int]
    row_of: dict[int, list[int]]
    fixed: list[tuple[Any, Any]]
    """Variables fixed when the model was sent, with their values (constants in the matrix)."""
    params: tuple[float, ...]
    integer: bool
    """HiGHS holds a MIP."""
    ranges: str = ""
    """Magnitudes of the matrix and cost coefficients, for a failure's message."""
    bounds: tuple[np.ndarray, np.ndarray] | None = None
    """Column lower and upper bounds as sent (a solution is read within them)."""
    costs: tuple[np.ndarray, float] | None = None
    """Objective coefficients and constant as sent."""

    def same_fixings(self) -> bool:
        """No variable was fixed, unfixed or fixed at another value since the transfer."""
        return (all(v.fixed and v.value == x for v, x in self.fixed)
                and not any(v.fixed for v in self.columns))


class HighsSolver:
    """HiGHS holding one model: transferred once, later solves send only changes.

    Parameters
    ----------
    time_limit
        Wall-clock limit per solve [s].
    mip_gap
        Relative MIP gap (unit commitment plans only).
    threads
        HiGHS threads (``None``: HiGHS decides). Set it to 1 in parallel sweep workers.
    method
        How the first (cold) solve of a model runs (:data:`METHODS`): ``auto`` (dual simplex
        on the model as built, without HiGHS's scaling), ``simplex`` (dual simplex with
        HiGHS's scaling) or ``ipm`` (interior point with crossover, so the basis is there for
        warm re-solves). Re-solves always use simplex from the last basis. If a solve gives
        up ("solve error"), the other settings are tried from scratch in the order of
        :data:`METHODS`, then each without presolve; ``SolveOutcome.tried`` lists them with
        the status each ended in, and a failure's message names them and what to do.
    """

    def __init__(self, time_limit: float | None = None, mip_gap: float = 1e-4,
                 threads: int | None = None, method: str = "auto"):
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", False)
        if time_limit is not None:
            self._h.setOptionValue("time_limit", float(time_limit))
        self._h.setOptionValue("mip_rel_gap", float(mip_gap))
        if threads is not None:
            self._h.setOptionValue("threads", int(threads))
        self._method = method
        self._settings_given = {"time_limit": time_limit, "mip_gap": mip_gap, "threads": threads,
                                "method": method}
        self._held: _Transferred | None = None
        self._repriced = False
        """The held LP's costs were changed by :meth:`solve_priced`."""

    def fresh(self) -> HighsSolver:
        """A new solver with the same settings (for a model whose rows changed)."""
        return HighsSolver(**self._settings_given)  # type: ignore[arg-type]

    def size(self) -> dict[str, int]:
        """Rows, columns and non-zeros of the LP HiGHS holds (before presolve)."""
        lp = self._h.getLp()
        return {"rows": int(lp.num_row_), "columns": int(lp.num_col_),
                "nonzeros": int(len(lp.a_matrix_.value_))}

    def solve(self, m: pyo.ConcreteModel, duals_of: list[Any] | None = None) -> SolveOutcome:
        """Solve ``m`` (transferring it on first use); load the solution if there is one."""
        start = time.perf_counter()
        if self._held is None or self._held.model is not m or not self._held.same_fixings():
            self._held = _transfer(self._h, m)
            # HiGHS's MIP solver picks its own LP method
            self._settings(MIP_SETTINGS if self._held.integer else
                           METHODS[cold_method(self._method, len(self._held.columns))])
        else:
            if self._repriced:
                self.restore_costs()
            _send_objective(self._h, self._held)
            if not self._held.integer:
                # only costs changed: the basis stays primal feasible, so primal simplex
                # starts in phase 2 (Tochigi repdays:4, a 20-point fuel-price sweep: 14 s of
                # re-solves against 31 s with dual simplex; bench/RESULTS.md)
                self._h.setOptionValue("solver", "simplex")
                self._h.setOptionValue("simplex_strategy", PRIMAL)
        transfer = time.perf_counter() - start
        self._h.run()
        tried = [f"{self._method} ({self._h.modelStatusToString(self._h.getModelStatus())})"]
        if not self._held.integer:
            # Each setting can give up on this badly scaled model (costs span ~1e7: dual
            # simplex "solve error" after postsolve, IPX "no progress"); another one then
            # usually succeeds, so start again from scratch with the next, and last each
            # method without presolve (its postsolve is where "solve error" comes from).
            chain = [(k, "on") for k in FALLBACK if k != self._method] + [
                (k, "off") for k in FALLBACK]
            for name, presolve in chain:
                if self._h.getModelStatus() not in _NO_ANSWER:
                    break
                self._h.clearSolver()
                self._settings(METHODS[name] | {"presolve": presolve})
                self._h.run()
                label = name if presolve == "on" else f"{name} without presolve"
                tried.append(f"{label} ({self._h.modelStatusToString(self._h.getModelStatus())})")
            self._h.setOptionValue("presolve", "choose")
        elapsed = time.perf_counter() - start - transfer
        outcome = self._outcome(duals_of, elapsed, transfer)
        outcome.tried = tried
        if outcome.status == "error":
            outcome.message = (f"{outcome.message}; tried {', '.join(tried)} (coefficients: "
                               f"{self._held.ranges}). Try another "
                               "--resolution (e.g. repdays:12 or repdays:6), and please report "
                               "the plan: a valid plan should always solve")
        return outcome

    def shifted_objective(self, constraint: Any, delta: float) -> float | None:
        """Objective (model units) of the held LP with the bounds of ``constraint`` moved by
        ``delta`` (a ≤ row: its right-hand side raised by ``delta``), solved warm from the
        current basis; None if that LP has no optimum. The bounds are put back afterwards
        and the solution in the Pyomo model is left as it was. For one-sided duals: the
        change of the objective per unit of right-hand side on each side of a kink."""
        held = self._held
        if held is None or held.integer:
            return None
        rows = held.row_of.get(id(constraint), [])
        if not rows:
            return None
        lp = self._h.getLp()
        old = [(i, float(lp.row_lower_[i]), float(lp.row_upper_[i])) for i in rows]
        try:
            for i, lo, hi in old:
                self._h.changeRowBounds(i, lo + delta if np.isfinite(lo) else lo,
                                        hi + delta if np.isfinite(hi) else hi)
            self._h.setOptionValue("solver", "simplex")
            self._h.setOptionValue("simplex_strategy", DUAL)  # bounds moved: dual feasible
            self._h.run()
            if self._h.getModelStatus() != _STATUS.kOptimal:
                return None
            return float(self._h.getInfo().objective_function_value)
        finally:
            for i, lo, hi in old:
                self._h.changeRowBounds(i, lo, hi)

    @property
    def holds_integers(self) -> bool:
        """The model HiGHS holds has integer columns (None held: False)."""
        return self._held is not None and self._held.integer

    def linear_form(self, expr: Any) -> LinearForm:
        """``expr`` (linear in the held model's variables) as column coefficients and a
        constant, so that its value is ``form.value(x)`` for a column vector x."""
        held = self._require_held()
        repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
        columns = [held.column_of[id(v)] for v in repn.linear_vars]
        return LinearForm(np.asarray(columns, dtype=np.int32),
                          np.asarray(repn.linear_coefs, dtype=float), float(repn.constant))

    def solve_priced(self, extra: list[tuple[LinearForm, float]],
                     duals_of: list[Any] | None = None) -> PricedSolve:
        """Re-solve the held LP with its objective plus Σ π·form for (form, π) in ``extra``
        (model units), warm from the last basis with primal simplex (only costs change).
        The model's own objective value c·x, the column values and the duals of
        ``duals_of`` come back; nothing is loaded into the Pyomo model
        (:meth:`load_columns`). Pricing a decomposition's subproblem
        (:mod:`optimiser.fleet`)."""
        held = self._require_held()
        assert held.costs is not None
        base, offset = held.costs
        cost = base.copy()
        for form, price in extra:
            np.add.at(cost, form.columns, price * form.coefs)
        self._h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self._repriced = True
        status, elapsed = self._solve_warm_primal()
        if status != _STATUS.kOptimal:
            return PricedSolve(self._h.modelStatusToString(status), math.nan, None, elapsed)
        solution = self._h.getSolution()
        x = self._columns(solution, len(cost))
        duals = _duals(held, solution.row_dual, duals_of) if duals_of else {}
        return PricedSolve("optimal", float(base @ x + offset), x, elapsed, duals)

    def basis(self) -> Basis | None:
        """The held LP's current basis (None for a MIP or before any solve): where another
        HiGHS holding the same LP starts warm (:meth:`hold`)."""
        if self._held is None or self._held.integer:
            return None
        b = self._h.getBasis()
        if not b.valid:
            return None
        return Basis(np.array([int(s) for s in b.col_status], dtype=np.int8),
                     np.array([int(s) for s in b.row_status], dtype=np.int8))

    def hold(self, m: pyo.ConcreteModel, basis: Basis | None = None) -> bool:
        """Transfer ``m`` without solving it, starting from ``basis`` (taken by
        :meth:`basis` from a solver holding the same LP, e.g. in another process) when it
        fits; returns whether it was taken. The next solve starts from it."""
        self._held = _transfer(self._h, m)
        self._settings(MIP_SETTINGS if self._held.integer else
                       METHODS[cold_method(self._method, len(self._held.columns))])
        return basis is not None and self.set_basis(basis)

    def set_basis(self, basis: Basis) -> bool:
        """Start the next solve from ``basis`` if it fits the LP held (an LP, the same
        numbers of columns and rows); returns whether it was taken."""
        lp = self._h.getLp()
        if self.holds_integers or (len(basis.columns), len(basis.rows)) != (
                lp.num_col_, lp.num_row_):
            return False
        b = highspy.HighsBasis()
        status = highspy.HighsBasisStatus
        b.col_status = [status(int(s)) for s in basis.columns]
        b.row_status = [status(int(s)) for s in basis.rows]
        b.valid = True
        return self._h.setBasis(b) == highspy.HighsStatus.kOk

    def add_row(self, form: LinearForm, upper: float) -> int:
        """Add the row form ≤ ``upper`` (model units) to the LP held; returns its index (for
        :meth:`delete_row`)."""
        self._h.addRow(-highspy.kHighsInf, upper - form.constant, len(form.columns),
                       form.columns.astype(np.int32), form.coefs)
        return int(self._h.getNumRow()) - 1

    def delete_row(self, row: int) -> None:
        """Remove a row added by :meth:`add_row`."""
        self._h.deleteRows(1, np.array([row], dtype=np.int32))

    def own_form(self) -> LinearForm:
        """The held model's own objective c·x + offset as a :class:`LinearForm`."""
        held = self._require_held()
        assert held.costs is not None
        cost, offset = held.costs
        idx = np.flatnonzero(cost).astype(np.int32)
        return LinearForm(idx, cost[idx], offset)

    def cap_objective(self, limit: float) -> int:
        """Add the row c·x + offset ≤ ``limit`` (model units): the held objective may rise to
        ``limit`` and no further (modelling to generate alternatives,
        :mod:`optimiser.alternatives`). The point held stays feasible if its objective is
        below ``limit``, so a warm start keeps its basis (the new row's slack is basic)."""
        return self.add_row(self.own_form(), limit)

    def solve_objective(self, form: LinearForm) -> PricedSolve:
        """Re-solve the held model minimising ``form`` instead of its objective (the rows,
        those added by :meth:`add_row` included), warm from the last basis; returns the
        model's own objective c·x + offset at the solution, the columns and the value of
        ``form`` (``PricedSolve.value``; nothing is loaded into the Pyomo model:
        :meth:`load_columns`). The held objective comes back with the next :meth:`solve`."""
        held = self._require_held()
        assert held.costs is not None
        n = len(held.costs[0])
        cost = np.zeros(self._h.getNumCol())
        np.add.at(cost, form.columns, form.coefs)
        self._h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self._h.changeObjectiveOffset(0.0)
        self._repriced = True
        if held.integer:
            start = time.perf_counter()
            self._h.run()
            status, elapsed = self._h.getModelStatus(), time.perf_counter() - start
        else:
            status, elapsed = self._solve_warm_primal()
        if status != _STATUS.kOptimal:
            return PricedSolve(self._h.modelStatusToString(status), math.nan, None, elapsed)
        x = self._columns(self._h.getSolution(), n)
        return PricedSolve("optimal", self.own_objective(x), x, elapsed,
                           iterations=int(self._h.getInfo().simplex_iteration_count),
                           value=form.value(x))

    def _solve_warm_primal(self) -> tuple[Any, float]:
        """Primal simplex from the last basis (only costs changed: it is primal feasible);
        from scratch with dual simplex if that ends without an optimum. Returns HiGHS's
        model status and the time taken [s]."""
        self._h.setOptionValue("solver", "simplex")
        self._h.setOptionValue("simplex_strategy", PRIMAL)
        start = time.perf_counter()
        self._h.run()
        if self._h.getModelStatus() != _STATUS.kOptimal:
            self._h.clearSolver()
            self._settings(METHODS["auto"])
            self._h.run()
        return self._h.getModelStatus(), time.perf_counter() - start

    def _columns(self, solution: Any, n: int) -> np.ndarray:
        """The first ``n`` column values of ``solution`` (the model's own columns), read
        within their bounds."""
        x = np.asarray(solution.col_value, dtype=float)[:n]
        held = self._require_held()
        return np.clip(x, *held.bounds) if held.bounds is not None else x

    def restore_costs(self) -> None:
        """Send the model's own objective again after :meth:`solve_priced`."""
        held = self._require_held()
        assert held.costs is not None
        cost, offset = held.costs
        self._h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        self._h.changeObjectiveOffset(offset)
        self._repriced = False

    def load_columns(self, x: np.ndarray) -> None:
        """Write column values (from :meth:`solve_priced`) into the Pyomo variables."""
        _load_values(self._require_held().columns, x)

    def own_objective(self, x: np.ndarray) -> float:
        """The held model's own objective c·x + offset at column values ``x`` [model
        units]."""
        held = self._require_held()
        assert held.costs is not None
        cost, offset = held.costs
        return float(cost @ x + offset)

    def _require_held(self) -> _Transferred:
        if self._held is None:
            raise RuntimeError("no model has been solved with this solver yet")
        return self._held

    def _settings(self, options: dict[str, Any]) -> None:
        for key, value in options.items():
            self._h.setOptionValue(key, value)

    def _outcome(self, duals_of: list[Any] | None, elapsed: float,
                 transfer: float) -> SolveOutcome:
        """Read the status, load the plan into the model and collect the asked duals."""
        h, held = self._h, self._held
        assert held is not None
        status = h.getModelStatus()
        info = h.getInfo()
        has_plan = info.primal_solution_status == _FEASIBLE
        def failed(status: str, message: str) -> SolveOutcome:
            return SolveOutcome(status, message=message, solve_s=elapsed, transfer_s=transfer)

        if status in (_STATUS.kInfeasible, _STATUS.kUnboundedOrInfeasible):
            return failed("infeasible", h.modelStatusToString(status))
        if status == _STATUS.kUnbounded:
            return failed("unbounded", "the plan is unbounded: some profitable flow has no "
                          "limit (e.g. export priced above import without a connection limit)")
        stopped = status in (_STATUS.kTimeLimit, _STATUS.kIterationLimit,
                             _STATUS.kSolutionLimit, _STATUS.kInterrupt)
        if stopped and not has_plan:
            return failed("no_plan_in_time", "the solver stopped at the time limit before it "
                          "found a feasible plan (an LP has none until it finishes); raise "
                          "--time-limit or use fewer representative days")
        if not has_plan or (status != _STATUS.kOptimal and not stopped):
            return failed("error", h.modelStatusToString(status))
        solution = h.getSolution()
        values = np.asarray(solution.col_value, dtype=float)
        if held.bounds is not None:
            # HiGHS may leave a value outside its bounds by up to its feasibility tolerance
            # (1e-7): a capacity of -8e-8 MW is read as 0
            clipped = np.clip(values, *held.bounds)
            off = np.abs(clipped - values)
            if len(off) and off.max() > 1e-6:
                warnings.warn(f"HiGHS returned {held.columns[int(off.argmax())].name} "
                              f"{off.max():.2g} outside its bounds (read at the bound)",
                              RuntimeWarning, stacklevel=4)
            values = clipped
        obj = float(info.objective_function_value)
        bound = float(info.mip_dual_bound) if held.integer else obj
        gap = abs(obj - bound) / max(abs(obj), 1e-9)
        outcome = SolveOutcome("time_limit" if stopped else "optimal", obj, bound, gap,
                               solve_s=elapsed, transfer_s=transfer)
        if not (math.isfinite(obj) and np.isfinite(values).all()):
            return outcome.not_finite()
        _load_values(held.columns, values)
        if duals_of and not held.integer and outcome.status == "optimal":
            outcome.duals = _duals(held, solution.row_dual, duals_of)
        return outcome


@dataclass(frozen=True)
class LinearForm:
    """A linear expression over a held model's columns: Σ coefs·x[columns] + constant."""

    columns: np.ndarray
    coefs: np.ndarray
    constant: float

    def value(self, x: np.ndarray) -> float:
        """Its value at column values ``x``."""
        return float(self.coefs @ x[self.columns] + self.constant)


@dataclass(frozen=True)
class Basis:
    """A simplex basis as HiGHS status codes of each column and row (picklable)."""

    columns: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class PricedSolve:
    """A re-solve with extra costs (:meth:`HighsSolver.solve_priced`)."""

    status: str
    own_objective: float
    """The model's own objective c·x + offset at the solution [model units]."""
    x: np.ndarray | None
    solve_s: float
    duals: dict[Any, float] = field(default_factory=dict)
    """Duals of the constraints asked for [model units]."""
    iterations: int = 0
    """Simplex iterations the solve took."""
    value: float = math.nan
    """The objective solved for at the solution (:meth:`HighsSolver.solve_objective`)."""


@dataclass
class LpArrays:
    """An LP as arrays (picklable: a worker process can build and compile a model and send
    only these back)."""

    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    matrix: Any
    """scipy CSC matrix."""
    integer: np.ndarray
    """Columns of integer variables."""

    def send(self, h: highspy.Highs) -> None:
        """Pass the LP to ``h`` in one call (replacing what it held)."""
        n_col, n_row = len(self.cost), len(self.row_lower)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_col, n_row
        lp.col_cost_, lp.offset_ = self.cost, self.offset
        lp.col_lower_, lp.col_upper_ = self.col_lower, self.col_upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        a = self.matrix
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_ = a.indptr, a.indices
        lp.a_matrix_.value_ = a.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
        h.clearModel()
        h.passModel(lp)
        if len(self.integer):
            h.changeColsIntegrality(len(self.integer), self.integer,
                                    np.full(len(self.integer), highspy.HighsVarType.kInteger))


@dataclass
class LinearProgram:
    """A Pyomo model compiled to matrix form (fixed variables folded into constants)."""

    arrays: LpArrays
    columns: list[Any]
    column_of: dict[int, int]
    """id(variable) -> column."""
    rows: list[Any]

    def send(self, h: highspy.Highs) -> None:
        """Pass the LP to ``h`` in one call (replacing what it held)."""
        self.arrays.send(h)

    def load(self, values: Any) -> None:
        """Write column values into the Pyomo variables."""
        _load_values(self.columns, values)


def compile_lp(m: pyo.ConcreteModel) -> LinearProgram:
    """Compile ``m`` to matrix form with Pyomo's ``LinearStandardFormCompiler`` (rows keep
    their sense; fixed variables are constants)."""
    info = LinearStandardFormCompiler().write(m, mixed_form=True)
    columns = list(info.columns)
    lower, upper = _column_bounds(columns)
    rhs = np.asarray(info.rhs, dtype=float)
    sense = np.fromiter((r.bound_type for r in info.rows), dtype=np.int8, count=len(info.rows))
    row_lower = np.where(sense == 1, -highspy.kHighsInf, rhs)  # 1: ≤, 0: =, −1: ≥
    row_upper = np.where(sense == -1, highspy.kHighsInf, rhs)
    cost = np.asarray(info.c.todense()).ravel() if info.c.shape[0] else np.zeros(len(columns))
    offset = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    integer = np.flatnonzero(np.fromiter((not v.is_continuous() for v in columns), dtype=bool,
                                         count=len(columns))).astype(np.int32)
    arrays = LpArrays(cost, offset, lower, upper, row_lower, row_upper, info.A.tocsc(), integer)
    return LinearProgram(arrays, columns, {id(v): j for j, v in enumerate(columns)},
                         list(info.rows))


def _transfer(h: highspy.Highs, m: pyo.ConcreteModel) -> _Transferred:
    """Compile ``m`` to matrix form (fixed variables folded into constants) and pass it to
    HiGHS in one call."""
    fixed = [(v, v.value) for v in m.component_data_objects(pyo.Var, active=True) if v.fixed]
    lp = compile_lp(m)
    lp.send(h)
    row_of: dict[int, list[int]] = {}
    for i, row in enumerate(lp.rows):
        row_of.setdefault(id(row.constraint), []).append(i)
    arr = lp.arrays
    return _Transferred(m, lp.columns, lp.column_of, row_of, fixed, _param_values(m),
                        bool(len(arr.integer)), _ranges(arr.matrix.data, arr.cost),
                        (arr.col_lower, arr.col_upper), (arr.cost.copy(), arr.offset))


def _ranges(matrix: np.ndarray, cost: np.ndarray) -> str:
    """"matrix 2e-04 to 2e+02, costs 1e-05 to 6e+01": the smallest and largest magnitudes."""
    def span(values: np.ndarray) -> str:
        v = np.abs(values[values != 0])
        return f"{v.min():.0e} to {v.max():.0e}" if len(v) else "none"
    return f"matrix {span(matrix)}, costs {span(cost)}"


def _send_objective(h: highspy.Highs, held: _Transferred) -> None:
    """Send the objective again if a Param (a price) changed since the last solve."""
    params = _param_values(held.model)
    if params == held.params:
        return
    cost, offset = _objective_costs(held)
    h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
    h.changeObjectiveOffset(offset)
    held.params = params
    held.costs = (cost, offset)


def _objective_costs(held: _Transferred) -> tuple[np.ndarray, float]:
    """Objective coefficients per column and constant, at the current Param values."""
    (objective,) = held.model.component_data_objects(pyo.Objective, active=True)
    repn = generate_standard_repn(objective.expr, compute_values=True, quadratic=False)
    cost = np.zeros(len(held.columns))
    for v, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
        j = held.column_of.get(id(v))
        if j is None:
            raise RuntimeError(f"{v.name} entered the objective after the model was sent to "
                               "HiGHS: build a new solver for a changed model")
        cost[j] += coef
    sign = 1.0 if objective.sense == pyo.minimize else -1.0
    return sign * cost, sign * float(repn.constant)


def _column_bounds(columns: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of ``columns`` (±inf where a variable has none)."""
    bounds = np.array([v.bounds for v in columns], dtype=float).reshape(-1, 2)
    lower = np.where(np.isnan(bounds[:, 0]), -highspy.kHighsInf, bounds[:, 0])
    upper = np.where(np.isnan(bounds[:, 1]), highspy.kHighsInf, bounds[:, 1])
    return lower, upper


def _load_values(columns: list[Any], values: Any) -> None:
    """Write HiGHS column values into the Pyomo variables."""
    for v, x in zip(columns, values, strict=True):
        v.set_value(x, skip_validation=True)


def _duals(held: _Transferred, row_dual: Any, constraints: list[Any]) -> dict[Any, float]:
    """Dual of each constraint (∂ objective / ∂ right-hand side, HiGHS sign convention)."""
    out = {}
    for con in constraints:
        rows = held.row_of.get(id(con))
        if rows:
            out[con] = float(sum(row_dual[i] for i in rows))
    return out


def _param_values(m: pyo.ConcreteModel) -> tuple[float, ...]:
    """Values of every mutable Param of ``m``, to notice a price change."""
    return tuple(pyo.value(p) for param in m.component_objects(pyo.Param, active=True)
                 if param.mutable for p in param.values())


def solve_again(h: highspy.Highs, iterations: int | None = None) -> Any:
    """Re-solve from the last basis with dual simplex (only bounds or rows changed, so the
    basis stays dual feasible), at most ``iterations`` simplex iterations; if that gives no
    optimum, solve again from scratch (with presolve; without it if that fails too: a warm
    start was once seen to report a feasible box infeasible).

    A warm start skips presolve, and an hourly year's LP shrinks a lot in presolve: cold, it
    takes ~3 s for ~78,000 iterations on Tochigi, warm ~1.4 ms an iteration on the whole LP
    (bench/NOTES.md), so a warm start pays only for small moves. Returns the model status."""
    h.setOptionValue("simplex_strategy", DUAL)
    h.setOptionValue("simplex_iteration_limit", iterations if iterations else 2**31 - 1)
    h.run()
    h.setOptionValue("simplex_iteration_limit", 2**31 - 1)
    for presolve in ("choose", "off"):
        if h.getModelStatus() == _STATUS.kOptimal:
            break
        h.clearSolver()
        h.setOptionValue("presolve", presolve)
        h.run()
    h.setOptionValue("presolve", "choose")
    return h.getModelStatus()


def new_highs(threads: int | None = None) -> highspy.Highs:
    """A quiet HiGHS for the LPs a decomposition drives itself: dual simplex on the model as
    built (``auto`` of :data:`METHODS`)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_scale_strategy", 0)
    if threads is not None:
        h.setOptionValue("threads", threads)
    return h
