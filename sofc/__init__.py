"""Digital twin of the bio-ethanol SOFC system: reformer, cell, stack, system and load curves.

Layers (each usable on its own):

* :mod:`sofc.thermo` - Cantera species data, equilibrium constants, heating values;
* :mod:`sofc.reformer` - equilibrium ethanol steam reforming and carbon deposition;
* :mod:`sofc.cell` - Nernst, ohmic, Butler-Volmer and concentration losses;
* :mod:`sofc.stack` - 1-D co-flow stack with shift/reforming equilibrium;
* :mod:`sofc.system` - balance of plant, heat integration, degradation;
* :mod:`sofc.curves` - efficiency/heat curves, disk cache and convex fit.

SI units inside (K, Pa, mol/s, W, A/m2); curves and the command line use kW, degC
and A/cm2. ``sofc`` imports nothing from the rest of cnplan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sofc.errors import SofcInputError
from sofc.params import (
    CellParameters,
    SystemConfig,
    read_cell_parameters,
    read_config,
)

if TYPE_CHECKING:
    from sofc.cell import CellPerformance, cell_performance, cell_point
    from sofc.curves import PiecewiseFit, piecewise_fit, system_curve
    from sofc.reformer import (
        ReformerResult,
        min_steam_to_carbon,
        reform,
        steam_to_carbon_from_blend,
    )
    from sofc.stack import StackResult, solve_stack
    from sofc.system import SystemResult, evaluate_system

__all__ = [
    "CellParameters",
    "CellPerformance",
    "PiecewiseFit",
    "ReformerResult",
    "SofcInputError",
    "StackResult",
    "SystemConfig",
    "SystemResult",
    "cell_performance",
    "cell_point",
    "evaluate_system",
    "min_steam_to_carbon",
    "piecewise_fit",
    "read_cell_parameters",
    "read_config",
    "reform",
    "solve_stack",
    "steam_to_carbon_from_blend",
    "system_curve",
]

#: Names imported on first use, so that ``import sofc`` (and ``cnplan --help``, which mounts
#: :mod:`sofc.cli`) does not load Cantera, SciPy and xarray until a model is evaluated.
_LAZY = {
    "CellPerformance": "sofc.cell",
    "cell_performance": "sofc.cell",
    "cell_point": "sofc.cell",
    "PiecewiseFit": "sofc.curves",
    "piecewise_fit": "sofc.curves",
    "system_curve": "sofc.curves",
    "ReformerResult": "sofc.reformer",
    "min_steam_to_carbon": "sofc.reformer",
    "reform": "sofc.reformer",
    "steam_to_carbon_from_blend": "sofc.reformer",
    "StackResult": "sofc.stack",
    "solve_stack": "sofc.stack",
    "SystemResult": "sofc.system",
    "evaluate_system": "sofc.system",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
