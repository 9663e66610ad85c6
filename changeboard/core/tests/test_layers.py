"""The layers, enforced: an app imports only the apps installed before it
(core first, the site and devtools last), and no modules import each other
in a loop. Every import counts, lazy or under TYPE_CHECKING alike; tests are
left out (they may reach any app)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]  # changeboard/
APPS = [name.removeprefix("changeboard.") for name in settings.INSTALLED_APPS if name.startswith("changeboard.")]


def modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "tests" in parts or "node_modules" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, resolved to changeboard modules."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "changeboard" and parts[1] in APPS else None


def test_no_app_imports_a_higher_one() -> None:
    known = modules()
    upward = []
    for name, path in known.items():
        source = app_of(name)
        if source is None:
            continue
        for target, line in imports(name, path):
            app = app_of(target)
            if app is not None and APPS.index(app) > APPS.index(source):
                upward.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target} ({app} sits above {source})")
    assert not upward, "\n".join(upward)


def test_no_modules_import_each_other_in_a_loop() -> None:
    known = modules()
    graph = {name: {target for target, _ in imports(name, path) if target in known and target != name} for name, path in known.items()}
    # Tarjan's strongly connected components: any with two or more modules is a loop.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not loops, loops
