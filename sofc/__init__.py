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

from sofc.cell import CellPerformance, cell_performance, cell_point
from sofc.curves import PiecewiseFit, piecewise_fit, system_curve
from sofc.errors import SofcInputError
from sofc.params import (
    CellParameters,
    SystemConfig,
    read_cell_parameters,
    read_config,
)
from sofc.reformer import ReformerResult, min_steam_to_carbon, reform, steam_to_carbon_from_blend
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
