"""The dispatch chart of the roadmap report: one calendar week, hour by hour.

Each panel is a carrier balance drawn so that it visibly closes: what supplies the carrier is
stacked above the axis (grid import, PPAs, each technology's output, unserved energy), what
uses it is stacked below (the site's demand before efficiency, export, storage charging,
electricity drawn by heat pumps and boilers). In every hour the area above equals the area
below, as the optimiser's balance constraint says.
"""

from __future__ import annotations

import datetime as dt

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from cnplan.report.figures import WIDTH, legend_below, tech_colours
from cnplan.tables import flows

HOURS_PER_DAY = 24
DAYS = 7
GRID_COLOUR = "#7f7f7f"
EXPORT_COLOUR = "#4d4d4d"
DEMAND_COLOUR = "#d9d9d9"
UNSERVED_COLOUR = "#d62728"
PPA_COLOUR = "#f0c000"
FIXED_COLOURS = {"grid_import": GRID_COLOUR, "grid_export": EXPORT_COLOUR,
                 "demand": DEMAND_COLOUR, "unserved": UNSERVED_COLOUR}


def _week(values: xr.DataArray, periods: np.ndarray) -> np.ndarray:
    """The hourly values of the representative periods standing for the week's days, in a row."""
    return np.asarray(values.transpose("period", "hour").values)[periods].reshape(-1)


#: A flow whose power stays at or below this all week is zero up to solver tolerance [MW]:
#: left out. Anything larger is drawn, however small, so the week's balance closes.
ZERO_MW = 1e-6


def week_flows(ds: xr.Dataset, year: int, carriers: list[str], periods: np.ndarray,
               ) -> tuple[list[tuple[str, str, np.ndarray]], list[tuple[str, str, np.ndarray]]]:
    """(supplies, uses) of ``carriers`` over the week, each as (key, label, MW per hour),
    summed over the carriers (heat classes), leaving out flows that stay at zero. From
    :func:`cnplan.tables.flows`: storage charging is a use, its discharge a supply."""
    sums: dict[tuple[str, str], tuple[str, np.ndarray]] = {}
    for key, label, carrier, direction, da in flows(ds.sel(year=[year])):
        if carrier not in carriers:
            continue
        values = _week(da.isel(year=0), periods)
        if (key, direction) in sums:
            values = values + sums[(key, direction)][1]
        sums[(key, direction)] = (label, values)
    supplies = [(k, lab, v) for (k, d), (lab, v) in sums.items()
                if d == "supply" and np.max(v) > ZERO_MW]
    uses = [(k, lab, v) for (k, d), (lab, v) in sums.items()
            if d == "use" and (np.max(v) > ZERO_MW or k == "demand")]
    return supplies, uses


def _colour(key: str, colours: dict[str, tuple]) -> tuple | str:
    if key.startswith("ppa_"):
        return PPA_COLOUR
    return FIXED_COLOURS.get(key, colours.get(key, GRID_COLOUR))


def _weekday_ticks(ax: plt.Axes, calendar_year: int, first_day: int) -> None:
    """Ticks at midnight of each day, named by weekday and date in ``calendar_year``."""
    start = dt.date(calendar_year, 1, 1) + dt.timedelta(days=first_day)
    days = [start + dt.timedelta(days=d) for d in range(DAYS)]
    ax.set_xticks([d * HOURS_PER_DAY for d in range(DAYS)],
                  [f"{day:%a} {day.day}" for day in days], fontsize=7, ha="left")
    ax.set_xlim(0, DAYS * HOURS_PER_DAY)


def _panel(ax: plt.Axes, ds: xr.Dataset, year: int, carriers: list[str],
           periods: np.ndarray, colours: dict[str, tuple]) -> None:
    """One carrier balance: supplies above the axis, uses mirrored below."""
    hours = np.arange(DAYS * HOURS_PER_DAY)
    supplies, uses = week_flows(ds, year, carriers, periods)
    ax.stackplot(hours, *[v for _, _, v in supplies], step="post",
                 labels=[lab for _, lab, _ in supplies],
                 colors=[_colour(k, colours) for k, _, _ in supplies])
    ax.stackplot(hours, *[-v for _, _, v in uses], step="post",
                 labels=[lab for _, lab, _ in uses],
                 colors=[_colour(k, colours) for k, _, _ in uses], hatch="///",
                 edgecolor="white", linewidth=0)
    ax.axhline(0, color="black", lw=0.8)


def dispatch_week(ds: xr.Dataset, year: int, first_day: int, title: str,
                  calendar_year: int) -> Figure:
    """Hourly electricity and heat balance in modelled ``year`` for the 7 days from day
    ``first_day`` (0 = 1 January) of the profile year, each day shown by the representative
    day standing for it. ``calendar_year`` is the profile year whose weekdays and holidays
    shaped the hourly demand, so the weekday names on the axis are that year's.

    Above the axis: supplies (MW); below: uses (MW, drawn negative). Heat is the sum of the
    plan's heat classes.
    """
    days = [(first_day + d) % 365 for d in range(DAYS)]
    periods = ds["day_period"].values[days]
    heat = [str(c) for c in ds["carrier"].values if str(c) != "electricity"]
    panels = [("electricity", ["electricity"])] + ([("heat, all classes", heat)] if heat else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(WIDTH, 3.8), squeeze=False)
    colours = tech_colours(ds)
    for ax, (name, carriers) in zip(axes[0], panels, strict=True):
        _panel(ax, ds, year, carriers, periods, colours)
        ax.set_title(f"{name}: supply above, use below", fontsize=9)
        _weekday_ticks(ax, calendar_year, first_day)
        ax.tick_params(axis="y", labelsize=7)
    axes[0][0].set_ylabel("MW (uses below zero)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    legend_below(fig, list(axes[0]), ncols=4)
    return fig
