"""Write a comparison of plan runs: ``compare.html`` (self-contained), ``compare.pdf`` and
one CSV per table, into one folder that appears at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from cnplan.outputs import write_run_dir
from cnplan.report.compare import (
    BASIS_COLUMN,
    FIGURES_TEXT,
    Run,
    check_out_dir,
    comparison_tables,
    cut_fields,
    load_runs,
    target_measures,
)
from cnplan.report.figures import WIDTH, held_spans, legend_below, plain_axis, year_ticks
from cnplan.report.formatting import amount, money, number, per_tonne, percent
from cnplan.report.render import png, write_pdf

RUN_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf")
#: Line styles per run, so that runs with the same emissions stay visible on top of each other.
RUN_STYLES = ("-", "--", ":", "-.")


def cost_bars(runs: list[Run], npv: pd.DataFrame) -> Figure:
    """Net present cost of each run by category (stacked; negative categories below 0)."""
    cur = runs[0].currency
    names = [r.name for r in runs]
    parts = npv[~npv.iloc[:, 0].astype(str).str.startswith("net present cost")]
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    pos, neg = np.zeros(len(names)), np.zeros(len(names))
    palette = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]
    for i, (_, row) in enumerate(parts.iterrows()):
        v = np.array([row[n] for n in names]) / 1e6
        ax.barh(names, v, left=np.where(v >= 0, pos, neg), color=palette[i % 20],
                label=str(row.iloc[0]))
        pos += np.clip(v, 0, None)
        neg += np.clip(v, None, 0)
    totals = [float(r.ds.attrs["objective"]) for r in runs]
    verified = runs[0].figures == "verified"
    for k, total in enumerate(totals):
        ax.plot(total / 1e6, k, "kD", ms=5, label=(
            "net present cost" + (" (representative-day estimate)" if verified else ""))
            if k == 0 else None)
        if not verified:
            ax.annotate(money(total, cur), (total / 1e6, k), xytext=(4, 8),
                        textcoords="offset points", fontsize=7)
    for k, r in enumerate(runs if verified else []):
        ax.plot(r.npc / 1e6, k, "rX", ms=7, label="verified hour by hour" if k == 0 else None)
        ax.annotate(money(r.npc, cur) + " verified", (r.npc / 1e6, k), xytext=(4, 8),
                    textcoords="offset points", fontsize=7)
    ax.axvline(0, color="grey", lw=0.6)
    ax.invert_yaxis()
    plain_axis(ax, "x")
    ax.set_xlabel(f"present value, million {cur}")
    ax.set_title("Net present cost by category", fontsize=9)
    fig.tight_layout(rect=(0, 0.18, 1, 1))
    legend_below(fig, [ax], ncols=5)
    return fig


def emission_paths(runs: list[Run]) -> Figure:
    """Net emissions of each run across the years each modelled year stands for, with the
    first run's target limits and business as usual."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for k, r in enumerate(runs):
        starts, widths = held_spans(r.ds)
        net = r.net_emissions.values / 1e3
        ax.step(np.append(starts, starts[-1] + widths[-1]), np.append(net, net[-1]),
                where="post", color=RUN_COLOURS[k % len(RUN_COLOURS)], lw=2.4 - 0.6 * k,
                ls=RUN_STYLES[k % len(RUN_STYLES)], label=r.name)
    first = runs[0].ds
    starts, widths = held_spans(first)
    if "bau_emissions" in first:
        name = ("bau_verified_emissions" if runs[0].figures == "verified"
                and "bau_verified_emissions" in first else "bau_emissions")
        bau = first[name].sel(category=["scope1", "scope2_market"]).sum("category").values / 1e3
        ax.step(np.append(starts, starts[-1] + widths[-1]), np.append(bau, bau[-1]),
                where="post", color="grey", ls="--", lw=1,
                label=f"business as usual ({runs[0].name})")
    for i in range(first.sizes.get("target", 0)):
        holds = first["target_holds"].isel(target=i).values
        limits = first["target_limit_by_year"].isel(target=i).values / 1e3
        for j in np.flatnonzero(holds):
            ax.plot([starts[j], starts[j] + widths[j]], [limits[j]] * 2, color="red", lw=2.5,
                    label="target limits (first run)" if i == 0 and j == np.flatnonzero(
                        holds)[0] else None)
    year_ticks(ax, starts, widths)
    ax.set_ylabel(f"kt CO2e per year (net, {FIGURES_TEXT[runs[0].figures]})")
    ax.set_title("Net emissions against the targets (lines on top of each other: the same "
                 "emissions)", fontsize=9)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    legend_below(fig, [ax], ncols=3)
    return fig


def _html(runs: list[Run], data: dict[str, pd.DataFrame], figs: dict[str, str | None]) -> str:
    env = Environment(loader=PackageLoader("cnplan.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.filters.update(num=number, money=money, per_tonne=per_tonne, percent=percent,
                       figure=cut_figure)
    plan = runs[0].plan
    env.filters["price"] = price_range
    env.filters["capacity"] = capacity_text
    return env.get_template("compare.html.j2").render(
        runs=runs, first=runs[0], currency=runs[0].currency, tables=data, figures=figs,
        basis=runs[0].figures, verified_count=sum(r.verified for r in runs),
        finance=plan.get("finance", {}), target_years=_target_years(runs[0]),
        basis_column=BASIS_COLUMN, cut_rows=cut_fields(target_measures(runs)),
        capacity_years=_target_years(runs[0]), emissions_rows=emissions_view(runs),
        price_rows=prices_view(runs), capacity_rows=capacity_view(runs, data["capacity"]))


def cut_figure(value: float | None, unit: str) -> str:
    """A headline emissions figure or cut of :func:`cnplan.report.compare.cut_columns`:
    ``5,650`` t, ``0.067`` t/vehicle, ``93 %`` (from 93.0); a dash for none."""
    if value is None or value != value:
        return "–"
    if unit == "%":
        return percent(value / 100)
    return f"{value:.3f}" if unit == "t/vehicle" else number(value)


def capacity_view(runs: list[Run], table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the capacity table in the target years: label, unit, year, each run's value
    and each difference to the first, and whether any differs."""
    names = [r.name for r in runs]
    years = _target_years(runs[0])
    units = {"power capacity [MW]": "MW", "storage energy capacity [MWh]": "MWh",
             "efficiency savings [MWh/yr]": "MWh/yr saved"}
    rows = []
    for rec in table.to_dict("records"):
        if int(rec["year"]) not in years:
            continue
        deltas = [float(rec[f"Δ {n}"]) for n in names[1:]]
        rows.append({"label": rec["label"], "unit": units[rec["quantity"]],
                     "year": int(rec["year"]), "values": [float(rec[n]) for n in names],
                     "deltas": deltas, "differs": any(abs(d) > 1e-6 for d in deltas)})
    return rows


def price_range(low: float | None, currency: str, high: float | None = None) -> str:
    """An implied price, or its two one-sided values where they differ."""
    if low is None or low != low:
        return "–"
    if high is None or high != high or abs(high - low) <= 1e-4 * max(abs(low), abs(high), 1):
        return per_tonne(low, currency)
    return f"{per_tonne(low, currency).removesuffix('/t')}–{number(high)}/t"


def capacity_text(value: float) -> str:
    """A capacity with precision by size (0.020, 2.6, 13,500); a dash for none."""
    return "–" if value is None or value != value or abs(value) < 1e-9 else amount(value)


def emissions_view(runs: list[Run]) -> list[dict[str, Any]]:
    """Rows of the emissions table: each year, per run scope 1, scope 2 market-based and
    net [t CO2e/yr], and each target's limit in the first run."""
    limits = status_limits(runs[0])
    rows = []
    for y in [int(v) for v in runs[0].ds["year"].values]:
        per_run: list[dict[str, float] | None] = []
        for r in runs:
            if y not in r.ds["year"].values:
                per_run.append(None)
                continue
            e = r.emissions.sel(year=y)
            per_run.append({"scope1": float(e.sel(category="scope1")),
                            "scope2": float(e.sel(category="scope2_market")),
                            "net": float(r.net_emissions.sel(year=y))})
        rows.append({"year": y, "runs": per_run,
                     "limits": [limits.get((t, y)) for t in limit_names(runs[0])]})
    return rows


def limit_names(run: Run) -> list[str]:
    return [str(t["name"]) for t in run.summary.get("targets", [])]


def status_limits(run: Run) -> dict[tuple[str, int], float]:
    """(target, year) → limit [t CO2e/yr] in every year the target holds."""
    return {(str(t["name"]), int(y)): float(r["limit"])
            for t in run.summary.get("targets", []) for y, r in t["years"].items()}


def prices_view(runs: list[Run]) -> list[dict[str, Any]]:
    """Rows of the carbon-price table: each target and year, per run (counted, met, both
    one-sided implied prices)."""
    rows = []
    for t in runs[0].summary.get("targets", []):
        for y in t["years"]:
            per_run = []
            for r in runs:
                mine = [x for x in r.summary.get("targets", []) if x["name"] == t["name"]]
                per_run.append(mine[0]["years"].get(str(y)) if mine else None)
            rows.append({"target": t["name"], "year": int(y), "runs": per_run})
    return rows


def _target_years(run: Run) -> list[int]:
    years = sorted({int(t["year"]) for t in run.summary.get("targets", [])})
    return years or [int(run.ds["year"].values[-1])]


def write_comparison(dirs: list[Path], out: Path, *, overwrite: bool = False,
                     pdf: bool = True, loaded: list[Run] | None = None) -> list[Path]:
    """Compare the runs in ``dirs`` (the first is the reference) into folder ``out``; every
    run is read and checked (``loaded``: already, by :func:`load_runs`) before ``out`` is
    looked at or written."""
    runs = loaded if loaded is not None else load_runs([Path(d) for d in dirs])
    check_out_dir(Path(out), overwrite, [Path(d) for d in dirs])
    data = comparison_tables(runs)
    figs = {"costs": png(cost_bars(runs, data["costs_npv"])),
            "emissions": png(emission_paths(runs))}
    html = _html(runs, data, figs)
    names: list[str] = []

    def fill(folder: Path) -> None:
        names.clear()  # filled again in a rescue folder if --out cannot be written
        for name, table in data.items():
            table.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
            names.append(f"{name}.csv")
        (folder / "compare.html").write_text(html, encoding="utf-8")
        names.append("compare.html")
        if pdf:
            write_pdf(html, folder / "compare.pdf")
            names.append("compare.pdf")

    write_run_dir(Path(out), fill, overwrite=overwrite, rescue_as="the comparison")
    return [Path(out) / n for n in names]


def rows_of(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows as dicts (for the template)."""
    return list(table.to_dict("records"))
