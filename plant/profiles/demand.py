"""Hourly demand in the reference year, split by what drives it."""

from __future__ import annotations

import numpy as np

from plant.schema.demand import DemandShares

COMPONENTS = ("production", "weather", "constant")


def _normalise(shape: np.ndarray) -> np.ndarray:
    total = shape.sum()
    return shape / total if total > 0 else np.full_like(shape, 1.0 / len(shape))


def demand_components_mw(spec: DemandShares, annual_mwh: float, activity: np.ndarray,
                         degree_hours: np.ndarray, metered: np.ndarray | None = None,
                         ) -> np.ndarray:
    """Hourly demand [MW] per component, shape (3, 8760), summing to ``annual_mwh``.

    Production part ∝ production activity (shift hours), weather part ∝ heating degree-hours,
    constant part flat. With a metered shape, every component takes that shape (scaled by its
    share) so that the production part still scales with vehicles in later years.
    """
    shares = np.array([spec.production_share, spec.weather_share, spec.constant_share])
    if metered is not None:
        shapes = np.tile(_normalise(metered), (3, 1))
    else:
        shapes = np.stack([_normalise(activity), _normalise(degree_hours),
                           _normalise(np.ones_like(activity))])
    return shapes * (shares * annual_mwh)[:, None]
