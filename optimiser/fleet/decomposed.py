"""The fleet by Dantzig-Wolfe decomposition: plants priced in parallel, a small master.

Why Dantzig-Wolfe (docs/fleet.md, "Decomposition"): the plants share nothing but a handful
of corporate rows (one per target and modelled year, plus credit rows), so the coupled LP is
block-angular with few linking rows, the case column generation is made for. Each round,
every plant answers the master's prices π (its LP re-solved warm with only its costs
changed: :mod:`optimiser.fleet.pricer`), and the master mixes all answers so far
(:mod:`optimiser.fleet.master`). It is exact for LPs, each round gives a lower bound, and
the prices are the corporate implied carbon prices the report needs; the plants' LPs never
change shape, unlike Benders (whose subproblems would be the plants held to budgets) or
ADMM (quadratic terms, only approximate convergence).

Bounds, for master duals (π, μ):

    UB = master cost (σ = 0: a mix of real plans),
    LB(π) = Σ_p min_x [C_p + Σ_r π_r·a_p,r] − Σ_r π_r·b_r

with b_r the row's right-hand side (the Lagrangian of the linking rows; valid for any π ≥ 0
with π ≤ M on emissions rows).
The loop stops when (UB − max LB)/|UB| ≤ ``gap``. Each plant's plan is then the master's mix
of its answers, x̄_p = Σ_j w_pj x_pj: feasible for the plant (its LP is convex), meeting the
linking rows as the master does, and costing UB in all (C_p and a_p,r are linear), so the
final gap is the loop's (:meth:`~optimiser.fleet.pricer.PlantPricer.finish`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from optimiser.fleet.linking import LinkRow, fleet_money_scale, over_limit_price
from optimiser.fleet.master import MasterSolution, solve_master
from optimiser.fleet.monolithic import over_line
from optimiser.fleet.plants import PlantSpec
from optimiser.fleet.pools import Pool
from optimiser.fleet.pricer import Column
from optimiser.fleet.result import FleetRun, RowPrice

#: Relative gap between the cost and the bound at which the loop stops.
GAP = 1e-7
#: Most rounds of pricing.
MAX_ROUNDS = 200
#: The first rounds price a tonne over a corporate limit at this share of the full price
#: (:func:`~optimiser.fleet.linking.over_limit_price`) ...
FIRST_OVER_SHARE = 1e-4
#: ... raised by this factor, up to the full price, whenever the loop has converged with
#: tonnes still over a limit.
RAMP = 10.0
#: Tonnes over the limits below which the master's mix counts as meeting them [t CO2e].
OVER_TOLERANCE_T = 1e-3


def first_over_price(full_price: float) -> float:
    """σ's price in the first rounds: :data:`FIRST_OVER_SHARE` of the full price.

    The master's prices are at most σ's price, so a low one keeps the first rounds' prices
    near the plants' real abatement costs (ten times the highest grid price per tonne,
    against 10⁵ times) instead of sending every plant to its least-emitting plan; each
    plant's LP then moves less from its last basis. The loop raises it while σ is still used
    (box-step stabilisation on the duals); the bound stays valid, since LB(π) is the true
    problem's Lagrangian for any π ≥ 0."""
    return full_price * FIRST_OVER_SHARE


def solve_decomposed(specs: list[PlantSpec], rows: list[LinkRow], pool: Pool, *,
                     gap: float = GAP, max_rounds: int = MAX_ROUNDS,
                     progress: Callable[[dict[str, float]], None] = lambda _: None,
                     ) -> FleetRun:
    """Solve the fleet by column generation on ``pool`` (module docstring)."""
    start = time.perf_counter()
    plans = [s.loaded.plan for s in specs]
    rates = [s.rate for s in specs]
    scale, full_price = fleet_money_scale(plans, rates), over_limit_price(plans, rates)
    over_price = full_price
    names = [s.name for s in specs]
    first = pool.call("start", {n: () for n in names})
    failed = [c for c in first.values() if c.status != "optimal"]
    if failed:
        status = next((c.status for c in failed if c.status in ("mixed_integer",
                                                                  "infeasible")), "error")
        return FleetRun(status, "decomposed", math.nan, {}, [], diagnosis=[
            f"plant {c.plant} alone: {c.message}" for c in failed],
            timings={"setup_s": time.perf_counter() - start})
    columns: dict[str, list[Column]] = {n: [first[n]] for n in names}
    best_bound, history = -math.inf, []
    over_price = first_over_price(over_price)
    master = solve_master(columns, rows, scale, over_price)
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        tic = time.perf_counter()
        answers = pool.call("price", {n: (master.prices,) for n in names})
        bad = [c for c in answers.values() if c.status != "optimal"]
        if bad:
            return FleetRun("error", "decomposed", math.nan, {}, [], diagnosis=[
                f"plant {c.plant}: {c.message}" for c in bad])
        best_bound = max(best_bound, lagrangian_bound(answers, master.prices, rows))
        rel = (master.cost - best_bound) / max(abs(master.cost), 1.0)
        improving = [c for n, c in answers.items() if c.priced(master.prices)
                     - master.convexity[n] < -1e-9 * abs(master.cost)]
        over = sum(master.over.values()) > OVER_TOLERANCE_T
        history.append({"round": rounds, "cost": master.cost, "bound": best_bound,
                        "gap": rel, "columns_added": 0, "over_price": over_price,
                        "seconds": time.perf_counter() - tic})
        if not improving or (rel <= gap and not over):
            if not over or over_price >= full_price:
                progress(history[-1])
                break
            over_price = min(over_price * RAMP, full_price)  # σ still used: not yet a plan
        for col in improving:
            columns[col.plant].append(col)
        history[-1]["columns_added"] = len(improving)
        progress(history[-1])
        master = solve_master(columns, rows, scale, over_price)
    run = _finish(specs, rows, pool, master, columns, best_bound, rounds, history, start)
    if run.status == "optimal" and rounds >= max_rounds and run.gap > gap:
        run.status = "time_limit"
        run.diagnosis.append(f"the decomposition stopped after {max_rounds} rounds at a gap "
                             f"of {run.gap:.1e} (asked: {gap:.0e}); the plan is feasible")
    return run


def lagrangian_bound(answers: dict[str, Column], prices: dict[str, float],
                     rows: list[LinkRow]) -> float:
    """LB(π) of the module docstring [reporting currency]."""
    return (sum(c.priced(prices) for c in answers.values())
            - sum(prices[lr.id] * lr.rhs for lr in rows))


def mixes(master: MasterSolution, columns: dict[str, list[Column]],
          ) -> dict[str, dict[int, float]]:
    """Each plant's mix: its pricer's answer index → weight w_pj (weights ≤ 1e-12 left
    out)."""
    return {p: {c.index: w for w, c in zip(master.weights[p], cols, strict=True) if w > 1e-12}
            for p, cols in columns.items()}


def _finish(specs: list[PlantSpec], rows: list[LinkRow], pool: Pool, master: MasterSolution,
            columns: dict[str, list[Column]], bound: float, rounds: int,
            history: list[dict[str, float]], start: float) -> FleetRun:
    """Each plant's plan as the master's mix of its answers, and the fleet's figures. Where
    a corporate row is still over its limit (σ > 0 at the full price) or a plant misses its
    own targets, there is no bound to compare with: the gap and bound are NaN."""
    tic = time.perf_counter()
    mix = mixes(master, columns)
    plants = pool.call("finish", {s.name: (mix[s.name],) for s in specs})
    npc = sum(p.net_present_cost_reporting for p in plants.values())
    over = {rid: v for rid, v in master.over.items() if v > OVER_TOLERANCE_T}
    diagnosis = [over_line(lr, over[lr.id]) for lr in rows if lr.id in over]
    for name, p in plants.items():
        diagnosis += [f"{name}: {line}" for line in p.run.diagnosis]
    missed = bool(diagnosis) or any(p.run.outcome.status != "optimal" for p in plants.values())
    prices = [RowPrice(lr, sum(p.terms[lr.id] for p in plants.values()),
                       master.over.get(lr.id, 0.0), master.prices[lr.id] + 0.0) for lr in rows]
    gap = math.nan if missed else max((npc - bound) / max(abs(npc), 1.0), 0.0)
    timings = {"finish_s": time.perf_counter() - tic, "total_s": time.perf_counter() - start}
    return FleetRun("targets_missed" if missed else "optimal", "decomposed", npc, plants,
                    prices, rounds, gap, math.nan if missed else bound, timings, diagnosis,
                    history)
