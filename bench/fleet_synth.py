"""A synthetic fleet of N plants for the fleet benchmark (``bench/bench_fleet.py``, issue 31).

Plant i is a copy of the i-th reference plan in turn (``sites/sunderland.yaml``,
``sites/tochigi.yaml``, ``sites/examples/third_plant.yaml``): a small YAML that ``include:``s
the reference plan and overrides, the including file winning (``plant/merge.py``; a year
trajectory written here replaces the included one whole):

* its demand: ``demand.electricity.annual_mwh`` and every heat class's ``annual_mwh``, and
  with them the baseline's energy (``baseline.electricity_mwh``, ``baseline.fuels_mwh``,
  stated ``baseline.emissions_t``), so that its own targets stay as hard as the reference
  plant's; its on-site renewables, vehicles and assets stay as they are;
* its grid prices (import, export, demand charges) by a second factor and its fuel prices by
  a third, every value of a trajectory alike, in the units the reference plan gave them;
* its site name.

The factors are drawn uniformly from ``SPREAD`` with a fixed seed, so the same N always gives
the same fleet, and the first plants of a larger fleet are those of a smaller one. The fleet
file over them keeps the reference fleet's currency, exchange rates and corporate targets
(``sites/fleet/nissan.yaml``). Run alone, ``python bench/fleet_synth.py N FOLDER`` writes the
fleet and checks it.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plant.yamlio import read_yaml  # noqa: E402

#: The reference plans the copies take in turn, by short name.
REFERENCES = {"sunderland": ROOT / "sites" / "sunderland.yaml",
              "tochigi": ROOT / "sites" / "tochigi.yaml",
              "third_plant": ROOT / "sites" / "examples" / "third_plant.yaml"}
REFERENCE_FLEET = ROOT / "sites" / "fleet" / "nissan.yaml"
#: Range of every scale factor.
SPREAD = (0.7, 1.3)
SEED = 31


def factors(n: int, seed: int = SEED) -> list[dict[str, float]]:
    """Demand, grid-price and fuel-price factors of plants 0..n-1 (module docstring)."""
    rng = random.Random(seed)
    return [{k: round(rng.uniform(*SPREAD), 3) for k in ("demand", "grid", "fuel")}
            for _ in range(n)]


def scaled(value: Any, factor: float) -> Any:
    """A number or a year trajectory ``{year: number}`` times ``factor``."""
    if isinstance(value, dict):
        return {year: scaled(v, factor) for year, v in value.items()}
    return round(float(value) * factor, 6)


def _demand(ref: dict[str, Any], f: float) -> dict[str, Any]:
    demand = ref["demand"]
    return {"electricity": {"annual_mwh": scaled(demand["electricity"]["annual_mwh"], f)},
            "heat": {name: {"annual_mwh": scaled(h["annual_mwh"], f)}
                     for name, h in (demand.get("heat") or {}).items()}}


def _baseline(ref: dict[str, Any], f: float) -> dict[str, Any]:
    base = ref["baseline"]
    out: dict[str, Any] = {"electricity_mwh": scaled(base["electricity_mwh"], f)}
    if base.get("fuels_mwh"):
        out["fuels_mwh"] = {k: scaled(v, f) for k, v in base["fuels_mwh"].items()}
    if base.get("emissions_t"):
        out["emissions_t"] = {k: scaled(v, f) for k, v in base["emissions_t"].items()
                              if v is not None}
    return out


def _grid(ref: dict[str, Any], f: float) -> dict[str, Any]:
    return {k: scaled(v, f) for k, v in ref["grid"].items()
            if k in ("import_price_per_mwh", "export_price_per_mwh")}


def _prices(section: dict[str, Any] | None, key: str, f: float) -> dict[str, Any]:
    return {name: {key: scaled(item[key], f)} for name, item in (section or {}).items()
            if key in item}


def copy_plan(index: int, reference: str, fac: dict[str, float]) -> dict[str, Any]:
    """The overrides of plant ``index``, a copy of ``reference`` scaled by ``fac``."""
    path = REFERENCES[reference]
    ref, _ = read_yaml(path)
    plan: dict[str, Any] = {
        "include": [str(path)],
        "site": {"name": f"{ref['site']['name']} copy {index:02d}"},
        "demand": _demand(ref, fac["demand"]),
        "baseline": _baseline(ref, fac["demand"]),
        "grid": _grid(ref, fac["grid"]),
        "fuels": _prices(ref.get("fuels"), "price_per_mwh", fac["fuel"]),
    }
    charges = _prices(ref.get("demand_charges"), "price_per_kw_month", fac["grid"])
    if charges:
        plan["demand_charges"] = charges
    return plan


def write_fleet(n: int, folder: Path, seed: int = SEED) -> Path:
    """Write ``n`` plant copies and their fleet file into ``folder``; the fleet file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(REFERENCES)
    entries = []
    for i, fac in enumerate(factors(n, seed)):
        reference = names[i % len(names)]
        name = f"{reference}_{i:02d}"
        header = (f"# Synthetic copy {i} of {REFERENCES[reference].relative_to(ROOT)} "
                  f"(bench/fleet_synth.py, seed {seed}): demand x{fac['demand']:g}, grid "
                  f"prices x{fac['grid']:g}, fuel prices x{fac['fuel']:g}\n")
        body = yaml.safe_dump(copy_plan(i, reference, fac), sort_keys=False)
        (folder / f"{name}.yaml").write_text(header + body, encoding="utf-8")
        entries.append({"plan": f"{name}.yaml", "name": name})
    fleet, _ = read_yaml(REFERENCE_FLEET)
    fleet.update(name=f"Synthetic fleet of {n}", plants=entries,
                 description=f"{n} scaled copies of the reference plants (seed {seed})")
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    return path


def check_fleet(path: Path) -> list[str]:
    """Read the fleet and every plan it names (raises ``PlanError`` if one is not valid);
    the fleet's warnings."""
    from plant.fleet import read_fleet

    return list(read_fleet(path).warnings)


def main() -> None:
    """``python bench/fleet_synth.py N FOLDER``: write and check a synthetic fleet."""
    n, folder = int(sys.argv[1]), Path(sys.argv[2])
    path = write_fleet(n, folder)
    for warning in check_fleet(path):
        print(f"warning: {warning}", file=sys.stderr)
    print(os.fspath(path))


if __name__ == "__main__":
    main()
