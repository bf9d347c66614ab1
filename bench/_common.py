"""Shared helpers of the benchmarks: run a case in a child process, medians, machine facts.

Each measured case runs in its own Python process (``python bench/_case.py KIND JSON``), so
that its peak resident memory is its own: the parent waits for it with :func:`os.wait4`,
which returns the child's ``ru_maxrss`` (the per-child form of
``resource.getrusage(RUSAGE_CHILDREN)``). The child prints one JSON line of figures last.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CASE = BENCH / "_case.py"


def run_child(kind: str, spec: dict[str, Any], env: dict[str, str] | None = None,
              timeout: float = 900.0) -> dict[str, Any]:
    """Run one case in a fresh process; its figures plus ``wall_s`` and ``peak_rss_mb``."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(CASE), kind, json.dumps(spec)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, **(env or {})})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout:.0f} s", **spec}
    # communicate() has reaped the child; its rusage is in RUSAGE_CHILDREN only as a maximum
    # over all children, so the child reports its own ru_maxrss too (see _case.py).
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-15:])
        return {"error": f"exit {proc.returncode}: {tail}", **spec}
    figures = json.loads(out.strip().splitlines()[-1])
    figures["process_wall_s"] = wall
    return figures


def repeat(kind: str, spec: dict[str, Any], n: int, env: dict[str, str] | None = None,
           ) -> dict[str, Any]:
    """Run a case ``n`` times; medians of every number, the raw runs kept under ``runs``."""
    runs = [run_child(kind, spec, env) for _ in range(n)]
    good = [r for r in runs if "error" not in r]
    if not good:
        return {**runs[0], "runs": runs, "repeats": 0}
    med: dict[str, Any] = {}
    for key, value in good[0].items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            med[key] = value
        else:
            med[key] = statistics.median(float(r[key]) for r in good if key in r)
    med["repeats"] = len(good)
    med["runs"] = runs
    return med


def machine() -> dict[str, Any]:
    """Where and with what the benchmark ran."""
    import highspy
    import pyomo

    info: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "pyomo": pyomo.__version__,
        "highspy": _version("highspy", highspy),
    }
    for name in ("pypsa", "linopy", "xarray", "numpy", "pandas", "tsam"):
        info[name] = _version(name)
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                            capture_output=True, text=True).stdout.strip()
    except OSError:
        info["git_commit"] = "?"
    return info


def _version(name: str, module: Any = None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return getattr(module, "__version__", "not installed")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def loglog_exponent(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log y against log x (None with fewer than two usable points)."""
    import numpy as np

    pts = [(x, y) for x, y in zip(xs, ys, strict=True) if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    lx, ly = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(lx, ly, 1)[0])
