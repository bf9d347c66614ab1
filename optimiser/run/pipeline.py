"""A plan run, stage by stage: profiles → SOFC curves → build → solve → results."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import ModelInputs, Resolution, make_inputs
from optimiser.formulate.model import build_model
from optimiser.formulate.sofc_twin import sofc_inputs
from optimiser.post.implied_prices import binding_limits, price_ranges
from optimiser.post.results import extract
from optimiser.solve.highs import Basis, HighsSolver, SolveOutcome
from plant.accounting import target_limit_t
from plant.loader import LoadedPlan
from plant.profiles import build_profiles

Stage = Callable[[str], None]



@dataclass
class PlanRun:
    """The outcome of one plan run."""

    results: xr.Dataset
    outcome: SolveOutcome
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: list[str] = field(default_factory=list)
    """Why targets could not be met, when they could not."""
    decisions: dict[str, float] = field(default_factory=dict)
    """Solved capacity decisions by variable name, for the hourly verification
    (:func:`held_decisions`, :mod:`optimiser.verify.hourly`)."""
    linking: dict[str, float] = field(default_factory=dict)
    """Solved capacities the hourly rows read, by variable name (capacity totals, aged
    output capacity, PPA shares): where a decomposition by year starts
    (:mod:`optimiser.decompose`)."""
    adequacy: dict[str, Any] | None = None
    """What the shortfall iteration did, when the plan was verified
    (:meth:`optimiser.verify.adequacy.AdequacyReport.as_dict`)."""
    basis: Basis | None = None
    """The optimal basis of the whole LP (None for a MIP or a decomposition): where the
    alternatives' solves start (:mod:`optimiser.alternatives`)."""


def run_plan(loaded: LoadedPlan, resolution: str | Resolution = "repdays:12",
             time_limit: float | None = None, stage: Stage = lambda _: None,
             method: str = "auto", inputs: ModelInputs | None = None) -> PlanRun:
    """Run a plan: returns results, solver outcome, timings and any target diagnosis
    (``inputs``: the plan's inputs at ``resolution`` when they are already prepared)."""
    res = Resolution.parse(resolution) if isinstance(resolution, str) else resolution
    timings: dict[str, float] = {}
    timed = timer(timings, stage)
    if inputs is None:
        inputs = prepare_inputs(loaded, res, timed)
    m, ctx = timed("build", lambda: build_model(inputs))
    return solve_built(HighsSolver(time_limit=time_limit, method=method), ctx, timings, stage,
                       keep_basis=True)


def timer(timings: dict[str, float], stage: Stage) -> Callable[[str, Callable[[], Any]], Any]:
    """``timed(name, fn)``: announce the stage, run ``fn`` and record its time."""

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        stage(name)
        start = time.perf_counter()
        out = fn()
        timings[f"{name}_s"] = time.perf_counter() - start
        return out

    return timed


def prepare_inputs(loaded: LoadedPlan, res: Resolution,
                   timed: Callable[[str, Callable[[], Any]], Any] | None = None,
                   ) -> ModelInputs:
    """Profiles, SOFC curves and time aggregation: everything :func:`build_model` needs."""
    timed = timed or timer({}, lambda _: None)
    profiles = timed("profiles", lambda: build_profiles(loaded.plan, loaded.file.parent))
    units = timed("curves", lambda: sofc_inputs(loaded))
    inputs: ModelInputs = timed("aggregate", lambda: make_inputs(loaded.plan, profiles, res))
    inputs.sofc = units
    return inputs


def solve_built(solver: HighsSolver, ctx: Context, timings: dict[str, float] | None = None,
                stage: Stage = lambda _: None, implied_prices: bool = True,
                light: bool = False, keep_basis: bool = False) -> PlanRun:
    """Solve a built model (again, if ``solver`` already holds it) and extract its results.

    An infeasible plan is diagnosed (targets, then demand relaxed); the relaxations are undone
    before returning, so the model can be re-solved with other prices. ``implied_prices``:
    also find both one-sided implied prices of the targets (two warm re-solves for each
    target-year at its limit; sweeps, which keep only the dual, skip them). ``light``: the
    results without the ledger and abatement (:func:`optimiser.post.results.extract`; sweeps).
    ``keep_basis``: keep the optimal basis in the run (``PlanRun.basis``).
    """
    timings = {} if timings is None else timings
    m = ctx.m
    stage("solve")
    targets = target_rows(ctx)
    outcome = solver.solve(m, duals_of=targets)
    basis = solver.basis() if keep_basis and outcome.status == "optimal" else None
    diagnosis: list[str] = []
    held_objective: float | None = None
    try:
        if outcome.status == "infeasible":
            stage("diagnose")
            outcome, diagnosis = _diagnose_infeasible(solver, ctx, targets)
        elif outcome.feasible and not outcome.duals and targets:
            outcome.duals, held_objective = _duals_with_integers_fixed(solver, m, targets)
        outcome = outcome.rescaled(m.money_scale)
        timings["transfer_s"] = outcome.transfer_s
        timings["solve_s"] = outcome.solve_s
        if not outcome.feasible:
            return PlanRun(xr.Dataset(attrs={"status": outcome.status}), outcome, timings,
                           [f"solver: {outcome.message}"])
        ranges = {}
        if implied_prices and outcome.status == "optimal" and outcome.duals:
            stage("prices")
            start = time.perf_counter()
            # a mixed-integer plan's prices shift the LP with its integers held: from its own
            # objective, which differs from the MIP's by up to the MIP gap
            base = (outcome.objective if held_objective is None
                    else held_objective * float(m.money_scale))
            ranges = price_ranges(solver, ctx, outcome.duals, base)
            timings["prices_s"] = time.perf_counter() - start
        start = time.perf_counter()
        stage("extract")
        claim_all(ctx)
        results = extract(ctx, outcome, ranges, light=light)
        decisions = held_decisions(ctx)
        linking = {name: float(var.value or 0.0) for name, var in ctx.linking.items()}
        timings["extract_s"] = time.perf_counter() - start
    finally:
        undo_relaxations(ctx)
    return PlanRun(results, outcome, timings, diagnosis, decisions, linking, basis=basis)


def free_target_slack(ctx: Context) -> None:
    """Let the targets (removal ramp and clean-electricity shares too) be missed, at the
    slack's price: :func:`undo_relaxations` fixes the slack at 0 again."""
    m = ctx.m
    for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
              *m.clean_share_slack.values()]:
        v.unfix()


def target_rows(ctx: Context) -> list[Any]:
    """The constraints whose duals are the targets' implied prices."""
    m = ctx.m
    return [m.target[i] for i in m.target_index] + list(m.clean_share.values())


def held_decisions(ctx: Context) -> dict[str, float]:
    """The solved value of every capacity decision of a planning model, by variable name."""
    return {name: float(var.value or 0.0) for name, var in ctx.investments.items()}


def undo_relaxations(ctx: Context) -> None:
    """Fix target slack (and unserved energy, unless the plan prices it) back at zero."""
    m = ctx.m
    for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
                  *m.clean_share_slack.values()]:
        if not v.fixed:
            v.fix(0.0)
    if ctx.inputs.plan.demand.unserved_cost_per_mwh is None:
        for v in m.unserved.values():
            if not v.fixed:
                v.fix(0.0)


def _duals_with_integers_fixed(solver: HighsSolver, m: Any, targets: list,
                               ) -> tuple[dict, float | None]:
    """Duals of a mixed-integer plan: fix the integers at their values and re-solve the LP;
    returns them with that LP's objective (model units; None without integers)."""
    import pyomo.environ as pyo

    ints = [v for v in m.component_data_objects(pyo.Var, active=True)
            if not v.is_continuous() and not v.fixed]
    if not ints:
        return {}, None
    for v in ints:
        v.fix(round(v.value or 0.0))
    try:
        lp = solver.solve(m, duals_of=targets)
    finally:
        for v in ints:
            v.unfix()
    return lp.duals, lp.objective if lp.feasible else None


def _diagnose_infeasible(solver: HighsSolver, ctx: Any, targets: list,
                         ) -> tuple[SolveOutcome, list[str]]:
    """Re-solve an infeasible plan to say why.

    First the targets get a priced slack (a tonne over a limit costs far more than any real
    lever), which gives the least achievable emissions in each target year. If the plan is
    still infeasible, unserved energy is allowed too, which shows what demand the plan's
    technologies, limits and pins cannot serve.
    """
    m = ctx.m
    free_target_slack(ctx)
    outcome = solver.solve(m, duals_of=targets)
    if outcome.feasible:
        outcome.status = "targets_missed"
        return outcome, target_shortfalls(ctx)
    for v in m.unserved.values():
        v.unfix()
    outcome = solver.solve(m, duals_of=targets)
    if not outcome.feasible:
        return outcome, ["infeasible even with targets relaxed and unserved energy allowed: "
                         "check pins and build limits"]
    outcome.status = "demand_not_met"
    lines = target_shortfalls(ctx)
    w = ctx.inputs.step_weight
    for c in ctx.inputs.plan.carriers():
        for y in ctx.inputs.years:
            lost = sum(float(w[t]) * (m.unserved[y, t, c].value or 0.0)
                       for t in range(ctx.inputs.n_steps))
            if lost > 1e-3:
                lines.append(f"{c} demand cannot be served in {y}: {lost:,.0f} MWh short "
                             "(add technologies, raise build limits or loosen pins)")
    return outcome, lines


def target_shortfalls(ctx: Any) -> list[str]:
    """Which target years cannot be met, by how much, and the least achievable emissions."""
    m, plan = ctx.m, ctx.inputs.plan
    lines = []
    for (k, y), slack in m.target_slack.items():
        over = slack.value or 0.0
        if over > 1e-3:
            target = plan.targets[k]
            limit = target_limit_t(plan, target, y)
            least = limit + over
            binds = binding_limits(ctx, y, keys=True)
            lines.append(f"target '{target.name}' cannot be met in {y}: the least achievable "
                         f"is {least:,.0f} t CO2e against a limit of {limit:,.0f} t "
                         f"({over:,.0f} t over)"
                         + (f"; what holds it back: {binds}" if binds else
                            "; no build limit, cap or pin is reached: the technologies "
                            "on offer cannot cut further"))
    shortfalls = (
        (m.clean_share_slack, "the clean-electricity target", "MWh of matched clean "
         "electricity short (add solar, wind, storage or PPAs, or lower "
         "accounting.clean_electricity_targets)"),
        (m.removal_ramp_slack, "the SBTi v2 removal ramp", "t of removals short (add or raise "
         "a carbon_credits entry of kind removal)"))
    for slacks, what, unit_and_fix in shortfalls:
        for y, slack in slacks.items():
            short = slack.value or 0.0
            if short > 1e-3:
                lines.append(f"{what} cannot be met in {y}: {short:,.0f} {unit_and_fix}")
    return lines
