"""Trajectories: linear interpolation between years, constant outside."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plant.trajectory import Trajectory


def test_interpolates_linearly_between_years() -> None:
    traj = Trajectory({2025: 0.20, 2030: 0.15, 2050: 0.05})
    assert traj.at(2025) == pytest.approx(0.20)
    assert traj.at(2027) == pytest.approx(0.18)
    assert traj.at(2040) == pytest.approx(0.10)


def test_holds_constant_outside_given_years() -> None:
    traj = Trajectory({2025: 10.0, 2030: 20.0})
    assert traj.at(2000) == 10.0
    assert traj.at(2060) == 20.0


def test_constant_and_scaling() -> None:
    assert Trajectory(3.0).at(2040) == 3.0
    assert Trajectory({2025: 2.0, 2035: 4.0}).scaled(0.5).at(2030) == pytest.approx(1.5)


def test_unsorted_keys_are_sorted() -> None:
    assert Trajectory({2050: 0.0, 2030: 1.0}).at(2040) == pytest.approx(0.5)


@pytest.mark.parametrize("bad", [{}, {1800: 1.0}, float("nan")])
def test_rejects_empty_out_of_range_and_nan(bad: object) -> None:
    with pytest.raises(ValidationError):
        Trajectory.model_validate(bad)
