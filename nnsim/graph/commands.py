"""Undoable edits. Each command only calls :class:`Graph` methods; views follow the graph's events.

The GUI wraps these in a QUndoStack (``redo`` -> ``do``); :class:`UndoStack` does the same job
headless. A command's first ``do`` may raise GraphError, in which case nothing changed and it must
not be pushed. Compound commands (RemoveNode, Macro) own child commands and undo them in reverse.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from nnsim.core.errors import GraphError
from nnsim.graph.checks import Position
from nnsim.graph.model import Edge, Graph


class Command:
    """Base: ``text`` is what the Edit menu shows after "Undo"."""

    text = ""

    def do(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError


class AddNode(Command):
    """Add a node; redo re-creates it with the same id and name so later commands still apply."""

    def __init__(self, graph: Graph, type: str, name: str | None = None,
                 params: dict[str, Any] | None = None, position: Position = (0.0, 0.0),
                 node_id: str | None = None):
        self.graph, self.type, self.name = graph, type, name
        self.params, self.position, self.node_id = params, position, node_id
        self.text = f"Add {type}"

    def do(self) -> None:
        node = self.graph.add_node(self.type, self.name, self.params, self.position, id=self.node_id)
        self.node_id, self.name, self.params = node.id, node.name, dict(node.params)

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


class Connect(Command):
    def __init__(self, graph: Graph, src_id: str, dst_id: str, index: int | None = None):
        self.graph, self.edge, self.index = graph, Edge(src_id, dst_id), index
        self.text = f"Connect {_name(graph, src_id)} → {_name(graph, dst_id)}"

    def do(self) -> None:
        self.graph.connect(self.edge.src, self.edge.dst, self.index)

    def undo(self) -> None:
        self.graph.disconnect(self.edge)


class Disconnect(Command):
    """Remove an edge, remembering its place among the target's inputs (Concatenate order)."""

    def __init__(self, graph: Graph, edge: Edge):
        self.graph, self.edge, self.index = graph, edge, None
        self.text = f"Disconnect {_name(graph, edge.src)} → {_name(graph, edge.dst)}"

    def do(self) -> None:
        if self.edge not in self.graph.edges:
            raise GraphError(f"There is no connection from {self.edge.src!r} to {self.edge.dst!r}.")
        self.index = self.graph.input_index(self.edge)
        self.graph.disconnect(self.edge)

    def undo(self) -> None:
        self.graph.connect(self.edge.src, self.edge.dst, self.index)


class RemoveNode(Command):
    """Disconnect every edge of the node (child commands), then remove it; undo restores all."""

    def __init__(self, graph: Graph, node_id: str):
        self.graph, self.node_id = graph, node_id
        self.text = f"Delete {_name(graph, node_id)}"
        self.snapshot: dict[str, Any] = {}
        self.children: list[Command] = []

    def do(self) -> None:
        node = self.graph.node(self.node_id)
        self.snapshot = {"type": node.type, "name": node.name, "params": dict(node.params),
                         "position": node.position, "index": self.graph.node_index(self.node_id)}
        # Children are built now, not at construction: in a Macro deleting several nodes, an edge
        # between two of them is gone by the time the second RemoveNode runs.
        self.children = [Disconnect(self.graph, e) for e in self.graph.edges_of(self.node_id)]
        _do_all(self.children)
        self.graph.remove_node(self.node_id)

    def undo(self) -> None:
        s = self.snapshot
        self.graph.add_node(s["type"], s["name"], s["params"], s["position"], id=self.node_id,
                            index=s["index"])
        for child in reversed(self.children):
            child.undo()


class SetParam(Command):
    def __init__(self, graph: Graph, node_id: str, name: str, value: Any):
        self.graph, self.node_id, self.name, self.value = graph, node_id, name, value
        self.old: Any = None
        self.text = f"Set {name} of {_name(graph, node_id)}"

    def do(self) -> None:
        self.old = self.graph.set_param(self.node_id, self.name, self.value)

    def undo(self) -> None:
        self.graph.set_param(self.node_id, self.name, self.old)


class MoveNodes(Command):
    """One drag of one or more nodes: ``moves`` maps node id to (old position, new position)."""

    def __init__(self, graph: Graph, moves: dict[str, tuple[Position, Position]]):
        self.graph, self.moves = graph, dict(moves)
        only = next(iter(self.moves)) if len(self.moves) == 1 else None
        self.text = f"Move {_name(graph, only)}" if only else f"Move {len(self.moves)} nodes"

    def do(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.graph.move(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _) in self.moves.items():
            self.graph.move(node_id, old)


class Move(MoveNodes):
    """One drag of one node, pushed on mouse release with where it started and ended."""

    def __init__(self, graph: Graph, node_id: str, old: Position, new: Position):
        super().__init__(graph, {node_id: (old, new)})


class Rename(Command):
    def __init__(self, graph: Graph, node_id: str, new_name: str):
        self.graph, self.node_id, self.new_name = graph, node_id, new_name
        self.old_name = _name(graph, node_id)
        self.text = f"Rename {self.old_name} to {new_name}"

    def do(self) -> None:
        self.old_name = self.graph.node(self.node_id).name
        self.graph.rename(self.node_id, self.new_name)

    def undo(self) -> None:
        self.graph.rename(self.node_id, self.old_name)


class Macro(Command):
    """Several commands as one undo step (paste, delete selection); all or nothing."""

    def __init__(self, commands: Iterable[Command], text: str):
        self.commands, self.text = list(commands), text

    def do(self) -> None:
        _do_all(self.commands)

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


def remove_nodes(graph: Graph, node_ids: Sequence[str]) -> Macro:
    """The "delete selection" command."""
    ids = list(dict.fromkeys(node_ids))
    text = f"Delete {_name(graph, ids[0])}" if len(ids) == 1 else f"Delete {len(ids)} nodes"
    return Macro([RemoveNode(graph, nid) for nid in ids], text)


def _do_all(commands: Sequence[Command]) -> None:
    """Do each command; if one fails, undo those already done so the graph is unchanged."""
    done: list[Command] = []
    try:
        for command in commands:
            command.do()
            done.append(command)
    except BaseException:
        for command in reversed(done):
            command.undo()
        raise


def _name(graph: Graph, node_id: str | None) -> str:
    node = graph.nodes.get(node_id) if node_id is not None else None
    return node.name if node is not None else str(node_id)


class UndoStack:
    """A headless QUndoStack: push does the command; the clean index tracks "saved"."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are done
        self._clean: int | None = 0

    def push(self, command: Command) -> None:
        command.do()
        del self._commands[self._index:]
        if self._clean is not None and self._clean > self._index:
            self._clean = None  # the saved state can no longer be reached
        self._commands.append(command)
        self._index += 1

    def undo(self) -> None:
        if not self.can_undo():
            raise GraphError("There is nothing to undo.")
        self._commands[self._index - 1].undo()
        self._index -= 1

    def redo(self) -> None:
        if not self.can_redo():
            raise GraphError("There is nothing to redo.")
        self._commands[self._index].do()
        self._index += 1

    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    @property
    def index(self) -> int:
        return self._index

    def __len__(self) -> int:
        return len(self._commands)

    def set_clean(self) -> None:
        """Call after saving: the current state is the one on disk."""
        self._clean = self._index

    def is_clean(self) -> bool:
        return self._clean == self._index

    def clear(self) -> None:
        self._commands.clear()
        self._index, self._clean = 0, 0
