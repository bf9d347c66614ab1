"""Strict JSON for the files cnplan writes: never ``NaN`` or ``Infinity``.

Python's ``json`` writes a float that is not finite as ``NaN``/``Infinity``, which is not JSON:
strict parsers (JavaScript's ``JSON.parse``, jq, most languages' libraries) refuse the whole
file. A figure that does not exist (a cost per tonne avoided when nothing is avoided, a gap
with no bound) is NaN in the results and ``null`` in the file.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite_or_null(value: Any) -> Any:
    """``value`` with every float that is not finite replaced by ``None``, in nested dicts,
    lists and tuples (numpy scalars become Python numbers)."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # numpy scalar
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(item) for item in value]
    return value


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` of ``data`` with non-finite floats as ``null``: always strict JSON."""
    return json.dumps(finite_or_null(data), allow_nan=False, **kwargs)
