"""Where the relay trace's nodes go, shared by the page (``static/views/views.js``) and the figure.

A layered drawing (Sugiyama): one column per layer, a waypoint in each column a long link crosses
(a space linked straight to a relay passes the deliverables' column in a free slot of its own,
not through a node), and the nodes of each column ordered by barycentre sweeps, keeping the
order with the fewest band crossings. The page and the figure then draw bands only between
adjacent columns and labels inside their node, so no band crosses a node or a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WAYPOINT = "~"  # waypoint ids start with it: "~{link}@{column}", never an IRI


def crossings(columns: Sequence[Sequence[str]], edges: Sequence[tuple[str, str]]) -> int:
    """How many pairs of edges between adjacent columns cross.

    >>> crossings([["a", "b"], ["c", "d"]], [("a", "d"), ("b", "c")])
    1
    >>> crossings([["a", "b"], ["c", "d"]], [("a", "c"), ("b", "d")])
    0
    """
    where = {v: (c, i) for c, column in enumerate(columns) for i, v in enumerate(column)}
    by_gap: dict[int, list[tuple[int, int]]] = {}
    for u, v in edges:
        (cu, iu), (_, iv) = where[u], where[v]
        by_gap.setdefault(cu, []).append((iu, iv))
    total = 0
    for pairs in by_gap.values():
        for k, (a1, b1) in enumerate(pairs):
            total += sum(1 for a2, b2 in pairs[k + 1 :] if (a1 - a2) * (b1 - b2) < 0)
    return total


def _sweep(columns: list[list[str]], neighbours: dict[str, list[str]], order: range) -> list[list[str]]:
    """One pass: each column in ``order`` sorted by the mean position of its nodes' neighbours in
    the column swept before it (a node without any keeps its place)."""
    out = [list(c) for c in columns]
    for c in order:
        at = {v: i for column in out for i, v in enumerate(column)}
        keys = []
        for i, v in enumerate(out[c]):
            ys = [at[n] for n in neighbours.get(v, [])]
            keys.append(((sum(ys) / len(ys) if ys else float(i), i), v))
        out[c] = [v for _, v in sorted(keys, key=lambda kv: kv[0])]
    return out


def _transpose(columns: list[list[str]], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Swap neighbours in a column while that removes crossings (the barycentre's local fix-up)."""
    out = [list(c) for c in columns]
    fewest, better = crossings(out, edges), True
    while better:
        better = False
        for column in out:
            for i in range(len(column) - 1):
                column[i], column[i + 1] = column[i + 1], column[i]
                count = crossings(out, edges)
                if count < fewest:
                    fewest, better = count, True
                else:
                    column[i], column[i + 1] = column[i + 1], column[i]
    return out


def trace_layout(nodes: Sequence[dict[str, Any]], links: Sequence[dict[str, Any]], sweeps: int = 6) -> dict[str, Any]:
    """Columns (node and waypoint ids, top to bottom) and, for each link in order, its route
    through them (source, waypoints, target); ``crossings`` is what the chosen order leaves.

    >>> nodes = [{"id": i, "depth": d} for i, d in (("s1", 0), ("s2", 0), ("d", 1), ("r1", 2), ("r2", 2))]
    >>> links = [{"source": "s1", "target": "r2"}, {"source": "s2", "target": "d"}, {"source": "d", "target": "r1"}]
    >>> layout = trace_layout(nodes, links)
    >>> layout["routes"][0], layout["crossings"]
    (['s1', '~0@1', 'r2'], 0)
    >>> layout["columns"]
    [['s1', 's2'], ['~0@1', 'd'], ['r2', 'r1']]
    """
    depth = {n["id"]: int(n["depth"]) for n in nodes}
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for n in nodes:
        columns[depth[n["id"]]].append(n["id"])
    routes: list[list[str]] = []
    for k, link in enumerate(links):
        source, target = link["source"], link["target"]
        via = [f"{WAYPOINT}{k}@{c}" for c in range(depth[source] + 1, depth[target])]
        for c, waypoint in zip(range(depth[source] + 1, depth[target]), via):
            columns[c].append(waypoint)
        routes.append([source, *via, target])
    edges = [(a, b) for route in routes for a, b in zip(route, route[1:])]
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for a, b in edges:
        after.setdefault(a, []).append(b)
        before.setdefault(b, []).append(a)
    best, fewest = columns, crossings(columns, edges)
    current = columns
    for _ in range(sweeps):
        current = _sweep(current, before, range(1, len(current)))
        current = _sweep(current, after, range(len(current) - 2, -1, -1))
        current = _transpose(current, edges)
        count = crossings(current, edges)
        if count < fewest:
            best, fewest = current, count
    return {"columns": best, "routes": routes, "crossings": fewest}
