"""Hourly demand in the reference year, split by what drives it."""

from __future__ import annotations

import numpy as np

from plant.schema.demand import DemandShares

#: Demand components by driver: "weather" is the heating part (heating degree-hours; its name
#: is kept from before cooling existed, so old results and plans read the same).
COMPONENTS = ("production", "weather", "cooling", "constant")


def _normalise(shape: np.ndarray) -> np.ndarray:
    total = shape.sum()
    return shape / total if total > 0 else np.full_like(shape, 1.0 / len(shape))


def demand_components_mw(spec: DemandShares, annual_mwh: float, activity: np.ndarray,
                         heating_degree_hours: np.ndarray, cooling_degree_hours: np.ndarray,
                         metered: np.ndarray | None = None) -> np.ndarray:
    """Hourly demand [MW] per component of :data:`COMPONENTS`, shape (4, 8760), summing to
    ``annual_mwh``.

    P_k(t) = s_k · E · f_k(t) / Σ_t f_k(t) over 1-hour steps, with E the annual demand [MWh],
    s_k the component's share and f_k its driver: production activity (shift hours) for
    ``production``, heating degree-hours max(0, T_heat − T) [K·h] for ``weather``, cooling
    degree-hours max(0, T − T_cool) [K·h] for ``cooling``, 1 for ``constant``. A driver that
    is zero all year (no hour beyond its base) is spread evenly (f_k = 1; warning W108). With a
    metered shape m(t), every component takes that shape (f_k = m, scaled by its share) so
    that the production part still scales with vehicles in later years.
    """
    shares = np.array([spec.production_share, spec.weather_share, spec.cooling_share,
                       spec.constant_share])
    if metered is not None:
        shapes = np.tile(_normalise(metered), (len(COMPONENTS), 1))
    else:
        shapes = np.stack([_normalise(activity), _normalise(heating_degree_hours),
                           _normalise(cooling_degree_hours), _normalise(np.ones_like(activity))])
    return shapes * (shares * annual_mwh)[:, None]
