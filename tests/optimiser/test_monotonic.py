"""Comparative statics: the plan moves the right way when one input moves.

Each sweep is three runs of a small plan; the first and last point must differ, so a sweep
that changes nothing (and so proves nothing) fails too.
"""

from __future__ import annotations

import pytest

from optimiser import summary

from .helpers import annual, half_day_solar, run, write_csv

ETHANOL_PRICES = (20.0, 40.0, 60.0)
REDUCTIONS = (0.3, 0.6, 0.9)


def test_dearer_ethanol_never_raises_sofc_output(tmp_path):
    """Annual SOFC output and ethanol bought never rise with the ethanol price.

    ``data/sofc_plan.yaml``: 1 MW flat load, grid at 133.33 GBP/MWh off-peak and 266.67 at
    08-20, the catalogue ``sofc_bioethanol`` (about 3150 GBP/kW, 0.9 availability, about
    1.75-2.2 MWh of ethanol per MWh). At 20 GBP/MWh the SOFC carries the whole load, at
    60 GBP/MWh it is not built: output(20) ≥ output(40) ≥ output(60) and output(20) >
    output(60).
    """
    output, fuel = [], []
    for price in ETHANOL_PRICES:
        result = run(tmp_path, {"fuels": {"bioethanol": {"price_per_mwh": price}}},
                     base="sofc_plan.yaml")
        assert result.outcome.status == "optimal", price
        ds = result.results
        output.append(float(annual(ds, ds["dispatch"].sel(tech="sofc_bioethanol",
                                                          carrier="electricity")).sum()))
        fuel.append(float(ds["fuel_purchase"].sel(fuel="bioethanol").sum()))
    tol = 1e-6 * 8760
    for i in range(len(ETHANOL_PRICES) - 1):
        assert output[i + 1] <= output[i] + tol, (ETHANOL_PRICES, output)
        assert fuel[i + 1] <= fuel[i] + tol, (ETHANOL_PRICES, fuel)
    assert output[0] > output[-1] + 1.0, (ETHANOL_PRICES, output)


def test_tighter_target_never_lowers_cost(tmp_path):
    """Net present cost never falls as the target tightens (-30 %, -60 %, -90 %).

    The PV plan of test_hand_cases (1.5 MW, economic on its own, 1095 t left) plus certificates
    (5 GBP/MWh, at most 2000 MWh = 400 t) and removal credits (40 GBP/t, at most 30 % of the
    1752 t baseline = 525.6 t): limits 1226.4, 700.8 and 175.2 t are all reachable, -30 % does
    not bind, -60 % needs certificates, -90 % certificates and credits. The feasible set
    shrinks with each step, so NPC(-30 %) ≤ NPC(-60 %) ≤ NPC(-90 %), and NPC(-90 %) >
    NPC(-30 %).
    """
    solar = write_csv(tmp_path, "solar", half_day_solar(), "cf")
    pv = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 2190, "capex_per_kw": 1000,
          "fixed_om_per_kw_year": 10, "variable_om_per_mwh": 2, "lifetime_years": 20,
          "max_capacity_mw": 1.5, "degradation_per_year": 0.0}
    costs = []
    for reduction in REDUCTIONS:
        target = {"name": "cut", "year": 2025, "reduction": reduction, "max_credit_share": 0.3}
        result = run(tmp_path, {
            "technologies": {"pv": pv}, "profiles": {"csv": {"solar": solar}},
            "certificates": {"rego": {"price_per_mwh": 5, "max_mwh_per_year": 2000}},
            "carbon_credits": {"removal": {"kind": "removal", "price_per_t": 40}},
            "targets": [target]})
        assert result.outcome.status == "optimal", reduction
        (entry,) = summary(result.results, result.timings, {})["targets"]
        assert entry["met"], reduction
        costs.append(result.outcome.objective)
    for i in range(len(REDUCTIONS) - 1):
        assert costs[i + 1] >= costs[i] * (1 - 1e-9), (REDUCTIONS, costs)
    assert costs[-1] > costs[0] * (1 + 1e-6), (REDUCTIONS, costs)
    a20 = (1 - 1.05 ** -20) / (1 - 1 / 1.05)  # annuity-due factor: capex net of salvage
    assert costs[0] == pytest.approx(1.5e6 / a20 + 15_000 + 6_570 + 547_500, rel=1e-6)
