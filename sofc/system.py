"""System model: ethanol tank -> reformer -> stack -> afterburner -> inverter, and BoP.

For a set of loads (stack current as a fraction of the design current) and a
number of operating hours, :func:`evaluate_system` returns net AC power, fuel
input (ethanol LHV), recoverable heat and the breakdown behind them. Power,
heat and flows are totals for the system in W and mol/s.

Energy flows (all first-law, steady state):

* **Fuel processing**: liquid ethanol/water at 298.15 K is pumped, evaporated,
  reformed (:func:`sofc.reformer.reform`) and brought to the stack inlet
  temperature; its heat :math:`Q_{fp}` comes from the afterburner flue gas.
* **Stack**: the 1-D model (:func:`sofc.stack.solve_stack`) at fixed fuel
  utilisation. The cathode air flow is set by the stack energy balance so that
  the air leaves at the allowed outlet temperature,

  .. math:: \\dot n_{air}\\,[h_{air}(T_{out}) - h_{air}(T_{in})] =
      H_{an,in} + \\dot n_{O_2,used}h_{O_2}(T_{out}) - H_{an,out} - P_{DC} - Q_{loss},

  but not below :math:`\\lambda_{min}`; with :math:`\\lambda_{min}` and too little
  stack heat the air must instead enter hotter than the stack inlet (the stack
  is kept hot by preheating).
* **Afterburner and heat integration**: unused fuel burns with the depleted air
  (adiabatic afterburner). The hot flue gas is matched against the cold streams
  (liquid feed heating and evaporation, vapour superheat, reformer duty, reformate
  heating to the stack inlet, air preheat from ambient to the stack air inlet) by
  pinch analysis (:mod:`sofc.heat_integration`): every match keeps a minimum
  approach (30 K gas-gas, 50 K to the reformer, 20 K to liquids and process water),
  and the least external heat :math:`Q_H` follows from the problem table, so the
  cascade is feasible at every load by construction. :math:`Q_H` is covered by
  burning extra ethanol (``auxiliary_heat: fuel``) or by an electric heater
  (``electric``). The process heat is the most a sink heated from its return to its
  supply temperature (``heat_return/supply_temperature_c``, the plan's heat class)
  can take from what is left; below the flue dew point the flue condenses and gives
  up latent heat as well.
* **Electricity**: :math:`P_{net} = \\eta_{inv}P_{DC} - P_{standby} - P_{blower}
  - P_{pump} - P_{controls} - P_{heater}`.
* **Degradation**: at constant current the voltage falls by ``d`` %/1000 h of
  the design voltage, modelled as an added ASR
  :math:`\\Delta ASR \\approx (d/100)(t/1000)\\,V_{design}/i_{design}`, corrected by a
  secant step so that the loss at the design current is exactly
  :math:`(d/100)(t/1000)V_{design}`.

References
----------
.. [1] R. J. Braun, S. A. Klein, D. T. Reindl, Evaluation of system configurations
   for solid oxide fuel cell-based micro-combined heat and power generators in
   residential applications, *J. Power Sources* 158 (2006) 1290-1305,
   https://doi.org/10.1016/j.jpowsour.2005.10.064.
.. [2] P. Gabrielli et al., ETH BlueGen-based SOFC model (sofc-data.md 4.1c):
   AC/DC 0.90, miscellaneous BoP 190 W, S/C 2.16.
.. [3] H. Menzler et al., *J. Power Sources* 478 (2020) 228770: 0.5 %/1000 h
   over 100,000 h (sofc-data.md 4.4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sofc.errors import SofcInputError
from sofc.heat_integration import (
    GAS_CONTRIBUTION_K,
    LIQUID_CONTRIBUTION_K,
    REFORMER_CONTRIBUTION_K,
    Stream,
    flue_enthalpy,
    heat_cascade,
    water_saturation_pressure,
)
from sofc.hotbox import (
    X_O2_AIR,
    air_enthalpy,
    operate_energy_balance,
    operate_linear,
    temperature_from_enthalpy,
)
from sofc.params import CellParameters, SystemConfig, read_cell_parameters
from sofc.reformer import (
    _M_ETHANOL,
    _M_WATER,
    ETHANOL_DENSITY,
    WATER_DENSITY,
    ReformerResult,
    reform,
    steam_to_carbon_from_blend,
)
from sofc.stack import ANODE_SPECIES, anode_equilibrium
from sofc.thermo import (
    ETHANOL_VAPORISATION_ENTHALPY,
    FARADAY,
    GAS_CONSTANT,
    GAS_SPECIES,
    T_REF,
    ethanol_lhv_liquid,
    nasa_table,
    water_liquid_enthalpy,
)

__all__ = ["SystemResult", "steam_to_carbon", "evaluate_system"]

Array = NDArray[np.float64]

_C2K = 273.15


@dataclass(frozen=True)
class SystemResult:
    """System performance at ``M`` operating points (arrays of shape ``(M,)``), SI units.

    Attributes
    ----------
    current_fraction : stack current / design current [-]
    power : net AC power [W]
    dc_power : stack DC power [W]
    fuel : ethanol LHV input, including auxiliary burner fuel [W]
    heat : process heat deliverable to the configured sink (heat class), heated from its
        return to its supply temperature, condensing included [W]
    total_efficiency : (net AC power + heat) / fuel, LHV [-]
    efficiency : net AC electrical efficiency, LHV [-]
    stack_efficiency : DC power / LHV of ethanol reformed for the stack [-]
    cell_voltage : [V]; stack_voltage : [V]; current : stack current [A]
    current_density : mean current density [A/m2]
    fuel_utilisation, air_ratio : [-]
    air_inlet_temperature, afterburner_temperature : [K]
    flue_temperature : flue gas leaving the system after all heat recovery [K]
    dew_point : water dew point of the flue gas [K]
    heat_streams : the hot and cold streams of the heat integration, the process sink last
        (:class:`sofc.heat_integration.Stream`), for pinch checks and composite curves
    heat_available : heat the flue still holds when cooled to ambient + 15 K after the
        fuel processor and air preheat are served (any sink temperature) [W]
    blower, pump, controls, heater, inverter_loss : [W]
    auxiliary_fuel : LHV of ethanol burnt for heat [W]
    reformer_duty : heat to the reformer [W]
    ethanol_flow : total ethanol [mol/s]
    ohmic, activation, concentration : mean cell losses [V]
    """

    current_fraction: Array
    power: Array
    dc_power: Array
    fuel: Array
    heat: Array
    total_efficiency: Array
    efficiency: Array
    stack_efficiency: Array
    cell_voltage: Array
    stack_voltage: Array
    current: Array
    current_density: Array
    fuel_utilisation: Array
    air_ratio: Array
    air_inlet_temperature: Array
    afterburner_temperature: Array
    flue_temperature: Array
    dew_point: Array
    heat_available: Array
    blower: Array
    pump: Array
    controls: Array
    heater: Array
    inverter_loss: Array
    auxiliary_fuel: Array
    reformer_duty: Array
    ethanol_flow: Array
    ohmic: Array
    activation: Array
    concentration: Array
    heat_streams: tuple[Stream, ...] = ()


def steam_to_carbon(cfg: SystemConfig) -> float:
    """Feed steam-to-carbon ratio of a configuration [mol/mol] (explicit or from the blend)."""
    if cfg.steam_to_carbon is not None:
        return float(cfg.steam_to_carbon)
    return steam_to_carbon_from_blend(cfg.ethanol_volume_fraction)


@lru_cache(maxsize=32)
def _reformer(t: float, sc: float, p: float, approach: float, conv: float) -> ReformerResult:
    return reform(t, sc, p, approach_temperature=approach, conversion_fraction=conv)


def _equilibrated_reformate(rf: ReformerResult, prod: Array, t_in: float,
                            pressure: float) -> Array:
    """Pre-reformer outlet per mol ethanol brought to shift and reforming equilibrium at the
    stack inlet, in :data:`sofc.stack.ANODE_SPECIES` order [mol] (the linear stack model
    equilibrates every segment anyway)."""
    el_per_e = np.array([[table_atoms(n, e) for e in "CHO"] for n in GAS_SPECIES]).T @ prod
    return np.asarray(anode_equilibrium(el_per_e, rf.products["N2"], t_in, pressure),
                      dtype=float)


def _reformate_as_anode_gas(rf: ReformerResult) -> Array:
    """Pre-reformer outlet per mol ethanol in :data:`sofc.stack.ANODE_SPECIES` order [mol]
    (ethanol, acetaldehyde and ethylene left at equilibrium are below 1e-6 mol and dropped)."""
    traces = sum(rf.products.get(n, 0.0) for n in ("C2H5OH", "CH3CHO", "C2H4"))
    if traces > 1e-6:
        raise SofcInputError(f"pre-reformer leaves {traces:.2e} mol C2 species per mol ethanol; "
                             "the energy-balance stack takes C1 species only")
    return np.array([rf.products.get(n, 0.0) for n in ANODE_SPECIES])


def _validate(cfg: SystemConfig, params: CellParameters) -> None:
    t_in = cfg.stack_inlet_temperature_c + _C2K
    t_out = t_in + cfg.stack_temperature_rise_k
    if not (params.min_temperature_k <= t_in and t_out <= params.max_temperature_k):
        raise SofcInputError(
            f"stack temperatures {t_in - _C2K:.0f}-{t_out - _C2K:.0f} degC outside the validity "
            f"range of cell set {params.name!r} ({params.min_temperature_k - _C2K:.0f}-"
            f"{params.max_temperature_k - _C2K:.0f} degC)"
        )
    if not (cfg.ambient_temperature_c < cfg.heat_return_temperature_c
            < cfg.heat_supply_temperature_c < cfg.stack_inlet_temperature_c - 100.0):
        raise SofcInputError(
            "heat sink temperatures must satisfy ambient < return < supply < stack inlet - 100 K "
            f"(got return {cfg.heat_return_temperature_c:g} degC, supply "
            f"{cfg.heat_supply_temperature_c:g} degC)")
    if not (-50.0 <= cfg.ambient_temperature_c <= 60.0):
        raise SofcInputError("ambient temperature outside -50..60 degC")


def evaluate_system(
    cfg: SystemConfig,
    current_fractions: Sequence[float] | Array,
    operating_hours: float = 0.0,
    *,
    params: CellParameters | None = None,
) -> SystemResult:
    """Net AC power, fuel input and recoverable heat of the ethanol SOFC system.

    Parameters
    ----------
    cfg : SystemConfig
        System configuration.
    current_fractions : sequence of float
        Stack current as a fraction of the design current, each in (0, 1.2] [-].
    operating_hours : float, optional
        Stack age for degradation [h].
    params : CellParameters, optional
        Overrides ``cfg.cell_parameters``.

    Returns
    -------
    SystemResult

    Notes
    -----
    Ethanol flow follows from fuel utilisation:
    :math:`\\dot n_{EtOH} = N_{cells} I/(2F\\,U_f\\,y_{H_2,eq})` with
    :math:`y_{H_2,eq}` the hydrogen equivalent of the reformate per mol
    ethanol. Efficiency :math:`\\eta = P_{net}/(\\dot n_{EtOH,tot}\\,LHV_{EtOH,l})`.
    See the module docstring for the energy balances.
    """
    params = params or read_cell_parameters(cfg.cell_parameters)
    _validate(cfg, params)
    cf = np.atleast_1d(np.asarray(current_fractions, dtype=float))
    if np.any(~np.isfinite(cf)) or np.any(cf <= 0) or np.any(cf > 1.2):
        raise SofcInputError("current fractions must be in (0, 1.2]")
    if not (np.isfinite(operating_hours) and 0 <= operating_hours <= 2e5):
        raise SofcInputError("operating hours must be in [0, 200000]")
    d_asr, rated_air = _ageing(cfg, params, float(operating_hours))
    res = _solve(cfg, params, cf, extra_asr=d_asr, rated_air=rated_air)
    res.pop("air_total")
    return SystemResult(current_fraction=cf, **res)


_AGEING_CACHE: dict[tuple[str, str, float], tuple[float, float]] = {}


def _ageing(cfg: SystemConfig, params: CellParameters, hours: float) -> tuple[float, float]:
    """Degradation ASR [Ohm m2] at ``hours`` and the new stack's rated air flow [mol/s].

    The added ASR is fixed by a secant step so that the voltage at the design current falls
    by exactly (d/100)(t/1000) of the new stack's. Both depend only on the configuration,
    the cell and the age, so they are kept for the session (a curve asks for them at every
    load it samples)."""
    key = (cfg.model_dump_json(), params.model_dump_json(), hours)
    if key in _AGEING_CACHE:
        return _AGEING_CACHE[key]
    design = _solve(cfg, params, np.array([1.0]), extra_asr=0.0)
    i_design = cfg.design_current_density_a_cm2 * 1e4
    v0 = float(design["cell_voltage"][0])
    drop = cfg.degradation_pct_per_kh / 100.0 * hours / 1000.0 * v0
    d_asr = drop / i_design
    for _ in range(8):  # secant correction: exactly `drop` volts at the design current
        if drop <= 0.0:
            break
        aged = float(_solve(cfg, params, np.array([1.0]), extra_asr=d_asr)["cell_voltage"][0])
        if abs(v0 - aged - drop) < 1e-6 * v0:
            break
        d_asr *= drop / (v0 - aged)
    if len(_AGEING_CACHE) > 256:
        _AGEING_CACHE.clear()
    _AGEING_CACHE[key] = (d_asr, float(design["air_total"][0]))
    return _AGEING_CACHE[key]


def _solve(cfg: SystemConfig, params: CellParameters, cf: Array, *, extra_asr: float,
           rated_air: float | None = None) -> dict[str, Any]:
    t_in = cfg.stack_inlet_temperature_c + _C2K
    t_out = t_in + cfg.stack_temperature_rise_k
    t_amb = cfg.ambient_temperature_c + _C2K
    p = cfg.pressure_kpa * 1e3
    sc = steam_to_carbon(cfg)
    rf = _reformer(cfg.reformer_temperature_c + _C2K, sc, p, cfg.reformer_approach_k,
                   cfg.reformer_conversion_fraction)
    if rf.carbon_deposition:
        raise SofcInputError(
            f"carbon deposits in the reformer: S/C {sc:.2f} is below the carbon-free minimum "
            f"{rf.min_steam_to_carbon:.2f} at {cfg.reformer_temperature_c:.0f} degC"
        )
    area = cfg.active_area_cm2 * 1e-4
    n_cells = cfg.n_cells
    uf = cfg.fuel_utilisation
    lhv = ethanol_lhv_liquid()

    # --- fuel: reformate per mol ethanol ------------------------------------------------
    prod = np.array([rf.products[n] for n in GAS_SPECIES])
    table = nasa_table(GAS_SPECIES)
    h2eq_per_e = rf.h2_equivalent_per_ethanol
    current = cf * cfg.design_current_density_a_cm2 * 1e4 * area  # per cell [A]
    n_e = current * n_cells / (2.0 * FARADAY * uf * h2eq_per_e)  # total [mol/s]
    h_reformate_in = float(table.enthalpy(t_in) @ prod)  # J per mol ethanol, at T_in
    h_feed_liq = (float(table.enthalpy(T_REF)[table.index("C2H5OH")])
                  - ETHANOL_VAPORISATION_ENTHALPY + 2.0 * sc * water_liquid_enthalpy(T_REF))

    # --- stack in its hot box: air flow and air inlet temperature (sofc.hotbox) --------
    q_loss = cfg.stack_heat_loss_w / n_cells
    if cfg.stack_thermal == "energy_balance":
        st = operate_energy_balance(
            params, area=area, n_segments=cfg.n_segments, t_in=t_in, t_out=t_out, pressure=p,
            anode_in=(n_e / n_cells)[:, None] * _reformate_as_anode_gas(rf)[None, :],
            current=current, extra_asr=extra_asr, min_air_ratio=cfg.min_air_ratio,
            q_loss=q_loss, flow=cfg.stack_flow)
    else:
        st = operate_linear(
            params, area=area, n_segments=cfg.n_segments, t_in=t_in, t_out=t_out, pressure=p,
            anode_in=(n_e / n_cells)[:, None] * _equilibrated_reformate(rf, prod, t_in, p)[None, :],
            h_anode_in=n_e / n_cells * h_reformate_in, current=current,
            extra_asr=extra_asr, min_air_ratio=cfg.min_air_ratio, q_loss=q_loss)
    if not np.all(np.isfinite(st.voltage)) or np.any(st.voltage <= 0):
        raise SofcInputError("stack voltage not positive: load beyond the cell's capability")
    air, lam, t_air_in = st.air, st.air_ratio, st.air_inlet_temperature
    p_dc_cell = st.voltage * st.current

    # --- afterburner and heat integration (system totals, W) ---------------------------
    an_out, air_out = st.anode_out * n_cells, st.air_out * n_cells
    c = an_out[:, 2] + an_out[:, 3] + an_out[:, 4]
    h = 2 * an_out[:, 0] + 2 * an_out[:, 1] + 4 * an_out[:, 4]
    o = an_out[:, 1] + an_out[:, 2] + 2 * an_out[:, 3] + 2 * air_out[:, 0]
    o2_flue = 0.5 * (o - 2 * c - 0.5 * h)
    if np.any(o2_flue < 0):
        raise SofcInputError("not enough air to burn the anode off-gas (raise min_air_ratio)")
    flue = np.stack([c, 0.5 * h, o2_flue, an_out[:, 5] + air_out[:, 1]], axis=1)
    flue_names = ("CO2", "H2O", "O2", "N2")
    h_flue_hot = (st.h_anode_out + st.h_cathode_out) * n_cells
    t_ab = temperature_from_enthalpy(h_flue_hot, flue, flue_names, np.full_like(cf, 1200.0))
    reformer_duty = n_e * rf.heat_duty
    integration = _heat_integration(
        cfg, rf, sc, n_e, prod, h_feed_liq, t_in, t_ab, t_amb,
        flue, flue_names, air * n_cells, t_air_in, p)
    deficit = integration["hot_utility"]
    heat = integration["heat"]
    t_flue_out = integration["flue_temperature"]

    # --- electricity --------------------------------------------------------------------
    p_dc = p_dc_cell * n_cells
    air_total = air * n_cells
    ref_air = rated_air if rated_air is not None else air_total
    dp = cfg.air_pressure_drop_kpa * 1e3 * air_total / ref_air
    cp_air = float(X_O2_AIR * table.cp_r(t_amb)[table.index("O2")]
                   + (1 - X_O2_AIR) * table.cp_r(t_amb)[table.index("N2")]) * GAS_CONSTANT
    blower = (air_total * cp_air * t_amb * ((1 + dp / p) ** (GAS_CONSTANT / cp_air) - 1)
              / cfg.blower_efficiency)
    liquid_m3_s = n_e * (_M_ETHANOL / ETHANOL_DENSITY + 2 * sc * _M_WATER / WATER_DENSITY)
    pump = liquid_m3_s * cfg.pump_pressure_kpa * 1e3 / cfg.pump_efficiency
    controls = np.full_like(cf, cfg.controls_w)
    if cfg.auxiliary_heat == "fuel":
        aux_fuel = deficit / cfg.auxiliary_burner_efficiency
        heater = np.zeros_like(cf)
    else:
        aux_fuel = np.zeros_like(cf)
        heater = deficit / cfg.electric_heater_efficiency
    p_ac = cfg.inverter_efficiency * p_dc - cfg.inverter_standby_w
    power = p_ac - blower - pump - controls - heater
    fuel = n_e * lhv + aux_fuel
    return {
        "power": power,
        "dc_power": p_dc,
        "fuel": fuel,
        "heat": heat,
        "efficiency": power / fuel,
        "total_efficiency": (power + heat) / fuel,
        "stack_efficiency": p_dc / (n_e * lhv),
        "cell_voltage": st.voltage,
        "stack_voltage": st.voltage * n_cells,
        "current": st.current,
        "current_density": st.current / area,
        "fuel_utilisation": st.fuel_utilisation,
        "air_ratio": lam,
        "air_inlet_temperature": t_air_in,
        "afterburner_temperature": t_ab,
        "flue_temperature": t_flue_out,
        "dew_point": integration["dew_point"],
        "heat_streams": integration["streams"],
        "heat_available": integration["heat_available"],
        "blower": blower,
        "pump": pump,
        "controls": controls,
        "heater": heater,
        "inverter_loss": p_dc - p_ac,
        "auxiliary_fuel": aux_fuel,
        "reformer_duty": reformer_duty,
        "ethanol_flow": n_e + aux_fuel / lhv,
        "ohmic": st.ohmic,
        "activation": st.activation,
        "concentration": st.concentration,
        "air_total": air_total,
    }


def _fuel_processing_streams(rf: ReformerResult, sc: float, n_e: Array, prod: Array,
                             h_feed_liq: float, t_in: float) -> list[Stream]:
    """Cold streams of the fuel processor [W]: liquid feed to reformate at the stack inlet.

    Per mol ethanol: the liquid blend is heated from 298.15 K (ethanol
    :math:`c_p` 112.3, water 75.3 J/(mol K), NIST WebBook) and evaporates, spread evenly
    between the boiling points of ethanol (351.4 K) and water (373.15 K) at 1 atm, which
    bracket the blend's bubble and dew points; the vapour is superheated to the reformer
    temperature, takes the reformer duty there (over 1 K) and the reformate is heated to the
    stack inlet. The pieces add up exactly to
    :math:`h_{reformate}(T_{in}) - h_{feed,l}(298.15\\,K)` of the system energy balance.
    """
    table = nasa_table(GAS_SPECIES)
    t_b, t_d, t_rf = 351.4, 373.15, rf.temperature
    vap = np.zeros(len(GAS_SPECIES))
    vap[table.index("C2H5OH")], vap[table.index("H2O")] = 1.0, 2.0 * sc
    cp_liquid = 112.3 + 2.0 * sc * 75.3
    h_liq_b = h_feed_liq + cp_liquid * (t_b - T_REF)
    h_vap_d = float(table.enthalpy(t_d) @ vap)
    flow = n_e[:, None]

    def liquid(t: Array) -> Array:
        boil = h_liq_b + (h_vap_d - h_liq_b) * (t - t_b) / (t_d - t_b)
        return np.asarray(flow * np.where(t < t_b, h_feed_liq + cp_liquid * (t - T_REF), boil),
                          dtype=float)

    def vapour(t: Array) -> Array:
        return np.asarray(flow * (table.enthalpy(t) @ vap), dtype=float)

    def reforming(t: Array) -> Array:
        return np.asarray(flow * rf.heat_duty * (t - t_rf), dtype=float)

    def reformate(t: Array) -> Array:
        return np.asarray(flow * (table.enthalpy(t) @ prod), dtype=float)

    ones = np.ones_like(n_e)
    streams = [
        Stream(liquid, T_REF * ones, t_d * ones, LIQUID_CONTRIBUTION_K, hot=False),
        Stream(vapour, t_d * ones, t_rf * ones, GAS_CONTRIBUTION_K, hot=False),
        Stream(reformate, t_rf * ones, t_in * ones, GAS_CONTRIBUTION_K, hot=False),
    ]
    if rf.heat_duty != 0.0:
        endothermic = rf.heat_duty > 0
        duty = reforming if endothermic else (lambda t: -reforming(t))
        streams.append(Stream(duty, t_rf * ones, (t_rf + 1.0) * ones,
                              REFORMER_CONTRIBUTION_K if endothermic else GAS_CONTRIBUTION_K,
                              hot=not endothermic))
    return streams


def _heat_integration(cfg: SystemConfig, rf: ReformerResult, sc: float, n_e: Array,
                      prod: Array, h_feed_liq: float, t_in: float, t_ab: Array, t_amb: float,
                      flue: Array, flue_names: Sequence[str], air: Array, t_air_in: Array,
                      pressure: float) -> dict[str, Any]:
    """External heat needed and process heat offered, by pinch analysis of the flue gas
    (hot, condensing) against air preheat and fuel processing (cold); see
    :mod:`sofc.heat_integration`. The process sink is the configured heat class, heated from
    its return to its supply temperature."""
    h_flue = flue_enthalpy(flue, flue_names, pressure)
    ones = np.ones_like(n_e)

    def air_h(t: Array) -> Array:
        return np.asarray(air[:, None] * air_enthalpy(t), dtype=float)

    streams = [
        Stream(h_flue, t_amb * ones, t_ab, GAS_CONTRIBUTION_K, hot=True),
        Stream(air_h, t_amb * ones, np.maximum(t_air_in, t_amb), GAS_CONTRIBUTION_K, hot=False),
        *_fuel_processing_streams(rf, sc, n_e, prod, h_feed_liq, t_in),
    ]
    cascade = heat_cascade(streams)
    t_s = cfg.heat_supply_temperature_c + _C2K
    t_r = cfg.heat_return_temperature_c + _C2K
    heat = cascade.sink_capacity(t_s, t_r, LIQUID_CONTRIBUTION_K)
    cold = sum(s.enthalpy(s.t_high[:, None])[:, 0] - s.enthalpy(s.t_low[:, None])[:, 0]
               for s in streams[1:] if not s.hot)
    released = sum(s.enthalpy(s.t_high[:, None])[:, 0] - s.enthalpy(s.t_low[:, None])[:, 0]
                   for s in streams[2:] if s.hot)
    from_flue = cold - cascade.hot_utility - released + heat
    h_top = h_flue(t_ab[:, None])[:, 0]
    return {
        "hot_utility": cascade.hot_utility,
        "heat": heat,
        "heat_available": cascade.gcc[:, -1],
        "streams": (*streams, Stream(_sink_enthalpy(heat, t_s, t_r), t_r * ones, t_s * ones,
                                     LIQUID_CONTRIBUTION_K, hot=False)),
        "flue_temperature": _flue_exit_temperature(h_flue, h_top - from_flue, t_amb, t_ab),
        "dew_point": _dew_point(flue, flue_names, pressure),
    }


def _sink_enthalpy(heat: Array, t_s: float, t_r: float) -> Callable[[Array], Array]:
    """Enthalpy [W] of the process sink: constant heat-capacity rate heat/(T_s - T_r)."""
    rate = heat / (t_s - t_r)

    def enthalpy(t: Array) -> Array:
        return np.asarray(rate[:, None] * (t - t_r), dtype=float)

    return enthalpy


def _flue_exit_temperature(h_flue: Callable[[Array], Array], target: Array, t_low: float,
                           t_high: Array) -> Array:
    """Temperature [K] at which the (condensing) flue enthalpy equals ``target`` (bisection)."""
    lo, hi = np.full_like(t_high, t_low), t_high.copy()
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        above = h_flue(mid[:, None])[:, 0] > target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return np.asarray(0.5 * (lo + hi), dtype=float)


def _dew_point(flue: Array, names: Sequence[str], pressure: float) -> Array:
    """Water dew point of the flue [K]: p_sat(T) = x_H2O p (bisection, 273-573 K)."""
    p_w = flue[:, list(names).index("H2O")] / flue.sum(axis=1) * pressure
    lo, hi = np.full_like(p_w, 273.15), np.full_like(p_w, 573.0)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        above = water_saturation_pressure(mid) > p_w
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return np.asarray(0.5 * (lo + hi), dtype=float)


_ATOMS = {
    "C2H5OH": (2, 6, 1), "CH3CHO": (2, 4, 1), "C2H4": (2, 4, 0), "CH4": (1, 4, 0),
    "CO": (1, 0, 1), "CO2": (1, 0, 2), "H2": (0, 2, 0), "H2O": (0, 2, 1), "O2": (0, 0, 2),
    "N2": (0, 0, 0),
}


def table_atoms(species: str, element: str) -> float:
    """Number of C, H or O atoms in a gas species of :data:`sofc.thermo.GAS_SPECIES`."""
    return float(_ATOMS[species]["CHO".index(element)])
