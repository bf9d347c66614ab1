"""The report's "room to choose": the alternatives found within the slack of the least cost,
side by side, and the range each lever takes across them (summary.json ``alternatives``,
:mod:`optimiser.alternatives.summary`; nothing re-derived here)."""

from __future__ import annotations

from typing import Any

import xarray as xr

#: Words for a subject in a sentence (else its name with spaces).
SUBJECT_WORDS = {"sofc": "SOFC", "grid": "grid import", "credits": "carbon credits bought",
                 "renewables": "on-site renewables", "fuels-boilers": "fuels and boilers"}
#: Words after the subject for a measure (grid import and credits need none).
MEASURE_WORDS = {"capacity": " capacity", "energy": " output", "tonnes": ""}


def subject_words(subject: str) -> str:
    """``sofc`` -> ``SOFC``; ``heat_pump`` -> ``heat pump``."""
    return SUBJECT_WORDS.get(subject, subject.replace("_", " ").replace("-", " "))


def over_text(fraction: float) -> str:
    """``+1.97 %``; ``+0.00 %`` for solver noise either side of zero."""
    return f"{0.0 if abs(fraction) < 5e-5 else fraction:+.2%}".replace("%", " %")


def _measure_words(subject: str, measure: str) -> str:
    """`` capacity``, `` output in 2030``; nothing for grid import and credits."""
    name, _, year = measure.partition("@")
    words = "" if subject == "grid" else MEASURE_WORDS[name]
    return words + (f" in {year}" if year else "")


def alternatives_context(ds: xr.Dataset, summary: dict[str, Any]) -> dict[str, Any] | None:
    """What the template's alternatives section shows, or None when none were searched."""
    table = summary.get("alternatives")
    if not table:
        return None
    plans = [p | {"over_text": over_text(p["over_least_cost"])} for p in table["plans"]
             if "net_present_cost" in p]
    failed = [p for p in table["plans"] if "net_present_cost" not in p]
    techs = [str(t) for t in ds["tech"].values
             if any(p["capacity_final_year"].get(str(t), 0.0) > 0 for p in plans)]
    labels = {str(t): str(ds["tech_label"].sel(tech=t).values) for t in ds["tech"].values}
    units = {str(t): str(ds["tech_capacity_unit"].sel(tech=t).values)
             for t in ds["tech"].values}
    years = sorted({y for p in plans for y in p["emissions"]})
    room = [r | {"words": subject_words(r["subject"]),
                 "measure_words": _measure_words(r["subject"], r["measure"])}
            for r in table["room_to_choose"]]
    return {"table": table, "plans": plans, "failed": failed, "years": years,
            "techs": [{"key": t, "label": labels[t], "unit": units[t],
                       "by_plan": [p["capacity_final_year"].get(t, 0.0) for p in plans]}
                      for t in techs],
            "room": room, "most": _most(plans, room)}


def _most(plans: list[dict[str, Any]], room: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each subject taken to its most: that plan, its total and what it costs."""
    by_name = {p["name"]: p for p in plans}
    out = []
    for r in room:
        if not r["high_is_most"] or r["high_in"] not in by_name:
            continue
        p = by_name[r["high_in"]]
        out.append({"words": r["words"], "measure_words": r["measure_words"],
                    "measure": r["measure"],
                    "value": r["high"], "unit": r["unit"], "least_cost": r["least_cost"],
                    "plan": p["name"], "cost": p["net_present_cost"],
                    "over": p["over_text"]})
    return out
