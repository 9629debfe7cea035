"""Convolution and pooling layers. Images are (C, H, W) as in PyTorch; sequences are (T, F),
channels last, so text layers chain Embedding -> Conv1D -> pooling directly.

Weights follow PyTorch: Conv2D weight (filters, C, k, k), Conv1D weight (filters, F, k), bias
(filters,). Padding "same" gives ceil(L / stride) outputs (L itself for stride 1); when the total
padding is odd (even kernels) the extra zero goes to the bottom/right, as PyTorch's padding="same".
"""

from __future__ import annotations

import math

from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.activations import ACTIVATION_NAMES
from nnsim.engine.initializers import INITIALIZER_NAMES
from nnsim.engine.layers.base import LayerKind, WeightSpec, register
from nnsim.engine.kernels.conv2d import grad_scratch_size
from nnsim.engine.layers.core import ACTIVATION_PARAMS, emit_activation
from nnsim.engine.ops.conv_ops import (OP_AVGPOOL2D, OP_CONV1D, OP_CONV2D, OP_GLOBAL_MAXPOOL1D, OP_MAXPOOL1D,
                                       OP_MAXPOOL2D)

CATEGORY = "Convolution and pooling"
COL_BUDGET = 1 << 22  # values of unfolding scratch per conv layer; larger batches unfold in chunks


def _dims(shape) -> str:
    return "x".join(map(str, shape))


def need_sequence(kind: str, node: str, shape, source: str) -> tuple[int, int]:
    """(T, F) of a sequence input, or the standard error naming the source."""
    if len(shape) != 2:
        raise ShapeError(f"{kind} '{node}' needs a sequence (steps x features) but gets {_dims(shape)} from "
                         f"'{source}': feed it from an Embedding, a recurrent layer or a Conv1D.", node)
    return shape[0], shape[1]


def need_image(kind: str, node: str, shape, source: str) -> tuple[int, int, int]:
    """(C, H, W) of an image input, or the standard error with a Reshape hint."""
    if len(shape) != 3:
        hint = (f"add a Reshape node (e.g. to 1x{_side(shape[0])}x{_side(shape[0])})" if len(shape) == 1
                else "add a Reshape node to channels x height x width")
        raise ShapeError(f"{kind} '{node}' needs an image (channels x height x width) but gets {_dims(shape)} "
                         f"from '{source}': {hint}.", node)
    return shape[0], shape[1], shape[2]


def _side(size: int) -> str:
    root = math.isqrt(size)
    return str(root) if root * root == size else "H"


def conv_padding(length: int, k: int, stride: int, padding: str, pad: int) -> tuple[int, int, int]:
    """(before, after, outputs) along one axis for padding "valid", "same" or "explicit"."""
    if padding == "valid":
        before = after = 0
    elif padding == "explicit":
        before = after = pad
    else:  # same: ceil(length / stride) outputs, extra zero after
        total = max((-(-length // stride) - 1) * stride + k - length, 0)
        before, after = total // 2, total - total // 2
    return before, after, (length + before + after - k) // stride + 1


CONV_PARAMS = (
    ParamSpec("filters", "int", 8, "Number of filters (output channels).", min=1, max=4096),
    ParamSpec("kernel_size", "int", 3, "Width (and height) of each filter.", min=1, max=15),
    ParamSpec("stride", "int", 1, "Step between neighbouring filter positions.", min=1, max=8),
    ParamSpec("padding", "choice", "valid", "valid: no padding (the output shrinks); same: zeros around the "
              "input so the output keeps its size (for stride 1); explicit: 'pad' zeros on every side.",
              choices=("valid", "same", "explicit")),
    ParamSpec("pad", "int", 0, "Zeros added on every side when padding is explicit.", min=0, max=15),
    ParamSpec("activation", "choice", "relu", "Non-linearity applied to each output value.",
              choices=ACTIVATION_NAMES),
    ParamSpec("use_bias", "bool", True, "Add a trainable bias to each filter."),
    ParamSpec("init", "choice", "he_uniform", "How the weights start (biases start at 0).",
              choices=INITIALIZER_NAMES),
) + ACTIVATION_PARAMS


def _conv_key(params, dims: int) -> str:
    k = params["kernel_size"]
    text = f"{params['filters']} @ {'x'.join([str(k)] * dims)}"
    if params["stride"] > 1:
        text += f" /{params['stride']}"
    if params["padding"] == "same":
        text += ", same"
    elif params["padding"] == "explicit" and params["pad"]:
        text += f", pad {params['pad']}"
    return f"{text}, {params['activation']}"


def _too_small(kind, node, source, window: str, sizes, padded, fix) -> ShapeError:
    got = _dims(sizes)
    if tuple(padded) != tuple(sizes):
        got += f" ({_dims(padded)} padded)"
    return ShapeError(f"{kind} '{node}' has a {window} but its input from '{source}' is only {got}: {fix}.", node)


def _chunk(b, per_sample: int) -> int:
    return max(1, min(b.max_batch, COL_BUDGET // max(per_sample, 1)))


@register
class Conv2D(LayerKind):
    type_name = "Conv2D"
    category = CATEGORY
    help = "Slides small learned filters over an image; each filter makes one output channel."
    params = CONV_PARAMS

    @classmethod
    def geometry(cls, shape, params):
        """((top, bottom, OH), (left, right, OW)) for an input (C, H, W)."""
        k, s = params["kernel_size"], params["stride"]
        return (conv_padding(shape[1], k, s, params["padding"], params["pad"]),
                conv_padding(shape[2], k, s, params["padding"], params["pad"]))

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        _, h, w = need_image("Conv2D", node, in_shapes[0], sources[0])
        (top, bottom, oh), (left, right, ow) = cls.geometry(in_shapes[0], params)
        if oh < 1 or ow < 1:
            k = params["kernel_size"]
            raise _too_small("Conv2D", node, sources[0], f"{k}x{k} kernel", (h, w),
                             (h + top + bottom, w + left + right), "use a smaller kernel or padding")
        return (params["filters"], oh, ow)

    @classmethod
    def weight_specs(cls, in_shapes, params):
        c, k, f = in_shapes[0][0], params["kernel_size"], params["filters"]
        specs = [WeightSpec("weight", (f, c, k, k), params["init"], fan_in=c * k * k, fan_out=f * k * k)]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (f,), "zeros", decay=False))
        return specs

    @classmethod
    def key_params(cls, params):
        return _conv_key(params, 2)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        c, h, w = x.shape
        f, oh, ow = out_shape
        k, s = params["kernel_size"], params["stride"]
        (top, _, _), (left, _, _) = cls.geometry(x.shape, params)
        specs = cls.weight_specs([x.shape], params)
        wo = b.weight(node, specs[0])
        bo = b.weight(node, specs[1]) if params["use_bias"] else -1
        ckk, ohw = c * k * k, oh * ow
        chunk = _chunk(b, ckk * ohw)
        col = b.aux(fixed=chunk * ckk * ohw)
        tmp = b.aux(fixed=chunk * f * ohw)
        gwt = b.aux(fixed=grad_scratch_size(f, ckk))
        xt = b.aux(fixed=chunk * c * h * w)
        z = b.activation(out_shape)
        b.op(OP_CONV2D, node, [x], z, [c, h, w, f, k, k, s, top, left, oh, ow, wo, bo, col, tmp, gwt, chunk, xt])
        return emit_activation(b, node, params["activation"], params, z, out_shape)


@register
class Conv1D(LayerKind):
    type_name = "Conv1D"
    category = CATEGORY
    help = "Slides learned filters along the time steps of a sequence; each filter makes one output feature."
    params = CONV_PARAMS

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        steps, _ = need_sequence("Conv1D", node, in_shapes[0], sources[0])
        k = params["kernel_size"]
        before, after, t_out = conv_padding(steps, k, params["stride"], params["padding"], params["pad"])
        if t_out < 1:
            raise _too_small("Conv1D", node, sources[0], f"kernel of {k} steps", (steps,),
                             (steps + before + after,), "use a smaller kernel or padding")
        return (t_out, params["filters"])

    @classmethod
    def weight_specs(cls, in_shapes, params):
        c, k, f = in_shapes[0][-1], params["kernel_size"], params["filters"]
        specs = [WeightSpec("weight", (f, c, k), params["init"], fan_in=c * k, fan_out=f * k)]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (f,), "zeros", decay=False))
        return specs

    @classmethod
    def key_params(cls, params):
        return _conv_key(params, 1)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        steps, c = x.shape
        t_out, f = out_shape
        k, s = params["kernel_size"], params["stride"]
        left, _, _ = conv_padding(steps, k, s, params["padding"], params["pad"])
        specs = cls.weight_specs([x.shape], params)
        wo = b.weight(node, specs[0])
        bo = b.weight(node, specs[1]) if params["use_bias"] else -1
        chunk = _chunk(b, t_out * c * k)
        col = b.aux(fixed=chunk * t_out * c * k)
        gwt = b.aux(fixed=f * c * k)
        z = b.activation(out_shape)
        b.op(OP_CONV1D, node, [x], z, [steps, c, f, k, s, left, t_out, wo, bo, col, gwt, chunk])
        return emit_activation(b, node, params["activation"], params, z, out_shape)


POOL_PARAMS = (
    ParamSpec("size", "int", 2, "Width (and height) of each pooling window.", min=1, max=8),
    ParamSpec("stride", "int", 0, "Step between windows; 0 means the window size (no overlap).", min=0, max=8),
)


def _pool_key(params, dims: int) -> str:
    k, s = params["size"], params["stride"] or params["size"]
    text = "x".join([str(k)] * dims) if dims > 1 else f"size {k}"
    return text if s == k else f"{text} /{s}"


class _Pool2D(LayerKind):
    category = CATEGORY
    params = POOL_PARAMS
    opcode = 0

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        c, h, w = need_image(cls.type_name, node, in_shapes[0], sources[0])
        k = params["size"]
        s = params["stride"] or k
        if k > h or k > w:
            raise _too_small(cls.type_name, node, sources[0], f"{k}x{k} window", (h, w), (h, w),
                             "use a smaller size or remove the pooling")
        return (c, (h - k) // s + 1, (w - k) // s + 1)

    @classmethod
    def key_params(cls, params):
        return _pool_key(params, 2)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        out = b.activation(out_shape)
        k = params["size"]
        args = [*x.shape, k, params["stride"] or k, out_shape[1], out_shape[2]]
        if cls.opcode == OP_MAXPOOL2D:
            args.append(b.aux(per_sample=out.size))
        return b.op(cls.opcode, node, [x], out, args)


@register
class MaxPool2D(_Pool2D):
    type_name = "MaxPool2D"
    help = "Keeps the largest value of each window of every channel, shrinking the image."
    opcode = OP_MAXPOOL2D


@register
class AvgPool2D(_Pool2D):
    type_name = "AvgPool2D"
    help = "Averages each window of every channel, shrinking the image."
    opcode = OP_AVGPOOL2D


@register
class MaxPool1D(LayerKind):
    type_name = "MaxPool1D"
    category = CATEGORY
    help = "Keeps each feature's largest value over windows of time steps, shortening the sequence."
    params = POOL_PARAMS

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        steps, feats = need_sequence("MaxPool1D", node, in_shapes[0], sources[0])
        k = params["size"]
        if k > steps:
            raise _too_small("MaxPool1D", node, sources[0], f"window of {k} steps", (steps,), (steps,),
                             "use a smaller size or remove the pooling")
        return ((steps - k) // (params["stride"] or k) + 1, feats)

    @classmethod
    def key_params(cls, params):
        return _pool_key(params, 1)

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        out = b.activation(out_shape)
        k = params["size"]
        return b.op(OP_MAXPOOL1D, node, [x], out,
                    [x.shape[0], x.shape[1], k, params["stride"] or k, out_shape[0], b.aux(per_sample=out.size)])


@register
class GlobalMaxPool1D(LayerKind):
    type_name = "GlobalMaxPool1D"
    category = CATEGORY
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
