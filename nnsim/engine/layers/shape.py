"""Flatten and Reshape: they only relabel the shape, so they share their input's memory."""

from __future__ import annotations

import math

from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.layers.base import LayerKind, register
from nnsim.engine.program import Buffer


@register
class Flatten(LayerKind):
    type_name = "Flatten"
    category = "Shape"
    help = "Turns an image or sequence into one flat vector (needed before a Dense layer)."

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        return (math.prod(in_shapes[0]),)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        return Buffer(inputs[0].offset, inputs[0].size, tuple(out_shape))


@register
class Reshape(LayerKind):
    type_name = "Reshape"
    category = "Shape"
    help = "Gives its input a new shape with the same number of values (e.g. 64 -> 1x8x8)."
    params = (ParamSpec("shape", "shape", (1, 8, 8), "The new per-sample shape, e.g. [1, 8, 8]."),)

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        new = tuple(params["shape"])
        if math.prod(new) != math.prod(in_shapes[0]):
            old = "x".join(map(str, in_shapes[0]))
            raise ShapeError(f"Reshape '{node}' can't turn {old} ({math.prod(in_shapes[0])} values) from "
                             f"'{sources[0]}' into {'x'.join(map(str, new))} ({math.prod(new)} values): "
                             f"choose a shape with the same number of values.", node)
        return new

    @classmethod
    def key_params(cls, params):
        return "x".join(map(str, params["shape"]))

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        return Buffer(inputs[0].offset, inputs[0].size, tuple(out_shape))
