"""What the optimiser takes from the SOFC digital twin for each SOFC of a plan.

For every SOFC technology: the stack life (the plan's ``stack_life_hours``, or the age at
which the twin has lost ``end_of_life_power_loss`` of its full-load power,
:func:`sofc.life.stack_life`), the twin's curves at the ages 0, L/2 and L, the life-average
unit (:func:`sofc.life.life_average_curve`) and its convex fuel fit, and the operating limits
of the hot box (:func:`sofc.life.hot_standby`, :func:`sofc.life.cold_start`), all per MW of
nameplate (new-stack) net AC power. docs/sofc.md ("Stack life", "Operating limits") and
docs/optimiser.md ("SOFC") give the equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import xarray as xr

from plant.loader import LoadedPlan
from plant.schema import SOFC

#: hours in a year
HOURS_PER_YEAR = 8760.0
_J_PER_MWH = 3.6e9


class SofcPlanError(ValueError):
    """An SOFC of a plan the twin cannot model as given; ``key`` is the plan key path."""

    def __init__(self, key: tuple[str, ...], message: str):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class SofcUnit:
    """The twin's figures for one SOFC technology, per MW of nameplate net AC power."""

    fit: Any
    """Convex fuel fit of the life-average unit (:class:`sofc.curves.PiecewiseFit`), per kW
    of its own rating (the life-average full-load power)."""
    curve: xr.Dataset
    """The twin's curves at the stack ages 0, L/2 and L (for the results and the report)."""
    life_hours: float
    """Stack life L [h]."""
    rated_ratio: float
    """ρ̄: life-average full-load power over a new stack's [-]."""
    new_rated_kw: float
    """Full-load net AC power of the twin's system with a new stack [kW]."""
    standby_fuel: float
    """Fuel (LHV) of hot standby [MW per MW nameplate]."""
    standby_electricity: float
    """Site electricity of hot standby [MW per MW nameplate]."""
    start_hours: float
    """Time from cold to hot [h]."""
    start_fuel: float
    """Fuel (LHV) of one cold start [MWh per MW nameplate]."""
    start_electricity: float
    """Site electricity of one cold start [MWh per MW nameplate]."""
    max_starts_per_year: float
    """Cold starts a year each MW may make: thermal cycles per stack × A·8760/L [1/yr]."""
    availability: float
    """A: share of hours the unit can run [-] (the plan's)."""
    commitment: bool
    """Whole units (the plan's ``commitment``)."""


def sofc_inputs(loaded: LoadedPlan) -> dict[str, SofcUnit]:
    """The twin's figures for every SOFC technology of a plan, by technology name.

    Raises
    ------
    SofcPlanError
        If the twin cannot model the unit as the plan gives it (a stack life at which the
        twin keeps less than the end-of-life share of its power, a configuration the twin
        refuses).
    """
    import sofc

    out = {}
    for name, tech in loaded.plan.technologies.items():
        if isinstance(tech, SOFC):
            config = _config(loaded, name, tech)
            try:
                out[name] = _unit(config, tech, name)
            except sofc.SofcInputError as exc:
                raise SofcPlanError(("technologies", name, "config"), str(exc)) from None
    return out


def _config(loaded: LoadedPlan, name: str, tech: SOFC) -> Any:
    """The twin's configuration: the plan's config file, or the default system; the
    recovered heat goes to the technology's heat class, from its return to its supply."""
    import sofc

    try:
        config = (sofc.read_config(loaded.file.parent / tech.config) if tech.config
                  else sofc.SystemConfig())
    except sofc.SofcInputError as exc:
        raise SofcPlanError(("technologies", name, "config"), str(exc)) from None
    if tech.heat_class is not None:
        sink = loaded.plan.demand.heat[tech.heat_class]
        config = config.model_copy(update={"heat_supply_temperature_c": sink.temperature_c,
                                           "heat_return_temperature_c": sink.return_c})
    return config


def _unit(config: Any, tech: SOFC, name: str) -> SofcUnit:
    import sofc
    from sofc.life import cold_start, hot_standby, life_average_curve, power_retained, stack_life

    life = _life_hours(config, tech, name, stack_life, power_retained)
    curve = sofc.system_curve(config, operating_hours=(0.0, 0.5 * life, life))
    average = life_average_curve(curve, life)
    fit = sofc.piecewise_fit(average, min_power_fraction=tech.min_load_fraction)
    new = curve.sel(operating_hours=0.0)
    new_kw = float(new["rated_power_kw"])
    rated_fuel_w = float(new["fuel_kw"].values[-1]) * 1e3
    standby = hot_standby(config)
    start = cold_start(config, new_kw * 1e3, rated_fuel_w * config.auxiliary_burner_efficiency)
    per_mw = 1.0 / (new_kw * 1e3)  # W of the twin's system -> MW per MW nameplate
    cycles = tech.thermal_cycles_per_stack * tech.availability * HOURS_PER_YEAR / life
    return SofcUnit(
        fit=fit, curve=curve, life_hours=life, rated_ratio=float(average["rated_ratio"]),
        new_rated_kw=new_kw, standby_fuel=standby.fuel_w * per_mw,
        standby_electricity=standby.electricity_w * per_mw, start_hours=start.hours,
        start_fuel=start.fuel_j * per_mw * 1e6 / _J_PER_MWH,
        start_electricity=start.electricity_j * per_mw * 1e6 / _J_PER_MWH,
        max_starts_per_year=cycles, availability=tech.availability,
        commitment=tech.commitment)


def _life_hours(config: Any, tech: SOFC, name: str, stack_life: Any,
                power_retained: Any) -> float:
    """The plan's stack life, checked against the end-of-life rule, or the rule's life."""
    loss = tech.end_of_life_power_loss
    if tech.stack_life_hours is None:
        return float(stack_life(config, loss))
    kept = float(power_retained(config, tech.stack_life_hours))
    if kept < 1.0 - loss - 1e-9:
        life = stack_life(config, loss)
        raise SofcPlanError(
            ("technologies", name, "stack_life_hours"),
            f"at {tech.stack_life_hours:,.0f} h the stack keeps {kept:.0%} of its new power at "
            f"the twin's {config.degradation_pct_per_kh:g} %/1000 h, below the "
            f"{1 - loss:.0%} of end_of_life_power_loss {loss:g}; that rule gives "
            f"{life:,.0f} h: remove stack_life_hours, or give a lower "
            "degradation_pct_per_kh in the SOFC config")
    return float(tech.stack_life_hours)
