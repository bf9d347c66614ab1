"""``plant.overrides.apply_overrides``: set, scale, never mutate, clear errors."""

from __future__ import annotations

import pytest

from plant.loader import read_plan
from plant.overrides import OverrideError, apply_overrides

from ..optimiser.helpers import DATA


@pytest.fixture(scope="module")
def plan():
    return read_plan(DATA / "sofc_plan.yaml").plan


def test_scale_multiplies_every_value_of_the_sibling_field(plan):
    capex = plan.technologies["sofc_bioethanol"].capex_per_kw
    new = apply_overrides(plan, {"fuels.bioethanol.price_scale": 0.5,
                                 "technologies.sofc_bioethanol.capex_per_kw_scale": 2.0})
    assert new.fuels["bioethanol"].price_per_mwh.at(2025) == pytest.approx(55.0)
    assert new.technologies["sofc_bioethanol"].capex_per_kw.points == pytest.approx(
        {y: 2 * v for y, v in capex.points.items()})
    assert plan.fuels["bioethanol"].price_per_mwh.at(2025) == 110.0  # not mutated


def test_full_path_sets_an_absolute_value(plan):
    new = apply_overrides(plan, {"grid.import_price_per_mwh": 150})
    assert new.grid.import_price_per_mwh.at(2030) == 150.0
    assert plan.grid.import_price_per_mwh.at(2030) == 200.0


@pytest.mark.parametrize(("key", "message"), [
    ("fuels.bioethanl.price_scale", "did you mean 'fuels.bioethanol'?"),
    ("grid.import_price", "did you mean 'grid.import_price_per_mwh'?"),
    ("grid.import_prise_scale", "did you mean 'grid.import_price_per_mwh_scale'?"),
    ("site.name", "not a numeric field"),
    ("grid.export_allowed", "not a numeric field"),
    ("fuels.bioethanol.price_scale", "must not be negative"),
])
def test_errors_are_clear(plan, key, message):
    with pytest.raises(OverrideError) as info:
        apply_overrides(plan, {key: -1.0})
    assert message in str(info.value)


def test_ambiguous_scale_and_non_numeric_value(plan):
    # two numeric fields share the stem once the stack life is given (unset, it is no number)
    sofc = plan.technologies["sofc_bioethanol"].model_copy(update={"stack_life_hours": 2e4})
    with_life = plan.model_copy(update={"technologies": {**plan.technologies,
                                                         "sofc_bioethanol": sofc}})
    with pytest.raises(OverrideError, match="ambiguous: stack_life_hours, "
                       "stack_replacement_fraction_of_capex"):
        apply_overrides(with_life, {"technologies.sofc_bioethanol.stack_scale": 1.0})
    with pytest.raises(OverrideError, match="must be a number"):
        apply_overrides(plan, {"grid.import_price_per_mwh": "high"})  # type: ignore[dict-item]
