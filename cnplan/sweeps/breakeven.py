"""``cnplan sweep-report``: plots of each output against each swept value, and break-evens.

A break-even is where a technology's capacity in a target year changes between zero and
non-zero along one swept axis (the other axes held at each of their values in turn). Between
the last point with capacity (x₀, c₀ > 0) and the first without (x₁, c₁ ≈ 0) the capacity is
interpolated linearly and the break-even is where that line reaches zero:

    x* = x₀ + (x₁ − x₀) · c₀ / (c₀ − c₁)

With c₁ exactly 0 that is x₁ itself, so the bracket [x₀, x₁] is reported too: the true
break-even lies in it, and a finer sweep over the bracket narrows it. Each break-even is also
given as money in the target year (``cnplan.sweeps.axes``): the swept price in the plan's
currency per MWh and, for a fuel that states its energy per litre, per litre.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from cnplan import strictjson
from cnplan.outputs import atomic_write
from cnplan.report.formatting import number
from cnplan.runfolder import read_sweep_folder
from cnplan.sweeps.axes import axis_value_in_money, per_litre_unit

#: Capacity below this is "not built" [MW].
BUILT_MW = 1e-4


def _atomic_bytes(path: Path, data: bytes) -> None:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write, overwrite=True)


def target_years(ds: xr.Dataset) -> list[int]:
    """The years the targets are set for (the last modelled year if there are none)."""
    found = sorted({int(y) for y in ds["target_year"].values if int(y) > 0}
                   & {int(y) for y in ds["year"].values}) if "target_year" in ds else []
    return found or ([int(ds["year"].values[-1])] if ds.sizes.get("year") else [])


def _meanings(manifest: dict[str, Any], swept: list[str]) -> dict[str, dict[str, Any]]:
    """The money meaning of each swept key (``sweep.json``); keys without one are shown in
    their own values."""
    known = {m["key"]: m for m in manifest.get("axes_meaning", [])}
    return {k: known.get(k, {"key": k, "field": k, "scale": k.endswith("_scale"), "label": k,
                             "unit": "", "base": {}, "mwh_per_litre": None}) for k in swept}


def _money(meaning: dict[str, Any], x: float, year: int) -> dict[str, float | None]:
    """Axis value ``x`` as money in ``year``: per the field's unit and per litre."""
    if not meaning["unit"] or (meaning["scale"] and not meaning["base"]):
        return {"price": None, "price_per_litre": None}
    price = axis_value_in_money(meaning, x, year)
    litre = meaning.get("mwh_per_litre")
    return {"price": price, "price_per_litre": price * litre if litre and
            per_litre_unit(meaning) else None}


def outputs(ds: xr.Dataset, labels: dict[str, str]) -> dict[str, tuple[str, str, int | None,
                                                                       xr.DataArray]]:
    """Scalar outputs per point, each as (human name, unit, its year, values): the net
    present cost; in each target year, the capacity of each technology built somewhere in
    the sweep, SOFC electricity and net emissions; each target's implied carbon price."""
    cur = ds.attrs.get("currency", "")
    years = target_years(ds)
    out: dict[str, tuple[str, str, int | None, xr.DataArray]] = {
        "objective": ("net present cost", f"million {cur}", years[0] if years else None,
                      ds["objective"] / 1e6)}
    for y in years:
        for t in ds["tech"].values:
            cap = ds["capacity"].sel(tech=t, year=y, drop=True)
            if bool((cap > BUILT_MW).any()):
                name = labels.get(str(t), str(t))
                out[f"capacity_{t}_{y}"] = (f"{name} capacity in {y}", "MW", y, cap)
        out[f"sofc_electricity_{y}"] = ("SOFC electricity in " f"{y}", "GWh/yr", y,
                                        ds["sofc_electricity"].sel(year=y, drop=True) / 1e3)
        out[f"net_emissions_{y}"] = (f"net emissions in {y}", "kt CO2e/yr", y,
                                     ds["net_emissions"].sel(year=y, drop=True) / 1e3)
    for k, t in enumerate(ds["target"].values):
        year = int(ds["target_year"].values[k]) if "target_year" in ds else None
        out[f"target_shadow_price[{t}]"] = (f"implied carbon price of {t}", f"{cur}/t",
                                            year if year and year > 0 else None,
                                            ds["target_shadow_price"].sel(target=t, drop=True))
    return out


def _lines(ds: xr.Dataset, da: xr.DataArray, key: str) -> list[tuple[str, np.ndarray,
                                                                       np.ndarray]]:
    """(label, x, y) of ``da`` along swept ``key``: one line per value of the other axes
    (grid), or the points sorted by ``key`` (lhs)."""
    if ds.attrs.get("sample") == "lhs":
        x = ds[key].values
        order = np.argsort(x)
        return [("", x[order], da.values[order])]
    others = [k for k in ds.attrs["swept"] if k != key]
    lines = []
    for combo in itertools.product(*(range(ds.sizes[k]) for k in others)):
        sel = dict(zip(others, combo, strict=True))
        label = ", ".join(f"{k}={float(ds[k][i]):.4g}" for k, i in sel.items())
        lines.append((label, ds[key].values, da.isel(sel).transpose(key).values))
    return lines


def breakevens(ds: xr.Dataset, meanings: dict[str, dict[str, Any]] | None = None,
               labels: dict[str, str] | None = None,
               existing: dict[str, dict[str, float]] | None = None) -> list[dict[str, Any]]:
    """Every change between built and not built of a technology along a swept axis, in
    each target year (grid sweeps; for lhs the points sorted by the axis), with its value
    in the axis's units and in money in that year. ``existing``: {tech: {year: MW}} of the
    existing assets in service (``sweep.json``), which do not count as built."""
    meanings = meanings or _meanings({}, list(ds.attrs["swept"]))
    found = []
    for key in ds.attrs["swept"]:
        for year in target_years(ds):
            for tech in ds["tech"].values:
                cap = ds["capacity"].sel(tech=tech, year=year, drop=True)
                floor = float((existing or {}).get(str(tech), {}).get(str(year), 0.0))
                for label, x, c in _lines(ds, cap, key):
                    found += _changes(x, c, key, label, year, str(tech), meanings[key],
                                      (labels or {}).get(str(tech), str(tech)), floor)
    return found


def _changes(x: np.ndarray, c: np.ndarray, key: str, others: str, year: int, tech: str,
             meaning: dict[str, Any], tech_label: str, floor: float = 0.0,
             ) -> list[dict[str, Any]]:
    """The changes along one line. Capacity counts above ``floor``, the existing assets in
    service that year (a trial unit is there at every price and says nothing about whether
    building is worth it); "built" is more than :data:`BUILT_MW` above it."""
    good = np.isfinite(c)
    x, c = x[good], np.maximum(c[good] - floor, 0.0)
    found = []
    for i in range(len(x) - 1):
        a, b = c[i] > BUILT_MW, c[i + 1] > BUILT_MW
        if a == b:
            continue
        (x0, c0), (x1, c1) = ((x[i], c[i]), (x[i + 1], c[i + 1])) if a else (
            (x[i + 1], c[i + 1]), (x[i], c[i]))
        low, high = _round(min(x0, x1)), _round(max(x0, x1))
        value = float(np.clip(x0 + (x1 - x0) * c0 / (c0 - c1) if c0 != c1 else x1, low, high))
        money, lo, hi = (_money(meaning, v, year) for v in (value, low, high))
        found.append({
            "technology": tech, "technology_label": tech_label, "year": year,
            "parameter": key, "parameter_label": meaning["label"], "others": others,
            "direction": "no longer built above" if a else "built above",
            "value": float(value), "bracket": [low, high], "capacity_before_mw": float(c0),
            "unit": meaning["unit"], "price": money["price"],
            "price_bracket": [lo["price"], hi["price"]] if money["price"] is not None else None,
            "unit_per_litre": per_litre_unit(meaning),
            "price_per_litre": money["price_per_litre"],
            "price_per_litre_bracket": ([lo["price_per_litre"], hi["price_per_litre"]]
                                        if money["price_per_litre"] is not None else None)})
    return found


def _round(x: float) -> float:
    """A swept value without float noise from its grid (0.6000000000000001 → 0.6)."""
    return float(f"{float(x):.12g}")


def _x_axis(ds: xr.Dataset, key: str, meaning: dict[str, Any], year: int | None,
            ) -> tuple[np.ndarray, str]:
    """The swept values as the plot's x: money in ``year`` (per litre where the fuel says
    how much energy a litre holds), else the axis's own values."""
    raw = np.asarray(ds[key].values, dtype=float)
    if year is None or not meaning["unit"] or (meaning["scale"] and not meaning["base"]):
        what = f"{meaning['label']} (× the plan's value)" if meaning["scale"] else \
            meaning["label"]
        return raw, what
    per_mwh = np.array([axis_value_in_money(meaning, v, year) for v in raw])
    litre_unit = per_litre_unit(meaning)
    if litre_unit:
        return per_mwh * meaning["mwh_per_litre"], f"{meaning['label']} in {year} [{litre_unit}]"
    return per_mwh, f"{meaning['label']} in {year} [{meaning['unit']}]"


def _plot(ds: xr.Dataset, key: str, meaning: dict[str, Any], name: str, unit: str,
          year: int | None, da: xr.DataArray) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    try:
        x_money, xlabel = _x_axis(ds, key, meaning, year)
        to_money = dict(zip(np.asarray(ds[key].values, dtype=float), x_money, strict=True))
        lines = _lines(ds, da, key)
        for label, x, y in lines:
            style = "o" if ds.attrs.get("sample") == "lhs" else "o-"
            ax.plot([to_money[float(v)] for v in x], y, style, ms=3, label=label or None)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"{name} [{unit}]" if unit else name)
        ax.grid(alpha=0.3)
        if 1 < len(lines) <= 8:
            ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return buf.getvalue()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).strip("_")


def sweep_report(out_dir: Path) -> list[Path]:
    """Write the PNG plots, ``breakeven.json`` and ``breakeven.html`` of a sweep folder."""
    out_dir = Path(out_dir)
    folder = read_sweep_folder(out_dir)  # RunFolderError: one line "DIR: file: problem"
    ds, manifest = folder.results, folder.manifest
    swept = ds.attrs["swept"]
    ds.attrs["swept"] = [swept] if isinstance(swept, str) else list(swept)
    meanings = _meanings(manifest, ds.attrs["swept"])
    labels = manifest.get("tech_labels", {})
    plots_dir = out_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    images: dict[tuple[str, str], tuple[str, bytes]] = {}
    for key in ds.attrs["swept"]:
        for out_key, (name, unit, year, da) in outputs(ds, labels).items():
            png = _plot(ds, key, meanings[key], name, unit, year, da)
            path = plots_dir / f"{_safe(out_key)}__{_safe(key)}.png"
            _atomic_bytes(path, png)
            images[(out_key, key)] = (f"{name} against {meanings[key]['label']}", png)
            written.append(path)
    found = breakevens(ds, meanings, labels, manifest.get("existing_mw"))
    data = {"site": ds.attrs.get("site", ""), "currency": ds.attrs.get("currency", ""),
            "resolution": manifest.get("resolution", ds.attrs.get("resolution", "")),
            "swept": ds.attrs["swept"], "axes": [meanings[k] for k in ds.attrs["swept"]],
            "target_years": target_years(ds), "points": int(ds["ok"].size),
            "failed": int((~ds["ok"].values).sum()), "breakevens": found}
    path = out_dir / "breakeven.json"
    _atomic_bytes(path, strictjson.dumps(data, indent=2).encode())
    written.append(path)
    path = out_dir / "breakeven.html"
    _atomic_bytes(path, _html(data, _users_first(images, manifest)).encode())
    written.append(path)
    return written


def _users_first(images: dict[tuple[str, str], tuple[str, bytes]], manifest: dict[str, Any],
                 ) -> dict[tuple[str, str], tuple[str, bytes]]:
    """The plots of technologies that burn a swept fuel first (an ethanol sweep is about the
    SOFC), the rest in their order."""
    fuels = {m["field"].split(".")[1] for m in manifest.get("axes_meaning", [])
             if m["field"].startswith("fuels.")}
    users = {t for t, f in manifest.get("tech_fuels", {}).items() if f and f in fuels}

    def uses(key: tuple[str, str]) -> bool:
        return any(key[0].startswith(f"capacity_{t}_") for t in users)

    return dict(sorted(images.items(), key=lambda kv: not uses(kv[0])))


def _price_cell(b: dict[str, Any]) -> str:
    """The break-even as the bracket of swept values that holds it: money per MWh and per
    litre where the axis is a price, else the axis's own values."""
    if b["price"] is None:
        return f"between {b['bracket'][0]:.4g} and {b['bracket'][1]:.4g}"
    low, high = b["price_bracket"]
    text = f"between {number(low)} and {number(high)} {b['unit']}"
    if b["price_per_litre"] is not None:
        low, high = b["price_per_litre_bracket"]
        text += f"<br>({number(low, 1)}–{number(high, 1)} {b['unit_per_litre']})"
    return text


def _html(data: dict[str, Any], images: dict[tuple[str, str], tuple[str, bytes]]) -> str:
    """A fragment (no <html>/<body>) for the roadmap report: table and the key plots."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(b['technology_label'])}</td><td>{b['year']}</td>"
        f"<td>{e(b['parameter_label'])}</td><td>{e(b['direction'])}</td>"
        f"<td>{_price_cell(b)}</td><td>{e(b['others'])}</td></tr>"
        for b in sorted(data["breakevens"], key=lambda b: (b["year"], b["technology"])))
    if not rows:
        rows = '<tr><td colspan="6">no technology changes between built and not built in ' \
               "the swept ranges</td></tr>"
    techs = {b["technology"] for b in data["breakevens"]}
    shown = [(k, v) for k, v in images.items()
             if any(k[0].startswith(f"capacity_{t}_") for t in techs)] or [
        (k, v) for k, v in images.items() if k[0] == "objective"]
    figs = "".join(
        f'<figure><img alt="{e(title)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{e(title)}</figcaption></figure>'
        for _, (title, png) in shown[:6])
    axes = "; ".join(
        f"{e(a['label'])}" + (" as a factor on the plan's own prices" if a["scale"] else "")
        for a in data["axes"])
    return (f'<section class="sweep-breakeven"><h3>Break-even prices</h3>'
            f"<p>{data['points']} plans swept over {axes}, at resolution "
            f"{e(str(data['resolution']) or 'unknown')}; {data['failed']} failed. A break-even "
            "is where a technology's capacity in a target year changes between none built (no "
            "more than its existing assets) and built; it lies between the two swept prices "
            "shown, in that year and in money of the plan's price year. Sweep that range "
            "finer to narrow it.</p>"
            "<table><thead><tr><th>technology</th><th>year</th><th>swept</th><th>change</th>"
            "<th>break-even</th><th>other parameters</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{figs}</section>\n")
