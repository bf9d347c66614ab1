"""Year-indexed trajectories: ``{2025: 0.20, 2030: 0.15, 2050: 0.05}`` or a constant.

Between given years a trajectory is interpolated linearly; before the first and after the
last given year it is held constant (no extrapolation of trends).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from pydantic import ConfigDict, RootModel, model_validator

MIN_YEAR = 1950
MAX_YEAR = 2100


class Trajectory(RootModel[float | dict[int, float]]):
    """A number, or a mapping from year to number, interpolated linearly in between.

    Examples
    --------
    >>> Trajectory({2025: 10.0, 2035: 20.0}).at(2030)
    15.0
    >>> Trajectory(3.0).at(2040)
    3.0
    """

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="after")
    def _check_years(self) -> Trajectory:
        value = self.root
        if isinstance(value, dict):
            if not value:
                raise ValueError("trajectory has no values: give a number or {year: value, ...}")
            for year in value:
                if not MIN_YEAR <= year <= MAX_YEAR:
                    raise ValueError(
                        f"trajectory year {year} is outside {MIN_YEAR}-{MAX_YEAR}"
                    )
            bad = [y for y, v in value.items() if not np.isfinite(v)]
            if bad:
                raise ValueError(f"trajectory value for {bad[0]} is not a finite number")
        elif not np.isfinite(value):
            raise ValueError("trajectory value is not a finite number")
        return self

    @property
    def points(self) -> dict[int, float]:
        """The given (year, value) points, sorted by year; a constant has none."""
        return dict(sorted(self.root.items())) if isinstance(self.root, dict) else {}

    def at(self, year: int | float) -> float:
        """Value in ``year``: linear between given years, constant outside them."""
        if not isinstance(self.root, dict):
            return float(self.root)
        pts = self.points
        return float(np.interp(year, list(pts), list(pts.values())))

    def over(self, years: Iterable[int]) -> np.ndarray:
        """Values for several years at once."""
        return np.array([self.at(y) for y in years], dtype=float)

    def values(self) -> list[float]:
        """All given values (the constant, or each year's value)."""
        return list(self.root.values()) if isinstance(self.root, dict) else [float(self.root)]

    def scaled(self, factor: float) -> Trajectory:
        """A new trajectory with every value multiplied by ``factor``."""
        if isinstance(self.root, dict):
            return Trajectory({y: v * factor for y, v in self.root.items()})
        return Trajectory(float(self.root) * factor)
