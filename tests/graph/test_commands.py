"""Every command round-trips: do, undo (graph as before), redo (graph as after)."""

from __future__ import annotations

import pytest

from nnsim.core.errors import GraphError
from nnsim.graph import Edge, UndoStack
from nnsim.graph import commands as c


def round_trip(graph, command):
    before = graph.to_dict()
    command.do()
    after = graph.to_dict()
    assert after != before
    command.undo()
    assert graph.to_dict() == before
    command.do()
    assert graph.to_dict() == after
    return after


def test_add_node_round_trip_keeps_id_and_name(mlp):
    command = c.AddNode(mlp, "Dense", params={"units": 2}, position=(3, 4))
    after = round_trip(mlp, command)
    assert after["nodes"][-1]["id"] == command.node_id and command.text == "Add Dense"


def test_remove_node_round_trip(branching):
    round_trip(branching, c.RemoveNode(branching, "a"))


def test_remove_node_restores_edge_order_into_merge(branching):
    before = [e.src for e in branching.inputs_of("c")]
    command = c.RemoveNode(branching, "a")
    command.do()
    assert "a" not in branching and not branching.edges_of("a")
    command.undo()
    assert [e.src for e in branching.inputs_of("c")] == before == ["a", "b"]


def test_connect_round_trip_and_text(mlp):
    mlp.add_node("Dense", "d", id="d")
    command = c.Connect(mlp, "o", "d")
    round_trip(mlp, command)
    assert command.text == "Connect out → d"


def test_disconnect_round_trip_restores_input_position(branching):
    round_trip(branching, c.Disconnect(branching, Edge("a", "c")))
    assert [e.src for e in branching.inputs_of("c")] == ["b"]


def test_set_param_round_trip(mlp):
    command = c.SetParam(mlp, "h", "activation", "tanh")
    round_trip(mlp, command)
    assert command.text == "Set activation of hidden1"


def test_set_param_of_shape_round_trip():
    from nnsim.graph import sequential
    g = sequential([("Input", {}), ("Reshape", {"shape": [2, 2]})])
    round_trip(g, c.SetParam(g, "n2", "shape", [4, 1]))


def test_move_round_trip(mlp):
    round_trip(mlp, c.Move(mlp, "h", (0.0, 0.0), (50.0, 60.0)))


def test_move_nodes_moves_several_in_one_step(mlp):
    command = c.MoveNodes(mlp, {"h": ((0, 0), (1, 1)), "o": ((0, 0), (2, 2))})
    round_trip(mlp, command)
    assert command.text == "Move 2 nodes"


def test_rename_round_trip(mlp):
    round_trip(mlp, c.Rename(mlp, "h", "encoder"))


def test_macro_round_trip(mlp):
    macro = c.Macro([c.AddNode(mlp, "Dense", "extra", node_id="x"), c.Connect(mlp, "o", "x"),
                     c.SetParam(mlp, "o", "units", 3)], "Tweak")
    round_trip(mlp, macro)


def test_failing_macro_leaves_graph_unchanged(mlp):
    before = mlp.to_dict()
    macro = c.Macro([c.SetParam(mlp, "h", "units", 3), c.Connect(mlp, "h", "h")], "Bad")
    with pytest.raises(GraphError):
        macro.do()
    assert mlp.to_dict() == before


def test_delete_selection_with_edge_between_selected_nodes(branching):
    round_trip(branching, c.remove_nodes(branching, ["a", "c", "b"]))


def test_undo_stack_push_undo_redo(mlp):
    stack = UndoStack()
    before = mlp.to_dict()
    stack.push(c.SetParam(mlp, "h", "units", 9))
    assert stack.can_undo() and not stack.can_redo() and stack.undo_text() == "Set units of hidden1"
    stack.undo()
    assert mlp.to_dict() == before and stack.can_redo()
    stack.redo()
    assert mlp.node("h").params["units"] == 9


def test_undo_stack_does_not_keep_a_refused_command(mlp):
    stack = UndoStack()
    with pytest.raises(GraphError):
        stack.push(c.Connect(mlp, "h", "h"))
    assert len(stack) == 0


def test_push_after_undo_drops_redo_tail(mlp):
    stack = UndoStack()
    stack.push(c.SetParam(mlp, "h", "units", 9))
    stack.undo()
    stack.push(c.SetParam(mlp, "h", "units", 7))
    assert not stack.can_redo() and len(stack) == 1


def test_clean_state_tracks_saved_point(mlp):
    stack = UndoStack()
    assert stack.is_clean()
    stack.push(c.Move(mlp, "h", (0, 0), (1, 1)))
    assert not stack.is_clean()
    stack.set_clean()
    stack.undo()
    assert not stack.is_clean()
    stack.redo()
    assert stack.is_clean()


def test_clean_state_unreachable_after_branching(mlp):
    stack = UndoStack()
    stack.push(c.Move(mlp, "h", (0, 0), (1, 1)))
    stack.set_clean()
    stack.undo()
    stack.push(c.Move(mlp, "h", (0, 0), (2, 2)))
    stack.undo()
    assert not stack.is_clean()


def test_undo_with_empty_stack_is_graph_error():
    with pytest.raises(GraphError, match="nothing to undo"):
        UndoStack().undo()
