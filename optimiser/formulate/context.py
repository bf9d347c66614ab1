"""The builder's shared registers: hourly balances, annual costs, emissions and fuel use.

Components add their variables and constraints to the Pyomo model and register what they
inject into each carrier's hourly balance, what they cost and what they emit; the model
assembles balances, the objective and targets from these registers. Sign convention: a term
registered in a balance is supply (+) or consumption (−); costs are positive, revenues are
registered as negative costs; emissions are t CO2e per year.

A technology states each of its flows once and the context fills every register the flow
belongs to: :meth:`Context.supply` (the carrier's balance with +, ``output``, and the
exportable ``local_generation``), :meth:`Context.draw` (the balance with −, ``consumption``)
and :meth:`Context.add_fuel_use` (annual fuel). :func:`check_flows` then holds what it
registered to what its schema class declares (``outputs()``, ``inputs()``,
``fuels_burned()``, ``generates``). :meth:`Context.add_balance` is for what the site buys
(grid, PPAs, unserved energy), not for technologies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from optimiser.formulate.evaluate import Evaluator
from optimiser.formulate.inputs import ModelInputs
from plant.schema.technologies import TechnologyBase

#: f(y, t) -> linear expression [MW] of supply (+) or consumption (−) in step t of year y.
BalanceTerm = Callable[[int, int], Any]

#: Cost categories set by capacity alone (a decomposition's master carries them); SOFC stacks
#: are bought by the master as the wear allowances it grants the years require.
CAPACITY_COSTS = ("capex", "salvage", "fixed_om", "stack_replacement")
COST_CATEGORIES = ("capex", "fixed_om", "variable_om", "stack_replacement", "augmentation", "fuel",
                   "grid_import", "demand_charge", "ppa", "export_revenue", "certificates",
                   "credits", "carbon_price", "unserved", "salvage", "target_slack")
EMISSION_CATEGORIES = ("scope1", "scope2_location", "scope2_market", "biogenic", "upstream",
                       "scope3_embodied", "credits", "credits_counted")


class FlowError(RuntimeError):
    """A component registered a flow its technology's schema class does not declare (or
    none of the carriers it declares): a programming error, not an error in the plan."""


@dataclass
class Flows:
    """What one technology registered, for :func:`check_flows`: the carriers it supplies and
    draws, the fuels it burns, and whether it registered electricity for export."""

    supplied: list[str] = field(default_factory=list)
    drawn: list[str] = field(default_factory=list)
    fuels: list[str] = field(default_factory=list)
    exports: bool = False


def _plus(previous: BalanceTerm | None, term: BalanceTerm) -> BalanceTerm:
    """f(y, t) of ``previous + term`` (``term`` itself if there is nothing before it)."""
    if previous is None:
        return term
    return lambda y, t: previous(y, t) + term(y, t)


def _note(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)


class AtKey:
    """View of ``var[y, t, key]`` as a (y, t)-indexed variable (for :meth:`Context.annual_sum`)."""

    def __init__(self, var: Any, key: str):
        self.var, self.key = var, key

    def __getitem__(self, yt: tuple[int, int]) -> Any:
        return self.var[yt[0], yt[1], self.key]

    def __call__(self, y: int, t: int) -> Any:
        """As a balance term: ``var[y, t, key]``."""
        return self.var[y, t, self.key]


@dataclass
class Context:
    """Registers filled by components while the model is built."""

    m: pyo.ConcreteModel
    inputs: ModelInputs
    balance: dict[str, list[BalanceTerm]] = field(default_factory=lambda: defaultdict(list))
    costs: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    """(category, year) -> yearly cost terms; capex and salvage are one-off in that year."""
    emissions: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    fuel_use: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    """(fuel, year) -> annual fuel use terms [MWh, LHV]."""
    tech_costs: dict[tuple[str, str, int], list[Any]] = field(
        default_factory=lambda: defaultdict(list))
    """(tech, category, year) -> the part of a cost category that a technology causes."""
    tech_fuel_use: dict[tuple[str, str, int], Any] = field(default_factory=dict)
    """(tech, fuel, year) -> annual fuel a technology burns [MWh, LHV]."""
    demand_reduction: dict[tuple[str, int], Any] = field(default_factory=dict)
    """(carrier, year) -> share of demand removed by efficiency measures (expression)."""
    builds: dict[tuple[str, int], Any] = field(default_factory=dict)
    """(tech, year) -> capacity built that year [MW] (storage: power)."""
    energy_builds: dict[tuple[str, int], Any] = field(default_factory=dict)
    """(tech, year) -> storage energy capacity built that year [MWh]."""
    capex: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    """(tech, year) -> investment spent that year (site currency)."""
    embodied: dict[tuple[str, int], list[Any]] = field(default_factory=lambda: defaultdict(list))
    """(tech, year) -> embodied emissions of what it builds that year [t CO2e], a one-off
    (a battery's cycle wear bought back, a yearly part of ``scope3_embodied``, is not here)."""
    capacity: dict[tuple[str, int], Any] = field(default_factory=dict)
    """(tech, year) -> installed capacity expression [MW] (for results and pins)."""
    output: dict[str, dict[str, Any]] = field(default_factory=dict)
    """tech -> {carrier: f(y, t)} of its delivered output, for results and pins."""
    local_generation: list[BalanceTerm] = field(default_factory=list)
    """f(y, t) of electricity generated on site (renewables, SOFC, storage discharge): the
    most that can be exported in that hour (no pass-through of grid power)."""
    clean_storage: list[tuple[BalanceTerm, BalanceTerm]] = field(default_factory=list)
    """(clean charge, clean discharge) f(y, t) [MW] of each electricity store that keeps a
    clean sub-ledger (only with clean-electricity targets;
    optimiser/formulate/components/clean_share.py)."""
    consumption: dict[str, dict[str, Any]] = field(default_factory=dict)
    """tech -> {carrier: f(y, t)} of what it draws from a balance (e.g. heat pump power)."""
    flows: dict[str, Flows] = field(default_factory=dict)
    """tech -> the flows it registered with :meth:`supply`, :meth:`draw` and
    :meth:`add_fuel_use` (for :func:`check_flows`)."""
    investments: dict[str, Any] = field(default_factory=dict)
    """name -> variable of every decision that sets a capacity (capacity totals, aged output
    capacity, PPA shares): what a dispatch-only model holds at its solved values."""
    linking: dict[str, Any] = field(default_factory=dict)
    """name -> variable of every capacity the hourly rows read (capacity totals, aged output
    capacity, PPA shares): what links a decomposition's master to its yearly subproblems
    (:mod:`optimiser.decompose`)."""
    linking_scale: dict[str, float] = field(default_factory=dict)
    """name -> size of a linking column per MW of the capacity it follows (embodied
    emissions: t CO2e per MW built), where it is not 1: a decomposition's master bounds an
    unlimited column by a multiple of the highest demand [MW] times this."""
    nonmonotone: set[str] = field(default_factory=set)
    """Linking values the operating cost may rise with (efficiency savings are supply the
    balance must take; PPA shares are paid for as produced): every other is a capacity that
    only bounds dispatch from above (:mod:`optimiser.decompose.benders`)."""
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    """Arrays components compute once per key and read at every step (e.g. a PPA's hourly
    output, :func:`optimiser.formulate.components.ppa.available`)."""
    limits: list[tuple[int, str, Any, str]] = field(default_factory=list)
    """(year, what, constraint or variable, plan key that sets it) of every annual limit, to
    say what binds."""
    evaluator: Evaluator = field(default_factory=Evaluator)
    """The results' hourly expressions compiled once for this model (re-solves read them as
    one product each: :mod:`optimiser.formulate.evaluate`)."""

    def add_limit(self, year: int, what: str, item: Any, key: str = "") -> None:
        """Register an annual limit (a constraint, or a variable bounded above) of ``year``,
        named for people ("build limit of solar_pv_roof"), with the plan key that sets it
        ("technologies.solar_pv_roof.max_capacity_mw")."""
        self.limits.append((year, what, item, key))

    def add_balance(self, carrier: str, term: BalanceTerm) -> None:
        """Register a supply (+) or consumption (−) term in ``carrier``'s hourly balance
        (what the site buys; a technology states its flows with :meth:`supply` and
        :meth:`draw`)."""
        self.balance[carrier].append(term)

    def supply(self, tech: str, carrier: str, term: BalanceTerm,
               exportable: BalanceTerm | None = None) -> None:
        """Register ``term`` f(y, t) [MW] that ``tech`` supplies to ``carrier``: in the
        carrier's balance (+) and in ``output[tech][carrier]`` (its supplies of a carrier add
        up in their order); ``exportable`` (electricity generated on site, e.g. the same
        term or a store's discharge) is appended to ``local_generation``."""
        flows = self.flows.setdefault(tech, Flows())
        _note(flows.supplied, carrier)
        self.balance[carrier].append(term)
        output = self.output.setdefault(tech, {})
        output[carrier] = _plus(output.get(carrier), term)
        if exportable is not None:
            flows.exports = True
            self.local_generation.append(exportable)

    def draw(self, tech: str, carrier: str, term: BalanceTerm) -> None:
        """Register ``term`` f(y, t) [MW] that ``tech`` draws from ``carrier``: in the
        carrier's balance (−) and in ``consumption[tech][carrier]`` (its draws of a carrier
        add up in their order)."""
        _note(self.flows.setdefault(tech, Flows()).drawn, carrier)
        self.balance[carrier].append(lambda y, t: -term(y, t))
        drawn = self.consumption.setdefault(tech, {})
        drawn[carrier] = _plus(drawn.get(carrier), term)

    def add_cost(self, category: str, year: int, expr: Any, tech: str | None = None) -> None:
        """Register a cost in ``year`` (undiscounted, site currency), caused by ``tech`` if
        a technology causes it (kept per technology for the results)."""
        if category not in COST_CATEGORIES:
            raise KeyError(f"unknown cost category {category!r}")
        self.costs[(category, year)].append(expr)
        if tech is not None:
            self.tech_costs[(tech, category, year)].append(expr)

    def add_fuel_use(self, tech: str, fuel: str, year: int, expr: Any) -> None:
        """Register a technology's annual use of a fuel [MWh, LHV]: in ``fuel_use``,
        ``tech_fuel_use`` and the technology's flows."""
        self.fuel_use[(fuel, year)].append(expr)
        self.tech_fuel_use[(tech, fuel, year)] = expr
        _note(self.flows.setdefault(tech, Flows()).fuels, fuel)

    def add_emission(self, category: str, year: int, expr: Any) -> None:
        """Register emissions of ``year`` [t CO2e]."""
        if category not in EMISSION_CATEGORIES:
            raise KeyError(f"unknown emission category {category!r}")
        self.emissions[(category, year)].append(expr)

    def annual_sum(self, var: Any, year: int, coef: Any = None) -> Any:
        """Σ_t w_t c_t var[y, t] over the time grid [MWh from MW]."""
        w = self.inputs.step_weight
        if coef is None:
            return pyo.quicksum(float(w[t]) * var[year, t] for t in range(self.inputs.n_steps))
        return pyo.quicksum(float(w[t] * coef[t]) * var[year, t]
                            for t in range(self.inputs.n_steps) if coef[t] != 0)


def check_flows(ctx: Context, name: str, tech: TechnologyBase) -> None:
    """Raise :class:`FlowError` unless what technology ``name`` registered matches its schema
    class: carriers supplied within ``outputs()`` (and some, if it declares any), carriers
    drawn within ``inputs()``, fuels within ``fuels_burned()``, exportable terms only if it
    ``generates``. A model without dispatch (a decomposition's master) registers no flows
    and is not checked."""
    if not ctx.inputs.dispatch:
        return
    flows = ctx.flows.get(name, Flows())
    what = f"technology {name!r} (kind {getattr(tech, 'kind', '?')})"
    found = (("supplies", flows.supplied, tech.outputs(), "outputs()"),
             ("draws", flows.drawn, tech.inputs(), "inputs()"),
             ("burns", flows.fuels, tech.fuels_burned(), "fuels_burned()"))
    for verb, registered, declared, method in found:
        extra = [c for c in registered if c not in declared]
        if extra:
            raise FlowError(f"{what} {verb} {', '.join(extra)}, which {type(tech).__name__}."
                            f"{method} does not declare ({list(declared)})")
    if tech.outputs() and not flows.supplied:
        raise FlowError(f"{what} supplies none of the carriers {type(tech).__name__}.outputs() "
                        f"declares ({', '.join(tech.outputs())})")
    if flows.exports and not tech.generates:
        raise FlowError(f"{what} registers electricity for export, but "
                        f"{type(tech).__name__}.generates is False")
