"""Year-indexed trajectories: ``{2025: 0.20, 2030: 0.15, 2050: 0.05}`` or a constant.

Between given years a trajectory is interpolated linearly; before the first and after the
last given year it is held constant (no extrapolation of trends).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from pydantic import ConfigDict, RootModel, model_validator

from plant.bounds import number_problem

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
            for year, number in value.items():
                problem = number_problem(number)
                if problem:
                    raise ValueError(f"{problem} (in {year})")
        elif problem := number_problem(value):
            raise ValueError(problem)
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
        """A new trajectory with every value multiplied by ``factor``.

        Not validated again: a derived value (a cost per MWh saved as a cost per MW, money
        converted to the site currency) may exceed the bound on what a plan may say
        (:mod:`plant.bounds`); the loader checks conversions (:mod:`plant.currency`)."""
        if isinstance(self.root, dict):
            return Trajectory.model_construct({y: v * factor for y, v in self.root.items()})
        return Trajectory.model_construct(float(self.root) * factor)
