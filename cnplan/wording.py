"""Words shared by the command line and the reports: how a basis of emissions is named and
what a target's credits are (docs/accounting.md, "Credits on page 1"). No heavy imports:
the command line uses it."""

from __future__ import annotations

from typing import Any

#: How the reports name each reported emission category.
EMISSION_LABELS = {
    "scope1": "scope 1", "scope2_location": "scope 2 location-based",
    "scope2_market": "scope 2 market-based", "biogenic": "biogenic CO2 (outside the scopes)",
    "upstream": "upstream fuel (scope 3)",
    "scope3_embodied": "embodied in what is built (scope 3)", "credits": "credits (apart)",
    "net": "net",
}


def basis_text(basis: str) -> str:
    """``scope1+scope2_market`` → "scope 1 + scope 2 market-based"; ``per_vehicle`` → "per
    vehicle"."""
    return " + ".join(EMISSION_LABELS.get(p, p.replace("_", " ")) for p in basis.split("+"))


def counted_text(basis: str, net_of_credits: bool) -> str:
    """The basis a headline figure is on, with how credits enter it: "scope 1 + scope 2
    location-based, credits not netted"."""
    return f"{basis_text(basis)}, {'net of credits' if net_of_credits else 'credits not netted'}"


def _pct(fraction: float) -> str:
    """``7.3 %`` (one decimal)."""
    return f"{fraction * 100:,.1f} %"


def credits_sentence(target: dict[str, Any], sbti: bool) -> tuple[str, bool]:
    """What a met target's credits are, in words, and whether that is a warning.

    ``target``: a summary.json target with ``needs_credits_in``. ``credits_use``
    (:func:`optimiser.post.statistics.credits_use`) decides: ``within_share`` is stated plainly
    (the credits stay within the share the target allows and its emissions fall);
    ``only_credits`` (its emissions alone cut nothing) and ``beyond_share`` are warnings.
    Under SBTi v2 the residual of a net-zero target is neutralised by removals."""
    years = target["needs_credits_in"]
    first = target["years"][str(years[0])]
    when = ", ".join(map(str, years))
    used = f"{round(first['credits']) + 0:,} t in {years[0]}"
    share, cap = first.get("credit_share"), target.get("max_credit_share")
    of_base = "" if share is None else f", {_pct(share)} of its baseline"
    allowed = "" if cap is None else f"; it allows up to {_pct(cap)}"
    kind = target.get("credits_use")
    if sbti:
        return f"residual neutralised by removals in {when} ({used})", False
    if kind == "only_credits":
        return (f"met only with credits, not reductions, in {when} ({used}): its emissions "
                "alone are no lower than its baseline", True)
    if kind == "beyond_share":
        return (f"met only with credits beyond the share it allows, in {when} "
                f"({used}{of_base}{allowed})", True)
    if kind == "within_share":
        cut = first["reduction_before_credits"]
        return (f"met, with credits within the allowed share, in {when} ({used}{of_base}"
                f"{allowed}; emissions alone cut {_pct(cut)})", False)
    return f"met with credits in {when} ({used})", False
