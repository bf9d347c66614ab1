"""Each technology's flows are declared once, in its schema class, and the model's rows agree.

- Read from the built model's rows: a technology's variables appear in the balances of the
  carriers it supplies or draws (``outputs()`` ∪ ``inputs()``), in the fuel-use rows of the
  fuels it burns (``fuels_burned()``) and in the export limit if it ``generates``; nowhere
  else among those rows. The reference plans together hold every registered kind.
- The builder's check (:func:`optimiser.formulate.context.check_flows`) stops a component that
  registers a flow its schema class does not declare.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest
from pyomo.core.expr.visitor import identify_variables

from optimiser.formulate.components import REGISTRY
from optimiser.formulate.context import AtKey, Context, FlowError, check_flows
from optimiser.formulate.inputs import ModelInputs, Resolution
from optimiser.formulate.model import build_model
from optimiser.run.pipeline import prepare_inputs
from plant.loader import read_plan

ROOT = Path(__file__).resolve().parents[2]
PLANS = ("sites/tochigi.yaml", "sites/sunderland.yaml", "sites/sunderland_batteries_whatif.yaml")
RESOLUTION = "repdays:1"


@cache
def _inputs(path: str) -> ModelInputs:
    return prepare_inputs(read_plan(ROOT / path), Resolution.parse(RESOLUTION))


@cache
def _built(path: str) -> tuple[pyo.ConcreteModel, Context]:
    return build_model(_inputs(path))


def _tech_of(var: Any) -> str | None:
    """The technology whose block (``tech_<name>``) holds ``var``, if any."""
    block = var.parent_block()
    while block is not None and not block.local_name.startswith("tech_"):
        block = block.parent_block()
    return block.local_name.removeprefix("tech_") if block is not None else None


def _rows_read(m: pyo.ConcreteModel, ctx: Context) -> dict[str, dict[str, set[str]]]:
    """tech -> {"carriers", "fuels", "export"} read from the rows its variables appear in:
    ``balance_<carrier>``, ``fuel_use_<fuel>_<year>`` and ``export_limit``."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def scan(con: pyo.Constraint, what: str, key: str) -> None:
        for row in con.values():
            for var in identify_variables(row.body):
                tech = _tech_of(var)
                if tech is not None:
                    found[tech][what].add(key)

    for carrier in ctx.inputs.plan.carriers():
        scan(m.component(f"balance_{carrier}"), "carriers", carrier)
    for con in m.component_objects(pyo.Constraint, descend_into=False):
        if con.local_name.startswith("fuel_use_"):
            fuel = con.local_name.removeprefix("fuel_use_").rsplit("_", 1)[0]
            scan(con, "fuels", fuel)
    scan(m.export_limit, "export", "electricity")
    return found


@pytest.mark.parametrize("path", PLANS)
def test_the_rows_of_every_technology_agree_with_its_declared_flows(path: str) -> None:
    m, ctx = _built(path)
    assert m.component("export_limit") is not None, "the plan must allow export"
    rows = _rows_read(m, ctx)
    for name, tech in ctx.inputs.plan.technologies.items():
        read = rows[name]
        declared = set(tech.outputs()) | set(tech.inputs())
        what = f"{name} ({tech.kind})"
        assert read["carriers"] == declared, (
            f"{what}: in the balances of {sorted(read['carriers'])}, declares {sorted(declared)}")
        assert read["fuels"] == set(tech.fuels_burned()), (
            f"{what}: in the fuel use of {sorted(read['fuels'])}, burns {tech.fuels_burned()}")
        assert bool(read["export"]) == tech.generates, (
            f"{what}: in the export limit: {bool(read['export'])}, generates: {tech.generates}")


def test_the_plans_hold_every_kind() -> None:
    kinds = {tech.kind for path in PLANS for tech in _built(path)[1].inputs.plan.technologies
             .values()}
    assert kinds == set(REGISTRY), f"no plan holds {sorted(set(REGISTRY) - kinds)}"


def test_a_component_that_supplies_an_undeclared_carrier_is_stopped(monkeypatch) -> None:
    """A heat pump that also supplies electricity (which HeatPump.outputs() does not
    declare) stops the build, naming the technology, its kind and the carrier."""
    add = REGISTRY["heat_pump"]

    def add_and_leak(ctx: Context, name: str, tech: Any) -> None:
        add(ctx, name, tech)
        ctx.supply(name, "electricity", AtKey(ctx.m.component(f"tech_{name}").heat,
                                              tech.serves[0]))

    monkeypatch.setitem(REGISTRY, "heat_pump", add_and_leak)
    with pytest.raises(FlowError, match=r"'heat_pump_industrial' \(kind heat_pump\) "
                       r"supplies electricity, which HeatPump.outputs\(\) does not declare"):
        build_model(_inputs(PLANS[0]))


def _context() -> Context:
    return Context(m=pyo.ConcreteModel(), inputs=_inputs(PLANS[0]))


def _zero(y: int, t: int) -> float:
    return 0.0


@pytest.mark.parametrize(("name", "register", "message"), [
    ("gas_boiler", lambda ctx, n: ctx.draw(n, "electricity", _zero),
     "draws electricity, which FuelBoiler.inputs"),
    ("gas_boiler", lambda ctx, n: ctx.add_fuel_use(n, "hydrogen", 2030, 0.0),
     "burns hydrogen, which FuelBoiler.fuels_burned"),
    ("thermal_storage_hot_water",
     lambda ctx, n: ctx.supply(n, "heat_low", _zero, exportable=_zero),
     "registers electricity for export"),
    ("heat_pump_industrial", lambda ctx, n: ctx.draw(n, "electricity", _zero),
     r"supplies none of the carriers HeatPump.outputs\(\) declares \(heat_low\)"),
])
def test_the_check_names_each_kind_of_undeclared_flow(name: str, register: Any,
                                                       message: str) -> None:
    ctx = _context()
    tech = ctx.inputs.plan.technologies[name]
    register(ctx, name)
    with pytest.raises(FlowError, match=message):
        check_flows(ctx, name, tech)


def test_declared_flows_pass_and_a_model_without_dispatch_is_not_checked() -> None:
    ctx = _context()
    tech = ctx.inputs.plan.technologies["sofc_bioethanol"]
    ctx.supply("sofc_bioethanol", "electricity", _zero, exportable=_zero)
    ctx.draw("sofc_bioethanol", "electricity", _zero)
    ctx.add_fuel_use("sofc_bioethanol", "bioethanol", 2030, 0.0)
    check_flows(ctx, "sofc_bioethanol", tech)
    ctx.supply("sofc_bioethanol", "heat_process", _zero)
    with pytest.raises(FlowError, match="supplies heat_process"):
        check_flows(ctx, "sofc_bioethanol", tech)
    ctx.inputs = ctx.inputs.capacity_only()
    check_flows(ctx, "sofc_bioethanol", tech)
