"""Stage 5, decompositions of the planning model: by modelled year (:mod:`.benders`, Benders with
capacities in a master; :mod:`.run`, a plan run that way)."""

from optimiser.decompose.benders import BendersResult, solve_benders
from optimiser.decompose.run import (
    ENGINES,
    choose_engine,
    plan_decomposed,
    run_decomposed,
)
from optimiser.decompose.subproblems import DecompositionError

__all__ = ["ENGINES", "BendersResult", "DecompositionError", "choose_engine",
           "plan_decomposed", "run_decomposed", "solve_benders"]
