"""One meter: the site never imports and exports in the same hour (issue #29, D1).

The case of the outside rebuild: base.yaml's flat 1 MW load (8760 MWh) and an existing 2 MWp
PV array on the half-day profile (0.5 MW per MWp 06-18 h: 1 MW in each sun hour, 4380 MWh a
year), import at 100 and export at 120 GBP/MWh, no O&M. Through one meter the PV serves the
load in the sun hours (nothing left to export) and the night is imported:
NPC = 4380 MWh × 100 = 438,000, clean share matched hour by hour 50 %. Without the one-meter
rows the LP imports the whole load and exports all of the PV:
8760 × 100 − 4380 × 120 = 350,400 (what the code did before).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimiser.formulate.components.markets import OneMeterError
from optimiser.run.session import PlanSession
from plant.loader import read_plan

from .helpers import annual, half_day_solar, run, write_csv, write_plan

PV = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
      "fixed_om_per_kw_year": 0, "variable_om_per_mwh": 0, "lifetime_years": 30,
      "max_capacity_mw": 2.0, "degradation_per_year": 0.0}


def _plan(tmp_path, export_price: float, **grid):
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    return {"technologies": {"pv": PV},
            "existing_assets": {"pv_roof": {"technology": "pv", "capacity_mw": 2.0,
                                            "build_year": 2020}},
            "profiles": {"csv": {"solar": solar}},
            "grid": {"import_price_per_mwh": 100, "export_allowed": True,
                     "export_price_per_mwh": export_price, "carbon_intensity_t_per_mwh": 0.2,
                     **grid}}


def _both_ways(ds) -> float:
    """Largest min(import, export) of any hour [MW]."""
    return float(np.minimum(ds["grid_import"], ds["grid_export"]).max())


def test_export_dearer_than_import_goes_through_one_meter(tmp_path):
    result = run(tmp_path, _plan(tmp_path, 120, connection_limit_mw=5))
    ds = result.results
    assert result.outcome.status == "optimal"
    assert result.outcome.objective == pytest.approx(438_000, rel=1e-6)
    assert _both_ways(ds) == pytest.approx(0.0, abs=1e-6)
    assert float(annual(ds, ds["grid_import"]).sum()) == pytest.approx(4380, rel=1e-6)
    assert float(ds["emissions"].sel(category="scope2_location").sum()) == pytest.approx(
        4380 * 0.2, rel=1e-6)


def test_cheaper_export_stays_a_linear_programme(tmp_path):
    """Export at 80 < import 100: no binaries, the same optimum (one meter holds by itself)."""
    result = run(tmp_path, _plan(tmp_path, 80, connection_limit_mw=5))
    assert result.outcome.status == "optimal"
    assert result.outcome.objective == pytest.approx(438_000, rel=1e-6)
    assert _both_ways(result.results) == pytest.approx(0.0, abs=1e-6)


def test_dearer_export_without_a_connection_limit_is_refused(tmp_path):
    with pytest.raises(OneMeterError, match="connection_limit_mw"):
        run(tmp_path, _plan(tmp_path, 120))


def test_sweep_rebuilds_when_export_overtakes_import(tmp_path):
    """A price sweep re-solves warm only while the hours needing binaries stay the same."""
    session = PlanSession(read_plan(write_plan(tmp_path, _plan(tmp_path, 80,
                                                               connection_limit_mw=5))),
                          "repdays:2")
    _, first, _ = session.run({"grid.export_price_per_mwh": 80})
    _, second, rebuilt = session.run({"grid.export_price_per_mwh": 120})
    assert rebuilt
    assert first.outcome.objective == pytest.approx(438_000, rel=1e-6)
    assert second.outcome.objective == pytest.approx(438_000, rel=1e-6)
    assert _both_ways(second.results) == pytest.approx(0.0, abs=1e-6)


def test_decomposition_refuses_binaries_and_auto_solves_whole(tmp_path):
    """The yearly subproblems of a one-meter plan would be mixed-integer: ``--engine
    decomposed`` refuses it; ``auto`` (``whole_if_mixed_integer``) solves it whole."""
    from optimiser.decompose import DecompositionError, plan_decomposed
    from optimiser.formulate.inputs import Resolution

    loaded = read_plan(write_plan(tmp_path, _plan(tmp_path, 120, connection_limit_mw=5)))
    res = Resolution.parse("repdays:2")
    with pytest.raises(DecompositionError, match="one-meter"):
        plan_decomposed(loaded, res)
    whole = plan_decomposed(loaded, res, whole_if_mixed_integer=True)
    assert whole.outcome.objective == pytest.approx(438_000, rel=1e-6)


def test_a_year_not_solved_to_optimality_is_the_verification_status():
    """A mixed-integer hourly year stopped at its time limit is not reported as optimal."""
    from optimiser.post.gaps import verified_status

    ok = {"unserved_mwh": 0.0, "short": False, "status": "optimal"}
    assert verified_status({"2025": ok, "2030": {**ok, "status": "time_limit"}}) == "time_limit"
    assert verified_status({"2025": {**ok, "unserved_mwh": 5.0, "status": "time_limit"}}) == (
        "demand_not_met")
    assert verified_status({"2025": ok}) == "optimal"
