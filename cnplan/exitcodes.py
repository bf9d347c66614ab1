"""The command line's exit codes, in one place (README, "Exit codes")."""

from __future__ import annotations

#: Done (for ``plan``: every target met, every hour served).
EXIT_OK = 0
#: The solver found no plan, or its answer is not a finite number (``numerical_error``).
EXIT_NO_PLAN = 1
#: Bad input: a plan, an option, an output location or a run folder that cannot be used.
EXIT_BAD_INPUT = 2
#: A plan was written but it misses a target or leaves demand unserved (see its diagnosis).
EXIT_TARGETS_MISSED = 3
#: The solve finished but its output could not be written (read-only or full disk, name too
#: long); the message names where the solved plan was kept instead.
EXIT_WRITE_FAILED = 4
#: A sweep finished but some of its points failed (listed; ``--retry-failed`` runs them again).
EXIT_POINTS_FAILED = 5
#: Ctrl-C (the shell's convention, 128 + SIGINT).
EXIT_INTERRUPTED = 130
