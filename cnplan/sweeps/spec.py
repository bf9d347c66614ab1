"""What a sweep varies: ``--set KEY=a:b:n`` ranges, grid or Latin-hypercube points."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Sampling = Literal["grid", "lhs"]
#: Most points a sweep runs unless told otherwise (``cnplan sweep --max-points``): checked
#: from the axis sizes before any point is made, so a typo such as ``1:2:1000000`` is
#: refused at once instead of filling memory and running for days.
MAX_POINTS = 10_000


class SweepSpecError(ValueError):
    """A ``--set`` or sampling option that cannot be read."""


@dataclass(frozen=True)
class Axis:
    """One swept key path and its range."""

    key: str
    low: float
    high: float
    n: int

    @classmethod
    def parse(cls, text: str) -> Axis:
        """``"KEY=a:b:n"`` (n evenly spaced values from a to b), ``"KEY=a:b"`` (for lhs) or
        ``"KEY=v"`` (one value).

        Examples
        --------
        >>> Axis.parse("fuels.bioethanol.price_scale=0.5:1.5:11").values()[:2]
        array([0.5, 0.6])
        """
        key, sep, rng = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SweepSpecError(f"--set {text!r}: expected KEY=a:b:n, e.g. "
                                 "fuels.bioethanol.price_scale=0.5:1.5:11")
        parts = rng.split(":")
        try:
            nums = [float(p) for p in parts[:2]]
            n = int(parts[2]) if len(parts) == 3 else (1 if len(parts) == 1 else 2)
        except ValueError:
            raise SweepSpecError(f"--set {text!r}: a, b must be numbers and n an integer "
                                 "(KEY=a:b:n)") from None
        if len(parts) > 3 or n < 1 or not all(np.isfinite(nums)):
            raise SweepSpecError(f"--set {text!r}: expected KEY=a:b:n with finite a, b and "
                                 "n ≥ 1")
        low, high = (nums[0], nums[0]) if len(nums) == 1 else (nums[0], nums[1])
        return cls(key, low, high, n)

    def values(self) -> np.ndarray:
        """The grid values of this axis."""
        return np.linspace(self.low, self.high, self.n)


@dataclass(frozen=True)
class Point:
    """One plan of the sweep: its id, its position on the grid (if any) and its values."""

    id: str
    values: dict[str, float]
    index: tuple[int, ...] = ()


@dataclass(frozen=True)
class SweepSpec:
    """The swept axes and how points are drawn from them."""

    axes: tuple[Axis, ...]
    sample: Sampling = "grid"
    n: int | None = None
    """Number of points for ``lhs``."""
    seed: int = 0

    def __post_init__(self) -> None:
        keys = [a.key for a in self.axes]
        if not keys:
            raise SweepSpecError("a sweep needs at least one --set KEY=a:b:n")
        if len(set(keys)) != len(keys):
            raise SweepSpecError(f"--set names a key twice: {keys}")
        if self.sample not in ("grid", "lhs"):
            raise SweepSpecError(f"--sample must be grid or lhs, got {self.sample!r}")
        if self.sample == "lhs" and (self.n is None or self.n < 1):
            raise SweepSpecError("--sample lhs needs --n N (number of points)")

    @property
    def keys(self) -> list[str]:
        """Swept key paths in order."""
        return [a.key for a in self.axes]

    @property
    def size(self) -> int:
        """Number of points, from the axis sizes (no point is made)."""
        return math.prod(a.n for a in self.axes) if self.sample == "grid" else (self.n or 0)

    def check_size(self, limit: int = MAX_POINTS) -> None:
        """Raise :class:`SweepSpecError` if the sweep has more than ``limit`` points."""
        if self.size <= limit:
            return
        how = (f" ({' × '.join(str(a.n) for a in self.axes)})"
               if self.sample == "grid" and len(self.axes) > 1 else "")
        raise SweepSpecError(f"the sweep has {self.size:,} points{how}, more than "
                             f"--max-points {limit:,}; pass --max-points {self.size} to run "
                             "them all, or sweep fewer values")

    def points(self) -> list[Point]:
        """Every point, in a deterministic order with deterministic ids.

        Grid points run through the last axis fastest (neighbours differ in one value, which
        keeps the warm start of a re-solve close). Latin-hypercube points use
        ``scipy.stats.qmc.LatinHypercube`` seeded with ``seed``. An id is the point's number
        and a hash of its values, so rerunning the same sweep finds the same ids.
        """
        if self.sample == "grid":
            grids = [a.values() for a in self.axes]
            out = []
            for number, index in enumerate(itertools.product(*(range(len(g)) for g in grids))):
                values = {a.key: float(g[i]) for a, g, i in zip(self.axes, grids, index,
                                                                 strict=True)}
                out.append(Point(_point_id(number, values), values, tuple(index)))
            return out
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(self.axes), seed=self.seed).random(self.n or 0)
        out = []
        for number, row in enumerate(unit):
            values = {a.key: float(a.low + u * (a.high - a.low))
                      for a, u in zip(self.axes, row, strict=True)}
            out.append(Point(_point_id(number, values), values))
        return out

    def to_json(self) -> dict:
        """A JSON-able description (stored as ``sweep.json``)."""
        return {"sample": self.sample, "n": self.n, "seed": self.seed,
                "axes": [{"key": a.key, "low": a.low, "high": a.high, "n": a.n}
                         for a in self.axes]}

    @classmethod
    def from_json(cls, data: dict) -> SweepSpec:
        """Inverse of :meth:`to_json`."""
        return cls(tuple(Axis(a["key"], a["low"], a["high"], a["n"]) for a in data["axes"]),
                   data["sample"], data["n"], data["seed"])


def _point_id(number: int, values: dict[str, float]) -> str:
    text = json.dumps(values, sort_keys=True)
    return f"p{number:05d}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"
