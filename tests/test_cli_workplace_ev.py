"""A plan with workplace EVs and embodied emissions, run the way a user runs it and verified
hour by hour: the report's "Workplace EVs" section and its embodied-emissions note, and
summary.json's scope 3 embodied (docs/workplace-ev.md, docs/accounting.md "Embodied
emissions")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app
from tests.optimiser.helpers import write_plan

PLAN = {
    "demand": {"workplace_evs": {"cars_per_shift": [100, 50], "commute_km_per_day": 35,
                                 "min_soc": 0.3}},
    "grid": {"time_of_use": [{"name": "peak", "hours": [12, 18], "multiplier": 20}]},
    "technologies": {
        "v2b": {"kind": "ev_v2b", "capex_per_kw": 10, "lifetime_years": 10,
                "variable_om_per_mwh": 1},
        "battery": {"kind": "battery", "capex_per_kwh": 50, "round_trip_efficiency": 0.81,
                    "lifetime_years": 10, "embodied_t_co2e_per_mwh": 80}},
}


def test_workplace_evs_and_embodied_emissions_in_the_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["plan", str(write_plan(tmp_path, PLAN)), "--out",
                                      str(out), "--resolution", "repdays:2", "--no-bau",
                                      "--verify", "--replans", "0"])
    assert result.exit_code == 0, result.output
    assert "every hour served" in result.output  # the fleet's hours checked hour by hour
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "11. Workplace EVs" in html
    assert "cars enrolled: v2b" in html and "V2B discharged to the plant" in html
    enrolled = re.search(r"<td>cars enrolled: v2b</td><td>([0-9,]+)</td>", html)
    assert enrolled is not None and int(enrolled.group(1).replace(",", "")) > 0
    summary = json.loads((out / "summary.json").read_text())
    embodied = summary["emissions"]["2025"]["scope3_embodied"]  # verified: the plan's builds
    assert embodied > 0
    assert embodied == pytest.approx(summary["emissions_estimate"]["2025"]["scope3_embodied"])
    assert "Embodied emissions of what the plan builds" in html
    assert "No target counts them" in html
