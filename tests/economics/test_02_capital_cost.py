"""Item 2 (issue 11): capital cost consistent with the discount rate.

Convention (docs/optimiser.md, "Economic conventions"): capex c is paid once in the build
year b; a cohort that outlives the horizon end T returns the present value of the annuity-due
it still owes, c·ä(b+L−T)/ä(L) at T, with ä(n) = Σ_{k<n} (1+r)^-k. Net, it costs the level
annuity-due c/ä(L) in each year it serves inside the horizon. Straight-line salvage
(c·(b+L−T)/L) ignored discounting and over-charged late builds.
"""

from __future__ import annotations

import pytest

from optimiser.formulate.economics import Spans, annuity_due_factor, salvage_fraction

from ..optimiser.helpers import run


def adue(years: int, rate: float) -> float:
    """ä(n) in closed form, (1 − v^n)/(1 − v)."""
    v = 1 / (1 + rate)
    return (1 - v ** years) / (1 - v)


def test_annuity_due_factor_closed_form() -> None:
    for rate in (0.0, 0.05, 0.07):
        for n in (1, 10, 20, 38):
            expected = n if rate == 0 else adue(n, rate)
            assert annuity_due_factor(rate, n) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("build", "over"), [(2040, 1.11), (2050, 1.27)])
def test_salvage_is_the_annuities_still_owed(build: int, over: float) -> None:
    """c·v^b − salvage·v^T equals Σ over served years of the annuity-due c/ä(L)·v^τ, for a
    cohort with life 20 in a horizon ending 2051, at 7 % (base year 2027). Straight-line
    salvage charged 11 % more than that for a 2040 build and 27 % more for a 2050 build."""
    spans = Spans((2027, 2030, 2035, 2040, 2045, 2050), 0.07, 2027)
    life, end = 20, spans.horizon_end
    assert end == 2051
    net = spans.discount(build) - salvage_fraction(0.07, life, build + life - end) * (
        spans.discount(end))
    annuity = 1 / adue(life, 0.07)
    served = sum(annuity * spans.discount(t) for t in range(build, end))
    assert net == pytest.approx(served, rel=1e-12)
    straight = 1 - (build + life - end) / life * 1.07 ** -(end - build)
    assert straight / (net / spans.discount(build)) == pytest.approx(over, abs=0.005)
    assert salvage_fraction(0.0, 20, 5) == pytest.approx(5 / 20)


def test_efficiency_measure_that_beats_its_annuity_is_built(tmp_path) -> None:
    """One investment year (2025, also the base year), 7 %, grid at 104/MWh, a 1 MW flat
    load (8760 MWh). An efficiency measure costs 1000 per MWh/yr saved, lives 20 years, may
    save 10 % (876 MWh/yr). Its annuity-due is 1000/ä(20) = 1000/11.3356 = 88.22 per MWh
    saved, below the 104 it saves, so it is built in full:
      NPC = 876 × 88.22 + (8760 − 876) × 104 = 77,279 + 819,936 = 897,215.
    Straight-line salvage charged 1000 × (1 − 19/20/1.07) = 112.1 > 104: nothing was built
    and the NPC was 8760 × 104 = 911,040."""
    measure = {"kind": "efficiency", "carrier": "electricity",
               "capex_per_mwh_saved_per_year": 1000, "max_saving_fraction": 0.1,
               "lifetime_years": 20}
    result = run(tmp_path, {"technologies": {"saving": measure},
                            "grid": {"import_price_per_mwh": 104},
                            "finance": {"discount_rate": 0.07}})
    ds = result.results
    assert result.outcome.status == "optimal"
    saved = float(ds["capacity"].sel(tech="saving", year=2025))
    assert saved == pytest.approx(876.0, rel=1e-6)
    expected = 876 * 1000 / adue(20, 0.07) + (8760 - 876) * 104
    assert result.outcome.objective == pytest.approx(expected, rel=1e-6)
    assert 1000 / adue(20, 0.07) == pytest.approx(88.22, abs=0.01)


def test_economics_examples() -> None:
    """The worked examples in optimiser/formulate/economics.py's docstrings hold."""
    import doctest

    import optimiser.formulate.economics

    assert doctest.testmod(optimiser.formulate.economics).failed == 0
