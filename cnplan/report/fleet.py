"""The fleet report (``cnplan fleet``; ``cnplan report DIR`` on a fleet folder): for
management, what the company's plants cost and cut together under the corporate targets,
what one more tonne cut costs the company, what letting the plants share the cuts is worth,
and how the plan was solved.

Every number is read from the fleet's summary.json (:mod:`optimiser.fleet.summary`,
:mod:`cnplan.fleets`) and the plants' run folders (their summary.json and results.nc); none
of the model's economics is derived anew here. Written as ``report.html`` (self-contained)
and ``report.pdf`` into the fleet folder, atomically (:func:`cnplan.report.render.write_report`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from cnplan.report.fleet_figures import (
    ScopePath,
    common_years,
    emissions_path,
    intensity_path,
    scope_paths,
)
from cnplan.report.formatting import number
from cnplan.report.render import png, template_env, write_report
from cnplan.runfolder import FleetFolder, read_fleet_folder

#: What each of a fleet run's timings measured (optimiser.fleet).
TIMING_LABELS = {"setup_s": "starting the plants", "build_s": "building the model",
                 "transfer_s": "passing it to HiGHS", "solve_s": "solving",
                 "price_s": "pricing rounds", "finish_s": "each plant's final plan",
                 "total_s": "in all"}
#: How each solution method is explained.
METHOD_TEXT = {
    "monolithic": "as one linear programme holding every plant's model and the corporate "
                  "targets (--method monolithic), by HiGHS",
    "decomposed": "by Dantzig–Wolfe decomposition (--method decomposed): each round, every "
                  "plant re-plans alone at the corporate carbon prices and a small master "
                  "problem mixes the plans so far and sets new prices, until the fleet's cost "
                  "and its lower bound meet; each plant is then planned once more at its "
                  "share of the targets. Solved by HiGHS",
}
#: The headline of each fleet status (cnplan.fleets.fleet_status, optimiser.fleet).
STATUS_TEXT = {
    "optimal": "every corporate target is met at the least cost found",
    "targets_missed": "a target is missed: this is a diagnostic plan, not a recommendation",
    "demand_not_met": "checked hour by hour, a plant leaves demand unserved: do not act on "
                      "this plan as it stands",
    "time_limit": "the decomposition stopped at its round limit before cost and bound met",
}


def render_fleet_report(fleet: Path | FleetFolder, *, pdf: bool = True) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf``) into the fleet folder; return the paths.
    :class:`cnplan.runfolder.RunFolderError` if the folder cannot be read."""
    folder = fleet if isinstance(fleet, FleetFolder) else read_fleet_folder(Path(fleet))
    return write_report(folder.path, render_fleet_html(folder), pdf=pdf)


def render_fleet_html(fleet: Path | FleetFolder) -> str:
    """The fleet report of a fleet folder as one HTML string."""
    folder = fleet if isinstance(fleet, FleetFolder) else read_fleet_folder(Path(fleet))
    summ = folder.summary
    results: dict[str, xr.Dataset] = {}
    for name, plant in folder.plants.items():
        assert plant.results is not None  # a plan run folder always has results.nc
        results[name] = plant.results
    paths = scope_paths(summ, results)
    env = template_env()
    env.filters.update(rate=rate_text, gap=gap_text, share=small_percent)
    return env.get_template("fleet.html.j2").render(
        s=summ, currency=summ["currency"], finance=finance_view(folder),
        status_text=status_line(summ),
        plants=plant_rows(folder), targets=target_rows(summ), cuts=cut_rows(summ),
        paths=[figures_of(p, baseline_label(summ)) for p in paths],
        prices=price_rows(summ), headline_price=headline_price(summ),
        flexibility=summ.get("flexibility"), method=method_view(summ),
        verification=summ.get("verification"))


def status_line(summ: dict[str, Any]) -> str:
    """The fleet's status in words; a plan whose targets are met but that falls short when
    checked hour by hour says so, rather than calling itself a diagnostic plan."""
    ver = summ.get("verification") or {}
    planned_ok = all(t["met"] for t in summ["targets"]) and not summ["diagnosis"]
    if summ["status"] == "targets_missed" and planned_ok and ver.get("status") == "short":
        return ("the plan meets every target, but checked hour by hour the planned fleet "
                "misses a corporate or plant target (section 6): do not act on this plan as it "
                "stands")
    return STATUS_TEXT.get(summ["status"], summ["status"])


def figures_of(path: ScopePath, label: str) -> dict[str, Any]:
    """A scope path's figures (PNG, base64): emissions by plant, and per vehicle when a
    target on its scopes counts per vehicle."""
    per_vehicle = any(t["per_vehicle"] for t in path.targets)
    return {"scopes": path.scopes, "emissions": png(emissions_path(path, label)),
            "intensity": png(intensity_path(path)) if per_vehicle else None,
            "targets": [t["name"] for t in path.targets]}


def baseline_label(summ: dict[str, Any]) -> str:
    """``baseline 2018``, or ``baselines 2018, 2019`` where the plants' years differ (on two
    lines, for the figure's axis)."""
    years = sorted({int(p["baseline"]["year"]) for p in summ["plants"].values()})
    return f"baseline{'s' if len(years) > 1 else ''}\n{', '.join(map(str, years))}"


def rate_text(rate: float) -> str:
    """An exchange rate as written: ``1.27``, ``0.0066``, ``1`` (no scientific notation)."""
    return f"{rate:.8f}".rstrip("0").rstrip(".")


def small_percent(fraction: float | None) -> str:
    """A share that may be small, with the digits it needs: ``12 %``, ``1.2 %``, ``0.02 %``."""
    if fraction is None or fraction != fraction:
        return "–"
    size = abs(fraction) * 100
    return f"{number(fraction * 100, 0 if size >= 10 else 1 if size >= 1 else 2)} %"


def gap_text(gap: float | None) -> str:
    """A relative gap in words: ``0``, ``399.2 %``, ``0.0012 %``, ``below 0.0001 %``."""
    if gap is None or gap != gap:
        return "–"
    if gap <= 0.0:
        return "0"
    if gap < 1e-6:
        return "below 0.0001 %"
    return f"{number(gap * 100, 1 if gap >= 0.01 else 4)} %"


def finance_view(folder: FleetFolder) -> dict[str, Any]:
    """The year money is discounted to (the same for every plant) and each plant's discount
    rate, from its plan."""
    rates, bases = {}, set()
    for name, plant in folder.plants.items():
        if plant.plan is not None:
            rates[name] = plant.plan.finance.discount_rate
            bases.add(plant.plan.finance.base_year)
    return {"base_year": min(bases) if bases else None, "discount_rates": rates,
            "rates_differ": len(set(rates.values())) > 1}


def own_targets_text(plant_targets: str, met: bool | None) -> str:
    """Whether a plant's own targets hold and are met, in words."""
    if plant_targets == "drop":
        return "dropped"
    return {True: "met", False: "MISSED", None: "none set"}[met]


def plant_rows(folder: FleetFolder) -> list[dict[str, Any]]:
    """Each plant: its cost in its own currency and the reporting one, its share of the
    fleet's, its own targets, its discount rate and its report."""
    summ = folder.summary
    total = summ["fleet"]["net_present_cost"]
    rates = finance_view(folder)["discount_rates"]
    rows = []
    for name, p in summ["plants"].items():
        npc = p["net_present_cost"]
        rows.append({
            "name": name, "site": p["site"], "currency": p["currency"],
            "rate": p["exchange_rate"], "own": npc["plant_currency"],
            "reporting": npc["reporting"], "status": p.get("status", ""),
            "share": npc["reporting"] / total if total else None,
            "own_targets": own_targets_text(summ["plant_targets"], p.get("own_targets_met")),
            "discount_rate": rates.get(name),
            "report": f"plants/{name}/report.html",
            "rendered": (folder.path / "plants" / name / "report.html").is_file(),
            "pdf": (folder.path / "plants" / name / "report.pdf").is_file()})
    return rows


def _vehicles(summ: dict[str, Any], year: int) -> float | None:
    """The company's vehicles in ``year`` (None if a plant does not say)."""
    counts = [p["vehicles"].get(str(year)) for p in summ["plants"].values()]
    return None if any(c is None for c in counts) else float(sum(counts))


def target_rows(summ: dict[str, Any]) -> list[dict[str, Any]]:
    """Each corporate target in each year it holds: limit, emitted, credits counted, net,
    met; per vehicle also the limit and the net over the company's vehicles."""
    rows = []
    for t in summ["targets"]:
        for y, v in t["years"].items():
            vehicles = _vehicles(summ, int(y)) if t["per_vehicle"] else None
            rows.append({
                "name": t["name"], "year": int(y), "scopes": t["scopes"],
                "limit": v["limit_t"], "emitted": v["emitted_t"], "credits": v["credits_t"],
                "net": v["net_t"], "over": v["over_t"], "met": v["met"],
                "per_vehicle": t["per_vehicle"],
                "limit_pv": v["limit_t"] / vehicles if vehicles else None,
                "net_pv": v["net_t"] / vehicles if vehicles and v["net_t"] is not None
                else None})
    return rows


def cut_rows(summ: dict[str, Any]) -> list[dict[str, Any]]:
    """Per modelled year, each plant's emissions (scope 1 + market-based scope 2, before
    credits), its cut against its own baseline and its share of the fleet's cut; then the
    fleet's."""
    plants = summ["plants"]
    out = []
    for y in common_years(summ):
        rows = [_cut(n, p["baseline"]["emissions_t"], p["emissions_t"][str(y)])
                for n, p in plants.items()]
        fleet = _cut("the company", sum(p["baseline"]["emissions_t"] for p in plants.values()),
                     sum(r["emitted"] for r in rows))
        for r in rows:
            r["of_fleet"] = r["cut"] / fleet["cut"] if fleet["cut"] > 0.5 else None
        fleet["of_fleet"] = 1.0 if fleet["cut"] > 0.5 else None
        out.append({"year": y, "plants": rows, "fleet": fleet})
    return out


def _cut(name: str, baseline: float, emitted: float) -> dict[str, Any]:
    cut = baseline - emitted
    return {"name": name, "baseline": baseline, "emitted": emitted, "cut": cut,
            "cut_share": cut / baseline if baseline > 0 else None}


def price_rows(summ: dict[str, Any]) -> list[dict[str, Any]]:
    """Per year a corporate target holds: the present value of a tonne, each plant's price
    in that year (reporting currency, and its own where it differs), the range, and the
    targets missed that year (whose price is then the penalty on a tonne over the limit)."""
    cur = summ["currency"]
    rows = []
    for y, pr in summ["corporate_carbon_price"].items():
        missed = [t["name"] for t in summ["targets"]
                  if not t["years"].get(y, {"met": True})["met"]]
        plants = []
        for name, p in summ["plants"].items():
            value = pr["per_t"].get(name)
            own = (value / p["exchange_rate"] if value is not None and p["currency"] != cur
                   else None)
            plants.append({"name": name, "price": value, "own": own, "currency": p["currency"]})
        rows.append({"year": int(y), "npc": pr["npc_per_t"], "low": pr["low"],
                     "high": pr["high"], "binds": pr["high"] > 1e-6, "plants": plants,
                     "missed": missed})
    return rows


def headline_price(summ: dict[str, Any]) -> dict[str, Any] | None:
    """The corporate carbon price of the first year in which it is not 0 (else of the first
    year with a corporate target), for the headline; None if no year has a price that is
    not a penalty for a missed target."""
    rows = [r for r in price_rows(summ) if not r["missed"]]
    return next((r for r in rows if r["binds"]), rows[0] if rows else None)


def method_view(summ: dict[str, Any]) -> dict[str, Any]:
    """How the fleet was solved: method, rounds, gap, workers, bound and timings."""
    d = summ["decomposition"]
    timings = [(TIMING_LABELS.get(k, k.removesuffix("_s").replace("_", " ")), v)
               for k, v in summ["timings"].items() if isinstance(v, (int, float))]
    return {"method": d.get("method", ""), "text": METHOD_TEXT.get(d.get("method", ""), ""),
            "iterations": d.get("iterations"), "gap": d.get("gap"),
            "workers": d.get("workers"), "rounds": d.get("rounds") or [],
            "bound": summ["fleet"].get("bound"), "timings": timings}
