"""A fleet run's outputs: one folder, a sub-folder per plant, the fleet's summary.json.

    DIR/summary.json        the fleet (optimiser.fleet.summary), stamped like a plan's
    DIR/fleet.json          the fleet file as validated
    DIR/plants/<name>/      each plant's results.nc, summary.json, plan.json (and report)
    DIR/report.html, .pdf   the fleet report (cnplan.report.fleet)

The folder appears whole or not at all (:func:`cnplan.outputs.write_run_dir`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cnplan import strictjson
from cnplan.outputs import provenance, write_run_dir
from cnplan.runfolder import format_stamp
from cnplan.runs import attach_verification, write_run_files
from optimiser.fleet import FleetRun
from optimiser.fleet.summary import fleet_summary
from optimiser.post.summary import summary
from plant.fleet import LoadedFleet, corporate_rows, with_shares


def verify_plants(fleet: LoadedFleet, run: FleetRun, jobs: int = 2,
                  time_limit: float | None = None) -> None:
    """Verify each plant's plan hour by hour with its capacities held
    (:func:`cnplan.runs.attach_verification`), held to its own targets (if kept) and to its
    share of each corporate row as planned (:func:`plant.fleet.with_shares`): the hourly
    dispatch must keep each plant within what the fleet plan allotted it."""
    rows = corporate_rows(fleet.fleet, [p.plan for p in fleet.plants.values()])
    for name, plant in run.plants.items():
        loaded = fleet.plant_plan(name)
        shares = {r.key: (plant.terms[f"emissions:{r.key}"],
                          plant.terms.get(f"credits:{r.key}", 0.0)) for r in rows}
        loaded = loaded._replace(plan=with_shares(loaded.plan, rows, shares))
        attach_verification(plant.run, loaded, jobs=jobs, time_limit=time_limit)


def verification_summary(fleet: LoadedFleet, run: FleetRun,
                         plant_summaries: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The fleet's verified cost and each corporate row's verified emissions, from the
    plants' verifications; None if they were not verified."""
    checked = {n: s.get("verification") or {} for n, s in plant_summaries.items()}
    if not all(checked.values()):
        return None
    npc = sum(c["net_present_cost"] * run.plants[n].rate for n, c in checked.items())
    rows = []
    for pr in run.prices:
        if pr.row.kind != "emissions":
            continue
        r = pr.row.row
        y = str(r.year)
        emitted = sum(_verified_scopes(run.plants[n].run.results, r.scopes, r.year)
                      for n in checked)
        credits = sum(c["by_year"][y]["credits_t"] for c in checked.values())
        net = emitted - min(credits, r.credit_cap_t)
        rows.append({"target": r.name, "year": r.year, "limit_t": r.limit_t,
                     "emitted_t": emitted, "credits_t": min(credits, r.credit_cap_t),
                     "net_t": net, "met": net <= r.limit_t + 1e-3})
    return {"net_present_cost": npc, "net_present_cost_estimate": run.net_present_cost,
            "units": fleet.fleet.currency,
            "plants": {n: {"status": c["status"], "net_present_cost": c["net_present_cost"],
                           "unserved_mwh": sum(v["unserved_mwh"]
                                               for v in c["by_year"].values())}
                       for n, c in checked.items()},
            "corporate": rows,
            "status": "ok" if all(r["met"] for r in rows) and all(
                c["status"] == "optimal" for c in checked.values()) else "short"}


def _verified_scopes(ds: Any, scopes: tuple[str, ...], year: int) -> float:
    return float(ds["verified_emissions"].sel(year=year, category=list(scopes)).sum())


def write_fleet_outputs(fleet: LoadedFleet, run: FleetRun, out_dir: Path, resolution: str,
                        *, overwrite: bool, other: FleetRun | None = None) -> dict[str, Any]:
    """Write the fleet's folder (module docstring); ``other``: the same fleet solved with the
    other ``plant_targets`` rule, for the value of flexibility. Returns the summary."""
    prov = {"cnplan_version": provenance(fleet.sha256)["cnplan_version"],
            "fleet_sha256": fleet.sha256, "fleet_file": str(fleet.file)}
    plant_prov = {name: provenance(p.sha256) | {"plan_file": str(p.file)}
                  for name, p in fleet.plants.items()}
    plant_summaries = {name: summary(plant.run.results, plant.run.timings, plant_prov[name])
                       for name, plant in run.plants.items()}
    summ = format_stamp() | fleet_summary(fleet, run, resolution) | prov
    summ["flexibility"] = flexibility(fleet, run, other)
    summ["verification"] = verification_summary(fleet, run, plant_summaries)
    summ["status"] = fleet_status(summ, plant_summaries)

    def fill(folder: Path) -> None:
        (folder / "plants").mkdir()
        for name, plant in run.plants.items():
            sub = folder / "plants" / name
            sub.mkdir()
            write_run_files(sub, plant.run.results, plant_summaries[name] | {"diagnosis": []},
                            plant_prov[name],
                            fleet.plant_plan(name).plan.model_dump_json(indent=2))
        (folder / "fleet.json").write_text(fleet.fleet.model_dump_json(indent=2),
                                           encoding="utf-8")
        (folder / "summary.json").write_text(strictjson.dumps(summ, indent=2),
                                             encoding="utf-8")

    write_run_dir(out_dir, fill, overwrite=overwrite, rescue_as="the solved fleet")
    return summ


def flexibility(fleet: LoadedFleet, run: FleetRun, other: FleetRun | None,
                ) -> dict[str, Any] | None:
    """The fleet's cost with the plants' own targets kept and dropped, and what dropping
    them saves: the value of meeting the targets where a tonne is cheapest."""
    if other is None:
        return None
    keep, drop = (run, other) if fleet.fleet.plant_targets == "keep" else (other, run)
    both = keep.status == drop.status == "optimal"
    value = keep.net_present_cost - drop.net_present_cost if both else math.nan
    note = ("" if not both else "the fleet has no corporate target: the value is what the "
            "plants' own targets cost" if not fleet.fleet.targets else "")
    if not both:
        note = ("not a value of flexibility: a target is missed with plant targets "
                f"{'kept' if keep.status != 'optimal' else 'dropped'}")
    return {"keep": _plain(keep.net_present_cost), "drop": _plain(drop.net_present_cost),
            "value": _plain(value), "status_keep": keep.status, "status_drop": drop.status,
            "share": _plain(value / keep.net_present_cost) if both else None,
            "note": note, "units": fleet.fleet.currency}


def _plain(value: float) -> float | None:
    return value if math.isfinite(value) else None


def fleet_status(summ: dict[str, Any], plants: dict[str, dict[str, Any]]) -> str:
    """``optimal``; ``targets_missed`` if a corporate target or a plant's own one is missed
    (in the plan or, verified, hour by hour); ``demand_not_met`` if a verified plant leaves
    demand unserved; else the run's own status."""
    status = summ["status"]
    if status != "optimal":
        return str(status)
    if not all(t["met"] for t in summ["targets"]):
        return "targets_missed"
    if any(s["status"] in ("targets_missed", "demand_not_met") for s in plants.values()):
        return "targets_missed"
    checked = summ.get("verification")
    if checked is not None and checked["status"] != "ok":
        return "demand_not_met" if any(p["unserved_mwh"] > 1e-3 for p in
                                       checked["plants"].values()) else "targets_missed"
    return "optimal"
