"""Stage 7, scenario trees: the extensive form (:mod:`.tree`) and what hedging is worth
(:mod:`.hedging`; docs/stochastic.md). Imports stages 1-4."""
