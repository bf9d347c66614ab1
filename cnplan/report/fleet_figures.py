"""The company's emissions path for the fleet report: each plant's emissions per modelled
year on the corporate targets' scopes, the plants' summed baseline, the corporate limits and
the credits counted, as data (:class:`ScopePath`) and as figures (matplotlib, Agg)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from cnplan.report.figures import WIDTH, legend_below, plain_axis  # (Agg backend)
from cnplan.wording import basis_text

#: The scopes of a plant's ``emissions_t`` in the fleet summary, and of a target by default.
PLANT_SCOPES = "scope1+scope2_market"
#: One colour per plant (no red: red marks the corporate limits; no grey: the baseline).
PLANT_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22",
                 "#e377c2")


@dataclass
class ScopePath:
    """The company's emissions on one set of scopes, plant by plant [t CO2e/yr]."""

    scopes: str
    """``scope1+scope2_market``: the scopes every number here counts."""
    years: list[int]
    """The modelled years every plant has."""
    plants: dict[str, list[float]]
    """Each plant's emissions in each of ``years`` (before credits)."""
    baseline_t: float
    """The plants' baselines on these scopes, summed."""
    vehicles: dict[str, list[float]]
    """Each plant's vehicles built in each of ``years``."""
    baseline_vehicles: float
    """The plants' baseline-year vehicles, summed."""
    targets: list[dict[str, Any]]
    """The corporate targets (summary.json entries) counted on these scopes."""
    labels: dict[str, str]
    """Each plant's name in the legends: ``a (Plant A)``, or its name alone."""

    @property
    def totals(self) -> np.ndarray:
        """The company's emissions in each year, before credits."""
        return np.sum([np.array(v) for v in self.plants.values()], axis=0)

    @property
    def total_vehicles(self) -> np.ndarray:
        """The company's vehicles in each year."""
        return np.sum([np.array(v) for v in self.vehicles.values()], axis=0)

    def credits(self) -> np.ndarray:
        """Credits counted in each year: the most any of the targets counts then."""
        return np.array([max([_year(t, y).get("credits_t", 0.0) for t in self.targets],
                             default=0.0) for y in self.years])

    def limits(self, target: dict[str, Any]) -> list[float | None]:
        """The target's limit in each year (None where it does not hold)."""
        return [_year(target, y).get("limit_t") for y in self.years]


def _year(target: dict[str, Any], year: int) -> dict[str, Any]:
    entry = target["years"].get(str(year))
    return entry if isinstance(entry, dict) else {}


def same_scopes(a: str, b: str) -> bool:
    """Whether two ``+``-joined scope lists name the same scopes."""
    return set(a.split("+")) == set(b.split("+"))


def common_years(summary: dict[str, Any]) -> list[int]:
    """The modelled years every plant of the fleet summary has."""
    years = [set(map(int, p["emissions_t"])) for p in summary["plants"].values()]
    return sorted(set.intersection(*years)) if years else []


def scope_paths(summary: dict[str, Any], results: dict[str, xr.Dataset]) -> list[ScopePath]:
    """One path per set of scopes the corporate targets count (scope 1 + market-based scope 2
    without targets). Each plant's figures are summary.json's where they count the same
    scopes (``emissions_t``, ``baseline``), else its results.nc's on the targets' scopes."""
    plants = summary["plants"]
    years = common_years(summary)
    sets: list[str] = []
    for t in summary["targets"]:
        if not any(same_scopes(t["scopes"], s) for s in sets):
            sets.append(t["scopes"])
    paths = []
    for scopes in sets or [PLANT_SCOPES]:
        em = {n: _plant_emissions(p, results[n], scopes, years) for n, p in plants.items()}
        base = sum(_plant_baseline(p, results[n], scopes) for n, p in plants.items())
        vehicles = {n: [float(p["vehicles"].get(str(y), np.nan)) for y in years]
                    for n, p in plants.items()}
        base_vehicles = sum(float(p["baseline"]["vehicles"]) for p in plants.values())
        mine = [t for t in summary["targets"] if same_scopes(t["scopes"], scopes)]
        labels = {n: n if p["site"].lower() == n.lower() else f"{n} ({p['site']})"
                  for n, p in plants.items()}
        paths.append(ScopePath(scopes, years, em, base, vehicles, base_vehicles, mine, labels))
    return paths


def _plant_emissions(plant: dict[str, Any], ds: xr.Dataset, scopes: str,
                     years: list[int]) -> list[float]:
    if same_scopes(plant.get("emissions_scopes", PLANT_SCOPES), scopes):
        return [float(plant["emissions_t"][str(y)]) for y in years]
    counted = ds["emissions"].sel(category=scopes.split("+")).sum("category")
    return [float(counted.sel(year=y)) for y in years]


def _plant_baseline(plant: dict[str, Any], ds: xr.Dataset, scopes: str) -> float:
    if same_scopes(plant.get("emissions_scopes", PLANT_SCOPES), scopes):
        return float(plant["baseline"]["emissions_t"])
    return float(ds["baseline_emissions"].sel(baseline_category=scopes.split("+")).sum())


def _unit(largest: float) -> tuple[float, str]:
    """Divisor and unit of a figure's tonnes: kt above 20,000 t."""
    return (1e3, "kt") if largest > 2e4 else (1.0, "t")


def emissions_path(path: ScopePath, baseline_label: str) -> Figure:
    """The company's emissions by plant (stacked) in each modelled year, beside the plants'
    summed baseline; the corporate limits in red, credits counted hatched below zero, and
    the emissions net of credits where credits count."""
    div, unit = _unit(max(path.baseline_t, float(path.totals.max(initial=0.0))))
    x = np.arange(len(path.years) + 1)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    ax.bar(0, path.baseline_t / div, 0.7, color="#bbbbbb", label="baseline (plants summed)")
    bottom = np.zeros(len(path.years))
    for k, (name, values) in enumerate(path.plants.items()):
        ax.bar(x[1:], np.array(values) / div, 0.7, bottom=bottom,
               color=PLANT_COLOURS[k % len(PLANT_COLOURS)], label=path.labels[name])
        bottom += np.array(values) / div
    ax.axhline(path.baseline_t / div, color="grey", ls="--", lw=1)
    credits = path.credits()
    if credits.max(initial=0.0) > 0.5:
        ax.bar(x[1:], -credits / div, 0.7, color="none", edgecolor="#2ca02c", hatch="///",
               label="credits counted toward the targets")
        used = credits > 0.5
        ax.plot(x[1:][used], (path.totals - credits)[used] / div, "kD", ms=5,
                label="emissions net of credits")
    _draw_limits(ax, path.targets, path.limits, x[1:], div)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xticks(x, [baseline_label, *map(str, path.years)])
    plain_axis(ax)
    ax.set_ylabel(f"{unit} CO2e per year")
    ax.set_title(f"The company's emissions by plant against the corporate targets "
                 f"({basis_text(path.scopes)})", fontsize=9)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    legend_below(fig, [ax], ncols=5)
    return fig


def _draw_limits(ax: Any, targets: list[dict[str, Any]], limits: Any, x: np.ndarray,
                 div: float) -> None:
    """Each target's limit as a red bar over the years it holds, named where it starts."""
    for k, target in enumerate(targets):
        values = limits(target)
        held = [i for i, v in enumerate(values) if v is not None]
        for i in held:
            ax.plot([x[i] - 0.42, x[i] + 0.42], [values[i] / div] * 2, color="red", lw=2.5,
                    ls="-" if k == 0 else "--",
                    label=f"limit: {target['name']}" if i == held[0] else None)


def intensity_path(path: ScopePath) -> Figure:
    """The company's emissions per vehicle (total over total vehicles, before credits) and
    each plant's, against the per-vehicle targets' limits and the baseline intensity."""
    x = np.arange(len(path.years))
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    for k, (name, values) in enumerate(path.plants.items()):
        ax.plot(x, np.array(values) / np.array(path.vehicles[name]), "o-", lw=1, ms=3,
                color=PLANT_COLOURS[k % len(PLANT_COLOURS)], label=path.labels[name])
    ax.plot(x, path.totals / path.total_vehicles, "ko-", lw=2.2, label="the company")
    ax.axhline(path.baseline_t / path.baseline_vehicles, color="grey", ls="--", lw=1,
               label="baseline (plants summed)")
    per_vehicle = [t for t in path.targets if t["per_vehicle"]]
    _draw_limits(ax, per_vehicle, lambda t: [None if v is None else v / n for v, n in zip(
        path.limits(t), path.total_vehicles, strict=True)], x, 1.0)
    ax.set_xticks(x, [str(y) for y in path.years])
    ax.set_ylim(bottom=0)
    ax.set_ylabel("t CO2e per vehicle")
    ax.set_title(f"Emissions per vehicle ({basis_text(path.scopes)}, before credits)",
                 fontsize=9)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    legend_below(fig, [ax], ncols=6)
    return fig
