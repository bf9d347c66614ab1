"""Clean-electricity share of the site's consumption, matched annually or hour by hour
(docs/accounting.md, "Clean-electricity share"). From a results Dataset alone.

Per modelled year and time step t (weights w_t, days × 1 h):

    L(t)  consumption: demand − efficiency savings − unserved + electricity drawn by electric
          heat (storage charging and export excluded)
    C(t)  clean supply for the site: output of carbon-free technologies (``carbon_free`` on
          their schema class: solar, wind) less their share of the export, plus PPA take,
          plus hourly instruments H(t): hourly certificates bought for the hour
          (``certificates_hourly``) and the certificates of virtual PPAs (``ppa_certificates``),
          these up to the hour's grid import less the hourly certificates
    D(t)  used directly: min(L, C)
    S(t)  clean surplus min(C − D, charge(t)) charges storage (``stores_electricity``)
    f     share of storage charging that was clean: Σ_t w S / Σ_t w charge
    M(t)  matched: D(t) + min(L − D, f · discharge(t))

    hourly share  = Σ_t w M / Σ_t w L
    monthly share = Σ_m min(Σ_t n_m,t L⁺, Σ_t n_m,t E) / Σ_t w L⁺
    annual share  = min(1, (Σ_t w E + annual certificates) / Σ_t w L⁺)

with n_m,t the days of month m that step t stands for, E(t) the clean electricity whose
attributes the site holds — the output of its carbon-free technologies, exported or not (the
site keeps their certificates), plus what it takes from its PPAs, plus H(t) — and
L⁺ = L + Σ_k (c_k − d_k) its consumption with the stores' losses. Annual matching also counts
annual certificates (``certificates_annual``); hourly and monthly matching do not, because
they are annual instruments. In hourly matching, storage discharge
is attributed to clean charging at the year's average share f, a simplification: the
results do not say where each stored MWh came from.
Storage's net dispatch per hour is split into charge and discharge by its sign.
"""

from __future__ import annotations

import xarray as xr

from optimiser.formulate.inputs import month_weights
from optimiser.post.statistics import export_shares

HOUR_DIMS = ("period", "hour")


def _min(a: xr.DataArray, b: xr.DataArray) -> xr.DataArray:
    """Element-wise minimum, kept as a DataArray."""
    return xr.where(a < b, a, b)


def _hourly_sum(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    """Σ_t w_t x_t over the time steps [MWh for MW]."""
    return (da * ds["weight"]).sum(HOUR_DIMS)


def consumption(ds: xr.Dataset) -> xr.DataArray:
    """L(year, period, hour): electricity the site consumes [MW]."""
    elec = {"carrier": "electricity"}
    efficiency = ds["dispatch"].sel(elec).where(ds["tech_lever"] == "efficiency", 0.0).sum("tech")
    return (ds["demand"].sel(elec) - efficiency - ds["unserved"].sel(elec)
            + ds["consumption"].sel(elec).sum("tech"))


def clean_supply(ds: xr.Dataset) -> xr.DataArray:
    """C(year, period, hour): carbon-free electricity available to the site [MW]."""
    clean = ds["dispatch"].sel(carrier="electricity").clip(min=0).where(
        ds["tech_carbon_free"], 0.0).sum("tech")
    exported = export_shares(ds).where(ds["tech_carbon_free"], 0.0).sum("tech")
    return clean - exported + _contracted(ds, in_hour=True)


def _contracted(ds: xr.Dataset, in_hour: bool = False) -> xr.DataArray | float:
    """PPA take plus H(t), the hourly instruments [MW]; ``in_hour``: virtual-PPA certificates
    only up to the hour's grid import less the hourly certificates (a certificate matches
    import in its hour, not what storage or an SOFC supplied)."""
    ppa = ds["ppa_take"].sum("ppa") if ds.sizes.get("ppa", 0) else 0.0
    bought = ds["certificates_hourly"] if "certificates_hourly" in ds else 0.0
    if "ppa_certificates" in ds and ds.sizes.get("ppa", 0):
        virtual = ds["ppa_certificates"].sum("ppa")
        if in_hour:
            virtual = _min(virtual, (ds["grid_import"] - bought).clip(min=0.0))
        ppa = ppa + virtual
    return ppa + bought


def _monthly(ds: xr.Dataset, load: xr.DataArray, used: xr.DataArray) -> xr.DataArray:
    """Σ_m min(L_m, U_m) by year [MWh], months from ``day_period`` and the profile year."""
    weights = month_weights(ds["day_period"].values, int(ds.attrs["profile_year"]))
    n = xr.DataArray(weights.reshape(12, ds.sizes["period"], ds.sizes["hour"]),
                     dims=("month_of_year", *HOUR_DIMS))
    per_month_load = (load * n).sum(HOUR_DIMS)
    per_month_used = (used * n).sum(HOUR_DIMS)
    return _min(per_month_load, per_month_used).sum("month_of_year")


def attributes(ds: xr.Dataset) -> xr.DataArray:
    """E(year, period, hour): clean electricity whose attributes the site holds [MW]."""
    own = ds["dispatch"].sel(carrier="electricity").clip(min=0).where(
        ds["tech_carbon_free"], 0.0).sum("tech")
    return own + _contracted(ds)


def clean_shares(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """``hourly``, ``monthly`` (where the results know their profile year) and ``annual``
    clean-electricity shares of consumption by year [fraction]."""
    load = consumption(ds)
    clean = clean_supply(ds)
    direct = _min(load, clean)
    storage = ds["dispatch"].sel(carrier="electricity").where(
        ds["tech_stores_electricity"], 0.0).sum("tech")
    charge, discharge = (-storage).clip(min=0), storage.clip(min=0)
    clean_charge = _min(clean - direct, charge)
    charged = _hourly_sum(ds, charge)
    f = xr.where(charged > 0, _hourly_sum(ds, clean_charge) / charged.where(charged > 0), 0.0)
    matched = direct + _min(load - direct, f * discharge)
    total = _hourly_sum(ds, load)
    certificates = ds.get("certificates_annual", ds.get("certificates_bought", 0.0))
    held = attributes(ds)
    with_losses = load - storage
    safe = total.where(total > 0)
    safe_plus = _hourly_sum(ds, with_losses).where(total > 0)
    shares = {"hourly": (_hourly_sum(ds, matched) / safe).fillna(0.0)}
    if "profile_year" in ds.attrs:
        shares["monthly"] = (_monthly(ds, with_losses, held) / safe_plus).fillna(0.0)
    shares["annual"] = ((_hourly_sum(ds, held) + certificates) / safe_plus).clip(
        max=1.0).fillna(0.0)
    return shares
