"""Automatic left-to-right layout, for built networks and the "tidy up" action."""

from __future__ import annotations

from nnsim.graph.checks import Position
from nnsim.graph.model import Graph

X_SPACING = 220.0
Y_SPACING = 120.0


def depths(graph: Graph) -> dict[str, int]:
    """Longest path from a source (the Input, or any node with no inputs) to each node."""
    depth: dict[str, int] = {}
    for node in graph.topological_order():
        parents = [depth[e.src] for e in graph.inputs_of(node.id)]
        depth[node.id] = max(parents) + 1 if parents else 0
    return depth


def auto_layout(graph: Graph) -> dict[str, Position]:
    """Column per depth, nodes of a column stacked and centred on y = 0.

    Within a column nodes are ordered by their inputs' average height to keep edges from crossing.
    """
    depth = depths(graph)
    order = {nid: i for i, nid in enumerate(graph.nodes)}
    positions: dict[str, Position] = {}
    columns: dict[int, list[str]] = {}
    for nid in graph.nodes:
        columns.setdefault(depth[nid], []).append(nid)
    for column, ids in sorted(columns.items()):
        ids.sort(key=lambda nid: (_parent_height(graph, positions, nid), order[nid]))
        for row, nid in enumerate(ids):
            positions[nid] = (column * X_SPACING, (row - (len(ids) - 1) / 2) * Y_SPACING)
    return positions


def _parent_height(graph: Graph, positions: dict[str, Position], node_id: str) -> float:
    ys = [positions[e.src][1] for e in graph.inputs_of(node_id) if e.src in positions]
    return sum(ys) / len(ys) if ys else 0.0


def apply_layout(graph: Graph) -> None:
    """Move every node to its auto-layout position (no undo; for scripts and builders)."""
    for node_id, position in auto_layout(graph).items():
        graph.move(node_id, position)
