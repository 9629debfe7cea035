"""Feature maps: what every channel of a conv or pooling layer makes of one input image, and its kernels.

One probe image (picked with a spin box, shown with its label and the network's prediction), the
selected layer's channels for that image as one tiled mosaic (1-px grey separators), and for a
Conv2D its kernels as a second mosaic (one column per filter, one row per input channel, blue < 0 <
orange, white at 0). Each mosaic is a single ImageItem updated in place, so a redraw is one copy
and one colour lookup per mosaic.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from nnsim.gui.canvas import style
from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext

MAP_TYPES = ("Conv2D", "MaxPool2D", "AvgPool2D")
SEPARATOR = (200, 202, 206)
LEVEL_MODES = (("each map scaled to its own min..max", "own"), ("one scale for all maps", "shared"))
EMPTY = ("No feature maps yet: train a network with a Conv2D layer (e.g. the digits-cnn example) "
         "to see what each filter finds in an image.")
NO_CONV = "This network has no Conv2D layer, so there are no feature maps to show."


# --- mosaics -----------------------------------------------------------------------------------
def grid_columns(n: int) -> int:
    """Columns for n tiles: the first divisor of n from sqrt(n) up (a full, wide grid), else ceil(sqrt)."""
    root = math.sqrt(max(n, 1))
    for c in range(math.ceil(root), int(2 * root) + 2):
        if n % c == 0:
            return c
    return math.ceil(root)


def tile(maps: np.ndarray, cols: int, fill: float) -> np.ndarray:
    """(n, h, w) -> one (rows*(h+1)-1, cols*(w+1)-1) float32 image with ``fill`` between the tiles."""
    n, h, w = maps.shape
    rows = max(-(-n // cols), 1)
    out = np.full((rows, h + 1, cols, w + 1), fill, dtype=np.float32)
    padded = np.full((rows * cols, h, w), fill, dtype=np.float32)
    padded[:n] = maps
    out[:, :h, :, :w] = padded.reshape(rows, cols, h, w).transpose(0, 2, 1, 3)
    return np.ascontiguousarray(out.reshape(rows * (h + 1), cols * (w + 1))[:-1, :-1])


def separator_levels(lo: float, hi: float) -> tuple[tuple[float, float], float]:
    """Image levels that map lo..hi onto entries 1..255 of a 256-entry table (entry 0 = separator).

    pyqtgraph picks entry trunc((v - L) * 256 / (H - L)); lo lands on 1.25 and hi on 255.75, so the
    middle value lands on 128.5, the centre of a 255-colour map (white for a diverging one).
    Returns ((L, H), value to write into separator pixels).
    """
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + 1.0
    span = (hi - lo) * 256.0 / 254.5
    low = lo - 1.25 * span / 256.0
    return (low, low + span), low - span


def separator_lut(cmap: pg.ColorMap) -> np.ndarray:
    """256 RGB entries: entry 0 the separator grey, entries 1..255 the colour map."""
    lut = np.empty((256, 3), dtype=np.uint8)
    lut[0] = SEPARATOR
    lut[1:] = cmap.getLookupTable(0.0, 1.0, 255, alpha=False)
    return lut


def normalize_each(maps: np.ndarray) -> np.ndarray:
    """Each (h, w) map scaled to 0..1 by its own min and max (a flat map becomes 0)."""
    flat = maps.reshape(len(maps), -1).astype(np.float32)
    lo = flat.min(axis=1, keepdims=True)
    span = flat.max(axis=1, keepdims=True) - lo
    out = np.divide(flat - lo, span, out=np.zeros_like(flat), where=span > 0)
    return out.reshape(maps.shape)


def _mosaic_plot(layout: pg.GraphicsLayoutWidget, row: int, col: int, title: str, cmap: pg.ColorMap,
                 rowspan: int = 1) -> tuple[pg.PlotItem, pg.ImageItem]:
    plot = layout.addPlot(row=row, col=col, rowspan=rowspan)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setAspectLocked(True)
    plot.invertY(True)  # row 0 at the top, as images are read
    plot.setTitle(title, color=style.text_color().name(), size="9pt")
    item = ps.image_item()
    item.setLookupTable(separator_lut(cmap))
    plot.addItem(item)
    return plot, item


def probe_class_labels(dataset, probe_inputs: np.ndarray) -> list[str] | None:
    """Class names of the probe samples (the first test samples), or None when they can't be known."""
    if dataset is None or probe_inputs is None or dataset.task != "classification" or not dataset.n_test:
        return None
    labels = dataset.labels_test
    n = len(probe_inputs)
    if labels is None or labels.ndim != 1 or len(labels) < n:
        return None
    first = np.asarray(dataset.x_test[0], dtype=np.float32).ravel()
    if first.shape != probe_inputs[0].shape or not np.allclose(first, probe_inputs[0]):
        return None  # the probe came from elsewhere (no test split): don't guess
    names = dataset.class_names
    return [names[int(i)] if 0 <= int(i) < len(names) else str(int(i)) for i in labels[:n]]


def predicted_class(dataset, outputs: np.ndarray | None, index: int) -> str | None:
    if dataset is None or outputs is None or dataset.task != "classification" or index >= len(outputs):
        return None
    row = np.asarray(outputs[index]).ravel()
    if row.size == 0 or row.size != np.asarray(outputs[0]).size or (row.size > 1 and row.size != dataset.n_classes):
        return None
    k = int(row[0] > 0.5) if row.size == 1 else int(np.argmax(row))
    names = dataset.class_names
    return names[k] if k < len(names) else str(k)


class MosaicDrawing:
    """Shared by the views that draw image mosaics: fit a mosaic's plot once per new geometry (then leave
    the user's zoom alone), and set plot titles only when their text changes."""

    def _init_mosaics(self) -> None:
        self._shapes: dict[str, tuple] = {}
        self._titles: dict[int, str] = {}

    def _show_mosaic(self, item: pg.ImageItem, plot: pg.PlotItem, key: str, data: np.ndarray, levels) -> None:
        item.setImage(data, autoLevels=False, levels=levels)
        if self._shapes.get(key) != data.shape:
            self._shapes[key] = data.shape
            plot.getViewBox().autoRange(padding=0.02)

    def _set_title(self, plot: pg.PlotItem, text: str) -> None:
        if self._titles.get(id(plot)) != text:
            self._titles[id(plot)] = text
            plot.setTitle(text, color=style.text_color().name(), size="9pt")


class FeatureMapsView(MosaicDrawing, LiveView):
    title = "Feature maps"
    key = "feature_maps"
    parts = frozenset({"activations", "weights"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.node: str | None = None  # the layer drawn last
        self.mosaic: np.ndarray | None = None  # the feature-map image as drawn (tests read these)
        self.kernel_mosaic: np.ndarray | None = None
        self.input_image: np.ndarray | None = None
        self._init_mosaics()

        content = QWidget()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("Input image"))
        self.sample_box = QSpinBox()
        self.sample_box.setRange(0, 15)  # narrowed to the probe size by the first frame
        self.sample_box.setToolTip("Which of the probe images (the first test images) to run through the layer")
        self.sample_box.valueChanged.connect(self.redraw_if_frame)
        bar.addWidget(self.sample_box)
        self.sample_label = QLabel()
        bar.addWidget(ps.steady_label(self.sample_label), 1)
        bar.addWidget(QLabel("Colours:"))
        self.levels_box = QComboBox()
        for text, mode in LEVEL_MODES:
            self.levels_box.addItem(text, mode)
        self.levels_box.setToolTip("Own range: every map uses the full colour scale, so weak maps still show "
                                   "their pattern. One scale: compare how strongly the channels respond.")
        self.levels_box.currentIndexChanged.connect(self.redraw_if_frame)
        bar.addWidget(self.levels_box)

        self.caption = QLabel()
        self.caption.setStyleSheet(f"color: {style.muted_text_color().name()};")
        self.caption.setContentsMargins(6, 0, 6, 0)
        self.caption.setWordWrap(True)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(style.canvas_background())
        self.input_plot, self.input_item = _mosaic_plot(self.plots, 0, 0, "Input", ps.sequential_cmap())
        self.map_plot, self.map_item = _mosaic_plot(self.plots, 0, 1, "Feature maps", ps.sequential_cmap())
        self.kernel_plot, self.kernel_item = _mosaic_plot(self.plots, 0, 2, "Kernels", ps.diverging_cmap())
        grid = self.plots.ci.layout
        for col, stretch in enumerate((2, 5, 4)):
            grid.setColumnStretchFactor(col, stretch)

        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(bar)
        box.addWidget(ps.steady_label(self.caption, lines=2))
        box.addWidget(self.plots, 1)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._scale = self._kind = ""
        self.redraw()

    # --- contract ------------------------------------------------------------------------------
    def applies_to(self, frame) -> bool:
        return bool(self._candidates(frame)[1])

    def reset(self) -> None:
        self._shapes.clear()
        super().reset()



    def _dataset(self):
        try:
            return self.context.project().load_dataset()
        except Exception:
            return None

    def _candidates(self, frame) -> tuple[dict[str, str], list[str]]:
        """(node types, names of Conv2D nodes with image activations in the frame, in graph order)."""
        acts = frame.snapshot.activations
        types = self.node_types()
        convs = [n for n, t in types.items() if t == "Conv2D" and n in acts and acts[n].ndim == 4]
        if not types:  # no graph to ask: a 4-D "weight" marks a Conv2D
            convs = [k.split("/")[0] for k, w in frame.snapshot.weights.items()
                     if k.endswith("/weight") and w.ndim == 4 and k.split("/")[0] in acts]
            types = {n: "Conv2D" for n in convs}
        return types, convs

    def chosen_node(self, frame) -> str | None:
        """The selected node if it's a conv/pool node (or another layer giving images), else the first Conv2D."""
        types, convs = self._candidates(frame)
        selected = self.context.selected_node()
        acts = frame.snapshot.activations
        if selected in acts and acts[selected].ndim == 4 and types.get(selected) not in (None, "Input"):
            return selected
        return convs[0] if convs else None

    # --- drawing ---------------------------------------------------------------------------------
    def redraw(self) -> None:
        frame = self.frame
        if frame is None:
            self.node = self.mosaic = self.kernel_mosaic = self.input_image = None
            self.stack.show_empty(EMPTY)
            return
        node = self.chosen_node(frame)
        if node is None:
            self.node = None
            self.stack.show_empty(NO_CONV)
            return
        snap = frame.snapshot
        types = self.node_types() or {node: "Conv2D"}
        acts = snap.activations[node]
        n = len(acts)
        if self.sample_box.maximum() != n - 1:
            self.sample_box.blockSignals(True)
            self.sample_box.setRange(0, max(n - 1, 0))
            self.sample_box.blockSignals(False)
        i = min(self.sample_box.value(), n - 1)
        dataset = self._dataset()
        self._draw_input(snap, dataset, i)
        self._draw_maps(node, types.get(node, ""), acts[i])
        self._draw_kernels(node, snap.weights.get(f"{node}/weight"))
        self.node = node
        self.stack.show_content()

    def _draw_input(self, snap, dataset, i: int) -> None:
        probe = snap.probe_inputs
        labels = probe_class_labels(dataset, probe)
        text = []
        if labels is not None:
            text.append(f"label <b>{labels[i]}</b>")
        guess = predicted_class(dataset, snap.probe_outputs, i)
        if guess is not None:
            mark = "" if labels is None else (" ✓" if guess == labels[i] else " ✗")
            text.append(f"predicted <b>{guess}</b>{mark}")
        self.sample_label.setText(" · ".join(text))
        shape = tuple(dataset.input_shape) if dataset is not None else ()
        if probe is None or len(shape) != 3 or int(np.prod(shape)) != probe.shape[1]:
            self.input_image = None
            self.input_item.clear()
            return
        image = probe[i].reshape(shape)  # (C, H, W)
        lo, hi = float(image.min()), float(image.max())
        levels, fill = separator_levels(lo, hi)
        self.input_image = tile(image, grid_columns(len(image)), fill)
        self._show_mosaic(self.input_item, self.input_plot, "input", self.input_image, levels)

    def _draw_maps(self, node: str, kind: str, maps: np.ndarray) -> None:
        c, h, w = maps.shape
        mode = self.levels_box.currentData()
        if mode == "own":
            data, (lo, hi) = normalize_each(maps), (0.0, 1.0)
            self._scale = "each map from its own min (white) to max (blue)"
        else:
            data = maps
            lo, hi = float(maps.min()), float(maps.max())
            self._scale = f"all maps white {lo:.3g} … blue {hi:.3g}"
        levels, fill = separator_levels(lo, hi)
        self.mosaic = tile(data, grid_columns(c), fill)
        self._show_mosaic(self.map_item, self.map_plot, "maps", self.mosaic, levels)
        self._set_title(self.map_plot, f"{node}: {c} map{'s' if c != 1 else ''} of {h}×{w}")
        self._kind = kind

    def _draw_kernels(self, node: str, weight: np.ndarray | None) -> None:
        parts = [f"{self._kind} '{node}'", f"maps: channel 0, 1, … left to right, top to bottom; {self._scale}"]
        if weight is None or weight.ndim != 4:
            self.kernel_mosaic = None
            self.kernel_item.clear()
            self.kernel_plot.setVisible(False)
            self.caption.setText(" · ".join(parts))
            return
        self.kernel_plot.setVisible(True)
        f, c, k, _ = weight.shape
        lo, hi = ps.symmetric_levels(weight)
        levels, fill = separator_levels(lo, hi)
        if c == 1:  # one kernel per map: the same grid as the maps, so each sits where its map does
            self.kernel_mosaic = tile(weight[:, 0], grid_columns(f), fill)
            parts.append("each kernel sits where its map does")
        else:  # rows = input channels, columns = filters (output channels)
            rows = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)).reshape(c * f, k, k)
            self.kernel_mosaic = tile(rows, f, fill)
            parts.append("kernels: column = filter (output channel), row = input channel (scroll to zoom)")
        self._show_mosaic(self.kernel_item, self.kernel_plot, "kernels", self.kernel_mosaic, levels)
        self._set_title(self.kernel_plot, f"Kernels {k}×{k}: blue {lo:.2g} · white 0 · orange {hi:.2g}")
        self.caption.setText(" · ".join(parts))
