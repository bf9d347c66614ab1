"""Assemble the point records of a sweep into one xarray Dataset (``DIR/sweep.nc``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from cnplan.outputs import atomic_write
from cnplan.sweeps.spec import SweepSpec


def _union(lists: list[list[str]]) -> list[str]:
    return list(dict.fromkeys(x for items in lists for x in items))


def sweep_dataset(spec: SweepSpec, records: list[dict[str, Any]],
                  attrs: dict[str, Any] | None = None) -> xr.Dataset:
    """One Dataset of a sweep's outputs.

    Grid sampling puts every swept key path on its own dimension (coordinates: its values);
    Latin-hypercube sampling has a ``point`` dimension with the key paths as coordinates
    along it. Points not run or failed hold NaN (``ok`` is False, ``status`` and ``reason``
    say why). Variables: ``objective`` (net present cost), ``capacity`` (tech, year),
    ``capacity_last`` (tech, in the last year), ``net_emissions`` (year),
    ``target_shadow_price`` (target), ``sofc_electricity`` (year).
    """
    by_id = {r["id"]: r for r in records}
    points = spec.points()
    ok = [by_id[p.id]["outputs"] for p in points if p.id in by_id and by_id[p.id]["ok"]]
    techs = _union([list(o["capacity"]) for o in ok])
    years = sorted({int(y) for o in ok for y in o["net_emissions"]})
    targets = _union([list(o["target_shadow_price"]) for o in ok])
    target_year = {t: y for o in ok for t, y in o.get("target_year", {}).items()}
    if spec.sample == "grid":
        dims = tuple(spec.keys)
        shape = tuple(a.n for a in spec.axes)
        coords: dict[str, Any] = {a.key: a.values() for a in spec.axes}
    else:
        dims, shape = ("point",), (len(points),)
        coords = {"point": [p.id for p in points]}
        for key in spec.keys:
            coords[key] = ("point", [p.values[key] for p in points])
    n_t, n_y, n_k = len(techs), len(years), len(targets)
    arr = {
        "objective": np.full(shape, np.nan),
        "capacity": np.full((*shape, n_t, n_y), np.nan),
        "net_emissions": np.full((*shape, n_y), np.nan),
        "target_shadow_price": np.full((*shape, n_k), np.nan),
        "sofc_electricity": np.full((*shape, n_y), np.nan),
    }
    ok_flag = np.zeros(shape, dtype=bool)
    status = np.full(shape, "not_run", dtype=object)
    reason = np.full(shape, "", dtype=object)
    for number, p in enumerate(points):
        at = p.index if spec.sample == "grid" else (number,)
        rec = by_id.get(p.id)
        if rec is None:
            continue
        status[at], reason[at], ok_flag[at] = rec["status"], rec.get("reason", ""), rec["ok"]
        out = rec["outputs"]
        if not rec["ok"] or out is None:
            continue
        arr["objective"][at] = out["objective"]
        for i, t in enumerate(techs):
            for j, y in enumerate(years):
                arr["capacity"][(*at, i, j)] = out["capacity"].get(t, {}).get(str(y), np.nan)
        for j, y in enumerate(years):
            arr["net_emissions"][(*at, j)] = out["net_emissions"].get(str(y), np.nan)
            arr["sofc_electricity"][(*at, j)] = out["sofc_electricity_mwh"].get(str(y), np.nan)
        for k, t in enumerate(targets):
            v = out["target_shadow_price"].get(t)
            arr["target_shadow_price"][(*at, k)] = np.nan if v is None else v
    cur = (attrs or {}).get("currency", "")
    ds = xr.Dataset(
        {
            "objective": (dims, arr["objective"], {"units": cur,
                                                   "long_name": "net present cost"}),
            "capacity": ((*dims, "tech", "year"), arr["capacity"],
                         {"units": "MW", "long_name": "installed capacity (efficiency: MWh/yr "
                          "saved)"}),
            "net_emissions": ((*dims, "year"), arr["net_emissions"],
                              {"units": "t CO2e/yr", "long_name": "scope 1 + scope 2 "
                               "market-based − credits"}),
            "target_shadow_price": ((*dims, "target"), arr["target_shadow_price"],
                                    {"units": f"{cur}/t CO2e",
                                     "long_name": "implied carbon price of the target"}),
            "sofc_electricity": ((*dims, "year"), arr["sofc_electricity"],
                                 {"units": "MWh/yr", "long_name": "SOFC electricity output"}),
            "ok": (dims, ok_flag, {"long_name": "a plan meeting the targets was found"}),
            "status": (dims, status.astype(str), {"long_name": "solver status of the point"}),
            "reason": (dims, reason.astype(str), {"long_name": "why the point failed"}),
        },
        coords={**coords, "tech": np.array(techs, dtype=str), "year": np.array(years, dtype=int),
                "target": np.array(targets, dtype=str)},
    )
    ds["capacity_last"] = ds["capacity"].isel(year=-1, drop=True) if years else (
        ds["capacity"].sum("year"))
    ds["capacity_last"].attrs = {"units": "MW", "long_name": "installed capacity in the last "
                                 "year"}
    ds["target_year"] = ("target", np.array([target_year.get(t, -1) for t in targets], dtype=int))
    ds.attrs.update({k: ("" if v is None else v) for k, v in (attrs or {}).items()
                     if isinstance(v, str | int | float) or v is None})
    ds.attrs["sample"] = spec.sample
    ds.attrs["swept"] = list(spec.keys)
    return ds


def write_dataset(out_dir: Path, spec: SweepSpec, records: list[dict[str, Any]],
                  attrs: dict[str, Any] | None = None) -> Path:
    """Write ``DIR/sweep.nc`` (atomically, replacing an older one)."""
    ds = sweep_dataset(spec, records, attrs)
    path = Path(out_dir) / "sweep.nc"

    def write(tmp: Path) -> None:
        ds.to_netcdf(tmp, engine="netcdf4")

    return atomic_write(path, write, overwrite=True)
