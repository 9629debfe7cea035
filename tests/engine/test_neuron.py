"""Neuron and MPNeuron: shapes, wiring errors, edge weights, gradient checks, truth tables, files."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError
from nnsim.engine.layers.neuron import edge_weight_slices
from nnsim.engine.network import Network
from nnsim.engine.truth_table import truth_table
from nnsim.graph import Graph
from nnsim.project import Project

from .chain import resolved
from .test_gradcheck import data, gradcheck


def units(input_shape, nodes):
    """A float64 network of units; ``nodes`` as for :func:`resolved`."""
    return Network(resolved(input_shape, nodes), "mse", max_batch=16, dtype=np.float64)


def xor_graph() -> Graph:
    graph = Graph()
    ids = {name: graph.add_node(t, name, p).id for name, t, p in (
        ("input", "Input", {}), ("h1", "Neuron", {}), ("h2", "Neuron", {}), ("out", "Neuron", {}))}
    for src, dst in (("input", "h1"), ("input", "h2"), ("h1", "out"), ("h2", "out")):
        graph.connect(ids[src], ids[dst])
    return graph


# --- shapes and wiring ------------------------------------------------------------------------------
def test_a_neuron_outputs_one_value_with_one_weight_per_incoming_feature():
    net = units((3,), [("a", "Neuron", {}, ["in"]), ("b", "Neuron", {}, ["in"]), ("c", "Neuron", {}, ["a", "b", "in"])])
    assert net.output_shape == (1,)
    weights = net.get_weights()
    assert weights["a/weight"].shape == (1, 3) and weights["a/bias"].shape == (1,)
    assert weights["c/weight"].shape == (1, 5)  # a, b, then the 3 input features


def test_edge_weight_slices_map_each_edge_to_its_columns():
    graph = resolved((3,), [("a", "Neuron", {}, ["in"]), ("b", "Neuron", {}, ["in"]),
                            ("c", "Neuron", {}, ["a", "in", "b"])])
    assert edge_weight_slices(graph, "c") == [("a", slice(0, 1)), ("in", slice(1, 4)), ("b", slice(4, 5))]


def test_neuron_computes_the_weighted_sum_of_its_edges_in_order():
    net = units((2,), [("a", "Neuron", {"activation": "identity"}, ["in"]),
                       ("c", "Neuron", {"activation": "identity"}, ["in", "a"])])
    net.set_weights({"a/weight": [[1.0, 2.0]], "a/bias": [0.5], "c/weight": [[3.0, -1.0, 10.0]], "c/bias": [-2.0]})
    x = np.array([[1.0, 0.25]])
    a = 1.0 + 0.5 + 0.5
    np.testing.assert_allclose(net.forward(x), [[3.0 - 0.25 + 10.0 * a - 2.0]])


def test_neurons_mix_with_layers():
    net = units((4,), [("d", "Dense", {"units": 3}, ["in"]), ("n", "Neuron", {}, ["d", "in"])])
    assert net.get_weights()["n/weight"].shape == (1, 7)


def test_a_neuron_fed_an_image_asks_for_flatten():
    graph = Graph()
    i = graph.add_node("Input", "input")
    n = graph.add_node("Neuron", "unit", id="n")
    graph.connect(i.id, n.id)
    problems = [p.message for p in graph.validate((1, 4, 4))]
    assert "Neuron 'unit' needs a flat input but gets 1x4x4 from 'input': add a Flatten node." in problems


def test_mp_neuron_refuses_an_inhibitory_position_it_does_not_have():
    graph = Graph()
    i = graph.add_node("Input", "input")
    m = graph.add_node("MPNeuron", "mp", {"inhibitory": "3"})
    graph.connect(i.id, m.id)
    assert [p.message for p in graph.validate((2,))] == [
        "MPNeuron 'mp' lists inhibitory input '3' but has inputs 1 to 2: list positions from 1 to 2, "
        "separated by commas."]


# --- gradients ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity", "relu"])
def test_neuron_gradients_match_central_differences(activation):
    graph = resolved((3,), [("a", "Neuron", {"activation": activation}, ["in"]),
                            ("b", "Neuron", {"activation": "tanh"}, ["in"]),
                            ("c", "Neuron", {"activation": activation}, ["a", "b", "in"])])
    x, y = data(6, (3,), (1,), seed=1)

    def clear_of_kinks(net):  # relu: large biases keep every pre-activation far from 0
        for key in ("a/bias", "c/bias"):
            net.weight_view(key)[:] = 4.0 if activation == "relu" else 0.1

    gradcheck(graph, "mse", x, y, setup=clear_of_kinks, seed=2)


def test_step_and_sign_neurons_have_zero_gradient():
    for activation in ("step", "sign"):
        net = units((2,), [("a", "Neuron", {"activation": activation}, ["in"])])
        net.gradients(np.ones((2, 2)), np.full((2, 1), 5.0))
        assert all(not g.any() for g in net.get_gradients().values())


# --- McCulloch-Pitts units and truth tables -----------------------------------------------------------
def mp_table(params, n_inputs=2):
    net = units((n_inputs,), [("mp", "MPNeuron", params, ["in"])])
    x, out = truth_table(net)
    return x.astype(int).tolist(), out.ravel().astype(int).tolist()


def test_truth_table_rows_count_in_binary():
    x, _ = mp_table({"threshold": 2})
    assert x == [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize("params, n, expected", [
    ({"threshold": 2}, 2, [0, 0, 0, 1]),                      # AND
    ({"threshold": 1}, 2, [0, 1, 1, 1]),                      # OR
    ({"threshold": 0, "inhibitory": "1"}, 1, [1, 0]),         # NOT: an inhibitory input alone
    ({"threshold": 1, "inhibitory": "2"}, 2, [0, 0, 1, 0]),   # a AND NOT b: b vetoes
    ({"threshold": 1, "inhibitory": "3"}, 3, [0, 0, 1, 0, 1, 0, 1, 0]),  # any active inhibitor forces 0
], ids=["and", "or", "not", "inhibited", "veto-beats-two-excitatory"])
def test_mp_truth_tables(params, n, expected):
    assert mp_table(params, n)[1] == expected


def test_truth_table_of_three_mp_units_gives_xor():
    net = units((2,), [("a_not_b", "MPNeuron", {"threshold": 1, "inhibitory": "2"}, ["in"]),
                       ("b_not_a", "MPNeuron", {"threshold": 1, "inhibitory": "1"}, ["in"]),
                       ("or", "MPNeuron", {"threshold": 1}, ["a_not_b", "b_not_a"])])
    assert truth_table(net)[1].ravel().tolist() == [0, 1, 1, 0]


def test_mp_weights_follow_the_params_not_training_or_files():
    net = units((2,), [("mp", "MPNeuron", {"threshold": 2}, ["in"])])
    before = net.get_weights()
    net.set_weights({"mp/weight": [[5.0, 5.0]], "mp/bias": [0.0]})
    assert net.parameter_count == 0
    for key, value in before.items():
        np.testing.assert_array_equal(net.get_weights()[key], value)


def test_truth_table_refuses_too_many_inputs():
    net = units((13,), [("n", "Neuron", {}, ["in"])])
    with pytest.raises(GraphError, match="at most 12 inputs"):
        truth_table(net)


# --- files ------------------------------------------------------------------------------------------
def test_neurons_and_mp_units_survive_the_project_file(tmp_path):
    graph = xor_graph()
    graph.set_param(graph.node_by_name("h1").id, "activation", "tanh")
    graph.set_param(graph.node_by_name("h2").id, "use_bias", False)
    graph.set_param(graph.node_by_name("out").id, "init", "he_normal")
    mp = graph.add_node("MPNeuron", "mp", {"threshold": 1.5, "inhibitory": "1"})
    graph.connect(graph.node_by_name("input").id, mp.id)
    graph.connect(mp.id, graph.node_by_name("out").id)
    project = Project(graph, {"name": "xor", "params": {}}, {"epochs": 2, "batch_size": 0})
    trainer = project.trainer()
    trainer.run()
    project.capture(trainer)
    project.save(tmp_path / "units.nnsim")
    loaded = Project.load(tmp_path / "units.nnsim")
    assert loaded.graph.to_dict() == project.graph.to_dict()
    assert loaded.graph.node_by_name("mp").params == {"threshold": 1.5, "inhibitory": "1"}
    assert "h2/bias" not in loaded.weights
    x = project.load_dataset().x_test
    np.testing.assert_array_equal(loaded.build_network().forward(x), trainer.net.forward(x))
