"""The canvas view: zoom, pan, rubber-band selection, a grid, and drops from the palette."""

from __future__ import annotations

import math

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from nnsim.gui.canvas import style
from nnsim.gui.canvas.scene import GraphScene

NODE_MIME = "application/x-nnsim-node-type"
MIN_ZOOM, MAX_ZOOM = 0.2, 3.0


def node_type_mime(type_name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(NODE_MIME, type_name.encode("utf-8"))
    return mime


def mime_node_type(mime: QMimeData) -> str | None:
    if not mime.hasFormat(NODE_MIME):
        return None
    return bytes(mime.data(NODE_MIME)).decode("utf-8", errors="replace")


class GraphView(QGraphicsView):
    def __init__(self, scene: GraphScene):
        super().__init__(scene)
        self.graph_scene = scene
        self.setAcceptDrops(True)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._panning: QPointF | None = None

    # --- zoom --------------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom * factor, MIN_ZOOM), MAX_ZOOM)
        self.scale(target / self.zoom, target / self.zoom)

    def zoom_in(self) -> None:
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.zoom_by(0.8)

    def fit(self) -> None:
        """Show every node (zoom 1 at most, so a small network isn't blown up)."""
        rect = self.graph_scene.itemsBoundingRect()
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.0:
            self.scale(1.0 / self.zoom, 1.0 / self.zoom)
        self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(math.pow(1.15, steps))
        event.accept()

    # --- panning with the middle button -------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton:
            self._panning = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - delta.x()))
            self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - delta.y()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._panning is not None and event.button() == Qt.MouseButton.MiddleButton:
            self._panning = None
            self.unsetCursor()
            return
        super().mouseReleaseEvent(event)

    # --- drops from the palette ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if mime_node_type(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if mime_node_type(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        type_name = mime_node_type(event.mimeData())
        if type_name is None:
            event.ignore()
            return
        node_id = self.graph_scene.handle_drop(type_name, self.mapToScene(event.position().toPoint()))
        if node_id is not None:
            self.graph_scene.clearSelection()
            self.graph_scene.nodes[node_id].setSelected(True)
        event.acceptProposedAction()

    def add_at_center(self, type_name: str) -> str | None:
        center = self.mapToScene(self.viewport().rect().center())
        return self.graph_scene.handle_drop(type_name, center)

    # --- background grid ---------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.fillRect(rect, style.canvas_background())
        if self.zoom < 0.5:
            return
        painter.setPen(QPen(style.grid_color(), 0))
        g = style.GRID
        left, top = math.floor(rect.left() / g) * g, math.floor(rect.top() / g) * g
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += g
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += g
