"""Key-path overrides of a plan's numbers: the one way sweeps and scenarios change a plan.

A key path names a field with dots, through sections and named items, e.g.
``grid.import_price_per_mwh`` or ``fuels.bioethanol.price_per_mwh`` (list items by index:
``targets.0.reduction``). Two forms are understood:

* ``<path>=<value>`` sets the numeric field at ``<path>`` to ``value``; a year trajectory
  becomes the constant ``value``.
* ``<parent>.<name>_scale=<factor>`` multiplies the numeric field of ``<parent>`` whose name
  starts with ``<name>`` (it must be the only one) by ``factor``: every value of a trajectory
  is scaled, so its shape over the years is kept. ``fuels.bioethanol.price_scale`` scales
  ``fuels.bioethanol.price_per_mwh``; ``grid.import_price_scale`` scales
  ``grid.import_price_per_mwh``; ``carbon_credits.removal.price_scale`` scales
  ``price_per_t``. A field whose own name ends in ``_scale`` is set, not used as a factor.

:func:`apply_overrides` returns a new, validated plan and never changes the one given.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from plant.checks import CHECKS
from plant.schema import Plan

SCALE_SUFFIX = "_scale"


class OverrideError(ValueError):
    """A key path that names no numeric field, or a value the plan does not accept."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_numeric_field(value: Any) -> bool:
    """A number, or a year trajectory ``{year: number}``."""
    if _is_number(value):
        return True
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(k, int) and _is_number(v) for k, v in value.items()))


def _child(node: Any, part: str, done: list[str]) -> Any:
    """``node[part]`` of the dumped plan, or an OverrideError with a did-you-mean."""
    where = ".".join(done) or "the plan"
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        raise OverrideError(f"{'.'.join([*done, part])}: {where} is a list of {len(node)} "
                            f"item(s); use an index 0-{len(node) - 1}")
    if not isinstance(node, dict):
        raise OverrideError(f"{'.'.join([*done, part])}: {where} is a number, not a section")
    if part in node:
        return node[part]
    keys = [str(k) for k in node]
    close = difflib.get_close_matches(part, keys, n=1, cutoff=0.6)
    hint = f"; did you mean {'.'.join([*done, close[0]])!r}?" if close else ""
    listing = ", ".join(sorted(keys)[:12]) + (", ..." if len(keys) > 12 else "")
    raise OverrideError(f"unknown key path {'.'.join([*done, part])!r}: {where} has no "
                        f"{part!r}{hint} (keys there: {listing})")


def _scaled(value: Any, factor: float) -> Any:
    if isinstance(value, dict):
        return {year: v * factor for year, v in value.items()}
    return value * factor


def resolve_key(data: dict[str, Any], key: str) -> tuple[list[str], str, bool]:
    """Where ``key`` points in the dumped plan ``data``: (parent path, field, is a scale).

    Raises
    ------
    OverrideError
        If no numeric field matches, with the nearest key names.
    """
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise OverrideError(f"{key!r} is not a key path (names joined by dots, e.g. "
                            "'grid.import_price_per_mwh')")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, parts[:i])
    parent, last = parts[:-1], parts[-1]
    if isinstance(node, dict) and last in node:
        if not _is_numeric_field(node[last]):
            raise OverrideError(f"{key!r} is not a numeric field (it holds "
                                f"{node[last]!r}); only numbers and year trajectories can be "
                                "overridden")
        return parent, last, False
    if last.endswith(SCALE_SUFFIX) and isinstance(node, dict):
        stem = last[: -len(SCALE_SUFFIX)]
        matches = [k for k in node if str(k).startswith(stem) and _is_numeric_field(node[k])]
        if len(matches) == 1:
            return parent, matches[0], True
        if len(matches) > 1:
            raise OverrideError(f"{key!r} is ambiguous: {', '.join(matches)} all start with "
                                f"{stem!r}; scale one with its full name + '_scale' or set it")
        others = [f"{k}{SCALE_SUFFIX}" for k in node if _is_numeric_field(node[k])]
        close = difflib.get_close_matches(last, others, n=1, cutoff=0.6)
        hint = f"; did you mean {'.'.join([*parent, close[0]])!r}?" if close else ""
        raise OverrideError(f"unknown key path {key!r}: no numeric field of "
                            f"{'.'.join(parent) or 'the plan'} starts with {stem!r}{hint}")
    _child(node, last, parent)  # raises with a did-you-mean
    raise AssertionError("unreachable")  # pragma: no cover


def apply_overrides(plan: Plan, overrides: Mapping[str, float]) -> Plan:
    """A new plan with the numeric fields named by key paths set or scaled.

    Parameters
    ----------
    plan
        The plan to start from (not changed).
    overrides
        ``{key_path: value}``; a key whose last name ends in ``_scale`` and that names no field
        multiplies the sibling field whose name starts with the part before ``_scale`` (see the
        module docstring), any other key sets the field (a trajectory becomes a constant).

    Returns
    -------
    Plan
        Validated by the plan schema and the semantic checks of ``plant.checks``.

    Raises
    ------
    OverrideError
        For an unknown key path (with a did-you-mean), a non-numeric field, a non-numeric
        value, or a plan the schema or checks reject (e.g. a negative price).
    """
    data = plan.model_dump()
    for key, value in overrides.items():
        if not _is_number(value):
            raise OverrideError(f"{key}: the value must be a number, got {value!r}")
        parent, name, scale = resolve_key(data, key)
        node: Any = data
        for part in parent:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[name] = _scaled(node[name], float(value)) if scale else float(value)
    return validated_plan(data)


def validated_plan(data: dict[str, Any]) -> Plan:
    """A plan from dumped data changed by overrides, validated by the schema and the semantic
    checks of ``plant.checks``.

    Raises
    ------
    OverrideError
        If the schema or a check rejects it.
    """
    try:
        new = Plan.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p not in ('float', 'dict[int,float]'))}: "
            f"{e['msg']}" for e in exc.errors())
        raise OverrideError(f"the overridden plan is not valid: {problems}") from None
    issues = [f"{'.'.join(str(p) for p in path)}: {msg}" for check in CHECKS
              for path, msg in check(new)]
    if issues:
        raise OverrideError("the overridden plan is not valid: " + "; ".join(issues))
    return new
