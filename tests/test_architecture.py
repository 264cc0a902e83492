"""Rules of the package's shape that a reviewer would otherwise have to remember.

- No import cycle between modules of `assistant`, counting imports inside functions (a cycle
  hidden that way still couples the two modules, it only fails later and more confusingly).
- Only `assistant/config.py` reads the environment: everything else is handed `Settings`.
- No module above 500 lines unless its docstring says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _trees() -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


TREES = _trees()


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:` (never executed)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        lines.add(inner.lineno)
    return lines


def _resolve(module: str, node: ast.ImportFrom) -> str | None:
    if node.level == 0:
        return node.module
    base = module.split(".")
    if MODULES[module].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> set[str]:
    """The `assistant` modules that `module` imports anywhere in its body."""
    tree = TREES[module]
    skip = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if not target or not target.startswith("assistant"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    found.add(sub)
                elif target in MODULES:
                    found.add(target)
    found.discard(module)
    return found


def import_cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    graph = {name: sorted(imports_of(name)) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return cycles


def test_no_import_cycles():
    assert import_cycles() == []


def test_the_cycle_finder_sees_imports_inside_functions():
    """The rule is only worth something if a hidden import counts: runner imports the web server
    inside no function, web imports startup; a function-level import is found as well."""
    assert "assistant.startup" in imports_of("assistant.web.app")  # imported inside `background`
    assert "assistant.web.server" in imports_of("assistant.runner")


# Who may not import whom (docs/architecture.md, "Layers"): lower layers know nothing of the
# entry points and adapters above them, channels know nothing of the web server.
FORBIDDEN = {
    ("assistant.config", "assistant.text", "assistant.catalog", "assistant.nlu", "assistant.dialogue",
     "assistant.core", "assistant.workdays", "assistant.store", "assistant.dossiers", "assistant.handoff"): (
        "assistant.channels", "assistant.web", "assistant.cli", "assistant.runner", "assistant.app",
        "assistant.startup", "assistant.staff", "assistant.metrics"),
    ("assistant.channels",): ("assistant.web", "assistant.cli", "assistant.runner"),
    ("assistant.web",): ("assistant.cli", "assistant.runner"),
    ("assistant.startup", "assistant.app"): ("assistant.web", "assistant.cli", "assistant.runner",
                                             "assistant.channels"),
}


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_layers_import_only_downwards():
    wrong = sorted((name, target) for name in MODULES for lower, above in FORBIDDEN.items()
                   if _within(name, lower) for target in imports_of(name) if _within(target, above))
    assert wrong == []


def _environment_reads(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv")
                and isinstance(node.value, ast.Name) and node.value.id == "os") or (isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in ("environ", "getenv") for alias in node.names)):
            lines.append(node.lineno)
    return lines


def test_only_config_reads_the_environment():
    offenders = {name: lines for name, tree in TREES.items()
                 if name != "assistant.config" and (lines := _environment_reads(tree))}
    assert offenders == {}


def test_the_environment_rule_would_catch_a_read():
    tree = ast.parse("import os\nlevel = os.environ.get('X')\nfrom os import getenv\n")
    assert sorted(_environment_reads(tree)) == [2, 3]


def test_long_modules_say_why():
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES and f"{MAX_LINES} lines" not in (ast.get_docstring(TREES[name]) or ""):
            unexplained.append(f"{path.relative_to(PACKAGE.parent)}: {lines} lines")
    assert unexplained == []
