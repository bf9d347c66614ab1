"""The report's "Workplace EVs" section and its note on embodied emissions: read from
results.nc (``ev_*`` from :mod:`optimiser.post.ev_results`, ``tech_embodied``), never
re-derived from the plan (docs/workplace-ev.md, docs/accounting.md "Embodied emissions")."""

from __future__ import annotations

from typing import Any

import xarray as xr

from optimiser.post.statistics import annual


def workplace_ev_context(ds: xr.Dataset) -> dict[str, Any] | None:
    """Per modelled year: cars enrolled by each lever, the unmanaged charging they remove,
    the charging they move, V2B's discharge, and the fleet's charging in the hour of the
    site's highest grid import, unmanaged against as planned. None without a fleet."""
    if "ev_unmanaged" not in ds:
        return None
    unmanaged, cars = ds["ev_unmanaged"], ds["ev_cars"]
    rows = []
    for y in ds["year"].values:
        imports = ds["grid_import"].sel(year=y)
        where = imports.argmax(("period", "hour"))
        at = {"period": int(where["period"]), "hour": int(where["hour"])}
        charge = ds["ev_charge"].sel(year=y).sum("ev_lever")
        discharge = ds["ev_discharge"].sel(year=y).sum("ev_lever")
        share = float(ds["ev_share"].sel(year=y))
        planned = (1.0 - share) * unmanaged + charge - discharge
        rows.append({
            "year": int(y),
            "cars": {str(n): float(cars.sel(ev_lever=n, year=y)) for n in cars["ev_lever"].values},
            "removed": share * float(annual(ds, unmanaged)),
            "charged": float(annual(ds, charge)),
            "discharged": float(annual(ds, discharge)),
            "peak_import": float(imports.isel(at)),
            "at_peak_unmanaged": float(unmanaged.isel(at)),
            "at_peak_planned": float(planned.isel(at)),
        })
    labels = {str(n): (str(ds["tech_label"].sel(tech=n).values) if "tech_label" in ds else
                       str(n).replace("_", " ")) for n in cars["ev_lever"].values}
    return {"levers": list(labels), "labels": labels,
            "unmanaged_mwh": float(annual(ds, unmanaged)), "rows": rows}


def embodied_context(ds: xr.Dataset) -> dict[str, Any] | None:
    """Embodied emissions of what the plan builds: the total and the technologies that carry
    most of it (t CO2e over the horizon, in the years built). None if there are none."""
    if "tech_embodied" not in ds:
        return None
    by_tech = ds["tech_embodied"].sum("year")
    total = float(by_tech.sum())
    if total <= 0:
        return None
    top = sorted(((float(v), str(t)) for t, v in zip(by_tech["tech"].values, by_tech.values,
                                                      strict=True) if v > 0), reverse=True)
    return {"total": total, "techs": [{"tech": t, "tonnes": v} for v, t in top[:4]]}
