"""Dense (fully connected) layer: y = x Wᵀ + b, then an optional activation."""

from __future__ import annotations

from nnsim.core.params import ParamSpec
from nnsim.engine.activations import ACTIVATION_NAMES
from nnsim.engine.initializers import INITIALIZER_NAMES
from nnsim.engine.layers.base import LayerKind, WeightSpec, need_flat, register
from nnsim.engine.layers.core import ACTIVATION_PARAMS, emit_activation
from nnsim.engine.program import OP_DENSE


@register
class Dense(LayerKind):
    type_name = "Dense"
    category = "Neurons and dense layers"
    help = ("Every output unit sums all inputs with its own weights plus a bias, then applies an activation. "
            "On a sequence it applies the same weights at every time step.")
    params = (
        ParamSpec("units", "int", 8, "Number of output units (neurons).", min=1, max=65536),
        ParamSpec("activation", "choice", "relu", "Non-linearity applied to each unit's sum.",
                  choices=ACTIVATION_NAMES),
        ParamSpec("use_bias", "bool", True, "Add a trainable bias to each unit."),
        ParamSpec("init", "choice", "glorot_uniform", "How the weights start (biases start at 0).",
                  choices=INITIALIZER_NAMES),
    ) + ACTIVATION_PARAMS

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        shape = in_shapes[0]
        if len(shape) == 2:  # a sequence (T, F): the same Dense at every step
            return (shape[0], params["units"])
        need_flat("Dense", node, shape, sources[0])
        return (params["units"],)

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in, n_out = in_shapes[0][-1], params["units"]
        specs = [WeightSpec("weight", (n_out, n_in), params["init"], fan_in=n_in, fan_out=n_out)]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (n_out,), "zeros", decay=False))
        return specs

    @classmethod
    def key_params(cls, params):
        return f"{params['units']}, {params['activation']}"

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        specs = cls.weight_specs([x.shape], params)
        w = b.weight(node, specs[0])
        bias = b.weight(node, specs[1]) if params["use_bias"] else -1
        z = b.activation(out_shape)
        steps = x.shape[0] if len(x.shape) == 2 else 1
        b.op(OP_DENSE, node, [x], z, [x.shape[-1], out_shape[-1], w, bias, steps])
        return emit_activation(b, node, params["activation"], params, z, out_shape)
