"""Target status in every year a target holds, with its implied carbon prices.

For target k and every modelled year y in which it holds (its year and, with ``hold_after``,
each later one): the limit L_k(y), the emissions counted (on its scopes, minus the credits
it may count), the shortfall (diagnostic re-solves only) and the implied price per tonne
in year y on both sides of a kink (:mod:`optimiser.post.implied_prices`). A target is met only if
it is met in every year it holds (:func:`optimiser.post.statistics.target_status`).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from optimiser.formulate.components.clean_share import target_in
from optimiser.formulate.context import Context
from optimiser.formulate.evaluate import value_or_zero
from optimiser.post.implied_prices import PriceRange
from optimiser.solve.highs import SolveOutcome
from plant.accounting import counted_scopes, target_intensity_limit, target_limit_t
from plant.schema import Plan


def add_targets(ds: xr.Dataset, ctx: Context, outcome: SolveOutcome,
                ranges: dict[tuple[int, int], PriceRange]) -> None:
    """Target variables by (target, year), and at each target's own year."""
    m, plan, inputs = ctx.m, ctx.inputs.plan, ctx.inputs
    years, cur = inputs.years, plan.site.currency
    shape = (len(plan.targets), len(years))
    arrays = {k: np.full(shape, np.nan) for k in ("limit", "counted", "credits", "slack",
                                                  "lower", "upper")}
    holds = np.zeros(shape, dtype=bool)
    binds = np.full(shape, "", dtype=object)
    for k, target in enumerate(plan.targets):
        for j, y in enumerate(years):
            if (k, y) not in m.target_index:
                continue
            holds[k, j] = True
            scopes = tuple(counted_scopes(plan, target))
            emitted = float(ctx.evaluator.sums(("emissions", y, scopes), lambda: [
                ctx.emissions.get((s, y), []) for s in scopes]).sum())  # noqa: B023 (called now)
            arrays["limit"][k, j] = target_limit_t(plan, target, y)
            arrays["credits"][k, j] = value_or_zero(m.target_credit[k, y])
            arrays["counted"][k, j] = emitted - arrays["credits"][k, j]
            arrays["slack"][k, j] = value_or_zero(m.target_slack[k, y])
            lower, upper, what = _prices(outcome, ctx, ranges, k, y, arrays["slack"][k, j])
            arrays["lower"][k, j], arrays["upper"][k, j], binds[k, j] = lower, upper, what
    dims = ("target", "year")
    t_units = "t CO2e/yr"
    ds.coords["target"] = [t.name for t in plan.targets]
    ds["target_holds"] = xr.DataArray(holds, dims=dims, attrs={
        "long_name": "the target's limit applies in this year"})
    ds["target_limit_by_year"] = xr.DataArray(arrays["limit"], dims=dims, attrs={
        "units": t_units, "long_name": "emission limit"})
    ds["target_counted"] = xr.DataArray(arrays["counted"], dims=dims, attrs={
        "units": t_units, "long_name": "emissions on the target's scopes minus the credits "
        "it counts"})
    ds["target_credits"] = xr.DataArray(arrays["credits"], dims=dims, attrs={
        "units": t_units, "long_name": "credits the target counts (company mode), or removals "
        "that neutralise its residual (SBTi v2, net-zero targets only)"})
    ds["target_shortfall_by_year"] = xr.DataArray(arrays["slack"], dims=dims, attrs={
        "units": t_units, "long_name": "excess over the limit (diagnostic re-solve only)"})
    ds["target_price_lower"] = xr.DataArray(arrays["lower"], dims=dims, attrs={
        "units": f"{cur}/t CO2e", "long_name": "implied carbon price: what relaxing the limit "
        "by a tonne in that year saves (the dual)"})
    ds["target_price_upper"] = xr.DataArray(arrays["upper"], dims=dims, attrs={
        "units": f"{cur}/t CO2e", "long_name": "implied carbon price: what tightening the limit "
        "by a tonne in that year costs (NaN: infeasible or not computed)"})
    ds["target_binds"] = xr.DataArray(binds.astype(str), dims=dims, attrs={
        "long_name": "limits active in that year where the two implied prices differ"})
    ds["target_year"] = xr.DataArray([t.year for t in plan.targets], dims="target")
    ds["target_basis"] = xr.DataArray([t.basis for t in plan.targets], dims="target")
    ds["target_max_credit_share"] = xr.DataArray(
        [t.max_credit_share for t in plan.targets], dims="target", attrs={
            "units": "1", "long_name": "most credits the target may count, as a share of its "
            "baseline (max_credit_share)"})
    ds["target_scopes"] = xr.DataArray(["+".join(counted_scopes(plan, t))
                                        for t in plan.targets], dims="target")
    add_target_year_values(ds, plan)


def add_target_year_values(ds: xr.Dataset, plan: Plan) -> None:
    """Each target's figures in its own year (limit, achieved, shortfall, implied price) from
    the by-year ones, and its limit per vehicle (a decomposition adds them after joining its
    years)."""
    at_year = {"target": "target", "year": xr.DataArray([t.year for t in plan.targets],
                                                        dims="target")}
    for name, source, long in (
            ("target_limit", "target_limit_by_year", "emission limit in the target year"),
            ("target_achieved", "target_counted", "emissions counted in the target year"),
            ("target_shortfall", "target_shortfall_by_year", "excess in the target year"),
            ("target_shadow_price", "target_price_lower", "implied carbon price in the target "
             "year (dual)")):
        # a single-year model (the hourly verification) may not hold the target's own year
        every = np.union1d(ds["year"].values, [t.year for t in plan.targets])
        ds[name] = ds[source].reindex(year=every).sel(year=at_year["year"]).drop_vars(
            "year").assign_attrs(
            units=ds[source].attrs.get("units", ""), long_name=long)
    intensity = [target_intensity_limit(plan, t) for t in plan.targets]
    ds["target_limit_per_vehicle"] = xr.DataArray(
        [np.nan if i is None else i for i in intensity], dims="target",
        attrs={"units": "t CO2e/vehicle"})


def add_clean_targets(ds: xr.Dataset, ctx: Context, outcome: SolveOutcome) -> None:
    """Clean-electricity targets by year: least share, matching, shortfall (diagnostic runs)
    and implied price per MWh of matched clean electricity (dual / discount factor)."""
    m, inputs, plan = ctx.m, ctx.inputs, ctx.inputs.plan
    if not plan.accounting.clean_electricity_targets:
        return
    years = inputs.years
    share = np.full(len(years), np.nan)
    price = np.full(len(years), np.nan)
    short = np.zeros(len(years))
    matching = np.full(len(years), "", dtype=object)
    for j, y in enumerate(years):
        target = target_in(plan, y)
        if target is None:
            continue
        share[j], matching[j] = target.share, target.matching
        short[j] = value_or_zero(m.clean_share_slack[y])
        dual = outcome.duals.get(m.clean_share[y])
        if dual is not None and short[j] <= 1e-6:
            p = -dual / inputs.annual_discount[y]  # sign: the hand case in test_target_modes
            price[j] = 0.0 if abs(p) < 1e-9 else p
    cur = plan.site.currency
    ds["clean_target_share"] = xr.DataArray(share, dims="year", attrs={
        "units": "1", "long_name": "least clean-electricity share of consumption (target)"})
    ds["clean_target_matching"] = xr.DataArray(matching.astype(str), dims="year")
    ds["clean_target_shortfall"] = xr.DataArray(short, dims="year", attrs={
        "units": "MWh/yr", "long_name": "matched clean electricity short of the target "
        "(diagnostic re-solve only)"})
    ds["clean_target_price"] = xr.DataArray(price, dims="year", attrs={
        "units": f"{cur}/MWh", "long_name": "implied price of one more MWh a year of matched "
        "clean electricity (dual)"})


def _prices(outcome: SolveOutcome, ctx: Context, ranges: dict[tuple[int, int], PriceRange],
            k: int, y: int, slack: float) -> tuple[float, float, str]:
    """(lower, upper, what binds) of target k in year y; NaN where there is no price (a
    missed target: the dual is then the diagnostic penalty)."""
    if slack > 1e-6 or outcome.status not in ("optimal", "time_limit"):
        return np.nan, np.nan, ""  # a missed target: the dual is the diagnostic penalty
    found = ranges.get((k, y))
    if found is not None:
        return found.lower, np.nan if found.upper is None else found.upper, found.binds
    dual = outcome.duals.get(ctx.m.target[k, y])
    if dual is None:
        return np.nan, np.nan, ""
    price = -dual / ctx.inputs.annual_discount[y]
    price = 0.0 if abs(price) < 1e-9 else price
    return price, price, ""
