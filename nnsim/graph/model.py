"""The editable network: nodes, edges and the events views follow.

The graph holds plain data only (ids, names, JSON params, ``(x, y)`` float tuples) and refuses, with
one sentence, any edit it can't take, so every state it is in can be saved, drawn and undone.
Structural problems that are legitimate while editing (a node with no input yet, two outputs) are
not refused here; :meth:`Graph.validate` reports them.

Removing a node: :meth:`Graph.remove_node` only removes an *unconnected* node. The
:class:`~nnsim.graph.commands.RemoveNode` command disconnects the edges first, as child commands,
so that undo restores them, in their order, through the same graph methods.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from nnsim.core.errors import GraphError
from nnsim.core.events import Signal
from nnsim.engine.layers.base import LayerKind, Shape, layer_kind
from nnsim.graph import checks
from nnsim.graph.checks import Position

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.engine.resolved import ResolvedGraph
    from nnsim.graph.validation import Problem

_NUMBER_WORDS = {0: "no", 1: "one", 2: "two", 3: "three", 4: "four"}


@dataclass(eq=False)
class Node:
    """One layer on the canvas. Identity-hashed so views can key their items by it.

    Treat the fields as read-only: change them through :class:`Graph` so events fire.
    """

    id: str
    type: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    position: Position = (0.0, 0.0)

    @property
    def kind(self) -> type[LayerKind]:
        return layer_kind(self.type)

    @property
    def label(self) -> str:
        """How messages name the node: ``Dense 'hidden1'``."""
        return f"{self.type} '{self.name}'"


@dataclass(frozen=True)
class Edge:
    """From the single output of ``src`` into the input port of ``dst`` (node ids)."""

    src: str
    dst: str


class GraphEvents:
    """The signals of a graph; every specific signal is followed by ``changed()``."""

    def __init__(self) -> None:
        self.node_added = Signal()  # node=
        self.node_removed = Signal()  # node=
        self.edge_added = Signal()  # edge=
        self.edge_removed = Signal()  # edge=
        self.params_changed = Signal()  # node=, name=
        self.node_moved = Signal()  # node=
        self.node_renamed = Signal()  # node=, old_name=
        self.changed = Signal()  # no arguments: views refresh, the compiled network goes stale


class Graph:
    """An editable directed acyclic graph of layer nodes."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: list[Edge] = []
        self._in: dict[str, list[Edge]] = {}  # adjacency, so large files load in linear time
        self._out: dict[str, list[Edge]] = {}
        self._ids_by_name: dict[str, str] = {}
        self._next_id = 1
        self.events = GraphEvents()

    # --- read access ----------------------------------------------------------------------
    @property
    def nodes(self) -> Mapping[str, Node]:
        """Nodes by id, in insertion order (read-only view)."""
        return MappingProxyType(self._nodes)

    @property
    def edges(self) -> tuple[Edge, ...]:
        return tuple(self._edges)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._nodes

    def __iter__(self) -> Iterator[Node]:
        return iter(list(self._nodes.values()))

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except (KeyError, TypeError):
            raise GraphError(f"There is no node with id {node_id!r}.") from None

    def node_by_name(self, name: str) -> Node:
        try:
            return self._nodes[self._ids_by_name[name]]
        except (KeyError, TypeError):
            raise GraphError(f"There is no node named {name!r}.") from None

    def node_index(self, node_id: str) -> int:
        """Place of the node in node order (kept by undo, files and the layout)."""
        return list(self._nodes).index(self.node(node_id).id)

    def has_name(self, name: str) -> bool:
        return name in self._ids_by_name

    def inputs_of(self, node_id: str) -> list[Edge]:
        """Edges into ``node_id`` in input order (the order Concatenate joins them)."""
        return list(self._in.get(node_id, ()))

    def outputs_of(self, node_id: str) -> list[Edge]:
        return list(self._out.get(node_id, ()))

    def edges_of(self, node_id: str) -> list[Edge]:
        """Every edge touching the node, in graph edge order."""
        touching = set(self._in.get(node_id, ())) | set(self._out.get(node_id, ()))
        return [e for e in self._edges if e in touching]

    def input_index(self, edge: Edge) -> int:
        """Position of ``edge`` among its target's inputs, so undo can put it back there."""
        return self.inputs_of(edge.dst).index(edge)

    def unique_name(self, stem: str, reserved: set[str] | frozenset[str] = frozenset()) -> str:
        """``stem1``, ``stem2``...: the first name free in the graph and not in ``reserved``."""
        stem = re.sub(r"\d+$", "", stem)[: checks.MAX_NAME - 6] or "node"
        n = 1
        while self.has_name(f"{stem}{n}") or f"{stem}{n}" in reserved:
            n += 1
        return f"{stem}{n}"

    def new_id(self) -> str:
        """Reserve a fresh id (``n1``, ``n2``...); used by paste to wire edges before adding."""
        while f"n{self._next_id}" in self._nodes:
            self._next_id += 1
        self._next_id += 1
        return f"n{self._next_id - 1}"

    # --- nodes -----------------------------------------------------------------------------
    def add_node(self, type: str, name: str | None = None, params: dict[str, Any] | None = None,
                 position: Any = (0.0, 0.0), id: str | None = None, index: int | None = None) -> Node:
        """Add a node; params are checked and completed with the kind's defaults.

        ``index`` puts it at that place in node order (undo of a delete restores the old order).
        """
        kind = layer_kind(type) if isinstance(type, str) else layer_kind(repr(type))
        if len(self._nodes) >= checks.MAX_NODES:
            raise GraphError(f"A network can have at most {checks.MAX_NODES} nodes: delete some first.")
        if name is None:
            name = self.unique_name(type.lower())
        checks.check_name(name)
        if self.has_name(name):
            raise GraphError(f"There is already a node named '{name}': choose another name.", name)
        node_id = self.new_id() if id is None else checks.check_id(id)
        if node_id in self._nodes:
            raise GraphError(f"There is already a node with id '{node_id}'.", name)
        node = Node(node_id, type, name, checks.check_params(kind, params, name),
                    checks.check_position(position, name))
        self._nodes[node_id] = node
        self._in[node_id], self._out[node_id] = [], []
        self._ids_by_name[name] = node_id
        if index is not None and index < len(self._nodes) - 1:
            order = list(self._nodes.values())
            order.insert(max(index, 0), order.pop())
            self._nodes = {n.id: n for n in order}
        self._emit(self.events.node_added, node=node)
        return node

    def remove_node(self, node_id: str) -> Node:
        """Remove an unconnected node (disconnect it first; the RemoveNode command does)."""
        node = self.node(node_id)
        attached = self.edges_of(node_id)
        if attached:
            raise GraphError(f"{node.label} still has {len(attached)} connection(s): "
                             f"disconnect them before removing it.", node.name)
        del self._nodes[node_id], self._in[node_id], self._out[node_id], self._ids_by_name[node.name]
        self._emit(self.events.node_removed, node=node)
        return node

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Set one parameter after checking it against its spec; returns the old value."""
        node = self.node(node_id)
        value = checks.check_param(node.kind, name, value, node.name)
        old = node.params.get(name)
        node.params[name] = list(value) if isinstance(value, list) else value
        self._emit(self.events.params_changed, node=node, name=name)
        return old

    def move(self, node_id: str, position: Any) -> None:
        node = self.node(node_id)
        node.position = checks.check_position(position, node.name)
        self._emit(self.events.node_moved, node=node)

    def rename(self, node_id: str, new_name: str) -> None:
        node = self.node(node_id)
        checks.check_name(new_name)
        if new_name == node.name:
            return
        if self.has_name(new_name):
            raise GraphError(f"There is already a node named '{new_name}': choose another name.", node.name)
        old, node.name = node.name, new_name
        del self._ids_by_name[old]
        self._ids_by_name[new_name] = node_id
        self._emit(self.events.node_renamed, node=node, old_name=old)

    # --- edges -----------------------------------------------------------------------------
    def connect(self, src_id: str, dst_id: str, index: int | None = None) -> Edge:
        """Connect ``src``'s output to ``dst``'s input, as its ``index``-th input (default: last)."""
        return self._connect(src_id, dst_id, index, check_loop=True)

    def _connect(self, src_id: str, dst_id: str, index: int | None, check_loop: bool) -> Edge:
        """``check_loop=False`` lets file loading check for loops once at the end (linear time)."""
        src, dst = self.node(src_id), self.node(dst_id)
        self._check_connectable(src, dst, check_loop)
        edge = Edge(src_id, dst_id)
        existing = self._in[dst_id]
        if index is None or index >= len(existing):
            self._edges.append(edge)
            existing.append(edge)
        else:
            self._edges.insert(self._edges.index(existing[max(index, 0)]), edge)
            existing.insert(max(index, 0), edge)
        self._out[src_id].append(edge)
        self._emit(self.events.edge_added, edge=edge)
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self._edges:
            raise GraphError(f"There is no connection from {edge.src!r} to {edge.dst!r}.")
        self._edges.remove(edge)
        self._in[edge.dst].remove(edge)
        self._out[edge.src].remove(edge)
        self._emit(self.events.edge_removed, edge=edge)

    def can_connect(self, src_id: str, dst_id: str) -> str | None:
        """Why ``src -> dst`` would be refused, or None: lets the canvas grey out ports while dragging."""
        try:
            self._check_connectable(self.node(src_id), self.node(dst_id))
        except GraphError as err:
            return str(err)
        return None

    def _check_connectable(self, src: Node, dst: Node, check_loop: bool = True) -> None:
        if src is dst:
            raise GraphError(f"{src.label} can't feed itself: connect it to another node.", src.name)
        if Edge(src.id, dst.id) in self._out[src.id]:
            raise GraphError(f"'{src.name}' is already connected to '{dst.name}'.", dst.name)
        kind = dst.kind
        inputs = self.inputs_of(dst.id)
        if kind.max_inputs == 0:
            raise GraphError(f"{dst.label} takes no inputs: it gets its samples from the dataset.", dst.name)
        if kind.max_inputs is not None and len(inputs) >= kind.max_inputs:
            raise GraphError(self._full_message(dst, kind.max_inputs, inputs), dst.name)
        if len(self._edges) >= checks.MAX_EDGES:
            raise GraphError(f"A network can have at most {checks.MAX_EDGES} connections.", dst.name)
        if check_loop and self._reaches(dst.id, src.id):
            raise GraphError(f"Connecting '{src.name}' to '{dst.name}' would make a loop, since "
                             f"'{dst.name}' already leads to '{src.name}': networks must flow one way.",
                             dst.name)

    def _full_message(self, dst: Node, limit: int, inputs: list[Edge]) -> str:
        if limit == 1:
            return (f"{dst.label} takes one input and already gets one from "
                    f"'{self._nodes[inputs[0].src].name}': remove that connection first.")
        count = _NUMBER_WORDS.get(limit, str(limit))
        return f"{dst.label} takes {count} inputs and already gets {count}: remove one of them first."

    def _reaches(self, start: str, goal: str) -> bool:
        """True if a path leads from ``start`` to ``goal`` (so goal -> start would close a loop)."""
        seen, stack = {start}, [start]
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            for nxt in (e.dst for e in self._out[current]):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    # --- whole-graph operations --------------------------------------------------------------
    def topological_order(self) -> list[Node]:
        """Nodes so that every node follows its inputs; Input nodes first, then insertion order.

        Raises GraphError if there is a loop (only possible if the graph was changed behind its back).
        """
        indegree = {nid: 0 for nid in self._nodes}
        children: dict[str, list[str]] = {nid: [] for nid in self._nodes}
        for e in self._edges:
            indegree[e.dst] += 1
            children[e.src].append(e.dst)
        rank = {nid: (n.type != "Input", i) for i, (nid, n) in enumerate(self._nodes.items())}
        ready = [(rank[nid], nid) for nid, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        order: list[Node] = []
        while ready:
            nid = heapq.heappop(ready)[1]
            order.append(self._nodes[nid])
            for child in children[nid]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    heapq.heappush(ready, (rank[child], child))
        if len(order) != len(self._nodes):
            stuck = next(n for nid, n in self._nodes.items() if indegree[nid] > 0)
            raise GraphError(f"{stuck.label} is part of a loop: remove a connection that leads back to it.",
                             stuck.name)
        return order

    def copy(self) -> "Graph":
        """An independent graph with the same ids, names, params, positions and edges (no listeners)."""
        return Graph.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        from nnsim.graph.serialization import graph_to_dict
        return graph_to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "Graph":
        """Build a graph from untrusted JSON; raises GraphError (only) with one clear sentence."""
        from nnsim.graph.serialization import graph_from_dict
        return graph_from_dict(cls(), data)

    # --- analysis (see validation.py and shapes.py) ------------------------------------------
    def validate(self, input_shape: Shape | None = None) -> list["Problem"]:
        """Every problem that stops the network from compiling; shape checks need ``input_shape``."""
        from nnsim.graph.validation import validate
        return validate(self, input_shape)

    def infer_shapes(self, input_shape: Shape) -> dict[str, Shape | None]:
        from nnsim.graph.shapes import infer_shapes
        return infer_shapes(self, input_shape)

    def param_counts(self, input_shape: Shape) -> dict[str, int]:
        from nnsim.graph.shapes import param_counts
        return param_counts(self, input_shape)

    def resolve(self, input_shape: Shape) -> "ResolvedGraph":
        from nnsim.graph.validation import resolve
        return resolve(self, input_shape)

    # --- events -------------------------------------------------------------------------------
    def _emit(self, signal: Signal, **kwargs: Any) -> None:
        signal.emit(**kwargs)
        self.events.changed.emit()
