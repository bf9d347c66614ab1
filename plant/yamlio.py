"""Safe YAML reading that remembers where each key came from (file and line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from plant.errors import KeyPath, PlanError, PlanIssue

#: Where each key path was written: (file, 1-based line).
LineMap = dict[KeyPath, tuple[Path, int]]

#: Largest plan file read [bytes]: a site plan is a few tens of kB.
MAX_BYTES = 5 * 1024 * 1024
#: Most YAML nodes a plan may hold once its aliases are expanded (a plan has a few thousand;
#: an alias-expansion bomb has billions).
MAX_NODES = 200_000


class _TooLarge(Exception):
    """The node budget ran out while walking the document."""


def _key_of(node: yaml.Node) -> Any:
    """The Python value of a mapping key node, as ``yaml.safe_load`` would make it."""
    loader = yaml.SafeLoader("")
    try:
        key = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    return key


def _walk(node: yaml.Node, path: KeyPath, file: Path, lines: LineMap,
          issues: list[PlanIssue], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
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
            _walk(value_node, (*path, key), file, lines, issues, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = (file, item.start_mark.line + 1)
            _walk(item, (*path, index), file, lines, issues, budget)


def _read_text(file: Path) -> str:
    """The file as UTF-8 text, or one PlanError saying why it is not a plan file."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise PlanError([PlanIssue(file, None, (), (
                f"file is {size / 1024 / 1024:,.1f} MB; a site plan is at most "
                f"{MAX_BYTES // 1024 // 1024} MB of text (hourly data belongs in a CSV "
                "under profiles.csv)"))])
        raw = file.read_bytes()
    except FileNotFoundError:
        raise PlanError([PlanIssue(file, None, (), "file not found")]) from None
    except OSError as exc:
        raise PlanError([PlanIssue(file, None, (), f"cannot read file: {exc.strerror}")]) \
            from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PlanError([PlanIssue(file, line, (), (
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): a binary file, or text saved in "
            "another encoding; save the plan as UTF-8"))]) from None


def _reader_issue(file: Path, text: str, exc: yaml.reader.ReaderError) -> PlanIssue:
    """A character YAML does not allow (NUL, control characters) as one located issue."""
    line = text[:exc.position].count("\n") + 1
    return PlanIssue(file, line, (), (
        f"character U+{exc.character:04X} is not allowed in a YAML file (a control or NUL "
        "character: binary data or a copy-paste accident); delete it"))


def read_yaml(file: Path) -> tuple[Any, LineMap]:
    """Read ``file`` with safe-load semantics; return the data and a key-path -> line map.

    Raises
    ------
    PlanError
        If the file is missing, unreadable, not valid YAML, or has duplicate keys.
    """
    text = _read_text(file)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise PlanError([_reader_issue(file, text, exc)]) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        raise PlanError([_reader_issue(file, text, exc)]) from None
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
        try:
            _walk(node, (), file, lines, issues, [MAX_NODES])
        except _TooLarge:
            raise PlanError([PlanIssue(file, None, (), (
                f"more than {MAX_NODES:,} values once its aliases (*name) are expanded: "
                "not a site plan (an alias-expansion bomb?); write the values out or use "
                "fewer aliases"))]) from None
    if issues:
        raise PlanError(issues)
    return data, lines
