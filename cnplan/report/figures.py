"""Figures of the roadmap report (matplotlib, Agg). Each function returns a Figure."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from optimiser.statistics import EFFECTS, annual  # noqa: E402

WIDTH = 9.0
PALETTE = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]


#: one colour per lever (no red: red marks a lever that adds emissions)
LEVER_COLOURS = ("#8c8c8c", "#1f77b4", "#ff7f0e", "#f2c200", "#9467bd", "#8c564b",
                 "#17becf", "#2ca02c", "#bcbd22")


def _finish(fig: Figure, ax: plt.Axes, xlabel: str | None, ylabel: str, title: str,
            **legend: Any) -> Figure:
    """Labels, title and legend of a single-axes figure, laid out."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(**({"fontsize": 7} | legend))
    fig.tight_layout()
    return fig


#: Colours of the abatement-cost bars (no red, which marks emissions added elsewhere).
MAC_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22",
               "#7f7f7f")


def _colour(i: int) -> tuple:
    return PALETTE[i % len(PALETTE)]


def held_spans(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Start year and length of the span of calendar years each modelled year stands for:
    values held over a span are drawn as bars across it (a step), not as points."""
    years = ds["year"].values.astype(float)
    spans = ds["span"].values.astype(float) if "span" in ds else np.append(np.diff(years), 1.0)
    return years, spans


def _year_ticks(ax: plt.Axes, starts: np.ndarray) -> None:
    ax.set_xticks(starts, [str(int(y)) for y in starts])


def emissions_trajectory(ds: xr.Dataset) -> Figure:
    """Scope 1 and scope 2 (market) from the baseline on, with location-based and targets.

    Each modelled year's emissions are drawn across the calendar years it stands for; each
    target's limit in every year it holds."""
    base = ds["baseline_emissions"]
    starts, widths = held_spans(ds)
    x = np.array([int(ds.attrs["baseline_year"]), *starts])
    w = np.array([1.0, *widths])
    e = ds["emissions"]

    def series(category: str) -> np.ndarray:
        return np.array([float(base.sel(baseline_category=category)),
                         *e.sel(category=category).values]) / 1e3

    s1, s2m, s2l = series("scope1"), series("scope2_market"), series("scope2_location")
    credits = np.array([0.0, *e.sel(category="credits").values]) / 1e3
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    bar: dict[str, Any] = {"width": w * 0.96, "align": "edge"}
    ax.bar(x, s1, color="#8c564b", label="scope 1 (fuels)", **bar)
    ax.bar(x, s2m, bottom=s1, color="#1f77b4", label="scope 2 market-based", **bar)
    ax.bar(x, -credits, color="none", edgecolor="#2ca02c", hatch="///",
           label="credits (not a reduction)", **bar)
    end = x[-1] + w[-1]
    ax.step(np.append(starts, end), np.append(s1[1:] + s2l[1:], s1[-1] + s2l[-1]),
            "k--", where="post", lw=1, label="scope 1 + scope 2 location-based")
    ax.plot([x[0], x[0] + 1], [s1[0] + s2l[0]] * 2, "k--", lw=1)
    for k, name in enumerate(ds["target"].values if "target" in ds.coords else []):
        holds = ds["target_holds"].sel(target=name).values
        limits = ds["target_limit_by_year"].sel(target=name).values / 1e3
        for j in np.flatnonzero(holds):
            ax.plot([starts[j], starts[j] + widths[j]], [limits[j]] * 2, color="red", lw=2.5,
                    label="target limit" if k == 0 and j == np.flatnonzero(holds)[0] else None)
        first = np.flatnonzero(holds)
        if len(first):
            ax.annotate(str(name), (starts[first[0]] + 0.5, limits[first[0]]), xytext=(0, 6),
                        textcoords="offset points", ha="left", fontsize=7, color="red")
    ax.axhline(0, color="grey", lw=0.6)
    _year_ticks(ax, x)
    ax.set_ylabel("kt CO2e per year")
    ax.set_title("Emissions by scope against the targets (each modelled year across its span)")
    ax.legend(fontsize=7, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    return fig


def abatement_waterfall(ds: xr.Dataset, table: dict[int, dict[str, float]],
                        basis: str) -> Figure:
    """From the baseline to each target year: production volume and the grid's and fuels'
    own decarbonisation first (not levers), then each lever at that year's factors."""
    start = float(ds["baseline_emissions"].sel(baseline_category=[
        s for s in basis.split("+") if s in ds["baseline_category"].values]).sum())
    years = list(table)
    fig, axes = plt.subplots(1, len(years), figsize=(WIDTH, 4.4), sharey=True, squeeze=False)
    for ax, y in zip(axes[0], years, strict=True):
        level = start
        labels, bottoms, heights, colours = ["baseline"], [0.0], [start], ["#7f7f7f"]
        for i, effect in enumerate(EFFECTS):
            value = table[y][effect]
            if abs(value) < 1e-6 * max(start, 1.0) and effect == "other":
                continue
            labels.append(effect)
            bottoms.append(level - value if value >= 0 else level)
            heights.append(abs(value))
            hatch_colour = "#bbbbbb" if effect in ("volume", "grid & fuel factors") else (
                LEVER_COLOURS[i % len(LEVER_COLOURS)])
            colours.append(hatch_colour if value >= 0 else "#d62728")
            level -= value
        credits = float(ds["emissions"].sel(category="credits", year=y))
        labels += [f"emissions {y}", "credits", f"net {y}"]
        bottoms += [0.0, level - credits, 0.0]
        heights += [level, credits, level - credits]
        colours += ["#444444", "#2ca02c", "#000000"]
        ax.bar(range(len(labels)), np.array(heights) / 1e3, bottom=np.array(bottoms) / 1e3,
               color=colours)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"{ds.attrs['baseline_year']} → {y}")
        ax.axhline(0, color="grey", lw=0.6)
    axes[0][0].set_ylabel(f"kt CO2e per year ({basis})")
    fig.suptitle("From the baseline to each target year: volume and grid/fuel factors (grey), "
                 "levers at the year's own factors (red: adds emissions)", fontsize=9)
    fig.tight_layout()
    return fig


def investment_roadmap(ds: xr.Dataset) -> Figure:
    """Capacity built and investment by year and technology."""
    years = [int(y) for y in ds["year"].values]
    techs = [str(t) for t in ds["tech"].values
             if float(ds["capex"].sel(tech=t).sum()) > 0
             and str(ds["tech_capacity_unit"].sel(tech=t).values) == "MW"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 3.8))
    x = np.arange(len(years))
    bottom = np.zeros(len(years))
    bottom2 = np.zeros(len(years))
    for i, t in enumerate(techs):
        built = ds["build"].sel(tech=t).values
        ax1.bar(x, built, bottom=bottom, color=_colour(i), label=t)
        bottom += built
    for i, t in enumerate([str(t) for t in ds["tech"].values
                           if float(ds["capex"].sel(tech=t).sum()) > 0]):
        spend = ds["capex"].sel(tech=t).values / 1e6
        ax2.bar(x, spend, bottom=bottom2, color=_colour(i))
        bottom2 += spend
    ax1.set_xticks(x, years)
    ax2.set_xticks(x, years)
    ax1.set_ylabel("MW built")
    ax2.set_ylabel(f"M{ds.attrs['currency']} invested")
    ax1.set_title("Capacity built")
    ax2.set_title("Investment (incl. efficiency)")
    ax1.legend(fontsize=6, ncols=2)
    fig.tight_layout()
    return fig


def energy_balance(ds: xr.Dataset) -> Figure:
    """Annual supply by source for each carrier, each modelled year across its span."""
    carriers = [str(c) for c in ds["carrier"].values]
    starts, widths = held_spans(ds)
    fig, axes = plt.subplots(1, len(carriers), figsize=(WIDTH, 3.6), squeeze=False)
    disp = annual(ds, ds["dispatch"]) / 1e3
    bar: dict[str, Any] = {"width": widths * 0.96, "align": "edge"}
    for ax, c in zip(axes[0], carriers, strict=True):
        bottom = np.zeros(len(starts))
        if c == "electricity":
            grid = annual(ds, ds["grid_import"]).values / 1e3
            ax.bar(starts, grid, color="#7f7f7f", label="grid import", **bar)
            bottom += grid
            if "ppa_take" in ds and ds.sizes.get("ppa", 0):
                ppa = annual(ds, ds["ppa_take"]).sum("ppa").values / 1e3
                ax.bar(starts, ppa, bottom=bottom, color="#bcbd22", label="PPA (private wire)",
                       **bar)
                bottom += ppa
        for i, t in enumerate(ds["tech"].values):
            v = np.clip(disp.sel(tech=t, carrier=c).values, 0, None)
            if v.max() > 1e-3:
                ax.bar(starts, v, bottom=bottom, color=_colour(i), label=str(t), **bar)
                bottom += v
        demand = annual(ds, ds["demand"].sel(carrier=c)).values / 1e3
        ax.step(np.append(starts, starts[-1] + widths[-1]), np.append(demand, demand[-1]),
                "k", where="post", lw=1.5, label="demand before efficiency")
        _year_ticks(ax, starts)
        ax.tick_params(axis="x", labelsize=6)
        ax.set_title(c, fontsize=9)
        ax.legend(fontsize=5)
    axes[0][0].set_ylabel("GWh per year")
    fig.tight_layout()
    return fig


def cost_breakdown(ds: xr.Dataset) -> Figure:
    """Undiscounted cost by category: yearly costs across the span each modelled year stands
    for (left); one-off investment and salvage in their year (right)."""
    starts, widths = held_spans(ds)
    cost = ds["cost"].drop_sel(cost_category="target_slack") / 1e6
    once = ("capex", "salvage")
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 3.6), width_ratios=(3, 2))
    for axis, cats, width in ((ax, [c for c in cost["cost_category"].values if c not in once],
                               widths), (ax2, list(once), np.ones_like(widths))):
        pos, neg = np.zeros(len(starts)), np.zeros(len(starts))
        for c in cats:
            v = cost.sel(cost_category=c).values
            if np.abs(v).max() < 1e-6:
                continue
            i = list(cost["cost_category"].values).index(c)
            bottom = np.where(v >= 0, pos, neg)
            axis.bar(starts, v, bottom=bottom, width=width * 0.96, align="edge",
                     color=_colour(i), label=str(c))
            pos += np.clip(v, 0, None)
            neg += np.clip(v, None, 0)
        axis.axhline(0, color="grey", lw=0.6)
        _year_ticks(axis, starts)
        axis.tick_params(axis="x", labelsize=7)
        axis.legend(fontsize=6, ncols=2)
    ax.set_ylabel(f"M{ds.attrs['currency']} per year")
    ax.set_title("Yearly costs (each modelled year across its span)", fontsize=9)
    ax2.set_ylabel(f"M{ds.attrs['currency']}")
    ax2.set_title("One-off: investment and salvage", fontsize=9)
    fig.tight_layout()
    return fig


def marginal_abatement(rows: list[dict], currency: str) -> Figure:
    """Marginal abatement cost curve: width = abatement, height = net cost per tonne (levers
    whose cost per tonne is not shown are left out)."""
    rows = sorted([r for r in rows if r["cost_per_t"] is not None],
                  key=lambda r: r["cost_per_t"])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    left = 0.0
    for i, r in enumerate(rows):
        width = r["abatement_t"] / 1e3
        ax.bar(left, r["cost_per_t"], width=width, align="edge",
               color=MAC_COLOURS[i % len(MAC_COLOURS)], edgecolor="white",
               label=f"{r['lever']} ({r['cost_per_t']:,.0f})")
        left += width
    ax.axhline(0, color="grey", lw=0.6)
    return _finish(fig, ax, "abatement, kt CO2e per year", f"net cost, {currency} per tonne",
                   "Marginal abatement cost of the levers used (indicative)")


def dispatch_week(ds: xr.Dataset, year: int, first_day: int, title: str) -> Figure:
    """Hourly electricity and heat supply for 7 calendar days of ``year``."""
    days = [(first_day + d) % 365 for d in range(7)]
    periods = ds["day_period"].values[days]
    y = ds.sel(year=year)
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.4), sharex=True)
    hours = np.arange(7 * 24)
    for ax, carriers in zip(axes, (["electricity"], [str(c) for c in ds["carrier"].values
                                                       if str(c) != "electricity"]),
                            strict=True):
        if not carriers:
            ax.set_visible(False)
            continue
        series = []
        if carriers == ["electricity"]:
            series.append(("grid import", y["grid_import"].values[periods].reshape(-1)))
        for t in ds["tech"].values:
            v = y["dispatch"].sel(tech=t, carrier=carriers).sum("carrier").values[periods]
            v = np.clip(v.reshape(-1), 0, None)
            if v.max() > 1e-3:
                series.append((str(t), v))
        ax.stackplot(hours, *[s[1] for s in series], labels=[s[0] for s in series],
                     colors=[_colour(i) for i in range(len(series))])
        demand = y["demand"].sel(carrier=carriers).sum("carrier").values[periods].reshape(-1)
        ax.plot(hours, demand, "k", lw=1, label="demand (before efficiency)")
        ax.set_title(f"{' + '.join(carriers) if len(carriers) < 3 else 'heat'}", fontsize=9)
        ax.set_xlabel("hour of the week")
        ax.legend(fontsize=5, loc="upper left")
    axes[0].set_ylabel("MW")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def sofc_curve(ds: xr.Dataset) -> Figure | None:
    """The twin's net efficiency and recoverable heat versus load, new and at mid-life."""
    if "sofc" not in ds.coords:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for s in ds["sofc"].values:
        for h in ds["sofc_hours"].values:
            c = ds.sel(sofc=s, sofc_hours=h)
            ax.plot(c["sofc_curve_load_fraction"] * 100, c["sofc_curve_efficiency_lhv"] * 100,
                    label=f"electric, {h:,.0f} h")
            ax.plot(c["sofc_curve_load_fraction"] * 100,
                    c["sofc_curve_heat_kw"] / c["sofc_curve_fuel_kw"] * 100, "--",
                    label=f"recoverable heat, {h:,.0f} h")
    return _finish(fig, ax, "load, % of rated net AC power", "% of fuel LHV",
                   "SOFC system efficiency (digital twin)")
