"""A package's import graph, read from its source with ``ast``: which of its modules each module
imports at the top level (outside ``TYPE_CHECKING``) and inside functions. The layering tests of the
emulator and of the connector ask it their rules."""

from __future__ import annotations

import ast
from pathlib import Path


class ImportGraph:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules = {self._name(p): p for p in root.rglob("*.py")}
        self.lazy: dict[str, set[str]] = {}
        self.graph: dict[str, set[str]] = {}
        for module in self.modules:
            self.graph[module], self.lazy[module] = self._imports(module)

    def _name(self, path: Path) -> str:
        parts = path.relative_to(self.root.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def _resolve(self, module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
        if node.level == 0:
            base = node.module or ""
        else:
            parts = module.split(".")
            anchor = parts if is_package else parts[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join(anchor + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" for alias in node.names]
        return [n for n in names if n in self.modules] or ([base] if base in self.modules else [])

    def _imports(self, module: str) -> tuple[set[str], set[str]]:
        path = self.modules[module]
        tree = ast.parse(path.read_text())
        top: set[str] = set()
        lazy: set[str] = set()
        is_package = path.name == "__init__.py"

        def visit(nodes, inside_function: bool) -> None:
            for node in nodes:
                if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                    continue
                if isinstance(node, ast.ImportFrom):
                    (lazy if inside_function else top).update(self._resolve(module, node, is_package))
                elif isinstance(node, ast.Import):
                    (lazy if inside_function else top).update(a.name for a in node.names if a.name in self.modules)
                for child_field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, child_field, None)
                    if isinstance(children, list):
                        visit(children, inside_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))

        visit(tree.body, False)
        return top - {module}, lazy - {module}

    def cycle(self) -> list[str] | None:
        """An import cycle of top-level imports, or None."""
        state: dict[str, int] = {}
        stack: list[str] = []

        def visit(module: str) -> list[str] | None:
            state[module] = 1
            stack.append(module)
            for target in sorted(self.graph[module]):
                if state.get(target) == 1:
                    return stack[stack.index(target):] + [target]
                if target not in state and (found := visit(target)):
                    return found
            stack.pop()
            state[module] = 2
            return None

        for module in sorted(self.graph):
            if module not in state and (found := visit(module)):
                return found
        return None

    def reached(self, module: str, *, lazy: bool = False) -> set[str]:
        """Every module ``module`` imports, directly or not (with imports inside functions: ``lazy``)."""
        reached: set[str] = set()
        pending = [module]
        while pending:
            current = pending.pop()
            targets = self.graph[current] | (self.lazy[current] if lazy else set())
            for target in targets - reached:
                reached.add(target)
                pending.append(target)
        return reached
