"""Load curves: Dataset layout, disk cache and the convex piecewise-linear fit."""

import numpy as np
import pytest

import sofc.curves as curves
from sofc import SystemConfig, piecewise_fit, system_curve


@pytest.fixture(scope="module")
def curve(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("CNPLAN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    ds = system_curve(SystemConfig(), n_points=25, operating_hours=(0.0, 20000.0))
    yield ds
    mp.undo()


def test_dataset_layout(curve) -> None:
    """Dims, variables and units the optimiser relies on."""
    assert curve.sizes == {"operating_hours": 2, "load": 25}
    for name in ("load_fraction", "power_kw", "fuel_kw", "efficiency_lhv", "heat_kw",
                 "stack_voltage_v"):
        assert name in curve and "units" in curve[name].attrs
    assert curve.load_fraction.isel(load=-1).values == pytest.approx([1.0, 1.0])
    np.testing.assert_allclose(curve.efficiency_lhv, curve.power_kw / curve.fuel_kw)
    assert float(curve.rated_power_kw[1]) < float(curve.rated_power_kw[0])


def test_cache_hit_and_key(curve, monkeypatch, tmp_path) -> None:
    """A second call reads the disk cache; another configuration gets another key."""
    monkeypatch.setenv("CNPLAN_CACHE_DIR", str(tmp_path))
    first = system_curve(SystemConfig(), n_points=5)

    def boom(*args, **kwargs):
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(curves, "_compute_curve", boom)
    again = system_curve(SystemConfig(), n_points=5)
    np.testing.assert_array_equal(first.power_kw.values, again.power_kw.values)
    assert list((tmp_path / "sofc").glob("curve-*.nc"))
    with pytest.raises(AssertionError, match="recomputed"):
        system_curve(SystemConfig(fuel_utilisation=0.8), n_points=5)


def test_piecewise_fit_convex_and_accurate(curve) -> None:
    """Slopes increase (convex), max_error is what it claims, and below 2 %."""
    fit = piecewise_fit(curve, 4)
    assert len(fit.slopes) == 4
    assert np.all(np.diff(fit.slopes) > 0)
    s = curve.isel(operating_hours=0)
    x = s.power_kw.values / fit.rated_power_kw
    y = s.fuel_kw.values / fit.rated_power_kw
    err = np.max(np.abs(fit.fuel(x) - y) / y)
    assert err == pytest.approx(fit.max_error, rel=1e-9)
    assert fit.max_error < 0.02
    assert fit.min_load_fraction == pytest.approx(x[0])
    # more segments never fit worse
    assert piecewise_fit(curve, 6).max_error <= fit.max_error
    old = piecewise_fit(curve, 4, operating_hours=20000.0)
    assert old.fuel(1.0) > fit.fuel(1.0)
