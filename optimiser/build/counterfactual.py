"""The counterfactual heat supply: what a MWh of useful heat of each class would emit and cost
in each year from the baseline's own fuel-fired plant (docs/optimiser.md, "Abatement by
lever").

For heat class c, the existing fuel-fired heat plant that serves it (existing assets a whose
technology turns fuel into heat, weighted by capacity K_a / K_c) gives its efficiencies η_a(y)
(the asset's own ``efficiency`` where it states one, else its technology's) and the fuels it
can burn; the baseline's fuel mix (``baseline.fuels_mwh``) restricted to those fuels gives
their shares s_f. Then

  h_c,k(y) = Σ_a (K_a/K_c) Σ_f s_f e_f,k(y) / η_a(y)   [t per MWh of useful heat, category k],
  p_c(y)   = Σ_a (K_a/K_c) Σ_f s_f p̄_f(y) / η_a(y)    [currency per MWh of useful heat],

with e_f,k and p̄_f per MWh LHV (the boilers' efficiencies are on LHV). These are the heat
model's own factors, not scaled to the stated baseline: a MWh of heat from that plant burning
that mix emits h_c in the model too, so a plant that changes nothing abates nothing by any
lever. What the stated baseline emits beyond what the model's plant burns for the baseline
year's demand H_c(y₀),

  G_k = E₀,k − Σ_c h_c,k(y₀) H_c(y₀)   [t/yr],

is the "baseline calibration" effect of the abatement decomposition
(:func:`optimiser.post.statistics.abatement`), never a lever's. A class that no existing fuel
burner serves, and every class of a plan whose burners emit nothing in category k, take the
baseline's mean intensity E₀,k / H₀ (held over the years; G_k is then 0 for them).
"""

from __future__ import annotations

import numpy as np

from optimiser.build.inputs import ModelInputs
from plant.accounting import baseline_emissions
from plant.energy import annual_demand_mwh
from plant.schema import ExistingAsset, Plan

FUEL_CATEGORIES = ("scope1", "biogenic", "upstream")
"""Emission categories of a fuel's factors (combustion fossil, combustion biogenic,
well-to-tank)."""
FUEL_FIELDS = {"scope1": "combustion_fossil_t_per_mwh",
               "biogenic": "combustion_biogenic_t_per_mwh", "upstream": "upstream_t_per_mwh"}


def _burners(plan: Plan, heat_class: str) -> list[ExistingAsset]:
    """The existing fuel-fired heat plant (technologies that turn fuel into heat,
    ``heat_per_fuel``) that serves ``heat_class``."""
    out = []
    for asset in plan.existing_assets.values():
        tech = plan.technologies[asset.technology]
        if tech.heat_per_fuel(plan.baseline.year) is not None and heat_class in tech.outputs():
            out.append(asset)
    return out


def asset_heat_per_fuel(plan: Plan, asset: ExistingAsset, year: int) -> float | None:
    """η_a(y): the asset's own efficiency if it states one, else its technology's (LHV)."""
    if asset.efficiency is not None:
        return asset.efficiency
    return plan.technologies[asset.technology].heat_per_fuel(year)


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
    capacity = sum(a.capacity_mw for a in burners)
    if capacity <= 0:
        return None
    factors = np.zeros((len(FUEL_CATEGORIES), len(years)))
    prices = np.zeros(len(years))
    for asset in burners:
        tech = plan.technologies[asset.technology]
        weight = asset.capacity_mw / capacity
        for f, share in _mix(plan, tech.fuels_burned()).items():
            fuel = plan.fuels[f]
            for j, y in enumerate(years):
                eta = asset_heat_per_fuel(plan, asset, y)
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
        mean = getattr(base, cat) / heat0 if heat0 > 0 else 0.0
        computed = float((base_year_factors[known, i] * demand0[known]).sum())
        fill = ~known if computed > 0 else np.ones(len(classes), dtype=bool)
        factors[fill, i] = mean
        base_year_factors[fill, i] = mean
    return factors, prices, base_year_factors


def _at_year(inputs: ModelInputs, year: int) -> ModelInputs:
    """The same inputs with one modelled year, ``year`` (to read factors in the baseline)."""
    from dataclasses import replace

    from optimiser.build.economics import Spans

    spans = Spans((year,), inputs.spans.rate, min(inputs.spans.base_year, year))
    return replace(inputs, years=[year], spans=spans)
