"""A plan's emission factors and prices, computed once before any model is built.

Every reader takes them from one :class:`SiteFactors`: the model's grid and fuel rows and its
market-based scope 2 (optimiser/formulate/components/markets.py, certificates.py), the baseline
(:func:`baseline_emissions`, which the targets count from), the counterfactual heat supply
(:func:`heat_counterfactual`) and the results' ledger, which writes them unchanged into
results.nc (``grid_factor``, ``fuel_price``, ``fuel_factor``, ``heat_factor``,
``heat_price``, ``baseline_emissions``). The rules live here and only here
(docs/accounting.md, "Where the factors come from"):

* grid, location-based: e_loc(y) = ``grid.carbon_intensity_t_per_mwh`` at y, hour by hour
  e_loc(y)·σ(t) with σ the profile's ``grid_carbon_shape`` (mean 1);
* grid, market-based: e_mkt(y) = the residual mix ``grid.residual_mix_t_per_mwh`` at y, or
  the location-based annual factor where the plan gives none (GHG Protocol Scope 2
  Guidance; ``cnplan validate`` warns, W201); flat over the hours;
* fuels: prices and factors are stated per MWh on the fuel's heating-value basis; per MWh
  LHV they are the stated value × 1/κ, κ = ``hhv_to_lhv`` (LHV/HHV; 1 for a fuel stated on
  LHV), and a supply limit stated per year becomes stated × κ MWh LHV (docs/plans.md);
* emission factors are read at the year (``Trajectory.at``); prices are the mean the caller
  passes, the optimiser's discount-weighted mean over the calendar years a modelled year
  stands for (``optimiser.formulate.economics.Spans.mean``).

Units: t CO2e/MWh, currency of the plan's price year per MWh, MWh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from plant.energy import annual_demand_mwh
from plant.schema import ExistingAsset, Fuel, Plan
from plant.trajectory import Trajectory

#: The mean of a money trajectory over what modelled year ``y`` stands for.
PriceMean = Callable[[Trajectory, int], float]

FUEL_CATEGORIES = ("scope1", "biogenic", "upstream")
"""Emission categories of a fuel's factors (combustion fossil, combustion biogenic,
well-to-tank)."""
FUEL_FIELDS = {"scope1": "combustion_fossil_t_per_mwh",
               "biogenic": "combustion_biogenic_t_per_mwh", "upstream": "upstream_t_per_mwh"}


def at_year(trajectory: Trajectory, year: int) -> float:
    """A trajectory's value in ``year`` (the :data:`PriceMean` of one calendar year)."""
    return trajectory.at(year)


def market_factor(plan: Plan) -> Trajectory:
    """The market-based grid factor [t/MWh]: the residual mix, else the location-based
    factor (module docstring)."""
    return plan.grid.residual_mix_t_per_mwh or plan.grid.carbon_intensity_t_per_mwh


def per_lhv(fuel: Fuel) -> float:
    """MWh on the fuel's stated basis per MWh LHV: 1/κ (module docstring)."""
    return 1.0 / fuel.hhv_to_lhv


def fuel_factor(fuel: Fuel, category: str, year: int) -> float:
    """Emission factor of ``category`` per MWh on the fuel's stated basis [t/MWh]."""
    return float(getattr(fuel, FUEL_FIELDS[category]).at(year))


@dataclass(frozen=True)
class GridFactors:
    """The grid's factors and prices per modelled year."""

    location: dict[int, float]
    """e_loc(y), annual mean [t CO2e/MWh]."""
    market: dict[int, float]
    """e_mkt(y) [t CO2e/MWh]."""
    residual_mix_given: bool
    """Whether e_mkt is the plan's residual mix (else the location-based factor)."""
    import_price: dict[int, float]
    """Mean import price [currency/MWh], before the hourly price shape."""
    export_price: dict[int, float]
    """Export price [currency/MWh]."""
    location_shape: np.ndarray | None
    """σ(t) on the model's time grid (mean 1 over the profile year), None without one."""


@dataclass(frozen=True)
class FuelFactors:
    """One fuel's prices and factors per modelled year, stated and per MWh LHV."""

    per_lhv: float
    """1/κ: MWh stated per MWh LHV."""
    price: dict[int, float]
    """Price per MWh on the stated basis [currency/MWh]."""
    price_lhv: dict[int, float]
    """Price per MWh LHV [currency/MWh]."""
    factor_lhv: dict[str, dict[int, float]]
    """Category -> year -> emission factor per MWh LHV [t CO2e/MWh]."""
    supply_limit_lhv: dict[int, float] | None
    """Most that can be bought a year [MWh LHV], None without a limit."""


@dataclass(frozen=True)
class HeatCounterfactual:
    """What a MWh of useful heat of each class would emit and cost from the baseline's own
    fuel-fired plant (:func:`heat_counterfactual`)."""

    years: tuple[int, ...]
    factors: np.ndarray
    """(heat_class, fuel category, year) [t CO2e/MWh useful]."""
    prices: np.ndarray
    """(heat_class, year) [currency/MWh useful]."""
    base_year_factors: np.ndarray
    """(heat_class, fuel category) in the baseline year [t CO2e/MWh useful]."""

    def in_years(self, years: list[int] | tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """:attr:`factors` and :attr:`prices` of ``years`` only (a decomposition's year, an
        hourly verification's)."""
        idx = [self.years.index(y) for y in years]
        return self.factors[:, :, idx], self.prices[:, idx]


@dataclass(frozen=True)
class Emissions:
    """Emissions of one year by category [t CO2e]."""

    scope1: float
    scope2_location: float
    scope2_market: float
    biogenic: float
    upstream: float
    scope3_embodied: float = 0.0
    """Embodied emissions of what is built in the year (none in a baseline year: the
    baseline is the site's operation)."""

    def total(self, scopes: list[str]) -> float:
        """Sum over the named scopes."""
        return sum(getattr(self, s) for s in scopes)


@dataclass(frozen=True)
class SiteFactors:
    """Everything of the module docstring for one plan and its modelled years."""

    years: tuple[int, ...]
    grid: GridFactors
    fuels: dict[str, FuelFactors]
    heat: HeatCounterfactual
    baseline: Emissions


def site_factors(plan: Plan, years: list[int] | tuple[int, ...], mean: PriceMean,
                 carbon_shape: np.ndarray | None = None) -> SiteFactors:
    """The factors and prices of ``plan`` for ``years`` (prices by ``mean``; the location
    factor's hourly shape ``carbon_shape`` on the model's time grid, if it has one)."""
    years = tuple(years)
    return SiteFactors(years=years, grid=grid_factors(plan, years, mean, carbon_shape),
                       fuels={f: fuel_factors(fuel, years, mean)
                              for f, fuel in plan.fuels.items()},
                       heat=heat_counterfactual(plan, years, mean),
                       baseline=baseline_emissions(plan))


def grid_factors(plan: Plan, years: tuple[int, ...], mean: PriceMean,
                 carbon_shape: np.ndarray | None = None) -> GridFactors:
    """The grid's part of :func:`site_factors`."""
    grid, market = plan.grid, market_factor(plan)
    return GridFactors(
        location={y: grid.carbon_intensity_t_per_mwh.at(y) for y in years},
        market={y: market.at(y) for y in years},
        residual_mix_given=grid.residual_mix_t_per_mwh is not None,
        import_price={y: mean(grid.import_price_per_mwh, y) for y in years},
        export_price={y: mean(grid.export_price_per_mwh, y) for y in years},
        location_shape=carbon_shape)


def fuel_factors(fuel: Fuel, years: tuple[int, ...], mean: PriceMean) -> FuelFactors:
    """One fuel's part of :func:`site_factors`."""
    lhv = per_lhv(fuel)
    price = {y: mean(fuel.price_per_mwh, y) for y in years}
    limit = fuel.supply_limit_mwh_per_year
    return FuelFactors(
        per_lhv=lhv, price=price, price_lhv={y: p * lhv for y, p in price.items()},
        factor_lhv={c: {y: fuel_factor(fuel, c, y) * lhv for y in years}
                    for c in FUEL_CATEGORIES},
        supply_limit_lhv=None if limit is None else {y: limit.at(y) * fuel.hhv_to_lhv
                                                     for y in years})


def baseline_emissions(plan: Plan) -> Emissions:
    """Baseline-year emissions: reported values where given, else computed from energy use
    at the baseline year's factors (fuels on their stated basis; grid electricity net of
    on-site renewables, location-based and market-based by :func:`market_factor`)."""
    base = plan.baseline
    year = base.year
    scope1 = biogenic = upstream = 0.0
    for name, mwh in base.fuels_mwh.items():
        fuel = plan.fuels[name]
        scope1 += mwh * fuel_factor(fuel, "scope1", year)
        biogenic += mwh * fuel_factor(fuel, "biogenic", year)
        upstream += mwh * fuel_factor(fuel, "upstream", year)
    grid_mwh = max(base.electricity_mwh - base.onsite_renewable_mwh, 0.0)
    loc = grid_mwh * plan.grid.carbon_intensity_t_per_mwh.at(year)
    market = grid_mwh * market_factor(plan).at(year)
    stated = base.emissions_t
    return Emissions(
        scope1=stated.scope1 if stated.scope1 is not None else scope1,
        scope2_location=stated.scope2_location if stated.scope2_location is not None else loc,
        scope2_market=stated.scope2_market if stated.scope2_market is not None else market,
        biogenic=biogenic,
        upstream=upstream,
    )


# The counterfactual heat supply (docs/optimiser.md, "Abatement by lever").
#
# For heat class c, the existing fuel-fired heat plant that serves it (existing assets a whose
# technology turns fuel into heat, weighted by capacity K_a / K_c) gives its efficiencies
# η_a(y) (the asset's own ``efficiency`` where it states one, else its technology's) and the
# fuels it can burn; the baseline's fuel mix (``baseline.fuels_mwh``) restricted to those
# fuels gives their shares s_f. Then
#
#   h_c,k(y) = Σ_a (K_a/K_c) Σ_f s_f e_f,k(y) / η_a(y)   [t per MWh of useful heat, category k],
#   p_c(y)   = Σ_a (K_a/K_c) Σ_f s_f p̄_f(y) / η_a(y)    [currency per MWh of useful heat],
#
# with e_f,k and p̄_f per MWh LHV (the boilers' efficiencies are on LHV). These are the heat
# model's own factors, not scaled to the stated baseline: a MWh of heat from that plant
# burning that mix emits h_c in the model too, so a plant that changes nothing abates
# nothing by any lever. What the stated baseline emits beyond what the model's plant burns
# for the baseline year's demand H_c(y₀),
#
#   G_k = E₀,k − Σ_c h_c,k(y₀) H_c(y₀)   [t/yr],
#
# is the "baseline calibration" effect of the abatement decomposition
# (optimiser.post.statistics.abatement), never a lever's. A class that no existing fuel
# burner serves, and every class of a plan whose burners emit nothing in category k, take
# the baseline's mean intensity E₀,k / H₀ (held over the years; G_k is then 0 for them).


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


def _per_class(plan: Plan, heat_class: str, years: tuple[int, ...], mean: PriceMean
               ) -> tuple[np.ndarray, np.ndarray] | None:
    """h_c (category, year) and p_c (year) of one class, or None without a burner."""
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
                prices[j] += lhv * mean(fuel.price_per_mwh, y)
                for i, cat in enumerate(FUEL_CATEGORIES):
                    factors[i, j] += lhv * fuel_factor(fuel, cat, y)
    return factors, prices


def heat_counterfactual(plan: Plan, years: tuple[int, ...], mean: PriceMean
                        ) -> HeatCounterfactual:
    """h_c,k(y), p_c(y) and h_c,k(y₀) of the comment above, for every heat class."""
    classes = plan.heat_classes()
    year0 = plan.baseline.year
    base = baseline_emissions(plan)
    demand0 = np.array([annual_demand_mwh(plan, c, year0) for c in classes])
    factors = np.zeros((len(classes), len(FUEL_CATEGORIES), len(years)))
    prices = np.zeros((len(classes), len(years)))
    known = np.zeros(len(classes), dtype=bool)
    base_year_factors = np.zeros((len(classes), len(FUEL_CATEGORIES)))
    for c, heat_class in enumerate(classes):
        found = _per_class(plan, heat_class, years, mean)
        if found is None:
            continue
        known[c] = True
        factors[c], prices[c] = found
        at_base = _per_class(plan, heat_class, (year0,), at_year)
        assert at_base is not None
        base_year_factors[c] = at_base[0][:, 0]
    heat0 = float(demand0.sum())
    for i, cat in enumerate(FUEL_CATEGORIES):
        mean_factor = getattr(base, cat) / heat0 if heat0 > 0 else 0.0
        computed = float((base_year_factors[known, i] * demand0[known]).sum())
        fill = ~known if computed > 0 else np.ones(len(classes), dtype=bool)
        factors[fill, i] = mean_factor
        base_year_factors[fill, i] = mean_factor
    return HeatCounterfactual(years, factors, prices, base_year_factors)
