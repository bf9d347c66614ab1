"""A sweep's point files, ``DIR/points/<id>.json``: written atomically, read back checked.

A point file is written whole or not at all (a temporary file in the same folder, then a
rename), by whichever process solved the point, the moment it is solved. A file that cannot
be a point record (unreadable, not JSON, ``{}``, a key missing or of the wrong type, another
point's id) does not count as done: the point runs again and its file is replaced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cnplan.outputs import atomic_write_text
from cnplan.runfolder import RunFolderError, read_json_object
from cnplan.sweeps.spec import Point

#: The figures of a solved point (:func:`cnplan.sweeps.worker.point_outputs`) that map a
#: year to a number.
YEARLY_OUTPUTS = ("net_emissions", "sofc_electricity_mwh")


class SweepFolderError(ValueError):
    """``--out`` holds a different sweep, or a sweep folder cannot be read."""


def points_dir(out_dir: Path) -> Path:
    """Folder of the per-point JSON files."""
    return Path(out_dir) / "points"


def write_point(out_dir: Path, record: dict[str, Any]) -> Path:
    """Write one point record atomically (temporary file in the same folder, then rename)."""
    folder = points_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    text = json.dumps(record, indent=1, default=_json_default)
    atomic_write_text(path, text, overwrite=True)
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON-able: {type(value).__name__}")


def failed_record(point: Point, status: str, reason: str) -> dict[str, Any]:
    """The record of a point that produced no plan, with why."""
    return {"id": point.id, "values": point.values, "ok": False, "status": status,
            "reason": reason, "outputs": None, "rebuilt": None}


def read_points(out_dir: Path) -> dict[str, dict[str, Any]]:
    """Every valid point record in ``DIR/points`` by id (other files are left out)."""
    return scan_points(out_dir)[0]


def scan_points(out_dir: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The valid point records by id, and one ``PATH: problem`` line for each file in
    ``DIR/points`` that is not one (it does not count as done)."""
    records: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for path in sorted(points_dir(out_dir).glob("*.json")):
        record, problem = _read_point(path)
        if problem is None:
            records[path.stem] = record
        else:
            problems.append(f"{path}: {problem}")
    return records, problems


def _read_point(path: Path) -> tuple[Any, str | None]:
    """The record in ``path`` and None, or None and why it is not a point record."""
    try:
        record = read_json_object(path.parent, path.name)
    except RunFolderError as exc:
        return None, exc.problem
    return record, record_problem(record, path.stem)


def record_problem(record: Any, point_id: str) -> str | None:
    """Why ``record``, read from ``<point_id>.json``, is not a point record (None if it is)."""
    if not isinstance(record, dict):
        return f"holds a JSON {type(record).__name__}, not a point record"
    if not record:
        return "empty ({}), not a point record"
    if record.get("id") != point_id:
        return ("has no id" if "id" not in record
                else f"has the id {record['id']!r}, not {point_id!r}")
    kinds = {"values": dict, "ok": bool, "status": str}
    wrong = [k for k, kind in kinds.items() if not isinstance(record.get(k), kind)]
    if wrong:
        return f"no valid {', '.join(wrong)}"
    if not isinstance(record.get("reason", ""), str):
        return "reason is not text"
    if record["ok"]:
        problem = _outputs_problem(record.get("outputs"))
        if problem:
            return f"outputs: {problem}"
    return None


def _outputs_problem(outputs: Any) -> str | None:
    """Why ``outputs`` are not a solved point's figures (None if they are)."""
    if not isinstance(outputs, dict):
        return "missing"
    if not _is_number(outputs.get("objective")):
        return "no objective"
    for key in YEARLY_OUTPUTS:
        if not _by_year(outputs.get(key)):
            return f"no valid {key}"
    capacity = outputs.get("capacity")
    if not isinstance(capacity, dict) or not all(_by_year(v) for v in capacity.values()):
        return "no valid capacity"
    prices = outputs.get("target_shadow_price")
    if not isinstance(prices, dict) or not all(v is None or _is_number(v)
                                               for v in prices.values()):
        return "no valid target_shadow_price"
    years = outputs.get("target_year", {})
    if not isinstance(years, dict) or not all(isinstance(v, int) for v in years.values()):
        return "no valid target_year"
    return None


def _by_year(value: Any) -> bool:
    """``value`` maps years (as text) to numbers."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and k.isdigit() and _is_number(v) for k, v in value.items())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def remove_temporaries(out_dir: Path) -> None:
    """Remove the temporary files of point writes a killed process left behind."""
    for path in points_dir(out_dir).glob(".*.json.*.tmp"):
        path.unlink(missing_ok=True)

