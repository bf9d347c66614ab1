"""Safe YAML reading that remembers where each key came from (file and line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from plant.errors import KeyPath, PlanError, PlanIssue

#: Where each key path was written: (file, 1-based line).
LineMap = dict[KeyPath, tuple[Path, int]]


def _key_of(node: yaml.Node) -> Any:
    """The Python value of a mapping key node, as ``yaml.safe_load`` would make it."""
    loader = yaml.SafeLoader("")
    try:
        key = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    return key


def _walk(node: yaml.Node, path: KeyPath, file: Path, lines: LineMap,
          issues: list[PlanIssue]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = _key_of(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int) or isinstance(key, bool):
                issues.append(PlanIssue(file, line, path, f"key {key!r} is not a name or a year"))
                continue
            if key in seen:
                issues.append(PlanIssue(file, line, (*path, key),
                                        "duplicate key: it is already set above in this block"))
            seen.add(key)
            lines[(*path, key)] = (file, line)
            _walk(value_node, (*path, key), file, lines, issues)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = (file, item.start_mark.line + 1)
            _walk(item, (*path, index), file, lines, issues)


def read_yaml(file: Path) -> tuple[Any, LineMap]:
    """Read ``file`` with safe-load semantics; return the data and a key-path -> line map.

    Raises
    ------
    PlanError
        If the file is missing, unreadable, not valid YAML, or has duplicate keys.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError([PlanIssue(file, None, (), "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([PlanIssue(file, None, (), f"cannot read file: {exc}")]) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise PlanError([PlanIssue(file, line, (), f"YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise PlanError([PlanIssue(file, None, (), f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    lines: LineMap = {}
    issues: list[PlanIssue] = []
    if node is not None:
        _walk(node, (), file, lines, issues)
    if issues:
        raise PlanError(issues)
    return data, lines
