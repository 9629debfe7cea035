"""Shape inference through every built-in kind, and parameter counts."""

from __future__ import annotations

from nnsim.graph import Graph, sequential


def chain_shapes(layers, shape):
    graph = sequential([("Input", {})] + layers)
    inferred = graph.infer_shapes(shape)
    return [inferred[n.id] for n in graph.topological_order()]


def test_dense_outputs_its_units():
    assert chain_shapes([("Dense", {"units": 7})], (3,))[-1] == (7,)


def test_flatten_then_dense():
    assert chain_shapes([("Flatten", {}), ("Dense", {"units": 2})], (1, 8, 8)) == [(1, 8, 8), (64,), (2,)]


def test_reshape_then_flatten():
    assert chain_shapes([("Reshape", {"shape": [4, 4, 4]}), ("Flatten", {})], (64,)) == [(64,), (4, 4, 4), (64,)]


def test_batchnorm_dropout_activation_keep_shape():
    layers = [("Dense", {"units": 5}), ("BatchNorm", {}), ("Dropout", {"rate": 0.2}),
              ("Activation", {"activation": "tanh"})]
    assert chain_shapes(layers, (3,)) == [(3,), (5,), (5,), (5,), (5,)]


def test_concatenate_adds_feature_counts(branching):
    assert branching.infer_shapes((4,)) == {"i": (4,), "a": (3,), "b": (5,), "c": (8,), "o": (2,)}


def test_add_merge_of_equal_shapes():
    g = Graph()
    g.add_node("Input", "input", id="i")
    g.add_node("Dense", "a", {"units": 6}, id="a")
    g.add_node("Add", "res", id="r")
    g.connect("i", "a")
    g.connect("a", "r")
    g.connect("i", "r")
    assert g.infer_shapes((6,))["r"] == (6,)


def test_shape_is_none_downstream_of_a_refusing_node(mlp):
    shapes = mlp.infer_shapes((2, 3, 4))  # an image: Dense refuses it (a sequence (T, F) it would take)
    assert shapes == {"i": (2, 3, 4), "h": None, "o": None}


def test_shape_is_none_for_unconnected_node(mlp):
    mlp.add_node("Dense", "free", id="f")
    assert mlp.infer_shapes((4,))["f"] is None


def test_reshape_with_wrong_count_is_reported():
    graph = sequential([("Input", {}), ("Reshape", {"shape": [3, 3]})], names=["input", "r"])
    assert any("Reshape 'r' can't turn 10" in p.message for p in graph.validate((10,)))


def test_param_counts_of_dense_layers(mlp):
    assert mlp.param_counts((4,)) == {"i": 0, "h": 4 * 4 + 4, "o": 4 + 1}


def test_param_counts_omit_nodes_of_unknown_shape(mlp):
    assert mlp.param_counts((2, 3, 4)) == {"i": 0}
