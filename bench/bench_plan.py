"""Benchmark of a plan's stages (not a test): ``python bench/bench_plan.py [SITE ...]``.

For each reference site it times profile generation, SOFC curves, aggregation, model build,
the transfer of the model into HiGHS and the HiGHS solve, separately, and reports the
modelling overhead (build + transfer) / solve. Representative days use the full horizon; the
full hourly year is run for one investment year (2030), since six hourly years do not fit
the benchmark budget on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimiser import HighsSolver, Resolution, build_model, make_inputs  # noqa: E402
from optimiser.pipeline import sofc_inputs  # noqa: E402
from plant.loader import read_plan  # noqa: E402
from plant.profiles import build_profiles  # noqa: E402

SITES = Path(__file__).resolve().parents[1] / "sites"


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def bench(site: str, resolution: str, one_year: int | None) -> dict:
    """Time every stage of one plan run."""
    loaded = read_plan(SITES / f"{site}.yaml")
    plan = loaded.plan
    if one_year is not None:
        fin = plan.finance.model_copy(update={"investment_years": [one_year]})
        plan = plan.model_copy(update={"finance": fin, "targets": [
            t for t in plan.targets if t.year == one_year]})
    row: dict = {"site": site, "resolution": resolution,
                 "years": len(plan.years())}
    prof, row["profiles_s"] = _timed(lambda: build_profiles(plan, loaded.file.parent))
    (fits, _), row["curves_s"] = _timed(lambda: sofc_inputs(loaded))
    inputs, row["aggregate_s"] = _timed(lambda: make_inputs(plan, prof,
                                                            Resolution.parse(resolution)))
    inputs.sofc_fits = fits
    (m, _), row["build_s"] = _timed(lambda: build_model(inputs))
    solver = HighsSolver()
    outcome = solver.solve(m)
    row.update(status=outcome.status, transfer_s=outcome.transfer_s, solve_s=outcome.solve_s)
    row["overhead_ratio"] = (row["build_s"] + row["transfer_s"]) / max(row["solve_s"], 1e-9)
    return row


def main() -> None:
    """Run the benchmark and print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sites", nargs="*", default=["sunderland", "tochigi"])
    parser.add_argument("--json", type=Path, help="also write raw figures here")
    parser.add_argument("--no-hourly", action="store_true", help="skip the hourly runs")
    args = parser.parse_args()
    rows = []
    for site in args.sites:
        rows.append(bench(site, "repdays:12", None))
        if not args.no_hourly:
            rows.append(bench(site, "hourly", 2030))
    cols = ["site", "resolution", "years", "profiles_s", "curves_s", "aggregate_s", "build_s",
            "transfer_s", "solve_s", "overhead_ratio", "status"]
    print(f"# {platform.node()} {platform.python_version()} {time.strftime('%Y-%m-%d')}")
    print(" | ".join(cols))
    for r in rows:
        print(" | ".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
