"""Training made visible on the canvas itself, like TensorFlow Playground.

- Every edge into a layer with weights gets a coloured band: orange when that layer's weights are
  mostly positive, blue when mostly negative, grey when balanced; thicker as mean |w| grows.
- For 2-D datasets each node gets a strip of thumbnails just below its card: what each of its
  first units outputs over the input plane (x1 right, x2 up; blue low, orange high).

Overlays are child items of the canvas items, so they move with them and vanish with them; the
model and the items' own painting are never touched. ``clear()`` removes everything.
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsPixmapItem

from nnsim.gui.canvas import style
from nnsim.training.live import LiveFrame
from nnsim.training.units import UNIT_KINDS

BLUE, WHITE, ORANGE = np.array([59, 117, 175]), np.array([247, 247, 247]), np.array([230, 120, 30])
MAX_UNITS = 8  # thumbnails per node
THUMB_PX = 16  # on-canvas size of one unit's map
GAP_PX = 2
BAND_ALPHA = 255


def _lut() -> np.ndarray:
    """256 opaque ARGB32 colours from blue through white to orange."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    rgb = np.where(t < 0.5, BLUE + (WHITE - BLUE) * (t / 0.5), WHITE + (ORANGE - WHITE) * ((t - 0.5) / 0.5))
    rgb = rgb.round().astype(np.uint32)
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


LUT = _lut()


def edge_band(w: np.ndarray) -> tuple[QColor, float, float, float]:
    """(colour, width, mean w, mean |w|) of the band for a layer whose weights are ``w``."""
    mean, mean_abs = float(np.mean(w)), float(np.mean(np.abs(w)))
    balance = mean / mean_abs if mean_abs > 0 else 0.0  # -1 all negative .. +1 all positive
    t = min(1.0, abs(balance) * 3.0)
    target = ORANGE if balance > 0 else BLUE
    grey = style.edge_color()
    base = np.array([grey.red(), grey.green(), grey.blue()])
    rgb = (base + (target - base) * t).round().astype(int)
    return QColor(*rgb, BAND_ALPHA), 1.5 + 5.0 * float(np.tanh(mean_abs)), mean, mean_abs


def layer_weight(weights: dict[str, np.ndarray], node: str) -> tuple[str, np.ndarray] | None:
    """The node's main weight matrix: ``node/weight`` if there is one, else its first 2-D+ weight."""
    key = f"{node}/weight"
    if key in weights:
        return key, weights[key]
    for k, w in weights.items():
        if k.split("/", 1)[0] == node and w.ndim >= 2:
            return k, w
    return None


def map_levels(maps: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit (lo, hi): the bounded range of sigmoid/softmax/tanh, else +-max|output| of each unit
    (so an input feature like x1^2 shows its shape next to x1)."""
    n = len(maps)
    if activation in ("sigmoid", "softmax"):
        return np.zeros(n), np.ones(n)
    if activation == "tanh":
        return -np.ones(n), np.ones(n)
    m = np.abs(maps.reshape(n, -1)).max(axis=1) if maps.size else np.ones(n)
    m = np.where(np.isfinite(m) & (m > 0), m, 1.0)
    return -m, m


class Thumbnails:
    """One node's strip of unit maps: a cached ARGB buffer wrapped by a QImage, shown by a pixmap item."""

    def __init__(self, node_item, units: int, g: int):
        self.units, self.g = units, g
        width = units * g + (units - 1) * GAP_PX * g // THUMB_PX
        self.step = g + GAP_PX * g // THUMB_PX
        self.buffer = np.zeros((g, width), dtype=np.uint32)  # transparent gaps
        self.image = QImage(self.buffer.data, width, g, width * 4, QImage.Format.Format_ARGB32)
        self.item = QGraphicsPixmapItem(node_item)
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.item.setScale(THUMB_PX / g)
        self.item.setPos(10.0, style.NODE_HEIGHT + 4.0)  # just below the card: the card's text fills it
        self.item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def update(self, maps: np.ndarray, levels: tuple[np.ndarray, np.ndarray], total: int) -> None:
        lo, hi = (v[:, None, None] for v in levels)
        scaled = (maps[:self.units, ::-1, :] - lo) * (255.0 / (hi - lo))  # flip: x2 grows upwards
        index = np.clip(np.nan_to_num(scaled, nan=127.0), 0, 255).astype(np.uint8)
        for u in range(self.units):
            x = u * self.step
            self.buffer[:, x:x + self.g] = LUT[index[u]]
        self.item.setPixmap(QPixmap.fromImage(self.image))
        shown = f"units 1-{self.units} of {total}" if total > self.units else f"all {total} units"
        self.item.setToolTip(f"Each square is one unit's output over the input plane (x1 right, x2 up): "
                             f"blue low, white 0, orange high. Showing {shown}.")


class LiveOverlay:
    def __init__(self, scene):
        self.scene = scene
        self.bands: dict[object, QGraphicsPathItem] = {}  # Edge -> band over its EdgeItem
        self.thumbnails: dict[str, Thumbnails] = {}  # node id -> its thumbnail strip

    def show_frame(self, frame: LiveFrame) -> None:
        self._show_bands(frame.snapshot.weights)
        self._show_thumbnails(frame.neuron_maps)

    def clear(self) -> None:
        for band in self.bands.values():
            self._remove(band)
        for thumbs in self.thumbnails.values():
            self._remove(thumbs.item)
        self.bands.clear()
        self.thumbnails.clear()

    # --- pieces -----------------------------------------------------------------------------------
    def _show_bands(self, weights: dict[str, np.ndarray]) -> None:
        seen = set()
        for edge, edge_item in self.scene.edges.items():
            dst = self.scene.nodes.get(edge.dst)
            if dst is None or dst.node.type in UNIT_KINDS:
                continue  # units show each edge's own weights (unit_overlay.py)
            found = layer_weight(weights, dst.node.name)
            if found is None:
                continue
            seen.add(edge)
            key, w = found
            color, width, mean, mean_abs = edge_band(w)
            band = self.bands.get(edge)
            if band is None or not shiboken6.isValid(band) or band.parentItem() is not edge_item:
                band = self.bands[edge] = self._new_band(edge_item)
            band.setPath(edge_item.path())  # follows node moves
            band.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            band.setToolTip(f"{key}: mean w {mean:+.3f}, mean |w| {mean_abs:.3f} "
                            f"(orange: mostly positive, blue: mostly negative; width: mean |w|)")
        for edge in [e for e in self.bands if e not in seen]:
            self._remove(self.bands.pop(edge))

    @staticmethod
    def _new_band(edge_item) -> QGraphicsPathItem:
        band = QGraphicsPathItem(edge_item)
        band.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks still select the edge
        return band

    def _show_thumbnails(self, neuron_maps: dict[str, np.ndarray]) -> None:
        seen = set()
        for node_id, node_item in self.scene.nodes.items():
            maps = neuron_maps.get(node_item.node.name)
            if maps is None or maps.ndim != 3 or len(maps) == 0:
                continue
            seen.add(node_id)
            units, g = min(len(maps), MAX_UNITS), maps.shape[1]
            thumbs = self.thumbnails.get(node_id)
            if (thumbs is None or not shiboken6.isValid(thumbs.item) or thumbs.item.parentItem() is not node_item
                    or (thumbs.units, thumbs.g) != (units, g)):
                if thumbs is not None:
                    self._remove(thumbs.item)
                thumbs = self.thumbnails[node_id] = Thumbnails(node_item, units, g)
            activation = str(node_item.node.params.get("activation", ""))
            thumbs.update(maps, map_levels(maps[:units], activation), len(maps))
        for node_id in [n for n in self.thumbnails if n not in seen]:
            self._remove(self.thumbnails.pop(node_id).item)

    def _remove(self, item) -> None:
        if shiboken6.isValid(item):
            scene = item.scene()
            item.setParentItem(None)
            if scene is not None:
                scene.removeItem(item)
