"""Per-layer gradient norms over training (log scale), vanishing / exploding warnings, and a histogram
of the selected layer's gradient values.

Norms are accumulated across frames (one point per frame, at the frame's update count). Each layer
keeps at most :data:`MAX_POINTS` points: when full, every other point is dropped, so a long run keeps
its whole shape at half the resolution and memory and redraw time stay bounded.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.live import LiveFrame

MAX_POINTS = 5000
VANISHING = 1e-6
EXPLODING = 1e3
BINS = 40
EMPTY = ("Press Play to train: the gradient norm of every layer appears here, with warnings when gradients "
         "vanish or explode.")


class _Track:
    """One layer's (update, norm) points, compacted by halving when full."""

    def __init__(self, capacity: int = MAX_POINTS):
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0

    def append(self, step: float, norm: float) -> None:
        if self.n == len(self.x):
            keep = self.x[:self.n:2].copy(), self.y[:self.n:2].copy()
            self.n = len(keep[0])
            self.x[:self.n], self.y[:self.n] = keep
        self.x[self.n], self.y[self.n] = step, norm
        self.n += 1


class GradientsView(LiveView):
    title = "Gradients"
    key = "gradients"
    parts = frozenset({"gradients"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.tracks: dict[str, _Track] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._marked: dict[str, bool] = {}  # layer -> its curve shows point symbols (fewer than 3 points)
        self._last_step: int | None = None
        self._hist_title = ""
        self._hist_style: tuple | None = None  # (node, colour index) the histogram's pen and brush show

        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.hide()
        box.addWidget(self.banner)

        self.norm_plot = ps.line_plot(left="gradient norm", bottom="update", log_y_axis=True)
        self.norm_plot.setLogMode(y=True)
        self.legend = self.norm_plot.addLegend(offset=(-8, 8), labelTextSize="8pt",
                                               labelTextColor=ps.style.text_color())
        box.addWidget(self.norm_plot, 3)
        self.hist_caption = QLabel("")  # the selected layer's latest norm: changes every frame, so not in the title
        self.hist_caption.setContentsMargins(6, 0, 6, 0)
        self.hist_caption.setStyleSheet("font-size: 9pt;")
        box.addWidget(ps.steady_label(self.hist_caption))

        self.hist_plot = ps.line_plot(left="count", bottom="gradient value")
        self.hist_plot.setClipToView(False)
        self.hist_plot.setTitle("", size="9pt")
        self.hist = pg.PlotCurveItem([0.0, 1.0], [0.0], stepMode="center", fillLevel=0.0,
                                     pen=pg.mkPen(ps.layer_color(0), width=1.2),
                                     brush=pg.mkBrush(ps.layer_color(0).lighter(130)))
        self.hist_plot.addItem(self.hist)
        self.zero_line = pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen(ps.style.muted_text_color(), width=1,
                                                                         style=pg.QtCore.Qt.PenStyle.DashLine))
        self.hist_plot.addItem(self.zero_line)
        box.addWidget(self.hist_plot, 2)
        self.norm_x = ps.SteadyRange(self.norm_plot, "x", grow=True)
        self.norm_y = ps.SteadyRange(self.norm_plot, "y", fill=0.4)
        self.hist_x = ps.SteadyRange(self.hist_plot, "x", fill=0.6)
        self.hist_y = ps.SteadyRange(self.hist_plot, "y", pad=0.08, pad_low=False)

        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -----------------------------------------------------------------------------------
    def reset(self) -> None:
        self._clear_tracks()
        super().reset()

    def show_frame(self, frame: LiveFrame) -> None:
        self._accumulate(frame)
        super().show_frame(frame)

    def redraw(self) -> None:
        frame = self.frame
        norms = frame.snapshot.grad_norms if frame is not None else {}
        if frame is None or not norms:
            self.banner.hide()
            self.stack.show_empty(EMPTY if frame is None else "This network has no weights, so no gradients.")
            return
        self.stack.show_content()
        lo, hi, last = math.inf, -math.inf, 0.0
        for name, track in self.tracks.items():
            x, y = track.x[:track.n], track.y[:track.n]
            bad = ~(np.isfinite(y) & (y > 0))  # log axis: zero and NaN leave a gap
            if bad.any():
                y = np.where(bad, np.nan, y)
            curve = self.curves[name]
            few = track.n < 3  # a lone point draws no line: mark it (symbol options only when that changes)
            marks = {} if few == self._marked.get(name) else \
                {"symbol": "o" if few else None, "symbolSize": 5, "symbolPen": None,
                 "symbolBrush": curve.opts["pen"].color()}
            self._marked[name] = few
            curve.setData(x, y, connect="finite" if bad.any() else "all", **marks)
            if track.n and not bad.all():
                lo, hi = min(lo, float(np.nanmin(y))), max(hi, float(np.nanmax(y)))
                last = max(last, float(x[-1]))
        self.norm_x.fit(0.0, max(last, 10.0))
        self.norm_y.fit(lo, hi)
        self._update_banner(norms)
        self._update_histogram(frame)

    def applies_to(self, frame: LiveFrame) -> bool:
        return bool(frame.snapshot.grad_norms) or bool(frame.snapshot.gradients)

    # --- pieces -----------------------------------------------------------------------------------
    def _clear_tracks(self) -> None:
        for keeper in (self.norm_x, self.norm_y, self.hist_x, self.hist_y):
            keeper.reset()
        for curve in self.curves.values():
            self.norm_plot.removeItem(curve)
        self.legend.clear()
        self.tracks.clear()
        self.curves.clear()
        self._marked.clear()
        self._last_step = None

    def _accumulate(self, frame: LiveFrame) -> None:
        snap = frame.snapshot
        if not snap.grad_norms:
            return
        if self._last_step is not None:
            if snap.step == self._last_step:
                return  # the same moment again: nothing new to add
            if snap.step < self._last_step:
                self._clear_tracks()  # a new run started from scratch
        self._last_step = snap.step
        for name, norm in snap.grad_norms.items():
            track = self.tracks.get(name)
            if track is None:
                track = self.tracks[name] = _Track()
                color = ps.layer_color(len(self.curves))
                curve = ps.fast_curve(self.norm_plot, color)
                self.legend.addItem(curve, name)
                ps.cache_legend(self.legend)
                self.curves[name] = curve
            track.append(float(snap.step), float(norm))

    def _update_banner(self, norms: dict[str, float]) -> None:
        vanishing = [n for n, v in norms.items() if math.isfinite(v) and v < VANISHING]
        exploding = [n for n, v in norms.items() if not math.isfinite(v) or v > EXPLODING]
        lines = []
        if exploding:
            lines.append(f"⚠ Exploding gradients in {_names(exploding)} (norm {_norm_text(norms[exploding[0]])}): "
                         "lower the learning rate or set a gradient clipping norm.")
        if vanishing:
            lines.append(f"⚠ Vanishing gradients in {_names(vanishing)} (norm {_norm_text(norms[vanishing[0]])}): "
                         "these layers barely learn; try ReLU, a better initialisation or batch norm.")
        text = "<br>".join(lines)
        if text != self.banner.text():
            self.banner.setText(text)
            self.banner.setStyleSheet(ps.banner_style("error" if exploding else "warning"))
        self.banner.setVisible(bool(lines))

    def selected_layer(self) -> str | None:
        """The canvas selection when it has gradients, else the first layer with weights."""
        grads = self.frame.snapshot.gradients if self.frame is not None else {}
        nodes = list(dict.fromkeys(key.split("/")[0] for key in grads))
        chosen = self.context.selected_node()
        if chosen in nodes:
            return chosen
        return nodes[0] if nodes else None

    def histogram(self, node: str) -> tuple[np.ndarray, np.ndarray, int]:
        """(bin edges, counts, number of values) of ``node``'s finite gradient values."""
        grads = self.frame.snapshot.gradients
        parts = [np.ravel(g) for key, g in grads.items() if key.split("/")[0] == node]
        values = np.concatenate(parts) if parts else np.zeros(0)
        values = values[np.isfinite(values)]
        if values.size == 0:
            return np.array([-1.0, 1.0]), np.zeros(1), 0
        lo, hi = float(values.min()), float(values.max())
        if hi - lo < 1e-12:
            pad = max(abs(lo) * 0.1, 1e-9)
            lo, hi = lo - pad, hi + pad
        counts, edges = np.histogram(values, bins=BINS, range=(lo, hi))
        return edges, counts.astype(np.float64), int(values.size)

    def _update_histogram(self, frame: LiveFrame) -> None:
        """The selected layer's gradient values. The x range is a steady, round, symmetric bound and the
        title changes only with the layer: a range or title that moves re-lays out and repaints the axes."""
        node = self.selected_layer()
        if node is None:
            self.hist.setData([0.0, 1.0], [0.0])
            title, caption = "No gradient values in this frame", ""
        else:
            edges, counts, n = self.histogram(node)
            self.hist.setData(edges, counts)
            if node != getattr(self, "_hist_node", None):
                self._hist_node = node
                self._hist_bound = None
                self.hist_x.reset()
                self.hist_y.reset()
            # a probe batch's largest gradient jumps by 3x between frames: keep the range down to 20% of it
            self._hist_bound = ps.steady_bound(max(abs(float(edges[0])), abs(float(edges[-1]))), self._hist_bound,
                                               keep_above=0.2)
            self.hist_x.fit(-self._hist_bound, self._hist_bound)
            self.hist_y.fit(0.0, float(counts.max()) or 1.0)
            self._style_histogram(node)
            norm = frame.snapshot.grad_norms.get(node)
            title = f"Gradients of '{node}': {n:,} values"
            caption = f"'{node}' gradient norm {_norm_text(norm)} at update {frame.snapshot.step:,}" \
                if norm is not None else ""
            self.hist_plot.setToolTip("" if self.context.selected_node() == node else
                                      "Select a layer on the canvas to see its gradient values")
        if title != self._hist_title:
            self._hist_title = title
            self.hist_plot.setTitle(title, size="9pt", color=ps.style.text_color().name())
        self.hist_caption.setText(caption)

    def _style_histogram(self, node: str) -> None:
        """The layer's colour on the histogram, set only when it changes (each set repaints the curve)."""
        index = list(self.tracks).index(node) if node in self.tracks else 0
        if (node, index) == self._hist_style:
            return
        self._hist_style = (node, index)
        color = ps.layer_color(index)
        self.hist.setPen(pg.mkPen(color, width=1.2))
        fill = pg.mkColor(color)
        fill.setAlpha(110)
        self.hist.setBrush(pg.mkBrush(fill))


def _names(nodes: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in nodes[:3])
    return shown + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "")


def _norm_text(value: float) -> str:
    return "NaN" if math.isnan(value) else ("infinite" if math.isinf(value) else f"{value:.2g}")
