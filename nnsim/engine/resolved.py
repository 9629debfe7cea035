"""A graph after validation and shape inference: what the compiler consumes.

The graph package produces it (``Graph.resolve(input_shape)``); the engine never reads the live,
editable graph, so a training run is unaffected by edits made while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnsim.engine.layers.base import Shape


@dataclass(frozen=True)
class ResolvedNode:
    name: str
    type: str
    params: dict[str, Any]  # complete and checked (defaults filled in)
    inputs: tuple[str, ...]  # names of the input nodes, in edge order
    in_shapes: tuple[Shape, ...]
    out_shape: Shape


@dataclass(frozen=True)
class ResolvedGraph:
    nodes: tuple[ResolvedNode, ...]  # topological order; the Input node first
    input: str  # name of the Input node
    output: str  # name of the single node nothing reads from

    def node(self, name: str) -> ResolvedNode:
        return next(n for n in self.nodes if n.name == name)
