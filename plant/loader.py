"""Load a site plan: YAML (safe) -> merged includes -> pydantic validation -> semantic checks.

Every problem becomes a :class:`~plant.errors.PlanIssue` naming the file, line and key path.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from plant.checks import check_plan, plan_warnings, raw_references
from plant.currency import money_issues, to_site_money
from plant.errors import KeyPath, PlanError, PlanIssue
from plant.loaded import LoadedPlan, locate
from plant.merge import MoneyUnits, deep_merge
from plant.schema import Plan
from plant.yamlio import LineMap, read_yaml

__all__ = ["LoadedPlan", "locate", "read_plan"]

_TRAJECTORY_MEMBERS = {"float", "dict[int,float]"}


def _read_with_includes(file: Path, stack: tuple[Path, ...] = (),
                        ) -> tuple[Any, LineMap, list[Any]]:
    """Read ``file`` and the catalogue files it includes, merged (the including file wins).

    Returns the merged data, where each key was written, and every file's own content in the
    order it was merged (for :class:`~plant.merge.MoneyUnits`).
    """
    if file.resolve() in stack:
        raise PlanError([PlanIssue(file, None, ("include",), "include cycle: file includes "
                                   "itself through " + " -> ".join(p.name for p in stack))])
    data, lines = read_yaml(file)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise PlanError([PlanIssue(file, 1, (), f"a plan must be a mapping of sections, "
                                   f"this file is {kind}")])
    includes = data.get("include", [])
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        where = lines.get(("include",), (file, None))[1]
        raise PlanError([PlanIssue(file, where, ("include",), "must be a list of file paths")])
    merged: Any = {}
    merged_lines: LineMap = {}
    order: list[Any] = []
    for index, name in enumerate(includes):
        inc_file = (file.parent / name)
        if not inc_file.exists():
            raise PlanError([PlanIssue(file, lines.get(("include", index), (file, None))[1],
                                       ("include", index), f"included file {name!r} not found "
                                       f"(looked in {file.parent})")])
        try:
            inc_data, inc_lines, inc_order = _read_with_includes(inc_file,
                                                                 (*stack, file.resolve()))
        except PlanError as exc:
            raise PlanError(_at_include(exc.issues, inc_file, file, lines, index)) from None
        inc_data.pop("include", None)
        merged = deep_merge(merged, inc_data)
        merged_lines.update(inc_lines)
        order.extend(inc_order)
    merged = deep_merge(merged, data)
    merged_lines.update(lines)
    order.append(data)
    return merged, merged_lines, order


def _at_include(issues: list[PlanIssue], inc_file: Path, file: Path, lines: LineMap,
                index: int) -> list[PlanIssue]:
    """Issues with an included file as a whole (not a regular file, too large, not text) said
    where it is included: ``plan.yaml:3: include[0]: included file '/dev/zero' is ...``."""
    line = lines.get(("include", index), (file, None))[1]
    return [PlanIssue(file, line, ("include", index),
                      f"included file {str(inc_file)!r}: {issue.message}")
            if issue.file == inc_file and not issue.path and issue.line is None else issue
            for issue in issues]


def _unwrap(annotation: Any) -> list[Any]:
    """Concrete types inside Annotated/Optional/Union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _unwrap(a)]
    return [annotation]


def _allowed_keys(loc: tuple[Any, ...], root: type[BaseModel] = Plan) -> list[str]:
    """Field names accepted at the model that ``loc`` (a pydantic error location) points into."""
    candidates: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for typ in candidates:
            if isinstance(typ, type) and issubclass(typ, BaseModel):
                if part in typ.model_fields:
                    nxt.extend(_unwrap(typ.model_fields[part].annotation))
                elif "kind" in typ.model_fields and part in typing.get_args(
                        typ.model_fields["kind"].annotation):
                    nxt.append(typ)  # a discriminated-union tag: stay on this member
            elif typing.get_origin(typ) is dict:
                nxt.extend(_unwrap(typing.get_args(typ)[1]))
            elif typing.get_origin(typ) is list:
                nxt.extend(_unwrap(typing.get_args(typ)[0]))
        candidates = [
            t for t in nxt
            if not (isinstance(t, type) and issubclass(t, BaseModel))
            or "kind" not in t.model_fields
            or any(p in typing.get_args(t.model_fields["kind"].annotation) for p in loc)
        ] or nxt
    return sorted({f for t in candidates if isinstance(t, type) and issubclass(t, BaseModel)
                   for f in t.model_fields})


def _data_path(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """Pydantic ``loc`` -> key path in the user's data (drops union tags and member names)."""
    path: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and (part in _TRAJECTORY_MEMBERS or isinstance(node, dict)
                                        and node.get("kind") == part):
            continue
        else:
            path.append(part)
            node = None
    return tuple(path)


def _message(err: dict[str, Any], loc: tuple[Any, ...], root: type[BaseModel] = Plan) -> str:
    kind = err["type"]
    msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    given = err.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(loc[:-1], root)
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        expected = err.get("ctx", {}).get("expected_tags", "")
        tags = [t.strip().strip("'") for t in expected.split(",")]
        close = difflib.get_close_matches(str(err.get("ctx", {}).get("tag")), tags, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown kind {err['ctx']['tag']!r}{hint} (one of {expected})"
    if kind == "finite_number":
        return f"must be a finite number, got {given}"
    if kind == "union_tag_not_found":
        return "needs a 'kind' (solar_pv, wind, battery, heat_pump, ...)"
    if kind == "less_than_equal" and 0 < err.get("ctx", {}).get("le", 0) <= 1 and isinstance(
            given, int | float) and 1 < given <= 100:
        return f"{msg}, got {given}: fractions are written 0-1 (e.g. 0.25 for 25 %)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than") and (
            isinstance(given, int | float)):
        return f"{msg}, got {given}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "dict_type",
                "string_type", "bool_parsing", "bool_type", "list_type", "model_type"):
        return f"{msg}, got {_shown(given)}"
    return msg


def _shown(given: Any, width: int = 60) -> str:
    """``repr(given)``, cut to ``width`` characters (a 400-digit number stays one line)."""
    text = repr(given)
    return text if len(text) <= width else f"{text[:width - 5]}...{text[-2:]}"


def validation_issues(exc: ValidationError, data: Any, lines: LineMap, file: Path,
                      root: type[BaseModel] = Plan) -> list[PlanIssue]:
    """Turn pydantic errors (of a ``root`` model read from ``file``) into one issue per key
    path."""
    by_path: dict[KeyPath, list[tuple[Any, tuple[Any, ...]]]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _data_path(loc, data)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, "kind")
        by_path.setdefault(path, []).append((err, loc))
    issues = []
    for path, errs in by_path.items():
        members = {str(p) for _, loc in errs for p in loc} & _TRAJECTORY_MEMBERS
        if len(errs) > 1 and members == _TRAJECTORY_MEMBERS:
            given = errs[0][0].get("input")
            message = f"expected a number or a {{year: value}} trajectory, got {given!r}"
        else:
            message = "; ".join(dict.fromkeys(_message(e, loc, root) for e, loc in errs))
        f, line = locate(lines, path, file)
        issues.append(PlanIssue(f, line, path, message))
    return issues


def _content_hash(plan: Plan) -> str:
    text = json.dumps(plan.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


#: Plan sections whose entries are named items an including plan can set or drop.
NAMED_SECTIONS = ("technologies", "fuels", "existing_assets", "certificates",
                  "carbon_credits", "ppas")


def _for_the_user(issues: list[PlanIssue], plan_file: Path) -> list[PlanIssue]:
    """Issues found in an included file (a shared catalogue) say what to write in the
    user's own plan, not to edit the catalogue: set the key there, or drop the entry."""
    out = []
    for issue in issues:
        if issue.file.resolve() == plan_file.resolve() or len(issue.path) < 2 or (
                issue.path[0] not in NAMED_SECTIONS):
            out.append(issue)
            continue
        section, entry = issue.path[0], issue.path[1]
        key = ".".join(str(p) for p in issue.path)
        missing = _undefined_reference(issue.message)
        if "; add " in issue.message or "; give " in issue.message:
            hint = f"in {plan_file.name}"
        elif missing is not None:
            hint = (f"define `{missing}` in {plan_file.name}, or drop `{section}.{entry}` with "
                    f"`{entry}: null` under `{section}:`")
        else:
            hint = (f"set `{key}` in {plan_file.name}, or drop the entry with `{entry}: null` "
                    f"under `{section}:` (it comes from an included file)")
        out.append(PlanIssue(issue.file, issue.line, issue.path, f"{issue.message}; {hint}"))
    return out


def _undefined_reference(message: str) -> str | None:
    """``fuels.biomethane`` from "fuel 'biomethane' is not defined under fuels";
    ``demand.heat.heat_low`` from "heat class 'heat_low' is not in demand.heat"."""
    import re

    found = re.search(r"'([^']+)' is not (?:defined under|in) ([\w.]+)", message)
    return f"{found.group(2)}.{found.group(1)}" if found else None


def read_plan(file: str | Path, *, check_files: bool = True) -> LoadedPlan:
    """Read, merge, validate and check a site plan.

    Parameters
    ----------
    file
        The plan YAML.
    check_files
        Also open CSV profiles the plan refers to and check their length and values.

    Raises
    ------
    PlanError
        With every problem found, each naming file, line and key path.
    """
    path = Path(file)
    data, lines, order = _read_with_includes(path)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        issues = validation_issues(exc, data, lines, path)
        seen = {i.path for i in issues}
        issues += [PlanIssue(*locate(lines, key, path), key, msg)
                   for key, msg in raw_references(data) if key not in seen]
        raise PlanError(_for_the_user(issues, path)) from None
    units = MoneyUnits()
    for content in order:
        units.apply(content)
    loaded = LoadedPlan(plan, path, lines, "", units)
    issues = check_plan(loaded, check_files=check_files)
    issues += [PlanIssue(*loaded.where(key), key, msg) for key, msg in money_issues(plan, units)]
    if issues:
        raise PlanError(_for_the_user(issues, path))
    plan = to_site_money(plan, units)
    loaded = LoadedPlan(plan, path, lines, _content_hash(plan), units)
    return loaded._replace(warnings=tuple(plan_warnings(loaded)))
