"""Multi-year investment and hourly dispatch planning with Pyomo and HiGHS."""

from optimiser.inputs import ModelInputs, Resolution, make_inputs
from optimiser.model import build_model
from optimiser.pipeline import PlanRun, run_plan
from optimiser.results import extract
from optimiser.solve import HighsSolver, SolveOutcome
from optimiser.summary import summary

__all__ = ["HighsSolver", "ModelInputs", "PlanRun", "Resolution", "SolveOutcome",
           "build_model", "extract", "make_inputs", "run_plan", "summary"]
