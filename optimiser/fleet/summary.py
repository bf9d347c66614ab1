"""A fleet run's summary.json: the fleet's cost, each plant's, the corporate targets year by
year with their implied carbon prices, and how the decomposition went.

Implied prices: π_r is the change of the fleet's net present cost [reporting currency] per
tonne of row r's limit. As a price per tonne emitted in year y it is π_r / δ_p(y), with
δ_p(y) plant p's discount factor for the span of modelled year y (Σ over the calendar years
the modelled year stands for of (1 + i_p)^−(τ − base year), :class:`~optimiser.formulate.
economics.Spans`): plants with different discount rates see the same present value as
different prices, so the summary gives each plant's and their range.
"""

from __future__ import annotations

import math
from typing import Any

from optimiser.fleet.plants import PlantResult
from optimiser.fleet.result import FleetRun, RowPrice
from optimiser.formulate.inputs import plan_spans
from plant.fleet import LoadedFleet, corporate_rows

#: A corporate row is met if the fleet emits at most this much over its limit [t CO2e].
MET_TOLERANCE_T = 1e-3


def fleet_summary(fleet: LoadedFleet, run: FleetRun, resolution: str) -> dict[str, Any]:
    """The summary.json of a fleet run (module docstring; docs/fleet.md, "Outputs")."""
    f = fleet.fleet
    return {
        "kind": "fleet", "name": f.name, "description": f.description,
        "currency": f.currency, "price_year": f.price_year, "resolution": resolution,
        "plant_targets": f.plant_targets, "status": run.status,
        "fleet": {"net_present_cost": _finite(run.net_present_cost),
                  "bound": _finite(run.bound), "units": f.currency},
        "plants": {n: _plant(fleet, n, p) for n, p in run.plants.items()},
        "targets": _targets(fleet, run),
        "corporate_carbon_price": _price_by_year(fleet, run.prices),
        "decomposition": {"method": run.method, "iterations": run.iterations,
                          "gap": _finite(run.gap), "workers": run.workers,
                          "rounds": run.history},
        "timings": run.timings, "diagnosis": run.diagnosis,
        "warnings": list(fleet.warnings),
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _plant(fleet: LoadedFleet, name: str, p: PlantResult) -> dict[str, Any]:
    plan = fleet.plants[name].plan
    ds = p.run.results
    scopes = ["scope1", "scope2_market"]
    emissions = ds["emissions"].sel(category=scopes).sum("category")
    credits = ds["emissions"].sel(category="credits")
    return {
        "site": plan.site.name, "plan_file": str(fleet.plants[name].file),
        "folder": f"plants/{name}", "status": str(ds.attrs.get("status", "")),
        "currency": p.currency, "exchange_rate": p.rate,
        "net_present_cost": {"plant_currency": p.net_present_cost,
                             "reporting": p.net_present_cost_reporting},
        "emissions_t": {str(int(y)): float(v) for y, v in zip(ds.year.values, emissions.values,
                                                             strict=True)},
        "emissions_scopes": "+".join(scopes),
        "credits_t": {str(int(y)): float(v) for y, v in zip(ds.year.values, credits.values,
                                                           strict=True)},
        "vehicles": {str(y): plan.production.vehicles_per_year.at(y) for y in plan.years()},
        "baseline": {"year": plan.baseline.year, "vehicles": plan.baseline.vehicles,
                     "emissions_t": float(ds["baseline_emissions"].sel(
                         baseline_category=scopes).sum())},
        "own_targets_met": _own_targets_met(ds),
    }


def _own_targets_met(ds: Any) -> bool | None:
    if "target_shortfall" not in ds or ds.sizes.get("target", 0) == 0:
        return None
    return bool((ds["target_shortfall"] <= MET_TOLERANCE_T).all())


def _targets(fleet: LoadedFleet, run: FleetRun) -> list[dict[str, Any]]:
    plans = [p.plan for p in fleet.plants.values()]
    rows = corporate_rows(fleet.fleet, plans)
    prices = {pr.row.id: pr for pr in run.prices}
    out = []
    for k, target in enumerate(fleet.fleet.targets):
        years: dict[str, Any] = {}
        for row in (r for r in rows if r.target == k):
            em = prices.get(f"emissions:{row.key}")
            cr = prices.get(f"credits:{row.key}")
            credits = cr.value_t if cr else 0.0
            net = em.value_t if em else math.nan
            over = max(0.0, net - row.limit_t)
            years[str(row.year)] = {
                "limit_t": row.limit_t, "emitted_t": net + credits, "credits_t": credits,
                "net_t": net, "over_t": over, "met": over <= MET_TOLERANCE_T,
                "baseline_t": row.baseline_t, "credit_cap_t": row.credit_cap_t,
                "implied_price": _row_price(fleet, em if over <= MET_TOLERANCE_T else None,
                                            row.year),
                "by_plant": {n: p.terms.get(f"emissions:{row.key}", math.nan)
                             + p.terms.get(f"credits:{row.key}", 0.0)
                             for n, p in run.plants.items()},
            }
        out.append({"name": target.name, "year": target.year,
                     "per_vehicle": target.per_vehicle, "scopes": "+".join(target.scopes),
                     "reduction": target.reduction, "max_credit_share": target.max_credit_share,
                     "met": all(y["met"] for y in years.values()),
                     "missed_in": [int(y) for y, v in years.items() if not v["met"]],
                     "years": years, "units": "t CO2e/yr"})
    return out


def _row_price(fleet: LoadedFleet, price: RowPrice | None, year: int,
               ) -> dict[str, Any] | None:
    """The row's implied price, or None where the row is missed (its dual is then the
    diagnosis's penalty, not a price)."""
    if price is None:
        return None
    npc = price.npc_per_t
    per_plant = {n: npc / plan_spans(lp.plan).annual[year] for n, lp in fleet.plants.items()}
    values = list(per_plant.values())
    return {"npc_per_t": npc, "per_t": per_plant, "low": min(values), "high": max(values),
            "units": f"{fleet.fleet.currency}/t CO2e"}


def _price_by_year(fleet: LoadedFleet, prices: list[RowPrice]) -> dict[str, Any]:
    """The price of a tonne emitted in each year: the sum over every corporate emissions row
    of that year (a tonne counts toward each target that holds then); None in a year where a
    row is missed."""
    years = sorted({pr.row.row.year for pr in prices if pr.row.kind == "emissions"})
    out: dict[str, Any] = {}
    for y in years:
        if any(pr.over_t > MET_TOLERANCE_T for pr in prices if pr.row.row.year == y):
            out[str(y)] = None
            continue
        npc = sum(pr.npc_per_t for pr in prices
                  if pr.row.kind == "emissions" and pr.row.row.year == y)
        per_plant = {n: npc / plan_spans(lp.plan).annual[y] for n, lp in fleet.plants.items()}
        out[str(y)] = {"npc_per_t": npc, "per_t": per_plant, "low": min(per_plant.values()),
                       "high": max(per_plant.values()),
                       "units": f"{fleet.fleet.currency}/t CO2e"}
    return out
