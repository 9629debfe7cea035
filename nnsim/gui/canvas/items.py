"""Graphics items: a node card with input and output ports, and edges between ports.

Items never change the model themselves: moves are reported to the scene, which pushes one
command per drag; everything else follows model events.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from nnsim.graph.model import Edge, Node
from nnsim.gui.canvas import style


_FONTS: tuple[QFont, QFont] | None = None
EDGE_HIT_WIDTH = 10.0


def _fonts() -> tuple[QFont, QFont]:
    """(bold title font, small body font), made once."""
    global _FONTS
    if _FONTS is None:
        bold, small = QFont(), QFont()
        bold.setBold(True)
        bold.setPointSizeF(9.0)
        small.setPointSizeF(8.5)
        _FONTS = (bold, small)
    return _FONTS


class PortItem(QGraphicsItem):
    """A connection point on a node: output on the right, input on the left."""

    def __init__(self, node_item: "NodeItem", is_output: bool):
        super().__init__(node_item)
        self.node_item = node_item
        self.is_output = is_output
        self.highlight = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        x = style.NODE_WIDTH if is_output else 0.0
        self.setPos(x, style.NODE_HEIGHT / 2)
        self.setZValue(2)

    def boundingRect(self) -> QRectF:
        r = style.PORT_RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        r = style.PORT_RADIUS + 5  # a generous hit area
        path.addEllipse(QPointF(0, 0), r, r)
        return path

    def scene_center(self) -> QPointF:
        return self.scenePos()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = style.selection_color() if self.highlight else style.category_color(self.node_item.category)
        painter.setPen(QPen(style.node_fill(), 2))
        painter.setBrush(QBrush(color))
        painter.drawEllipse(QPointF(0, 0), style.PORT_RADIUS, style.PORT_RADIUS)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.highlight = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self.highlight = False
        self.update()


class NodeItem(QGraphicsObject):
    """A node card: type and name, key parameters, output shape and parameter count."""

    def __init__(self, node: Node):
        super().__init__()
        self.node = node
        self.category = node.kind.category
        self.shape_text = ""
        self.params_text = ""
        self.key_text = ""
        self.error: str | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # repaint only on change
        self._texts = {"title": "", "key": "", "shape": ""}
        self.badge_space = 0.0  # room kept free on the key line for an output badge (neuron overlay)
        self.input_port = PortItem(self, False) if node.kind.max_inputs != 0 else None
        self.output_port = PortItem(self, True)
        self.edges: list[EdgeItem] = []
        self.sync_from_model()

    @property
    def node_id(self) -> str:
        return self.node.id

    def sync_from_model(self) -> None:
        kind = self.node.kind
        self.key_text = kind.key_params(kind.check_params(self.node.params, self.node.name))
        self.setPos(QPointF(*self.node.position))
        self.setToolTip(self.error or self.node.kind.help)
        self._elide_texts()

    def set_info(self, shape: tuple[int, ...] | None, params: int | None, error: str | None) -> None:
        self.shape_text = "→ " + ("x".join(map(str, shape)) if shape else "?")
        self.params_text = f"{params:,} params" if params else ""
        self.error = error
        self.setToolTip(error or self.node.kind.help)
        self._elide_texts()

    def set_badge_space(self, width: float) -> None:
        if width != self.badge_space:
            self.badge_space = width
            self._elide_texts()

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, style.NODE_WIDTH + 8, style.NODE_HEIGHT + 8)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        rect = QRectF(0, 0, style.NODE_WIDTH, style.NODE_HEIGHT)
        accent = style.category_color(self.category)
        border = style.error_color() if self.error else (style.selection_color() if self.isSelected() else accent)
        painter.setPen(QPen(border, 3 if (self.isSelected() or self.error) else 1.5))
        painter.setBrush(QBrush(style.node_fill()))
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(accent))
        painter.drawRoundedRect(QRectF(0, 0, style.NODE_WIDTH, 24), 8, 8)
        painter.drawRect(QRectF(0, 12, style.NODE_WIDTH, 12))  # square off the header's lower corners
        if lod >= 0.3:  # below that, 9-point text is a few pixels high: skip it (level of detail)
            self._paint_texts(painter)

    def _paint_texts(self, painter: QPainter) -> None:
        width = style.NODE_WIDTH - 20
        painter.setFont(_fonts()[0])
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRectF(10, 0, width, 24), Qt.AlignmentFlag.AlignVCenter, self._texts["title"])
        painter.setFont(_fonts()[1])
        painter.setPen(style.text_color())
        painter.drawText(QRectF(10, 28, width, 16), Qt.AlignmentFlag.AlignVCenter, self._texts["key"])
        painter.setPen(style.error_color() if self.error else style.muted_text_color())
        painter.drawText(QRectF(10, 48, width, 16), Qt.AlignmentFlag.AlignVCenter, self._texts["shape"])
        painter.setPen(style.muted_text_color())
        painter.drawText(QRectF(10, 48, width, 16), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         self.params_text)

    def _elide_texts(self) -> None:
        """Elide once per change, not once per paint."""
        bold, small = (QFontMetrics(f) for f in _fonts())
        width = int(style.NODE_WIDTH - 20)
        shape = "error: see tooltip" if self.error else self.shape_text
        self._texts = {
            "title": bold.elidedText(f"{self.node.type}  {self.node.name}", Qt.TextElideMode.ElideRight, width),
            "key": small.elidedText(self.key_text, Qt.TextElideMode.ElideRight, width - int(self.badge_space)),
            "shape": small.elidedText(shape, Qt.TextElideMode.ElideRight, width // 2),
        }
        self.update()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)


class EdgeItem(QGraphicsPathItem):
    """A connection drawn as a smooth curve from an output port to an input port."""

    def __init__(self, edge: Edge, src: NodeItem, dst: NodeItem):
        super().__init__()
        self.edge, self.src, self.dst = edge, src, dst
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setPen(QPen(style.edge_color(), 2.0))
        src.edges.append(self)
        dst.edges.append(self)
        self.update_path()

    def detach(self) -> None:
        for item in (self.src, self.dst):
            if self in item.edges:
                item.edges.remove(self)

    def update_path(self) -> None:
        self.setPath(curve(self.src.output_port.scenePos(), self.dst.input_port.scenePos()))
        for child in self.childItems():  # overlays that follow the edge (weight bands and labels)
            follow = getattr(child, "follow", None)
            if follow is not None:
                follow(self.path())

    def shape(self) -> QPainterPath:
        """A band 10 px wide along the curve: a thin edge is easy to click (and nothing beside it is)."""
        stroker = QPainterPathStroker()
        stroker.setWidth(EDGE_HIT_WIDTH)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-EDGE_HIT_WIDTH / 2, -EDGE_HIT_WIDTH / 2,
                                               EDGE_HIT_WIDTH / 2, EDGE_HIT_WIDTH / 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        color = style.selection_color() if self.isSelected() else style.edge_color()
        self.setPen(QPen(color, 3.0 if self.isSelected() else 2.0))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        super().paint(painter, option, widget)


def curve(a: QPointF, b: QPointF) -> QPainterPath:
    """A horizontal S-curve from a to b."""
    path = QPainterPath(a)
    dx = max(abs(b.x() - a.x()) * 0.5, 40.0)
    path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
    return path
