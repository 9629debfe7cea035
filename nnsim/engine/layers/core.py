"""Input, Activation and Dropout."""

from __future__ import annotations

from typing import Any

from nnsim.core.params import ParamSpec
from nnsim.engine.activations import ACTIVATION_NAMES, ACTIVATIONS
from nnsim.engine.layers.base import LayerKind, Shape, register
from nnsim.engine.program import OP_ACT, OP_DROPOUT, OP_SOFTMAX, Buffer, ProgramBuilder

ACTIVATION_PARAMS = (
    ParamSpec("slope", "float", 0.01, "Slope for x < 0 of leaky ReLU.", min=0.0, max=1.0),
    ParamSpec("alpha", "float", 1.0, "Scale of the negative part of ELU.", min=0.0, max=10.0),
    ParamSpec("lower", "float", 0.125, "Smallest random slope of randomized ReLU.", min=0.0, max=1.0),
    ParamSpec("upper", "float", 1 / 3, "Largest random slope of randomized ReLU.", min=0.0, max=1.0),
)


def emit_activation(b: ProgramBuilder, node: str, name: str, params: dict[str, Any],
                    x: Buffer, shape: Shape) -> Buffer:
    """Emit the op for activation ``name``; ``identity`` emits nothing."""
    if name == "identity":
        return x
    out = b.activation(shape)
    if name == "softmax":
        last = shape[-1]
        return b.op(OP_SOFTMAX, node, [x], out, [x.size // last, last])
    aux = b.aux(per_sample=x.size) if name == "rrelu" else 0
    first = params.get("slope", 0.01) if name == "leaky_relu" else params.get("alpha", 1.0)
    if name == "rrelu":
        fargs = [params.get("lower", 0.125), params.get("upper", 1 / 3)]
    else:
        fargs = [first, 0.0]
    return b.op(OP_ACT, node, [x], out, [x.size, ACTIVATIONS[name], aux], fargs)


@register
class Input(LayerKind):
    type_name = "Input"
    category = "Inputs and outputs"
    help = "Where the dataset's samples enter the network; its shape comes from the dataset."
    min_inputs = 0
    max_inputs = 0

    @classmethod
    def key_params(cls, params):
        return "samples from the dataset"

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        raise AssertionError("the graph gives Input its shape from the dataset")

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        raise AssertionError("the compiler allocates the input buffer")


@register
class Activation(LayerKind):
    type_name = "Activation"
    category = "Activations"
    help = "Applies a non-linearity to every value of its input."
    params = (ParamSpec("activation", "choice", "relu", "The function applied to each value.",
                        choices=ACTIVATION_NAMES),) + ACTIVATION_PARAMS

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        return in_shapes[0]

    @classmethod
    def key_params(cls, params):
        return params["activation"]

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        return emit_activation(b, node, params["activation"], params, inputs[0], out_shape)


@register
class Dropout(LayerKind):
    type_name = "Dropout"
    category = "Regularization"
    help = ("While training, zeroes each value with probability 'rate' and scales the rest by "
            "1/(1-rate); at evaluation it passes values through.")
    params = (ParamSpec("rate", "float", 0.5, "Probability of dropping a value while training.",
                        min=0.0, max=0.95),)

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        return in_shapes[0]

    @classmethod
    def key_params(cls, params):
        return f"rate {params['rate']:g}"

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        out = b.activation(out_shape)
        return b.op(OP_DROPOUT, node, [x], out, [x.size, 0, b.aux(per_sample=x.size)], [params["rate"]])
