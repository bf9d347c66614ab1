"""Exceptions raised by the SOFC digital twin."""

from __future__ import annotations

__all__ = ["SofcInputError"]


class SofcInputError(ValueError):
    """A parameter or operating condition outside what the model accepts.

    Raised for physically meaningless input (negative thickness, fuel utilisation
    >= 1, compositions that do not sum to one or name unknown species) and for
    conditions outside the model's validity range (temperature, current above
    the limiting current). The command line turns it into a one-line message
    and exit code 2.
    """
