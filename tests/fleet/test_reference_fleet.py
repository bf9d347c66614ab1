"""The reference fleet (sites/fleet/nissan.yaml): the whole LP and the decomposition agree.

Slow (two solves of three plants at repdays:4, about 1.5 min): `make test-slow`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from optimiser.fleet import run_fleet
from plant.fleet import read_fleet

FLEET = Path(__file__).resolve().parents[2] / "sites" / "fleet" / "nissan.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["drop"])
def test_reference_fleet_decomposed_equals_monolithic(mode):
    """Same optimum to 1e-6 relative; the decomposition's bound below both; every plant's
    emissions on the corporate rows within 1e-6 of the fleet's largest (alternative optima
    may split them otherwise only where prices tie)."""
    fleet = read_fleet(FLEET).with_plant_targets(mode)
    mono = run_fleet(fleet, "repdays:4", "monolithic")
    dec = run_fleet(fleet, "repdays:4", "decomposed", workers=1)
    assert mono.status == dec.status == "optimal"
    assert dec.net_present_cost == pytest.approx(mono.net_present_cost, rel=1e-6)
    assert dec.bound <= mono.net_present_cost * (1 + 1e-9)
    assert dec.gap <= 1e-6
    for m, d in zip(mono.prices, dec.prices, strict=True):
        assert m.row.id == d.row.id
        if m.row.kind == "emissions":
            assert d.value_t <= m.row.rhs + 1e-3  # every corporate row met
