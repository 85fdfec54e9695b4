"""The code's structure as docs/architecture.md draws it: no import cycles anywhere, and the
layers of pyproject.toml's import contracts (also run by `make lint`) kept."""

import pathlib

import grimp
import pytest
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOTS = ("portal", "alliance", "matching", "fund")
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    # Every import, module-level or inside a function, of the project's own packages.
    return grimp.build_graph(*ROOTS, cache_dir=None)


def _cycles(graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    edges = {
        m: sorted(i for i in graph.find_modules_directly_imported_by(m) if ".migrations" not in i)
        for m in modules
    }
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            for i in range(position, len(edges[node])):
                child = edges[node][i]
                if child not in index:
                    work.append((node, i + 1))
                    work.append((child, 0))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return found


def test_no_module_imports_itself_through_others(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_inside_a_function():
    # The same search over a graph with one function-level import added back the wrong way.
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    graph.add_import(
        importer="alliance.proposals.services",
        imported="fund.review.services",
        line_number=1,
        line_contents="from fund.review import services",
    )
    graph.add_import(
        importer="fund.review.services",
        imported="alliance.proposals.services",
        line_number=1,
        line_contents="from alliance.proposals import services",
    )
    (cycle,) = _cycles(graph)
    assert {"alliance.proposals.services", "fund.review.services"} <= set(cycle)


def test_the_import_contracts_are_kept(monkeypatch):
    # The contracts in pyproject.toml, as `lint-imports` checks them in `make lint`.
    monkeypatch.chdir(REPO)
    configure()
    assert lint_imports(cache_dir=None, no_logo=True) is True
