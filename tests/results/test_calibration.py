"""Issue 29 (D3): the gap between the stated baseline fuel and what the heat model burns for
the same demand is its own effect, "baseline calibration", never a lever's.

Hand case on the base plan of tests/optimiser/data (a flat 1 MW electricity load, grid at
0.2 t/MWh): existing gas boilers (0.9) serve 4380 MWh of low-temperature heat and furnaces
(0.4) 2190 MWh of casting heat; nothing can be built. The model burns 4380/0.9 + 2190/0.4 =
10,341.7 MWh of gas (0.2 t/MWh) for the baseline year's heat; the baseline states 12,000.
"""

from __future__ import annotations

import pytest

from optimiser.post.statistics import EFFECTS, LEVERS, emissions_on

from ..optimiser.helpers import run
from .two_class_plant import ASSETS, GAS, HEAT, gas_plant

BASIS = ("scope1", "scope2_market")
MODEL_GAS = 4380 / 0.9 + 2190 / 0.4
STATED_GAS = 12_000.0


def _do_nothing(stated_gas: float) -> dict:
    """Plan overrides: the two classes and their existing plant, nothing to build, over two
    years (the gap is the same in both)."""
    return {"demand": {"heat": HEAT}, "fuels": {"gas": GAS}, "existing_assets": ASSETS,
            "technologies": gas_plant(40), "grid": {"residual_mix_t_per_mwh": 0.2},
            "baseline": {"electricity_mwh": 8760, "fuels_mwh": {"gas": stated_gas}},
            "finance": {"investment_years": [2025, 2030]}}


def test_do_nothing_abates_nothing_by_any_lever(tmp_path) -> None:
    """Every lever 0 (to 1e-9 t) in every year; the 1658.3 MWh of gas the baseline states
    beyond the model's, 331.7 t, is the calibration; volume, factors and other are 0; the
    effects add up to the cut from the baseline. (The old decomposition scaled the heat
    factors to the stated baseline and gave the idle boilers and furnaces 331.7 t of
    "fuels & boilers".)"""
    ds = run(tmp_path, _do_nothing(STATED_GAS)).results
    table = ds["abatement"].sel(basis="+".join(BASIS))
    assert list(table["effect"].values) == list(EFFECTS)
    base = float(ds["baseline_emissions"].sel(baseline_category=list(BASIS)).sum())
    for year in (2025, 2030):
        effects = table.sel(year=year)
        for lever in LEVERS:
            assert float(effects.sel(effect=lever)) == pytest.approx(0.0, abs=1e-9), lever
        for effect in ("volume", "grid & fuel factors", "other"):
            assert float(effects.sel(effect=effect)) == pytest.approx(0.0, abs=1e-6), effect
        assert float(effects.sel(effect="baseline calibration")) == pytest.approx(
            (STATED_GAS - MODEL_GAS) * 0.2, rel=1e-9)
        emitted = float(emissions_on(ds, BASIS).sel(year=year))
        assert base - float(effects.sum()) == pytest.approx(emitted, rel=1e-9)
        assert emitted == pytest.approx(8760 * 0.2 + MODEL_GAS * 0.2, rel=1e-9)


def test_a_consistent_baseline_needs_no_calibration(tmp_path) -> None:
    """Stated gas = the model's: the calibration is 0 and so is every lever."""
    ds = run(tmp_path, _do_nothing(MODEL_GAS)).results
    effects = ds["abatement"].sel(basis="+".join(BASIS), year=2025)
    assert float(effects.sel(effect="baseline calibration")) == pytest.approx(0.0, abs=1e-9)
    assert float(abs(effects.sel(effect=list(LEVERS))).max()) == pytest.approx(0.0, abs=1e-9)
