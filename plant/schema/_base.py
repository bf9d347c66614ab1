"""Shared configuration for every plan model: strict keys, frozen, documented fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from plant.bounds import number_problem
from plant.trajectory import Trajectory


class PlanModel(BaseModel):
    """Base of all plan sections: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
        allow_inf_nan=False,  # .inf and .nan: "must be a finite number" (plant.loader)
    )

    @field_validator("*", mode="after")
    @classmethod
    def _not_too_large(cls, value: Any) -> Any:
        """Every number at most :data:`plant.bounds.MAX_MAGNITUDE` in size (nested models
        and trajectories check their own)."""
        for where, number in _floats(value, ""):
            problem = number_problem(number)
            if problem:
                raise ValueError(f"{where}: {problem}" if where else problem)
        return value


def _floats(value: Any, where: str) -> Iterator[tuple[str, float]]:
    """The floats in a field's value (in its lists, tuples and dict values), with where."""
    if isinstance(value, float):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _floats(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _floats(item, f"{where}[{index}]")


NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Year = Annotated[int, Field(ge=1950, le=2100)]

__all__ = ["Fraction", "NonNegative", "PlanModel", "Positive", "Trajectory", "Year"]


def _non_negative(traj: Trajectory) -> Trajectory:
    if any(v < 0 for v in traj.values()):
        raise ValueError("must not be negative")
    return traj


def _fraction(traj: Trajectory) -> Trajectory:
    if any(not 0 <= v <= 1 for v in traj.values()):
        raise ValueError("must be a fraction between 0 and 1 (e.g. 0.25 for 25 %)")
    return traj


def _positive(traj: Trajectory) -> Trajectory:
    if any(v <= 0 for v in traj.values()):
        raise ValueError("must be greater than zero")
    return traj


NonNegativeTrajectory = Annotated[Trajectory, AfterValidator(_non_negative)]
PositiveTrajectory = Annotated[Trajectory, AfterValidator(_positive)]
FractionTrajectory = Annotated[Trajectory, AfterValidator(_fraction)]

__all__ += ["FractionTrajectory", "NonNegativeTrajectory", "PositiveTrajectory"]


class Priced(PlanModel):
    """An item with money values: their currency and price year, if not the plan's.

    The loader converts every field named in ``money_fields`` to the site currency in the
    plan's price year (``finance.price_year``): value × index(price year of the plan) /
    index(own price year) in the own currency, then × the exchange rate (docs/plans.md).
    """

    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency of this item's money values, if not the site currency."""
    price_year: Year | None = None
    """Year whose prices this item's money values are in (e.g. 2020 for EUR2020), if not the
    plan's price year."""

    #: Money fields converted to the site currency and price year by the loader.
    money_fields: ClassVar[tuple[str, ...]] = ()


__all__ += ["Priced"]
