"""The report of a stochastic plan folder (``cnplan plan --scenarios``): the hedged decision
for management, in words and tables, from ``summary.json`` and ``results.nc`` only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from cnplan.report.formatting import SYMBOLS, amount, money, number
from cnplan.report.render import png, template_env, write_report  # (Agg backend)
from cnplan.runfolder import RunFolder, read_run_folder

WIDTH = 9.0


def built_text(build: dict[str, Any]) -> str:
    """What a build of summary.json adds, in its technology's unit: ``20 MW``, ``20,457
    MWh/yr saved`` (an efficiency measure); MW for a summary written before units."""
    unit = build.get("unit", "MW")
    value = build.get("amount", build["build_mw"])
    return f"{amount(value)} {unit}{' saved' if unit == 'MWh/yr' else ''}"


def _listed(builds: list[dict[str, Any]]) -> str:
    """``ground-mounted PV 20 MW (2027), electricity savings 20,457 MWh/yr saved (2030)``."""
    return ", ".join(f"{b['label']} {built_text(b)} ({b['year']})" for b in builds)


def decision_text(summ: dict[str, Any]) -> list[str]:
    """The hedged decision in sentences: what to build now, what can wait and on what."""
    cur = summ["currency"]
    first = summ["first_stage_years"]
    stages = summ["stages"]
    span = f"{first[0]}–{stages[1] - 1}" if len(stages) > 1 else "the whole horizon"
    lines = []
    if summ["first_stage"]:
        lines.append(f"Build now ({span}), in every scenario: {_listed(summ['first_stage'])}.")
    else:
        lines.append(f"Build nothing new now ({span}): every scenario waits.")
    sofc = summ.get("sofc") or {}
    if sofc:
        lines.append(_sofc_sentence(sofc, summ, cur))
    return lines


def _option_words(summ: dict[str, Any], cur: str) -> str:
    option = (summ.get("option_value") or {}).get("SOFC", {}).get("value")
    if option is None:
        return ""
    measure = ("expected cost" if summ["risk"]["weight"] == 0 else
               "the plan's objective (expected cost blended with CVaR)")
    return (f" Being allowed to build SOFC capacity at all is worth {money(option, cur)} in "
            f"{measure}.")


def _sofc_sentence(sofc: dict[str, Any], summ: dict[str, Any], cur: str) -> str:
    """When and in which scenarios the SOFC is built, with the fuel price each sees when its
    scenario becomes known (other prices may move with it: the scenario table says)."""
    reveal = sofc["reveal_year"]
    fuel = sofc["fuel"] or "its fuel"
    worth = _option_words(summ, cur)
    if sofc["now"]:
        return (f"Build SOFC capacity now, in every scenario: {_listed(sofc['now'])}.{worth}")
    with_sofc = [n for n, b in sofc["later"].items() if b]
    if not with_sofc or reveal is None:
        return (f"No scenario builds new SOFC capacity at the {fuel} prices of these "
                f"scenarios.{worth}")
    prices = sofc["fuel_price_at_reveal"]
    without = [n for n in sofc["later"] if n not in with_sofc]

    def seen(name: str) -> str:
        value = prices.get(name)
        return "" if value is None else f"{fuel} at {_per_mwh(value, cur)}"

    built_in = "; ".join(f"{n} ({_listed(sofc['later'][n])}"
                         + (f"; {seen(n)}" if seen(n) else "") + ")" for n in with_sofc)
    not_in = "; ".join(n + (f" ({seen(n)})" if seen(n) else "") for n in without)
    when = (f"until {reveal}, when the scenario is known" if len(summ["stages"]) == 2 else
            f"past {reveal}, the first stage at which the scenarios can differ")
    text = f"The SOFC decision can wait {when}: it is built only in {built_in}"
    text += f"; not in {not_in}." if not_in else "."
    below = [prices[n] for n in with_sofc if prices.get(n) is not None]
    above = [prices[n] for n in without if prices.get(n) is not None]
    if below and above and max(below) < min(above):
        text += (f" Among these scenarios it is built where {fuel} costs "
                 f"{_per_mwh(max(below), cur)} or less in {reveal}, not where it costs "
                 f"{_per_mwh(min(above), cur)} or more (other prices may differ between them "
                 "too: see the scenario table).")
    return text + worth


def _per_mwh(value: float, cur: str) -> str:
    symbol = SYMBOLS.get(cur)
    return f"{symbol}{number(value)}/MWh" if symbol else f"{number(value)} {cur}/MWh"


def cost_figure(summ: dict[str, Any]) -> Any:
    """Net present cost per scenario: the stochastic plan against perfect foresight."""
    scen = summ["scenarios"]
    names = [s["name"] for s in scen]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
    ax.bar(x - 0.2, [s["cost"] / 1e6 for s in scen], 0.4, label="stochastic plan",
           color="#1f77b4")
    ws = [s["wait_and_see_cost"] for s in scen]
    if all(v is not None for v in ws):
        ax.bar(x + 0.2, [v / 1e6 for v in ws], 0.4, label="with perfect foresight",
               color="#aec7e8")
    ax.set_xticks(x, [f"{n}\n(p = {s['probability']:g})" for n, s in zip(names, scen,
                                                                         strict=True)],
                  fontsize=8)
    ax.set_ylabel(f"million {summ['currency']}")
    low = min(s["cost"] for s in scen) / 1e6
    ax.set_ylim(bottom=max(0.0, low * 0.9))
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Net present cost by scenario", fontsize=9)
    fig.tight_layout()
    return fig


def capacity_figure(ds: xr.Dataset, stages: list[int]) -> Any:
    """Power capacity built by technology: the shared first stage, then each scenario's."""
    names = [str(n) for n in ds["scenario"].values]
    years = [int(y) for y in ds["year"].values]
    first = [y for y in years if len(stages) < 2 or y < stages[1]]
    later = [y for y in years if y not in first]
    power = [t for t in ds["tech"].values
             if str(ds["tech_capacity_unit"].sel(tech=t).values) == "MW"
             and float(ds["build"].sel(tech=t).sum()) > 1e-3]
    columns = ["now (shared)"] + [f"later: {n}" for n in names]
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    bottom = np.zeros(len(columns))
    cmap = plt.get_cmap("tab20")
    for i, t in enumerate(power):
        b = ds["build"].sel(tech=t)
        values = [float(b.isel(scenario=0).sel(year=first).sum())] + [
            float(b.sel(scenario=n, year=later).sum()) for n in names]
        ax.bar(np.arange(len(columns)), values, bottom=bottom, color=cmap(i % 20),
               label=str(ds["tech_label"].sel(tech=t).values))
        bottom += np.array(values)
    ax.set_xticks(np.arange(len(columns)), columns, fontsize=8)
    ax.set_ylabel("MW built")
    ax.set_title("Capacity built: the shared first stage and each scenario's recourse",
                 fontsize=9)
    ax.legend(fontsize=7, ncols=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def render_stochastic_html(run: Path | RunFolder) -> str:
    """The report of a stochastic run folder as one HTML string;
    :class:`cnplan.runfolder.RunFolderError` if the folder cannot be read."""
    path = run.path if isinstance(run, RunFolder) else Path(run)
    folder = run if isinstance(run, RunFolder) and run.plan is not None else read_run_folder(
        path, with_plan=True, kinds=("stochastic",))
    summ, plan, scen_file, ds = folder.summary, folder.plan, folder.scenarios, folder.results
    figs: dict[str, str | None] = {"costs": None, "capacity": None}
    if ds is not None:
        figs["costs"] = png(cost_figure(summ))
        figs["capacity"] = png(capacity_figure(ds, summ["stages"]))
    env = template_env()
    env.filters["built"] = built_text
    return env.get_template("stochastic.html.j2").render(
        summary=summ, plan=plan, tree=scen_file, currency=summ["currency"], figures=figs,
        decision=decision_text(summ) if summ.get("first_stage_years") else [])


def render_stochastic_report(run: Path | RunFolder, *, pdf: bool = True) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf``) of a stochastic run folder."""
    run_dir = run.path if isinstance(run, RunFolder) else Path(run)
    return write_report(run_dir, render_stochastic_html(run), pdf=pdf)
