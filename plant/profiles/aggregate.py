"""Representative days with tsam, and the error they make.

The hourly year is cut into 365 days; tsam (Kotzur et al. 2018, Applied Energy 213, 123-135)
groups them by agglomerative hierarchical clustering into ``n_days`` clusters whose weights
(member counts) add up to 365. Each cluster is represented by a distribution-preserving
typical day (Hoffmann, Kotzur and Stolten 2022, Applied Energy 315, 119029): each series of
the typical day takes 24 values that reproduce that series' duration curve over all member
days of the cluster (not one member's values), placed in the hours in the rank order of the
cluster's medoid day (tsam ``Distribution(concurrency="medoid")``), so the typical day keeps
a real day's timing of solar, load, prices and temperature. Against the full hourly year this
keeps the spread of solar output relative to load that a rescaled medoid smooths away (on
the Tochigi plan the medoid understated grid import and emissions and overbuilt roof PV); it
also moves day-to-day variation into the hours of one day, which can overstate what daily
storage earns. Column
means are preserved, so annual energy totals survive aggregation. The day order (which
typical day stands for each calendar day) is kept for storage linking across the year
(Kotzur et al. 2018, Applied Energy 214, 277-292).

With ``keep_peak_of`` (plans with demand charges) up to two days are kept as periods of
their own, of weight 1 each (tsam ``ExtremeConfig``, ``append``; one if both rules pick the
same day):

- the day of the year's highest total demand of that carrier (``max_value``): a typical day
  reproduces its cluster's duration curve, whose top is an average, so without it the peak a
  demand charge is billed on would be understated (Sunderland's plan, when it had a demand
  charge, at 12 days: 36.9 MW against 37.5 MW);
- the day of the highest mean residual load (``max_period``), R(t) = D(t) − Σ_k C_k·cf_k(t),
  with D the carrier's total demand in the profiles [MW], cf_k the capacity factor of
  renewable k and C_k the most of it the plan may have (``renewables_mw``, from
  :func:`optimiser.inputs.renewables_mw`: the model's build limit or the existing capacity,
  whichever is larger, the existing capacity alone without a limit, plus private-wire PPA
  plants) [MW]. The import peak is set on a day
  of high demand and little sun or wind, which the peak-demand day (often sunny) is not. On
  Tochigi at 12 days, investment year 2030 alone, without it the import peak came out at
  9.4 MW against 13.7 MW hour by hour, a battery of 10 MW was built (2.8 MW hour by hour)
  to shave peaks only typical days have, and the objective was 2.1 % below the hourly
  model's; with it, 0.2 % (bench/RESULTS.md, "Aggregation error").

Both series are added as clustering features of negligible weight, so the other days are
grouped as before.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    # tsam (with scikit-learn), pandas and xarray are imported where they are used, so
    # importing plant.profiles (e.g. to validate a plan) stays fast
    import pandas as pd
    import tsam
    import xarray as xr

HOURS_PER_DAY = 24


@cache
def _cluster() -> tsam.ClusterConfig:
    """How days are grouped and each group represented (see the module docstring)."""
    import tsam

    return tsam.ClusterConfig(method="hierarchical",
                              representation=tsam.Distribution(scope="local",
                                                               concurrency="medoid"))


def __getattr__(name: str) -> Any:
    # ``CLUSTER`` stays readable as a module constant without importing tsam at import time
    if name == "CLUSTER":
        return _cluster()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _flatten(ds: xr.Dataset) -> pd.DataFrame:
    import pandas as pd

    cols = {}
    for name, da in ds.data_vars.items():
        if "time" not in da.dims:
            continue
        stacked = da.transpose(..., "time").values.reshape(-1, da.sizes["time"])
        other = [d for d in da.dims if d != "time"]
        labels = (pd.MultiIndex.from_product([da[d].values for d in other]) if other else [()])
        for label, row in zip(labels, stacked, strict=True):
            key = "|".join([str(name), *map(str, label if isinstance(label, tuple)
                                               else (label,))])
            cols[key] = row
    return pd.DataFrame(cols, index=ds["time"].to_index())


PEAK_FEATURE = "peak|total"
RESIDUAL_FEATURE = "residual|total"


def _with_peak(varying: pd.DataFrame, carrier: str | None,
               renewables_mw: dict[str, float] | None = None,
               ) -> tuple[pd.DataFrame, tsam.ExtremeConfig | None, dict[str, float] | None]:
    """Clustering features, extreme-period config and weights that keep ``carrier``'s peak
    demand day and its highest residual-load day (module docstring; unchanged features and
    no extremes without a carrier)."""
    import tsam

    columns = [c for c in varying.columns if c.startswith(f"demand|{carrier}|")]
    if carrier is None or not columns:
        return varying, None, None
    total = varying[columns].sum(axis=1)
    residual = total.copy()
    for tech, mw in (renewables_mw or {}).items():
        if f"capacity_factor|{tech}" in varying.columns:
            residual -= mw * varying[f"capacity_factor|{tech}"]
    features = varying.assign(**{PEAK_FEATURE: total, RESIDUAL_FEATURE: residual})
    weights = {c: 1.0 for c in varying.columns} | {PEAK_FEATURE: 1e-9, RESIDUAL_FEATURE: 1e-9}
    return features, tsam.ExtremeConfig(method="append", max_value=[PEAK_FEATURE],
                                        max_period=[RESIDUAL_FEATURE]), weights


def aggregate(ds: xr.Dataset, n_days: int, keep_peak_of: str | None = None,
              renewables_mw: dict[str, float] | None = None) -> xr.Dataset:
    """Representative days of an hourly profile Dataset.

    Returns a Dataset with dims ``period`` (typical day) and ``hour`` (0-23) for every
    time-varying variable, ``weight`` (days each period stands for), ``day_period``
    (period of each calendar day) and the aggregation error: ``rmse`` (per series, relative
    to its standard deviation) and ``total_error`` (relative error of the annual sum). With
    ``keep_peak_of`` (a carrier), the day of its peak demand and the day of its highest mean
    residual load after ``renewables_mw`` ({technology: MW} of the capacity factors in
    ``ds``) are more periods.
    """
    import pandas as pd
    import tsam
    import xarray as xr

    if not 1 <= n_days <= 365:
        raise ValueError(f"representative days must be 1-365, got {n_days}")
    frame = _flatten(ds)
    varying = frame.loc[:, frame.std() > 0]
    if n_days == 365 or varying.empty:
        reps = frame.to_numpy().reshape(365, HOURS_PER_DAY, -1)
        weight = np.ones(365)
        order = np.arange(365)
    else:
        features, extremes, weights = _with_peak(varying, keep_peak_of, renewables_mw)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*minimal tolerable weighting")
            result = tsam.aggregate(features, n_clusters=n_days, period_duration=HOURS_PER_DAY,
                                    cluster=_cluster(), extremes=extremes, weights=weights)
        typical = result.cluster_representatives
        order = np.asarray(result.cluster_assignments, dtype=int)
        counts = result.cluster_counts
        weight = np.array([counts[k] for k in range(len(counts))], dtype=float)
        full = pd.DataFrame(index=typical.index, columns=frame.columns, dtype=float)
        full[varying.columns] = typical[varying.columns].to_numpy()
        for col in frame.columns.difference(varying.columns):
            full[col] = frame[col].iloc[0]
        reps = full[frame.columns].to_numpy().reshape(len(weight), HOURS_PER_DAY, -1)
    out: dict[str, xr.DataArray] = {}
    col_pos = {c: i for i, c in enumerate(frame.columns)}
    for name, da in ds.data_vars.items():
        if "time" not in da.dims:
            continue
        other = [d for d in da.dims if d != "time"]
        keys = [c for c in frame.columns if c.split("|")[0] == name]
        arr = reps[:, :, [col_pos[k] for k in keys]]
        shape = [da.sizes[d] for d in other]
        arr = arr.reshape(arr.shape[0], HOURS_PER_DAY, *shape)
        out[str(name)] = xr.DataArray(np.moveaxis(arr, (0, 1), (-2, -1)), dims=(*other, "period",
                                 "hour"), coords={d: da[d].values for d in other},
                                 attrs=da.attrs)
    agg = xr.Dataset(out, coords={"period": np.arange(len(weight)), "hour": np.arange(24)})
    agg["weight"] = xr.DataArray(weight, dims="period", attrs={"units": "day",
                                 "long_name": "days of the year each period stands for"})
    agg["day_period"] = xr.DataArray(order, dims="day", attrs={
        "long_name": "representative period of each calendar day"})
    recon = reps[order].reshape(365 * HOURS_PER_DAY, -1)
    orig = frame.to_numpy()
    std = orig.std(axis=0)
    rmse = np.sqrt(((recon - orig) ** 2).mean(axis=0)) / np.where(std > 0, std, 1.0)
    total = (weight[:, None, None] * reps).sum(axis=(0, 1))
    tot_err = (total - orig.sum(axis=0)) / np.where(orig.sum(axis=0) != 0, orig.sum(axis=0), 1)
    agg["rmse"] = xr.DataArray(rmse, dims="series", coords={"series": list(frame.columns)},
                               attrs={"units": "1", "long_name": "RMSE of the reconstructed "
                                      "year relative to each series' standard deviation"})
    agg["total_error"] = xr.DataArray(tot_err, dims="series", attrs={
        "units": "1", "long_name": "relative error of each series' annual total"})
    agg.attrs.update(ds.attrs, n_days=int(len(weight)))
    return agg
