"""The house's rules, read from the code's own imports: reads never depend on writes,
writes never on pages or background tasks, no module imports itself round a circle, views
stay short, and public selectors and services take keyword-only arguments."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "quizzes"
VIEW_LINES_MAX = 400


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module of the app that ``path`` imports, wherever the import stands."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import module`` imports the module; ``from module import
            # name``, the module.
            names = [
                f"{base}.{alias.name}" if _exists(f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name.startswith("quizzes"))
    return found


def _exists(module: str) -> bool:
    path = APP.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    files = {_module(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}
    return {
        module: {name for name in _imports(path) if name in files and name != module}
        for module, path in files.items()
    }


def _offenders(layer: str, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    graph = _graph()
    return {
        module: {name for name in imported if name.startswith(forbidden)}
        for module, imported in graph.items()
        if module.startswith(layer) and any(name.startswith(forbidden) for name in imported)
    }


def test_selectors_import_no_services_views_forms_or_tasks():
    forbidden = ("quizzes.services", "quizzes.views", "quizzes.forms", "quizzes.tasks")
    assert _offenders("quizzes.selectors", forbidden) == {}


def test_services_import_no_views_forms_or_tasks():
    forbidden = ("quizzes.views", "quizzes.forms", "quizzes.tasks", "quizzes.api")
    assert _offenders("quizzes.services", forbidden) == {}


def test_no_module_of_the_app_imports_itself_round_a_circle():
    graph = _graph()
    circles, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for name in sorted(graph[module]):
            if state.get(name) == "open":
                circles.append([*path[path.index(name) :], name])
            elif name not in state:
                visit(name, [*path, name])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_no_view_module_is_longer_than_400_lines():
    lengths = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (APP / "views").glob("*.py")
    }
    assert {name: n for name, n in lengths.items() if n > VIEW_LINES_MAX} == {}


def test_public_selectors_and_services_take_keyword_only_arguments():
    positional = []
    for folder in ("selectors", "services"):
        for path in sorted((APP / folder).rglob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if (
                    isinstance(node, ast.FunctionDef)
                    and not node.name.startswith("_")
                    and (node.args.posonlyargs or node.args.args)
                ):
                    positional.append(f"{path.relative_to(APP)}:{node.name}")
    assert positional == []
