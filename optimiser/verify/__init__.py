"""Stage 6, the hour-by-hour check of a plan with its capacities held (:mod:`.hourly`) and
the re-planning with the days it found short (:mod:`.adequacy`). Imports stages 1-5."""
