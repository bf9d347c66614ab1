"""Shared fixtures: the reference plans and their profiles (built once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xarray as xr

from plant.loader import LoadedPlan, read_plan
from plant.profiles import build_profiles

# pytest-xdist's workers (make test runs two) inherit COLUMNS=80 and LINES=24: rich would fix
# the command line's width at import, where a terminal (and a CliRunner's env) sets it per
# command. Dropped before any test module imports cnplan.cli.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "sites"


@pytest.fixture(scope="session")
def sunderland() -> LoadedPlan:
    return read_plan(SITES / "sunderland.yaml")


@pytest.fixture(scope="session")
def tochigi() -> LoadedPlan:
    return read_plan(SITES / "tochigi.yaml")


@pytest.fixture(scope="session")
def minimal() -> LoadedPlan:
    return read_plan(SITES / "examples" / "minimal.yaml")


@pytest.fixture(scope="session")
def sunderland_profiles(sunderland: LoadedPlan) -> xr.Dataset:
    return build_profiles(sunderland.plan, sunderland.file.parent)


@pytest.fixture(scope="session")
def tochigi_profiles(tochigi: LoadedPlan) -> xr.Dataset:
    return build_profiles(tochigi.plan, tochigi.file.parent)
