"""The architecture, as invariants: packages import each other without cycles, stages meet only through
artifacts, artifacts stay cheap to read, and no module grows past 400 lines."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
STAGES = {"extract", "transcribe", "chapters", "drafts", "index"}
MODULES = {
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
    for p in PACKAGE.rglob("*.py")
}


def _top_level_imports(path: Path) -> set[str]:
    """Modules a file imports at module level (imports inside functions are lazy by intent)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _graph(key) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        for dep in _top_level_imports(path):
            if dep in MODULES and key(dep) != key(module):
                graph.setdefault(key(module), set()).add(key(dep))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep] if dep in path else [node, dep]
            if dep not in state and (found := visit(dep, path + [dep])):
                return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return None


@pytest.mark.parametrize("level", ["module", "package"])
def test_no_import_cycles(level):
    graph = _graph((lambda m: m) if level == "module" else _package)
    assert _cycle(graph) is None


def test_stages_meet_only_through_artifacts():
    for module, path in MODULES.items():
        package = _package(module)
        if package not in STAGES:
            continue
        others = {_package(d) for d in _top_level_imports(path) if d.startswith("pipeline.")} & STAGES
        allowed = {package} | ({"drafts"} if module == "pipeline.index.explore" else set())
        assert others <= allowed, f"{module} imports stage package(s) {sorted(others - allowed)}"


def test_artifacts_need_only_the_standard_library_and_yaml():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for module, path in MODULES.items():
        if _package(module) != "artifacts":
            continue
        for dep in _top_level_imports(path):
            top = dep.split(".")[0]
            assert top in stdlib or top == "yaml" or dep.startswith(("pipeline.artifacts", "pipeline.core")), \
                f"{module} imports {dep}"


def test_no_module_is_over_400_lines():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long


def test_every_package_imports_cleanly_without_a_cycle_at_run_time():
    import importlib

    for module in sorted(MODULES):
        if not module.endswith("__main__"):
            importlib.import_module(module)
