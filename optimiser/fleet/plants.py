"""One plant of a fleet: what a worker needs to build its model, and the built model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimiser.fleet.linking import LinkRow, plant_terms
from optimiser.formulate.context import Context
from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model
from optimiser.run.pipeline import PlanRun, prepare_inputs, timer
from plant.fleet import LoadedFleet
from plant.loaded import LoadedPlan


@dataclass(frozen=True)
class PlantSpec:
    """Everything a worker needs to build one plant's model (picklable)."""

    name: str
    loaded: LoadedPlan
    """The plant's plan, its own targets dropped with ``plant_targets: drop``."""
    rate: float
    """Reporting-currency units per unit of the plant's currency."""
    rows: tuple[LinkRow, ...]
    resolution: str

    @property
    def currency(self) -> str:
        """The plant's own currency."""
        return self.loaded.plan.site.currency


def plant_specs(fleet: LoadedFleet, rows: list[LinkRow], resolution: str) -> list[PlantSpec]:
    """One :class:`PlantSpec` per plant of ``fleet``, in the file's order."""
    return [PlantSpec(name, fleet.plant_plan(name), fleet.rate(name), tuple(rows), resolution)
            for name in fleet.plants]


@dataclass
class BuiltPlant:
    """A plant's model as built, with its terms in the linking rows."""

    spec: PlantSpec
    ctx: Context
    terms: dict[str, Any]
    """a_p,r by linking row id (:func:`optimiser.fleet.linking.plant_terms`)."""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def scale(self) -> float:
        """The plant model's objective unit [plant currency]."""
        return float(self.ctx.m.money_scale)


def build_plant(spec: PlantSpec) -> BuiltPlant:
    """Profiles, SOFC curves, aggregation and the model of one plant."""
    timings: dict[str, float] = {}
    timed = timer(timings, lambda _: None)
    inputs = prepare_inputs(spec.loaded, Resolution.parse(spec.resolution), timed)
    _, ctx = timed("build", lambda: build_model(inputs))
    return BuiltPlant(spec, ctx, plant_terms(ctx, list(spec.rows)), timings)


@dataclass
class PlantResult:
    """One plant's part of a fleet solution."""

    name: str
    run: PlanRun
    currency: str
    rate: float
    net_present_cost: float
    """In the plant's currency."""
    terms: dict[str, float]
    """Its values in the linking rows [t CO2e/yr]."""

    @property
    def net_present_cost_reporting(self) -> float:
        """In the fleet's reporting currency."""
        return self.net_present_cost * self.rate
