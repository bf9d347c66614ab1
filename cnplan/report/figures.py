"""Figures of the roadmap report (matplotlib, Agg). Each function returns a Figure."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from cnplan.report.formatting import number  # noqa: E402
from optimiser.post.statistics import (  # noqa: E402
    EFFECTS,
    NOT_LEVERS,
    annual,
    one_off_emissions,
)

WIDTH = 9.0
PALETTE = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]


#: one colour per lever (no red: red marks a lever that adds emissions)
LEVER_COLOURS = ("#8c8c8c", "#1f77b4", "#ff7f0e", "#f2c200", "#9467bd", "#8c564b",
                 "#17becf", "#2ca02c", "#bcbd22")


def _finish(fig: Figure, ax: plt.Axes, xlabel: str | None, ylabel: str, title: str,
            ncols: int = 4) -> Figure:
    """Labels, title and legend (under the axes, covering no data) of a single-axes figure."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    legend_below(fig, [ax], ncols=ncols)
    return fig


#: Colours of the abatement-cost bars (no red, which marks emissions added elsewhere).
MAC_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22",
               "#7f7f7f")


#: Cost categories as the charts name them.
COST_NAMES = {"capex": "investment", "fixed_om": "fixed O&M", "variable_om": "variable O&M",
              "stack_replacement": "SOFC stacks",
              "augmentation": "battery augmentation", "grid_import": "grid power",
              "demand_charge": "demand charges", "ppa": "PPAs", "export_revenue": "export revenue",
              "carbon_price": "carbon price",
              "salvage": "salvage value", "unserved": "unserved energy"}


def plain_axis(ax: plt.Axes, axis: str = "y") -> None:
    """Tick labels as the tables write numbers: thousands separators, a true minus sign, no
    scientific notation or offset."""
    fmt = FuncFormatter(lambda v, _pos: number(v, 0 if abs(v) >= 10 or v == int(v) else 1))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _colour(i: int) -> tuple:
    return PALETTE[i % len(PALETTE)]


#: Colours for technologies: tab20 without its greys (grey is the grid's).
TECH_PALETTE = tuple(c for i, c in enumerate(PALETTE) if i not in (14, 15))


def tech_colours(ds: xr.Dataset) -> dict[str, tuple]:
    """One colour per technology, the same in every chart of the report."""
    return {str(t): TECH_PALETTE[i % len(TECH_PALETTE)] for i, t in enumerate(ds["tech"].values)}


def held_spans(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Start year and length of the span of calendar years each modelled year stands for:
    values held over a span are drawn as bars across it (a step), not as points."""
    years = ds["year"].values.astype(float)
    spans = ds["span"].values.astype(float) if "span" in ds else np.append(np.diff(years), 1.0)
    return years, spans


def year_ticks(ax: plt.Axes, starts: np.ndarray, widths: np.ndarray | None = None) -> None:
    """A tick in the middle of each span (bars are drawn across the span from its start),
    labelled by what the span stands for ("2027–29")."""
    labels, centres = [], []
    for i, y in enumerate(starts):
        n = 1 if widths is None or i >= len(widths) else int(widths[i])
        labels.append(str(int(y)) if n == 1 else f"{int(y)}–{str(int(y) + n - 1)[-2:]}")
        centres.append(float(y) + 0.48 * n if widths is not None else float(y))
    ax.set_xticks(centres, labels)


def tech_label(ds: xr.Dataset, tech: Any) -> str:
    """The name reports show for a technology (its ``label``)."""
    return str(ds["tech_label"].sel(tech=tech).values) if "tech_label" in ds.coords else str(tech)


def legend_below(fig: Figure, axes: list[plt.Axes], ncols: int = 4) -> None:
    """One legend for ``axes`` under the figure, so it covers no data."""
    handles, labels = [], []
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="lower center", ncols=ncols, fontsize=6,
                   frameon=False)


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
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    bar: dict[str, Any] = {"width": w * 0.96, "align": "edge"}
    ax.bar(x, s1, color="#8c564b", label="scope 1 (fuels)", **bar)
    ax.bar(x, s2m, bottom=s1, color="#1f77b4", label="scope 2 market-based", **bar)
    ax.bar(x, -credits, color="none", edgecolor="#2ca02c", hatch="///",
           label="credits (not a reduction)", **bar)
    if "scope3_embodied" in e["category"].values:
        total = e.sel(category="scope3_embodied").values / 1e3
        built = one_off_emissions(ds).values / 1e3  # one year wide: the year built
        yearly = np.array([0.0, *(total - built)])  # cycle wear bought back: every year
        some = yearly > 5e-4  # no edge drawn where there is none (the baseline year)
        if some.any():
            ax.bar(x[some], yearly[some], bottom=(s1 + s2m)[some], width=w[some] * 0.96,
                   align="edge", color="none", edgecolor="#bcbd22", hatch="..",
                   label="embodied in augmentation, every year (scope 3)")
        if (built > 5e-4).any():
            ax.bar(starts, built, bottom=(s1 + s2m + yearly)[1:], width=0.96, align="edge",
                   color="#bcbd22", label="embodied, in the year built (scope 3)")
    end = x[-1] + w[-1]
    ax.step(np.append(starts, end), np.append(s1[1:] + s2l[1:], s1[-1] + s2l[-1]),
            "k--", where="post", lw=1, label="scope 1 + scope 2 location-based")
    ax.plot([x[0], x[0] + 1], [s1[0] + s2l[0]] * 2, "k--", lw=1)
    start_total = s1[0] + s2m[0]
    for k, name in enumerate(ds["target"].values if "target" in ds.coords else []):
        holds = ds["target_holds"].sel(target=name).values
        limits = ds["target_limit_by_year"].sel(target=name).values / 1e3
        for j in np.flatnonzero(holds):
            ax.plot([starts[j], starts[j] + widths[j]], [limits[j]] * 2, color="red", lw=2.5,
                    label="target limit" if k == 0 and j == np.flatnonzero(holds)[0] else None)
        if holds.any():
            j = np.flatnonzero(holds)[0]
            ax.plot([x[0] + 0.5, starts[j]], [start_total, limits[j]], ":", color="red", lw=1,
                    label="glide path to the target" if k == 0 else None)
        first = np.flatnonzero(holds)
        if len(first):
            ax.annotate(str(name), (starts[first[0]] + 0.5, limits[first[0]]), xytext=(0, 6),
                        textcoords="offset points", ha="left", fontsize=7, color="red")
    ax.axhline(0, color="grey", lw=0.6)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.1 * (high - low))  # room for the targets' names
    year_ticks(ax, x, w)
    ax.set_ylabel("kt CO2e per year")
    ax.set_title("Emissions by scope against the targets (each modelled year across its span)")
    ax.legend(fontsize=7, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    fig.tight_layout()
    return fig


def abatement_waterfall(ds: xr.Dataset, table: dict[int, dict[str, float]],
                        basis: str) -> Figure:
    """From the baseline to each target year: the baseline calibration gap, production
    volume and the grid's and fuels' own decarbonisation first (not levers), then each lever
    at that year's factors."""
    start = float(ds["baseline_emissions"].sel(baseline_category=[
        s for s in basis.split("+") if s in ds["baseline_category"].values]).sum())
    years = list(table)
    fig, axes = plt.subplots(1, len(years), figsize=(WIDTH, 4.4), sharey=True, squeeze=False)
    for ax, y in zip(axes[0], years, strict=True):
        level = start
        labels, bottoms, heights, colours = ["baseline"], [0.0], [start], ["#7f7f7f"]
        for i, effect in enumerate(EFFECTS):
            if effect not in table[y]:  # a run written before the effect existed
                continue
            value = table[y][effect]
            if abs(value) < 1e-6 * max(start, 1.0) and effect in ("other",
                                                                  "baseline calibration"):
                continue
            labels.append(effect)
            bottoms.append(level - value if value >= 0 else level)
            heights.append(abs(value))
            hatch_colour = "#bbbbbb" if effect in NOT_LEVERS else (
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
    axes[0][0].set_ylabel("kt CO2e per year (" + " + ".join(
        p.replace("scope", "scope ").replace("_", " ") for p in basis.split("+")) + ")")
    fig.suptitle("From the baseline to each target year: calibration, volume and grid/fuel "
                 "factors (grey), "
                 "levers at the year's own factors (red: adds emissions)", fontsize=9)
    fig.tight_layout()
    return fig


def investment_roadmap(ds: xr.Dataset) -> Figure:
    """Power capacity built (MW; storage energy is in the table) and investment (all
    technologies, efficiency included) by period and technology."""
    years = [int(y) for y in ds["year"].values]
    invested = [t for t in ds["tech"].values if float(ds["capex"].sel(tech=t).sum()) > 0]
    power = [t for t in invested if str(ds["tech_capacity_unit"].sel(tech=t).values) == "MW"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 4.0))
    x = np.arange(len(years))
    bottom, bottom2 = np.zeros(len(years)), np.zeros(len(years))
    colours = {t: _colour(i) for i, t in enumerate(invested)}
    for t in power:
        built = ds["build"].sel(tech=t).values
        ax1.bar(x, built, bottom=bottom, color=colours[t], label=tech_label(ds, t))
        bottom += built
    for t in invested:
        spend = ds["capex"].sel(tech=t).values / 1e6
        ax2.bar(x, spend, bottom=bottom2, color=colours[t], label=tech_label(ds, t))
        bottom2 += spend
    labels = [f"{y}–{str(y + int(n) - 1)[-2:]}" if int(n) > 1 else str(y)
              for y, n in zip(years, ds["span"].values, strict=True)]
    for ax in (ax1, ax2):
        ax.set_xticks(x, labels, fontsize=7)
    ax1.set_ylabel("MW built")
    plain_axis(ax2)
    ax2.set_ylabel(f"million {ds.attrs['currency']} invested")
    ax1.set_title("Power capacity built", fontsize=9)
    ax2.set_title("Investment (efficiency included)", fontsize=9)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    legend_below(fig, [ax2], ncols=4)
    return fig


def energy_balance(ds: xr.Dataset) -> Figure:
    """Annual balance of each carrier, each modelled year across its span: what supplies it
    above the axis, what uses it below (demand before efficiency, export, storage charging,
    power drawn by heat pumps and boilers), so the two sides are equal."""
    from cnplan.tables import flows

    carriers = [str(c) for c in ds["carrier"].values]
    starts, widths = held_spans(ds)
    fig, axes = plt.subplots(1, len(carriers), figsize=(WIDTH, 3.9), squeeze=False)
    bar: dict[str, Any] = {"width": widths * 0.96, "align": "edge"}
    colours = tech_colours(ds) | {"grid_import": "#7f7f7f", "grid_export": "#4d4d4d",
                                  "demand": "#d9d9d9", "unserved": "#d62728"}
    all_flows = flows(ds)
    for ax, c in zip(axes[0], carriers, strict=True):
        pos, neg = np.zeros(len(starts)), np.zeros(len(starts))
        for key, label, carrier, direction, da in all_flows:
            if carrier != c:
                continue
            v = annual(ds, da).values / 1e3
            if v.max() <= 1e-3:
                continue
            colour = "#f0c000" if key.startswith("ppa_") else colours.get(key, "#7f7f7f")
            if direction == "supply":
                ax.bar(starts, v, bottom=pos, color=colour, label=label, **bar)
                pos += v
            else:
                ax.bar(starts, -v, bottom=neg, color=colour, label=label, hatch="///",
                       edgecolor="white", linewidth=0, **bar)
                neg -= v
        ax.axhline(0, color="black", lw=0.6)
        year_ticks(ax, starts, widths)
        ax.tick_params(axis="x", labelsize=6, rotation=90)
        ax.tick_params(axis="y", labelsize=7)
        plain_axis(ax)
        ax.set_title(c.replace("_", " "), fontsize=9)
    axes[0][0].set_ylabel("GWh per year (uses below zero)")
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    legend_below(fig, list(axes[0]), ncols=4)
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
                     color=_colour(i), label=COST_NAMES.get(str(c), str(c)))
            pos += np.clip(v, 0, None)
            neg += np.clip(v, None, 0)
        axis.axhline(0, color="grey", lw=0.6)
        year_ticks(axis, starts, width)
        axis.tick_params(axis="x", labelsize=6, rotation=90)
    ax.set_ylabel(f"million {ds.attrs['currency']} per year")
    plain_axis(ax)
    plain_axis(ax2)
    ax.set_title("Yearly costs (each modelled year across its span)", fontsize=9)
    ax2.set_ylabel(f"million {ds.attrs['currency']}")
    ax2.set_title("One-off: investment and salvage", fontsize=9)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    legend_below(fig, [ax, ax2], ncols=5)
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
               label=f"{r['lever']} ({number(r['cost_per_t'])} {currency}/t)")
        left += width
    ax.axhline(0, color="grey", lw=0.6)
    plain_axis(ax)
    ax.set_xlabel("abatement, kt CO2e per year")
    ax.set_ylabel(f"net cost, {currency} per tonne")
    ax.set_title("Marginal abatement cost of the levers used (indicative)")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    legend_below(fig, [ax], ncols=4)
    return fig


def sofc_curve(ds: xr.Dataset) -> Figure | None:
    """The twin's net efficiency and recoverable heat versus load: new, at half life and at
    the end of the stack's life (results before the life rule: new and at mid-life)."""
    if "sofc" not in ds.coords:
        return None
    age_dim = "sofc_age" if "sofc_age" in ds.dims else "sofc_hours"
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for s in ds["sofc"].values:
        for age in ds[age_dim].values:
            c = ds.sel({"sofc": s, age_dim: age})
            hours = float(c["sofc_curve_hours"]) if "sofc_curve_hours" in c else float(age)
            label = f"{age}, {hours:,.0f} h" if age_dim == "sofc_age" else f"{hours:,.0f} h"
            ax.plot(c["sofc_curve_load_fraction"] * 100, c["sofc_curve_efficiency_lhv"] * 100,
                    label=f"electric, {label}")
            ax.plot(c["sofc_curve_load_fraction"] * 100,
                    c["sofc_curve_heat_kw"] / c["sofc_curve_fuel_kw"] * 100, "--",
                    label=f"recoverable heat, {label}")
    return _finish(fig, ax, "load, % of rated net AC power", "% of fuel LHV",
                   "SOFC system efficiency (digital twin)")
