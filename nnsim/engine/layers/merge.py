"""Merges: Add (same shapes, element-wise) and Concatenate (along an axis)."""

from __future__ import annotations

import math

from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.layers.base import LayerKind, register
from nnsim.engine.program import OP_ADD, OP_CONCAT


def _dims(shape) -> str:
    return "x".join(map(str, shape))


@register
class Add(LayerKind):
    type_name = "Add"
    category = "Merge"
    help = "Adds its inputs element by element (residual connections); all inputs need the same shape."
    min_inputs = 2
    max_inputs = None

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        for shape, src in zip(in_shapes[1:], sources[1:]):
            if shape != in_shapes[0]:
                raise ShapeError(f"Add '{node}' needs inputs of one shape but gets {_dims(in_shapes[0])} "
                                 f"from '{sources[0]}' and {_dims(shape)} from '{src}': "
                                 f"make them the same size.", node)
        return in_shapes[0]

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        acc = inputs[0]
        for x in inputs[1:]:
            acc = b.op(OP_ADD, node, [acc, x], b.activation(out_shape), [x.size])
        return acc


@register
class Concatenate(LayerKind):
    type_name = "Concatenate"
    category = "Merge"
    help = "Joins its inputs along one axis (features for vectors, channels for images), in edge order."
    min_inputs = 2
    max_inputs = None
    params = (ParamSpec("axis", "int", 0, "Axis of the per-sample shape to join along (0 = features "
                                          "or channels; -1 = last).", min=-4, max=3),)

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        rank = len(in_shapes[0])
        axis = params["axis"] % rank if -rank <= params["axis"] < rank else None
        if axis is None:
            raise ShapeError(f"Concatenate '{node}' joins along axis {params['axis']} but its inputs "
                             f"have only {rank} axes: choose an axis from {-rank} to {rank - 1}.", node)
        base = in_shapes[0]
        for shape, src in zip(in_shapes[1:], sources[1:]):
            if len(shape) != rank or any(a != c for i, (a, c) in enumerate(zip(shape, base)) if i != axis):
                raise ShapeError(f"Concatenate '{node}' can't join {_dims(base)} from '{sources[0]}' with "
                                 f"{_dims(shape)} from '{src}' along axis {axis}: all other axes must "
                                 f"match.", node)
        total = sum(s[axis] for s in in_shapes)
        return base[:axis] + (total,) + base[axis + 1:]

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        rank = len(out_shape)
        axis = params["axis"] % rank
        outer = math.prod(out_shape[:axis])
        acc = inputs[0]
        for x in inputs[1:]:
            shape = acc.shape[:axis] + (acc.shape[axis] + x.shape[axis],) + acc.shape[axis + 1:]
            out = b.activation(shape)
            acc = b.op(OP_CONCAT, node, [acc, x], out, [outer, acc.size // outer, x.size // outer])
        return acc
