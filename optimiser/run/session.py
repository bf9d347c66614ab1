"""Build a plan's model once and re-solve it for plans that differ only in prices.

:class:`PlanSession` keeps the last built model of a base plan at one resolution; a plan
whose :func:`structure_key` matches is re-solved after
:func:`optimiser.formulate.model.update_prices` (HiGHS starts warm from its basis), any other is
built anew. The sweeps (``cnplan.sweeps``) run their points through it.
"""

from __future__ import annotations

import json
import time
from typing import Any

from optimiser.formulate.components.markets import one_meter_steps
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import build_model, plan_money_scale, update_prices
from optimiser.run.pipeline import PlanRun, prepare_inputs, solve_built
from optimiser.solve.highs import HighsSolver
from plant.loaded import LoadedPlan
from plant.overrides import apply_overrides
from plant.schema import Plan

#: (section, field) of the prices a re-solve can change; sections are dicts of items
#: (``fuels``) or single items (``grid``, ``carbon_price``).
PRICE_FIELDS = (("grid", "import_price_per_mwh"), ("grid", "export_price_per_mwh"),
                ("fuels", "price_per_mwh"), ("certificates", "price_per_mwh"),
                ("carbon_credits", "price_per_t"), ("carbon_price", "price_per_t"),
                ("demand_charges", "price_per_kw_month"))
_SINGLE = ("grid", "carbon_price")


def structure_key(plan: Plan) -> str:
    """The plan without the prices a re-solve can change (plus the objective's unit).

    Two plans with the same key give the same model up to the price Params.
    """
    data = plan.model_dump(mode="json")
    for section, name in PRICE_FIELDS:
        items = data.get(section)
        if items is None:
            continue
        for item in [items] if section in _SINGLE else items.values():
            item.pop(name, None)
    data["_money_scale"] = plan_money_scale(plan)
    return json.dumps(data, sort_keys=True)


class PlanSession:
    """A base plan at one resolution, with the last built model kept for re-solves.

    Parameters
    ----------
    loaded
        The base plan (overrides are applied to ``loaded.plan``).
    resolution
        Time resolution of every point.
    time_limit
        Solver time limit per point [s].
    threads
        HiGHS threads (1 when several workers share a machine's cores).
    """

    def __init__(self, loaded: LoadedPlan, resolution: str | Resolution,
                 time_limit: float | None = None, threads: int | None = None):
        self.loaded = loaded
        self.threads = threads
        self.resolution = (Resolution.parse(resolution) if isinstance(resolution, str)
                           else resolution)
        self.time_limit = time_limit
        self._key: str | None = None
        self._ctx: Any = None
        self._solver: HighsSolver | None = None
        self.builds = 0
        """How many models this session has built."""

    def run(self, values: dict[str, float]) -> tuple[Plan, PlanRun, bool]:
        """Solve the base plan with ``values`` applied; returns (plan, run, rebuilt).

        Raises
        ------
        OverrideError
            If ``values`` name no numeric field or make the plan invalid.
        """
        plan = apply_overrides(self.loaded.plan, values)
        key = structure_key(plan)
        timings: dict[str, float] = {}
        priced = self._priced(plan, key)
        rebuilt = priced is None or self._meter_changed(priced)
        if rebuilt:
            self._key = None  # a failed build must not leave a stale model
            loaded = LoadedPlan(plan, self.loaded.file, self.loaded.lines, self.loaded.sha256)
            start = time.perf_counter()
            inputs = prepare_inputs(loaded, self.resolution)
            timings["prepare_s"] = time.perf_counter() - start
            start = time.perf_counter()
            _, self._ctx = build_model(inputs)
            timings["build_s"] = time.perf_counter() - start
            self._solver = HighsSolver(time_limit=self.time_limit, threads=self.threads)
            self._key = key
            self.builds += 1
        else:
            start = time.perf_counter()
            assert priced is not None
            inputs = self._ctx.inputs
            update_prices(self._ctx.m, priced)  # may refuse before anything has changed
            inputs.plan, inputs.factors = priced.plan, priced.factors  # the results read them
            timings["update_s"] = time.perf_counter() - start
        assert self._solver is not None
        run = solve_built(self._solver, self._ctx, timings, implied_prices=False, light=True)
        return plan, run, rebuilt

    def _priced(self, plan: Plan, key: str) -> ModelInputs | None:
        """The built model's inputs for ``plan`` (its factors and prices), or None if the
        model must be built anew (another structure, or nothing built yet)."""
        if self._ctx is None or key != self._key:
            return None
        return self._ctx.inputs.for_plan(plan)

    def _meter_changed(self, priced: ModelInputs) -> bool:
        """Whether the new prices move the hours that need one-meter binaries
        (:func:`optimiser.formulate.components.markets.one_meter_steps`): those are model
        structure."""
        built = getattr(self._ctx.m, "one_meter_steps", ())
        return tuple(one_meter_steps(priced)) != tuple(built)
