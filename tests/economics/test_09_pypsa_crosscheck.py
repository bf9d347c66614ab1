"""cnplan against PyPSA's multi-investment-period model on one small hourly problem.

The problem (all numbers below, hourly data seeded and written as CSV profiles): modelled years
2025, 2030 and 2035 with base year 2025 and a 5 % discount rate, so 2025 and 2030 each stand
for five calendar years and 2035 (the last) for one, and the horizon ends in T = 2036. Every
year is the full 8760-hour year (``--resolution hourly``). An electricity demand whose
production-driven part grows with vehicles built, grid import at a time-of-use price (a
weekday day band and an evening peak) on a rising trajectory, no export. Candidates: solar PV
(capex falling with the build year, a build limit that binds), wind, and a battery with
power and energy sized separately inside a duration range. Existing: 3 MW of PV built in 2010
with a 20-year life, so it serves 2025-2029 and retires at the 2030 modelled year.

How the conventions are matched (docs/optimiser.md, "Economic conventions";
:mod:`optimiser.formulate.economics`):

* Discounting. PyPSA's investment-period weighting ``objective`` of period y is cnplan's
  δ_y = Σ_{τ=y}^{y+n_y−1} v^(τ−y₀), v = 1/(1+r), and ``years`` is the span n_y; snapshots
  weigh 1 hour. PyPSA multiplies every operating cost of period y, and the periodic capital
  cost of every asset active in y, by δ_y.
* Capital. cnplan pays capex c(b) once in the build year b and takes back at T the present
  value of the annuity-due the cohort still owes, c·ä(b+L−T)/ä(L), ä(n) = Σ_{k<n} v^k; net,
  the cohort costs the level annuity-due c(b)/ä(L) in each calendar year it serves inside
  the horizon. So each cohort is its own PyPSA component (``build_year`` b, ``lifetime`` L)
  with ``capital_cost`` = 1000·c(b)/ä(L) per MW and ``fom_cost`` = 1000·fixed O&M. PyPSA's
  ``overnight_cost`` is not used: it annuitises with the annuity-immediate r/(1−(1+r)^−L),
  one year of interest more than cnplan's annuity-due.
* Cohorts. PyPSA counts an asset in period p if b ≤ p < b+L, cnplan with the share of the
  span's calendar years it is alive. The two agree when every cohort lives whole spans, so
  all lives here are multiples of 5 years and every retirement falls on a modelled year: the
  existing PV (2010 + 20 = 2030), battery cohorts (life 10: the 2025 cohort retires at 2035);
  PV (25) and wind (20) outlive the horizon. PV ``degradation_per_year`` is 0 (PyPSA has
  none).
* Existing capacity. A non-extendable PyPSA generator (built 2010, life 20). cnplan charges
  fixed O&M on it; PyPSA leaves non-extendable assets out of the objective (its objective
  constant only covers the existing part of extendable assets, and is switched off here), so
  1000·fixed O&M·K·Σ_{y active} δ_y is added to PyPSA's objective.
* Build limit. cnplan bounds the total capacity, existing and new: the new capacity alive in
  y by max(limit − existing(y), 0). PyPSA gets one ``tech_capacity_expansion_limit`` global
  constraint per period on the extendable PV cohorts active then (8 − 3 = 5 MW in 2025, 8 MW
  once the old PV is gone).
* Prices. cnplan prices year y at the discount-weighted mean of the trajectory over its span;
  the test computes those means itself and gives PyPSA the period's hourly price p̄_y·shape(t).
  The hourly series (capacity factors, demand per year, price shape) are those cnplan's
  model saw (:func:`optimiser.run.pipeline.prepare_inputs`).
* Battery. s(t) = (1−λ)s(t−1) + η c − d/η, η = √RTE, one chronological state of charge cyclic
  within each year (cnplan at hourly resolution), c ≤ P, d ≤ P, E_min·P ≤ E ≤ E_max·P. In
  PyPSA each cohort is a Store (``e_cyclic_per_period``, ``standing_loss`` λ) with a charger
  Link (efficiency η, p_nom = P) and a discharger Link (efficiency η, p_nom = P/η, since PyPSA
  bounds a link's input); all cohorts share one storage bus, so the energy can sit in any of
  them and only the totals matter, as in cnplan. The P tie and the duration range on the
  totals of the cohorts active in each period are added with ``extra_functionality``. cnplan
  charges variable O&M on the discharge d, PyPSA on the discharger's input d/η: its
  ``marginal_cost`` is v_om·η.

PyPSA is run with ``multi_investment_periods=True`` (without it the period weightings are
silently ignored) and ``include_objective_constant=False``, HiGHS dual simplex without its
scaling, as cnplan's ``--method auto`` (about 80 s here against 130 s scaled; cnplan ~50 s).

Asserts the net present costs agree to 1e-6 relative and every capacity (PV, wind, battery
power and energy, in every modelled year) and every cohort built to 1e-6 MW.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

from optimiser import run_plan  # noqa: E402
from optimiser.formulate.inputs import Resolution  # noqa: E402
from optimiser.run.pipeline import prepare_inputs  # noqa: E402
from plant.loader import read_plan  # noqa: E402

from ..optimiser.helpers import synthetic_hours, write_csv, write_plan  # noqa: E402

YEARS = [2025, 2030, 2035]
BASE_YEAR = 2025
RATE = 0.05
PRICE = {2025: 100.0, 2035: 140.0}
"""Grid import price trajectory [GBP/MWh], linear in between."""
TIME_OF_USE = [{"name": "day", "hours": [7, 23], "days": "weekdays", "multiplier": 1.4},
               {"name": "evening", "hours": [17, 21], "multiplier": 1.8}]
VEHICLES = {2025: 100_000, 2035: 130_000}
PV = {"kind": "solar_pv", "specific_yield_kwh_per_kwp": 1000,
      "capex_per_kw": {2025: 900.0, 2035: 600.0}, "fixed_om_per_kw_year": 12.0,
      "variable_om_per_mwh": 0.5, "lifetime_years": 25, "max_capacity_mw": 8.0,
      "degradation_per_year": 0.0}
WIND = {"kind": "wind", "capacity_factor": 0.3, "capex_per_kw": 1300.0,
        "fixed_om_per_kw_year": 40.0, "variable_om_per_mwh": 2.0, "lifetime_years": 20}
BATTERY = {"kind": "battery", "capex_per_kw": 150.0, "capex_per_kwh": {2025: 250.0, 2035: 150.0},
           "fixed_om_per_kw_year": 5.0, "variable_om_per_mwh": 1.0, "lifetime_years": 10,
           "round_trip_efficiency": 0.88, "self_discharge_per_hour": 0.0002,
           "min_duration_h": 1.0, "max_duration_h": 6.0}
OLD_PV = {"technology": "pv", "capacity_mw": 3.0, "build_year": 2010, "lifetime_years": 20}
MW = 1000.0  # kW per MW: money per kW × 1000 = money per MW

REL = 1e-6
ABS_MW = 1e-6


# --- independent economics (not cnplan's functions) ------------------------------------------

def v(year: float) -> float:
    return (1.0 + RATE) ** -(year - BASE_YEAR)


def span(year: int) -> int:
    i = YEARS.index(year)
    return YEARS[i + 1] - year if i + 1 < len(YEARS) else 1


def delta(year: int) -> float:
    """δ_y: present value of 1 a year over the span of ``year``."""
    return sum(v(t) for t in range(year, year + span(year)))


def adue(n: int) -> float:
    """ä(n) = Σ_{k<n} (1+r)^−k."""
    return sum((1.0 + RATE) ** -k for k in range(n))


def at(trajectory: float | dict[int, float], year: float) -> float:
    """Linear interpolation, constant outside the given years (as plan trajectories)."""
    if not isinstance(trajectory, dict):
        return float(trajectory)
    return float(np.interp(year, list(trajectory), list(trajectory.values())))


def span_mean(trajectory: float | dict[int, float], year: int) -> float:
    """Discount-weighted mean of a trajectory over the span of ``year``."""
    years = range(year, year + span(year))
    return sum(v(t) * at(trajectory, t) for t in years) / sum(v(t) for t in years)


def alive(build_year: int, life: int, year: int) -> bool:
    return build_year <= year < build_year + life


# --- data and the cnplan plan -----------------------------------------------------------------

def hourly_data(seed: int = 2025) -> dict[str, np.ndarray]:
    """Seeded synthetic hours: demand shape, PV and wind output per MW."""
    data = synthetic_hours(np.random.default_rng(seed))
    for name in ("solar", "wind"):
        data[name][data[name] < 1e-3] = 0.0  # slivers only make both LPs harder
    return data


def write_problem(folder: Path) -> Path:
    """The cnplan plan (including the hand-case base plan) and its CSV profiles."""
    data = hourly_data()
    annual = float(data["electricity"].sum())
    csv = {name: write_csv(folder, name, values) for name, values in data.items()}
    overrides = {
        "production": {"vehicles_per_year": VEHICLES},
        "baseline": {"electricity_mwh": annual},
        "demand": {"electricity": {"annual_mwh": annual, "production_share": 0.4,
                                   "constant_share": 0.6}},
        "grid": {"import_price_per_mwh": PRICE, "time_of_use": TIME_OF_USE,
                 "export_allowed": False},
        "finance": {"discount_rate": RATE, "base_year": BASE_YEAR, "investment_years": YEARS},
        "profiles": {"csv": csv},
        "technologies": {"pv": PV, "wind": WIND, "battery": BATTERY},
        "existing_assets": {"old_pv": OLD_PV},
    }
    return write_plan(folder, overrides)


# --- the same problem in PyPSA ----------------------------------------------------------------

def pypsa_network(inputs: Any) -> tuple[Any, float]:
    """The multi-investment-period network, and the existing asset's fixed O&M (PV)."""
    hours = inputs.n_steps
    assert hours == 8760 and inputs.years == YEARS
    n = pypsa.Network()
    n.set_snapshots(pd.MultiIndex.from_product([YEARS, range(hours)],
                                               names=["period", "timestep"]))
    n.investment_periods = YEARS
    n.investment_period_weightings["years"] = [float(span(y)) for y in YEARS]
    n.investment_period_weightings["objective"] = [delta(y) for y in YEARS]

    def every_year(series: np.ndarray) -> np.ndarray:
        return np.tile(np.asarray(series, dtype=float), len(YEARS))

    n.add("Bus", "el")
    n.add("Bus", "battery")
    n.add("Load", "demand", bus="el",
          p_set=np.concatenate([inputs.demand("electricity", y) for y in YEARS]))
    shape = inputs.series("grid_price_shape")
    n.add("Generator", "grid", bus="el", p_nom=1e4,
          marginal_cost=np.concatenate([span_mean(PRICE, y) * shape for y in YEARS]))
    for name, tech in (("pv", PV), ("wind", WIND)):
        cf = every_year(inputs.series("capacity_factor", tech=name))
        life = tech["lifetime_years"]
        for b in YEARS:
            n.add("Generator", f"{name}-{b}", bus="el", carrier=name, p_nom_extendable=True,
                  build_year=b, lifetime=life, p_max_pu=cf,
                  capital_cost=MW * at(tech["capex_per_kw"], b) / adue(life),
                  fom_cost=MW * tech["fixed_om_per_kw_year"],
                  marginal_cost=tech["variable_om_per_mwh"])
    n.add("Generator", "pv-existing", bus="el", carrier="pv", p_nom=OLD_PV["capacity_mw"],
          build_year=OLD_PV["build_year"], lifetime=OLD_PV["lifetime_years"],
          p_max_pu=every_year(inputs.series("capacity_factor", tech="pv")),
          marginal_cost=PV["variable_om_per_mwh"])
    for y in YEARS:
        existing = OLD_PV["capacity_mw"] * alive(OLD_PV["build_year"],
                                                  OLD_PV["lifetime_years"], y)
        n.add("GlobalConstraint", f"pv_limit_{y}", type="tech_capacity_expansion_limit",
              carrier_attribute="pv", sense="<=", investment_period=y,
              constant=max(PV["max_capacity_mw"] - existing, 0.0))
    existing_fom = sum(MW * PV["fixed_om_per_kw_year"] * OLD_PV["capacity_mw"] * delta(y)
                       for y in YEARS
                       if alive(OLD_PV["build_year"], OLD_PV["lifetime_years"], y))

    eta = math.sqrt(BATTERY["round_trip_efficiency"])
    life = BATTERY["lifetime_years"]
    for b in YEARS:
        common = {"build_year": b, "lifetime": life}
        n.add("Store", f"battery-{b}", bus="battery", e_nom_extendable=True, e_cyclic=True,
              e_cyclic_per_period=True, standing_loss=BATTERY["self_discharge_per_hour"],
              capital_cost=MW * at(BATTERY["capex_per_kwh"], b) / adue(life), **common)
        n.add("Link", f"charger-{b}", bus0="el", bus1="battery", efficiency=eta,
              p_nom_extendable=True,
              capital_cost=MW * at(BATTERY["capex_per_kw"], b) / adue(life),
              fom_cost=MW * BATTERY["fixed_om_per_kw_year"], **common)
        n.add("Link", f"discharger-{b}", bus0="battery", bus1="el", efficiency=eta,
              p_nom_extendable=True, marginal_cost=BATTERY["variable_om_per_mwh"] * eta,
              **common)
    return n, existing_fom


def battery_constraints(n: Any, _snapshots: Any) -> None:
    """One power rating per cohort (c ≤ P, d = η·p0 ≤ P) and the duration range on the
    totals of the cohorts active in each period."""
    m = n.model
    eta = math.sqrt(BATTERY["round_trip_efficiency"])
    link, store = m["Link-p_nom"], m["Store-e_nom"]
    life = BATTERY["lifetime_years"]
    for b in YEARS:
        m.add_constraints(link.loc[f"charger-{b}"] - eta * link.loc[f"discharger-{b}"] == 0,
                          name=f"battery_power_tie_{b}")
    for y in YEARS:
        active = [b for b in YEARS if alive(b, life, y)]
        power = sum(link.loc[f"charger-{b}"] for b in active)
        energy = sum(store.loc[f"battery-{b}"] for b in active)
        m.add_constraints(energy - BATTERY["min_duration_h"] * power >= 0,
                          name=f"battery_min_duration_{y}")
        m.add_constraints(energy - BATTERY["max_duration_h"] * power <= 0,
                          name=f"battery_max_duration_{y}")


def pypsa_capacities(n: Any) -> dict[str, list[float]]:
    """Capacity per modelled year [MW, MWh]: existing alive + cohorts alive."""
    gen, links, stores = n.generators, n.links, n.stores

    def total(table: pd.DataFrame, column: str, prefix: str, y: int) -> float:
        rows = table[table.index.str.startswith(prefix)]
        keep = (rows.build_year <= y) & (y < rows.build_year + rows.lifetime)
        return float(rows.loc[keep, column].sum())

    return {
        "pv": [total(gen, "p_nom_opt", "pv-", y) for y in YEARS],
        "wind": [total(gen, "p_nom_opt", "wind-", y) for y in YEARS],
        "battery": [total(links, "p_nom_opt", "charger-", y) for y in YEARS],
        "battery:energy": [total(stores, "e_nom_opt", "battery-", y) for y in YEARS],
    }


def pypsa_builds(n: Any) -> dict[str, list[float]]:
    """Capacity of each cohort, by build year [MW] (battery: power)."""
    gen, links = n.generators.p_nom_opt, n.links.p_nom_opt
    return {"pv": [float(gen[f"pv-{b}"]) for b in YEARS],
            "wind": [float(gen[f"wind-{b}"]) for b in YEARS],
            "battery": [float(links[f"charger-{b}"]) for b in YEARS]}


def solve_pypsa(inputs: Any) -> tuple[Any, float]:
    """Build and solve the PyPSA network; return it and its net present cost."""
    quiet = {name: logging.getLogger(name) for name in ("pypsa", "linopy")}
    levels = {name: log.level for name, log in quiet.items()}
    try:
        for log in quiet.values():
            log.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            # PyPSA's and linopy's deprecation notices are not this test's business
            warnings.simplefilter("ignore")
            n, existing_fom = pypsa_network(inputs)
            # dual simplex without HiGHS's scaling, as cnplan's `--method auto` (2 × faster here)
            status = n.optimize(solver_name="highs", multi_investment_periods=True,
                                include_objective_constant=False,
                                extra_functionality=battery_constraints, io_api="direct",
                                solver_options={"log_to_console": False,
                                                "solver": "simplex", "simplex_strategy": 1,
                                                "simplex_scale_strategy": 0})
    finally:
        for name, log in quiet.items():
            log.setLevel(levels[name])
    assert tuple(status) == ("ok", "optimal")
    return n, float(n.objective) + existing_fom


@pytest.mark.slow
def test_multi_period_matches_pypsa(tmp_path):
    loaded = read_plan(write_problem(tmp_path))
    start = time.perf_counter()
    result = run_plan(loaded, "hourly")
    cn_seconds = time.perf_counter() - start
    assert result.outcome.status == "optimal"
    ds = result.results
    techs = ("pv", "wind", "battery")
    cn_caps = {t: [float(ds["capacity"].sel(tech=t, year=y)) for y in YEARS] for t in techs}
    cn_caps["battery:energy"] = [float(ds["energy_capacity"].sel(tech="battery", year=y))
                                 for y in YEARS]
    cn_builds = {t: [float(ds["build"].sel(tech=t, year=y)) for y in YEARS] for t in techs}

    start = time.perf_counter()
    n, ps_objective = solve_pypsa(prepare_inputs(loaded, Resolution.parse("hourly")))
    ps_seconds = time.perf_counter() - start
    ps_caps, ps_builds = pypsa_capacities(n), pypsa_builds(n)
    gap = max(float(np.max(np.abs(np.subtract(cn_caps[k], ps_caps[k])))) for k in ps_caps)
    print(f"\nNPC cnplan {result.outcome.objective:,.4f} ({cn_seconds:.0f} s), "
          f"PyPSA {ps_objective:,.4f} ({ps_seconds:.0f} s), relative difference "
          f"{abs(result.outcome.objective / ps_objective - 1):.1e}; "
          f"largest capacity difference {gap:.1e} MW")
    for key in cn_caps:
        print(f"{key:<15} cnplan {np.round(cn_caps[key], 6)} PyPSA {np.round(ps_caps[key], 6)}")

    assert result.outcome.objective == pytest.approx(ps_objective, rel=REL)
    for key, values in ps_caps.items():
        np.testing.assert_allclose(cn_caps[key], values, rtol=0, atol=ABS_MW, err_msg=key)
    for key, values in ps_builds.items():
        np.testing.assert_allclose(cn_builds[key], values, rtol=0, atol=ABS_MW, err_msg=key)
    # the case exercises what it claims: the PV limit binds (5 MW new beside the old 3 MW,
    # 3 MW more once it retires), and the battery's energy is sized apart from its power
    np.testing.assert_allclose(cn_caps["pv"], PV["max_capacity_mw"], rtol=0, atol=ABS_MW)
    np.testing.assert_allclose(cn_builds["pv"], [5.0, 3.0, 0.0], rtol=0, atol=ABS_MW)
    hours = np.divide(cn_caps["battery:energy"], cn_caps["battery"])
    inside = (hours > BATTERY["min_duration_h"] + 0.1) & (hours < BATTERY["max_duration_h"] - 0.1)
    assert inside.all(), hours
