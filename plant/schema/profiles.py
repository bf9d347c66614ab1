"""Plan section controlling how hourly profiles are made (synthetic or from CSV)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plant.schema._base import PlanModel, Positive, Year

#: Profile names that a CSV may replace, and what their values mean.
CSV_PROFILE_MEANINGS = {
    "temperature": "ambient air temperature [°C]",
    "solar": "PV output per unit of rated power [MW/MWp, 0-1]",
    "wind": "wind output per unit of rated power [MW/MW, 0-1]",
    "grid_carbon_shape": "grid carbon intensity relative to its annual mean [-]",
    "grid_price_shape": "grid import price relative to its annual mean [-]",
    "electricity": "electricity demand [MW] (a shape unless scale_to_annual is false)",
}


class CsvProfile(PlanModel):
    """An hourly profile read from a CSV file with one row per hour of the year."""

    path: str
    """CSV file, relative to the plan file."""
    column: str
    """Column holding the values."""
    scale_to_annual: bool = True
    """For demand: rescale so the annual total matches the plan's annual_mwh."""


class Resources(PlanModel):
    """Seeds and statistics of the synthetic weather."""

    seed: int = 2018
    """Random seed: the same seed gives the same profiles."""
    profile_year: Year = 2023
    """Calendar year whose weekdays and holidays shape the hourly year (8760 h)."""
    mean_clear_sky_index: float = Field(default=0.55, gt=0.1, le=1.0)
    """Annual mean ratio of actual to clear-sky irradiance (cloudiness)."""
    wind_weibull_shape: Positive = 2.0
    """Weibull shape k of hourly wind speed."""
    wind_autocorrelation_hours: Positive = 24.0
    """e-folding time of wind speed anomalies [h]."""
    linke_turbidity: float = Field(default=3.0, ge=1.0, le=8.0)
    """Linke turbidity for the clear-sky model (3 ≈ rural mid-latitudes)."""


class Aggregation(PlanModel):
    """How representative days are chosen (docs/optimiser.md, "Representative days" and
    "Adequacy")."""

    stress_days: bool = True
    """Adequacy by construction: keep each carrier's peak-demand day and the highest
    residual-electricity day as periods of their own (weight 1), and hold heat supply to
    the fleet alive at the end of each span, so that capacities are sized for the real
    peaks of every year (docs/optimiser.md, "Adequacy")."""
    renewable_weight: float = Field(default=1.0, gt=0, le=100)
    """Weight of the solar and wind capacity factors in the clustering of days, relative to
    every other series (1: the same)."""
    representation: Literal["distribution", "medoid"] = "distribution"
    """How each cluster of days is represented: ``distribution`` (each series keeps its
    cluster's distribution of hourly values, in the hour order of the medoid day; Hoffmann,
    Kotzur and Stolten 2022) or ``medoid`` (the real day closest to the cluster's centre,
    rescaled so that annual totals are kept)."""
    link_storage: Literal["seasonal", "all"] = "seasonal"
    """Which stores carry their state of charge from one calendar day to the next across
    representative days (Kotzur et al. 2018): ``seasonal`` (more than 24 h of storage; the
    others are cyclic within each typical day) or ``all`` (every store, except batteries
    under an hourly clean-electricity target, whose clean ledger is cyclic within the day).
    Measured in docs/optimiser.md, "Representative days"."""


class Profiles(PlanModel):
    """How the hourly year is made."""

    resources: Resources = Resources()
    aggregation: Aggregation = Aggregation()
    csv: dict[
        Literal[
            "temperature", "solar", "wind", "grid_carbon_shape", "grid_price_shape", "electricity"
        ]
        | str,
        CsvProfile,
    ] = {}
    """Profiles replaced by CSV files; heat classes use their name (e.g. heat_low)."""
