"""``cnplan sweep-report``: plots of each output against each swept value, and break-evens.

A break-even is where a technology's capacity in the last year changes between zero and
non-zero along one swept axis (the other axes held at each of their values in turn). Between
the last point with capacity (x₀, c₀ > 0) and the first without (x₁, c₁ ≈ 0) the capacity is
interpolated linearly and the break-even is where that line reaches zero. With c₁ exactly 0
that is x₁ itself, so the bracket [x₀, x₁] is reported too: the true break-even lies in it,
and a finer sweep over the bracket narrows it.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

#: Capacity below this is "not built" [MW].
BUILT_MW = 1e-4


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def outputs(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """Scalar outputs per point: objective, last-year capacity of each technology that is
    built somewhere, SOFC electricity and net emissions in the last year, target shadow
    prices."""
    out: dict[str, xr.DataArray] = {"objective": ds["objective"]}
    for t in ds["tech"].values:
        cap = ds["capacity_last"].sel(tech=t, drop=True)
        if bool((cap > BUILT_MW).any()):
            out[f"capacity_last[{t}]"] = cap
    if ds.sizes["year"]:
        out["sofc_electricity_last"] = ds["sofc_electricity"].isel(year=-1, drop=True)
        out["net_emissions_last"] = ds["net_emissions"].isel(year=-1, drop=True)
    for t in ds["target"].values:
        out[f"target_shadow_price[{t}]"] = ds["target_shadow_price"].sel(target=t, drop=True)
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


def breakevens(ds: xr.Dataset) -> list[dict[str, Any]]:
    """Every change between built and not built of a technology along a swept axis (grid
    sweeps; for lhs the points sorted by the axis)."""
    found = []
    for key in ds.attrs["swept"]:
        for tech in ds["tech"].values:
            cap = ds["capacity_last"].sel(tech=tech, drop=True)
            for label, x, c in _lines(ds, cap, key):
                good = np.isfinite(c)
                x, c = x[good], c[good]
                for i in range(len(x) - 1):
                    a, b = c[i] > BUILT_MW, c[i + 1] > BUILT_MW
                    if a == b:
                        continue
                    (x0, c0), (x1, c1) = ((x[i], c[i]), (x[i + 1], c[i + 1])) if a else (
                        (x[i + 1], c[i + 1]), (x[i], c[i]))
                    value = x0 + (x1 - x0) * c0 / (c0 - c1) if c0 != c1 else x1
                    found.append({
                        "technology": str(tech), "parameter": key, "others": label,
                        "direction": "drops to zero" if a else "starts",
                        "value": float(value), "bracket": [float(min(x0, x1)),
                                                            float(max(x0, x1))],
                        "capacity_before_mw": float(c0)})
    return found


def _plot(ds: xr.Dataset, key: str, name: str, da: xr.DataArray) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    try:
        lines = _lines(ds, da, key)
        for label, x, y in lines:
            style = "o" if ds.attrs.get("sample") == "lhs" else "o-"
            ax.plot(x, y, style, ms=3, label=label or None)
        ax.set_xlabel(key)
        units = da.attrs.get("units", "")
        ax.set_ylabel(f"{name} [{units}]" if units else name)
        ax.grid(alpha=0.3)
        if 1 < len(lines) <= 8:
            ax.legend(fontsize=6)
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
    with xr.open_dataset(out_dir / "sweep.nc") as raw:
        ds = raw.load()
    swept = ds.attrs["swept"]
    ds.attrs["swept"] = [swept] if isinstance(swept, str) else list(swept)
    plots_dir = out_dir / "plots"
    plots_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    images: dict[tuple[str, str], bytes] = {}
    for key in ds.attrs["swept"]:
        for name, da in outputs(ds).items():
            png = _plot(ds, key, name, da)
            path = plots_dir / f"{_safe(name)}__{_safe(key)}.png"
            _atomic_bytes(path, png)
            images[(name, key)] = png
            written.append(path)
    found = breakevens(ds)
    data = {"site": ds.attrs.get("site", ""), "currency": ds.attrs.get("currency", ""),
            "swept": ds.attrs["swept"], "points": int(ds["ok"].size),
            "failed": int((~ds["ok"].values).sum()), "breakevens": found}
    path = out_dir / "breakeven.json"
    _atomic_bytes(path, json.dumps(data, indent=2).encode())
    written.append(path)
    path = out_dir / "breakeven.html"
    _atomic_bytes(path, _html(data, images).encode())
    written.append(path)
    return written


def _html(data: dict[str, Any], images: dict[tuple[str, str], bytes]) -> str:
    """A fragment (no <html>/<body>) for the roadmap report: table and the key plots."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(b['technology'])}</td><td>{e(b['parameter'])}</td>"
        f"<td>{e(b['direction'])}</td><td>{b['value']:.4g}</td>"
        f"<td>{b['bracket'][0]:.4g} – {b['bracket'][1]:.4g}</td><td>{e(b['others'])}</td></tr>"
        for b in data["breakevens"])
    if not rows:
        rows = '<tr><td colspan="6">no technology changes between built and not built in ' \
               "the swept ranges</td></tr>"
    techs = {b["technology"] for b in data["breakevens"]}
    shown = [(k, png) for k, png in images.items()
             if any(k[0] == f"capacity_last[{t}]" for t in techs)] or [
        (k, png) for k, png in images.items() if k[0] == "objective"]
    figs = "".join(
        f'<figure><img alt="{e(name)} against {e(key)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{e(name)} against {e(key)}'
        "</figcaption></figure>" for (name, key), png in shown[:6])
    return (f'<section class="sweep-breakeven"><h2>Sensitivity: break-even points</h2>'
            f"<p>{data['points']} plans swept over {e(', '.join(data['swept']))}; "
            f"{data['failed']} failed. A break-even is where a technology's capacity in the "
            "last year changes between zero and non-zero; the bracket holds the true value.</p>"
            "<table><thead><tr><th>technology</th><th>parameter</th><th>change</th>"
            "<th>break-even</th><th>bracket</th><th>other parameters</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{figs}</section>\n")
