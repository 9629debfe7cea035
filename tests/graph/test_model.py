"""Graph editing: nodes, names, params, positions, connections and events."""

from __future__ import annotations

import pytest

from nnsim.core.errors import GraphError
from nnsim.graph import Edge, Graph


def test_add_node_gives_unique_ids_and_names_from_the_type(graph):
    a, b = graph.add_node("Dense"), graph.add_node("Dense")
    assert (a.id, a.name, b.id, b.name) == ("n1", "dense1", "n2", "dense2")


def test_add_node_fills_default_params(graph):
    node = graph.add_node("Dense", params={"units": 3})
    assert node.params["units"] == 3 and node.params["activation"] == "relu"


def test_add_node_stores_position_as_float_tuple(graph):
    assert graph.add_node("Dense", position=[1, 2]).position == (1.0, 2.0)


def test_add_node_refuses_unknown_type(graph):
    with pytest.raises(GraphError, match="Unknown node type 'Dens'"):
        graph.add_node("Dens")


def test_add_node_refuses_bad_param_naming_node_and_range(graph):
    with pytest.raises(GraphError, match=r"'units' of 'h'.*minimum 1"):
        graph.add_node("Dense", "h", {"units": 0})


def test_add_node_refuses_duplicate_name(graph):
    graph.add_node("Dense", "h")
    with pytest.raises(GraphError, match="already a node named 'h'"):
        graph.add_node("Dense", "h")


def test_add_node_refuses_duplicate_id(graph):
    graph.add_node("Dense", id="x")
    with pytest.raises(GraphError, match="id 'x'"):
        graph.add_node("Dense", id="x")


def test_auto_ids_skip_ids_taken_explicitly(graph):
    graph.add_node("Dense", id="n1")
    assert graph.add_node("Dense").id == "n2"


def test_set_param_checks_value_and_returns_old(mlp):
    assert mlp.set_param("h", "units", 16) == 4
    assert mlp.node("h").params["units"] == 16


def test_set_param_refuses_out_of_range_naming_node_param_and_range(mlp):
    with pytest.raises(GraphError, match=r"Parameter 'units' of 'hidden1' is 0, below its minimum 1"):
        mlp.set_param("h", "units", 0)


def test_set_param_refuses_unknown_param(mlp):
    with pytest.raises(GraphError, match="Dense 'hidden1' has no parameter 'size'"):
        mlp.set_param("h", "size", 3)


def test_set_param_refuses_infinite_int_with_graph_error(mlp):
    with pytest.raises(GraphError, match="'units' of 'hidden1'"):
        mlp.set_param("h", "units", float("inf"))


def test_move_refuses_non_finite_position(mlp):
    with pytest.raises(GraphError, match="position of 'hidden1'"):
        mlp.move("h", (float("nan"), 0))


def test_rename_changes_name(mlp):
    mlp.rename("h", "encoder")
    assert mlp.node_by_name("encoder").id == "h"


def test_rename_refuses_name_in_use(mlp):
    with pytest.raises(GraphError, match="already a node named 'out'"):
        mlp.rename("h", "out")


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "a\nb"])
def test_rename_refuses_empty_long_or_control_names(mlp, bad):
    with pytest.raises(GraphError):
        mlp.rename("h", bad)


def test_lookup_of_missing_node_is_graph_error(mlp):
    with pytest.raises(GraphError):
        mlp.node("zzz")
    with pytest.raises(GraphError):
        mlp.node_by_name("zzz")


def test_remove_node_refuses_connected_node(mlp):
    with pytest.raises(GraphError, match="disconnect them"):
        mlp.remove_node("h")


def test_remove_node_removes_unconnected_node(mlp):
    mlp.disconnect(Edge("h", "o"))
    mlp.remove_node("o")
    assert "o" not in mlp


def test_connect_refuses_self_loop(mlp):
    with pytest.raises(GraphError, match="Dense 'hidden1' can't feed itself"):
        mlp.connect("h", "h")


def test_connect_refuses_cycle(graph):
    for nid in "abc":
        graph.add_node("Add", nid, id=nid)
    graph.connect("a", "b")
    graph.connect("b", "c")
    with pytest.raises(GraphError, match="Connecting 'c' to 'a' would make a loop"):
        graph.connect("c", "a")


def test_connect_refuses_duplicate_edge(branching):
    with pytest.raises(GraphError, match="'a' is already connected to 'cat'"):
        branching.connect("a", "c")


def test_connect_refuses_target_with_max_inputs(mlp):
    mlp.add_node("Input", "other", id="x")
    with pytest.raises(GraphError, match="Dense 'hidden1' takes one input and already gets one from "
                                         "'input': remove that connection first."):
        mlp.connect("x", "h")


def test_connect_refuses_into_input(mlp):
    with pytest.raises(GraphError, match="Input 'input' takes no inputs"):
        mlp.connect("o", "i")


def test_can_connect_says_why_or_none(mlp):
    assert mlp.can_connect("h", "h") is not None
    mlp.add_node("Dense", "free", id="f")
    assert mlp.can_connect("o", "f") is None


def test_connect_with_index_sets_input_order(branching):
    branching.add_node("Dense", "d", id="d")
    branching.connect("i", "d")
    branching.connect("d", "c", index=0)
    assert [e.src for e in branching.inputs_of("c")] == ["d", "a", "b"]


def test_topological_order_puts_input_first_and_inputs_before_users(branching):
    branching.add_node("Dense", "late_source", id="z")  # no inputs, added before nothing
    order = [n.id for n in branching.topological_order()]
    assert order[0] == "i"
    for edge in branching.edges:
        assert order.index(edge.src) < order.index(edge.dst)


def test_copy_is_independent(mlp):
    twin = mlp.copy()
    twin.set_param("h", "units", 99)
    assert mlp.node("h").params["units"] == 4 and twin.to_dict() != mlp.to_dict()


def test_nodes_mapping_is_read_only(mlp):
    with pytest.raises(TypeError):
        mlp.nodes["q"] = None  # type: ignore[index]


# --- events --------------------------------------------------------------------------------------

def _recorder(signal):
    calls = []
    signal.connect(lambda **kw: calls.append(kw))
    return calls


def test_events_fire_for_every_edit(graph):
    names = ["node_added", "node_removed", "edge_added", "edge_removed", "params_changed",
             "node_moved", "node_renamed", "changed"]
    calls = {n: _recorder(getattr(graph.events, n)) for n in names}
    a, b = graph.add_node("Input", id="a"), graph.add_node("Dense", id="b")
    edge = graph.connect("a", "b")
    graph.set_param("b", "units", 3)
    graph.move("b", (5, 5))
    graph.rename("b", "hidden")
    graph.disconnect(edge)
    graph.remove_node("b")
    assert calls["node_added"] == [{"node": a}, {"node": b}]
    assert calls["edge_added"] == [{"edge": edge}] and calls["edge_removed"] == [{"edge": edge}]
    assert calls["params_changed"] == [{"node": b, "name": "units"}]
    assert calls["node_moved"] == [{"node": b}]
    assert calls["node_renamed"] == [{"node": b, "old_name": "dense1"}]
    assert calls["node_removed"] == [{"node": b}]
    assert len(calls["changed"]) == 8


def test_blocker_silences_an_event(mlp):
    calls = _recorder(mlp.events.params_changed)
    with mlp.events.params_changed.blocker():
        mlp.set_param("h", "units", 5)
    assert calls == [] and mlp.node("h").params["units"] == 5


def test_refused_edit_fires_nothing(mlp):
    calls = _recorder(mlp.events.changed)
    with pytest.raises(GraphError):
        mlp.connect("h", "h")
    assert calls == []
