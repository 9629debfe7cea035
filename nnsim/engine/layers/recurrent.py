"""Embedding and recurrent layers over sequences (T, F).

Recurrent weight layouts (per direction; the reverse direction's names end in ``_reverse``), as in
PyTorch with H = units and I = input features:

* SimpleRNN: weight_ih (H, I) = U, weight_hh (H, H) = W, bias_ih (H,), bias_hh (H,).
* LSTM standard / peephole: weight_ih (4H, I), weight_hh (4H, H), bias_ih, bias_hh (4H,), row blocks
  i, f, g, o; peephole adds peephole_i, peephole_f, peephole_o (H,) each.
* LSTM coupled: 3H rows in blocks f, g, o (no input-gate rows; i = 1 - f).
* GRU: weight_ih (3H, I), weight_hh (3H, H), bias_ih, bias_hh (3H,), row blocks r, z, n.
"""

from __future__ import annotations


from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.initializers import INITIALIZER_NAMES
from nnsim.engine.kernels.rnn import ACT_RELU, ACT_TANH
from nnsim.engine.layers.base import LayerKind, WeightSpec, register
from nnsim.engine.ops.recurrent_ops import (INTERNALS, OP_EMBEDDING, OP_GRU, OP_LSTM, OP_SIMPLE_RNN, gate_blocks,
                                            partials_size, scratch_size)
from nnsim.engine.program import OP_ADD, OP_CONCAT


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


# --- recurrent layers ------------------------------------------------------------------------
_TORCH_INIT = "pytorch"
_INIT_CHOICES = (_TORCH_INIT,) + INITIALIZER_NAMES
_VARIANTS = ("standard", "peephole", "coupled")


class _Recurrent(LayerKind):
    """Shared parameters, shapes, weights and emission of SimpleRNN, LSTM and GRU."""

    category = "Recurrent"
    min_inputs = 1
    max_inputs = 2
    opcode: int = 0
    common_params = (
        ParamSpec("units", "int", 32, "Size H of the hidden state (and of the output at each step).", min=1,
                  max=4096),
        ParamSpec("return_sequences", "bool", True,
                  "On: output the state at every step, (T, H) (many-to-many; a following Dense then acts "
                  "per step). Off: only the last state, (H,) (many-to-one)."),
        ParamSpec("bidirectional", "bool", False,
                  "Also run a second set of weights backwards in time (t = T-1 .. 0) and merge both "
                  "directions; the reverse direction's last state is the one after reading t = 0."),
        ParamSpec("merge", "choice", "concat", "How a bidirectional layer joins its two directions: concat "
                  "gives 2H features, sum gives H.", choices=("concat", "sum")),
        ParamSpec("bptt_steps", "int", 0,
                  "Truncated backpropagation through time: 0 = the full sequence. k > 0 cuts the sequence "
                  "into chunks of k steps (in processing order) and stops the gradient through the "
                  "hidden (and cell) state at each chunk boundary; the forward pass is unchanged.",
                  min=0, max=100_000),
        ParamSpec("init", "choice", _TORCH_INIT,
                  "How the weights start: pytorch draws every weight and bias from "
                  "U(-1/sqrt(H), 1/sqrt(H)) like torch.nn; the others set weights by that rule and "
                  "biases to 0.", choices=_INIT_CHOICES),
    )

    @classmethod
    def blocks(cls, params) -> int:
        return gate_blocks(cls.opcode)

    @classmethod
    def variant_code(cls, params) -> int:
        return 0

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        shape = in_shapes[0]
        name = cls.type_name
        if len(shape) != 2:
            dims = "x".join(map(str, shape))
            raise ShapeError(f"{name} '{node}' needs a sequence (steps x features) but gets {dims} from "
                             f"'{sources[0]}': use a sequence dataset, an Embedding, or a recurrent layer "
                             f"with return_sequences on before it.", node)
        hidden = params["units"]
        if len(in_shapes) > 1 and tuple(in_shapes[1]) != (hidden,):
            dims = "x".join(map(str, in_shapes[1]))
            raise ShapeError(f"{name} '{node}' takes its initial state from '{sources[1]}', which must give "
                             f"{hidden} values (one per unit) but gives {dims}: match the units.", node)
        width = 2 * hidden if params["bidirectional"] and params["merge"] == "concat" else hidden
        return (shape[0], width) if params["return_sequences"] else (width,)

    @classmethod
    def direction_specs(cls, n_in, params, suffix) -> list[WeightSpec]:
        hidden = params["units"]
        gh = cls.blocks(params) * hidden
        init = params["init"]
        if init == _TORCH_INIT:  # he_uniform: U(±sqrt(6 / fan_in)) = U(±1/sqrt(H)) with fan_in = 6H
            w_init = b_init = "he_uniform"
            fan_ih = fan_hh = 6 * hidden
        else:
            w_init, b_init, fan_ih, fan_hh = init, "zeros", n_in, hidden
        specs = [WeightSpec("weight_ih" + suffix, (gh, n_in), w_init, fan_in=fan_ih, fan_out=gh),
                 WeightSpec("weight_hh" + suffix, (gh, hidden), w_init, fan_in=fan_hh, fan_out=gh),
                 WeightSpec("bias_ih" + suffix, (gh,), b_init, fan_in=6 * hidden, decay=False,
                            offset=cls.bias_ih_offset(params)),
                 WeightSpec("bias_hh" + suffix, (gh,), b_init, fan_in=6 * hidden, decay=False)]
        return specs + cls.extra_specs(params, suffix)

    @classmethod
    def bias_ih_offset(cls, params) -> tuple[int, int, float] | None:
        """A constant added to some rows of bias_ih after initialization (LSTM's forget bias)."""
        return None

    @classmethod
    def extra_specs(cls, params, suffix) -> list[WeightSpec]:
        return []

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in = in_shapes[0][-1]
        specs = cls.direction_specs(n_in, params, "")
        if params["bidirectional"]:
            specs += cls.direction_specs(n_in, params, "_reverse")
        return specs

    @classmethod
    def key_params(cls, params):
        text = f"{params['units']}, {'seq' if params['return_sequences'] else 'last'}"
        if params["bidirectional"]:
            text += ", bi" + (" sum" if params["merge"] == "sum" else "")
        return text

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        steps, n_in = x.shape
        hidden = params["units"]
        seq = params["return_sequences"]
        blocks = cls.blocks(params)
        names = INTERNALS[cls.opcode]
        dir_shape = (steps, hidden) if seq else (hidden,)
        outs = []
        for reverse in ([False, True] if params["bidirectional"] else [False]):
            suffix = "_reverse" if reverse else ""
            specs = cls.direction_specs(n_in, params, suffix)
            offs = {s.name[:len(s.name) - len(suffix)]: b.weight(node, s) for s in specs}
            first = b.internal(node, names[0] + suffix, (steps, hidden))
            for name in names[1:]:
                b.internal(node, name + suffix, (steps, hidden))
            scratch = b.aux(per_sample=scratch_size(cls.opcode, steps, n_in, hidden, blocks))
            size = partials_size(cls.opcode, n_in, hidden, blocks)
            partials = b.aux(fixed=size) if size else -1
            out = b.activation(dir_shape)
            args = [steps, n_in, hidden, int(reverse), int(seq), params["bptt_steps"], cls.variant_code(params),
                    offs["weight_ih"], offs["weight_hh"], offs["bias_ih"], offs["bias_hh"],
                    offs.get("peephole_i", -1), b.max_batch, scratch, first, blocks, partials]
            outs.append(b.op(cls.opcode, node, list(inputs), out, args))
        if len(outs) == 1:
            return outs[0]
        merged = b.activation(out_shape)
        if params["merge"] == "sum":
            return b.op(OP_ADD, node, outs, merged, [outs[0].size])
        return b.op(OP_CONCAT, node, outs, merged, [steps if seq else 1, hidden, hidden])


_STATE_HELP = (" An optional second input (H values) sets the initial hidden state h0 (zero "
               "otherwise; a bidirectional layer starts both directions from it) and receives its gradient.")


@register
class SimpleRNN(_Recurrent):
    type_name = "SimpleRNN"
    opcode = OP_SIMPLE_RNN
    help = ("Elman recurrent layer: at each step a_t = b + W s_(t-1) + U x_t and s_t = tanh(a_t) (or relu); "
            "it outputs the states s_t. The output o_t = c + V s_t of the textbook network is a Dense "
            "layer after it (per step on a sequence). Weights as in torch.nn.RNN: weight_ih = U (H x I), "
            "weight_hh = W (H x H), bias_ih + bias_hh = b." + _STATE_HELP)
    params = _Recurrent.common_params + (
        ParamSpec("activation", "choice", "tanh", "Non-linearity of the state.", choices=("tanh", "relu")),)

    @classmethod
    def variant_code(cls, params):
        return ACT_TANH if params["activation"] == "tanh" else ACT_RELU


@register
class LSTM(_Recurrent):
    type_name = "LSTM"
    opcode = OP_LSTM
    help = ("Long short-term memory: a cell state c carried through time, written and read through gates "
            "(input i, forget f, output o) and a candidate g: c_t = f c_(t-1) + i g, h_t = o tanh(c_t). "
            "Weights as in torch.nn.LSTM, rows in blocks i, f, g, o (4H). Variants: peephole adds "
            "per-unit weights from the cell to the gates (i and f see c_(t-1), o sees c_t); coupled ties "
            "the input gate to the forget gate (i = 1 - f) and drops the i rows (3H rows f, g, o). "
            "The cell starts at zero." + _STATE_HELP)
    params = _Recurrent.common_params + (
        ParamSpec("variant", "choice", "standard", "standard (PyTorch), peephole or coupled input-forget gate.",
                  choices=_VARIANTS),
        ParamSpec("forget_bias", "float", 1.0,
                  "Added to the forget-gate rows of bias_ih when the weights are initialized, so the "
                  "cell starts out remembering (0 reproduces PyTorch's initialization).", min=-10.0, max=10.0),
    )

    @classmethod
    def blocks(cls, params):
        return 3 if params["variant"] == "coupled" else 4

    @classmethod
    def variant_code(cls, params):
        return _VARIANTS.index(params["variant"])

    @classmethod
    def bias_ih_offset(cls, params):
        fb = params["forget_bias"]
        if fb == 0.0:
            return None
        hidden = params["units"]
        start = 0 if params["variant"] == "coupled" else hidden  # the f block
        return (start, start + hidden, fb)

    @classmethod
    def extra_specs(cls, params, suffix):
        if params["variant"] != "peephole":
            return []
        hidden = params["units"]
        init = "he_uniform" if params["init"] == _TORCH_INIT else "zeros"
        return [WeightSpec(f"peephole_{g}{suffix}", (hidden,), init, fan_in=6 * hidden, decay=True)
                for g in "ifo"]


@register
class GRU(_Recurrent):
    type_name = "GRU"
    opcode = OP_GRU
    help = ("Gated recurrent unit (PyTorch's form): a reset gate r and an update gate z; "
            "n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h_t = (1 - z) n + z h_(t-1). Weights as in "
            "torch.nn.GRU, rows in blocks r, z, n (3H)." + _STATE_HELP)
    params = _Recurrent.common_params
