"""A plan run, stage by stage: profiles → SOFC curves → build → solve → results."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from optimiser.inputs import ModelInputs, Resolution, make_inputs
from optimiser.model import build_model
from optimiser.results import extract
from optimiser.solve import HighsSolver, SolveOutcome
from plant.loader import LoadedPlan
from plant.profiles import build_profiles
from plant.schema import SOFC

Stage = Callable[[str], None]

#: hours a year at full availability
HOURS_PER_YEAR = 8760.0


@dataclass
class PlanRun:
    """The outcome of one plan run."""

    results: xr.Dataset
    outcome: SolveOutcome
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: list[str] = field(default_factory=list)
    """Why targets could not be met, when they could not."""


def sofc_inputs(loaded: LoadedPlan) -> tuple[dict[str, Any], dict[str, xr.Dataset]]:
    """Curves and convex fits from the digital twin for every SOFC technology of a plan.

    The fit is taken at half the stack life (operating hours = ½ · life · 8760 · availability),
    the average state of a stack between replacements.
    """
    import sofc

    fits, curves = {}, {}
    for name, tech in loaded.plan.technologies.items():
        if not isinstance(tech, SOFC):
            continue
        config = sofc.read_config(loaded.file.parent / tech.config) if tech.config else None
        mid = 0.5 * tech.stack_life_years * HOURS_PER_YEAR * tech.availability
        curve = sofc.system_curve(config, operating_hours=(0.0, mid))
        curves[name] = curve
        fits[name] = sofc.piecewise_fit(curve, operating_hours=mid)
    return fits, curves


def run_plan(loaded: LoadedPlan, resolution: str | Resolution = "repdays:12",
             time_limit: float | None = None, stage: Stage = lambda _: None) -> PlanRun:
    """Run a plan: returns results, solver outcome, timings and any target diagnosis."""
    res = Resolution.parse(resolution) if isinstance(resolution, str) else resolution
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        stage(name)
        start = time.perf_counter()
        out = fn()
        timings[f"{name}_s"] = time.perf_counter() - start
        return out

    profiles = timed("profiles", lambda: build_profiles(loaded.plan, loaded.file.parent))
    fits, curves = timed("curves", lambda: sofc_inputs(loaded))
    inputs: ModelInputs = timed("aggregate", lambda: make_inputs(loaded.plan, profiles, res))
    inputs.sofc_fits, inputs.sofc_curves = fits, curves
    m, ctx = timed("build", lambda: build_model(inputs))
    solver = HighsSolver(time_limit=time_limit)
    stage("solve")
    targets = [m.target[i] for i in m.target_index]
    outcome = solver.solve(m, duals_of=targets)
    diagnosis: list[str] = []
    if outcome.status == "infeasible" and len(m.target_index):
        stage("diagnose")
        for v in m.target_slack.values():
            v.unfix()
        outcome = solver.solve(m)
        if outcome.feasible:
            outcome.status = "targets_missed"
            diagnosis = _diagnose(ctx)
    outcome = outcome.rescaled(m.money_scale)
    timings["transfer_s"] = outcome.transfer_s
    timings["solve_s"] = outcome.solve_s
    if not outcome.feasible and outcome.status != "targets_missed":
        return PlanRun(xr.Dataset(attrs={"status": outcome.status}), outcome, timings,
                       [f"solver: {outcome.message}"])
    results = timed("extract", lambda: extract(ctx, outcome))
    return PlanRun(results, outcome, timings, diagnosis)


def _diagnose(ctx: Any) -> list[str]:
    """Which target years cannot be met, by how much, and the least achievable emissions."""
    m, plan = ctx.m, ctx.inputs.plan
    lines = []
    for (k, y), slack in m.target_slack.items():
        over = slack.value or 0.0
        if over > 1e-3:
            target = plan.targets[k]
            limit = m.target[k, y].upper
            least = limit + over
            lines.append(f"target '{target.name}' cannot be met in {y}: the least achievable "
                         f"is {least:,.0f} t CO2e against a limit of {limit:,.0f} t "
                         f"({over:,.0f} t over)")
    return lines
