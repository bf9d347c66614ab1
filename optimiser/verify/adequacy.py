"""Plans that serve every hour: the shortfall iteration (docs/optimiser.md, "Adequacy").

Representative days size a plan for the days they keep. The stress days
(:func:`plant.profiles.aggregate`: each carrier's peak-demand day, the highest
residual-electricity day) make most plans adequate by construction; what they can miss (a
heat pump's coldest hour on another day than the heat peak, a store emptied by a run of
days) the hourly verification finds (:mod:`optimiser.verify.hourly`). This iteration then keeps the
days it found short as periods of their own and plans again, until the verified plan leaves
no demand unserved or ``max_rounds`` re-plans are spent:

    round k: plan on typical days + stress days + D_k → verify hour by hour → U_k(y, c, d)
             D_{k+1} = D_k ∪ {the day of largest U_k(y, c, ·) for every year y and carrier c
                              with Σ_d U_k(y, c, d) > tol}, at most ``per_round`` new days
                              (those of largest unserved energy)
    stop when Σ U_k ≤ tol (adequate), k = max_rounds, or no new day can be added (every
    year's worst day is kept already, or the days added did not reduce Σ U).

Each round adds days of weight 1 to the time grid (24 hours × years more steps); it never
removes one, so a day once found short stays served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from optimiser.formulate.inputs import Resolution
from optimiser.verify.hourly import VerificationError

#: Unserved energy [MWh] below which a year and carrier count as served (solver tolerance).
TOLERANCE_MWH = 1e-3


def shortfall_days(results: xr.Dataset, known: tuple[int, ...] = (), per_round: int = 6,
                   tol: float = TOLERANCE_MWH) -> list[int]:
    """Calendar days to keep as periods of their own after a verification: for every year
    and carrier with unserved energy above ``tol``, the day with the most of it, largest
    first, at most ``per_round``, days already kept (``known``) left out (module
    docstring)."""
    if "verified_unserved_daily" not in results:
        return []
    daily = results["verified_unserved_daily"]
    candidates: dict[int, float] = {}
    for year in daily["year"].values:
        for carrier in daily["carrier"].values:
            row = daily.sel(year=year, carrier=carrier).values.copy()
            if row.sum() <= tol:
                continue
            # a kept day still short was emptied by the days before it (a store) or is short
            # whatever the days (a fleet retiring inside a span): the next worst day is added;
            # plan_until_adequate stops when that does not reduce the unserved energy
            row[list(known)] = -1.0
            day = int(row.argmax())
            if row[day] > tol:
                candidates[day] = max(candidates.get(day, 0.0), float(row[day]))
    return sorted(candidates, key=lambda d: -candidates[d])[:per_round]


def unserved_total(results: xr.Dataset) -> float:
    """Demand the verification found unserved over every year and carrier [MWh/yr summed]."""
    return float(results["verified_unserved"].sum()) if "verified_unserved" in results else 0.0


@dataclass
class AdequacyReport:
    """What the shortfall iteration did, for summary.json and the console."""

    rounds: list[dict[str, Any]] = field(default_factory=list)
    """Per plan solved: the stress days it kept, and the unserved energy verified."""
    stopped: str = "adequate"
    """``adequate``, ``max_rounds`` (still short after the last re-plan), ``no_new_days``,
    ``infeasible`` (a re-plan found no plan) or ``verification_failed`` (the last run is
    not verified; ``error`` says why)."""
    error: str = ""

    @property
    def adequate(self) -> bool:
        """The last plan verified left no demand unserved."""
        return self.stopped == "adequate"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"adequate": self.adequate, "stopped": self.stopped,
                "replans": max(len(self.rounds) - 1, 0), "rounds": self.rounds,
                **({"error": self.error} if self.error else {})}

    def message(self) -> str:
        """One sentence for the console."""
        added = self.rounds[-1]["extra_days"] if self.rounds else []
        if self.adequate:
            return ("every hour served" + (f" after {len(self.rounds) - 1} re-plan(s) with "
                                           f"{len(added)} day(s) found short kept"
                                           if len(self.rounds) > 1 else ""))
        if self.stopped == "verification_failed":
            return f"hourly verification stopped: {self.error}"
        if self.stopped == "infeasible":
            return "a re-plan with the days found short found no plan"
        why = ("the re-plan limit was reached" if self.stopped == "max_rounds"
               else "keeping the days found short did not reduce it, so the typical days are "
               "not what misses it (capacity retiring inside a span, which the verification "
               "holds at the span's smallest fleet: see the verification by year)")
        return (f"{self.rounds[-1]['unserved_mwh']:,.1f} MWh still unserved after "
                f"{len(self.rounds) - 1} re-plan(s): {why}")


def plan_until_adequate(plan: Callable[[Resolution], Any], verify: Callable[[Any], None],
                        resolution: Resolution, max_rounds: int = 3,
                        progress: Callable[[str], None] = lambda _: None,
                        ) -> tuple[Any, AdequacyReport]:
    """Plan at ``resolution``, verify, and re-plan with the days found short until every
    hour is served or ``max_rounds`` re-plans are spent (module docstring).

    ``plan(resolution)`` returns a run (:class:`optimiser.run.pipeline.PlanRun`) and
    ``verify(run)`` adds its ``verified_*`` figures to ``run.results``. Returns the last run
    and what the iteration did. If a verification fails (:class:`VerificationError`, e.g. its
    time limit), the run it was for is returned unverified and the report says why."""
    report = AdequacyReport()
    res = resolution
    while True:
        run = plan(res)
        if not run.outcome.feasible:
            report.stopped = "infeasible"
            return run, report
        try:
            verify(run)
        except VerificationError as exc:
            report.stopped, report.error = "verification_failed", str(exc)
            return run, report
        short = unserved_total(run.results)
        report.rounds.append({"extra_days": list(res.extra_days), "unserved_mwh": short})
        if short <= TOLERANCE_MWH:
            report.stopped = "adequate"
            return run, report
        if len(report.rounds) > 1 and short >= report.rounds[-2]["unserved_mwh"] - TOLERANCE_MWH:
            report.stopped = "no_new_days"  # the days added did not reduce it
            return run, report
        if len(report.rounds) > max_rounds:
            report.stopped = "max_rounds"
            return run, report
        days = shortfall_days(run.results, res.extra_days)
        if not days:
            report.stopped = "no_new_days"
            return run, report
        progress(f"{short:,.1f} MWh unserved hour by hour: re-planning with "
                 f"{len(days)} more day(s) kept ({len(report.rounds)}/{max_rounds})")
        res = res.with_days(days)
