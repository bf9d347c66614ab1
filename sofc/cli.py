"""Command line of the SOFC twin, mounted by cnplan as ``cnplan sofc``.

Commands: ``reformer`` (equilibrium reformate), ``cell`` (one cell point) and
``curve`` (system efficiency/heat curve to CSV, with its convex fit). Input
errors (:class:`sofc.SofcInputError`) print one line on stderr and exit with
code 2. Units at this edge: degC, bar, A/cm2, kW.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sofc.errors import SofcInputError
from sofc.params import DEFAULT_CELL, SystemConfig, read_cell_parameters, read_config

# The models (sofc.reformer, sofc.cell, sofc.curves: Cantera, SciPy, xarray) are imported in
# the commands that run them, so mounting this app in ``cnplan`` costs no start-up time.

app = typer.Typer(
    help="Bio-ethanol SOFC digital twin: reformer, cell and system efficiency curves.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
# soft_wrap: a line is never broken however narrow the terminal (as in cnplan/cli.py)
_out = Console(soft_wrap=True)


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def _json(out: dict[str, Any]) -> str:
    """Strict JSON of a result (a figure that is not a finite number is ``null``, never the
    ``NaN``/``Infinity`` strict parsers refuse)."""
    def finite(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        return None if isinstance(value, float) and not math.isfinite(value) else value

    return json.dumps(finite(out), indent=2, allow_nan=False)


def _row(table: Table, *cells: str) -> None:
    table.add_row(*(escape(c) for c in cells))


def _finite(name: str, *values: float) -> None:
    for v in values:
        if not math.isfinite(v):
            raise SofcInputError(f"{name} must be a finite number")


@app.command("reformer")
def reformer_cmd(
    temperature_c: Annotated[float, typer.Option(help="reformer temperature [degC]")] = 700.0,
    steam_to_carbon: Annotated[float, typer.Option(help="steam-to-carbon ratio [mol/mol]")] = 2.0,
    pressure_bar: Annotated[float, typer.Option(help="pressure [bar]")] = 1.01325,
    approach_k: Annotated[float, typer.Option(help="approach to equilibrium [K]")] = 0.0,
    conversion_fraction: Annotated[
        float, typer.Option(help="fraction of ethanol reformed to equilibrium [-]")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Equilibrium reformate of ethanol steam reforming, coking check and heat duty."""
    from sofc.reformer import reform

    try:
        _finite("temperature, pressure and ratios", temperature_c, steam_to_carbon, pressure_bar,
                approach_k, conversion_fraction)
        r = reform(temperature_c + 273.15, steam_to_carbon, pressure_bar * 1e5,
                   approach_temperature=approach_k, conversion_fraction=conversion_fraction)
    except SofcInputError as exc:
        _fail(exc)
    out = {
        "temperature_c": temperature_c,
        "pressure_bar": pressure_bar,
        "steam_to_carbon": steam_to_carbon,
        "h2_per_ethanol": r.h2_per_ethanol,
        "h2_equivalent_per_ethanol": r.h2_equivalent_per_ethanol,
        "mole_fractions": r.mole_fractions,
        "carbon_deposition": r.carbon_deposition,
        "carbon_mol_per_ethanol": r.carbon,
        "carbon_activity": r.carbon_activity,
        "min_steam_to_carbon": r.min_steam_to_carbon,
        "heat_duty_kj_per_mol_ethanol": r.heat_duty / 1e3,
        "processing_duty_kj_per_mol_ethanol": r.processing_duty / 1e3,
    }
    if as_json:
        typer.echo(_json(out))
        return
    table = Table(
        title=f"Ethanol steam reforming at {temperature_c:g} degC, S/C {steam_to_carbon:g}"
    )
    table.add_column("quantity")
    table.add_column("value", justify="right")
    _row(table, "H2 yield [mol/mol EtOH]", f"{r.h2_per_ethanol:.3f}")
    _row(table, "H2 equivalent [mol/mol EtOH]", f"{r.h2_equivalent_per_ethanol:.3f}")
    for name, x in r.mole_fractions.items():
        if x > 1e-5:
            _row(table, f"x {name} (wet)", f"{x:.4f}")
    _row(table, "carbon deposition", "yes" if r.carbon_deposition else "no")
    _row(table, "min carbon-free S/C", f"{r.min_steam_to_carbon:.3f}")
    _row(table, "reformer heat duty [kJ/mol EtOH]", f"{r.heat_duty / 1e3:.1f}")
    _row(table, "processing duty from liquid [kJ/mol EtOH]", f"{r.processing_duty / 1e3:.1f}")
    _out.print(table)


@app.command("cell")
def cell_cmd(
    anode: Annotated[str, typer.Option(help='fuel gas, e.g. "H2:0.97,H2O:0.03"')] = (
        "H2:0.97,H2O:0.03"
    ),
    cathode: Annotated[str, typer.Option(help='air gas, e.g. "O2:0.21,N2:0.79"')] = (
        "O2:0.21,N2:0.79"
    ),
    temperature_c: Annotated[float, typer.Option(help="cell temperature [degC]")] = 700.0,
    current_density_a_cm2: Annotated[float, typer.Option(help="[A/cm2]")] = 0.5,
    pressure_bar: Annotated[float, typer.Option(help="pressure [bar]")] = 1.01325,
    params: Annotated[str, typer.Option(
        help="cell parameter YAML file or packaged set name")] = DEFAULT_CELL,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Voltage and losses of one cell point (Nernst, ohmic, Butler-Volmer, diffusion)."""
    from sofc.cell import cell_point

    try:
        _finite("temperature, current density and pressure", temperature_c,
                current_density_a_cm2, pressure_bar)
        p = read_cell_parameters(params)
        c = cell_point(anode, cathode, temperature_c + 273.15, current_density_a_cm2 * 1e4, p,
                       pressure_bar * 1e5)
        ocv = cell_point(anode, cathode, temperature_c + 273.15, 0.0, p, pressure_bar * 1e5)
    except SofcInputError as exc:
        _fail(exc)
    out = {
        "parameters": p.name,
        "temperature_c": temperature_c,
        "current_density_a_cm2": current_density_a_cm2,
        "ocv_v": float(ocv.voltage),
        "nernst_v": float(c.nernst),
        "voltage_v": float(c.voltage),
        "power_density_w_cm2": float(c.voltage) * current_density_a_cm2,
        "ohmic_loss_v": float(c.ohmic),
        "activation_loss_anode_v": float(c.activation_anode),
        "activation_loss_cathode_v": float(c.activation_cathode),
        "concentration_loss_anode_v": float(c.concentration_anode),
        "concentration_loss_cathode_v": float(c.concentration_cathode),
        "limiting_current_a_cm2": float(c.limiting_current) / 1e4,
    }
    if as_json:
        typer.echo(_json(out))
        return
    table = Table(title=f"Cell {p.name} at {temperature_c:g} degC, {current_density_a_cm2:g} A/cm2")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in out.items():
        if isinstance(v, float):
            _row(table, k, f"{v:.4f}")
    _out.print(table)


@app.command("curve")
def curve_cmd(
    out: Annotated[Path, typer.Option(help="CSV file to write")],
    config: Annotated[Path | None, typer.Option(help="system configuration YAML")] = None,
    plot: Annotated[Path | None, typer.Option(help="PNG plot of efficiency and heat")] = None,
    n_points: Annotated[int, typer.Option(help="loads sampled")] = 25,
    hours: Annotated[list[float] | None, typer.Option(
        help="stack age(s) [h]; repeat the option for several")] = None,
    segments: Annotated[int, typer.Option(help="pieces of the convex fit")] = 4,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="ignore the disk cache")] = False,
) -> None:
    """System efficiency/heat curve vs load to CSV, and its convex piecewise-linear fit."""
    from sofc.curves import piecewise_fit, system_curve

    try:
        cfg = read_config(config) if config is not None else SystemConfig()
        ds = system_curve(cfg, n_points=n_points, operating_hours=tuple(hours or (0.0,)),
                          cache=not no_cache)
        fit = piecewise_fit(ds, segments)
    except SofcInputError as exc:
        _fail(exc)
    cols = ["load_fraction", "power_kw", "fuel_kw", "efficiency_lhv", "heat_kw",
            "total_efficiency_lhv", "heat_available_kw", "dew_point_c", "stack_voltage_v",
            "cell_voltage_v", "current_density_a_cm2", "air_ratio", "dc_power_kw",
            "auxiliary_fuel_kw", "heater_kw", "blower_kw"]
    df = ds[cols].to_dataframe().reset_index()
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, float_format="%.6g")
    if plot is not None:
        _plot(ds, plot)
    table = Table(title=f"Convex fit of fuel vs net power (rated {fit.rated_power_kw:.3f} kW AC)")
    table.add_column("k", justify="right")
    table.add_column("from P/P_rated", justify="right")
    table.add_column("slope a_k", justify="right")
    table.add_column("intercept b_k", justify="right")
    for k, (a, b) in enumerate(zip(fit.slopes, fit.intercepts, strict=True)):
        _row(table, str(k), f"{fit.breakpoints[k]:.3f}", f"{a:.4f}", f"{b:.4f}")
    _out.print(table)
    _out.print(f"minimum load {ds.attrs['min_load']:.3f} of design current "
               f"({ds.attrs['min_load_limit']})")
    _out.print(f"max relative error of the fit: {fit.max_error:.4%}")
    _out.print(f"heat/P_rated <= {fit.heat_slope:.4f} P/P_rated + {fit.heat_intercept:.4f}, "
               f"never above the twin (under-states by at most {fit.heat_max_error:.4f} of "
               f"rated), for a sink {cfg.heat_return_temperature_c:g} -> "
               f"{cfg.heat_supply_temperature_c:g} degC")
    _print_ages(ds)
    _out.print(f"wrote {out}")


def _print_ages(ds: Any) -> None:
    """Full-load net AC power and efficiency at each stack age, against a new stack's."""
    new = float(ds["rated_power_kw"].values[0])
    table = Table(title="Full load by stack age (first age = reference)")
    for col in ("stack age [h]", "net AC power [kW]", "of the first age", "efficiency LHV"):
        table.add_column(col, justify="right")
    for h in ds["operating_hours"].values:
        at = ds.sel(operating_hours=h)
        rated = float(at["rated_power_kw"])
        _row(table, f"{h:,.0f}", f"{rated:.3f}", f"{rated / new:.3f}",
             f"{float(at['efficiency_lhv'].values[-1]):.1%}")
    _out.print(table)


@app.command("life")
def life_cmd(
    config: Annotated[Path | None, typer.Option(help="system configuration YAML")] = None,
    end_of_life_loss: Annotated[float, typer.Option(
        help="share of a new stack's full-load power lost at replacement")] = 0.2,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Stack life from an end-of-life rule, the life-average unit, hot standby and cold start."""
    from sofc.curves import system_curve
    from sofc.life import cold_start, hot_standby, life_average_curve, stack_life

    try:
        cfg = read_config(config) if config is not None else SystemConfig()
        life = stack_life(cfg, end_of_life_loss)
        curve = system_curve(cfg, operating_hours=(0.0, 0.5 * life, life))
        average = life_average_curve(curve, life)
        new = curve.sel(operating_hours=0.0)
        new_w = float(new["rated_power_kw"]) * 1e3
        standby = hot_standby(cfg)
        start = cold_start(cfg, new_w, float(new["fuel_kw"].values[-1]) * 1e3
                           * cfg.auxiliary_burner_efficiency)
    except SofcInputError as exc:
        _fail(exc)
    end = curve.sel(operating_hours=life)
    out = {
        "degradation_pct_per_kh": cfg.degradation_pct_per_kh,
        "end_of_life_power_loss": end_of_life_loss,
        "stack_life_hours": life,
        "power_kept_at_end_of_life": float(end["rated_power_kw"]) / (new_w / 1e3),
        "rated_power_new_kw": new_w / 1e3,
        "rated_efficiency_new": float(new["efficiency_lhv"].values[-1]),
        "rated_efficiency_end_of_life": float(end["efficiency_lhv"].values[-1]),
        "life_average_power_ratio": float(average["rated_ratio"]),
        "life_average_rated_efficiency": float(average["efficiency_lhv"].values[-1]),
        "hot_standby_fuel_per_kw": standby.fuel_w / new_w,
        "hot_standby_electricity_per_kw": standby.electricity_w / new_w,
        "cold_start_hours": start.hours,
        "cold_start_fuel_kwh_per_kw": start.fuel_j / 3.6e6 / (new_w / 1e3),
        "cold_start_electricity_kwh_per_kw": start.electricity_j / 3.6e6 / (new_w / 1e3),
    }
    if as_json:
        typer.echo(_json(out))
        return
    table = Table(title=f"Stack life at {cfg.degradation_pct_per_kh:g} %/1000 h, replaced at "
                  f"{end_of_life_loss:.0%} power loss")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k, v in out.items():
        _row(table, k, f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}")
    _out.print(table)


def _plot(ds: Any, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax2 = ax.twinx()
    for h in ds.operating_hours.values:
        s = ds.sel(operating_hours=h)
        ax.plot(s.power_kw, 100 * s.efficiency_lhv, label=f"AC efficiency, {h:g} h")
        ax2.plot(s.power_kw, s.heat_kw, "--", label=f"heat, {h:g} h")
    ax.set_xlabel("net AC power [kW]")
    ax.set_ylabel("net AC efficiency, LHV [%]")
    ax2.set_ylabel("recoverable heat [kW]")
    ax.legend(loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
