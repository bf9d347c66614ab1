"""Stage 8: a company's fleet of plants under corporate targets (docs/fleet.md).

Each plant's model as :func:`optimiser.formulate.model.build_model` builds it, linked only by
the corporate target rows (:mod:`.linking`); solved as one LP (:mod:`.monolithic`) or by
Dantzig-Wolfe with the plants priced in parallel on Dask workers (:mod:`.decomposed`,
:mod:`.pools`).
"""

from optimiser.fleet.result import FleetRun
from optimiser.fleet.run import METHODS, fleet_rows, run_fleet

__all__ = ["METHODS", "FleetRun", "fleet_rows", "run_fleet"]
