"""Embedding and recurrent layers over sequences (T, F)."""

from __future__ import annotations

from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.layers.base import LayerKind, WeightSpec, register
from nnsim.engine.ops.recurrent_ops import OP_EMBEDDING


@register
class Embedding(LayerKind):
    type_name = "Embedding"
    category = "Recurrent"
    help = ("Turns token ids (a sequence of whole numbers) into learned vectors: one row of a "
            "vocabulary x dimension table per token.")
    params = (
        ParamSpec("vocab_size", "int", 64, "Number of distinct tokens (ids 0 to vocab_size - 1).", min=1,
                  max=1_000_000),
        ParamSpec("dim", "int", 16, "Length of each token's vector.", min=1, max=4096),
    )

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        shape = in_shapes[0]
        if len(shape) != 1:
            dims = "x".join(map(str, shape))
            raise ShapeError(f"Embedding '{node}' needs a sequence of token ids but gets {dims} from "
                             f"'{sources[0]}': use a dataset with 'ids' encoding.", node)
        return (shape[0], params["dim"])

    @classmethod
    def weight_specs(cls, in_shapes, params):
        v, d = params["vocab_size"], params["dim"]
        return [WeightSpec("weight", (v, d), "normal_1", fan_in=v, fan_out=d)]

    @classmethod
    def key_params(cls, params):
        return f"{params['vocab_size']} x {params['dim']}"

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        w = b.weight(node, cls.weight_specs([x.shape], params)[0])
        out = b.activation(out_shape)
        return b.op(OP_EMBEDDING, node, [x], out, [x.shape[0], params["vocab_size"], params["dim"], w])
