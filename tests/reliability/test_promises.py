"""README's "Promises under faults": every promise names tests, and each named test exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _promise_rows() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Promises under faults", 1)[1].split("\n#", 1)[0]
    return [ln for ln in section.splitlines() if ln.startswith("| ") and "`" in ln
            and not ln.startswith("| promise")]


def _named_tests(row: str) -> list[tuple[Path, str]]:
    """(file, test name) for each `file.py::name` or `::name` (same file as before)."""
    cell = row.rstrip(" |").rsplit(" | ", 1)[1]
    out, current = [], None
    for ref in re.findall(r"`([^`]+)`", cell):
        file, _, name = ref.rpartition("::")
        if file:
            current = ROOT / (file if "/" in file else f"tests/reliability/{file}")
        assert current is not None, ref
        out.append((current, name))
    return out


def test_every_promise_names_tests_that_exist():
    rows = _promise_rows()
    assert len(rows) >= 10
    for row in rows:
        named = _named_tests(row)
        assert named, row
        for file, name in named:
            assert file.is_file(), f"{file} (named in README) does not exist"
            assert re.search(rf"^def {re.escape(name)}\(", file.read_text(encoding="utf-8"),
                             re.M), f"{file.name}::{name} (named in README) does not exist"
