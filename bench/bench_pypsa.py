"""cnplan against PyPSA on the same reduced problem (not a test): ``python bench/bench_pypsa.py``.

One site, one investment year (2030, also the base year, so nothing is discounted), 8760 h
(``--resolution hourly``): grid import at an hourly price, solar PV, wind, a battery and an
electricity demand, all hourly data from CSV files written here (seeded). cnplan reads the plan
YAML; PyPSA (linopy + HiGHS) is fed the hourly series cnplan's model saw (saved by the cnplan
run), so both see identical data.

Economics made identical. cnplan pays overnight capex c in the build year and gets back the
annuities it still owes at the horizon end (docs/optimiser.md, "Economic conventions"); with
one investment year of span 1 that nets to one annuity-due, c/ä(L), ä(L) = Σ_{k<L}
(1 + r)^−k. PyPSA's ``capital_cost`` per MW (MWh) is therefore 1000·(c/ä(L) + fixed O&M)
with c and O&M per kW (kWh). The battery is a Store with a
charger and a discharger Link of efficiency √RTE tied to one power rating P (charger p_nom = P,
discharger p_nom = P/η, since PyPSA bounds a link's input), E/P between the duration limits.
At hourly resolution cnplan keeps one chronological state of charge, cyclic over the year,
which is exactly PyPSA's cyclic store.

Asserts the optima agree (objective to 1e-6 relative, capacities to 1e-3 relative or 1e-3 MW)
and reports wall time and peak memory of each, measured in separate processes of this run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from _common import ROOT, repeat  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.optimiser.helpers import synthetic_hours  # noqa: E402

BASE = ROOT / "tests" / "optimiser" / "data" / "base.yaml"
YEAR = 2030
RATE = 0.05
PV = {"capex_per_kw": 800.0, "fixed_om_per_kw_year": 15.0, "variable_om_per_mwh": 0.0,
      "lifetime_years": 25}
WIND = {"capex_per_kw": 1300.0, "fixed_om_per_kw_year": 40.0, "variable_om_per_mwh": 2.0,
        "lifetime_years": 20}
BATTERY = {"capex_per_kw": 60.0, "capex_per_kwh": 60.0, "fixed_om_per_kw_year": 5.0,
           "variable_om_per_mwh": 1.0, "lifetime_years": 15, "round_trip_efficiency": 0.88,
           "min_duration_h": 0.5, "max_duration_h": 48.0}


def hourly_data(seed: int = 7) -> dict[str, np.ndarray]:
    """Seeded synthetic hours: demand [MW], PV and wind per MW, price shape (mean 1)."""
    rng = np.random.default_rng(seed)
    data = synthetic_hours(rng)
    h = np.arange(8760) % 24
    evening = (h >= 17) & (h < 21)
    price = (1.0 + 0.3 * np.sin(np.pi * (h - 7) / 12).clip(0) + 0.8 * evening
             + 0.1 * rng.standard_normal(8760))
    price = np.clip(price, 0.3, None)
    return {**data, "grid_price_shape": price / price.mean()}


def annuity_share(life: int) -> float:
    """Share of capex one year of span 1 costs net of salvage: 1/ä(L), the annuity-due."""
    return 1.0 / sum((1 + RATE) ** -k for k in range(life))


def economics() -> dict[str, Any]:
    """PyPSA's annualised capital and marginal costs equivalent to cnplan's objective."""
    eta = math.sqrt(BATTERY["round_trip_efficiency"])
    out: dict[str, Any] = {}
    for name, tech in (("pv", PV), ("wind", WIND)):
        keep = annuity_share(tech["lifetime_years"])
        out[name] = {"capital_cost": 1000 * (tech["capex_per_kw"] * keep
                                             + tech["fixed_om_per_kw_year"]),
                     "marginal_cost": tech["variable_om_per_mwh"]}
    keep = annuity_share(BATTERY["lifetime_years"])
    out["battery"] = {"eta": eta, "min_h": BATTERY["min_duration_h"],
                      "max_h": BATTERY["max_duration_h"],
                      "power_capital_cost": 1000 * (BATTERY["capex_per_kw"] * keep
                                                    + BATTERY["fixed_om_per_kw_year"]),
                      "energy_capital_cost": 1000 * BATTERY["capex_per_kwh"] * keep,
                      # cnplan prices the discharge d at the bus; PyPSA a link's input d/η
                      "marginal_cost": BATTERY["variable_om_per_mwh"] * eta}
    return out


def write_problem(folder: Path) -> Path:
    """The cnplan plan (including the test base plan) and its CSV profiles."""
    data = hourly_data()
    csv = {}
    for name, values in data.items():
        pd.DataFrame({"value": values}).to_csv(folder / f"{name}.csv", index=False)
        csv[name] = {"path": f"{name}.csv", "column": "value"}
    annual = float(data["electricity"].sum())
    plan = {
        "include": [str(BASE)],
        "baseline": {"electricity_mwh": annual},
        "demand": {"electricity": {"annual_mwh": annual, "constant_share": 1.0}},
        "finance": {"discount_rate": RATE, "base_year": YEAR, "investment_years": [YEAR]},
        "profiles": {"csv": csv},
        "technologies": {
            "pv": {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 1000, **PV},
            "wind": {"kind": "wind", "capacity_factor": 0.3, **WIND},
            "battery": {"kind": "battery", **BATTERY},
        },
    }
    path = folder / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


def compare(repeats: int = 3) -> dict[str, Any]:
    """Run both (``repeats`` times each, alternating is not needed: medians) and compare."""
    econ = economics()
    with tempfile.TemporaryDirectory(prefix="bench_pypsa.") as tmp:
        folder = Path(tmp)
        write_problem(folder)
        cn = repeat("small_cnplan", {"dir": str(folder)}, repeats)
        if "error" in cn:
            return {"error": "cnplan: " + cn["error"]}
        seen = np.load(folder / "seen.npz")
        src = hourly_data()
        data_diff = max(float(np.abs(seen["demand"] - src["electricity"]).max()),
                        float(np.abs(seen["solar"] - src["solar"]).max()),
                        float(np.abs(seen["wind"] - src["wind"]).max()))
        ps = repeat("small_pypsa", {"dir": str(folder), "economics": econ}, repeats)
        if "error" in ps:
            return {"error": "pypsa: " + ps["error"], "cnplan": cn}
    rel_obj = abs(cn["objective"] - ps["objective"]) / abs(ps["objective"])
    cap_diff = {k: cn["capacity"].get(k, 0.0) - v for k, v in ps["capacity"].items()}
    cap_ok = all(abs(d) <= max(1e-3, 1e-3 * abs(ps["capacity"][k])) for k, d in cap_diff.items())
    cn_model = cn["build_s"] + cn["transfer_s"] + cn["solve_s"] + cn["extract_s"]
    return {
        "economics": econ, "max_input_difference": data_diff,
        "cnplan": cn, "pypsa": ps,
        "objective_cnplan": cn["objective"], "objective_pypsa": ps["objective"],
        "objective_rel_diff": rel_obj, "objective_ok": rel_obj <= 1e-6,
        "capacity_cnplan": cn["capacity"], "capacity_pypsa": ps["capacity"],
        "capacity_diff": cap_diff, "capacity_ok": cap_ok,
        "wall_ratio": cn["wall_s"] / ps["wall_s"],
        "model_wall_ratio": cn_model / ps["optimize_s"],
        "process_wall_ratio": cn["process_wall_s"] / ps["process_wall_s"],
        "memory_ratio": cn["peak_rss_mb"] / ps["peak_rss_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    res = compare(args.repeats)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    if "error" in res:
        sys.exit(res["error"])
    for key in ("objective_cnplan", "objective_pypsa", "objective_rel_diff", "capacity_cnplan",
                "capacity_pypsa", "wall_ratio", "model_wall_ratio", "memory_ratio"):
        print(f"{key:<20} {res[key]}")
    print(f"cnplan wall {res['cnplan']['wall_s']:.2f} s, {res['cnplan']['peak_rss_mb']:.0f} MB; "
          f"PyPSA wall {res['pypsa']['wall_s']:.2f} s, {res['pypsa']['peak_rss_mb']:.0f} MB")
    assert res["objective_ok"], f"objectives differ by {res['objective_rel_diff']:.2e}"
    assert res["capacity_ok"], f"capacities differ: {res['capacity_diff']}"


if __name__ == "__main__":
    main()
