"""``cnplan plan SITE --alternatives N``: near-optimal alternative roadmaps beside the
least-cost one (:mod:`optimiser.alternatives`; docs/alternatives.md), their folders under
``alternatives/`` and their table in summary.json."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnplan.runs import write_run_files
from optimiser.alternatives.directions import Direction, DirectionError, parse_directions
from optimiser.alternatives.run import AlternativesRun, Progress, find_alternatives
from optimiser.formulate.inputs import Resolution
from optimiser.post.summary import summary
from optimiser.run.pipeline import PlanRun
from plant.loaded import LoadedPlan


@dataclass(frozen=True)
class AlternativesAsked:
    """``--alternatives N --slack ε --directions … --seed S`` as given."""

    n: int = 0
    slack: float = 0.02
    directions: str | None = None
    seed: int = 0

    def parsed(self, loaded: LoadedPlan) -> list[Direction] | None:
        """The directions asked, checked against the plan (:class:`DirectionError`)."""
        if self.directions is None:
            return None
        return parse_directions(self.directions, loaded.plan)


def check_asked(asked: AlternativesAsked, loaded: LoadedPlan) -> str | None:
    """Why ``asked`` cannot be run on ``loaded`` (None if it can), before anything is solved."""
    if asked.directions is not None and asked.n == 0:
        return "--directions needs --alternatives N (how many plans to find)"
    try:
        asked.parsed(loaded)
    except DirectionError as exc:
        return f"--directions: {exc}"
    return None


def run_alternatives(loaded: LoadedPlan, grid: Resolution, run: PlanRun,
                     asked: AlternativesAsked, jobs: int, time_limit: float | None,
                     progress: Progress) -> AlternativesRun:
    """The alternatives of ``run`` (planned on ``grid``), on ``jobs`` processes."""
    return find_alternatives(loaded, grid, run, asked.n, asked.slack, asked.parsed(loaded),
                             asked.seed, jobs, time_limit, progress)


def write_alternative_folders(folder: Path, found: AlternativesRun, prov: dict[str, str],
                              plan_json: str) -> None:
    """``alternatives/<name>/`` (results.nc, summary.json, plan.json) of each alternative
    that found a plan, inside the run folder being filled."""
    root = folder / "alternatives"
    root.mkdir()
    for alt in found.alternatives:
        if alt.results is None:
            continue
        sub = root / alt.direction.name
        sub.mkdir()
        timings = {"solve_s": alt.solve_s}
        summ = summary(alt.results, timings, prov) | {
            "alternative": {"name": alt.direction.name, "direction": alt.direction.text,
                            "slack": found.slack, "least_cost": found.least_cost,
                            "over_least_cost": float(alt.results.attrs["objective"])
                            / found.least_cost - 1.0 if found.least_cost else 0.0}}
        write_run_files(sub, alt.results, summ, prov, plan_json)
