"""The dependency graph: each milestone after all it depends on, the written order kept where it
can be, and every cycle named in full."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programme.rules.graph import ordering


@pytest.mark.parametrize(("depends_on", "order", "cycles"), [
    pytest.param({"a": [], "b": ["a"], "c": ["a", "b"]}, ["a", "b", "c"], [],
                 id="a-plan-written-in-dependency-order-keeps-its-order"),
    pytest.param({"c": ["b"], "b": ["a"], "a": []}, ["a", "b", "c"], [],
                 id="a-milestone-comes-after-what-it-depends-on"),
    pytest.param({"x": ["a"], "y": [], "a": []}, ["y", "a", "x"], [],
                 id="among-those-ready-the-first-written-comes-first"),
    pytest.param({"a": ["nowhere"], "b": ["a"]}, ["a", "b"], [],
                 id="a-dependency-on-no-milestone-is-left-to-validation"),
    pytest.param({"a": ["a"], "b": []}, ["b"], [["a"]],
                 id="a-milestone-depending-on-itself-is-a-cycle"),
    pytest.param({"a": ["c"], "b": ["a"], "c": ["b"]}, [], [["a", "c", "b"]],
                 id="a-cycle-is-named-in-full-from-its-first-written-milestone"),
    pytest.param({"a": [], "b": ["a", "c"], "c": ["b"], "d": ["c"]}, ["a"], [["b", "c"]],
                 id="what-waits-on-a-cycle-is-not-ordered-nor-called-a-cycle"),
    pytest.param({"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]}, [], [["a", "b"], ["c", "d"]],
                 id="every-cycle-is-named"),
    pytest.param({"a": ["b", "b"], "b": []}, ["b", "a"], [],
                 id="a-dependency-written-twice-counts-once"),
])
def test_the_dependency_order_and_cycles(depends_on, order, cycles):
    graph = ordering(depends_on)
    assert (graph.order, graph.cycles) == (order, cycles)


graphs = st.integers(1, 12).flatmap(lambda n: st.lists(
    st.lists(st.integers(0, n - 1), max_size=3), min_size=n, max_size=n)).map(
    lambda deps: {f"m{i}": [f"m{d}" for d in ds] for i, ds in enumerate(deps)})


@given(graphs)
def test_every_milestone_is_ordered_after_its_dependencies_or_waits_on_a_cycle(depends_on):
    graph = ordering(depends_on)
    placed = {node: i for i, node in enumerate(graph.order)}
    assert len(placed) == len(graph.order)  # each at most once
    for node in graph.order:
        assert all(placed[dep] < placed[node] for dep in depends_on[node])
    on_cycle = {node for cycle in graph.cycles for node in cycle}
    for cycle in graph.cycles:  # a real cycle: each depends on the next, the last on the first
        for node, after in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            assert after in depends_on[node]
    assert not on_cycle & placed.keys()
    assert bool(graph.cycles) == (len(graph.order) < len(depends_on))


@given(graphs)
def test_a_graph_without_cycles_orders_every_milestone(depends_on):
    acyclic = {node: [d for d in deps if int(d[1:]) < int(node[1:])] for node, deps in depends_on.items()}
    graph = ordering(acyclic)
    assert graph.cycles == [] and sorted(graph.order) == sorted(acyclic)
    assert graph.order == list(acyclic)  # written in dependency order: kept as written
