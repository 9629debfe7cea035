"""Copy and paste of nodes with the edges between them."""

from __future__ import annotations

import pytest

from nnsim.core.errors import GraphError
from nnsim.graph import copy_nodes, paste_nodes


def test_copy_keeps_only_edges_between_chosen_nodes(branching):
    data = copy_nodes(branching, ["a", "c"])
    assert [n["name"] for n in data["nodes"]] == ["a", "cat"]
    assert data["edges"] == [{"src": "a", "dst": "c"}]


def test_paste_adds_copies_with_new_ids_unique_names_and_offset(branching):
    branching.move("a", (100, 50))
    paste_nodes(branching, copy_nodes(branching, ["a", "c"]), offset=(20, 20)).do()
    assert len(branching) == 7
    copy_a = branching.node_by_name("a1")
    assert copy_a.id not in {"a", "c"} and copy_a.position == (120.0, 70.0)
    assert [e.src for e in branching.inputs_of(branching.node_by_name("cat1").id)] == [copy_a.id]


def test_paste_keeps_free_names(mlp, graph):
    paste_nodes(graph, copy_nodes(mlp, ["h"])).do()
    assert graph.node_by_name("hidden1")


def test_paste_is_one_undoable_step(branching):
    before = branching.to_dict()
    macro = paste_nodes(branching, copy_nodes(branching, ["a", "b", "c"]))
    macro.do()
    macro.undo()
    assert branching.to_dict() == before and macro.text == "Paste 3 nodes"


def test_paste_of_garbage_is_graph_error(mlp):
    with pytest.raises(GraphError):
        paste_nodes(mlp, {"nodes": [{"id": 1}]})
    with pytest.raises(GraphError, match="no nodes"):
        paste_nodes(mlp, {"nodes": [], "edges": []})
