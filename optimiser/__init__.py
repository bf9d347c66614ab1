"""Multi-year investment and hourly dispatch planning with Pyomo and HiGHS."""

from optimiser.formulate.inputs import ModelInputs, Resolution, make_inputs
from optimiser.formulate.model import build_model
from optimiser.post.results import extract
from optimiser.post.summary import summary
from optimiser.run.pipeline import PlanRun, run_plan
from optimiser.solve.highs import HighsSolver, SolveOutcome

__all__ = ["HighsSolver", "ModelInputs", "PlanRun", "Resolution", "SolveOutcome",
           "build_model", "extract", "make_inputs", "run_plan", "summary"]
