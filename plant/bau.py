"""A plan's business-as-usual counterpart: what the site costs and emits if it does nothing new.

Same prices, demand, production, existing assets and contracts (PPAs; an ``optional`` PPA,
one the site may still sign, is not signed). Existing assets may be
replaced like for like when they reach the end of their life — a technology with existing
assets may be built up to their total capacity (and no more than the plan's own limit). A
technology the plan keeps at ``max_capacity_mw: 0``, a model that is no longer sold, is
replaced by the technology its ``replaced_by`` names (same kind), up to the retiring
capacity and not before the asset retires; without one it retires with its assets. No new
levers: every other technology's build limit is 0 and no efficiency measure saves anything.
No targets (emission or clean-electricity) and no pins, so no certificates or credits are
bought. The roadmap's extra cost
and abatement are measured against it (docs/plans.md).
"""

from __future__ import annotations

from typing import Any

from plant.schema import EfficiencyMeasure, ExistingAsset, Plan, Scenario, SolarPV


def _retirement_year(plan: Plan, asset: ExistingAsset) -> int:
    lifetime = asset.lifetime_years or plan.technologies[asset.technology].service_life_years
    return asset.build_year + lifetime


def _replacements(plan: Plan) -> dict[str, tuple[float, int]]:
    """For each technology named by ``replaced_by``: the capacity it may reach in business
    as usual (the assets it replaces) and the first year it may be built (when the first of
    them retires)."""
    out: dict[str, tuple[float, int]] = {}
    for asset in plan.existing_assets.values():
        old = plan.technologies[asset.technology]
        if old.replaced_by is None or (old.max_capacity_mw is None or old.max_capacity_mw > 0):
            continue
        cap, first = out.get(old.replaced_by, (0.0, 9999))
        out[old.replaced_by] = (cap + asset.capacity_mw,
                                min(first, _retirement_year(plan, asset)))
    return out


def business_as_usual(plan: Plan) -> Plan:
    """The business-as-usual counterpart of ``plan`` (module docstring)."""
    replacing = _replacements(plan)
    technologies = {}
    for name, tech in plan.technologies.items():
        existing = sum(a.capacity_mw for a in plan.existing_assets.values()
                       if a.technology == name)
        buildable = tech.max_capacity_mw is None or tech.max_capacity_mw > 0
        update: dict[str, Any] = {"max_capacity_mw": existing if buildable else 0.0}
        if name in replacing and buildable:
            cap, first = replacing[name]
            update["max_capacity_mw"] = existing + cap
            if existing == 0.0:
                update["first_year"] = max(first, tech.first_year or first)
        if tech.max_capacity_mw is not None:
            update["max_capacity_mw"] = min(update["max_capacity_mw"], tech.max_capacity_mw)
        if isinstance(tech, SolarPV):
            update["max_area_m2"] = None
        if isinstance(tech, EfficiencyMeasure):
            update["max_saving_fraction"] = 0.0
        technologies[name] = tech.model_copy(update=update)
    scenario = Scenario(name="business as usual",
                        description=f"{plan.scenario.name} without new levers or targets: "
                        "existing assets replaced like for like")
    ppas = {n: p for n, p in plan.ppas.items() if not p.optional}
    accounting = plan.accounting.model_copy(update={"clean_electricity_targets": []})
    return plan.model_copy(update={"technologies": technologies, "targets": [], "pins": [],
                                   "ppas": ppas, "accounting": accounting,
                                   "scenario": scenario})
