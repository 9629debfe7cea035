"""Shape inference: what each node outputs for a dataset's sample shape, without running anything.

Nodes whose shape can't be known (unconnected, fed by a bad node, or refusing their input) map to
None; the refusals themselves are kept so validation can show the layer's own sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnsim.core.errors import GraphError
from nnsim.engine.layers.base import Shape

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.graph.model import Graph, Node


def check_input_shape(input_shape: Any) -> Shape:
    """The dataset's per-sample shape: 1 to 4 positive whole numbers."""
    ok = isinstance(input_shape, (tuple, list)) and 0 < len(input_shape) <= 4 and all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in input_shape)
    if not ok:
        raise GraphError(f"The sample shape {input_shape!r} must be 1 to 4 positive whole numbers: "
                         f"check the dataset.")
    return tuple(input_shape)


def infer(graph: "Graph", input_shape: Shape) -> tuple[dict[str, Shape | None], dict[str, GraphError]]:
    """Shapes by node id, and the error of each node that refused its inputs or params."""
    input_shape = check_input_shape(input_shape)
    shapes: dict[str, Shape | None] = {nid: None for nid in graph.nodes}
    errors: dict[str, GraphError] = {}
    try:
        order = graph.topological_order()
    except GraphError:
        return shapes, errors
    for node in order:
        try:
            shapes[node.id] = _node_shape(graph, node, shapes, input_shape)
        except GraphError as err:
            errors[node.id] = err
    return shapes, errors


def _node_shape(graph: "Graph", node: "Node", shapes: dict[str, Shape | None], input_shape: Shape) -> Shape | None:
    kind = node.kind
    if kind.max_inputs == 0:
        return input_shape
    edges = graph.inputs_of(node.id)
    in_shapes = [shapes[e.src] for e in edges]
    too_many = kind.max_inputs is not None and len(edges) > kind.max_inputs
    if len(edges) < kind.min_inputs or too_many or any(s is None for s in in_shapes):
        return None
    params = kind.check_params(node.params, node.name)
    sources = [graph.nodes[e.src].name for e in edges]
    return tuple(kind.output_shape(in_shapes, params, node.name, sources))


def infer_shapes(graph: "Graph", input_shape: Shape) -> dict[str, Shape | None]:
    return infer(graph, input_shape)[0]


def input_shapes(graph: "Graph", shapes: dict[str, Shape | None], node_id: str) -> list[Shape | None]:
    return [shapes[e.src] for e in graph.inputs_of(node_id)]


def param_counts(graph: "Graph", input_shape: Shape) -> dict[str, int]:
    """Trainable parameter count by node id, for nodes whose input shapes are known (others omitted)."""
    shapes = infer_shapes(graph, input_shape)
    counts: dict[str, int] = {}
    for nid, node in graph.nodes.items():
        if shapes[nid] is None:
            continue
        if node.kind.max_inputs == 0:
            counts[nid] = 0
            continue
        counts[nid] = int(node.kind.param_count(input_shapes(graph, shapes, nid),
                                                node.kind.check_params(node.params, node.name)))
    return counts
