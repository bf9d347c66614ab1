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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from cnplan import tables
from cnplan.out_checks import check_out_folder
from cnplan.report.content import headline_cuts
from cnplan.runfolder import read_json_object, read_run_folder
from cnplan.wording import counted_text


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
    plan: dict[str, Any] = field(default_factory=dict)
    """The run's plan.json as written (empty where there is none)."""

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
    def cuts(self) -> dict[str, Any] | None:
        """The summary's emissions and cuts against the baseline on the headline basis
        (``cut_vs_baseline``, as the run's report shows them) on :attr:`figures`; for a
        folder written before it, the cuts of :attr:`bau` (:func:`headline_cuts`)."""
        block = self.summary.get("cut_vs_baseline")
        if not block:
            return headline_cuts({"business_as_usual": self.bau})
        if self.figures == "estimate" and block.get("figures") == "verified":
            return dict(block["estimate"])
        return dict(block)

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
    _refuse_repeats([Path(d) for d in dirs])
    runs = [_read_run(Path(d)) for d in dirs]
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
                    "name": f"{r.summary.get('scenario', {}).get('name', '')} "
                            f"({_short_name(r.path, [q.path for q in runs])})"}}
    return runs


def _read_run(path: Path) -> Run:
    """One run folder, read and checked (:func:`cnplan.runfolder.read_run_folder`; raises
    :class:`cnplan.runfolder.RunFolderError`), with its plan.json where it has one."""
    folder = read_run_folder(path)
    assert folder.results is not None  # a plan run always has results
    plan = read_json_object(path, "plan.json") if (path / "plan.json").exists() else {}
    return Run(path, folder.results, folder.summary, plan=plan)


def _refuse_repeats(dirs: list[Path]) -> None:
    """A folder given twice is refused (it would be compared with itself)."""
    seen: set[Path] = set()
    for d in dirs:
        key = d.resolve()
        if key in seen:
            raise CompareError(f"{d}: given twice; compare needs different run folders")
        seen.add(key)


def _short_name(path: Path, paths: list[Path]) -> str:
    """The folder's name, or its whole path where another run's folder has the same name."""
    return path.name if [p.name for p in paths].count(path.name) == 1 else str(path)


def _delta_columns(wide: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Add ``Δ <run>`` (run − first) for every run after the first."""
    for n in names[1:]:
        wide[f"Δ {n}"] = wide[n] - wide[names[0]]
    return wide


#: headline.csv's column naming the basis of the emissions, cuts and cost per tonne.
BASIS_COLUMN = "basis of emissions, cuts and cost per tonne"


def headline(runs: list[Run]) -> pd.DataFrame:
    """One row per run: the figures compared (verified or estimate: :func:`figures`), net
    present cost and its difference to the first run, business as usual, the basis, the
    emissions and cut against the baseline in each target year as the run's report gives
    them (:func:`cut_columns`), implied prices."""
    cur = runs[0].currency
    first = runs[0].npc
    measures = target_measures(runs)
    rows = []
    for r in runs:
        bau = r.bau or {}
        cuts = r.cuts
        row: dict[str, Any] = {
            "run": r.name, "folder": str(r.path), "status": r.summary["status"],
            "figures": FIGURES_TEXT[r.figures],
            f"net present cost [{cur}]": r.npc,
            f"difference to the first run [{cur}]": r.npc - first,
            "business as usual figures": FIGURES_TEXT.get(bau.get("figures", "estimate"))
            if bau else None,
            f"business as usual [{cur}]": bau.get("net_present_cost"),
            f"extra over business as usual [{cur}]": bau.get("extra_net_present_cost"),
            BASIS_COLUMN: counted_text(cuts["basis"], cuts["net_of_credits"]) if cuts
            else None,
            f"cost per tonne avoided [{cur}/t CO2e]": bau.get("cost_per_t_abated"),
            **cut_columns(cuts, measures)}
        for t in r.summary.get("targets", []):
            row[f"implied carbon price {t['name']} [{cur}/t CO2e]"] = t["shadow_price"]
            row[f"{t['name']} met"] = t["met"]
        rows.append(row)
    return pd.DataFrame(rows)


def target_measures(runs: list[Run]) -> dict[int, list[str]]:
    """Every run's target years, each with how its cut is stated (``absolute`` and/or
    ``per_vehicle``, as its targets are set: ``cut_vs_baseline.measures``)."""
    out: dict[int, list[str]] = {}
    for r in runs:
        stated = (r.cuts or {}).get("measures") or {}
        for t in r.summary.get("targets", []):
            kinds = out.setdefault(int(t["year"]), [])
            for kind in stated.get(str(t["year"]), ["absolute"]):
                if kind not in kinds:
                    kinds.append(kind)
    return {y: sorted(k, key=lambda b: b != "absolute") for y, k in sorted(out.items())}


#: One headline figure of a target year: (headline.csv column, field of
#: ``cut_vs_baseline.by_year``, label, unit).
CutField = tuple[str, str, str, str]


def _cut_fields(year: int, kind: str) -> list[CutField]:
    """The figures of ``year`` stated ``kind`` (absolute or per vehicle)."""
    if kind == "per_vehicle":
        return [(f"emissions per vehicle {year}, counted [t CO2e/vehicle]", "per_vehicle",
                 f"emissions per vehicle {year}, t CO2e", "t/vehicle"),
                (f"cut per vehicle vs baseline {year} [%]", "cut_per_vehicle",
                 f"cut per vehicle vs baseline {year}", "%")]
    return [(f"emissions {year}, counted [t CO2e/yr]", "counted", f"emissions {year}, t CO2e",
             "t"),
            (f"cut vs baseline {year} [%]", "cut", f"cut vs baseline {year}", "%")]


def cut_fields(measures: dict[int, list[str]]) -> list[CutField]:
    """Every target year's figures (:func:`target_measures`), in order."""
    return [f for y, kinds in measures.items() for k in kinds for f in _cut_fields(y, k)]


def cut_columns(cuts: dict[str, Any] | None, measures: dict[int, list[str]],
                ) -> dict[str, float | None]:
    """headline.csv's emissions and cuts of one run, read from its ``cut_vs_baseline``: per
    target year the tonnes counted and the cut, and per vehicle where a target of that year
    is set per vehicle (cuts in %)."""
    by_year = (cuts or {}).get("by_year") or {}
    out: dict[str, float | None] = {}
    for y, kinds in measures.items():
        found = by_year.get(str(y)) or {}
        for column, key, _, unit in (f for k in kinds for f in _cut_fields(y, k)):
            value = found.get(key)
            out[column] = _pct(value) if unit == "%" else value
    return out


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


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


def check_out_dir(out: Path, overwrite: bool, inputs: list[Path] | None = None) -> None:
    """Refuse a folder that cannot take the comparison: a file, a non-empty folder unless
    asked (and then only one cnplan wrote), one holding the compared ``inputs``
    (:func:`cnplan.out_checks.check_out_folder`)."""
    check_out_folder(out, overwrite=overwrite, inputs=inputs or [])


def finite(value: Any) -> bool:
    """A number that is not NaN (for the template)."""
    return value is not None and isinstance(value, int | float | np.floating) and \
        bool(np.isfinite(value))
