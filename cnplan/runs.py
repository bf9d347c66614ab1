"""Write a plan run's outputs: a whole folder appears at once, never over another by accident."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cnplan.outputs import OutputExistsError, provenance
from optimiser.pipeline import PlanRun
from optimiser.summary import summary
from plant.loader import LoadedPlan


def write_run_dir(out_dir: Path, fill: Callable[[Path], None], *, overwrite: bool) -> Path:
    """Fill a temporary sibling folder, then move it to ``out_dir`` in one rename.

    An existing non-empty ``out_dir`` is replaced only with ``overwrite``; the old folder is
    removed after the new one is in place.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()) and not overwrite:
        raise OutputExistsError(f"{out_dir} exists and is not empty; pass --overwrite to "
                                "replace it, or choose another --out")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        fill(tmp)
        tmp.chmod(0o755)
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{tmp.name[-8:]}"
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def write_plan_outputs(run: PlanRun, loaded: LoadedPlan, out_dir: Path, *, overwrite: bool,
                       extra: Callable[[Path], None] | None = None) -> dict:
    """Write ``results.nc``, ``summary.json`` and ``plan.json`` (the resolved inputs)."""
    prov = provenance(loaded.sha256) | {"plan_file": str(loaded.file)}
    summ = summary(run.results, run.timings, prov)
    summ["diagnosis"] = run.diagnosis

    def fill(folder: Path) -> None:
        ds = run.results.copy()
        ds.attrs.update(prov)
        ds.to_netcdf(folder / "results.nc", engine="netcdf4")
        (folder / "summary.json").write_text(json.dumps(summ, indent=2), encoding="utf-8")
        (folder / "plan.json").write_text(loaded.plan.model_dump_json(indent=2),
                                          encoding="utf-8")
        if extra is not None:
            extra(folder)

    write_run_dir(out_dir, fill, overwrite=overwrite)
    return summ
