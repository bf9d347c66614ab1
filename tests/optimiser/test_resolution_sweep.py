"""Every plan in sites/ and sites/examples/ solves at 2, 3, 4, 6 and 12 representative days
(issue 12, item 4: a valid plan always solves). The fewest days, where HiGHS once gave up,
run with every `make test` (about 20 s); the rest are slow (about 3 minutes on 2 cores):
`make test-slow`."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser import run_plan
from optimiser.formulate.inputs import Resolution
from plant.loader import read_plan

SITES = Path(__file__).resolve().parents[2] / "sites"
PLANS = [*sorted(SITES.glob("*.yaml")), *sorted((SITES / "examples").glob("*.yaml"))]


@pytest.mark.parametrize("days", [2, *(pytest.param(d, marks=pytest.mark.slow)
                                      for d in (3, 4, 6, 12))])
@pytest.mark.parametrize("plan", PLANS, ids=[p.stem for p in PLANS])
def test_plan_solves_at_every_resolution(plan: Path, days: int) -> None:
    run = run_plan(read_plan(plan), Resolution.parse(f"repdays:{days}"))
    assert run.outcome.status == "optimal", (run.outcome.message, run.outcome.tried)
