"""The NumPy forward pass the GUI uses for small flat networks agrees with the compiled engine."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError
from nnsim.engine.network import Network
from nnsim.engine.numpy_forward import numpy_forward, unsupported_node

from .chain import chain, resolved

NETWORKS = {
    "units": ((2,), [("h1", "Neuron", {"activation": "tanh"}, ["in"]), ("h2", "Neuron", {"activation": "relu"}, ["in"]),
                     ("out", "Neuron", {"activation": "sigmoid"}, ["h1", "in", "h2"])]),
    "mp-xor": ((2,), [("a", "MPNeuron", {"threshold": 1.0, "inhibitory": "2"}, ["in"]),
                      ("b", "MPNeuron", {"threshold": 1.0, "inhibitory": "1"}, ["in"]),
                      ("out", "MPNeuron", {"threshold": 1.0}, ["a", "b"])]),
    "mixed": ((3,), [("d", "Dense", {"units": 4, "activation": "leaky_relu"}, ["in"]),
                     ("drop", "Dropout", {}, ["d"]), ("n", "Neuron", {"activation": "sign"}, ["drop", "in"]),
                     ("m", "Neuron", {"activation": "identity", "use_bias": False}, ["in"]),
                     ("sum", "Add", {}, ["n", "m"]), ("cat", "Concatenate", {}, ["sum", "d"]),
                     ("act", "Activation", {"activation": "elu"}, ["cat"]),
                     ("out", "Dense", {"units": 3, "activation": "softmax"}, ["act"])]),
}


@pytest.mark.parametrize("name", NETWORKS)
def test_every_node_matches_the_compiled_engine(name):
    shape, nodes = NETWORKS[name]
    graph = resolved(shape, nodes)
    net = Network(graph, "mse", max_batch=16, dtype=np.float64, seed=3)
    x = np.random.default_rng(1).integers(0, 2, size=(8,) + shape).astype(np.float64)
    x[:, 0] += 0.3  # not only binary values
    expected = net.forward(x)
    outs = numpy_forward(graph, net.get_weights(), x)
    np.testing.assert_allclose(outs[graph.output], expected.reshape(len(x), -1), atol=1e-12)
    for node in graph.nodes[1:]:
        np.testing.assert_allclose(outs[node.name], net.buffer_rows(node.name, len(x)).reshape(len(x), -1),
                                   atol=1e-12, err_msg=node.name)


def test_mp_units_use_their_fixed_weights_not_the_given_ones():
    shape, nodes = NETWORKS["mp-xor"]
    graph = resolved(shape, nodes)
    outs = numpy_forward(graph, {}, np.array([[0, 0], [0, 1], [1, 0], [1, 1]]))
    assert outs["out"].ravel().tolist() == [0, 1, 1, 0]


def test_missing_weights_are_refused_in_one_sentence():
    graph = resolved((2,), [("n", "Neuron", {}, ["in"])])
    with pytest.raises(GraphError, match="There is no weight 'n/weight'"):
        numpy_forward(graph, {}, np.zeros((1, 2)))


def test_convolutions_are_not_evaluated():
    graph = chain((1, 6, 6), [("Conv2D", {"filters": 2}), ("Flatten", {}), ("Dense", {"units": 1})])
    assert unsupported_node(graph).type == "Conv2D"
    with pytest.raises(GraphError, match="isn't a flat unit or dense layer"):
        numpy_forward(graph, {}, np.zeros((1, 36)))
