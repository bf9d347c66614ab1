"""Parameter sweeps of a plan: many plans from one, re-solved, in parallel, resumable.

See ``docs/sweeps.md``. :func:`run_sweep` runs the points of a :class:`SweepSpec` (in process,
on local worker processes or on a Dask cluster) into a folder; :func:`sweep_dataset` gathers
them into an xarray Dataset; :mod:`cnplan.sweeps.breakeven` plots them and finds break-even
points.

The names below are imported on first use, so that reading a sweep's options
(:mod:`cnplan.sweeps.spec`, numpy only) does not load the solver stack: ``cnplan sweep``
refuses a bad ``--set`` or an oversized sweep at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnplan.sweeps.collect import sweep_dataset, write_dataset
    from cnplan.sweeps.points import SweepFolderError, read_points
    from cnplan.sweeps.runner import SweepResult, run_sweep
    from cnplan.sweeps.spec import Axis, Point, SweepSpec, SweepSpecError
    from cnplan.sweeps.worker import run_point
    from optimiser.run.session import PlanSession, structure_key

#: The module that defines each name of the package.
_HOMES = {
    "sweep_dataset": "cnplan.sweeps.collect", "write_dataset": "cnplan.sweeps.collect",
    "SweepFolderError": "cnplan.sweeps.points", "read_points": "cnplan.sweeps.points",
    "SweepResult": "cnplan.sweeps.runner", "run_sweep": "cnplan.sweeps.runner",
    "Axis": "cnplan.sweeps.spec", "Point": "cnplan.sweeps.spec",
    "SweepSpec": "cnplan.sweeps.spec", "SweepSpecError": "cnplan.sweeps.spec",
    "run_point": "cnplan.sweeps.worker",
    "PlanSession": "optimiser.run.session", "structure_key": "optimiser.run.session",
}

__all__ = ["Axis", "PlanSession", "Point", "SweepFolderError", "SweepResult", "SweepSpec",
           "SweepSpecError", "read_points", "run_point", "run_sweep", "structure_key",
           "sweep_dataset", "write_dataset"]


def __getattr__(name: str) -> Any:
    """Import a name of the package from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
