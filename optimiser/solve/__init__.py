"""Stage 2, the solve: the one HiGHS adapter (:mod:`.highs`). Imports only the formulation."""
