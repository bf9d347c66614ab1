"""Item 10 (issue 11): reference plans brought up to date (late 2026).

The first investment year is not in the past; what is built by then is existing; Sunderland's
20 MW Hylton solar farm is bought over a private wire (a PPA), not owned; the Tochigi company
plan pins the published SOFC path (≥ 20 kW in 2030) and the 30 % aim is a separate, dated
what-if. Facts and sources: sites/*.yaml comments, docs/data-sources.md.
"""

from __future__ import annotations

from plant.loader import read_plan

from ..conftest import SITES

TODAY = 2026


def test_plans_start_after_today(sunderland, tochigi) -> None:
    for loaded in (sunderland, tochigi):
        plan = loaded.plan
        assert plan.years()[0] == TODAY + 1
        assert plan.finance.base_year == TODAY + 1
        assert plan.finance.price_year == 2024
        assert all(a.build_year <= TODAY for a in plan.existing_assets.values())


def test_sunderland_assets_as_built(sunderland) -> None:
    plan = sunderland.plan
    owned = {(a.technology, a.capacity_mw, a.build_year) for a in plan.existing_assets.values()}
    assert ("wind_existing_v47", 6.6, 2005) in owned
    assert ("solar_pv_ground", 4.75, 2016) in owned
    assert not any(a.technology.startswith("battery") for a in plan.existing_assets.values())
    hylton = plan.ppas["hylton_solar"]
    assert (hylton.capacity_mw, hylton.start_year, hylton.term_years) == (20.0, 2022, 20)
    assert plan.production.vehicles_per_year.at(2025) == 273087


def test_tochigi_company_plan_pins_the_published_path() -> None:
    company = read_plan(SITES / "tochigi_company_plan.yaml").plan
    (pin,) = company.pins
    assert (pin.technology, pin.year, pin.min_capacity_mw) == ("sofc_bioethanol", 2030, 0.02)
    whatif = read_plan(SITES / "tochigi_sofc30_whatif.yaml").plan
    share = [p for p in whatif.pins if p.min_share_of_carrier is not None]
    assert [(p.year, p.min_share_of_carrier) for p in share] == [(2040, 0.30)]
