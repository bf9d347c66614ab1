"""Benchmark of the SOFC twin (not a test): ``python bench/bench_sofc.py``.

Prints wall-clock timings of one cell point, one stack point, and one 25-point
system curve with a 30-segment stack, computed cold (fresh cache) and cached.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import sofc  # noqa: E402
from sofc.reformer import reform  # noqa: E402


def _time(label: str, fn, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    dt = (time.perf_counter() - t0) / repeat
    print(f"{label:<48s} {dt * 1e3:10.2f} ms")
    return dt


def main() -> None:
    params = sofc.read_cell_parameters()
    rf = reform(823.15, 1.976)
    x = np.array([rf.products[n] for n in ("H2", "H2O", "CO", "CO2", "CH4")] + [0.0])
    fuel = (30.0 / (2 * 96485.33212 * 0.85 * (x[0] + x[2] + 4 * x[4]))) * x
    # warm-up: Cantera species database load and imports are not counted
    sofc.cell_point("H2:0.97,H2O:0.03", "O2:0.21,N2:0.79", 973.15, 5000.0, params)
    _time("cell point (cell_point)", lambda: sofc.cell_point(
        "H2:0.97,H2O:0.03", "O2:0.21,N2:0.79", 973.15, 5000.0, params), repeat=200)
    _time("stack point (30 segments, internal reforming)", lambda: sofc.solve_stack(
        params, area=0.01, n_segments=30, inlet_temperature=913.15,
        outlet_temperature=1013.15, pressure=101325.0, anode_inlet=fuel[None, :],
        air_inlet=[30.0 / (4 * 96485.33212) * 4 / 0.21], current=[30.0]), repeat=20)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNPLAN_CACHE_DIR"] = tmp
        cfg = sofc.SystemConfig(n_segments=30)
        _time("25-point curve, 30 segments, cold", lambda: sofc.system_curve(cfg, n_points=25))
        _time("25-point curve, 30 segments, cached", lambda: sofc.system_curve(cfg, n_points=25),
              repeat=5)
        _time("25-point curve, 3 ages, cold", lambda: sofc.system_curve(
            cfg, n_points=25, operating_hours=(0.0, 20000.0, 40000.0)))


if __name__ == "__main__":
    main()
