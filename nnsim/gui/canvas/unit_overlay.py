"""Neuron-level networks drawn readably: every edge into a unit shows its weights, every unit its output.

- An edge into a Neuron or MPNeuron gets a band coloured by sign (orange positive, blue negative)
  and as wide as the weight is large, plus a label with the value(s): ``+4.27``, or ``a +4.27 / b −2.13``
  for an edge that carries one weight per input feature. Clicking the label edits the weights.
- Each unit's card shows its output for the chosen input (a truth-table row) in a badge coloured on
  the same blue-white-orange scale; the Input node's badge shows that input.

Children of the canvas items, so they move and vanish with them; redrawn from a UnitState.
"""

from __future__ import annotations

import math

import numpy as np
import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from nnsim.gui.canvas import style
from nnsim.gui.canvas.live_overlay import BLUE, LUT, ORANGE, edge_band
from nnsim.gui.canvas.unit_monitor import UnitState
from nnsim.training.units import UNIT_KINDS, EdgeWeights, unit_bias

MAX_LISTED = 3  # an edge with more weights shows a count and the mean
BADGE_W, BADGE_H = 50.0, 17.0
BOUNDED = {"step": (0.0, 1.0), "sigmoid": (0.0, 1.0), "sign": (-1.0, 1.0), "tanh": (-1.0, 1.0)}


def fmt(v: float, signed: bool = False) -> str:
    """Short, readable numbers: whole values without decimals, a real minus sign."""
    if not math.isfinite(v):
        return str(v)
    text = f"{v:+.0f}" if abs(v - round(v)) < 1e-6 or abs(v) >= 100 else f"{v:+.2f}"
    text = text if signed else text.lstrip("+")
    return text.replace("-", "−")


def weight_width(magnitude: float) -> float:
    """Pen width for |w|: visible at 0.1, clearly thicker at 1, wide (not huge) at 8."""
    return min(1.5 + 2.4 * math.log1p(magnitude), 9.0)


def weight_color(w: float) -> QColor:
    rgb = ORANGE if w > 0 else BLUE
    return QColor(*(int(c) for c in rgb)) if w != 0 else style.edge_color()


def value_color(v: float, lo: float, hi: float) -> QColor:
    t = 0.5 if hi <= lo else (v - lo) / (hi - lo)
    argb = int(LUT[int(np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0) * 255)])
    return QColor((argb >> 16) & 255, (argb >> 8) & 255, argb & 255)


def _small_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.5)
    return font


class WeightBand(QGraphicsPathItem):
    """The coloured band over an edge into a unit; it follows the edge while a node is dragged."""

    def __init__(self, edge_item):
        super().__init__(edge_item)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks still select the edge

    def follow(self, path: QPainterPath) -> None:
        self.setPath(path)


class EdgeLabel(QGraphicsItem):
    """The weight(s) of one edge, one line each, on a pill at the middle of the edge; clickable."""

    def __init__(self, edge_item):
        super().__init__(edge_item)
        self.edge_item = edge_item
        self.lines: list[tuple[str, QColor]] = []
        self.rect = QRectF()
        self.setZValue(3)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def set_weights(self, ew: EdgeWeights) -> None:
        values = ew.values
        if len(values) == 1:
            self.lines = [(fmt(values[0], signed=True), weight_color(values[0]))]
        elif len(values) <= MAX_LISTED:
            self.lines = [(f"{label} {fmt(v, signed=True)}", weight_color(v)) for label, v in zip(ew.labels, values)]
        else:
            mean = float(np.mean(values))
            self.lines = [(f"{len(values)} w", style.text_color()), (f"mean {fmt(mean, True)}", weight_color(mean))]
        metrics = QFontMetricsF(_small_font())
        width = max(metrics.horizontalAdvance(text) for text, _ in self.lines) + 8
        height = metrics.height() * len(self.lines) + 2
        self.prepareGeometryChange()
        self.rect = QRectF(-width / 2, -height / 2, width, height)
        what = ("Fixed McCulloch-Pitts weights: they follow θ and the inhibitory list (edit those in the inspector)."
                if ew.fixed else "Click to edit.")
        listed = ", ".join(f"{label} × {fmt(v, True)}" for label, v in zip(ew.labels, values))
        self.setToolTip(f"Weights from '{ew.src}' into '{ew.dst}': {listed}. {what}")
        self.follow(self.edge_item.path())
        self.update()

    def follow(self, path: QPainterPath) -> None:
        self.setPos(path.pointAtPercent(0.5))

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(style.node_fill())
        fill.setAlpha(235)
        painter.setPen(QPen(style.edge_color(), 0.8))
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self.rect, 4, 4)
        painter.setFont(_small_font())
        line_h = QFontMetricsF(_small_font()).height()
        for i, (text, color) in enumerate(self.lines):
            painter.setPen(color.darker(115))
            row = QRectF(self.rect.left(), self.rect.top() + 1 + i * line_h, self.rect.width(), line_h)
            painter.drawText(row, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        scene = self.scene()
        if scene is not None and hasattr(scene, "edge_activated"):
            scene.edge_activated.emit(self.edge_item.edge)
        event.accept()


class OutputBadge(QGraphicsItem):
    """A unit's output for the chosen input, on the right of its card's second line."""

    def __init__(self, node_item):
        super().__init__(node_item)
        self.text, self.fill = "", QColor()
        self.setPos(style.NODE_WIDTH - BADGE_W - 8, 27.0)
        self.setZValue(3)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_value(self, text: str, fill: QColor, tooltip: str) -> None:
        self.text, self.fill = text, fill
        self.setToolTip(tooltip)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, BADGE_W + 2, BADGE_H + 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(style.edge_color(), 0.8))
        painter.setBrush(QBrush(self.fill))
        painter.drawRoundedRect(QRectF(0, 0, BADGE_W, BADGE_H), 8, 8)
        dark = self.fill.lightness() < 140
        painter.setPen(QColor("#ffffff") if dark else QColor("#1d1d1f"))
        font = _small_font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(QRectF(0, 0, BADGE_W, BADGE_H), Qt.AlignmentFlag.AlignCenter, self.text)


class BiasTag(QGraphicsSimpleTextItem):
    """A Neuron's bias on its card's last line ("bias −1.50"): with the edge weights, the whole unit."""

    def __init__(self, node_item):
        super().__init__(node_item)
        self.setFont(_small_font())
        self.setPos(48.0, 50.0)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def set_bias(self, name: str, b: float) -> None:
        self.setText(f"bias {fmt(b, signed=True)}")
        self.setBrush(QBrush(weight_color(b).darker(115)))
        self.setToolTip(f"Bias of '{name}': it fires where the weighted sum of its inputs plus {fmt(b)} is ≥ 0 "
                        f"(threshold θ = {fmt(-b)}). Click an incoming edge's weights to edit it.")


class UnitOverlay:
    def __init__(self, scene):
        self.scene = scene
        self.bands: dict[object, WeightBand] = {}  # Edge -> band
        self.labels: dict[object, EdgeLabel] = {}  # Edge -> label
        self.badges: dict[str, OutputBadge] = {}  # node id -> badge
        self.biases: dict[str, BiasTag] = {}  # node id -> bias tag

    def show(self, state: UnitState) -> None:
        names = {nid: item.node.name for nid, item in self.scene.nodes.items()}
        types = {n.name: n.type for n in state.graph.nodes} if state.graph is not None else {}
        seen = set()
        for edge, edge_item in self.scene.edges.items():
            ew = state.edges.get((names.get(edge.src), names.get(edge.dst)))
            if ew is None or types.get(ew.dst) not in UNIT_KINDS:
                continue
            seen.add(edge)
            self._band(edge, edge_item, ew)
            label = self.labels.get(edge)
            if label is None or not shiboken6.isValid(label) or label.parentItem() is not edge_item:
                label = self.labels[edge] = EdgeLabel(edge_item)
            label.set_weights(ew)
        for table in (self.bands, self.labels):
            for edge in [e for e in table if e not in seen]:
                _remove(table.pop(edge))
        self._show_badges(state, names, types)
        self._show_biases(state, names, types)

    def clear(self) -> None:
        for item in [*self.bands.values(), *self.labels.values(), *self.badges.values(), *self.biases.values()]:
            _remove(item)
        for table in (self.bands, self.labels, self.badges, self.biases):
            table.clear()

    def _band(self, edge, edge_item, ew: EdgeWeights) -> None:
        band = self.bands.get(edge)
        if band is None or not shiboken6.isValid(band) or band.parentItem() is not edge_item:
            band = self.bands[edge] = WeightBand(edge_item)
        values = np.asarray(ew.values)
        if len(values) == 1:
            color, width = weight_color(float(values[0])), weight_width(abs(float(values[0])))
        else:
            color, _, _, mean_abs = edge_band(values)
            width = weight_width(mean_abs)
        band.setPath(edge_item.path())
        band.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))

    def _show_badges(self, state: UnitState, names: dict[str, str], types: dict[str, str]) -> None:
        seen = set()
        for node_id, node_item in self.scene.nodes.items():
            name = names[node_id]
            value = state.outputs.get(name)
            is_input = state.graph is not None and name == state.graph.input
            if value is None or not (types.get(name) in UNIT_KINDS or (is_input and state.has_units)):
                continue
            seen.add(node_id)
            badge = self.badges.get(node_id)
            if badge is None or not shiboken6.isValid(badge) or badge.parentItem() is not node_item:
                badge = self.badges[node_id] = OutputBadge(node_item)
            if is_input:
                text = ", ".join(fmt(float(v)) for v in value[:4]) + ("…" if len(value) > 4 else "")
                badge.set_value(text, style.node_fill(), f"The input whose outputs the units show: "
                                f"{state.sample_text} ({text}). Choose another row in the Truth table view.")
            else:
                v = float(value[0])
                activation = "step" if types[name] == "MPNeuron" else str(node_item.node.params.get("activation"))
                lo, hi = BOUNDED.get(activation, (-max(abs(v), 1.0), max(abs(v), 1.0)))
                badge.set_value(fmt(v), value_color(v, lo, hi),
                                f"Output of '{name}' for {state.sample_text}: {v:.4g}")
            node_item.set_badge_space(BADGE_W + 6)
        for node_id in [n for n in self.badges if n not in seen]:
            item = self.scene.nodes.get(node_id)
            if item is not None:
                item.set_badge_space(0.0)
            _remove(self.badges.pop(node_id))


    def _show_biases(self, state: UnitState, names: dict[str, str], types: dict[str, str]) -> None:
        seen = set()
        for node_id, node_item in self.scene.nodes.items():
            name = names[node_id]
            if types.get(name) != "Neuron" or not node_item.node.params.get("use_bias", True):
                continue
            b = unit_bias(state.graph, state.weights, name)
            if b is None:
                continue
            seen.add(node_id)
            tag = self.biases.get(node_id)
            if tag is None or not shiboken6.isValid(tag) or tag.parentItem() is not node_item:
                tag = self.biases[node_id] = BiasTag(node_item)
            tag.set_bias(name, b)
        for node_id in [n for n in self.biases if n not in seen]:
            _remove(self.biases.pop(node_id))


def _remove(item) -> None:
    if shiboken6.isValid(item):
        scene = item.scene()
        item.setParentItem(None)
        if scene is not None:
            scene.removeItem(item)
