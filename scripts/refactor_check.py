"""Check that a refactoring changed no behaviour, in two ways.

1. The compiled LP of each plan and of its business as usual, written to
   ``OUT/<site>-<which>.npz`` before and after and compared array by array: every matrix
   entry, bound, cost and row and column name must be bit for bit the same.
2. Run folders of ``cnplan plan`` before and after (results.nc, bau/results.nc): every
   variable, coordinate and numeric attribute equal to a relative 1e-9 (the version, file
   and timing attributes apart).

    python scripts/refactor_check.py write OUT sites/sunderland.yaml ... [--resolution repdays:12]
    python scripts/refactor_check.py compare BEFORE AFTER
    python scripts/refactor_check.py results BEFORE_RUN AFTER_RUN [--rtol 1e-9]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def write(out: Path, plans: list[str], resolution: str) -> None:
    """The compiled LP of each plan and of its business as usual."""
    from optimiser.formulate.inputs import Resolution
    from optimiser.formulate.model import build_model
    from optimiser.run.pipeline import prepare_inputs
    from optimiser.solve.highs import compile_lp
    from plant.bau import business_as_usual
    from plant.loader import read_plan

    out.mkdir(parents=True, exist_ok=True)
    for path in plans:
        loaded = read_plan(Path(path))
        inputs = prepare_inputs(loaded, Resolution.parse(resolution))
        bau = prepare_inputs(loaded._replace(plan=business_as_usual(loaded.plan)),
                             Resolution.parse(resolution))
        for which, inp in (("plan", inputs), ("bau", bau)):
            m, _ = build_model(inp)
            lp = compile_lp(m)
            a = lp.arrays
            np.savez_compressed(
                out / f"{Path(path).stem}-{which}.npz", cost=a.cost, offset=np.array([a.offset]),
                lower=a.col_lower, upper=a.col_upper, row_lower=a.row_lower, row_upper=a.row_upper,
                indptr=a.matrix.indptr, indices=a.matrix.indices, data=a.matrix.data,
                integer=a.integer, columns=np.array([v.name for v in lp.columns]),
                rows=np.array([r.constraint.name if hasattr(r, "constraint") else str(r)
                               for r in lp.rows]))
            print(f"{Path(path).stem}-{which}: {len(lp.columns)} columns, {len(lp.rows)} rows",
                  flush=True)


def compare(before: Path, after: Path) -> int:
    """0 if every file of ``before`` has an identical twin in ``after``."""
    bad = 0
    for old in sorted(before.glob("*.npz")):
        new = after / old.name
        a, b = np.load(old), np.load(new)
        diffs = [k for k in a.files if a[k].shape != b[k].shape or not np.array_equal(
            a[k], b[k], equal_nan=a[k].dtype.kind == "f")]
        print(f"{old.stem}: {'identical' if not diffs else 'DIFFERS in ' + ', '.join(diffs)}")
        bad += bool(diffs)
    return 1 if bad else 0


#: Attributes that differ between two runs of the same plan by design.
RUN_ATTRIBUTES = ("cnplan_version", "plan_file")


def _same_dataset(before: Path, after: Path, rtol: float) -> list[str]:
    """What differs between two results.nc files (empty: the same)."""
    import xarray as xr

    a, b = xr.open_dataset(before), xr.open_dataset(after)
    names_a, names_b = {str(n) for n in a.variables}, {str(n) for n in b.variables}
    found = [f"variables only in one: {sorted(names_a ^ names_b)}"] if names_a != names_b else []
    for name in sorted(names_a & names_b):
        x, y = a[name], b[name]
        if x.dims != y.dims or x.shape != y.shape:
            found.append(f"{name}: dims {x.dims}{x.shape} vs {y.dims}{y.shape}")
        elif x.dtype.kind in "fc":
            if not np.allclose(x.values, y.values, rtol=rtol, atol=0.0, equal_nan=True):
                worst = np.nanmax(np.abs(x.values - y.values))
                found.append(f"{name}: differs (largest difference {worst:.3g})")
        elif not np.array_equal(x.values, y.values):
            found.append(f"{name}: differs")
    for key in sorted({str(k) for k in (*a.attrs, *b.attrs)} - set(RUN_ATTRIBUTES)):
        u, v = a.attrs.get(key), b.attrs.get(key)
        same = (np.isclose(u, v, rtol=rtol, atol=0.0) if isinstance(u, float | np.floating)
                and isinstance(v, float | np.floating) else u == v)
        if not same:
            found.append(f"attribute {key}: {u!r} vs {v!r}")
    return found


def results(before: Path, after: Path, rtol: float) -> int:
    """0 if every results.nc under ``before`` has a twin under ``after`` equal to ``rtol``."""
    files = sorted(before.rglob("results.nc"))
    if not files:
        print(f"{before}: no results.nc")
        return 1
    bad = 0
    for old in files:
        rel = old.relative_to(before)
        diffs = _same_dataset(old, after / rel, rtol)
        print(f"{rel}: " + ("the same" if not diffs else "; ".join(diffs)))
        bad += bool(diffs)
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("plans", nargs="+")
    w.add_argument("--resolution", default="repdays:12")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    r = sub.add_parser("results")
    r.add_argument("before", type=Path)
    r.add_argument("after", type=Path)
    r.add_argument("--rtol", type=float, default=1e-9)
    args = parser.parse_args()
    if args.command == "write":
        write(args.out, args.plans, args.resolution)
        return 0
    if args.command == "results":
        return results(args.before, args.after, args.rtol)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
