"""Item 8 (issue 11): no hidden numerical cuts.

Capacity factors below 1e-3 used to be set to zero (an undocumented floor): an independent
PyPSA rebuild matched every capacity but differed in objective by 2e-5, all from that floor.
Now only hours with a capacity factor of exactly 0 have no output variable, so the modelled
yield equals the calibrated one.
"""

from __future__ import annotations

import pytest

from ..conftest import SITES
from ..optimiser.helpers import annual, run

MINIMAL = str(SITES / "examples" / "minimal.yaml")


def test_modelled_yield_equals_calibrated_yield(tmp_path) -> None:
    """0.5 MW of existing PV (no degradation) on the minimal plan's site at 900 kWh/kWp, full
    hourly year: the load (at least 1.8 MW) always takes all of it, so its annual output is
    0.5 × 900 = 450 MWh to 1e-6 (the 1e-3 floor dropped the dawn and dusk hours)."""
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 900, "lifetime_years": 30,
          "degradation_per_year": 0.0, "max_capacity_mw": 0}
    result = run(tmp_path, {"technologies": {"pv": pv},
                            "existing_assets": {"array": {"technology": "pv",
                                                          "capacity_mw": 0.5,
                                                          "build_year": 2020}}},
                 resolution="hourly", base=MINIMAL)
    ds = result.results
    out = float(annual(ds, ds["dispatch"].sel(tech="pv", carrier="electricity")).sum())
    assert out == pytest.approx(450.0, rel=1e-6)
    cf = ds["dispatch"].sel(tech="pv", carrier="electricity") / 0.5
    assert 0 < float(cf.where(cf > 0).min()) < 1e-3  # dawn hours now count
