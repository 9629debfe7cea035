"""What stops a graph from compiling, in sentences that name the node and the fix.

Editing may pass through invalid states (that is how networks get built), so the model allows them
and this module lists them; ``resolve`` turns a problem-free graph into what the compiler consumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnsim.core.errors import GraphError
from nnsim.engine.layers.base import Shape
from nnsim.engine.resolved import ResolvedGraph, ResolvedNode
from nnsim.graph import checks, shapes

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.graph.model import Graph, Node


@dataclass(frozen=True)
class Problem:
    """One reason the network can't compile; ``node_id`` is None for graph-wide problems."""

    node_id: str | None
    message: str


def validate(graph: "Graph", input_shape: Shape | None = None) -> list[Problem]:
    """All problems, most basic first; shape problems only when ``input_shape`` is given."""
    problems = _input_problems(graph)
    try:
        graph.topological_order()
    except GraphError:
        return problems + _loop_problems(graph)
    problems += _param_problems(graph)
    problems += _connection_problems(graph)
    problems += _sink_problems(graph)
    if input_shape is not None:
        reported = {p.node_id for p in problems}
        problems += [p for p in _shape_problems(graph, input_shape) if p.node_id not in reported]
    return problems


def _inputs(graph: "Graph") -> list["Node"]:
    return [n for n in graph.nodes.values() if n.kind.max_inputs == 0]


def _input_problems(graph: "Graph") -> list[Problem]:
    inputs = _inputs(graph)
    if not inputs:
        return [Problem(None, "The network needs an Input node: drag one from the palette.")]
    if len(inputs) > 1:
        names = _join([n.name for n in inputs])
        return [Problem(inputs[1].id, f"The network has {len(inputs)} Input nodes ({names}): "
                                      f"delete all but one.")]
    return []


def _loop_problems(graph: "Graph") -> list[Problem]:
    try:
        graph.topological_order()
    except GraphError as err:
        node = graph.node_by_name(err.node) if err.node else None
        return [Problem(node.id if node else None, str(err))]
    return []


def _param_problems(graph: "Graph") -> list[Problem]:
    problems = []
    for node in graph.nodes.values():
        try:
            checks.check_params(node.kind, node.params, node.name)
        except GraphError as err:
            problems.append(Problem(node.id, str(err)))
    return problems


def _connection_problems(graph: "Graph") -> list[Problem]:
    problems = []
    for node in graph.nodes.values():
        message = _input_count_message(node, len(graph.inputs_of(node.id)))
        if message:
            problems.append(Problem(node.id, message))
    reached = _reachable(graph)
    for node in graph.nodes.values():
        if node.id not in reached and not any(p.node_id == node.id for p in problems) and _inputs(graph):
            problems.append(Problem(node.id, f"{node.label} is not connected to the Input node: connect "
                                             f"it to the network or delete it."))
    return problems


def _input_count_message(node: "Node", count: int) -> str | None:
    kind = node.kind
    if count == 0 and kind.min_inputs > 0:
        return f"{node.label} has no input: connect a node to it."
    if count < kind.min_inputs:
        return (f"{node.label} needs at least {kind.min_inputs} inputs but gets {count}: "
                f"connect another node to it.")
    if kind.max_inputs is not None and count > kind.max_inputs:
        return f"{node.label} takes at most {kind.max_inputs} input(s) but gets {count}: remove a connection."
    return None


def _reachable(graph: "Graph") -> set[str]:
    """Ids reachable from any Input node (including the Inputs)."""
    stack = [n.id for n in _inputs(graph)]
    seen = set(stack)
    while stack:
        for edge in graph.outputs_of(stack.pop()):
            if edge.dst not in seen:
                seen.add(edge.dst)
                stack.append(edge.dst)
    return seen


def _sinks(graph: "Graph") -> list["Node"]:
    """Reachable nodes nothing reads from (unreachable ones are already reported)."""
    reached = _reachable(graph)
    return [n for n in graph.nodes.values() if n.id in reached and not graph.outputs_of(n.id)]


def _sink_problems(graph: "Graph") -> list[Problem]:
    sinks = _sinks(graph)
    if len(sinks) == 1 and sinks[0].kind.max_inputs == 0:
        return [Problem(sinks[0].id, f"{sinks[0].label} leads nowhere: add a layer after it.")]
    if len(sinks) == 2:
        return [Problem(sinks[0].id, f"Nodes '{sinks[0].name}' and '{sinks[1].name}' both end the "
                                     f"network: connect them or delete one.")]
    if len(sinks) > 2:
        return [Problem(sinks[0].id, f"Nodes {_join([n.name for n in sinks])} all end the network: "
                                     f"connect them or delete all but one.")]
    return []


def _shape_problems(graph: "Graph", input_shape: Shape) -> list[Problem]:
    try:
        _, errors = shapes.infer(graph, input_shape)
    except GraphError as err:
        inputs = _inputs(graph)
        return [Problem(inputs[0].id if inputs else None, str(err))]
    return [Problem(nid, str(err)) for nid, err in errors.items()]


def _join(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def resolve(graph: "Graph", input_shape: Shape) -> ResolvedGraph:
    """The frozen, checked network for the compiler; GraphError with the first problem otherwise."""
    problems = validate(graph, input_shape)
    if problems:
        first = problems[0]
        name = graph.nodes[first.node_id].name if first.node_id in graph.nodes else None
        raise GraphError(first.message, name)
    inferred = shapes.infer_shapes(graph, input_shape)
    resolved = [_resolved_node(graph, node, inferred) for node in graph.topological_order()]
    return ResolvedGraph(nodes=tuple(resolved), input=_inputs(graph)[0].name, output=_sinks(graph)[0].name)


def _resolved_node(graph: "Graph", node: "Node", inferred: dict) -> ResolvedNode:
    edges = graph.inputs_of(node.id)
    params = checks.check_params(node.kind, node.params, node.name)
    return ResolvedNode(name=node.name, type=node.type, params=params,
                        inputs=tuple(graph.nodes[e.src].name for e in edges),
                        in_shapes=tuple(inferred[e.src] for e in edges),
                        out_shape=inferred[node.id])
