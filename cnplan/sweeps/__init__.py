"""Parameter sweeps of a plan: many plans from one, re-solved, in parallel, resumable.

See ``docs/sweeps.md``. :func:`run_sweep` runs the points of a :class:`SweepSpec` (in process,
on local worker processes or on a Dask cluster) into a folder; :func:`sweep_dataset` gathers
them into an xarray Dataset; :mod:`cnplan.sweeps.breakeven` plots them and finds break-even
points.
"""

from cnplan.sweeps.collect import sweep_dataset, write_dataset
from cnplan.sweeps.runner import SweepFolderError, SweepResult, read_points, run_sweep
from cnplan.sweeps.spec import Axis, Point, SweepSpec, SweepSpecError
from cnplan.sweeps.worker import run_point
from optimiser.session import PlanSession, structure_key

__all__ = ["Axis", "PlanSession", "Point", "SweepFolderError", "SweepResult", "SweepSpec",
           "SweepSpecError", "read_points", "run_point", "run_sweep", "structure_key",
           "sweep_dataset", "write_dataset"]
