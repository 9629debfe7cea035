"""The graph as plain JSON, and back, refusing anything a file or the clipboard could smuggle in.

Shape: ``{"nodes": [{"id", "type", "name", "params", "position": [x, y]}], "edges": [{"src", "dst"}]}``.
Versioning belongs to the project file (``nnsim.io``); this is the ``network`` part of it.
Extra keys are ignored so newer files with additions still open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnsim.core.errors import GraphError
from nnsim.graph import checks

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.graph.model import Graph


def graph_to_dict(graph: "Graph") -> dict[str, Any]:
    nodes = [{"id": n.id, "type": n.type, "name": n.name, "params": _copy_params(n.params),
              "position": [n.position[0], n.position[1]]} for n in graph.nodes.values()]
    # Canonical edge order (by target, then input order): the same graph always gives the same
    # dict, however its edges were added, and input order is all that order means.
    edges = [{"src": e.src, "dst": e.dst} for n in graph.nodes for e in graph.inputs_of(n)]
    return {"nodes": nodes, "edges": edges}


def graph_from_dict(graph: "Graph", data: Any) -> "Graph":
    """Fill the empty ``graph`` from ``data``; every failure is a GraphError naming the culprit."""
    if not isinstance(data, dict):
        raise GraphError("The network must be a mapping with 'nodes' and 'edges'.")
    nodes = _list_of(data, "nodes", checks.MAX_NODES)
    edges = _list_of(data, "edges", checks.MAX_EDGES)
    for i, entry in enumerate(nodes):
        _add_node(graph, i, entry)
    for i, entry in enumerate(edges):
        _add_edge(graph, i, entry)
    graph.topological_order()  # one loop check for the whole file: GraphError naming a node
    return graph


def _list_of(data: dict, key: str, limit: int) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise GraphError(f"The network's '{key}' must be a list.")
    if len(value) > limit:
        raise GraphError(f"The network has {len(value)} {key}, more than the {limit} allowed.")
    return value


def _add_node(graph: "Graph", i: int, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise GraphError(f"Node {i + 1} of the network must be a mapping with id, type and name.")
    for key in ("id", "type", "name"):
        if not isinstance(entry.get(key), str):
            raise GraphError(f"Node {i + 1} of the network needs a text '{key}'.")
    if entry["id"] in graph:
        raise GraphError(f"Two nodes of the network share the id '{entry['id'][:64]}': ids must be unique.")
    graph.add_node(entry["type"], entry["name"], entry.get("params", {}),
                   entry.get("position", (0.0, 0.0)), id=entry["id"])


def _add_edge(graph: "Graph", i: int, entry: Any) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("src"), str) \
            or not isinstance(entry.get("dst"), str):
        raise GraphError(f"Connection {i + 1} of the network must be a mapping with text 'src' and 'dst'.")
    for key in ("src", "dst"):
        if entry[key] not in graph:
            raise GraphError(f"Connection {i + 1} of the network refers to a missing node "
                             f"{entry[key][:64]!r}.")
    graph._connect(entry["src"], entry["dst"], None, check_loop=False)


def _copy_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in params.items()}
