"""The emulator's modules import one another without cycles, at the top of the module (no import
hidden in a function to break a cycle), and the shared core knows no Webitel service."""

from __future__ import annotations

import ast
from pathlib import Path

import emulator

ROOT = Path(emulator.__file__).parent
CORE = ("emulator.state", "emulator.store", "emulator.errors", "emulator.seed", "emulator.api.spec",
        "emulator.api.protojson", "emulator.api.request", "emulator.api.service", "emulator.api.router",
        "emulator.api.fields", "emulator.api.gateway")
SERVICES = ("emulator.directory", "emulator.callcenter")
LAZY_ALLOWED = {"emulator.cli"}  # the command line starts fast: the app is imported when it runs


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [n for n in names if n in MODULES] or ([base] if base in MODULES else [])


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imports(module: str) -> tuple[set[str], set[str]]:
    """(modules imported at the top level, outside TYPE_CHECKING; modules imported inside functions)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    top: set[str] = set()
    lazy: set[str] = set()
    is_package = path.name == "__init__.py"

    def visit(nodes, inside_function: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom):
                (lazy if inside_function else top).update(resolve(module, node, is_package))
            elif isinstance(node, ast.Import):
                (lazy if inside_function else top).update(a.name for a in node.names if a.name in MODULES)
            for child_field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, child_field, None)
                if isinstance(children, list):
                    visit(children, inside_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree.body, False)
    return top - {module}, lazy


GRAPH = {m: imports(m)[0] for m in MODULES}


def test_no_module_imports_another_inside_a_function():
    lazy = {m: sorted(imports(m)[1]) for m in MODULES if imports(m)[1] and m not in LAZY_ALLOWED}
    assert not lazy, lazy


def test_there_is_no_import_cycle():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(target):] + [target]))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_core_imports_no_service():
    for module in CORE:
        reached, pending = set(), [module]
        while pending:
            current = pending.pop()
            for target in GRAPH[current] - reached:
                reached.add(target)
                pending.append(target)
        assert not [m for m in reached if m.startswith(SERVICES)], (module, sorted(reached))
