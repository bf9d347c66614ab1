"""Item 7 (issue 11): market-based scope 2 without certificates counts at the residual mix.

A plan whose targets count ``scope2_market`` but which gives no residual mix is warned
(W201), since uncertified grid power would count at the location-based average. The
reference plans carry sourced residual mixes (docs/data-sources.md).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from cnplan.cli import app
from plant.loader import read_plan

from ..conftest import SITES

TARGET = {"name": "half", "year": 2025, "reduction": 0.5}


def _plan(tmp_path: Path, grid: dict) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"include": [str(SITES / "examples" / "minimal.yaml")],
                                    "targets": [TARGET], "grid": grid}), encoding="utf-8")
    return path


def test_market_target_without_residual_mix_is_warned(tmp_path: Path) -> None:
    loaded = read_plan(_plan(tmp_path, {}))
    (warning,) = loaded.warnings
    assert warning.code == "W201"
    assert warning.path == ("grid", "residual_mix_t_per_mwh")
    assert "'half'" in warning.message
    result = CliRunner().invoke(app, ["validate", str(_plan(tmp_path, {}))],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "warning:" in result.output and "W201" in result.output


def test_no_warning_with_a_residual_mix(tmp_path: Path) -> None:
    assert read_plan(_plan(tmp_path, {"residual_mix_t_per_mwh": 0.38})).warnings == ()


def test_reference_plans_carry_a_residual_mix(sunderland, tochigi) -> None:
    """GB: the Fuel Mix Disclosure residual mix, 0.377 t/MWh in 2020 (R); Tochigi: the
    location-based factor × 1.17 (supplier residual-menu ratio, E on P figures)."""
    assert sunderland.plan.grid.residual_mix_t_per_mwh.at(2020) == 0.377
    ratio = (tochigi.plan.grid.residual_mix_t_per_mwh.at(2030)
             / tochigi.plan.grid.carbon_intensity_t_per_mwh.at(2030))
    assert abs(ratio - 1.17) < 0.005
    assert sunderland.warnings == () and tochigi.warnings == ()
