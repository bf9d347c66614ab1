"""The structure holds: every technology kind and cost or emission category is covered by the
model, the statistics and the report; the import graph is a strict order of layers with no
cycles (sofc ← plant ← optimiser ← {report, sweeps} ← cnplan's command line), plant never
imports sofc, and the optimiser's stages import in their order (formulate ← solve ← post ← run ←
decompose ← verify ← stochastic ← fleet ← alternatives; docs/architecture.md)."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

from cnplan.report.content import COST_LABELS, EMISSION_LABELS
from optimiser.formulate.components import REGISTRY
from optimiser.formulate.context import COST_CATEGORIES, EMISSION_CATEGORIES
from optimiser.post.results import REPORTED_EMISSIONS
from optimiser.post.statistics import LEVERS
from plant.schema import Technology

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sofc", "plant", "optimiser", "cnplan")
#: The optimiser's stages in import order: a module of one imports only its own stage and
#: those before it (docs/architecture.md, "Layers").
STAGES = ("formulate", "solve", "post", "run", "decompose", "verify", "stochastic", "fleet",
          "alternatives")
#: (importer, imported) pairs the design rules out although they run down the layers: the
#: site knows nothing of the SOFC twin, whose figures reach the model through the optimiser.
NEVER = (("plant", "sofc"),)


def _kinds() -> list[type]:
    union = typing.get_args(Technology)[0]
    return list(typing.get_args(union))


def test_every_kind_has_a_component_and_its_metadata() -> None:
    for cls in _kinds():
        (kind,) = typing.get_args(cls.model_fields["kind"].annotation)
        assert kind in REGISTRY, f"{kind}: no component registered"
        assert cls.lever in LEVERS, f"{kind}: lever {cls.lever!r} is not one of {LEVERS}"
        assert cls.kind_label, f"{kind}: no label"
        assert cls.capacity_unit in ("MW", "MWh/yr"), kind
    assert set(REGISTRY) == {typing.get_args(c.model_fields["kind"].annotation)[0]
                             for c in _kinds()}


def test_every_cost_and_emission_category_is_reported() -> None:
    assert set(COST_LABELS) == set(COST_CATEGORIES)
    internal = {"credits_counted"}  # the credits a target counts: per target, not a total
    assert set(EMISSION_CATEGORIES) - internal == set(REPORTED_EMISSIONS)
    assert set(EMISSION_LABELS) >= set(REPORTED_EMISSIONS)


def _imports(path: Path) -> set[str]:
    """Modules of our packages that ``path`` imports (anywhere in it, at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {n for n in names if n.split(".")[0] in PACKAGES}
    return found


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    """0 sofc, 1 plant, 2 optimiser, 3 report and sweeps (and their helpers), 4 the CLI."""
    top = module.split(".")[0]
    if top in ("sofc", "plant", "optimiser"):
        return PACKAGES.index(top)
    if module in ("cnplan.cli", "cnplan.cli_scenarios", "cnplan.cli_fleet", "cnplan.cli_common",
                  "cnplan.runs", "cnplan.fleets", "cnplan.render", "cnplan.alternatives"):
        return 4
    return 3


def test_imports_run_down_the_layers_only() -> None:
    wrong = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            here = _module(path)
            for target in _imports(path):
                if _layer(target) > _layer(here):
                    wrong.append(f"{here} imports {target}")
    assert not wrong, "\n".join(wrong)


def _modules() -> dict[str, Path]:
    return {_module(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}


def test_never_imports() -> None:
    wrong = [f"{here} imports {target}" for here, path in _modules().items()
             for target in _imports(path) for importer, imported in NEVER
             if here.split(".")[0] == importer and target.split(".")[0] == imported]
    assert not wrong, "\n".join(wrong)


def _stage(module: str) -> int | None:
    """Rank of an optimiser module's stage, None for the package's facade (``optimiser``)."""
    parts = module.split(".")
    if parts[0] != "optimiser" or len(parts) == 1:
        return None
    assert parts[1] in STAGES, f"{module}: not in a stage ({', '.join(STAGES)})"
    return STAGES.index(parts[1])


def test_optimiser_is_grouped_by_stage_and_stages_import_in_order() -> None:
    wrong = []
    for here, path in _modules().items():
        rank = _stage(here)
        if rank is None:
            continue
        for target in _imports(path):
            other = _stage(target)
            if other is not None and other > rank:
                wrong.append(f"{here} ({STAGES[rank]}) imports {target} ({STAGES[other]})")
    assert not wrong, "\n".join(wrong)
    flat = [p.name for p in (ROOT / "optimiser").glob("*.py") if p.name != "__init__.py"]
    assert not flat, f"modules outside a stage: {flat}"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            graph[_module(path)] = {t for t in _imports(path) if t != _module(path)}
    modules = set(graph)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = {m: {r for t in ts if (r := resolve(t)) and r != m and not m.startswith(r + ".")}
             for m, ts in graph.items()}
    state: dict[str, int] = {}

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for n in sorted(edges.get(m, ())):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, m, n]))
            if n not in state:
                visit(n, [*trail, m])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [])
