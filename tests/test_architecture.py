"""The layout keeps its promises: dependencies run one way (import-linter's contracts in
pyproject.toml), no import cycle, no first-party import hidden inside a function or behind
TYPE_CHECKING, and no product module over 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from importlinter.application import use_cases
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "handlers", "storage")
MAX_LINES = 400


def product_files() -> list[Path]:
    return [
        path
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_import_linter_contracts_are_kept() -> None:
    configure()
    outcome = use_cases.lint_imports(config_filename=str(ROOT / "pyproject.toml"))
    assert outcome == use_cases.SUCCESS, "a contract is broken: see the report printed above"


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_there_is_no_import_cycle() -> None:
    graph = grimp.build_graph(*PRODUCT)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph) == [["a", "b"]]


def _hidden_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """First-party imports inside a function, or under `if TYPE_CHECKING:`."""
    hidden: list[tuple[int, str]] = []

    def first_party(node: ast.Import | ast.ImportFrom) -> list[str]:
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        return [name for name in names if name.split(".")[0] in PRODUCT]

    def walk(node: ast.AST, hiding: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and hiding:
                hidden.extend((child.lineno, name) for name in first_party(child))
            inner = hiding or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = True
            walk(child, inner)

    walk(tree, False)
    return hidden


def test_no_first_party_import_is_hidden() -> None:
    hidden = {
        str(path.relative_to(ROOT)): found
        for path in product_files()
        if (found := _hidden_imports(ast.parse(path.read_text())))
    }
    assert hidden == {}


def test_the_hidden_import_finder_sees_both_kinds() -> None:
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bot.x\n"
        "def f():\n    from storage import y\n"
    )
    assert _hidden_imports(ast.parse(source)) == [(3, "bot.x"), (5, "storage")]


@pytest.mark.parametrize("path", product_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_product_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text().splitlines()) <= MAX_LINES
