"""The scenario tree split by year: one dispatch problem per (node, year), not per scenario.

A modelled year y is decided by one node of the tree for each scenario s, ``tree.node(s, y)``
(what s has revealed by the start of y's stage). Scenarios of one node see the same data up
to that node's stage (``plant.scenarios``: a scenario's overrides hold from their stage on),
and by non-anticipativity they build the same capacities up to y. So year y's dispatch LP,
given the capacities, is the same problem for every scenario of the node: it is built and
solved once, for the node, and its cost Q_{n,y} enters the cost of every scenario of the node
(docs/stochastic.md, "The model").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from plant.scenarios import ScenarioTree


@dataclass(frozen=True)
class NodeYear:
    """Year ``year`` as decided by one node: the scenarios that share its dispatch."""

    node: str
    """The node's history (:meth:`plant.scenarios.Scenario.history`)."""
    year: int
    scenarios: tuple[int, ...]
    """Indices of the tree's scenarios in the node."""
    probability: float
    """Σ p_s over those scenarios."""

    @property
    def first(self) -> int:
        """The scenario whose model stands for the node (any would do: they are equal)."""
        return self.scenarios[0]


def node_years(tree: ScenarioTree, years: list[int]) -> list[NodeYear]:
    """Every (node, year) of ``tree`` over the modelled ``years``, in year order, then in
    the order of each node's first scenario."""
    out = []
    for y in years:
        members: dict[str, list[int]] = {}
        for i, s in enumerate(tree.scenarios):
            members.setdefault(tree.node(s, y), []).append(i)
        for node, idx in members.items():
            p = float(sum(tree.scenarios[i].probability for i in idx))
            out.append(NodeYear(node, y, tuple(idx), p))
    return out


def plan_digest(plan: object) -> str:
    """A hash of a plan's content: two node-years with the same year and digest are the
    same subproblem (their cuts may be shared)."""
    dump = getattr(plan, "model_dump_json", None)
    text = dump() if dump is not None else json.dumps(plan, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
