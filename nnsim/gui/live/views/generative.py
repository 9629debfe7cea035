"""What an RBM or an autoencoder has learned: reconstructions beside inputs, Gibbs samples, filters,
its error and free energy over time, and a 2-D code scatter.

The frame carries one snapshot per pretrainable node (``frame.generative``: node -> an RBM or
autoencoder snapshot, see :mod:`nnsim.training.rbm_trainer` and :mod:`nnsim.training.autoencoder_trainer`).
The view draws the node selected on the canvas if it has one, else the node being pretrained now,
else the first. Every image grid is
one ImageItem updated in place (the mosaics of :mod:`.feature_maps`); input i, its reconstruction
and chain i's sample (a denoising autoencoder: input i's corrupted copy) sit at the same place in
their grids, so the eye can compare them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnsim.engine import rbm_exact
from nnsim.gui.canvas import style
from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.gui.live.views.feature_maps import MosaicDrawing, _mosaic_plot, grid_columns, separator_levels, tile

EMPTY = ("No generative model yet: train a network with an RBM or Autoencoder node (e.g. the rbm-digits "
         "or autoencoder-digits example) to see its reconstructions, samples and filters.")
NO_MODEL = "This network has no RBM or Autoencoder node, so there is nothing to reconstruct."
MAX_FILTERS = 256  # more hidden units than this: the first 256 are drawn (the title says so)
ERROR_COLOR = ps.SERIES_COLORS["train"]
TEST_COLOR = ps.SERIES_COLORS["test"]
TRAIN_TEST = f"<span style='color:{ERROR_COLOR}'>train</span> · <span style='color:{TEST_COLOR}'>test</span>"
CELLS = ("inputs", "reconstructions", "samples", "filters", "curve", "side")  # in reading order


def image_shape_for(filters: np.ndarray | None, n_visible: int) -> tuple[int, int]:
    """How to draw one visible vector: the filters' (h, w) if they come as images, a square, else a row."""
    if filters is not None and filters.ndim == 3 and filters.shape[1] * filters.shape[2] == n_visible:
        return int(filters.shape[1]), int(filters.shape[2])
    side = int(round(np.sqrt(n_visible)))
    return (side, side) if side * side == n_visible else (1, n_visible)


EXACT_UNITS = rbm_exact.MAX_ENUMERATED_UNITS  # visible + hidden units up to which p(x) is computed exactly
JOINT_HIDDEN = 12  # hidden units up to which the tooltip lists p(x, h) (2^12 states per input)


@dataclass(frozen=True)
class ExactProbabilities:
    """A tiny RBM's exact numbers for its distinct probe inputs, for checking a hand calculation."""

    log_z: float
    first: np.ndarray  # index in the probe of each distinct input (the Inputs grid's reading order)
    p: np.ndarray  # p(x) = exp(-F(x)) / Z of each distinct input
    rows: np.ndarray | None = None  # the distinct inputs x
    joint: np.ndarray | None = None  # p(x, h) = exp(-E(x, h)) / Z: rows as ``rows``, a column per hidden state


def exact_tooltip(exact: ExactProbabilities, i: int, most: int = 8) -> str:
    """Input i's numbers for a hand check: x, p(x), and its largest terms p(x, h) of p(x) = Σ_h p(x, h)."""
    x = "".join(str(int(v)) for v in exact.rows[i])
    lines = [f"x = {x}", f"p(x) = exp(-F(x))/Z = {exact.p[i]:.4g}   (log Z = {exact.log_z:.4g})"]
    if exact.joint is None:
        return "\n".join(lines)
    joint = exact.joint[i]
    n_hidden = int(round(np.log2(len(joint))))
    order = np.argsort(-joint)[:most]
    lines.append(f"p(x) = Σ over {len(joint)} hidden states h of p(x, h) = exp(-E(x, h))/Z; the largest:")
    for k in order:
        h = "".join(str((int(k) >> s) & 1) for s in range(n_hidden - 1, -1, -1))
        lines.append(f"  h = {h}: p(x, h) = {joint[k]:.4g}")
    return "\n".join(lines)


def exact_probabilities(snap) -> ExactProbabilities | None:
    """Z and p(x) by enumeration for an RBM with at most EXACT_UNITS units, else None."""
    weights = getattr(snap, "weights", None) or {}
    probe = getattr(snap, "probe_inputs", None)
    if probe is None or not {"weight", "visible_bias", "hidden_bias"} <= set(weights):
        return None
    w, b, d = weights["weight"], weights["visible_bias"], weights["hidden_bias"]
    if w.ndim != 2 or sum(w.shape) > EXACT_UNITS or w.shape[0] != probe.shape[1]:
        return None
    _, first = np.unique(probe, axis=0, return_index=True)
    first = np.sort(first)
    log_z = rbm_exact.log_partition(w, b, d)
    rows = np.asarray(probe[first], dtype=np.float64)
    p = np.exp(rbm_exact.log_probability(rows, w, b, d, log_z))
    joint = None
    if w.shape[1] <= JOINT_HIDDEN:
        h = rbm_exact.binary_states(w.shape[1])
        w64, b64, d64 = (np.asarray(a, dtype=np.float64) for a in (w, b, d))
        joint = np.exp(rows @ w64 @ h.T + (rows @ b64)[:, None] + (h @ d64)[None, :] - log_z)
    return ExactProbabilities(float(log_z), first, p, rows, joint)


def _set_series(curve: pg.PlotDataItem, values: list) -> None:
    y = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if len(y):
        curve.setData(np.arange(1, len(y) + 1), y)
    else:
        curve.setData([], [])


def node_history(history: dict[str, list], node: str) -> dict[str, list]:
    """The per-epoch series of one pretrained node: ``pretrain/<node>/<metric>`` keys if the trainer
    keeps phases apart, else the plain keys of a model that is only this node."""
    prefix = f"pretrain/{node}/"
    own = {k[len(prefix):]: v for k, v in history.items() if k.startswith(prefix)}
    if own:
        return own
    return {k: v for k, v in history.items() if k in ("train_loss", "test_loss", "free_energy", "free_energy_gap")}


class GenerativeView(MosaicDrawing, LiveView):
    title = "RBM and autoencoder"
    key = "generative"
    parts = frozenset({"generative"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.node: str | None = None  # the node drawn last
        self.mosaics: dict[str, np.ndarray | None] = {}  # what each grid shows (tests read these)
        self._init_mosaics()

        content = QWidget()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("Model"))
        self.node_box = QComboBox()
        self.node_box.setToolTip("Which RBM or autoencoder node to show (selecting one on the canvas picks it too); "
                                 "'current phase' follows the node being pretrained")
        self.node_box.addItem("current phase", None)
        self.node_box.currentIndexChanged.connect(self.redraw_if_frame)
        bar.addWidget(self.node_box)
        self.caption = QLabel()
        self.caption.setStyleSheet(f"color: {style.muted_text_color().name()};")
        self.caption.setContentsMargins(6, 2, 6, 0)
        self.caption.setWordWrap(True)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(style.canvas_background())
        gray = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (20, 20, 30)])  # ink on paper: 0 white, 1 dark
        self.grids: dict[str, tuple[pg.PlotItem, pg.ImageItem]] = {
            "inputs": _mosaic_plot(self.plots, 0, 0, "Inputs", gray),
            "reconstructions": _mosaic_plot(self.plots, 0, 1, "Reconstructions", gray),
            "samples": _mosaic_plot(self.plots, 0, 2, "Gibbs samples", gray),
            "filters": _mosaic_plot(self.plots, 1, 0, "Filters", ps.diverging_cmap()),
        }
        self.curve_plot = self._line_plot(1, 1, f"Reconstruction error: {TRAIN_TEST}", "mean squared error")
        self.curves = {key: self.curve_plot.plot([], [], pen=pg.mkPen(color, width=1.5), name=name)
                       for key, color, name in (("train_loss", ERROR_COLOR, "train"),
                                                ("test_loss", TEST_COLOR, "test"))}
        # The bottom right cell: free energy over time for an RBM, the code scatter for an autoencoder
        self.side_plot = self._line_plot(1, 2, "Mean free energy per epoch", "F(x)")
        self.energy_curves = {key: self.side_plot.plot([], [], pen=pg.mkPen(color, width=1.5), name=name)
                              for key, color, name in (("train", ERROR_COLOR, "train"), ("test", TEST_COLOR, "test"))}
        self.code_scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.side_plot.addItem(self.code_scatter)
        self.exact_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=ERROR_COLOR, pen=None)
        self.side_plot.addItem(self.exact_bars)
        self.data_marks = pg.ScatterPlotItem(symbol="_", size=22, pen=None, brush=pg.mkBrush(TEST_COLOR))
        self.side_plot.addItem(self.data_marks)
        self.data_share: np.ndarray | None = None  # each distinct input's share of the training data
        self._share_key: tuple | None = None
        self.exact: ExactProbabilities | None = None
        self.plots.scene().sigMouseMoved.connect(self._hover_exact)
        self.side_mode = ""
        self.one_row: bool | None = None  # the cells in one row (a wide, short dock) or in two rows
        self._arrangement: tuple | None = None

        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        bar.addWidget(ps.steady_label(self.caption, lines=2), 1)
        box.addLayout(bar)
        box.addWidget(self.plots, 1)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        ps.enable_export(self.plots)
        self._arrange()
        self.redraw()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Lay out the cells that have something to show: in one row in a short dock (bigger images), else
        in two rows; a cell with nothing to show (no samples, no 2-D code) leaves no gap."""
        one_row = self.width() > 2.4 * self.height()
        shown = tuple(name for name in CELLS if self._cell(name).isVisible())
        if (one_row, shown) == self._arrangement:
            return
        self._arrangement = (one_row, shown)
        self.one_row = one_row
        layout = self.plots.ci
        for name in CELLS:
            if self._cell(name) in layout.items:
                layout.removeItem(self._cell(name))
        per_row = len(shown) if one_row else max(-(-len(shown) // 2), 1)
        for i, name in enumerate(shown):
            layout.addItem(self._cell(name), row=i // per_row, col=i % per_row)
        for col in range(len(CELLS)):
            layout.layout.setColumnStretchFactor(col, 1 if col < per_row else 0)

    def _cell(self, name: str) -> pg.PlotItem:
        if name == "curve":
            return self.curve_plot
        if name == "side":
            return self.side_plot
        return self.grids[name][0]

    def _line_plot(self, row: int, col: int, title: str, left: str) -> pg.PlotItem:
        plot = self.plots.addPlot(row=row, col=col)
        ps.style_plot_item(plot)
        plot.setMenuEnabled(False)
        plot.setTitle(title, color=style.text_color().name(), size="9pt")
        plot.setLabel("bottom", "epoch", color=style.text_color().name())
        plot.setLabel("left", left, color=style.text_color().name())
        return plot

    # --- contract ----------------------------------------------------------------------------------
    def applies_to(self, frame) -> bool:
        return bool(getattr(frame, "generative", None))

    def reset(self) -> None:
        self._shapes.clear()
        super().reset()

    def chosen_node(self, frame) -> str | None:
        models = getattr(frame, "generative", None) or {}
        if not models:
            return None
        self._list_nodes(list(models))
        selected = self.context.selected_node()
        if selected in models:
            return selected
        chosen = self.node_box.currentData()
        if chosen in models:
            return chosen
        phase = getattr(frame, "phase", None)
        current = getattr(phase, "node", None)
        return current if current in models else next(iter(models))

    def _list_nodes(self, names: list[str]) -> None:
        known = [self.node_box.itemData(i) for i in range(1, self.node_box.count())]
        if known != names:
            chosen = self.node_box.currentData()
            self.node_box.blockSignals(True)
            while self.node_box.count() > 1:
                self.node_box.removeItem(1)
            for name in names:
                self.node_box.addItem(name, name)
            self.node_box.setCurrentIndex(max(self.node_box.findData(chosen), 0))
            self.node_box.blockSignals(False)

    # --- drawing -----------------------------------------------------------------------------------
    def redraw(self) -> None:
        frame = self.frame
        if frame is None:
            self.node = None
            self.mosaics.clear()
            self.stack.show_empty(EMPTY)
            return
        node = self.chosen_node(frame)
        if node is None:
            self.node = None
            self.stack.show_empty(NO_MODEL)
            return
        snap = frame.generative[node]
        kind = self.node_types().get(node, "RBM" if getattr(snap, "samples", None) is not None else "Autoencoder")
        probe = getattr(snap, "probe_inputs", None)
        filters = getattr(snap, "filters", None)
        if probe is not None:
            n_visible = probe.shape[1]
        else:
            n_visible = int(np.prod(filters.shape[1:])) if filters is not None else 1
        h, w = image_shape_for(filters, n_visible)
        cols = grid_columns(len(probe)) if probe is not None else 4
        self._draw_images("inputs", probe, h, w, cols)
        self._draw_images("reconstructions", getattr(snap, "reconstructions", None), h, w, cols)
        samples = getattr(snap, "samples", None)
        corrupted = getattr(snap, "corrupted_inputs", None)  # a denoising autoencoder's view of the inputs
        self._draw_images("samples", samples if samples is not None else corrupted, h, w, cols)
        self._set_title(self.grids["samples"][0], "Gibbs samples" if samples is not None else "Corrupted inputs")
        self._draw_filters(filters)
        series = node_history(frame.history, node)
        self._draw_curves(series)
        self.exact = exact_probabilities(snap)
        self._draw_side(series, snap)
        self._caption(node, kind, snap, filters)
        self.node = node
        self._arrange()
        self.stack.show_content()

    def _draw_images(self, key: str, rows: np.ndarray | None, h: int, w: int, cols: int) -> None:
        plot, item = self.grids[key]
        if rows is None or len(rows) == 0:
            self.mosaics[key] = None
            item.clear()
            plot.setVisible(False)
            return
        plot.setVisible(True)
        levels, fill = separator_levels(0.0, 1.0)
        images = np.clip(np.asarray(rows, dtype=np.float32), 0.0, 1.0).reshape(len(rows), h, w)
        self.mosaics[key] = tile(images, cols, fill)
        self._show_mosaic(self.grids[key][1], self.grids[key][0], key, self.mosaics[key], levels)

    def _draw_filters(self, filters: np.ndarray | None) -> None:
        plot, item = self.grids["filters"]
        if filters is None or len(filters) == 0:
            self.mosaics["filters"] = None
            item.clear()
            plot.setVisible(False)
            return
        plot.setVisible(True)
        shown = np.asarray(filters[:MAX_FILTERS], dtype=np.float32)
        if shown.ndim == 2:
            shown = shown[:, None, :]
        lo, hi = ps.symmetric_levels(shown)
        levels, fill = separator_levels(lo, hi)
        self.mosaics["filters"] = tile(shown, grid_columns(len(shown)), fill)
        self._show_mosaic(item, plot, "filters", self.mosaics["filters"], levels)
        extra = f" (first {MAX_FILTERS} of {len(filters)})" if len(filters) > MAX_FILTERS else ""
        self._set_title(plot, f"Filters{extra}: blue {lo:.2g} · white 0 · orange {hi:.2g}")

    def _draw_curves(self, series: dict[str, list]) -> None:
        for key, curve in self.curves.items():
            _set_series(curve, series.get(key, []))

    def _draw_side(self, series: dict[str, list], snap) -> None:
        """The code scatter for a 2-unit code; exact probabilities for a tiny RBM; else the free energy (train,
        and test from the recorded gap)."""
        codes, labels = getattr(snap, "codes", None), getattr(snap, "code_labels", None)
        probe = getattr(snap, "probe_inputs", None)
        if codes is not None and codes.ndim == 2 and codes.shape[1] == 2:
            self._side("codes", "Code of test samples (colour = class)", "code unit 2", "code unit 1")
            for curve in self.energy_curves.values():
                curve.setData([], [])
            self.exact_bars.setOpts(x=[], height=[])
            self.data_marks.setData([], [])
            if labels is not None and len(labels) == len(codes):
                brushes = [pg.mkBrush(ps.class_color(int(k))) for k in labels]
            else:
                brushes = pg.mkBrush(ps.class_color(0))
            self.code_scatter.setData(codes[:, 0], codes[:, 1], brush=brushes)
            return
        self.code_scatter.setData([], [])
        exact = self.exact
        if exact is not None:  # a tiny RBM: its exact probabilities say more than the free energy
            self._side("exact", f"Exact <span style='color:{ERROR_COLOR}'>model p(x)</span> · "
                       f"<span style='color:{TEST_COLOR}'>share in the data</span> of each distinct input",
                       "probability", "input (grid order)")
            for curve in self.energy_curves.values():
                curve.setData([], [])
            x = np.arange(1, len(exact.p) + 1)
            self.exact_bars.setOpts(x=x, height=exact.p)
            self.data_share = self._data_share(probe[exact.first])
            if self.data_share is not None:
                self.data_marks.setData(x, self.data_share)
            else:
                self.data_marks.setData([], [])
            return
        self.exact_bars.setOpts(x=[], height=[])
        self.data_marks.setData([], [])
        train = series.get("free_energy") or []
        if not train:
            self.side_plot.setVisible(False)
            self.side_mode = ""
            return
        self._side("energy", f"Mean free energy: {TRAIN_TEST}", "F(x)", "epoch")
        gap = series.get("free_energy_gap") or []
        test = [None if f is None or g is None else f + g for f, g in zip(train, gap)]
        _set_series(self.energy_curves["train"], train)
        _set_series(self.energy_curves["test"], test if any(v is not None for v in test) else [])

    def _hover_exact(self, pos) -> None:
        """Over a bar of the exact view, the tooltip spells out that input's p(x) and its terms p(x, h)."""
        text = ""
        if self.side_mode == "exact" and self.exact is not None and self.side_plot.sceneBoundingRect().contains(pos):
            x = self.side_plot.vb.mapSceneToView(pos).x()
            i = int(round(x)) - 1
            if 0 <= i < len(self.exact.p) and abs(x - (i + 1)) <= 0.35:
                text = exact_tooltip(self.exact, i)
        if text != self.plots.toolTip():
            self.plots.setToolTip(text)

    def _data_share(self, rows: np.ndarray) -> np.ndarray | None:
        """How often each row occurs in the project's training data (None unless the data are those binary rows)."""
        try:
            data = self.context.project().load_dataset()
        except Exception:  # no project (tests), or a dataset that can't load: nothing to compare with
            return None
        x = np.asarray(data.x_train, dtype=np.float32).reshape(len(data.x_train), -1)
        if x.shape[1] != rows.shape[1] or not len(x):
            return None
        key = (id(data), rows.tobytes())
        if key != self._share_key:
            self._share_key = key
            if not np.isin(x, (0.0, 1.0)).all():
                self.data_share = None  # grey data, binarized for the RBM: no exact matches to count
            else:
                distinct, counts = np.unique(x, axis=0, return_counts=True)
                lookup = {row.tobytes(): n for row, n in zip(distinct, counts)}
                self.data_share = np.array([lookup.get(r.tobytes(), 0) for r in rows.astype(np.float32)]) / len(x)
        return self.data_share

    def _side(self, mode: str, title: str, left: str, bottom: str) -> None:
        self.side_plot.setVisible(True)
        if self.side_mode != mode:
            self.side_mode = mode
            self.side_plot.setTitle(title, color=style.text_color().name(), size="9pt")
            self.side_plot.setLabel("left", left, color=style.text_color().name())
            self.side_plot.setLabel("bottom", bottom, color=style.text_color().name())

    def _caption(self, node: str, kind: str, snap, filters) -> None:
        metrics = getattr(snap, "metrics", {}) or {}
        parts = [f"{kind} '{node}'", f"epoch {getattr(snap, 'epoch', 0)}"]
        err = metrics.get("test_loss", metrics.get("train_loss"))
        if err is not None:
            parts.append(f"reconstruction error {err:.4f}")
        if self.exact is not None:
            parts.append(f"exact log Z = {self.exact.log_z:.4g}; these {len(self.exact.p)} inputs hold "
                         f"{100 * self.exact.p.sum():.1f}% of p(x) = exp(-F(x))/Z (hover a bar for its terms p(x, h))")
        if getattr(snap, "samples", None) is not None:
            parts.append("samples: Gibbs chains started at the inputs, a few steps further every frame")
        elif getattr(snap, "corrupted_inputs", None) is not None:
            parts.append("denoising: it learns to rebuild the inputs from corrupted copies like these")
        if filters is not None:
            parts.append("filters: each hidden unit's weights as an image")
        self.caption.setText(" · ".join(parts))
