"""Batch normalization over the channel axis (features for vectors, C for images)."""

from __future__ import annotations

import math

from nnsim.core.params import ParamSpec
from nnsim.engine.layers.base import LayerKind, WeightSpec, register
from nnsim.engine.program import OP_BATCHNORM


@register
class BatchNorm(LayerKind):
    type_name = "BatchNorm"
    category = "Regularization"
    help = ("Normalizes each channel to zero mean and unit variance over the batch while training "
            "(running averages at evaluation), then scales by gamma and shifts by beta.")
    params = (
        ParamSpec("momentum", "float", 0.1, "Weight of the current batch in the running averages.",
                  min=0.0, max=1.0),
        ParamSpec("eps", "float", 1e-5, "Added to the variance to avoid dividing by zero.",
                  min=1e-12, max=1.0),
    )

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        return in_shapes[0]

    @classmethod
    def weight_specs(cls, in_shapes, params):
        c = in_shapes[0][0]
        return [
            WeightSpec("weight", (c,), "ones", decay=False),
            WeightSpec("bias", (c,), "zeros", decay=False),
            WeightSpec("running_mean", (c,), "zeros", decay=False, trainable=False),
            WeightSpec("running_var", (c,), "ones", decay=False, trainable=False),
        ]

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        c = x.shape[0]
        inner = math.prod(x.shape[1:])
        gamma, beta, rmean, rvar = (b.weight(node, s) for s in cls.weight_specs([x.shape], params))
        out = b.activation(out_shape)
        xhat = b.aux(per_sample=x.size)
        stats = b.aux(fixed=2 * c)
        return b.op(OP_BATCHNORM, node, [x], out, [c, inner, gamma, beta, rmean, rvar, xhat, stats],
                    [params["momentum"], params["eps"]])
