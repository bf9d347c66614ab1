"""Stage 4, a plan run: build, solve, extract and diagnose (:mod:`.pipeline`), or build
once and re-solve for other prices (:mod:`.session`). Imports stages 1-3."""
