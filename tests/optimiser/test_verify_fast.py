"""The faster hourly verification (issue 26) gives the figures the per-year path before it
gave: inputs prepared once and shipped to the workers, the garbage collector paused while a
year is built and solved, only what :func:`optimiser.verify.hourly.verified_figures` reads
extracted, one year per forked worker, longest years first.

The reference is that earlier path, written out here (:func:`_previous_year`): each year's
inputs prepared afresh, the full :func:`optimiser.post.results.extract`. Both must agree to 1e-9
relative on every ``verified_*`` figure of a plan whose hourly check uses every part of the
extraction: storage, a target, certificates, a virtual PPA and a clean-electricity target.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from pyomo.common.gc_manager import PauseGC

from optimiser import run_plan
from optimiser.formulate.components.certificates import claim_all
from optimiser.formulate.components.markets import value_of_lost_load
from optimiser.formulate.inputs import Resolution
from optimiser.formulate.model import build_model
from optimiser.post.results import extract
from optimiser.run.pipeline import prepare_inputs
from optimiser.solve.highs import HighsSolver
from optimiser.verify.hourly import largest_first, verified_figures, verify
from plant.loader import read_plan

from .helpers import synthetic_hours, write_csv, write_plan

REL = 1e-9


def _previous_year(loaded, decisions: dict[str, float], year: int) -> xr.Dataset:
    """One year as :func:`optimiser.verify.hourly.verify_year` did it before issue 26 (with the
    garbage collector paused, which changes no number, only to keep this test fast)."""
    with PauseGC():
        return _previous_year_body(loaded, decisions, year)


def _previous_year_body(loaded, decisions: dict[str, float], year: int) -> xr.Dataset:
    hourly = prepare_inputs(loaded, Resolution.parse("hourly"))
    inputs = dataclasses.replace(hourly, years=[year], fixed=decisions)
    m, ctx = build_model(inputs)
    for v in [*m.target_slack.values(), *m.removal_ramp_slack.values(),
              *m.clean_share_slack.values()]:
        v.unfix()
    solver = HighsSolver(method="dual")  # the settings "auto" meant then, for any size
    outcome = solver.solve(m)
    if not outcome.feasible and outcome.status == "infeasible":
        for v in m.unserved.values():
            v.unfix()
        outcome = solver.solve(m)
    assert outcome.feasible, outcome.message
    outcome = outcome.rescaled(m.money_scale)
    claim_all(ctx)
    ds = extract(ctx, outcome, {})
    ds["removal_ramp_short"] = xr.DataArray(
        [float(m.removal_ramp_slack[y].value or 0.0) if y in m.removal_ramp_slack else 0.0
         for y in inputs.years], dims="year")
    ds.attrs["verified_status"] = outcome.status
    return ds


def _plan(folder) -> dict:
    """Seeded synthetic demand, PV and wind (as in test_verify.py) with a battery, two
    modelled years, a 50 % cut in 2030 and the instruments the clean shares count."""
    hours = synthetic_hours(np.random.default_rng(7))
    csv = {n: write_csv(folder, n, hours[n], "v") for n in ("electricity", "solar", "wind")}
    annual = float(hours["electricity"].sum())
    return {
        "profiles": {"csv": csv},
        "demand": {"electricity": {"annual_mwh": annual, "production_share": 0.4,
                                   "constant_share": 0.6}},
        "baseline": {"electricity_mwh": annual},
        "technologies": {
            "pv": {"kind": "solar_pv", "capex_per_kw": 600, "lifetime_years": 25,
                   "degradation_per_year": 0.0,
                   "specific_yield_kwh_per_kwp": float(hours["solar"].sum())},
            "wind": {"kind": "wind", "capex_per_kw": 1400, "lifetime_years": 25,
                     "capacity_factor": float(hours["wind"].mean())},
            "bat": {"kind": "battery", "capex_per_kwh": 150, "lifetime_years": 15,
                    "round_trip_efficiency": 0.9}},
        "ppas": {"vppa": {"kind": "virtual", "technology": "wind", "capacity_mw": 2.0,
                          "build_year": 2025, "start_year": 2025, "term_years": 15,
                          "price_per_mwh": 60, "market_price_per_mwh": 45}},
        "certificates": {"rego": {"price_per_mwh": 5}},
        "accounting": {"clean_electricity_targets": [
            {"year": 2030, "share": 0.6, "matching": "monthly"}]},
        "targets": [{"name": "half", "year": 2030, "reduction": 0.5}],
        "finance": {"investment_years": [2025, 2030]},
    }


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The plan at 2 representative days, and its years verified the earlier way."""
    folder = tmp_path_factory.mktemp("verify_fast")
    loaded = read_plan(write_plan(folder, _plan(folder)))
    run = run_plan(loaded, "repdays:2")
    assert run.outcome.feasible
    years = [int(y) for y in run.results["year"].values]
    per_year = [_previous_year(loaded, run.decisions, y) for y in years]
    return loaded, run, per_year


def _assert_same(expected: xr.Dataset, got: xr.Dataset) -> None:
    assert sorted(got.data_vars) == sorted(expected.data_vars)
    for name in expected.data_vars:
        a, b = expected[name], got[name]
        assert a.dims == b.dims, name
        if a.dtype.kind == "f":
            np.testing.assert_allclose(b.values, a.values, rtol=REL, atol=1e-9, err_msg=name)
        else:
            assert (a.values == b.values).all(), name
    assert got.attrs["verified_objective"] == pytest.approx(
        expected.attrs["verified_objective"], rel=REL)
    assert got.attrs["verified_unserved_priced"] == expected.attrs["verified_unserved_priced"]


def test_the_fast_path_gives_the_earlier_figures(planned):
    """Years in worker processes (the path ``cnplan plan --verify`` takes): every verified
    figure as the earlier per-year path gave it. (The in-process path, ``jobs=1``, runs the
    same :func:`optimiser.verify.hourly.verify_year`.)"""
    loaded, run, per_year = planned
    expected = verified_figures(run.results, per_year, value_of_lost_load(loaded.plan))
    got = verify(loaded, run.decisions, run.results, jobs=2)
    _assert_same(expected.assign(verified_status=got["verified_status"]), got)
    assert list(got["verified_status"].values) == [ds.attrs["verified_status"]
                                                   for ds in per_year]


def test_the_plan_uses_every_part_of_the_extraction(planned):
    """The comparison above can fail: the plan's hourly years count certificates and the
    virtual PPA's certificates and have a clean-electricity target, so a figure left out of
    the fast extraction changes or drops a verified figure. Without the certificates (what
    extract's light results alone hold) the clean shares differ."""
    _, run, per_year = planned
    last = per_year[-1]
    assert float(last["certificates_bought"].sum()) > 1.0
    assert float(last["ppa_certificates"].sum()) > 1.0
    full = verified_figures(run.results, per_year)
    assert "verified_clean_target_shortfall" in full
    stripped = [ds.drop_vars(["certificates_bought", "certificates_annual",
                              "certificates_hourly", "ppa_certificates"]) for ds in per_year]
    partial = verified_figures(run.results, stripped)
    with pytest.raises(AssertionError):
        _assert_same(full, partial)


def test_the_longest_year_starts_first(planned):
    """Years with more technologies in service (storage counted twice) start first; on a
    tie, the later year."""
    _, run, _ = planned
    order = largest_first(run.results)
    assert sorted(order) == [2025, 2030]
    capacity = run.results["capacity"]
    active = [(int((capacity.sel(year=y) > 1e-6).sum()), y) for y in order]
    assert active == sorted(active, reverse=True)
    flat = run.results.assign(capacity=run.results["capacity"] * 0.0,
                              energy_capacity=run.results["energy_capacity"] * 0.0)
    assert largest_first(flat) == [2030, 2025]
