"""Figures of the roadmap report (matplotlib, Agg). Each function returns a Figure."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from optimiser.report.levers import LEVERS, annual  # noqa: E402
from plant.accounting import baseline_emissions, target_limit_t  # noqa: E402
from plant.schema import Plan  # noqa: E402

WIDTH = 9.0
PALETTE = plt.get_cmap("tab20").colors


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


def _colour(i: int) -> tuple:
    return PALETTE[i % len(PALETTE)]


def emissions_trajectory(ds: xr.Dataset, plan: Plan) -> Figure:
    """Scope 1 and scope 2 (market) from the baseline on, with location-based and targets."""
    base = baseline_emissions(plan)
    years = [plan.baseline.year, *[int(y) for y in ds["year"].values]]
    e = ds["emissions"]
    s1 = [base.scope1, *e.sel(category="scope1").values]
    s2m = [base.scope2_market, *e.sel(category="scope2_market").values]
    s2l = [base.scope2_location, *e.sel(category="scope2_location").values]
    credits = [0.0, *e.sel(category="credits").values]
    x = np.arange(len(years))
    fig, ax = plt.subplots(figsize=(WIDTH, 4.2))
    ax.bar(x, np.array(s1) / 1e3, color="#8c564b", label="scope 1 (fuels)")
    ax.bar(x, np.array(s2m) / 1e3, bottom=np.array(s1) / 1e3, color="#1f77b4",
           label="scope 2 market-based")
    ax.bar(x, -np.array(credits) / 1e3, color="none", edgecolor="#2ca02c", hatch="///",
           label="credits (not a reduction)")
    ax.plot(x, (np.array(s1) + np.array(s2l)) / 1e3, "k--", marker="o", ms=3,
            label="scope 1 + scope 2 location-based")
    for k, t in enumerate(plan.targets):
        if t.year in years:
            i = years.index(t.year)
            ax.plot([i - 0.4, i + 0.4], [target_limit_t(plan, t) / 1e3] * 2, color="red",
                    lw=2.5, label="target limit" if k == 0 else None)
            ax.annotate(t.name, (i, target_limit_t(plan, t) / 1e3), xytext=(0, 6),
                        textcoords="offset points", ha="center", fontsize=7, color="red")
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_ylabel("kt CO2e per year")
    ax.set_title("Emissions by scope against the targets")
    ax.legend(fontsize=7, ncols=3, loc="upper right")
    fig.tight_layout()
    return fig


def abatement_waterfall(table: dict[int, dict[str, float]], plan: Plan) -> Figure:
    """Waterfall from baseline to each target year, lever by lever."""
    base = baseline_emissions(plan)
    start = base.scope1 + base.scope2_market
    years = list(table)
    fig, axes = plt.subplots(1, len(years), figsize=(WIDTH, 4.2), sharey=True, squeeze=False)
    for ax, y in zip(axes[0], years, strict=True):
        level = start
        labels, bottoms, heights, colours = ["baseline"], [0.0], [start], ["#7f7f7f"]
        for i, lever in enumerate(LEVERS):
            value = table[y][lever]
            labels.append(lever)
            bottoms.append(level - value if value >= 0 else level)
            heights.append(abs(value))
            colours.append(LEVER_COLOURS[i % len(LEVER_COLOURS)] if value >= 0 else "#d62728")
            level -= value
        labels.append(f"net {y}")
        bottoms.append(0.0)
        heights.append(level)
        colours.append("#000000")
        ax.bar(range(len(labels)), np.array(heights) / 1e3, bottom=np.array(bottoms) / 1e3,
               color=colours)
        ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"{plan.baseline.year} → {y}")
        ax.axhline(0, color="grey", lw=0.6)
    axes[0][0].set_ylabel("kt CO2e per year")
    fig.suptitle("Abatement by lever (red: a lever that adds emissions)", fontsize=10)
    fig.tight_layout()
    return fig


def investment_roadmap(ds: xr.Dataset) -> Figure:
    """Capacity built and investment by year and technology."""
    years = [int(y) for y in ds["year"].values]
    techs = [str(t) for t in ds["tech"].values
             if float(ds["capex"].sel(tech=t).sum()) > 0 and not str(t).startswith("efficiency")]
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
    """Annual supply by source for each carrier and year."""
    carriers = [str(c) for c in ds["carrier"].values]
    years = [int(y) for y in ds["year"].values]
    fig, axes = plt.subplots(1, len(carriers), figsize=(WIDTH, 3.6), squeeze=False)
    disp = annual(ds, ds["dispatch"]) / 1e3
    for ax, c in zip(axes[0], carriers, strict=True):
        x = np.arange(len(years))
        bottom = np.zeros(len(years))
        sources = []
        if c == "electricity":
            grid = annual(ds, ds["grid_import"]).values / 1e3
            ax.bar(x, grid, color="#7f7f7f", label="grid import")
            bottom += grid
        for i, t in enumerate(ds["tech"].values):
            v = np.clip(disp.sel(tech=t, carrier=c).values, 0, None)
            if v.max() > 1e-3:
                ax.bar(x, v, bottom=bottom, color=_colour(i), label=str(t))
                bottom += v
                sources.append(t)
        demand = annual(ds, ds["demand"].sel(carrier=c)).values / 1e3
        ax.plot(x, demand, "k_", ms=18, mew=2, label="demand before efficiency")
        ax.set_xticks(x, years, fontsize=7)
        ax.set_title(c, fontsize=9)
        ax.legend(fontsize=5)
    axes[0][0].set_ylabel("GWh per year")
    fig.tight_layout()
    return fig


def cost_breakdown(ds: xr.Dataset) -> Figure:
    """Undiscounted cost by category and year (capex and salvage one-off)."""
    years = [int(y) for y in ds["year"].values]
    cost = ds["cost"].drop_sel(cost_category="target_slack") / 1e6
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    x = np.arange(len(years))
    pos, neg = np.zeros(len(years)), np.zeros(len(years))
    for i, c in enumerate(cost["cost_category"].values):
        v = cost.sel(cost_category=c).values
        if np.abs(v).max() < 1e-6:
            continue
        bottom = np.where(v >= 0, pos, neg)
        ax.bar(x, v, bottom=bottom, color=_colour(i), label=str(c))
        pos += np.clip(v, 0, None)
        neg += np.clip(v, None, 0)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xticks(x, years)
    return _finish(fig, ax, None, f"M{ds.attrs['currency']} (yearly; capex in its year)",
                   "Cost by category", fontsize=6, ncols=3)


def marginal_abatement(rows: list[dict]) -> Figure:
    """Marginal abatement cost curve: width = abatement, height = net cost per tonne."""
    rows = sorted(rows, key=lambda r: r["cost_per_t"])
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    left = 0.0
    for i, r in enumerate(rows):
        width = r["abatement_t"] / 1e3
        ax.bar(left, r["cost_per_t"], width=width, align="edge", color=_colour(2 * i),
               edgecolor="white", label=f"{r['lever']} ({r['cost_per_t']:,.0f})")
        left += width
    ax.axhline(0, color="grey", lw=0.6)
    return _finish(fig, ax, "abatement, kt CO2e per year", "net cost per tonne",
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
