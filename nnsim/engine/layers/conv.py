"""Convolution and pooling layers. Images are (C, H, W) as in PyTorch; sequences are (T, F),
channels last, so text layers chain Embedding -> Conv1D -> pooling directly."""

from __future__ import annotations

from nnsim.core.errors import ShapeError
from nnsim.engine.layers.base import LayerKind, register
from nnsim.engine.ops.conv_ops import OP_GLOBAL_MAXPOOL1D


def need_sequence(kind: str, node: str, shape, source: str) -> tuple[int, int]:
    """(T, F) of a sequence input, or the standard error naming the source."""
    if len(shape) != 2:
        dims = "x".join(map(str, shape))
        raise ShapeError(f"{kind} '{node}' needs a sequence (steps x features) but gets {dims} from "
                         f"'{source}': feed it from an Embedding, a recurrent layer or a Conv1D.", node)
    return shape[0], shape[1]


@register
class GlobalMaxPool1D(LayerKind):
    type_name = "GlobalMaxPool1D"
    category = "Convolution and pooling"
    help = "Keeps each feature's largest value over all time steps: a sequence becomes one vector."

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        return (need_sequence("GlobalMaxPool1D", node, in_shapes[0], sources[0])[1],)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        steps, feats = x.shape
        out = b.activation(out_shape)
        return b.op(OP_GLOBAL_MAXPOOL1D, node, [x], out, [steps, feats, b.aux(per_sample=feats)])
