"""The broken-plan corpus: every mistake gets one clear located message, exit code 2.

Each file in ``tests/broken_plans`` starts with ``# expect: <message part>`` and, where the
mistake is in that file, ``# expect-line: <line>``; ``# args: --strict`` runs it with those
options (a warning made an error). The check runs the real command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnplan.cli import app

CORPUS = Path(__file__).parent / "broken_plans"
CASES = sorted(CORPUS.glob("*.yaml"))


def _expectations(path: Path) -> tuple[str, int | None, list[str]]:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^# expect: (.+)$", text, re.M)
    line = re.search(r"^# expect-line: (\d+)$", text, re.M)
    args = re.search(r"^# args: (.+)$", text, re.M)
    assert expect, f"{path.name} has no '# expect:' header"
    return (expect.group(1), int(line.group(1)) if line else None,
            args.group(1).split() if args else [])


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_plan_message(path: Path) -> None:
    expect, line, args = _expectations(path)
    result = CliRunner().invoke(app, ["validate", str(path), *args], terminal_width=400)
    output = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert expect in output, output
    if line is not None:
        assert f"{path.name}:{line}: " in output, output
