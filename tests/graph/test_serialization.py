"""to_dict / from_dict: a round trip, and untrusted input refused with GraphError only."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsim.core.errors import GraphError
from nnsim.graph import Graph


def test_round_trip_preserves_everything(branching):
    branching.move("a", (10.5, -3))
    data = branching.to_dict()
    assert Graph.from_dict(data).to_dict() == data


def test_to_dict_is_plain_json(branching):
    data = branching.to_dict()
    assert json.loads(json.dumps(data)) == data


def test_to_dict_keeps_file_format_shape(mlp):
    node = mlp.to_dict()["nodes"][0]
    assert set(node) == {"id", "type", "name", "params", "position"} and node["position"] == [0.0, 0.0]
    assert mlp.to_dict()["edges"][0] == {"src": "i", "dst": "h"}


def test_from_dict_then_add_node_picks_a_free_id():
    loaded = Graph.from_dict({"nodes": [{"id": "n1", "type": "Input", "name": "input"}], "edges": []})
    assert loaded.add_node("Dense").id == "n2"


def test_from_dict_refuses_a_loop_naming_a_node():
    data = {"nodes": [{"id": x, "type": "Add", "name": x} for x in "ab"],
            "edges": [{"src": "a", "dst": "b"}, {"src": "b", "dst": "a"}]}
    with pytest.raises(GraphError, match="part of a loop"):
        Graph.from_dict(data)


def node(nid="a", type="Dense", name="a", **extra):
    return {"id": nid, "type": type, "name": name, "params": {}, "position": [0, 0]} | extra


@pytest.mark.parametrize("data, words", [
    ([], "mapping"),
    ({"nodes": {}}, "'nodes' must be a list"),
    ({"nodes": [3]}, "Node 1"),
    ({"nodes": [node(nid=5)]}, "text 'id'"),
    ({"nodes": [node(type="Conv9")]}, "Unknown node type 'Conv9'"),
    ({"nodes": [node(), node(name="b")]}, "share the id 'a'"),
    ({"nodes": [node(), node(nid="b")]}, "already a node named 'a'"),
    ({"nodes": [node()], "edges": [{"src": "a", "dst": "zz"}]}, "missing node 'zz'"),
    ({"nodes": [node()], "edges": [{"src": "a"}]}, "Connection 1"),
    ({"nodes": [node(params={"units": -1})]}, "minimum 1"),
    ({"nodes": [node(params={"units": float("inf")})]}, "'a'"),
    ({"nodes": [node(params={"units": 10 ** 5000})]}, "'a'"),
    ({"nodes": [node(params={"bogus": 1})]}, "no parameter 'bogus'"),
    ({"nodes": [node(position=[1])]}, "position of 'a'"),
    ({"nodes": [node(type="Input")] * 10_001}, "more than the 10000 allowed"),
    ({"nodes": [node(), node(nid="b", name="b")], "edges": [{"src": "a", "dst": "b"}] * 2}, "already connected"),
])
def test_from_dict_refuses_bad_input_with_one_sentence(data, words):
    with pytest.raises(GraphError, match=words):
        Graph.from_dict(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
type_names = st.sampled_from(["Input", "Dense", "Add", "Concatenate", "Reshape", "Flatten", "Nope"])
ids = st.sampled_from(["a", "b", "c", ""]) | st.integers(0, 2)
params = st.dictionaries(st.sampled_from(["units", "activation", "shape", "rate", "axis", "x"]), json_values,
                         max_size=3)
nodes = st.fixed_dictionaries({"id": ids, "type": type_names, "name": ids, "params": params | json_values,
                               "position": json_values | st.lists(st.floats(), min_size=2, max_size=2)})
edges = st.fixed_dictionaries({"src": ids, "dst": ids}) | json_values
graphs = st.fixed_dictionaries({"nodes": st.lists(nodes, max_size=5) | json_values,
                                "edges": st.lists(edges, max_size=6) | json_values}) | json_values


@settings(max_examples=200, deadline=None)
@given(graphs)
def test_from_dict_raises_only_graph_error_on_random_json(data):
    try:
        graph = Graph.from_dict(data)
    except GraphError as err:
        assert str(err).endswith(".") and "\n" not in str(err)
    else:
        assert Graph.from_dict(graph.to_dict()).to_dict() == graph.to_dict()
        graph.validate((3,))
