"""Read run folders and sweep folders, checked before anything in them is used.

A run folder (``cnplan plan --out DIR``) holds ``summary.json``, ``results.nc`` and
``plan.json``; a run planned under scenarios (``--scenarios``) also ``scenarios.json``. Every
command that reads one (``report``, ``compare``, ``export``) goes through
:func:`read_run_folder`, which checks the layout, the format version, the keys and variables
the readers rely on, and that ``results.nc`` can be read, and raises :class:`RunFolderError`
with one line ``DIR: file: problem`` otherwise.

Format version: the writer stamps :data:`RUN_FORMAT` as ``run_format`` in summary.json and
as an attribute of results.nc (:func:`format_stamp`). Bump it when a reader would misread an
older or newer folder (a renamed key or variable, a changed unit). A folder stamped with a
newer format is refused ("upgrade cnplan"); a folder without a stamp was written before
stamps existed and is read as format 1 when its files and keys are right (so existing
``out/`` folders keep working).

Sweep folders (``cnplan sweep --out DIR``: ``sweep.nc``, ``sweep.json``) are read by
:func:`read_sweep_folder`, and fleet folders (``cnplan fleet``) by :func:`read_fleet_folder`.
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cnplan import __version__

if TYPE_CHECKING:
    import xarray as xr

    from plant.schema import Plan

#: The run-folder format this cnplan writes, and the newest it reads.
RUN_FORMAT = 1
#: The key (summary.json) and attribute (results.nc) holding a folder's format.
FORMAT_KEY = "run_format"
#: A JSON file of a run or sweep folder larger than this is not one cnplan wrote.
MAX_JSON_BYTES = 64 * 1024 * 1024

Kind = Literal["plan", "stochastic"]

#: summary.json keys the readers use without a default, by kind of run.
SUMMARY_KEYS: dict[str, tuple[str, ...]] = {
    "plan": ("site", "scenario", "status", "objective", "resolution", "targets", "emissions",
             "intensity_per_vehicle", "costs_npv", "business_as_usual", "timings",
             "cnplan_version", "plan_sha256", "plan_file"),
    "stochastic": ("site", "status", "currency", "stages", "risk", "scenarios", "timings",
                   "objective", "cnplan_version", "plan_sha256"),
    "fleet": ("name", "currency", "resolution", "plant_targets", "status", "fleet", "plants",
              "targets", "corporate_carbon_price", "decomposition", "timings", "diagnosis",
              "warnings", "flexibility", "verification", "cnplan_version"),
}
#: The JSON type of the summary.json keys the readers index into, by kind of run.
SUMMARY_TYPES: dict[str, dict[str, type]] = {
    "plan": {"site": str, "scenario": dict, "status": str, "objective": dict, "targets": list,
             "emissions": dict, "intensity_per_vehicle": dict, "costs_npv": dict,
             "timings": dict},
    "stochastic": {"site": str, "status": str, "currency": str, "stages": list, "risk": dict,
                   "scenarios": list, "timings": dict},
    "fleet": {"name": str, "currency": str, "status": str, "fleet": dict, "plants": dict,
              "targets": list, "corporate_carbon_price": dict, "decomposition": dict,
              "timings": dict, "diagnosis": list, "warnings": list},
}
#: The keys (and their JSON types) of each plant in a fleet's summary.json.
FLEET_PLANT_TYPES: dict[str, type | tuple[type, ...]] = {
    "site": str, "currency": str, "exchange_rate": (int, float), "net_present_cost": dict,
    "emissions_t": dict, "credits_t": dict, "vehicles": dict, "baseline": dict}
#: results.nc variables (or coordinates) and attributes of a plan run the readers rely on.
RESULTS_VARIABLES = ("year", "span", "tech", "tech_label", "capacity", "build", "capex",
                     "emissions", "cost", "baseline_emissions", "dispatch")
RESULTS_ATTRS = ("currency", "objective", "baseline_year")
#: sweep.nc variables and attributes ``sweep-report`` relies on.
SWEEP_VARIABLES = ("ok", "objective", "capacity", "net_emissions", "sofc_electricity",
                   "target_shadow_price", "target_year", "tech", "year", "target")
SWEEP_ATTRS = ("swept",)

NOT_NETCDF = "cannot be read (truncated or not a netCDF file)"


class RunFolderError(ValueError):
    """A run or sweep folder that cannot be read; the message is one line,
    ``DIR: file: problem`` (or ``DIR: problem`` for the folder as a whole)."""

    def __init__(self, folder: Path, file: str | None, problem: str) -> None:
        self.folder, self.file, self.problem = Path(folder), file, problem
        where = f"{folder}: {file}" if file else str(folder)
        super().__init__(f"{where}: {problem}")


@dataclass
class RunFolder:
    """A run folder, read and checked (:func:`read_run_folder`)."""

    path: Path
    kind: Kind
    format: int
    summary: dict[str, Any]
    results: xr.Dataset | None
    """``results.nc``, loaded (None only for a run under scenarios that has none)."""
    plan: Plan | None = None
    """``plan.json``, validated (when asked for)."""
    scenarios: dict[str, Any] = field(default_factory=dict)
    """``scenarios.json`` of a run under scenarios."""


@dataclass
class FleetFolder:
    """A fleet folder, read and checked (:func:`read_fleet_folder`)."""

    path: Path
    format: int
    summary: dict[str, Any]
    plants: dict[str, RunFolder]
    """Each plant's run folder (``plants/<name>``) with its plan, in the fleet's order."""


@dataclass
class SweepFolder:
    """A sweep folder, read and checked (:func:`read_sweep_folder`)."""

    path: Path
    results: xr.Dataset
    """``sweep.nc``, loaded."""
    manifest: dict[str, Any]
    """``sweep.json`` (empty where there is none)."""


def format_stamp() -> dict[str, int]:
    """What a writer adds to summary.json and to results.nc's attributes."""
    return {FORMAT_KEY: RUN_FORMAT}


def as_run_folder(run: Path | RunFolder, *, with_plan: bool = False) -> RunFolder:
    """``run`` itself if already read, else :func:`read_run_folder`."""
    return run if isinstance(run, RunFolder) else read_run_folder(run, with_plan=with_plan)


def read_run_folder(path: Path, *, with_plan: bool = False,
                    kinds: tuple[Kind, ...] = ("plan",)) -> RunFolder:
    """Read and check the run folder ``path``.

    ``with_plan`` also reads ``plan.json`` into a :class:`plant.schema.Plan` (the report
    needs it); ``kinds`` are the kinds of run the caller can use (a run under scenarios is
    ``stochastic``).

    Raises
    ------
    RunFolderError
        One line naming the folder, the file and what is wrong with it.
    """
    folder = Path(path)
    plan_file = ("plan.json",) if with_plan else ()
    if not (folder / "summary.json").is_file():
        _require_layout(folder, ("results.nc", "summary.json", *plan_file))
    summary = read_json_object(folder, "summary.json")
    version = _format_of(folder, "summary.json", summary.get(FORMAT_KEY, 1),
                         summary.get("cnplan_version"))
    kind = _kind_of(folder, summary, kinds)
    _require_layout(folder, (*(("results.nc",) if kind == "plan" else ()), *plan_file,
                             *(("scenarios.json",) if kind == "stochastic" else ())))
    _require_keys(folder, summary, kind)
    results = _read_results(folder, summary, version, kind)
    plan = _read_plan(folder) if with_plan else None
    scenarios = read_json_object(folder, "scenarios.json") if kind == "stochastic" else {}
    return RunFolder(folder, kind, version, summary, results, plan, scenarios)


def summary_kind(path: Path) -> str | None:
    """The ``kind`` summary.json states (``fleet``, ``stochastic``), else None (a plan run)."""
    try:
        kind = read_json_object(Path(path), "summary.json").get("kind")
    except RunFolderError:
        return None
    return kind if isinstance(kind, str) else None


def read_fleet_folder(path: Path) -> FleetFolder:
    """Read and check the fleet folder ``path`` and each plant's run folder in it;
    :class:`RunFolderError` naming the folder (the fleet's or a plant's), file and problem."""
    folder = Path(path)
    summary = read_json_object(folder, "summary.json")
    version = _format_of(folder, "summary.json", summary.get(FORMAT_KEY, 1),
                         summary.get("cnplan_version"))
    if summary.get("kind") != "fleet":
        raise RunFolderError(folder, "summary.json", "not a fleet's summary (no \"kind\": "
                             "\"fleet\"); give a folder written by 'cnplan fleet'")
    _require_keys(folder, summary, "fleet")
    plants = {name: _fleet_plant(folder, name, entry) for name, entry in summary["plants"].items()}
    return FleetFolder(folder, version, summary, plants)


def _fleet_plant(folder: Path, name: str, entry: object) -> RunFolder:
    """Plant ``name`` of a fleet: its entry in summary.json checked, its run folder read."""
    bad = [k for k, wanted in FLEET_PLANT_TYPES.items()
           if not isinstance(entry, dict) or not isinstance(entry.get(k), wanted)]
    if bad or name in ("", ".", "..") or Path(name).name != name:
        raise RunFolderError(folder, "summary.json", f"plant {name!r}: "
                             f"{_keys(bad) + ' missing or wrong' if bad else 'not a folder name'}"
                             " (damaged, or not written by cnplan)")
    return read_run_folder(folder / "plants" / name, with_plan=True)


def read_sweep_folder(path: Path) -> SweepFolder:
    """Read and check the sweep folder ``path`` (``sweep.nc``; ``sweep.json`` if present).

    Raises
    ------
    RunFolderError
        One line naming the folder, the file and what is wrong with it.
    """
    folder = Path(path)
    if not (folder / "sweep.nc").is_file():
        raise RunFolderError(folder, None, "has no sweep.nc; run 'cnplan sweep ... --out "
                             f"{folder}' first")
    manifest = read_json_object(folder, "sweep.json") if (folder / "sweep.json").exists() \
        else {}
    results = open_netcdf(folder, "sweep.nc")
    _require_contents(folder, "sweep.nc", results, SWEEP_VARIABLES, SWEEP_ATTRS)
    import numpy as np

    missing = [str(k) for k in np.atleast_1d(results.attrs["swept"])
               if str(k) not in results.variables]
    if missing:
        raise RunFolderError(folder, "sweep.nc", f"no values of the swept {', '.join(missing)}"
                             " (damaged, or not written by cnplan)")
    return SweepFolder(folder, results, manifest)


def read_json_object(folder: Path, name: str) -> dict[str, Any]:
    """``folder/name`` parsed as a JSON object; :class:`RunFolderError` if it is missing,
    unreadable, not UTF-8, not JSON (e.g. truncated) or not an object."""
    path = folder / name
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise RunFolderError(folder, name, f"larger than {MAX_JSON_BYTES // 2**20} MB: "
                                 "not written by cnplan")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise RunFolderError(folder, name, "missing") from None
    except OSError as exc:
        raise RunFolderError(folder, name, f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RunFolderError(folder, name, "not UTF-8 text (damaged?)") from None
    except json.JSONDecodeError as exc:
        raise RunFolderError(folder, name, f"not valid JSON, truncated or damaged (line "
                             f"{exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise RunFolderError(folder, name, "nested too deeply: not written by cnplan") \
            from None
    if not isinstance(data, dict):
        raise RunFolderError(folder, name, f"holds {_json_type(data)}, not an object: not "
                             "written by cnplan")
    return data


def open_netcdf(folder: Path, name: str) -> xr.Dataset:
    """``folder/name`` loaded into memory; :class:`RunFolderError` if it cannot be read."""
    import xarray as xr

    try:
        with xr.open_dataset(folder / name) as opened:
            return opened.load()
    except FileNotFoundError:
        raise RunFolderError(folder, name, "missing") from None
    except PermissionError as exc:
        raise RunFolderError(folder, name, f"cannot be read ({exc.strerror})") from None
    except Exception:  # the netCDF and HDF5 libraries raise OSError, ValueError,
        raise RunFolderError(folder, name, NOT_NETCDF) from None  # RuntimeError, KeyError...


def _require_layout(folder: Path, files: tuple[str, ...]) -> None:
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "no such folder"
        raise RunFolderError(folder, None, f"{what}; give a folder written by 'cnplan plan'")
    missing = [f for f in files if not (folder / f).is_file()]
    if missing:
        raise RunFolderError(folder, None, f"not a plan run folder (missing "
                             f"{', '.join(missing)}); run 'cnplan plan SITE.yaml --out "
                             f"{folder}' first")


def _format_of(folder: Path, name: str, value: object, written_by: object) -> int:
    """The format a file says it has; refused when it is not a format number or newer than
    this cnplan reads."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RunFolderError(folder, name, f"{FORMAT_KEY} must be a whole number from 1, got "
                             f"{value!r}: not written by cnplan")
    if value > RUN_FORMAT:
        by = f"cnplan {written_by}" if isinstance(written_by, str) else "a newer cnplan"
        raise RunFolderError(folder, name, f"written by {by} with format {value}; this cnplan "
                             f"({__version__}) reads up to format {RUN_FORMAT}: upgrade "
                             "cnplan to read it")
    return value


def _kind_of(folder: Path, summary: dict[str, Any], kinds: tuple[Kind, ...]) -> Kind:
    if summary.get("kind") == "fleet":
        raise RunFolderError(folder, None, "a fleet folder (cnplan fleet): 'cnplan report' "
                             "reads it; each plant's run is in plants/<name>")
    kind: Kind = "stochastic" if summary.get("kind") == "stochastic" else "plan"
    if kind not in kinds:
        raise RunFolderError(folder, None, "a run planned under scenarios (cnplan plan "
                             "--scenarios): only 'cnplan report' reads it")
    return kind


def _require_keys(folder: Path, summary: dict[str, Any], kind: str) -> None:
    missing = [k for k in SUMMARY_KEYS[kind] if k not in summary]
    if missing:
        raise RunFolderError(folder, "summary.json", f"missing {_keys(missing)} (damaged, or "
                             "not written by cnplan)")
    for key, wanted in SUMMARY_TYPES[kind].items():
        if not isinstance(summary[key], wanted):
            raise RunFolderError(folder, "summary.json", f"'{key}' is {_json_type(summary[key])}"
                                 f", not {_json_type(wanted())} (damaged, or not written by "
                                 "cnplan)")
    if kind == "plan":
        _require_inner(folder, summary, "objective", ("net_present_cost", "currency"))
        _require_inner(folder, summary, "scenario", ("name",))
    if kind == "fleet":
        _require_inner(folder, summary, "fleet", ("net_present_cost",))


def _require_inner(folder: Path, summary: dict[str, Any], key: str,
                   inner: tuple[str, ...]) -> None:
    missing = [k for k in inner if k not in summary[key]]
    if missing:
        raise RunFolderError(folder, "summary.json", f"'{key}' lacks {_keys(missing)} "
                             "(damaged, or not written by cnplan)")


def _json_type(value: object) -> str:
    """How JSON calls the type of ``value``: an object, an array, a string, ..."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "true or false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _keys(names: list[str]) -> str:
    quoted = ", ".join(f"'{n}'" for n in names)
    return f"key {quoted}" if len(names) == 1 else f"keys {quoted}"


def _read_results(folder: Path, summary: dict[str, Any], version: int,
                  kind: Kind) -> xr.Dataset | None:
    """results.nc, checked against summary.json (same format, same plan) and for what the
    readers use."""
    if kind == "stochastic" and not (folder / "results.nc").exists():
        return None
    ds = open_netcdf(folder, "results.nc")
    if FORMAT_KEY in ds.attrs:
        stamped = _format_of(folder, "results.nc", _as_int(ds.attrs[FORMAT_KEY]),
                             ds.attrs.get("cnplan_version"))
        if stamped != version:
            raise RunFolderError(folder, "results.nc", f"format {stamped}, but summary.json "
                                 f"has format {version}: the files come from different runs")
    sha, theirs = ds.attrs.get("plan_sha256"), summary.get("plan_sha256")
    if sha and theirs and sha != theirs:
        raise RunFolderError(folder, "results.nc", f"made from plan {str(sha)[:12]}, but "
                             f"summary.json from plan {str(theirs)[:12]}: the files come from "
                             "different runs")
    if kind == "plan":
        _require_contents(folder, "results.nc", ds, RESULTS_VARIABLES, RESULTS_ATTRS)
    return ds


def _as_int(value: object) -> object:
    """A netCDF attribute as a Python int where it is an integer (netCDF gives numpy's)."""
    return int(value) if isinstance(value, numbers.Integral) else value


def _require_contents(folder: Path, name: str, ds: xr.Dataset, variables: tuple[str, ...],
                      attrs: tuple[str, ...]) -> None:
    missing = [v for v in variables if v not in ds.variables]
    if missing:
        raise RunFolderError(folder, name, f"missing variable{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(missing)} (damaged, or not written by cnplan)")
    missing = [a for a in attrs if a not in ds.attrs]
    if missing:
        raise RunFolderError(folder, name, f"missing attribute{'s' if len(missing) > 1 else ''}"
                             f" {', '.join(missing)} (damaged, or not written by cnplan)")


def _read_plan(folder: Path) -> Plan:
    """plan.json as a validated plan; :class:`RunFolderError` with its first problem."""
    from pydantic import ValidationError

    from plant.schema import Plan

    try:
        text = (folder / "plan.json").read_bytes().decode("utf-8")
        return Plan.model_validate_json(text)
    except OSError as exc:
        raise RunFolderError(folder, "plan.json", f"cannot be read ({exc.strerror or exc})") \
            from None
    except UnicodeDecodeError:
        raise RunFolderError(folder, "plan.json", "not UTF-8 text (damaged?)") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = (f"not valid JSON, truncated or damaged ({first['msg']})"
                   if first["type"] == "json_invalid" else
                   f"not a plan this cnplan reads ({where + ': ' if where else ''}"
                   f"{first['msg']})")
        raise RunFolderError(folder, "plan.json", problem) from None
