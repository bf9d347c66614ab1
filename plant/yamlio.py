"""Safe YAML reading that remembers where each key came from (file and line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from plant.errors import KeyPath, PathKey, PlanError, PlanIssue
from plant.files import FileRefused, FileTooLarge, read_limited

#: Where each key path was written: (file, 1-based line).
LineMap = dict[KeyPath, tuple[Path, int]]

#: Largest plan file read [bytes]: a site plan is a few tens of kB.
MAX_BYTES = 5 * 1024 * 1024
#: Most YAML nodes a plan may hold once its aliases are expanded (a plan has a few thousand;
#: an alias-expansion bomb has billions).
MAX_NODES = 200_000
#: Deepest nesting of blocks (mappings and lists) a plan may have, aliases expanded: a plan
#: has about 6 levels; each level costs PyYAML's composer a few Python stack frames, and
#: Python allows about 1,000, so 10,000 nested ``[`` would end in a RecursionError.
MAX_DEPTH = 50


class _TooLarge(Exception):
    """The node budget ran out while walking the document."""


class _Refused(Exception):
    """A document refused while reading it: where (line, key path) and why."""

    def __init__(self, line: int | None, path: KeyPath, message: str):
        super().__init__(message)
        self.line, self.path, self.message = line, path, message


def _too_deep(expanded: bool = False) -> str:
    how = " once its aliases (*name) are expanded" if expanded else ""
    return (f"nesting deeper than {MAX_DEPTH} levels{how}: not a site plan (a plan nests "
            "a few levels: section, entry, key, year)")


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose recursive composer refuses, before it runs out of Python
    stack, blocks nested deeper than :data:`MAX_DEPTH` and an alias used inside the block it
    names (``x: &a [*a]``: an endless value)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[PathKey] = []
        self._open: list[str | None] = []  # anchors of the blocks being composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        label = (index.value if isinstance(index, yaml.ScalarNode) else
                 "(key)" if index is None else index)
        here = (*self._path, label) if parent is not None else ()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise _Refused(event.start_mark.line + 1, here, (
                    f"recursive alias *{event.anchor}: it is used inside the block it names "
                    f"(&{event.anchor}), an endless value; write the values out"))
            return super().compose_node(parent, index)
        if len(here) > MAX_DEPTH:
            raise _Refused(event.start_mark.line + 1, here[:2], _too_deep())
        self._path[:] = here
        self._open.append(getattr(event, "anchor", None))
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.pop()
            del self._path[len(here) - 1:]


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
    if len(path) > MAX_DEPTH:  # aliases inside aliases: each shallow, together deep
        raise _Refused(lines.get(path[:2], (file, None))[1], path[:2],
                       _too_deep(expanded=True))
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
    """The file as UTF-8 text, or one PlanError saying why it is not a plan file (at most
    :data:`MAX_BYTES` + 1 bytes are read: ``/dev/zero`` or a FIFO is refused, not read)."""
    try:
        raw = read_limited(file, MAX_BYTES)
    except FileRefused as exc:
        raise PlanError([PlanIssue(file, None, (), str(exc))]) from None
    except FileTooLarge as exc:
        size = (f"{exc.size / 1024 / 1024:,.1f} MB" if exc.size is not None
                else f"more than {MAX_BYTES // 1024 // 1024} MB")
        raise PlanError([PlanIssue(file, None, (), (
            f"file is {size}; a site plan is at most {MAX_BYTES // 1024 // 1024} MB of text "
            "(hourly data belongs in a CSV under profiles.csv)"))]) from None
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


def _refused_issue(file: Path, exc: _Refused) -> PlanIssue:
    return PlanIssue(file, exc.line, exc.path, exc.message)


def read_yaml(file: Path) -> tuple[Any, LineMap]:
    """Read ``file`` with safe-load semantics; return the data and a key-path -> line map.

    Raises
    ------
    PlanError
        If the file is missing, unreadable, not valid YAML, or has duplicate keys.
    """
    text = _read_text(file)
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as exc:
        raise PlanError([_reader_issue(file, text, exc)]) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:
        raise PlanError([_reader_issue(file, text, exc)]) from None
    except _Refused as exc:
        raise PlanError([_refused_issue(file, exc)]) from None
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
        except _Refused as exc:
            raise PlanError([_refused_issue(file, exc)]) from None
        except _TooLarge:
            raise PlanError([PlanIssue(file, None, (), (
                f"more than {MAX_NODES:,} values once its aliases (*name) are expanded: "
                "not a site plan (an alias-expansion bomb?); write the values out or use "
                "fewer aliases"))]) from None
    if issues:
        raise PlanError(issues)
    return data, lines
