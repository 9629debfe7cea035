"""Single units: the Neuron (one weight per incoming feature) and the McCulloch-Pitts unit.

Both join their inputs in edge order (a Concatenate), take a one-unit dense product and threshold
it, so they reuse the dense ops, the gradient checks and the weight file unchanged. Weights follow
PyTorch: ``weight`` (1, fan_in) and ``bias`` (1,). An edge from a (1,)-shaped node (another unit)
carries one weight; an edge from a wider node carries one weight per feature, in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnsim.core.errors import ShapeError
from nnsim.core.params import ParamSpec
from nnsim.engine.initializers import INITIALIZER_NAMES
from nnsim.engine.layers.base import LayerKind, Shape, WeightSpec, need_flat, register
from nnsim.engine.layers.core import emit_activation
from nnsim.engine.program import OP_CONCAT, OP_DENSE, Buffer, ProgramBuilder

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.engine.resolved import ResolvedGraph

NEURON_ACTIVATIONS = ("step", "sign", "identity", "sigmoid", "tanh", "relu")


def _fan_in(kind: str, node: str, in_shapes: list[Shape], sources: list[str]) -> int:
    return sum(need_flat(kind, node, shape, src) for shape, src in zip(in_shapes, sources))


def _emit_unit(b: ProgramBuilder, node: str, inputs: list[Buffer], specs: list[WeightSpec]) -> Buffer:
    """Concatenate the inputs, then z = x wᵀ + b with one output unit."""
    x = inputs[0]
    for nxt in inputs[1:]:
        x = b.op(OP_CONCAT, node, [x, nxt], b.activation((x.size + nxt.size,)), [1, x.size, nxt.size])
    w = b.weight(node, specs[0])
    bias = b.weight(node, specs[1]) if len(specs) > 1 else -1
    z = b.activation((1,))
    return b.op(OP_DENSE, node, [x], z, [x.size, 1, w, bias, 1])


@register
class Neuron(LayerKind):
    type_name = "Neuron"
    category = "Neurons and dense layers"
    help = ("A single unit: one weight per incoming feature (one per edge from another unit), a bias, "
            "and an activation. Wire neurons freely and mix them with layers.")
    min_inputs = 1
    max_inputs = None
    params = (
        ParamSpec("activation", "choice", "sigmoid", "Applied to the weighted sum; step and sign have zero "
                  "gradient, so only the perceptron rule can train them.", choices=NEURON_ACTIVATIONS),
        ParamSpec("use_bias", "bool", True, "Add a trainable bias b (the threshold is θ = -b)."),
        ParamSpec("init", "choice", "glorot_uniform", "How the weights start (the bias starts at 0).",
                  choices=INITIALIZER_NAMES),
    )

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        _fan_in("Neuron", node, in_shapes, sources)
        return (1,)

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in = sum(s[-1] for s in in_shapes)
        specs = [WeightSpec("weight", (1, n_in), params["init"], fan_in=n_in, fan_out=1)]
        if params["use_bias"]:
            specs.append(WeightSpec("bias", (1,), "zeros", decay=False))
        return specs

    @classmethod
    def key_params(cls, params):
        return params["activation"]

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        z = _emit_unit(b, node, inputs, cls.weight_specs([x.shape for x in inputs], params))
        return emit_activation(b, node, params["activation"], params, z, out_shape)


def inhibitory_positions(text: str, fan_in: int, node: str) -> set[int]:
    """Parse the 1-based input positions listed in ``text`` ("2" or "1, 3")."""
    out = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or not 1 <= int(part) <= fan_in:
            raise ShapeError(f"MPNeuron '{node}' lists inhibitory input '{part}' but has inputs 1 to {fan_in}: "
                             f"list positions from 1 to {fan_in}, separated by commas.", node)
        out.add(int(part))
    return out


def mp_weights(params: dict[str, Any], fan_in: int, node: str = "") -> tuple[list[float], float]:
    """Fixed weights and bias that make a step unit act as a McCulloch-Pitts unit on binary inputs.

    Excitatory inputs weigh 1 and the bias is -θ; an inhibitory input weighs more than any
    excitatory sum can make up, so one active inhibitory input forces 0 (absolute inhibition).
    """
    inhibitory = inhibitory_positions(params["inhibitory"], fan_in, node)
    theta = float(params["threshold"])
    veto = -(fan_in + abs(theta) + 1.0)
    return [veto if i + 1 in inhibitory else 1.0 for i in range(fan_in)], -theta


@register
class MPNeuron(LayerKind):
    type_name = "MPNeuron"
    category = "Neurons and dense layers"
    help = ("A McCulloch-Pitts unit (1943): binary inputs, fixed weights, output 1 when no inhibitory "
            "input is active and the active excitatory inputs reach the threshold θ, else 0.")
    min_inputs = 1
    max_inputs = None
    params = (
        ParamSpec("threshold", "float", 1.0, "θ: how many active excitatory inputs make the unit fire.",
                  min=-1000.0, max=1000.0),
        ParamSpec("inhibitory", "str", "", "Positions of the inhibitory inputs, counted from 1 in edge "
                  "order, e.g. '2' or '1, 3'; any active one forces the output to 0."),
    )

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        inhibitory_positions(params["inhibitory"], _fan_in("MPNeuron", node, in_shapes, sources), node)
        return (1,)

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in = sum(s[-1] for s in in_shapes)
        weights, bias = mp_weights(params, n_in)
        return [WeightSpec("weight", (1, n_in), "zeros", fan_in=n_in, trainable=False, values=tuple(weights)),
                WeightSpec("bias", (1,), "zeros", decay=False, trainable=False, values=(bias,))]

    @classmethod
    def param_count(cls, in_shapes, params):
        return 0

    @classmethod
    def key_params(cls, params):
        inhibitory = params["inhibitory"].strip()
        return f"θ {params['threshold']:g}" + (f", inhibitory {inhibitory}" if inhibitory else "")

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        z = _emit_unit(b, node, inputs, cls.weight_specs([x.shape for x in inputs], params))
        return emit_activation(b, node, "step", params, z, out_shape)


def edge_weight_slices(graph: "ResolvedGraph", node: str) -> list[tuple[str, slice]]:
    """For each incoming edge of unit ``node`` (in edge order): its source and its columns of ``weight``.

    ``network.weight_view(f"{node}/weight")[0, columns]`` are the weights that edge carries.
    """
    out, start = [], 0
    resolved = graph.node(node)
    for src, shape in zip(resolved.inputs, resolved.in_shapes):
        width = shape[-1]
        out.append((src, slice(start, start + width)))
        start += width
    return out

