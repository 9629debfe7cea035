"""Edge weights and truth tables of neuron-level networks (what the canvas and the truth-table view show)."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError
from nnsim.graph import Graph
from nnsim.project import Project
from nnsim.training.units import (edge_weights, truth_table, truth_table_problem, unit_bias, with_values)


def resolved(project: Project):
    return project.graph.resolve(tuple(project.load_dataset().input_shape))


def mp_xor_project() -> Project:
    graph = Graph()
    ids = {name: graph.add_node(t, name, p).id for name, t, p in (
        ("input", "Input", {}), ("a", "MPNeuron", {"inhibitory": "2"}), ("b", "MPNeuron", {"inhibitory": "1"}),
        ("out", "MPNeuron", {}))}
    for src, dst in (("input", "a"), ("input", "b"), ("a", "out"), ("b", "out")):
        graph.connect(ids[src], ids[dst])
    return Project(graph, {"name": "xor", "params": {}}, {"epochs": 0})


def test_and_gate_edge_carries_its_two_named_weights_and_the_bias():
    p = Project.example("and-gate")
    g = resolved(p)
    edges = edge_weights(g, p.weights, p.load_dataset().feature_names)
    edge = edges[("input", "output")]
    assert edge.values == (1.0, 1.0) and edge.labels == ("a", "b") and not edge.fixed
    assert edge.positions == ((0, 0), (0, 1)) and edge.key == "output/weight"
    assert unit_bias(g, p.weights, "output") == -1.5


def test_mp_edges_are_fixed_and_follow_the_inhibitory_list():
    p = mp_xor_project()
    edges = edge_weights(resolved(p), {})
    a = edges[("input", "a")]
    assert a.fixed and a.values[0] == 1.0 and a.values[1] < -2  # input 2 inhibits a
    assert edges[("a", "out")].values == (1.0,) and edges[("a", "out")].labels == ("a",)


def test_small_dense_edges_list_every_weight_and_big_ones_are_left_out():
    graph = Graph()
    i, d, o = (graph.add_node(t, n, prm).id for t, n, prm in (
        ("Input", "input", {}), ("Dense", "d", {"units": 3}), ("Dense", "o", {"units": 20})))
    graph.connect(i, d)
    graph.connect(d, o)
    p = Project(graph, {"name": "xor", "params": {}})
    edges = edge_weights(resolved(p), p.network_weights())
    assert set(edges) == {("input", "d")}  # 3 x 20 weights into 'o' are too many to list
    assert len(edges[("input", "d")].values) == 6 and edges[("input", "d")].labels[1] == "unit 1 ← x2"


def test_with_values_changes_a_copy():
    w = {"n/weight": np.zeros((1, 2))}
    out = with_values(w, {"n/weight": {(0, 1): 2.5}})
    assert out["n/weight"].tolist() == [[0.0, 2.5]] and w["n/weight"].tolist() == [[0.0, 0.0]]
    with pytest.raises(GraphError, match="no weight 'm/weight'"):
        with_values(w, {"m/weight": {(0, 0): 1.0}})


@pytest.mark.parametrize("example, outputs", [("and-gate", [0, 0, 0, 1]), ("or-gate", [0, 1, 1, 1])])
def test_gate_truth_tables_list_every_row_right(example, outputs):
    p = Project.example(example)
    t = truth_table(resolved(p), p.weights, p.load_dataset())
    assert t.inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and t.feature_names == ["a", "b"]
    assert t.outputs[:, 0].tolist() == outputs and t.targets.tolist() == outputs
    assert t.correct.all() and t.units == {}


def test_xor_neurons_table_shows_the_hidden_units_and_marks_wrong_rows():
    p = Project.example("xor-neurons")
    g = resolved(p)
    untrained = truth_table(g, p.network_weights(), p.load_dataset())
    assert list(untrained.units) == ["h1", "h2"] and untrained.units["h1"].shape == (4,)
    assert not untrained.correct.all()  # fresh weights get XOR wrong somewhere
    trainer = p.trainer()
    trainer.run(1000)
    p.capture(trainer)
    trained = truth_table(g, p.weights, p.load_dataset())
    assert trained.predicted.tolist() == [0, 1, 1, 0] and trained.correct.all()


def test_bipolar_gates_use_minus_one_and_one():
    p = Project.example("or-gate")
    p.set_dataset({"name": "or", "params": {"encoding": "bipolar"}})
    t = truth_table(resolved(p), p.weights, p.load_dataset())
    assert t.inputs.tolist() == [[-1, -1], [-1, 1], [1, -1], [1, 1]] and t.targets.tolist() == [0, 1, 1, 1]


def test_mp_xor_truth_table():
    p = mp_xor_project()
    t = truth_table(resolved(p), {}, p.load_dataset())
    assert t.outputs[:, 0].tolist() == [0, 1, 1, 0] and t.correct.all()
    assert t.units["a"].tolist() == [0, 0, 1, 0]


def test_where_a_truth_table_does_not_apply_it_says_why():
    spiral = Project.example("spiral")
    assert "binary inputs" in truth_table_problem(resolved(spiral), spiral.load_dataset())
    assert "valid network" in truth_table_problem(None, None)


def test_network_weights_are_the_saved_ones_or_the_seeded_start():
    p = Project.example("xor-neurons")
    start = p.network_weights()
    assert np.array_equal(start["h1/weight"], p.build_network().get_weights()["h1/weight"])
    p.weights = {**start, "h1/weight": np.array([[9.0, 9.0]], dtype=np.float32)}
    assert p.network_weights()["h1/weight"].tolist() == [[9.0, 9.0]]
    p.weights = {"h1/weight": np.zeros((1, 5))}  # no longer fits: the seeded start again
    assert np.array_equal(p.network_weights()["h1/weight"], start["h1/weight"])


def test_decision_lines_of_units_reading_the_plane():
    from nnsim.training.units import decision_lines

    p = Project.example("and-gate")
    (line,) = decision_lines(resolved(p), p.weights)
    assert (line.unit, line.w1, line.w2, line.b) == ("output", 1.0, 1.0, -1.5)
    xor = Project.example("xor-neurons")
    assert [x.unit for x in decision_lines(resolved(xor), xor.network_weights())] == ["h1", "h2"]  # not the output
