"""Shortcuts for building graphs in code (examples, docs, tests, the CLI)."""

from __future__ import annotations

from typing import Any, Sequence

from nnsim.core.errors import GraphError
from nnsim.graph.layout import apply_layout
from nnsim.graph.model import Graph


def sequential(layers: Sequence[tuple[str, dict[str, Any]]], names: Sequence[str] | None = None) -> Graph:
    """A chain ``layers[0] -> layers[1] -> ...`` laid out left to right.

    ``sequential([("Input", {}), ("Dense", {"units": 8, "activation": "tanh"}),
    ("Dense", {"units": 1, "activation": "sigmoid"})])``
    """
    if names is not None and len(names) != len(layers):
        raise GraphError(f"sequential() got {len(layers)} layers but {len(names)} names: give one name per layer.")
    graph = Graph()
    previous = None
    for i, (type_name, params) in enumerate(layers):
        node = graph.add_node(type_name, names[i] if names is not None else None, params)
        if previous is not None:
            graph.connect(previous.id, node.id)
        previous = node
    apply_layout(graph)
    return graph
