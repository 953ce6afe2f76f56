"""Walks the project's imports with `ast` (inside functions too) for tests/test_layers.py.

The domain apps form one ladder, imports running down it only; interface modules (views, API,
tasks, template tags, commands, forms, admin, URL confs) sit on top of all of them.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

LADDER = ("locks", "reservations", "backups", "messaging")
TOP = ("config",)
INTERFACE_PART = re.compile(
    r"^(api|views|urls|tasks|forms|admin|templatetags|management|middleware|decorators"
    r"|context_processors|webhooks|apps)(_\w+)?$|_views$"
)


@dataclass
class Imports:
    modules: dict[str, Path]
    edges: dict[str, set[str]] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)
    inner: list[tuple[str, int]] = field(default_factory=list)


def is_interface(module: str) -> bool:
    app, *rest = module.split(".")
    return app in TOP or any(INTERFACE_PART.search(part) for part in rest)


def _modules(root: Path, apps) -> dict[str, Path]:
    found = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(node, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _inside_functions(tree) -> set[int]:
    inner = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            inner.update(
                id(node) for node in ast.walk(fn) if isinstance(node, ast.Import | ast.ImportFrom)
            )
    return inner


def walk(root: Path, apps=LADDER + TOP) -> Imports:
    result = Imports(modules=_modules(root, apps))

    def resolve(name: str) -> str | None:
        while name and name not in result.modules:
            name = name.rpartition(".")[0]
        return name or None

    for module, path in result.modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        inner = _inside_functions(tree)
        targets = result.edges.setdefault(module, set())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if id(node) in inner:
                result.inner.append((module, node.lineno))
            for name in _imported_names(node, package):
                target = resolve(name)
                if target and target != module:
                    targets.add(target)
                    result.lines.setdefault((module, target), node.lineno)
    return result


def cycles(imports: Imports) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for start in imports.modules:
        if start in index:
            continue
        work = [(start, iter(sorted(imports.edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(imports.edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def layer_violations(imports: Imports, ladder=LADDER) -> list[str]:
    """Domain modules that import an interface or an app above their own."""
    rank = {app: n for n, app in enumerate(ladder)}
    found = []
    for module, targets in sorted(imports.edges.items()):
        if is_interface(module):
            continue
        app = module.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            where = f"{imports.modules[module]}:{imports.lines[(module, target)]}"
            if is_interface(target):
                found.append(f"{where}: domain module {module} imports interface {target}")
            elif rank.get(other, len(ladder)) > rank.get(app, len(ladder)):
                found.append(f"{where}: {module} ({app}) imports {target} from the layer above")
    return found


def imports_inside_functions(imports: Imports) -> list[str]:
    """Imports hidden in functions, but for AppConfig.ready() (Django's app loading needs it)."""
    return [
        f"{imports.modules[module]}:{line}: import inside a function in {module}"
        for module, line in imports.inner
        if not module.endswith(".apps")
    ]
