"""Write the compiled LP of each plan (and its business as usual) to ``OUT/<site>-<which>.npz``,
or compare two such folders array by array: a refactoring that must not change behaviour
leaves every matrix, bound, cost and row and column name bit for bit the same.

    python scripts/lp_fingerprint.py write OUT sites/sunderland.yaml ... [--resolution repdays:12]
    python scripts/lp_fingerprint.py compare BEFORE AFTER
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def write(out: Path, plans: list[str], resolution: str) -> None:
    """The compiled LP of each plan and of its business as usual."""
    from optimiser.build.inputs import Resolution
    from optimiser.build.model import build_model
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
    args = parser.parse_args()
    if args.command == "write":
        write(args.out, args.plans, args.resolution)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
