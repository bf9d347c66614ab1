"""The counterfactual heat supply: what a MWh of useful heat of each class would emit and cost
in each year from the baseline's own fuel-fired plant (docs/optimiser.md, "Abatement by
lever").

For heat class c, the existing fuel-fired heat plant that serves it (existing assets whose
technology turns fuel into heat, by capacity) gives its efficiency η_c(y) and the fuels it can burn;
the baseline's fuel mix (``baseline.fuels_mwh``) restricted to those fuels gives their shares
s_f. Then

  h_c,k(y) = Σ_f s_f e_f,k(y) / η_c(y)     [t per MWh of useful heat, category k],
  p_c(y)   = Σ_f s_f p̄_f(y) / η_c(y)      [currency per MWh of useful heat],

with e_f,k and p̄_f per MWh LHV (the boilers' efficiencies are on LHV). The factors are
scaled (one factor per category for all classes) so that Σ_c h_c,k(y₀) H_c(y₀) equals the
baseline's reported emissions of category k: the decomposition then starts exactly from the
baseline. A class that no existing fuel burner serves, and a plan without fuel burners or
baseline fuels, take the baseline's mean intensity E₀,k / H₀ (held over the years).
"""

from __future__ import annotations

import numpy as np

from optimiser.inputs import ModelInputs
from plant.accounting import baseline_emissions
from plant.energy import annual_demand_mwh
from plant.schema import Plan

FUEL_CATEGORIES = ("scope1", "biogenic", "upstream")
"""Emission categories of a fuel's factors (combustion fossil, combustion biogenic,
well-to-tank)."""
FUEL_FIELDS = {"scope1": "combustion_fossil_t_per_mwh",
               "biogenic": "combustion_biogenic_t_per_mwh", "upstream": "upstream_t_per_mwh"}


def _burners(plan: Plan, heat_class: str) -> list[tuple[float, str]]:
    """(capacity, technology) of the existing fuel-fired heat plant (technologies that turn
    fuel into heat, ``heat_per_fuel``) that serves ``heat_class``."""
    out = []
    for asset in plan.existing_assets.values():
        tech = plan.technologies[asset.technology]
        if tech.heat_per_fuel(plan.baseline.year) is not None and heat_class in tech.outputs():
            out.append((asset.capacity_mw, asset.technology))
    return out


def _mix(plan: Plan, fuels: tuple[str, ...]) -> dict[str, float]:
    """Shares of ``fuels`` in the baseline's fuel use (the first fuel if none was used)."""
    used = {f: plan.baseline.fuels_mwh.get(f, 0.0) for f in fuels}
    total = sum(used.values())
    if total <= 0:
        return {fuels[0]: 1.0}
    return {f: mwh / total for f, mwh in used.items() if mwh > 0}


def _per_class(inputs: ModelInputs, heat_class: str
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """Unscaled factors (category, year) and prices (year) of one class, or None."""
    plan, years = inputs.plan, inputs.years
    burners = _burners(plan, heat_class)
    capacity = sum(k for k, _ in burners)
    if capacity <= 0:
        return None
    factors = np.zeros((len(FUEL_CATEGORIES), len(years)))
    prices = np.zeros(len(years))
    for k, name in burners:
        tech = plan.technologies[name]
        weight = k / capacity
        for f, share in _mix(plan, tech.fuels_burned()).items():
            fuel = plan.fuels[f]
            for j, y in enumerate(years):
                eta = tech.heat_per_fuel(y)
                assert eta is not None
                lhv = share * weight / eta / fuel.hhv_to_lhv
                prices[j] += lhv * inputs.price(fuel.price_per_mwh, y)
                for i, cat in enumerate(FUEL_CATEGORIES):
                    factors[i, j] += lhv * getattr(fuel, FUEL_FIELDS[cat]).at(y)
    return factors, prices


def heat_counterfactual(inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Factors (heat_class, category, year) [t/MWh useful], prices (heat_class, year)
    [currency/MWh useful] and the factors in the baseline year (heat_class, category) of the
    module docstring."""
    plan, years = inputs.plan, inputs.years
    classes = plan.heat_classes()
    year0 = plan.baseline.year
    base = baseline_emissions(plan)
    demand0 = np.array([annual_demand_mwh(plan, c, year0) for c in classes])
    factors = np.zeros((len(classes), len(FUEL_CATEGORIES), len(years)))
    prices = np.zeros((len(classes), len(years)))
    known = np.zeros(len(classes), dtype=bool)
    base_year_factors = np.zeros((len(classes), len(FUEL_CATEGORIES)))
    for c, heat_class in enumerate(classes):
        found = _per_class(inputs, heat_class)
        if found is None:
            continue
        known[c] = True
        factors[c], prices[c] = found
        at_base = _per_class(_at_year(inputs, year0), heat_class)
        assert at_base is not None
        base_year_factors[c] = at_base[0][:, 0]
    heat0 = float(demand0.sum())
    for i, cat in enumerate(FUEL_CATEGORIES):
        stated = getattr(base, cat)
        computed = float((base_year_factors[known, i] * demand0[known]).sum())
        share_known = float(demand0[known].sum()) / heat0 if heat0 > 0 else 0.0
        if computed > 0 and share_known > 0:
            scale = stated * share_known / computed
            factors[known, i] *= scale
            base_year_factors[known, i] *= scale
        mean = stated / heat0 if heat0 > 0 else 0.0
        factors[~known, i] = mean
        base_year_factors[~known, i] = mean
        if computed <= 0:
            factors[:, i] = mean
            base_year_factors[:, i] = mean
    return factors, prices, base_year_factors


def _at_year(inputs: ModelInputs, year: int) -> ModelInputs:
    """The same inputs with one modelled year, ``year`` (to read factors in the baseline)."""
    from dataclasses import replace

    from optimiser.economics import Spans

    spans = Spans((year,), inputs.spans.rate, min(inputs.spans.base_year, year))
    return replace(inputs, years=[year], spans=spans)
