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

Stress days (issue 27, docs/optimiser.md "Adequacy") are kept as periods of their own, of
weight 1 each (tsam ``ExtremeConfig``, ``append``; a day picked by several rules is kept once),
so that the capacities a plan builds serve the hours that size them, not a cluster's average:

- for every carrier in ``stress_carriers``, the day of the year's highest hourly total demand
  of that carrier (``max_value``): a typical day reproduces its cluster's duration curve, whose
  top is an average, so without it a boiler or heat pump is sized below the real peak (a plant
  written from scratch, at 12 days: a 28 MW boiler where the real peak needs ~110 MW) and the
  peak a demand charge is billed on is understated (Sunderland, when it had a demand charge,
  at 12 days: 36.9 MW against 37.5 MW);
- for electricity, the day of the highest mean residual load (``max_period``),
  R(t) = D(t) − Σ_k C_k·cf_k(t), with D the total electricity demand in the profiles [MW],
  cf_k the capacity factor of renewable k and C_k the most of it the plan may have
  (``renewables_mw``, from :func:`optimiser.formulate.inputs.renewables_mw`: the model's build
  limit or the existing capacity, whichever is larger, the existing capacity alone without a limit,
  plus private-wire PPA plants) [MW]. The import peak is set on a day of high demand and
  little sun or wind, which the peak-demand day (often sunny) is not. On Tochigi at 12 days,
  investment year 2030 alone, without it the import peak came out at 9.4 MW against 13.7 MW
  hour by hour, a battery of 10 MW was built (2.8 MW hour by hour) to shave peaks only
  typical days have, and the objective was 2.1 % below the hourly model's; with it, 0.2 %
  (bench/RESULTS.md, "Aggregation error");
- every calendar day in ``stress_days`` (0 = 1 January of the profile year): days where an
  hourly verification found demand unserved (:mod:`optimiser.verify.adequacy`).

The stress series are clustering features of negligible weight, so the other days are grouped
as if they were not there. ``renewable_weight`` multiplies the weight of the renewables'
capacity factors in the clustering (1: as any other series).
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
def _cluster(representation: str = "distribution") -> tsam.ClusterConfig:
    """How days are grouped and each group represented (see the module docstring; ``medoid``:
    the real day closest to the cluster's centre)."""
    import tsam

    if representation == "medoid":
        return tsam.ClusterConfig(method="hierarchical", representation="medoid")
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


def _stress(varying: pd.DataFrame, carriers: tuple[str, ...],
            renewables_mw: dict[str, float] | None, days: tuple[int, ...],
            renewable_weight: float,
            ) -> tuple[pd.DataFrame, tsam.ExtremeConfig | None, dict[str, float]]:
    """Clustering features, extreme-period config and weights that keep the stress days
    (module docstring): ``peak|<carrier>`` (``max_value``), ``residual|electricity``
    (``max_period``) and ``day|<d>`` (1 in day d's hours, else 0; ``max_value``)."""
    import pandas as pd
    import tsam

    weights = {c: renewable_weight if c.startswith("capacity_factor|") else 1.0
               for c in varying.columns}
    extra: dict[str, np.ndarray] = {}
    max_value, max_period = [], []
    for carrier in carriers:
        columns = [c for c in varying.columns if c.startswith(f"demand|{carrier}|")]
        if not columns:
            continue
        total = varying[columns].sum(axis=1).to_numpy()
        extra[f"peak|{carrier}"] = total
        max_value.append(f"peak|{carrier}")
        if carrier == "electricity":
            residual = total.copy()
            for tech, mw in (renewables_mw or {}).items():
                if f"capacity_factor|{tech}" in varying.columns:
                    residual = residual - mw * varying[f"capacity_factor|{tech}"].to_numpy()
            extra["residual|electricity"] = residual
            max_period.append("residual|electricity")
    for day in sorted(set(days)):
        if not 0 <= day < 365:
            raise ValueError(f"stress day {day} is not a day of the profile year (0-364)")
        flag = np.zeros(len(varying))
        flag[day * HOURS_PER_DAY:(day + 1) * HOURS_PER_DAY] = 1.0
        extra[f"day|{day}"] = flag
        max_value.append(f"day|{day}")
    if not extra:
        return varying, None, weights
    features = pd.concat([varying, pd.DataFrame(extra, index=varying.index)], axis=1)
    weights |= dict.fromkeys(extra, 1e-9)
    return features, tsam.ExtremeConfig(method="append", max_value=max_value,
                                        max_period=max_period), weights


def _stress_days(order: np.ndarray, n_periods: int, n_typical: int) -> np.ndarray:
    """The calendar day of each stress period (tsam appends them after the ``n_typical``
    clusters, one day each), −1 for a typical day and at full resolution."""
    out = np.full(n_periods, -1, dtype=int)
    if n_typical < 365:
        for period in range(n_typical, n_periods):
            out[period] = int(np.flatnonzero(order == period)[0])
    return out


def aggregate(ds: xr.Dataset, n_days: int, stress_carriers: tuple[str, ...] = (),
              renewables_mw: dict[str, float] | None = None, stress_days: tuple[int, ...] = (),
              renewable_weight: float = 1.0, representation: str = "distribution",
              ) -> xr.Dataset:
    """Representative days of an hourly profile Dataset.

    Returns a Dataset with dims ``period`` (typical day) and ``hour`` (0-23) for every
    time-varying variable, ``weight`` (days each period stands for), ``day_period``
    (period of each calendar day) and the aggregation error: ``rmse`` (per series, relative
    to its standard deviation) and ``total_error`` (relative error of the annual sum). The stress
    days of ``stress_carriers`` (peak demand; for electricity also the highest mean residual
    load after ``renewables_mw``, {technology: MW} of the capacity factors in ``ds``) and the
    calendar days ``stress_days`` are periods of their own (module docstring); ``stress_day``
    (period) says which calendar day each is (−1 for a typical day).
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
        features, extremes, weights = _stress(varying, tuple(stress_carriers), renewables_mw,
                                              tuple(stress_days), renewable_weight)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*minimal tolerable weighting")
            result = tsam.aggregate(features, n_clusters=n_days, period_duration=HOURS_PER_DAY,
                                    cluster=_cluster(representation), extremes=extremes,
                                    weights=weights)
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
    agg["stress_day"] = xr.DataArray(_stress_days(order, len(weight), n_days), dims="period",
                                     attrs={"long_name": "calendar day a stress period is "
                                            "(-1: a typical day)"})
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
