"""A plain NumPy forward pass for small flat networks (units, Dense layers, merges), in evaluation mode.

The GUI inspects neuron-level networks on its own thread (each unit's output for a truth-table row,
the truth table itself) after every weight edit, before any training, and for every live frame.
Running the compiled engine there would compile kernels on the GUI thread; these networks are tiny,
so NumPy answers in microseconds from the same weights. Tests check it against ``Network.forward``.
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import GraphError
from nnsim.engine import reference as R
from nnsim.engine.layers.base import layer_kind
from nnsim.engine.layers.neuron import mp_weights
from nnsim.engine.resolved import ResolvedGraph, ResolvedNode

NUMPY_KINDS = ("Input", "Neuron", "MPNeuron", "Dense", "Activation", "Dropout", "Concatenate", "Add", "Flatten")


def unsupported_node(graph: ResolvedGraph) -> ResolvedNode | None:
    """The first node the NumPy pass can't run (a convolution, a recurrent layer...), if any."""
    for node in graph.nodes:
        flat = node.type in ("Input", "Flatten") or (
            all(len(s) == 1 for s in node.in_shapes) and len(node.out_shape) == 1)
        if node.type not in NUMPY_KINDS or not flat:
            return node
    return None


def node_weights(node: ResolvedNode, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The node's weight arrays by short name; fixed ones (McCulloch-Pitts) follow its params."""
    if node.type == "MPNeuron":
        w, b = mp_weights(node.params, sum(s[-1] for s in node.in_shapes), node.name)
        return {"weight": np.array([w]), "bias": np.array([b])}
    out = {}
    for spec in layer_kind(node.type).weight_specs(list(node.in_shapes), node.params):
        key = f"{node.name}/{spec.name}"
        if key not in weights or np.shape(weights[key]) != spec.shape:
            raise GraphError(f"There is no weight '{key}' of shape {spec.shape}: train or reset the network.",
                             node.name)
        out[spec.name] = np.asarray(weights[key], dtype=np.float64)
    return out


def numpy_forward(graph: ResolvedGraph, weights: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """Every node's output (n, features) for the rows ``x`` (n, inputs)."""
    bad = unsupported_node(graph)
    if bad is not None:
        raise GraphError(f"'{bad.name}' ({bad.type}) isn't a flat unit or dense layer, so this view can't "
                         f"evaluate it: it covers networks of {', '.join(NUMPY_KINDS[1:])} nodes.", bad.name)
    outs: dict[str, np.ndarray] = {graph.input: np.asarray(x, dtype=np.float64).reshape(len(x), -1)}
    for node in graph.nodes[1:]:
        outs[node.name] = _node_forward(node, [outs[i] for i in node.inputs], weights)
    return outs


def _node_forward(node: ResolvedNode, xs: list[np.ndarray], weights: dict[str, np.ndarray]) -> np.ndarray:
    p = node.params
    if node.type in ("Dropout", "Flatten"):
        return xs[0]  # rows are flat already; dropout passes values through in evaluation
    if node.type == "Add":
        return np.sum(xs, axis=0)
    if node.type == "Concatenate":
        return np.concatenate(xs, axis=1)
    if node.type == "Activation":
        return _activation(p["activation"], p, xs[0])
    w = node_weights(node, weights)
    z = R.dense_forward(np.concatenate(xs, axis=1), w["weight"], w.get("bias"))
    activation = "step" if node.type == "MPNeuron" else p["activation"]
    return _activation(activation, p, z)


def _activation(name: str, params: dict, z: np.ndarray) -> np.ndarray:
    if name == "softmax":
        return R.softmax_forward(z)
    if name == "rrelu":
        a, b = params.get("lower", 0.125), params.get("upper", 1 / 3)
    else:
        a, b = (params.get("slope", 0.01) if name == "leaky_relu" else params.get("alpha", 1.0)), 0.0
    return R.activation_forward(name, z, a, b)
