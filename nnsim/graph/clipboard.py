"""Copy and paste of nodes as plain JSON (the same shape as ``Graph.to_dict``).

Pasted data may come from another program's clipboard, so it is checked like a file before use.
"""

from __future__ import annotations

from typing import Any, Iterable

from nnsim.core.errors import GraphError
from nnsim.graph.commands import AddNode, Connect, Macro
from nnsim.graph.model import Graph


def copy_nodes(graph: Graph, ids: Iterable[str]) -> dict[str, Any]:
    """The chosen nodes and the edges between them (edges to unchosen nodes are dropped)."""
    chosen = {nid for nid in ids if nid in graph}
    data = graph.to_dict()
    return {"nodes": [n for n in data["nodes"] if n["id"] in chosen],
            "edges": [e for e in data["edges"] if e["src"] in chosen and e["dst"] in chosen]}


def paste_nodes(graph: Graph, data: Any, offset: tuple[float, float] = (20.0, 20.0)) -> Macro:
    """A command adding copies of the nodes with fresh ids and names, shifted by ``offset``.

    Ids are reserved now, so push the command right away (as the GUI does on Ctrl+V).
    """
    pasted = Graph.from_dict(data)  # validates everything: types, params, edges, counts
    if not len(pasted):
        raise GraphError("The clipboard holds no nodes to paste.")
    new_ids: dict[str, str] = {}
    taken: set[str] = set()
    commands = []
    for node in pasted:
        new_ids[node.id] = graph.new_id()
        name = node.name if not graph.has_name(node.name) and node.name not in taken \
            else graph.unique_name(node.name, taken)
        taken.add(name)
        x, y = node.position
        commands.append(AddNode(graph, node.type, name, dict(node.params),
                                (x + offset[0], y + offset[1]), node_id=new_ids[node.id]))
    for edge in pasted.edges:
        connect = Connect(graph, new_ids[edge.src], new_ids[edge.dst])
        connect.text = f"Connect {pasted.nodes[edge.src].name} → {pasted.nodes[edge.dst].name}"
        commands.append(connect)
    count = len(pasted)
    return Macro(commands, f"Paste {count} node{'s' if count != 1 else ''}")

