"""Shared configuration for every plan model: strict keys, frozen, documented fields."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from plant.trajectory import Trajectory


class PlanModel(BaseModel):
    """Base of all plan sections: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=True,
    )


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
