"""Category icons drawn with QPainter, so the palette, inspector and menus need no image files.

Each icon is a rounded square in the category colour (the same colour the canvas uses for that
category's nodes, so an icon and a node read as the same thing) with a simple white glyph.
Icons are cached: the palette asks for one per row and the inspector on every selection.
"""

from __future__ import annotations

import math
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from nnsim.gui.canvas.style import category_color

# Drawn at several sizes rather than scaled from one pixmap, so small icons stay crisp.
_SIZES = (16, 20, 24, 32, 48, 64)
_cache: dict[str, QIcon] = {}

Glyph = Callable[[QPainter, float], None]  # painter and the side of the glyph's unit square


def category_icon(category: str) -> QIcon:
    """The icon of a layer category; unknown categories get a neutral dot glyph."""
    icon = _cache.get(category)
    if icon is None:
        icon = QIcon()
        for size in _SIZES:
            icon.addPixmap(category_pixmap(category, size))
        _cache[category] = icon
    return icon


def type_icon(type_name: str) -> QIcon:
    """The icon of a layer type (its category's icon); an unknown type gets the neutral icon."""
    from nnsim.engine.layers.base import layer_kinds  # lazy: the registry imports every kind

    kind = layer_kinds().get(type_name)
    return category_icon(kind.category if kind is not None else "")


def category_pixmap(category: str, size: int) -> QPixmap:
    """One rendering of a category icon, ``size`` pixels square (transparent corners)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0.5, 0.5, size - 1.0, size - 1.0)
    color = category_color(category)
    painter.setPen(QPen(color.darker(130), max(1.0, size / 24)))
    painter.setBrush(QBrush(color))
    painter.drawRoundedRect(rect, size * 0.22, size * 0.22)
    # The glyph lives in the inner 60 % so it never touches the rounded corners.
    inner = size * 0.6
    painter.translate(size * 0.2, size * 0.2)
    pen = QPen(QColor("#ffffff"), max(1.2, size / 13))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    _GLYPHS.get(category, _dot)(painter, inner)
    painter.end()
    return pixmap


# --- glyphs, each in a square of side s at the origin ----------------------------------------------
def _arrow(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(0.05 * s, 0.5 * s), QPointF(0.9 * s, 0.5 * s))
    p.drawPolyline(QPolygonF([QPointF(0.55 * s, 0.18 * s), QPointF(0.92 * s, 0.5 * s),
                              QPointF(0.55 * s, 0.82 * s)]))


def _neuron(p: QPainter, s: float) -> None:
    for y in (0.12, 0.5, 0.88):
        p.drawLine(QPointF(0.0, y * s), QPointF(0.55 * s, 0.5 * s))
    p.setBrush(QColor("#ffffff"))
    p.drawEllipse(QPointF(0.7 * s, 0.5 * s), 0.24 * s, 0.24 * s)


def _curve(p: QPainter, s: float) -> None:
    path = QPainterPath(QPointF(0.0, 0.9 * s))
    for i in range(1, 21):
        x = i / 20
        y = 1 / (1 + math.exp(-12 * (x - 0.5)))
        path.lineTo(QPointF(x * s, (0.9 - 0.8 * y) * s))
    p.drawPath(path)


def _grid(p: QPainter, s: float) -> None:
    pen = p.pen()
    pen.setWidthF(max(1.0, pen.widthF() * 0.7))
    p.setPen(pen)
    for i in range(4):
        t = i / 3 * s
        p.drawLine(QPointF(t, 0.0), QPointF(t, s))
        p.drawLine(QPointF(0.0, t), QPointF(s, t))


def _loop(p: QPainter, s: float) -> None:
    rect = QRectF(0.08 * s, 0.08 * s, 0.84 * s, 0.84 * s)
    p.drawArc(rect, 90 * 16, 290 * 16)  # from 12 o'clock counter-clockwise, leaving a gap
    tip = QPointF(0.5 * s, 0.08 * s)
    p.drawPolyline(QPolygonF([tip + QPointF(0.28 * s, -0.16 * s), tip, tip + QPointF(0.26 * s, 0.2 * s)]))


def _dashed(p: QPainter, s: float) -> None:
    for y in (0.2, 0.5, 0.8):
        for x0 in (0.0, 0.38, 0.76):
            p.drawLine(QPointF(x0 * s, y * s), QPointF((x0 + 0.22) * s, y * s))


def _plus(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(0.5 * s, 0.05 * s), QPointF(0.5 * s, 0.95 * s))
    p.drawLine(QPointF(0.05 * s, 0.5 * s), QPointF(0.95 * s, 0.5 * s))


def _bars(p: QPainter, s: float) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffffff"))
    for i, h in enumerate((0.45, 0.95, 0.7)):
        p.drawRect(QRectF((0.04 + i * 0.35) * s, (1 - h) * s, 0.22 * s, h * s))


def _bipartite(p: QPainter, s: float) -> None:
    """Two layers of units, every hidden unit joined to every visible one (an RBM)."""
    hidden = [QPointF(x * s, 0.15 * s) for x in (0.25, 0.75)]
    visible = [QPointF(x * s, 0.85 * s) for x in (0.1, 0.5, 0.9)]
    for h in hidden:
        for v in visible:
            p.drawLine(h, v)
    p.setBrush(QColor("#ffffff"))
    for c in hidden + visible:
        p.drawEllipse(c, 0.11 * s, 0.11 * s)


def _dot(p: QPainter, s: float) -> None:
    p.setBrush(QColor("#ffffff"))
    p.drawEllipse(QPointF(0.5 * s, 0.5 * s), 0.22 * s, 0.22 * s)


_GLYPHS: dict[str, Glyph] = {
    "Inputs and outputs": _arrow,
    "Neurons and dense layers": _neuron,
    "Activations": _curve,
    "Convolution and pooling": _grid,
    "Recurrent": _loop,
    "Regularization": _dashed,
    "Merge": _plus,
    "Shape": _bars,
    "Unsupervised and generative": _bipartite,
}
