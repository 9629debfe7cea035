"""Weights: one layer's weight matrix as a heatmap (or Hinton diagram) and how its values spread over time.

The heatmap is centred at zero (blue negative, orange positive, levels +-max|w|); conv kernels are
tiled out x in. The histogram strip below adds one column per frame, so a learner sees the
distribution widen, drift or collapse while training runs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.live import LiveFrame

HINTON_MAX = 40  # Hinton squares only up to this many rows and columns
HISTORY_FRAMES = 300  # histogram columns kept
BINS = 48  # bins across the first frame's range (fewer for small layers)
MIN_BINS = 12
MAX_BINS = 192  # beyond this, neighbouring bins are merged (exactly: counts add up)
EMPTY = "Weights appear here once training starts (press Play).\nSelect a node on the canvas to see its weights."


def matrix_keys(weights: dict[str, np.ndarray]) -> list[str]:
    """Weight names holding a matrix or kernels (2-D or more): biases are left out."""
    return [key for key, w in weights.items() if w.ndim >= 2]


def display_matrix(w: np.ndarray) -> np.ndarray:
    """A 2-D picture of a weight: (out, in) as is; kernels (out, in, [kh,] kw) tiled with NaN gaps,
    one row of tiles per filter and one column per input channel (single-channel filters wrap
    into a near-square grid)."""
    if w.ndim == 2:
        return np.asarray(w, dtype=np.float32)
    n_out, n_in, kw = w.shape[0], w.shape[1], w.shape[-1]
    k = np.asarray(w, dtype=np.float32).reshape(n_out, n_in, -1, kw)  # 1-D kernels become one row
    if n_in == 1 and n_out > 1:
        cols = int(np.ceil(np.sqrt(n_out)))
        rows = -(-n_out // cols)
        grid = np.full((rows * cols,) + k.shape[2:], np.nan, dtype=np.float32)
        grid[:n_out] = k[:, 0]
        k = grid.reshape(rows, cols, *k.shape[2:])
    return tile(k)


def tile(k: np.ndarray) -> np.ndarray:
    """(rows, cols, kh, kw) kernels -> one (rows*(kh+1)-1, cols*(kw+1)-1) image, NaN between tiles."""
    rows, cols, kh, kw = k.shape
    padded = np.full((rows, kh + 1, cols, kw + 1), np.nan, dtype=np.float32)
    padded[:, :kh, :, :kw] = k.transpose(0, 2, 1, 3)
    return np.ascontiguousarray(padded.reshape(rows * (kh + 1), cols * (kw + 1))[:-1, :-1])


class HistogramHistory:
    """Counts of one weight's values per frame over fixed-width bins that grow to cover new values.

    The columns live in one (frames, bins) array, so growing or merging bins is one array operation
    rather than one per kept frame (it happens often while weights spread, measured at 0.7 ms a frame).
    """

    def __init__(self, frames: int = HISTORY_FRAMES):
        self.frames = frames
        self._counts = np.zeros((0, 0), dtype=np.float32)  # rows: frames from old to new; columns: bins
        self.origin = 0.0  # left edge of bin 0
        self.width = 0.0  # bin width (0 until the first frame)

    def __len__(self) -> int:
        return len(self._counts)

    @property
    def n_bins(self) -> int:
        return self._counts.shape[1]

    def add(self, values: np.ndarray) -> None:
        v = np.asarray(values, dtype=np.float64).ravel()
        v = v[np.isfinite(v)]
        if not len(self):
            lo, hi = (float(v.min()), float(v.max())) if v.size else (-1.0, 1.0)
            pad = max(hi - lo, 1e-3) * 0.05
            n = int(np.clip(2 * np.sqrt(v.size), MIN_BINS, BINS))  # few weights, few bins
            self.origin, self.width = lo - pad, (hi - lo + 2 * pad) / n
            self._counts = np.zeros((0, n), dtype=np.float32)
        if v.size:
            self._grow(float(v.min()), float(v.max()))
        n = self.n_bins
        index = np.clip(((v - self.origin) / self.width).astype(np.int64), 0, n - 1)
        column = (np.bincount(index, minlength=n) / max(v.size, 1)).astype(np.float32)
        keep = self._counts[1:] if len(self) == self.frames else self._counts
        self._counts = np.concatenate([keep, column[None]])

    def _grow(self, lo: float, hi: float) -> None:
        """Add whole bins below/above so [lo, hi] is covered; merge pairs when there are too many."""
        n = self.n_bins
        below = max(0, int(np.ceil((self.origin - lo) / self.width)))
        above = max(0, int(np.floor((hi - self.origin) / self.width)) + 1 - n)
        if below or above:
            self.origin -= below * self.width
            self._counts = np.pad(self._counts, ((0, 0), (below, above)))
        while self.n_bins > MAX_BINS:
            if self.n_bins % 2:
                self._counts = np.pad(self._counts, ((0, 0), (0, 1)))
            self.width *= 2
            self._counts = self._counts.reshape(len(self), -1, 2).sum(axis=2)

    def image(self) -> np.ndarray:
        """(bins, frames): rows are value bins from low to high, columns frames from old to new."""
        return np.ascontiguousarray(self._counts.T)

    @property
    def value_range(self) -> tuple[float, float]:
        return self.origin, self.origin + self.width * self.n_bins


class WeightsView(LiveView):
    title = "Weights"
    key = "weights"
    parts = frozenset({"weights"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.histories: dict[str, HistogramHistory] = {}
        self._bound: float | None = None  # the colour scale's current bound, and the weight it was fitted to
        self._bound_key: str | None = None
        self._recorded: LiveFrame | None = None
        self._choice: dict[str, str] = {}  # node -> weight name picked in the combo
        self.shown_key: str | None = None
        self.matrix: np.ndarray | None = None  # what the heatmap shows
        self._note = ""  # "'pool' has no weights: showing " when falling back
        self._combo_keys: list[str] = []
        self._build()
        self.redraw()

    # --- widgets --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.caption = QLabel()
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # it yields, not the combo
        self.weight_combo = QComboBox()
        self.weight_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.weight_combo.setToolTip("Which weight of the node to show (recurrent layers have several).")
        self.weight_combo.activated.connect(self._combo_changed)
        self.hinton_box = QCheckBox("Hinton")
        self.hinton_box.setToolTip("Squares whose area is |w| (orange positive, blue negative).")
        self.hinton_box.toggled.connect(lambda _: self.redraw())
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(ps.steady_label(self.caption), 1)
        bar.addWidget(self.weight_combo)
        bar.addWidget(self.hinton_box)

        self.plot = ps.plot_widget()
        self.plot.invertY(True)
        for name in ("left", "bottom"):
            ps.no_si_prefix(self.plot.getPlotItem().getAxis(name))  # indices, never "(x0.001)"
        self.plot.setLabel("bottom", "input (from)")
        self.plot.setLabel("left", "unit (to)")
        self.image = ps.image_item()
        self.plot.addItem(self.image)
        self.bar = ps.color_bar(self.plot, self.image, ps.diverging_cmap(), label="w")
        self.hinton_pos = pg.ScatterPlotItem(symbol="s", pxMode=False, pen=None, brush=ps.class_color(1))
        self.hinton_neg = pg.ScatterPlotItem(symbol="s", pxMode=False, pen=None, brush=ps.class_color(0))
        for item in (self.hinton_pos, self.hinton_neg):
            self.plot.addItem(item)

        self.hist_plot = ps.plot_widget()
        self.hist_plot.setLabel("bottom", "frame (0 = now)")
        self.hist_plot.setLabel("left", "w")
        ps.no_si_prefix(self.hist_plot.getPlotItem().getAxis("left"))
        self.hist_plot.setMouseEnabled(x=False, y=False)
        self.hist_image = ps.image_item()
        self.hist_image.setColorMap(ps.sequential_cmap())
        self.hist_plot.addItem(self.hist_image)
        self.hist_plot.setXRange(-HISTORY_FRAMES, 0, padding=0)  # columns fill in from the right
        self.hist_y = ps.SteadyRange(self.hist_plot, "y", pad=0.0)
        self.hist_plot.setMaximumHeight(170)
        for plot in (self.plot, self.hist_plot):
            ps.style_plot_item(plot.getPlotItem())
            ps.enable_export(plot)  # right-click > Export... (PNG, SVG, CSV)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.hist_plot, 1)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView ---------------------------------------------------------------------------------
    def show_frame(self, frame: LiveFrame) -> None:
        if frame is not self._recorded:
            self._record(frame)
        super().show_frame(frame)

    def reset(self) -> None:
        self.histories.clear()
        self.hist_y.reset()
        self._recorded = None
        super().reset()

    def redraw(self) -> None:
        key = self._pick_key()
        if key is None:
            self.shown_key, self.matrix = None, None
            message = EMPTY if self.frame is None else "This network has no weight matrices to show."
            self.stack.show_empty(message)
            return
        self.stack.show_content()
        self.shown_key = key
        w = self.frame.snapshot.weights[key]
        self._draw_matrix(key, w)
        self._draw_history(key)

    # --- pieces -------------------------------------------------------------------------------------
    def _record(self, frame: LiveFrame) -> None:
        """One histogram column per new frame for every weight matrix (so a later selection has a past)."""
        self._recorded = frame
        for key in matrix_keys(frame.snapshot.weights):
            self.histories.setdefault(key, HistogramHistory()).add(frame.snapshot.weights[key])

    def _pick_key(self) -> str | None:
        """The selected node's weight (the one chosen in the combo), else the first matrix."""
        if self.frame is None:
            return None
        keys = matrix_keys(self.frame.snapshot.weights)
        if not keys:
            return None
        selected = self.context.selected_node()
        node_keys = [k for k in keys if k.split("/", 1)[0] == selected]
        note = ""
        if not node_keys:
            if selected:
                note = f"'{selected}' has no weights: showing "
            node_keys = [k for k in keys if k.split("/", 1)[0] == keys[0].split("/", 1)[0]]
        node = node_keys[0].split("/", 1)[0]
        key = self._choice.get(node)
        key = key if key in node_keys else node_keys[0]
        self._fill_combo(node_keys, key)
        self._note = note
        return key

    def _fill_combo(self, keys: list[str], current: str) -> None:
        names = [k.split("/", 1)[1] for k in keys]
        if [self.weight_combo.itemText(i) for i in range(self.weight_combo.count())] != names:
            self.weight_combo.blockSignals(True)
            self.weight_combo.clear()
            self.weight_combo.addItems(names)
            self.weight_combo.blockSignals(False)
        self.weight_combo.setCurrentIndex(names.index(current.split("/", 1)[1]))
        self.weight_combo.setVisible(len(names) > 1)
        self._combo_keys = keys

    def _combo_changed(self, index: int) -> None:
        key = self._combo_keys[index]
        self._choice[key.split("/", 1)[0]] = key
        self.redraw()

    def _draw_matrix(self, key: str, w: np.ndarray) -> None:
        m = display_matrix(w)
        self.matrix = m
        finite = m[np.isfinite(m)]
        self._bound = ps.steady_bound(ps.symmetric_levels(finite)[1], self._bound if key == self._bound_key else None)
        self._bound_key = key
        levels = (-self._bound, self._bound)
        rows, cols = m.shape
        hinton_ok = w.ndim == 2 and rows <= HINTON_MAX and cols <= HINTON_MAX
        self.hinton_box.setEnabled(hinton_ok)
        self.hinton_box.setToolTip("Squares whose area is |w| (orange positive, blue negative)." if hinton_ok else
                                   f"Hinton squares need a matrix of at most {HINTON_MAX}x{HINTON_MAX}; "
                                   f"this one is {w.shape[0]}x{int(np.prod(w.shape[1:]))}"
                                   + (" (conv kernels)." if w.ndim > 2 else "."))
        hinton = hinton_ok and self.hinton_box.isChecked()
        if hinton:
            self._draw_hinton(m, ps.symmetric_levels(finite)[1])  # the largest |w| fills its cell
        self.image.setVisible(not hinton)
        self.hinton_pos.setVisible(hinton)
        self.hinton_neg.setVisible(hinton)
        ps.set_image(self.image, m, levels, rect=(-0.5, -0.5, cols, rows))  # cell (r, c) centred on (c, r)
        ps.set_bar_levels(self.bar, levels)
        self._set_axes(w, hinton)
        layout = f"{w.shape[0]} out x {w.shape[1]} in" + (
            f", {'x'.join(map(str, w.shape[2:]))} kernels" if w.ndim > 2 else "")
        self.caption.setText(f"{self._note}<b>{key}</b> &nbsp; {layout} &nbsp; "
                             f"mean |w| {np.abs(finite).mean():.3g}, max |w| {levels[1]:.3g}")

    def _draw_hinton(self, m: np.ndarray, scale: float) -> None:
        rows, cols = np.indices(m.shape)
        size = np.sqrt(np.abs(m) / scale) * 0.95  # area ~ |w|
        for item, mask in ((self.hinton_pos, m > 0), (self.hinton_neg, m < 0)):
            item.setData(x=cols[mask], y=rows[mask], size=size[mask])

    def _set_axes(self, w: np.ndarray, hinton: bool) -> None:
        """Square cells for kernels and Hinton squares; tiled kernels get no index ticks."""
        kernels = w.ndim > 2
        key = (kernels, hinton, kernels and w.shape[1] > 1)
        if key == getattr(self, "_axes_key", None):
            return  # unchanged: re-setting labels would re-lay out and repaint the axes
        self._axes_key = key
        self.plot.setAspectLocked(kernels or hinton)
        self.plot.setLabel("bottom", "input channel" if kernels and w.shape[1] > 1 else
                           ("filters" if kernels else "input (from)"))
        self.plot.setLabel("left", "filter" if kernels and w.shape[1] > 1 else ("" if kernels else "unit (to)"))
        for name in ("left", "bottom"):
            self.plot.getPlotItem().getAxis(name).setStyle(showValues=not kernels)

    def _draw_history(self, key: str) -> None:
        if key != getattr(self, "_history_key", None):
            self._history_key = key
            self.hist_y.reset()  # another layer: fit its range afresh
        history = self.histories.get(key)
        if history is None or not len(history):
            self.hist_image.clear()
            return
        img = np.sqrt(history.image())  # square root: thin tails stay visible next to the bulk
        lo, hi = history.value_range
        ps.set_image(self.hist_image, img, (0.0, float(img.max()) or 1.0),
                     rect=(-float(len(history)), lo, float(len(history)), hi - lo))
        self.hist_y.fit(lo, hi)
