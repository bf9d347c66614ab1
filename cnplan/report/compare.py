"""``cnplan compare``: plan runs side by side, each against the first.

Every number comes from the runs' results (``results.nc``, ``summary.json``) through the
tables of :mod:`cnplan.tables`; a difference is ``run − first run`` in the same unit. Runs
must share a currency (money of one price year cannot be compared with another's).

Net present cost, net emissions and the comparison with business as usual are the figures
verified hour by hour when every run was verified (``cnplan plan --verify``), else the
representative-day estimates of every run, so that runs are compared on one basis
(:func:`figures`; the headline says which). Costs by category, costs by year, capacities and
implied prices are the planning runs'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan import tables
from cnplan.outputs import OutputExistsError

RUN_FILES = ("results.nc", "summary.json")


class CompareError(ValueError):
    """Runs that cannot be compared (missing files, different currencies or price years)."""


@dataclass
class Run:
    """One plan run folder, loaded."""

    path: Path
    ds: xr.Dataset
    summary: dict[str, Any]
    show_site: bool = True
    """Name the site too (runs of different sites are compared)."""
    figures: str = "estimate"
    """The figures the comparison is drawn on: ``verified`` or ``estimate`` (:func:`figures`)."""

    @property
    def name(self) -> str:
        """``least cost``, or ``Tochigi: least cost`` when sites differ."""
        scenario = self.summary.get("scenario", {}).get("name", "")
        return f"{self.summary['site']}: {scenario}" if self.show_site else scenario

    @property
    def currency(self) -> str:
        return str(self.ds.attrs["currency"])

    @property
    def verified(self) -> bool:
        """The run was verified hour by hour (``cnplan plan --verify``)."""
        return "verified_objective" in self.ds.attrs and "verified_emissions" in self.ds

    @property
    def npc(self) -> float:
        """Net present cost on the comparison's :attr:`figures`."""
        key = "verified_objective" if self.figures == "verified" else "objective"
        return float(self.ds.attrs[key])

    @property
    def emissions(self) -> xr.DataArray:
        """Emissions by category and year on the comparison's :attr:`figures`."""
        return self.ds["verified_emissions" if self.figures == "verified" else "emissions"]

    @property
    def net_emissions(self) -> xr.DataArray:
        """Scope 1 + scope 2 market-based − credits by year, on :attr:`figures`."""
        e = self.emissions
        return e.sel(category="scope1") + e.sel(category="scope2_market") - e.sel(
            category="credits")

    @property
    def bau(self) -> dict[str, Any] | None:
        """The summary's comparison with business as usual on :attr:`figures` where it has
        it (a run verified without its business as usual has it on estimates only)."""
        bau = self.summary.get("business_as_usual")
        if not bau:
            return None
        if self.figures == "estimate" and bau.get("figures") == "verified":
            return dict(bau["estimate"])
        return dict(bau)


def figures(runs: list[Run]) -> str:
    """``verified`` if every run was verified hour by hour, else ``estimate``: runs are
    compared on one basis."""
    return "verified" if all(r.verified for r in runs) else "estimate"


FIGURES_TEXT = {"verified": "verified hour by hour",
                "estimate": "representative-day estimate"}


def load_runs(dirs: list[Path]) -> list[Run]:
    """Each run folder's results and summary; a clear error for a folder that is not a run,
    for runs in different currencies and for two runs with the same name."""
    if len(dirs) < 2:
        raise CompareError("compare needs at least two run folders")
    runs = []
    for d in dirs:
        missing = [f for f in RUN_FILES if not (Path(d) / f).exists()]
        if missing:
            raise CompareError(f"{d} is not a plan run folder (missing {', '.join(missing)})")
        with xr.open_dataset(Path(d) / "results.nc") as opened:
            ds = opened.load()
        summary = json.loads((Path(d) / "summary.json").read_text(encoding="utf-8"))
        runs.append(Run(Path(d), ds, summary))
    currencies = {r.currency for r in runs}
    if len(currencies) > 1:
        raise CompareError("the runs are in different currencies ("
                           + ", ".join(f"{r.path}: {r.currency}" for r in runs) + ")")
    basis = figures(runs)
    for r in runs:
        r.figures = basis
    if len({r.summary["site"] for r in runs}) == 1:
        for r in runs:
            r.show_site = False
    names = [r.name for r in runs]
    if len(set(names)) < len(names):
        for r in runs:
            if names.count(r.name) > 1:
                r.summary = {**r.summary, "scenario": {
                    **r.summary.get("scenario", {}),
                    "name": f"{r.summary.get('scenario', {}).get('name', '')} ({r.path.name})"}}
    return runs


def _delta_columns(wide: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Add ``Δ <run>`` (run − first) for every run after the first."""
    for n in names[1:]:
        wide[f"Δ {n}"] = wide[n] - wide[names[0]]
    return wide


def headline(runs: list[Run]) -> pd.DataFrame:
    """One row per run: the figures compared (verified or estimate: :func:`figures`), net
    present cost and its difference to the first run, business as usual, net emissions and
    cut against the baseline in each target year, implied prices."""
    cur = runs[0].currency
    first = runs[0].npc
    rows = []
    for r in runs:
        bau = r.bau or {}
        row: dict[str, Any] = {
            "run": r.name, "folder": str(r.path), "status": r.summary["status"],
            "figures": FIGURES_TEXT[r.figures],
            f"net present cost [{cur}]": r.npc,
            f"difference to the first run [{cur}]": r.npc - first,
            "business as usual figures": FIGURES_TEXT.get(bau.get("figures", "estimate"))
            if bau else None,
            f"business as usual [{cur}]": bau.get("net_present_cost"),
            f"extra over business as usual [{cur}]": bau.get("extra_net_present_cost"),
            f"cost per tonne avoided [{cur}/t CO2e]": bau.get("cost_per_t_abated")}
        for t in r.summary.get("targets", []):
            y = str(t["year"])
            row[f"net emissions {y} [t CO2e/yr]"] = float(r.net_emissions.sel(year=int(y)))
            cut = bau.get("reduction_vs_baseline", {}).get(y)
            row[f"cut vs baseline {y} [%]"] = None if cut is None else 100 * cut
            row[f"implied carbon price {t['name']} [{cur}/t CO2e]"] = t["shadow_price"]
            row[f"{t['name']} met"] = t["met"]
        rows.append(row)
    return pd.DataFrame(rows)


def _stack(runs: list[Run], make: Any) -> pd.DataFrame:
    frames = []
    for r in runs:
        frame = make(r.ds)
        frame.insert(0, "run", r.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def costs_npv(runs: list[Run]) -> pd.DataFrame:
    """Present value by cost category, one column per run, and each run's difference."""
    cur = runs[0].currency
    long = _stack(runs, tables.costs)
    wide = long.pivot_table(index="label", columns="run", values=f"present value [{cur}]",
                            aggfunc="sum", sort=False)
    names = [r.name for r in runs]
    wide = wide.reindex(columns=names).fillna(0.0)
    wide = wide[(wide.abs() > 1.0).any(axis=1)]
    wide.loc["net present cost"] = [float(r.ds.attrs["objective"]) for r in runs]
    if runs[0].figures == "verified":  # the categories are the planning runs'
        wide.loc["net present cost, verified hour by hour"] = [r.npc for r in runs]
    wide = _delta_columns(wide, names)
    wide.index.name = f"present value [{cur}]"
    return wide.reset_index()


def costs_by_year(runs: list[Run]) -> pd.DataFrame:
    """Undiscounted cost by year: yearly costs per year of each modelled year's span plus
    the investment made in that year, one column per run, and each run's difference. The
    salvage value is left out: it is credited at the horizon, not in the build year it is
    booked to (it is in the present values of :func:`costs_npv`)."""
    cur = runs[0].currency
    long = _stack(runs, tables.costs)
    long = long[~long["category"].isin(["target_slack", "salvage"])]
    long["cost"] = long[f"yearly cost [{cur}/yr]"].fillna(0.0) + long[
        f"one-off cost [{cur}]"].fillna(0.0)
    wide = long.pivot_table(index="year", columns="run", values="cost", aggfunc="sum")
    names = [r.name for r in runs]
    wide = _delta_columns(wide.reindex(columns=names), names)
    wide.index.name = f"year (yearly costs {cur}/yr + investment {cur}; no salvage)"
    return wide.reset_index()


def emissions(runs: list[Run]) -> pd.DataFrame:
    """Emissions by scope and year of every run, with the targets' limits in that year."""
    long = _stack(runs, tables.emissions)
    limits = tables.targets(runs[0].ds)
    if len(limits):
        by_year = limits.pivot_table(index="year", columns="target", values="limit [t CO2e/yr]",
                                     aggfunc="first")
        by_year.columns = [f"limit {c} (first run) [t CO2e/yr]" for c in by_year.columns]
        long = long.merge(by_year.reset_index(), on="year", how="left")
    return long


def capacity(runs: list[Run]) -> pd.DataFrame:
    """Capacity of every technology in every year, one column per run and each difference;
    power (MW), storage energy (MWh) and efficiency savings (MWh/yr) in their own rows."""
    long = _stack(runs, tables.capacities)
    names = [r.name for r in runs]
    parts = []
    for column in ("power capacity [MW]", "storage energy capacity [MWh]",
                   "efficiency savings [MWh/yr]"):
        wide = long.dropna(subset=[column]).pivot_table(
            index=["label", "year"], columns="run", values=column, aggfunc="sum")
        wide = wide.reindex(columns=names).fillna(0.0)
        wide = wide[(wide.abs() > 1e-6).any(axis=1)]
        wide = _delta_columns(wide, names).reset_index()
        wide.insert(0, "quantity", column)
        parts.append(wide)
    return pd.concat(parts, ignore_index=True)


def first_builds(runs: list[Run]) -> pd.DataFrame:
    """Each run's decisions: each technology's first new or expanding build, in time order
    (like-for-like renewals left out)."""
    long = _stack(runs, tables.builds)
    long = long[long["kind of build"] != "renewal"]
    long = long.drop_duplicates(subset=["run", "technology"], keep="first")
    return long.sort_values(
        ["run", "year"], kind="stable")


def carbon_prices(runs: list[Run]) -> pd.DataFrame:
    """Implied carbon price of every target in every year it holds, per run."""
    return _stack(runs, tables.targets)


#: Every comparison table (CSV file name → maker).
COMPARISON: dict[str, Any] = {
    "headline": headline, "costs_npv": costs_npv, "costs_by_year": costs_by_year,
    "emissions": emissions, "capacity": capacity, "first_builds": first_builds,
    "carbon_prices": carbon_prices,
}


def comparison_tables(runs: list[Run]) -> dict[str, pd.DataFrame]:
    """Every table of the comparison."""
    return {name: make(runs) for name, make in COMPARISON.items()}


def check_out_dir(out: Path, overwrite: bool) -> None:
    """Refuse to write over a non-empty folder unless asked."""
    if out.exists() and not out.is_dir():
        raise OutputExistsError(f"{out} is a file; --out must be a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputExistsError(f"{out} exists and is not empty; pass --overwrite to replace "
                                "it, or choose another --out")


def finite(value: Any) -> bool:
    """A number that is not NaN (for the template)."""
    return value is not None and isinstance(value, int | float | np.floating) and \
        bool(np.isfinite(value))
