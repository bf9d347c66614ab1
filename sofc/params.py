"""Parameter sets: cell (:class:`CellParameters`) and system (:class:`SystemConfig`).

Both are frozen pydantic models with ``extra="forbid"``, loaded from YAML by
:func:`read_cell_parameters` and :func:`read_config`. Cell parameters are in SI
(m, S/m, A/m2, J/mol, Ohm m2) because they are copied from literature tables;
the system configuration uses the units in each field's name (degC, cm2, A/cm2,
kPa, W), converted to SI by the model. Packaged parameter sets live in
``sofc/data/*.yaml`` and can be named instead of a path.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sofc.errors import SofcInputError

__all__ = [
    "ArrheniusConductivity",
    "Electrode",
    "Electrolyte",
    "CellParameters",
    "SystemConfig",
    "DEFAULT_CELL",
    "read_cell_parameters",
    "parse_cell_parameters",
    "read_config",
    "parse_config",
    "packaged_parameter_sets",
]

DEFAULT_CELL = "ms-sofc-it"
"""Name of the default packaged cell parameter set."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArrheniusConductivity(_Frozen):
    """Conductivity law :math:`\\sigma = A\\,T^{n}\\exp(-B/T)` [S/m]."""

    pre_exponential: float = Field(gt=0, description="A [S/m K^-n]")
    activation_temperature_k: float = Field(description="B = E_a/R [K]")
    temperature_exponent: float = Field(0.0, description="n [-], 0 or -1")
    source: str = ""

    def __call__(self, temperature: Any) -> Any:
        """Conductivity [S/m] at ``temperature`` [K] (scalar or numpy array)."""
        import numpy as np

        t = np.asarray(temperature, dtype=float)
        return self.pre_exponential * t**self.temperature_exponent * np.exp(
            -self.activation_temperature_k / t
        )


class Electrolyte(_Frozen):
    """Dense electrolyte layer."""

    material: str = ""
    thickness_m: float = Field(gt=0, description="thickness [m]")
    conductivity: ArrheniusConductivity


class Electrode(_Frozen):
    """Porous electrode (with its gas-diffusion support for the fuel side).

    The exchange current density follows IDAES/Kazempoor-Braun:
    :math:`i_0 = A\\,T^m\\prod_j y_j^{\\gamma_j}\\exp(-E/RT)`.
    """

    material: str = ""
    thickness_m: float = Field(gt=0, description="electronically conducting thickness [m]")
    conductivity: ArrheniusConductivity
    diffusion_thickness_m: float = Field(gt=0, description="gas diffusion path [m]")
    porosity: float = Field(gt=0, lt=1, description="[-]")
    tortuosity: float = Field(ge=1, description="[-]")
    pore_radius_m: float = Field(gt=0, description="mean pore radius [m]")
    exchange_current_pre_exponential_a_m2: float = Field(gt=0, description="A [A/m2]")
    exchange_current_activation_energy_j_mol: float = Field(ge=0, description="E [J/mol]")
    exchange_current_temperature_exponent: float = Field(
        0.0, description="m in an optional T^m factor of i0 [-]"
    )
    exchange_current_exponents: dict[str, float] = Field(
        description="gamma_j per species (mole-fraction exponents) [-]"
    )
    alpha_anodic: float = Field(gt=0, le=4, description="anodic transfer coefficient [-]")
    alpha_cathodic: float = Field(gt=0, le=4, description="cathodic transfer coefficient [-]")
    source: str = ""


class CellParameters(_Frozen):
    """Electrochemical and geometric parameters of one cell.

    Attributes
    ----------
    name, description : str
        Identification and provenance of the set.
    electrolyte : Electrolyte
    anode, cathode : Electrode
        Fuel electrode (with metal support as diffusion path) and air electrode.
    contact_asr_ohm_m2 : float
        Area-specific contact resistance of the repeat unit [Ohm m2].
    min_temperature_k, max_temperature_k : float
        Validity range of the parameter set [K].
    """

    name: str
    description: str = ""
    electrolyte: Electrolyte
    anode: Electrode
    cathode: Electrode
    contact_asr_ohm_m2: float = Field(ge=0, description="[Ohm m2]")
    min_temperature_k: float = Field(gt=0)
    max_temperature_k: float = Field(gt=0)

    @field_validator("anode")
    @classmethod
    def _anode_species(cls, v: Electrode) -> Electrode:
        unknown = set(v.exchange_current_exponents) - {"H2", "H2O"}
        if unknown:
            raise ValueError(f"anode exchange-current exponents name unknown species {unknown}")
        return v

    @field_validator("cathode")
    @classmethod
    def _cathode_species(cls, v: Electrode) -> Electrode:
        unknown = set(v.exchange_current_exponents) - {"O2"}
        if unknown:
            raise ValueError(f"cathode exchange-current exponents name unknown species {unknown}")
        return v


class SystemConfig(_Frozen):
    """Configuration of the ethanol SOFC system (tank -> reformer -> stack -> inverter).

    Units are in the field names; every field has a documented default so that
    ``SystemConfig()`` is the reference design (see ``docs/sofc.md``).
    """

    cell_parameters: str = Field(
        DEFAULT_CELL, description="packaged set name or path to a cell-parameter YAML file"
    )
    # fuel and reformer
    ethanol_volume_fraction: float = Field(
        0.45, gt=0, lt=1, description="ethanol in the liquid blend by volume [-] (45/55)"
    )
    steam_to_carbon: float | None = Field(
        None, gt=0, description="overrides the blend if set [mol/mol]"
    )
    reformer_temperature_c: float = Field(
        550.0, description="pre-reformer temperature [degC]; CH4 left is reformed in the stack"
    )
    reformer_approach_k: float = Field(0.0, ge=0, description="approach to equilibrium [K]")
    reformer_conversion_fraction: float = Field(
        1.0, gt=0, le=1, description="ethanol pre-reformed to equilibrium [-]"
    )
    pressure_kpa: float = Field(101.325, gt=0, description="stack/reformer pressure [kPa]")
    # stack
    n_cells: int = Field(120, ge=1, description="cells in the stack [-]")
    active_area_cm2: float = Field(100.0, gt=0, description="active area per cell [cm2]")
    n_segments: int = Field(30, ge=1, le=500, description="segments along the channel [-]")
    design_current_density_a_cm2: float = Field(
        0.3, gt=0, description="current density at 100 % load [A/cm2]"
    )
    fuel_utilisation: float = Field(0.85, description="[-], 0 < Uf < 1")
    stack_inlet_temperature_c: float = Field(640.0, description="[degC]")
    stack_temperature_rise_k: float = Field(
        100.0, gt=0, description="allowed air/stack temperature rise inlet->outlet [K]"
    )
    min_air_ratio: float = Field(2.0, gt=1, description="lambda_min = O2 fed / O2 used [-]")
    stack_heat_loss_w: float = Field(150.0, ge=0, description="hot-box heat loss [W]")
    stack_thermal: Literal["linear", "energy_balance"] = Field(
        "energy_balance",
        description="stack temperature: 'linear' from inlet to outlet (lumped air balance), "
        "or 'energy_balance' along the channel with kinetic internal reforming, the air "
        "sized to the hottest point (sofc/hotbox.py)",
    )
    stack_flow: Literal["co", "counter"] = Field(
        "co", description="air against the fuel: co- or counter-flow (energy_balance only)"
    )
    # balance of plant
    ambient_temperature_c: float = Field(15.0, description="[degC]")
    air_pressure_drop_kpa: float = Field(
        5.0, ge=0, description="air path pressure drop at 100 % load [kPa]"
    )
    blower_efficiency: float = Field(0.5, gt=0, le=1, description="blower+motor [-]")
    pump_pressure_kpa: float = Field(300.0, ge=0, description="liquid feed pump head [kPa]")
    pump_efficiency: float = Field(0.3, gt=0, le=1, description="[-]")
    controls_w: float = Field(190.0, ge=0, description="controls and sensors [W]")
    inverter_efficiency: float = Field(0.95, gt=0, le=1, description="DC/AC [-]")
    inverter_standby_w: float = Field(20.0, ge=0, description="no-load inverter loss [W]")
    auxiliary_heat: Literal["fuel", "electric"] = Field(
        "fuel", description="what covers a heat deficit of the afterburner"
    )
    auxiliary_burner_efficiency: float = Field(0.85, gt=0, le=1, description="[-]")
    electric_heater_efficiency: float = Field(0.98, gt=0, le=1, description="[-]")
    heat_supply_temperature_c: float = Field(
        60.0, description="process heat sink (heat class) supply temperature [degC]"
    )
    heat_return_temperature_c: float = Field(
        40.0,
        description="process heat sink return temperature [degC]; below the flue dew point "
        "the flue condenses",
    )
    # operation
    min_load_fraction: float = Field(
        0.1, gt=0, lt=1,
        description="balance-of-plant turndown limit (blower, pump, inverter), as a fraction "
        "of design current [-]; the curve's minimum load is the higher of this and the "
        "lowest load at which the stack holds its temperature without external heat",
    )
    degradation_pct_per_kh: float = Field(
        0.5, ge=0, description="voltage loss at constant current [%/1000 h]"
    )
    # hot box: standby and start-up (sofc/life.py)
    hot_box_heat_capacity_kj_per_k_per_kw: float = Field(
        312.5, gt=0, le=1e4,
        description="heat capacity of the hot box (stack, manifolds, insulation) per kW of "
        "new rated net AC power [kJ/K/kW]; 500 kJ/K for a 1.6 kW BlueGen (docs/sofc-data.md "
        "4.1 c)",
    )
    heat_up_rate_k_per_min: float = Field(
        5.0, gt=0, le=200,
        description="fastest allowed heating of the stack from cold [K/min]; typical SOFC "
        "start-up ~5 K/min (docs/sofc-data.md 5.2)",
    )

    @field_validator("fuel_utilisation")
    @classmethod
    def _uf(cls, v: float) -> float:
        if not 0.0 < v < 1.0:
            raise ValueError(f"fuel utilisation must be in (0, 1), got {v}")
        return v


def _wrap_validation(exc: ValidationError, what: str) -> SofcInputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    msg = err.get("msg", str(exc))
    return SofcInputError(f"invalid {what}: {loc}: {msg}" if loc else f"invalid {what}: {msg}")


def packaged_parameter_sets() -> list[str]:
    """Names of the cell parameter sets shipped in ``sofc/data``."""
    files = resources.files("sofc").joinpath("data").iterdir()
    return sorted(p.name[:-5] for p in files if p.name.endswith(".yaml"))


def _load_yaml(path: str | Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SofcInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SofcInputError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SofcInputError(f"{path} must contain a YAML mapping")
    return data


def parse_cell_parameters(data: dict[str, Any]) -> CellParameters:
    """Validate a mapping into :class:`CellParameters` (raises :class:`SofcInputError`)."""
    try:
        params = CellParameters.model_validate(data)
    except ValidationError as exc:
        raise _wrap_validation(exc, "cell parameters") from None
    if params.min_temperature_k >= params.max_temperature_k:
        raise SofcInputError("cell parameters: min_temperature_k must be below max_temperature_k")
    return params


def read_cell_parameters(path_or_name: str | Path = DEFAULT_CELL) -> CellParameters:
    """Read cell parameters from a YAML file or a packaged set name.

    Parameters
    ----------
    path_or_name : str or pathlib.Path
        Path to a YAML file, or the name of a set in ``sofc/data`` (see
        :func:`packaged_parameter_sets`).

    Returns
    -------
    CellParameters
    """
    name = str(path_or_name)
    if name in packaged_parameter_sets():
        data = yaml.safe_load(
            resources.files("sofc").joinpath("data", f"{name}.yaml").read_text("utf-8")
        )
    else:
        data = _load_yaml(path_or_name)
    return parse_cell_parameters(data)


def parse_config(data: dict[str, Any]) -> SystemConfig:
    """Validate a mapping into :class:`SystemConfig` (raises :class:`SofcInputError`)."""
    try:
        cfg = SystemConfig.model_validate(data)
    except ValidationError as exc:
        raise _wrap_validation(exc, "system configuration") from None
    for key in ("reformer_temperature_c", "stack_inlet_temperature_c", "ambient_temperature_c"):
        if not math.isfinite(getattr(cfg, key)):
            raise SofcInputError(f"invalid system configuration: {key} is not finite")
    return cfg


def read_config(path: str | Path) -> SystemConfig:
    """Read a :class:`SystemConfig` from YAML (keys as the field names).

    A relative ``cell_parameters`` path is resolved against the YAML file's folder.
    """
    data = _load_yaml(path)
    cp = data.get("cell_parameters")
    if isinstance(cp, str) and cp not in packaged_parameter_sets() and not Path(cp).is_absolute():
        data["cell_parameters"] = str((Path(path).parent / cp).resolve())
    return parse_config(data)
