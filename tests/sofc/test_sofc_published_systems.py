"""The system twin against published figures of real SOFC systems (issue 30, part 3).

Every number compared here is in docs/sofc-data.md (sections 5.1 and 5.2), with the
source given in each docstring; the twin's value stands beside it. The twin is the
default design (``SystemConfig()``: 2.64 kW net AC, 45/55 ethanol-water blend), new
stack (operating_hours = 0). Tolerances come from the precision of the published
figure (a whole percent is +-0.5 point), never from the twin's distance to it. Where
the twin disagrees, the test is ``xfail(strict=True)`` with the twin's value in the
reason: it turns into a failure (XPASS) if the twin ever moves inside the band, so the
reason and docs/sofc.md must then be updated.

Fuel: the products burn natural gas (city gas) or LPG, the twin a liquid ethanol-water
blend; all efficiencies are on the fuel's lower heating value (LHV). Per unit of fuel
LHV, steam reforming gives 4 H2 per CH4 (4 x 241.8 / 802.6 = 1.205) but 6 H2 per liquid
ethanol (6 x 241.8 / 1235.2 = 1.175; LHVs from sofc.thermo), so at the same cell voltage
and fuel utilisation a methane system would be about 2.6 % (relative) more efficient
than the ethanol twin: the fuel widens, not closes, the electrical gaps found below.
"""

from __future__ import annotations

import numpy as np
import pytest

from sofc import SystemConfig, evaluate_system, system_curve
from sofc.system import SystemResult

BASE = SystemConfig()  # the default design; monkeypatch to perturb

#: Heat sink of a residential CHP: cold city water in, stored hot water out [degC].
#: ENE-FARM type S uses its generation heat to preheat the water fed to its backup water
#: heater; ENE-FARM stores water heated to about 60 degC (docs/sofc-data.md 5.1, sources
#: there) -> supply 60 degC. Return 20 degC is an assumption [E]: no source here gives
#: the mains water temperature; the twin needs a return above its 15 degC ambient.
CHP_SINK = {"heat_return_temperature_c": 20.0, "heat_supply_temperature_c": 60.0}

#: HHV/LHV of Japanese city gas from one sourced pair, Tokyo Gas/Kyocera 2.5 kW:
#: 56.1 % LHV = 50.5 % HHV (docs/sofc-data.md 5.1, https://s-housing.jp/archives/2389);
#: pure methane gives 890.6/802.6 = 1.110.
CITY_GAS_HHV_PER_LHV = 56.1 / 50.5

_CURVES: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_RATED: dict[str, SystemResult] = {}


def _curve(cfg: SystemConfig) -> tuple[np.ndarray, np.ndarray]:
    """(net power / rated net power, net AC efficiency LHV) of a new stack, 25 loads."""
    key = cfg.model_dump_json()
    if key not in _CURVES:
        ds = system_curve(cfg, operating_hours=(0.0,))
        _CURVES[key] = (ds["load_fraction"].values[0], ds["efficiency_lhv"].values[0])
    return _CURVES[key]


def _efficiency_at(power_fraction: float) -> float:
    """Net AC efficiency at a fraction of rated net power, linear between the 25 samples
    (3.4 % of rated apart; against a direct solve the error is below 0.05 point)."""
    frac, eff = _curve(BASE)
    assert frac[0] <= power_fraction <= 1.0
    return float(np.interp(power_fraction, frac, eff))


def _rated_with_chp_sink() -> SystemResult:
    """Rated point (design current, new stack) heating the residential CHP sink."""
    cfg = BASE.model_copy(update=CHP_SINK)
    key = cfg.model_dump_json()
    if key not in _RATED:
        _RATED[key] = evaluate_system(cfg, [1.0], operating_hours=0.0)
    return _RATED[key]


# ---------------------------------------------------------------- part load (5.1, 5.2)

@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "twin 58.1 % net AC at 75 % of rated power, below BlueGen's 60 % (59.5-60.5)"))
def test_bluegen_efficiency_at_three_quarter_power() -> None:
    """SolidPower BlueGen: 60 % net AC (LHV) at 1.5 kW of its 2.0 kW, i.e. 75 % of rated.

    Source: SOFT-PACT final report, https://cordis.europa.eu/project/id/278804/reporting/de
    (docs/sofc-data.md 5.1): "Efficiency: 60% net electrical at 1500W output (LHV)",
    mains natural gas. Twin at 75 % of its rated net power: 58.1 %. Tolerance +-0.5
    point, the rounding of a whole-percent figure. Natural gas would lift the twin by
    about 2.6 % relative (module docstring), to about 59.6 %: still outside.
    """
    assert _efficiency_at(0.75) == pytest.approx(0.60, abs=0.005)


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "twin peaks at 94 % of rated power (58.5 %), not inside the published 60-80 %; "
    "its curve is flat there: 58.1 % at 75 %, 58.5 % at 100 %"))
def test_efficiency_peak_between_60_and_80_percent_of_rated() -> None:
    """The system efficiency peaks near 60-80 % of rated power (BlueGen: peak 60 % at 1.5
    of 2.0 kW).

    Source: docs/sofc-data.md 5.2 (BlueGen, https://cordis.europa.eu/project/id/278804/
    reporting/de). Band: the published 60-80 % itself; the twin's curve is sampled every
    3.4 % of rated power. Twin: highest efficiency at 94 % of rated (58.54 %); at 75 %
    it is 58.1 %, at 100 % 58.5 %. The twin's stack efficiency hardly rises at part load
    (low-loss cell), so the fixed parasitics pull its peak to full load.
    """
    frac, eff = _curve(BASE)
    assert 0.60 <= frac[int(np.argmax(eff))] <= 0.80


def test_efficiency_falls_steeply_below_30_percent() -> None:
    """Below about 25-30 % of rated power the efficiency falls steeply; the curve is
    flat-topped above (docs/sofc-data.md 5.2, fixed balance-of-plant parasitics; BlueGen
    model with 190 W miscellaneous, https://cordis.europa.eu/project/id/278804/
    reporting/de for the product).

    The source gives no slope, so the claim is tested in its weakest form, with no
    number of this test's own: from the twin's lowest load up to 30 % of rated the
    efficiency rises, and faster per unit of power than anywhere from 60 to 80 %.
    Twin: 46.7 % at its minimum load (19.3 % of rated, thermal limit), 51.8 % at
    30 %, 57.1 -> 58.3 % from 60 to 80 %; slopes 0.48 against 0.06 per unit power.
    """
    frac, eff = _curve(BASE)
    assert frac[0] < 0.30, "the twin's minimum load leaves nothing below 30 % to compare"
    low = (_efficiency_at(0.30) - eff[0]) / (0.30 - frac[0])
    mid = (_efficiency_at(0.80) - _efficiency_at(0.60)) / 0.20
    assert low > 0.0
    assert low > mid


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "twin 54.9 % net AC at 43 % of rated power against 58.5 % at rated (-3.6 points); "
    "published: nearly the same (within 1 point)"))
def test_toto_part_load_efficiency_same_as_rated() -> None:
    """TOTO 0.7 kW tubular SOFC: "partial-load operation with the output reduced to 300 W
    has nearly the same efficiency as 700 W", i.e. 43 % of rated power against rated.

    Source: http://www.fuelcellsworks.com/Supppage7649.html (docs/sofc-data.md 5.1,
    5.2). TOTO states its efficiencies to whole percent (target > 46 % AC, LHV), so two
    efficiencies "nearly the same" at that precision differ by less than 1 point: the
    tolerance. Compared as net AC system efficiency, since 300 W and 700 W are the
    unit's output. Twin: 54.9 % at 43 % of rated against 58.5 % at rated. (The twin's
    stack DC efficiency rises from 67.9 to 69.0 % over the same range.)
    """
    assert _efficiency_at(300.0 / 700.0) == pytest.approx(_efficiency_at(1.0), abs=0.01)


# ---------------------------------------------------------------- CHP units (5.1, 4.4)

#: published (electrical, total) efficiency bands, LHV, with the precision of each figure
CHP_UNITS = {
    # ENE-FARM type S 0.7 kW: 55 % (>= 3 h rated) / 54 % standard rated, 87 % total
    # (Toho Gas, https://webshop.tohogas.co.jp/f/enefarm_types_lp, LHV stated); Aisin 2020
    # model on LPG: 53 %, total 85 % (https://www.tohoekika.jp/house/enefarm-aisin.html).
    "enefarm-type-s": ((0.525, 0.555), (0.845, 0.875)),
    # Hitachi Zosen 20 kW field test: 50 % el, 40 % heat, 90 % total
    # (https://window-to-japan.eu/2017/07/25/...); basis not stated there, taken as LHV [E].
    "hitachi-zosen-20kw": ((0.495, 0.505), (0.895, 0.905)),
    # Kansai EPCO / Mitsubishi Materials 10 kW LSGM CHP: 41 % HHV AC, 82 % HHV total
    # (docs/sofc-data.md 4.4, https://discovery.researcher.life/article/development-of-
    # it-sofc-based-on-lanthanum-gallate-electrolyte/...), x 56.1/50.5 to LHV.
    "kansai-mmc-10kw": (tuple(x * CITY_GAS_HHV_PER_LHV for x in (0.405, 0.415)),
                        tuple(x * CITY_GAS_HHV_PER_LHV for x in (0.815, 0.825))),
}


@pytest.mark.parametrize("unit", [
    pytest.param("enefarm-type-s", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin 58.5 % net AC at rated, above ENE-FARM type S 53-55 % (52.5-55.5)")),
    pytest.param("hitachi-zosen-20kw", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin 58.5 % net AC at rated, above Hitachi Zosen 50 % (49.5-50.5)")),
    pytest.param("kansai-mmc-10kw", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin 58.5 % net AC at rated, above Kansai/MMC 41 % HHV = 45.5 % LHV "
               "(45.0-46.1)")),
])
def test_chp_electrical_efficiency_at_rated(unit: str) -> None:
    """Rated net AC efficiency (LHV) inside the CHP unit's published band.

    Published (sources in ``CHP_UNITS``): ENE-FARM type S 53-55 %, Hitachi Zosen 50 %,
    Kansai/MMC 41 % HHV = 45.5 % LHV (HHV/LHV 56.1/50.5 = 1.111 for city gas; the issue's
    1.109 for natural gas gives 45.5 % too). Tolerance: +-0.5 point on each whole-percent
    figure. Twin at its rated point: 58.5 %, above all three; on natural gas it would be
    higher still (module docstring). docs/sofc.md already calls 58.5 % an upper estimate
    (button-cell calibration).
    """
    lo, hi = CHP_UNITS[unit][0]
    assert lo <= float(_rated_with_chp_sink().efficiency[0]) <= hi


@pytest.mark.parametrize("unit", [
    pytest.param("enefarm-type-s", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin total 69.2 % (58.5 el + 10.7 heat) heating water 20->60 degC, "
               "ENE-FARM type S 85-87 %")),
    pytest.param("hitachi-zosen-20kw", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin total 69.2 % (58.5 el + 10.7 heat) heating water 20->60 degC, "
               "Hitachi Zosen 90 % (50 el + 40 heat)")),
    pytest.param("kansai-mmc-10kw", marks=pytest.mark.xfail(
        strict=True, raises=AssertionError,
        reason="twin total 69.2 % heating water 20->60 degC, Kansai/MMC 82 % HHV = "
               "91.1 % LHV")),
])
def test_chp_total_efficiency_heating_water(unit: str) -> None:
    """Rated (net AC + heat)/fuel, LHV, with a residential hot-water sink, inside the
    unit's published total.

    Sink: ``CHP_SINK``, city water 20 -> 60 degC (60 degC sourced for ENE-FARM, 20 degC
    an assumption [E]; the 10-20 kW units' sinks are not published, the same sink is
    assumed [E]). The twin's total hardly depends on the sink: 68.9-72.1 % for returns
    16-20 degC and supplies 45-70 degC (40 -> 60 degC default: 67.9 %). Published
    (``CHP_UNITS``): ENE-FARM 85-87 %, Hitachi Zosen 90 %, Kansai/MMC 82 % HHV =
    91.1 % LHV; tolerance +-0.5 point per figure. Twin: 58.5 % + 0.48 kW heat (10.7 %)
    = 69.2 %. Why: of the 1.61 kW the flue holds after the fuel processor and air
    preheat, 1.19 kW is released only as it cools from 45 degC to ambient, mostly as
    condensation below its 44 degC dew point (the air ratio 5.8 dilutes the flue); a
    20 degC return with the 20 K flue-to-water approach reaches down to 40 degC only.
    The blend's water, evaporated at 78-100 degC (about 0.75 kW), comes back only there.
    """
    lo, hi = CHP_UNITS[unit][1]
    assert lo <= float(_rated_with_chp_sink().total_efficiency[0]) <= hi


@pytest.mark.parametrize("unit", sorted(CHP_UNITS))
def test_chp_total_within_twin_flue_heat(unit: str) -> None:
    """The published totals do not exceed what the twin's fuel could give: net AC plus all
    the heat its flue holds after the fuel processor and air preheat, cooled to ambient
    (``heat_available``, 1.61 kW), is 94.2 % at rated.

    One-sided: the top of each published band (ENE-FARM 87.5 %, Hitachi Zosen 90.5 %,
    Kansai/MMC 82.5 % HHV = 91.6 % LHV; ``CHP_UNITS``) must lie at or below the twin's
    ceiling; fails if the twin lost heat (e.g. a larger hot-box loss) so that these
    products' totals became impossible for it.
    """
    r = _rated_with_chp_sink()
    ceiling = float((r.power[0] + r.heat_available[0]) / r.fuel[0])
    assert CHP_UNITS[unit][1][1] <= ceiling
