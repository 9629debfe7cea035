"""Every validation message names the node and the fix; resolve() hands the compiler a clean graph."""

from __future__ import annotations

import pytest

from nnsim.core.errors import GraphError
from nnsim.engine.resolved import ResolvedGraph
from nnsim.graph import Edge, Graph, Problem


def messages(graph: Graph, shape=(4,)) -> list[str]:
    return [p.message for p in graph.validate(shape)]


def test_valid_network_has_no_problems(mlp, branching):
    assert mlp.validate((4,)) == [] and branching.validate((4,)) == []


def test_missing_input_is_reported(graph):
    graph.add_node("Dense", "d")
    assert graph.validate()[0] == Problem(None, "The network needs an Input node: drag one from the palette.")


def test_two_inputs_are_reported_with_their_names(mlp):
    mlp.add_node("Input", "second")
    assert any("2 Input nodes ('input' and 'second'): delete all but one" in m for m in messages(mlp))


def test_unconnected_input_names_node_and_fix(mlp):
    mlp.add_node("Dense", "hidden2", id="x")
    assert Problem("x", "Dense 'hidden2' has no input: connect a node to it.") in mlp.validate((4,))


def test_merge_with_too_few_inputs_asks_for_another(mlp):
    mlp.add_node("Add", "sum", id="s")
    mlp.connect("o", "s")
    assert Problem("s", "Add 'sum' needs at least 2 inputs but gets 1: connect another node to it.") \
        in mlp.validate((4,))


def test_node_not_reachable_from_input_is_reported(mlp):
    mlp.add_node("Dense", "d1", id="d1")
    mlp.add_node("Dense", "d2", id="d2")
    mlp.connect("d1", "d2")
    problems = {p.node_id: p.message for p in mlp.validate((4,))}
    assert problems["d2"] == "Dense 'd2' is not connected to the Input node: connect it to the network or delete it."


def test_two_sinks_name_both_and_the_fix(mlp):
    mlp.add_node("Dense", "side")
    mlp.connect("h", mlp.node_by_name("side").id)
    assert "Nodes 'out' and 'side' both end the network: connect them or delete one." in messages(mlp)


def test_three_sinks_name_all(mlp):
    for name in ("s1", "s2"):
        node = mlp.add_node("Dense", name)
        mlp.connect("h", node.id)
    assert "Nodes 'out', 's1' and 's2' all end the network: connect them or delete all but one." in messages(mlp)


def test_lonely_input_leads_nowhere(graph):
    graph.add_node("Input", "input")
    assert messages(graph) == ["Input 'input' leads nowhere: add a layer after it."]


def test_loop_made_behind_the_graphs_back_is_reported(mlp):
    edge = Edge("o", "h")  # only a corrupt edit can do this
    mlp._edges.append(edge)
    mlp._in["h"].append(edge)
    mlp._out["o"].append(edge)
    assert any("part of a loop" in m and "remove a connection" in m for m in messages(mlp))


def test_param_problem_names_node_param_and_range(mlp):
    mlp.node("h").params["units"] = -3  # bypassing set_param, as a bad plugin might
    assert any("'units' of 'hidden1' is -3, below its minimum 1: raise it" in m for m in messages(mlp))


def test_shape_problem_suggests_flatten(mlp):
    problems = mlp.validate((8, 6, 6))
    assert problems == [Problem("h", "Dense 'hidden1' needs a flat input but gets 8x6x6 from 'input': "
                                     "add a Flatten node.")]


def test_shape_problem_of_add_names_both_sources(branching):
    cat = branching.node("c")
    branching.disconnect(Edge("c", "o"))
    branching.disconnect(Edge("a", "c"))
    branching.disconnect(Edge("b", "c"))
    branching.remove_node(cat.id)
    branching.add_node("Add", "sum", id="s")
    branching.connect("a", "s")
    branching.connect("b", "s")
    branching.connect("s", "o")
    assert any("Add 'sum' needs inputs of one shape but gets 3 from 'a' and 5 from 'b'" in m
               for m in messages(branching))


def test_bad_sample_shape_is_a_problem_not_a_crash(mlp):
    assert any("sample shape" in m for m in messages(mlp, shape=(0,)))


def test_validate_without_shape_skips_shape_checks(mlp):
    assert mlp.validate() == [] and mlp.validate(None) == []


def test_resolve_returns_nodes_in_topological_order_with_input_first(branching):
    resolved = branching.resolve((4,))
    assert isinstance(resolved, ResolvedGraph)
    assert [n.name for n in resolved.nodes] == ["input", "a", "b", "cat", "out"]
    assert (resolved.input, resolved.output) == ("input", "out")


def test_resolve_gives_names_in_edge_order_and_shapes(branching):
    cat = branching.resolve((4,)).node("cat")
    assert cat.inputs == ("a", "b") and cat.in_shapes == ((3,), (5,)) and cat.out_shape == (8,)


def test_resolve_gives_complete_params(mlp):
    node = mlp.resolve((4,)).node("hidden1")
    assert node.params["units"] == 4 and node.params["init"] == "glorot_uniform"
    assert mlp.resolve((4,)).node("input").out_shape == (4,)


def test_resolved_params_are_a_copy(mlp):
    mlp.resolve((4,)).node("hidden1").params["units"] = 100
    assert mlp.node("h").params["units"] == 4


def test_resolve_raises_first_problem_with_node_name(mlp):
    with pytest.raises(GraphError, match="add a Flatten node") as info:
        mlp.resolve((2, 3, 4))
    assert info.value.node == "hidden1"
