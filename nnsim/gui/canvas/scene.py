"""The scene mirrors the graph: one NodeItem per node, one EdgeItem per edge, kept in step by
graph events. User gestures become commands pushed on the document; the model stays the only
source of truth."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSceneMouseEvent

from nnsim.graph import commands as C
from nnsim.graph.clipboard import copy_nodes, paste_nodes
from nnsim.graph.layout import auto_layout
from nnsim.graph.model import Edge, Node
from nnsim.gui.canvas import style
from nnsim.gui.canvas.items import EdgeItem, NodeItem, PortItem, curve
from nnsim.gui.document import Document

Position = tuple[float, float]


class GraphScene(QGraphicsScene):
    message = Signal(str)  # a refused edit's reason, for the status bar
    node_activated = Signal(str)  # a double-clicked node id
    edge_activated = Signal(object)  # an Edge whose weights the user wants to edit (double-click, weight label)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._drag_port: PortItem | None = None
        self._drag_line: QGraphicsPathItem | None = None
        self._press_positions: dict[str, Position] = {}
        self.setSceneRect(-5000, -5000, 10000, 10000)
        document.project_replaced.connect(self.rebuild)
        document.validation_changed.connect(self.show_validation)
        self.rebuild()

    # --- mirroring the model -----------------------------------------------------------------------
    def rebuild(self) -> None:
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        events = self.document.graph.events
        for name, slot in (("node_added", self._on_node_added), ("node_removed", self._on_node_removed),
                           ("edge_added", self._on_edge_added), ("edge_removed", self._on_edge_removed),
                           ("params_changed", self._on_node_changed), ("node_moved", self._on_node_changed),
                           ("node_renamed", self._on_node_changed)):
            getattr(events, name).connect(slot)
        for node in self.document.graph:
            self._on_node_added(node)
        for edge in self.document.graph.edges:
            self._on_edge_added(edge)
        self.show_validation(self.document.problems)

    def _on_node_added(self, node: Node) -> None:
        item = NodeItem(node)
        self.nodes[node.id] = item
        self.addItem(item)

    def _on_node_removed(self, node: Node) -> None:
        item = self.nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)

    def _on_edge_added(self, edge: Edge) -> None:
        item = EdgeItem(edge, self.nodes[edge.src], self.nodes[edge.dst])
        self.edges[edge] = item
        self.addItem(item)

    def _on_edge_removed(self, edge: Edge) -> None:
        item = self.edges.pop(edge, None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def _on_node_changed(self, node: Node, **_: object) -> None:
        item = self.nodes.get(node.id)
        if item is not None:
            item.sync_from_model()

    def show_validation(self, problems: list) -> None:
        """Mark nodes with problems red; show output shapes and parameter counts on the rest."""
        errors: dict[str, str] = {}
        for problem in problems:
            if problem.node_id is not None:
                errors.setdefault(problem.node_id, problem.message)
        shapes, counts = self.document.shapes(), self.document.param_counts()
        for node_id, item in self.nodes.items():
            item.set_info(shapes.get(node_id), counts.get(node_id), errors.get(node_id))

    # --- commands from gestures ----------------------------------------------------------------------
    def push(self, command: C.Command) -> bool:
        error = self.document.push(command)
        if error:
            self.message.emit(error)
        return error is None

    def handle_drop(self, type_name: str, scene_pos: QPointF) -> str | None:
        """Create a node of ``type_name`` centred at ``scene_pos``; returns its id (tests call this too)."""
        pos = (scene_pos.x() - style.NODE_WIDTH / 2, scene_pos.y() - style.NODE_HEIGHT / 2)
        command = C.AddNode(self.document.graph, type_name, position=pos)
        if not self.push(command):
            return None
        return command.node_id

    def connect_ports(self, a: PortItem, b: PortItem) -> bool:
        """Connect an output port to an input port (either order); a refusal is reported."""
        if a.is_output == b.is_output:
            self.message.emit("Connect an output port (right side) to an input port (left side).")
            return False
        src, dst = (a, b) if a.is_output else (b, a)
        graph = self.document.graph
        reason = graph.can_connect(src.node_item.node_id, dst.node_item.node_id)
        if reason:
            self.message.emit(reason)
            return False
        return self.push(C.Connect(graph, src.node_item.node_id, dst.node_item.node_id))

    def selected_node_ids(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def delete_selection(self) -> None:
        graph = self.document.graph
        node_ids = self.selected_node_ids()
        edges = [item.edge for item in self.selectedItems() if isinstance(item, EdgeItem)
                 and item.edge.src not in node_ids and item.edge.dst not in node_ids]
        parts: list[C.Command] = [C.Disconnect(graph, edge) for edge in edges]
        if node_ids:
            parts.append(C.remove_nodes(graph, node_ids))
        if parts:
            self.push(parts[0] if len(parts) == 1 else C.Macro(parts, "Delete selection"))

    def copy_selection(self) -> dict | None:
        ids = self.selected_node_ids()
        return copy_nodes(self.document.graph, ids) if ids else None

    def paste(self, data: dict) -> None:
        try:
            macro = paste_nodes(self.document.graph, data)
        except Exception as err:  # clipboard text from elsewhere
            self.message.emit(f"The clipboard holds no NNSim nodes ({err}).")
            return
        if self.push(macro):
            self.clearSelection()
            for command in macro.commands:
                node_id = getattr(command, "node_id", None)
                if node_id in self.nodes:
                    self.nodes[node_id].setSelected(True)

    def auto_layout(self) -> None:
        graph = self.document.graph
        target = auto_layout(graph)
        moves = {nid: (graph.node(nid).position, pos) for nid, pos in target.items()
                 if graph.node(nid).position != pos}
        if moves:
            command = C.MoveNodes(graph, moves)
            command.text = "Auto-layout"
            self.push(command)

    # --- mouse: connecting ports and one undo step per drag ---------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        port = self._port_at(event.scenePos())
        if port is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag_port = port
            self._drag_line = QGraphicsPathItem()
            self._drag_line.setPen(QPen(style.selection_color(), 2, Qt.PenStyle.DashLine))
            self._drag_line.setZValue(3)
            self.addItem(self._drag_line)
            event.accept()
            return
        super().mousePressEvent(event)
        self._press_positions = {nid: self.document.graph.node(nid).position for nid in self.selected_node_ids()}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._drag_port is not None and self._drag_line is not None:
            start = self._drag_port.scenePos()
            a, b = (start, event.scenePos()) if self._drag_port.is_output else (event.scenePos(), start)
            self._drag_line.setPath(curve(a, b))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if self._drag_port is not None:
            self._finish_connection(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        self._commit_moves()

    def _finish_connection(self, pos: QPointF) -> None:
        start = self._drag_port
        if self._drag_line is not None:
            self.removeItem(self._drag_line)
        self._drag_port, self._drag_line = None, None
        target = self._port_at(pos) or self._port_of_node_at(pos, want_output=not start.is_output)
        if target is not None and target is not start:
            self.connect_ports(start, target)

    def _commit_moves(self) -> None:
        graph = self.document.graph
        moves = {}
        for nid, old in self._press_positions.items():
            item = self.nodes.get(nid)
            if item is not None:
                new = (round(item.pos().x(), 1), round(item.pos().y(), 1))
                if new != old:
                    moves[nid] = (old, new)
        self._press_positions = {}
        if moves:
            self.push(C.MoveNodes(graph, moves))

    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def _port_of_node_at(self, pos: QPointF, want_output: bool) -> PortItem | None:
        """Dropping a connection anywhere on a node picks that node's matching port."""
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item.output_port if want_output else item.input_port
        return None

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        for item in self.items(event.scenePos()):
            if isinstance(item, NodeItem):
                self.node_activated.emit(item.node_id)
                return
            if isinstance(item, EdgeItem):
                self.edge_activated.emit(item.edge)
                return
        super().mouseDoubleClickEvent(event)
