"""The numbers a plan may hold: finite, and small enough for the model's sums and the solver.

The largest number in the reference plans is about 5e5 (vehicles a year; a capex of 3.5e5
JPY/kW); a capex in Indonesian rupiah is about 2e7 IDR/kW. The model multiplies an input by at
most the 8,760 hours of a year and the 1,000 kW of a MW (a few thousand more for the years a
period stands for, divided again by the objective's unit), so a number of at most
:data:`MAX_MAGNITUDE` = 1e12 keeps every coefficient below 1e20, the value from which HiGHS
reads a number as infinite, and every sum far from float overflow (1.8e308).
"""

from __future__ import annotations

import math

#: Largest absolute value of a number in a plan (see the module docstring).
MAX_MAGNITUDE = 1e12


def number_problem(value: float) -> str | None:
    """What is wrong with ``value`` (a float or an int) as a plan's number (``None``:
    nothing)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if abs(value) > MAX_MAGNITUDE:
        shown = f"{value:.3g}" if isinstance(value, float) or abs(value) < 1e300 else (
            "the number")  # an int too large for a float
        return (f"{shown} is too large: a plan's numbers are at most 1e12 in size (larger "
                "ones overflow the model's sums over hours and years); check the unit")
    return None
