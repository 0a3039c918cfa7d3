"""The dependency graph of a plan: an order that puts each milestone after all it depends on, and
every dependency cycle, named in full so the lead can see which link to break.

One module so that validation (which reports the cycles) and the forecast (which walks the plan in
order) cannot disagree about what the graph is. Nodes are milestone ids in written order, each
with the ids it depends on; a dependency that names no node is ignored here (validation reports
it as an unknown milestone).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ordering:
    order: list[str]  # every node not on or after a cycle, each after all it depends on
    cycles: list[list[str]]  # each cycle once, every node depending on the next, the last on the first


def ordering(depends_on: Mapping[str, Collection[str]]) -> Ordering:
    """Kahn's sort, taking the earliest-written ready node each time, so that a plan written in an
    order that already is one (a milestone depends on earlier ones) keeps its written order; then
    the cycles among whatever could not be placed."""
    nodes = list(depends_on)
    position = {node: i for i, node in enumerate(nodes)}
    waiting = [0] * len(nodes)  # how many of its dependencies are not placed yet
    dependents: list[list[int]] = [[] for _ in nodes]
    for i, node in enumerate(nodes):
        for dep in depends_on[node]:
            j = position.get(dep)
            if j is not None:
                waiting[i] += 1
                dependents[j].append(i)
    ready = [i for i, n in enumerate(waiting) if n == 0]  # ascending: already a heap
    order: list[str] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(nodes[i])
        for k in dependents[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(ready, k)
    left = {nodes[i] for i, n in enumerate(waiting) if n > 0}
    return Ordering(order, _cycles(depends_on, left))


def _cycles(depends_on: Mapping[str, Collection[str]], left: set[str]) -> list[list[str]]:
    """Each node left unplaced depends on another one left (else it would have been placed):
    following those links from each, in written order, must come back round; that loop is a cycle."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in depends_on:
        if start not in left or start in done:
            continue
        path: list[str] = []
        index: dict[str, int] = {}
        node = start
        while node not in index and node not in done:
            index[node] = len(path)
            path.append(node)
            node = next(d for d in depends_on[node] if d in left)
        if node in index:
            cycles.append(path[index[node]:])
        done.update(path)
    return cycles
