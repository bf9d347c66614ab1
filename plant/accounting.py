"""Emissions accounting (GHG Protocol) for the baseline year and target limits.

Scope 1: fossil CO2e from fuels burned on site. Scope 2 location-based: grid electricity ×
average grid factor; market-based: grid electricity not covered by certificates × residual
mix factor. Biogenic combustion CO2 is reported outside the scopes; upstream (well-to-tank)
fuel emissions are reported as scope 3. Units: MWh and t CO2e. The factors, and the
baseline computed from them, come from :mod:`plant.factors`.

How targets count them depends on ``accounting.target_mode`` (docs/accounting.md): the plan's
own rules (``company``) or the SBTi Corporate Net-Zero Standard v2.0 (``sbti_v2``).
"""

from __future__ import annotations

from plant.factors import baseline_emissions
from plant.schema import Certificate, Plan, PowerPurchaseAgreement, Target

#: SBTi v2: removal purchases start in this year ...
REMOVAL_RAMP_START = 2035
#: ... at this share of ongoing emissions, rising linearly to 100 % at the net-zero year.
REMOVAL_RAMP_START_SHARE = 0.01


def site_market(plan: Plan) -> str:
    """The electricity market the site draws from: ``site.market_boundary``, else its
    country."""
    return plan.site.market_boundary or plan.site.country


def deliverable(plan: Plan, certificate: Certificate | PowerPurchaseAgreement) -> bool:
    """Certificates (and those of a virtual PPA) count only from the site's own market, or
    under a legacy clause (GHG Protocol scope 2 quality criteria; the 2025 revision's
    deliverability). A private-wire PPA is delivered behind the meter: always."""
    return certificate.legacy or (certificate.market_boundary or site_market(plan)) == (
        site_market(plan))


def sbti(plan: Plan) -> bool:
    """The plan's targets are counted by the SBTi Corporate Net-Zero Standard v2.0."""
    return plan.accounting.target_mode == "sbti_v2"


def counted_scopes(plan: Plan, target: Target) -> list[str]:
    """The scopes ``target`` counts. SBTi v2 anchors scope 2 targets to the location-based
    pathway (a market-based scope 2 is counted location-based), or with
    ``sbti_scope2: low_carbon_share`` leaves scope 2 to the clean-electricity targets;
    ``company`` keeps them."""
    if not sbti(plan):
        return list(target.scopes)
    if scope2_by_share(plan):
        return [s for s in target.scopes if not s.startswith("scope2")]
    return ["scope2_location" if s == "scope2_market" else s for s in target.scopes]


def scope2_by_share(plan: Plan) -> bool:
    """SBTi v2 with scope 2 set as a low-carbon-electricity share target: emission targets
    leave scope 2 out and ``accounting.clean_electricity_targets`` govern it."""
    return sbti(plan) and plan.accounting.sbti_scope2 == "low_carbon_share"


def is_net_zero(target: Target) -> bool:
    """A net-zero target: a 100 % reduction."""
    return target.reduction >= 1.0


def net_zero_year(plan: Plan) -> int | None:
    """The earliest year of a net-zero target, if the plan has one."""
    years = [t.year for t in plan.targets if is_net_zero(t)]
    return min(years) if years else None


def credits_may_count(plan: Plan, target: Target, year: int) -> str | None:
    """Which credits ``target`` may count in ``year``: ``"all"`` (company mode, up to its
    ``max_credit_share``), ``"removals"`` (SBTi v2: only removals, only to neutralise the
    residual of a net-zero target in or after its year) or None (SBTi v2: none)."""
    if not sbti(plan):
        return "all"
    return "removals" if is_net_zero(target) and year >= target.year else None


def removal_share(plan: Plan, year: int) -> float | None:
    """SBTi v2 share of ongoing emissions to be bought as removals in ``year``, or None:

        r(y) = r₀ + (1 − r₀) · (y − 2035) / (Y − 2035)  for 2035 ≤ y < Y,  1 for y ≥ Y

    with r₀ = 1 % and Y the net-zero year (no ramp without a net-zero target, or before
    2035). Ongoing emissions are those on the net-zero target's counted scopes.
    """
    nz = net_zero_year(plan)
    if not sbti(plan) or nz is None or year < min(REMOVAL_RAMP_START, nz):
        return None
    if year >= nz:
        return 1.0
    r0 = REMOVAL_RAMP_START_SHARE
    return r0 + (1.0 - r0) * (year - REMOVAL_RAMP_START) / (nz - REMOVAL_RAMP_START)


def ramp_scopes(plan: Plan) -> list[str]:
    """Scopes whose ongoing emissions the SBTi v2 removal ramp covers: 1, 2 and 3 — scope 2
    as the net-zero target counts it (location-based in this mode), scope 3 as far as the plan
    knows it (upstream fuel emissions)."""
    nz = net_zero_year(plan)
    target = next((t for t in plan.targets if is_net_zero(t) and t.year == nz), None)
    scopes = counted_scopes(plan, target) if target else ["scope1", "scope2_location"]
    return list(dict.fromkeys([*scopes, "scope1", "scope2_location", "upstream"]))


def holds_in(plan: Plan, target: Target, year: int) -> bool:
    """Whether ``target``'s limit applies in ``year``: its own year, later years with
    ``hold_after``, and with ``pathway: linear`` the years after the baseline year before it."""
    if year == target.year or (target.hold_after and year > target.year):
        return True
    return target.pathway == "linear" and plan.baseline.year < year < target.year


def reduction_in(plan: Plan, target: Target, year: int) -> float:
    """The reduction ``target`` asks for in ``year``: r from its year on; on a linear pathway
    r · (y − b) / (T − b) before it, with b the baseline year and T the target year."""
    b = plan.baseline.year
    if year >= target.year or target.pathway != "linear" or target.year <= b:
        return target.reduction
    return target.reduction * max(year - b, 0) / (target.year - b)


def target_limit_t(plan: Plan, target: Target, year: int | None = None) -> float:
    """Emission limit of ``target`` in ``year`` (default: the target year) [t CO2e].

    Absolute: (1 − r(y)) · E_base. Per vehicle: (1 − r(y)) · E_base / V_base · V(year), i.e.
    the per-vehicle limit times the vehicles built that year; r(y) from :func:`reduction_in`.
    """
    year = target.year if year is None else year
    base = baseline_emissions(plan).total(counted_scopes(plan, target))
    limit = (1.0 - reduction_in(plan, target, year)) * base
    if target.basis == "per_vehicle":
        limit *= plan.production.vehicles_per_year.at(year) / plan.baseline.vehicles
    return limit


def target_intensity_limit(plan: Plan, target: Target) -> float | None:
    """Per-vehicle limit [t CO2e/vehicle] for per-vehicle targets, else None."""
    if target.basis != "per_vehicle":
        return None
    base = baseline_emissions(plan).total(counted_scopes(plan, target)) / plan.baseline.vehicles
    return (1.0 - target.reduction) * base
