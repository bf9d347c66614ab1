"""Plan inputs and numbers under hostile input (issue 28): non-finite or overflowing numbers,
YAML that recurses or nests without end, files that never end or block, too many scenarios;
every refusal is one located line and exit 2, fast, and every JSON file written is strict.

Cases that would eat memory or hang on a regression run the command line in a subprocess
under a timeout and an address-space limit, so a failure is a failed test, not a lost machine.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cnplan.cli import app

from ..conftest import ROOT, SITES

runner = CliRunner()
MINIMAL = (SITES / "examples" / "minimal.yaml").read_text(encoding="utf-8")
#: Address space a refused input may take in a subprocess [bytes]: the command line needs
#: a few hundred MB; reading /dev/zero or expanding 10,000 scenarios needs far more.
MEMORY_LIMIT = 3 * 1024**3


def _plan(tmp_path: Path, old: str = "", new: str = "", name: str = "plan.yaml") -> Path:
    """The minimal plan with ``old`` replaced by ``new``, written to ``tmp_path``."""
    assert old in MINIMAL
    path = tmp_path / name
    path.write_text(MINIMAL.replace(old, new) if old else MINIMAL, encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _validate(path: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", str(path)])
    return result.exit_code, result.output


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _cli(*args: str, timeout: float = 60.0, env: dict[str, str] | None = None,
         ) -> tuple[int, str, float]:
    """Run ``cnplan ARGS`` in a subprocess (stdout and stderr piped, memory limited): exit
    code, stderr and seconds taken; a hang past ``timeout`` fails the test."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "cnplan.cli", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit_memory, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"cnplan {' '.join(args)} did not finish within {timeout:g} s (a hang)")
    return proc.returncode, proc.stderr, time.perf_counter() - start


def _one_line(output: str, *parts: str) -> str:
    """The one line of ``output`` holding every one of ``parts`` (fails if none does)."""
    lines = [ln for ln in output.splitlines() if all(p in ln for p in parts)]
    assert lines, output
    return lines[0]


# Numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "key"), [
    ("annual_mwh: 40000,", "annual_mwh: .inf,", "demand.electricity.annual_mwh"),
    ("annual_mwh: 40000,", "annual_mwh: -.inf,", "demand.electricity.annual_mwh"),
    ("{2018: 0.283, 2030: 0.04}", "{2018: 0.283, 2030: .nan}",
     "grid.carbon_intensity_t_per_mwh"),
    ("discount_rate: 0.07", "discount_rate: 0.07\n  exchange_rates: {EUR: .inf}",
     "finance.exchange_rates.EUR"),
])
def test_non_finite_numbers_are_refused_where_written(tmp_path: Path, old: str, new: str,
                                                      key: str) -> None:
    """`.inf` and `.nan` (a plain field, a trajectory's year, a dict's value) are refused as
    `file:line: key: must be a finite number`; `plan` writes nothing (was: "optimal, net
    present cost inf", exit 0, Infinity in summary.json)."""
    path = _plan(tmp_path, old, new)
    code, output = _validate(path)
    assert code == 2 and "Traceback" not in output, output
    line = _line_of(path, new.splitlines()[-1].strip())
    assert f"plan.yaml:{line}: {key}: must be a finite number" in output, output
    result = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "run"),
                                 "--resolution", "repdays:2", "--no-bau", "--no-report"])
    assert result.exit_code == 2 and not (tmp_path / "run").exists(), result.output


@pytest.mark.parametrize("price", ["1e308", "1e13", "-2e15"])
def test_numbers_that_overflow_the_model_are_refused(tmp_path: Path, price: str) -> None:
    """A price of 1e308 made the model's unit overflow (OverflowError traceback); every
    number of a plan is at most 1e12 in size, and the message says so."""
    path = _plan(tmp_path, "import_price_per_mwh: 200", f"import_price_per_mwh: {price}")
    code, output = _validate(path)
    assert code == 2 and "Traceback" not in output, output
    line = _one_line(output, f"plan.yaml:{_line_of(path, price)}: grid.import_price_per_mwh:")
    assert "at most 1e12" in line


def test_money_that_overflows_once_converted_is_refused(tmp_path: Path) -> None:
    """1e7 EUR/MWh is within the bound but 1e13 GBP/MWh at 1e6 GBP per EUR is not: refused
    where written, saying the conversion."""
    path = _plan(tmp_path, "grid:\n", "grid:\n  currency: EUR\n")
    text = path.read_text().replace("import_price_per_mwh: 200", "import_price_per_mwh: 1e7")
    path.write_text(text.replace("discount_rate: 0.07",
                                 "discount_rate: 0.07\n  exchange_rates: {EUR: 1.0e6}"))
    code, output = _validate(path)
    assert code == 2 and "Traceback" not in output, output
    line = _one_line(output, "grid.import_price_per_mwh: converted to GBP")
    assert "at most 1e12" in line


def test_a_non_finite_objective_is_a_numerical_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS reporting a plan whose objective is not finite: status numerical_error, exit 1,
    one line, nothing written (was: "optimal", exit 0)."""
    import highspy

    real = highspy.Highs.getInfo

    def infinite_objective(self: Any) -> Any:
        info = real(self)
        info.objective_function_value = math.inf
        return info

    monkeypatch.setattr(highspy.Highs, "getInfo", infinite_objective)
    out = tmp_path / "run"
    result = runner.invoke(app, ["plan", str(SITES / "examples" / "minimal.yaml"), "--out",
                                 str(out), "--resolution", "repdays:2", "--no-bau",
                                 "--no-report"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not out.exists()
    line = _one_line(result.output, "no plan found (numerical_error)")
    assert "not a finite number" in line


def test_summary_json_is_strict_json_even_with_a_missing_figure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real small run (with business as usual) writes summary.json files that a strict
    parser reads, even when a figure is NaN (here the MIP gap, as a MIP without a bound would
    give, reaching the writer unmapped): the figure is written as null."""
    import cnplan.runs

    real = cnplan.runs.summary

    def with_a_missing_figure(*args: Any, **kwargs: Any) -> dict:
        summ = real(*args, **kwargs)
        summ["objective"]["mip_gap"] = math.nan
        return summ

    monkeypatch.setattr(cnplan.runs, "summary", with_a_missing_figure)
    out = tmp_path / "run"
    result = runner.invoke(app, ["plan", str(SITES / "examples" / "minimal.yaml"), "--out",
                                 str(out), "--resolution", "repdays:2", "--no-report"])
    assert result.exit_code == 0, result.output

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    for path in (out / "summary.json", out / "bau" / "summary.json"):
        summ = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
        assert summ["objective"]["mip_gap"] is None


# YAML -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line", "key", "message"), [
    ("x: &a [*a]\n", 1, "x[0]", "recursive alias *a"),
    ("site:\n  name: x\n  y: &b {z: [1, *b]}\n", 3, "site.y.z[1]", "recursive alias *b"),
    ("x: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "x[0]", "nesting deeper than 50 levels"),
    ("x: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", 1, "x.a",
     "nesting deeper than 50 levels"),
])
def test_recursive_and_deep_yaml_is_refused_located(tmp_path: Path, text: str, line: int,
                                                    key: str, message: str) -> None:
    """A recursive alias or 10,000 nested blocks gave a RecursionError traceback: now one
    located line, exit 2, in well under a second."""
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    code, output = _validate(path)
    assert time.perf_counter() - start < 2.0
    assert code == 2 and "Traceback" not in output and "RecursionError" not in output, output
    assert f"plan.yaml:{line}: {key}: {message}" in output, output


def test_aliases_nested_in_aliases_are_refused_by_depth(tmp_path: Path) -> None:
    """200 anchors, each a list holding the one before: every block is shallow but the value
    nests 200 deep once expanded (a RecursionError later on): refused by depth."""
    rows = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 200)]
    path = tmp_path / "plan.yaml"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, output = _validate(path)
    assert code == 2 and "Traceback" not in output, output
    assert "nesting deeper than 50 levels once its aliases (*name) are expanded" in output


# Files that never end, block or are not files --------------------------------------------


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "directory"])
def test_a_plan_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path,
                                                              kind: str) -> None:
    """`/dev/zero` was read without end (memory), a FIFO blocked for ever; now each is one
    line and exit 2 within seconds."""
    target = {"dev_zero": Path("/dev/zero"), "fifo": _fifo(tmp_path), "directory": tmp_path}
    path = target[kind]
    code, stderr, seconds = _cli("validate", str(path))
    assert code == 2 and "Traceback" not in stderr, stderr
    assert seconds < 20
    assert f"{path}: (top level): is a " in _one_line(stderr, "not a regular file")


@pytest.mark.parametrize("kind", ["dev_zero", "fifo"])
def test_an_include_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path,
                                                                  kind: str) -> None:
    """The same for a file in `include:`, said at the include's line of the plan."""
    target = "/dev/zero" if kind == "dev_zero" else str(_fifo(tmp_path))
    path = _plan(tmp_path, "site:\n", f"include: [{target}]\nsite:\n")
    code, stderr, seconds = _cli("validate", str(path))
    assert code == 2 and "Traceback" not in stderr, stderr
    assert seconds < 20
    line = _one_line(stderr, f"plan.yaml:{_line_of(path, 'include:')}: include[0]: included "
                     f"file '{target}'")
    assert "not a regular file" in line


def test_a_profile_csv_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path) -> None:
    """A CSV profile path of /dev/zero was read by pandas without end."""
    path = _plan(tmp_path, "finance:\n", "profiles:\n  csv:\n    electricity: {path: /dev/zero, "
                 "column: mw}\n\nfinance:\n")
    code, stderr, seconds = _cli("validate", str(path))
    assert code == 2 and "Traceback" not in stderr, stderr
    assert seconds < 20
    assert "/dev/zero: profiles.csv.electricity.path: is a character device" in stderr, stderr


# Scenarios ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "line", "key", "verb"), [
    ("scenarios:\n" + "".join(f"  s{i}: {{probability: 0.0001}}\n" for i in range(10_000)),
     2, "scenarios", "list"),
    ("sample: {n: 5000, from: {grid.import_price_scale: {low: 0.5, high: 1.5}}}\n", 2,
     "sample.n", "draw"),
])
def test_too_many_scenarios_are_refused_before_any_is_built(tmp_path: Path, body: str,
                                                            line: int, key: str,
                                                            verb: str) -> None:
    """10,000 listed scenarios reached 4.75 GB before any model existed; now the count is
    checked first: one line naming --max-scenarios, exit 2, in seconds (the file is valid
    otherwise: a plan of two years, a stage in each)."""
    plan = _plan(tmp_path, "investment_years: [2025]", "investment_years: [2025, 2030]")
    scen = tmp_path / "scen.yaml"
    scen.write_text("stages: [2025, 2030]\n" + body, encoding="utf-8")
    code, stderr, seconds = _cli("plan", str(plan), "--scenarios", str(scen), "--out",
                                 str(tmp_path / "run"))
    assert code == 2 and "Traceback" not in stderr, stderr
    assert seconds < 30
    message = _one_line(stderr, f"scen.yaml:{line}: {key}: ")
    assert "more than 1,000" in message and f"{verb} fewer" in message
    assert "--max-scenarios N" in message
    assert not (tmp_path / "run").exists()


def test_max_scenarios_sets_the_limit(tmp_path: Path) -> None:
    scen = tmp_path / "scen.yaml"
    scen.write_text("stages: [2025]\nscenarios:\n  a: {probability: 0.5}\n"
                    "  b: {probability: 0.5}\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(SITES / "examples" / "minimal.yaml"),
                                 "--scenarios", str(scen), "--max-scenarios", "1", "--out",
                                 str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    assert "2 scenarios, more than 1:" in " ".join(result.output.split())


def test_scenario_file_errors_are_not_wrapped_when_piped(tmp_path: Path) -> None:
    """On a 40-column terminal, piped, each scenario-file problem is still one line."""
    scen = tmp_path / "a_rather_long_scenario_file_name.yaml"
    scen.write_text("stages: [2025]\nscenarios:\n  a: {probabilty: 1.0}\n", encoding="utf-8")
    code, stderr, _ = _cli("plan", str(SITES / "examples" / "minimal.yaml"), "--scenarios",
                           str(scen), "--out", str(tmp_path / "run"),
                           env={"COLUMNS": "40", "TERM": "xterm"})
    assert code == 2, stderr
    _one_line(stderr, f"{scen}:3: scenarios.a.probabilty: unknown key 'probabilty'",
              "did you mean 'probability'?")
    _one_line(stderr, f"error: {scen} is not a valid scenario file:")
