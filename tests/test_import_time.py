"""Fast start (issue 26): ``cnplan --help`` and ``cnplan validate`` load no heavy library.

Nothing here is timed: each check runs in a fresh interpreter and asserts which modules are
in ``sys.modules``, which is what the start-up time depends on and does not vary with the
machine's load.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, SITES

#: Libraries that cost a noticeable part of a second to import (tsam with scikit-learn,
#: Cantera, Pyomo, matplotlib, WeasyPrint, and the data stack under the profiles): imported
#: only by the commands that use them. numpy (plan trajectories) is allowed.
HEAVY = ("tsam", "sklearn", "cantera", "pyomo", "matplotlib", "weasyprint", "pvlib", "xarray",
         "dask", "highspy", "pandas", "scipy", "holidays")


def _heavy_after(code: str) -> list[str]:
    """Heavy modules loaded after running ``code`` in a fresh interpreter."""
    script = (f"import json, sys\n{code}\n"
              f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _heavy_after("import cnplan.cli") == []


@pytest.mark.parametrize(("args", "exit_code"), [
    (["--help"], 0),
    (["sofc", "--help"], 0),
    (["validate", str(SITES / "examples" / "minimal.yaml")], 0),
    (["validate", str(SITES / "tochigi.yaml")], 0),
    (["validate", "missing.yaml"], 2),
])
def test_help_and_validate_load_no_heavy_library(args: list[str], exit_code: int) -> None:
    code = ("from typer.testing import CliRunner\n"
            "from cnplan.cli import app\n"
            f"result = CliRunner().invoke(app, {args!r})\n"
            f"assert result.exit_code == {exit_code}, (result.exit_code, result.output)\n"
            "assert result.exception is None or isinstance(result.exception, SystemExit), "
            "result.exception")
    assert _heavy_after(code) == []


def test_lazy_names_resolve_to_the_real_objects() -> None:
    import plant.profiles
    import sofc
    from plant.profiles import aggregate, build
    from plant.profiles.aggregate import aggregate as aggregate_function

    assert plant.profiles.build_profiles is build.build_profiles
    assert plant.profiles.heat_pump_cop is build.heat_pump_cop
    assert aggregate is aggregate_function
    assert set(plant.profiles.__all__) <= set(dir(plant.profiles))
    for name in sofc.__all__:
        assert getattr(sofc, name) is not None
    assert set(sofc.__all__) <= set(dir(sofc))
    with pytest.raises(AttributeError):
        getattr(sofc, "no_such_name")  # noqa: B009
