"""The dependency graph of a plan: an order that puts each milestone after all it depends on, and
every dependency cycle, named in full so the lead can see which link to break.

One module so that validation (which reports the cycles) and the forecast (which walks the plan in
order) cannot disagree about what the graph is. Nodes are milestone ids in written order, each
with the ids it depends on; a dependency that names no node is ignored here (validation reports
it as an unknown milestone).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ordering:
    order: list[str]  # every node not on or after a cycle, each after all it depends on
    cycles: list[list[str]]  # each cycle once, every node depending on the next, the last on the first


def ordering(depends_on: Mapping[str, Iterable[str]]) -> Ordering:
    """Kahn's sort, taking the earliest-written ready node each time, so that a plan written in an
    order that already is one (a milestone depends on earlier ones) keeps its written order; then
    the cycles among whatever could not be placed."""
    deps = {node: [d for d in dict.fromkeys(ds) if d in depends_on] for node, ds in depends_on.items()}
    position = {node: i for i, node in enumerate(deps)}
    waiting = {node: len(ds) for node, ds in deps.items()}
    dependents: dict[str, list[str]] = {node: [] for node in deps}
    for node, ds in deps.items():
        for d in ds:
            dependents[d].append(node)
    ready = [position[node] for node, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    nodes = list(deps)
    order: list[str] = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for after in dependents[node]:
            waiting[after] -= 1
            if waiting[after] == 0:
                heapq.heappush(ready, position[after])
    return Ordering(order, _cycles(deps, {node for node, n in waiting.items() if n > 0}))


def _cycles(deps: dict[str, list[str]], left: set[str]) -> list[list[str]]:
    """Each node left unplaced depends on another one left (else it would have been placed):
    following those links from each, in written order, must come back round; that loop is a cycle."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in deps:
        if start not in left or start in done:
            continue
        path: list[str] = []
        index: dict[str, int] = {}
        node = start
        while node not in index and node not in done:
            index[node] = len(path)
            path.append(node)
            node = next(d for d in deps[node] if d in left)
        if node in index:
            cycles.append(path[index[node]:])
        done.update(path)
    return cycles
