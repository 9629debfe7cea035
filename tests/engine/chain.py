"""Build resolved graphs for engine tests without the graph package (keeps engine tests local)."""

from __future__ import annotations

from nnsim.engine.layers import layer_kind
from nnsim.engine.resolved import ResolvedGraph, ResolvedNode


def resolved(input_shape, nodes):
    """``nodes``: list of (name, type, params, input_names); the Input node is named 'in'."""
    shapes = {"in": tuple(input_shape)}
    out = [ResolvedNode("in", "Input", {}, (), (), tuple(input_shape))]
    for name, type_, params, inputs in nodes:
        kind = layer_kind(type_)
        p = kind.check_params(params, name)
        in_shapes = tuple(shapes[i] for i in inputs)
        shapes[name] = tuple(kind.output_shape(list(in_shapes), p, name, list(inputs)))
        out.append(ResolvedNode(name, type_, p, tuple(inputs), in_shapes, shapes[name]))
    return ResolvedGraph(tuple(out), "in", out[-1].name)


def chain(input_shape, layers):
    """A straight chain: ``layers`` is a list of (type, params)."""
    nodes, prev = [], "in"
    for k, (type_, params) in enumerate(layers):
        name = f"l{k}"
        nodes.append((name, type_, params, [prev]))
        prev = name
    return resolved(input_shape, nodes)
