"""The capacity part of a scenario tree: what the shared-node extensive form and the
decomposition have in common.

Each scenario s contributes its model without time steps (:meth:`ModelInputs.capacity_only`:
builds, cohorts, build limits, capacity pins and the capacity costs C^I_s: capex, salvage,
fixed O&M), as a block of one Pyomo model. Non-anticipativity ties the decisions of the
years a node decides (x_s = x_r, r the node's first scenario;
:func:`optimiser.stochastic.tree.link_nodes`). The operating cost of year y in node n,
Q_{n,y}, is the same for every scenario of the node (:mod:`.nodes`), so scenario s costs

    C_s = C^I_s + Σ_{(n,y) ∋ s} Q_{n,y}

in the unit of the tree's objective (the largest money scale of the scenarios; each model's
costs are converted from its own). Q_{n,y} is either the dispatch LP of the node's year
itself (the extensive form, :mod:`.shared`) or a variable θ_{n,y} under Benders cuts (the
decomposition, :mod:`.decomposed`). The objective is the tree's (1 − w)·E[C] + w·CVaR_α[C]
(:func:`optimiser.stochastic.tree.add_risk_objective`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimiser.formulate.inputs import ModelInputs
from optimiser.formulate.model import build_model, plan_money_scale
from optimiser.stochastic.nodes import NodeYear, node_years
from optimiser.stochastic.tree import (
    ExtensiveForm,
    Stage,
    add_risk_objective,
    link_nodes,
    root_investments,
)
from plant.scenarios import ScenarioTree

Operating = Callable[[pyo.ConcreteModel, int], Any]
"""(the tree's model, node-year index k) -> Q_k in the tree's objective unit."""


@dataclass
class TreeModel:
    """The tree's capacity model (an :class:`ExtensiveForm` whose contexts are capacity-only)
    with its node-years."""

    ef: ExtensiveForm
    nodes: list[NodeYear]
    inputs: list[ModelInputs]
    factors: np.ndarray
    """Per node-year: its model's money scale / the tree's (Q in model units × this = Q in the
    tree's unit)."""

    def path(self, i: int) -> list[int]:
        """Indices of the node-years of scenario i."""
        return [k for k, ny in enumerate(self.nodes) if i in ny.scenarios]


def build_tree_model(tree: ScenarioTree, inputs: list[ModelInputs],
                     operating: Callable[[TreeModel], Operating],
                     stage: Stage = lambda _: None) -> TreeModel:
    """The capacity blocks of ``tree``'s scenarios, tied by non-anticipativity, with
    C_s = C^I_s + Σ Q_k; ``operating(tm)`` adds what Q_k is to the model (and gives it)."""
    m = pyo.ConcreteModel(name="scenario tree")
    contexts = []
    for i, inp in enumerate(inputs):
        stage(f"capacity model of scenario {i + 1}/{len(inputs)}")
        block, ctx = build_model(inp.capacity_only())
        block.objective.deactivate()
        m.add_component(f"scenario_{i}", block)
        contexts.append(ctx)
    scale = max(plan_money_scale(s.plan) for s in tree.scenarios)
    nodes = node_years(tree, inputs[0].years)
    factors = np.array([plan_money_scale(inputs[ny.first].plan) / scale for ny in nodes])
    tm = TreeModel(ExtensiveForm(tree, m, contexts, scale, inputs=list(inputs)), nodes,
                   inputs, factors)
    q = operating(tm)
    paths = [tm.path(i) for i in range(len(contexts))]

    def cost(_: Any, i: int) -> Any:
        own = contexts[i].m.objective.expr * (contexts[i].m.money_scale / scale)
        return own + pyo.quicksum(q(m, k) for k in paths[i])

    m.cost = pyo.Expression(range(len(contexts)), rule=cost)
    tm.ef.nonanticipative = link_nodes(tm.ef)
    tm.ef.root_investments = root_investments(tree, contexts[0], inputs[0].years)
    add_risk_objective(tm.ef)
    return tm


def with_theta(tm: TreeModel) -> Operating:
    """Q_k as a free variable θ_k (the decomposition's master: cuts bound it from below)."""
    m = tm.ef.m
    m.theta = pyo.Var(range(len(tm.nodes)), domain=pyo.Reals)
    # θ must reach the LP before its first cut: a row that bounds nothing
    m.theta_present = pyo.Constraint(range(len(tm.nodes)),
                                     rule=lambda b, k: b.theta[k] >= -1e20)
    return lambda model, k: model.theta[k]
