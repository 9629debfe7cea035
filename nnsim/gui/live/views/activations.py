"""Activations: what one layer outputs for the probe batch, and an overview of every layer.

The heatmap has one row per probe sample and one column per unit (images and sequences are
flattened per sample). The bar chart below compares layers, by mean |activation| or by the share
of dead ReLUs and saturated sigmoid/tanh units, so saturation is easy to spot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext

EMPTY = "Layer activations appear here once training starts (press Play).\nSelect a node to see its outputs."
DEAD_KINDS = ("relu", "step")  # a unit is dead when it outputs <= 0 for every probe sample
SATURATING = {"sigmoid": (0.02, 0.98), "tanh": (-0.96, 0.96)}  # outside this band = saturated
SATURATED_SHARE = 0.9  # ... on at least this share of the probe samples
METRICS = ("mean |activation|", "dead or saturated units (%)")


def flat(a: np.ndarray) -> np.ndarray:
    """(probe, *shape) -> (probe, units) float32."""
    return np.asarray(a, dtype=np.float32).reshape(len(a), -1)


def unit_columns(a: np.ndarray) -> np.ndarray:
    """(observations, units): a conv channel or a sequence feature counts as one unit over all positions."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 4:  # (probe, C, H, W)
        return a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])
    return a.reshape(-1, a.shape[-1]) if a.ndim >= 2 else a.reshape(-1, 1)


def dead_or_saturated(a: np.ndarray, activation: str) -> float:
    """Share of units (0..1) that are dead (ReLU) or saturated (sigmoid, tanh) over the probe batch."""
    x = unit_columns(a)
    if x.size == 0:
        return 0.0
    if activation in DEAD_KINDS:
        return float(np.mean(x.max(axis=0) <= 0.0))
    if activation in SATURATING:
        lo, hi = SATURATING[activation]
        outside = ((x < lo) | (x > hi)).mean(axis=0)
        return float(np.mean(outside >= SATURATED_SHARE))
    return 0.0


def layer_activation(project, name: str) -> str:
    """The activation function that produces node ``name``'s output (through pooling/shape nodes)."""
    graph = getattr(project, "graph", None)
    try:
        node = graph.node_by_name(name)
        for _ in range(64):
            if "activation" in node.params:
                return str(node.params["activation"])
            inputs = graph.inputs_of(node.id)
            if len(inputs) != 1 or node.type == "Input":
                return "identity"
            node = graph.node(inputs[0].src)
    except Exception:  # a renamed or removed node: the frame is older than the graph
        pass
    return "identity"


FIXED_LEVELS = ("sigmoid", "softmax", "tanh")


def levels_for(x: np.ndarray, activation: str) -> tuple[tuple[float, float], str]:
    """(levels, "sequential" | "diverging"): fixed for bounded functions, data-driven otherwise."""
    if activation in ("sigmoid", "softmax"):
        return (0.0, 1.0), "sequential"
    if activation == "tanh":
        return (-1.0, 1.0), "diverging"
    finite = x[np.isfinite(x)]
    if finite.size and finite.min() >= 0.0:
        top = float(finite.max())
        return (0.0, top if top > 0 else 1.0), "sequential"
    return ps.symmetric_levels(finite), "diverging"


class ActivationsView(LiveView):
    title = "Activations"
    key = "activations"
    parts = frozenset({"activations"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.shown_node: str | None = None
        self.matrix: np.ndarray | None = None  # what the heatmap shows
        self.layer_names: list[str] = []
        self._bound: float | None = None  # the colour scale's current bound, and what it was fitted to
        self._bound_key: tuple | None = None
        self.layer_values: np.ndarray = np.zeros(0)
        self._cmap_kind = ""
        self._build()
        self.redraw()

    def _build(self) -> None:
        self.caption = QLabel()
        self.plot = ps.plot_widget()
        self.plot.invertY(True)
        self.plot.setLabel("bottom", "unit")
        self.plot.setLabel("left", "probe sample")
        self.image = ps.image_item()
        self.plot.addItem(self.image)
        self.bar = ps.color_bar(self.plot, self.image, ps.sequential_cmap(), values=(0.0, 1.0))

        self.metric_combo = QComboBox()
        self.metric_combo.addItems(METRICS)
        self.metric_combo.setToolTip("Dead: a ReLU unit that outputs 0 for every probe sample (it no longer "
                                     "learns). Saturated: a sigmoid/tanh unit stuck near its limits.")
        self.metric_combo.currentIndexChanged.connect(self._metric_changed)
        self.layers_plot = ps.plot_widget()
        self.layers_plot.setMouseEnabled(x=False, y=False)
        self.layers_plot.setMaximumHeight(150)
        ps.no_si_prefix(self.layers_plot.getPlotItem().getAxis("left"))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=ps.class_color(0), pen=None)
        self.layers_plot.addItem(self.bars)
        self.layers_y = ps.SteadyRange(self.layers_plot, "y", pad=0.1, pad_low=False)
        for plot in (self.plot, self.layers_plot):
            ps.style_plot_item(plot.getPlotItem())
            ps.enable_export(plot)  # right-click > Export... (PNG, SVG, CSV)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(ps.steady_label(self.caption), 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(QLabel("Layers by"))
        bottom.addWidget(self.metric_combo)
        bottom.addStretch(1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 3)
        layout.addLayout(bottom)
        layout.addWidget(self.layers_plot, 1)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -------------------------------------------------------------------------------
    def _metric_changed(self, _index: int) -> None:
        self.layers_y.reset()
        self.redraw_if_frame()

    def redraw(self) -> None:
        acts = self.frame.snapshot.activations if self.frame is not None else {}
        if not acts:
            self.shown_node, self.matrix = None, None
            self.stack.show_empty(EMPTY if self.frame is None else "This frame carries no activations.")
            return
        self.stack.show_content()
        project = self.context.project()
        name = self._pick_node(acts, project)
        self.shown_node = name
        self._draw_heatmap(name, acts[name], layer_activation(project, name))
        self._draw_layers(acts, project, name)

    def _pick_node(self, acts: dict[str, np.ndarray], project) -> str:
        selected = self.context.selected_node()
        if selected in acts:
            return selected
        graph = getattr(project, "graph", None)
        for name in acts:  # first layer after the inputs
            try:
                if graph.node_by_name(name).type != "Input":
                    return name
            except Exception:
                return name
        return next(iter(acts))

    def _draw_heatmap(self, name: str, a: np.ndarray, activation: str) -> None:
        x = flat(a)
        self.matrix = x
        levels, kind = levels_for(x, activation)
        if activation not in FIXED_LEVELS:  # data-driven: round, steady bounds
            key = (name, kind)
            self._bound = ps.steady_bound(levels[1], self._bound if key == self._bound_key else None)
            self._bound_key = key
            levels = (0.0, self._bound) if kind == "sequential" else (-self._bound, self._bound)
        if kind != self._cmap_kind:
            self._cmap_kind = kind
            self.bar.setColorMap(ps.sequential_cmap() if kind == "sequential" else ps.diverging_cmap())
        n, units = x.shape
        ps.set_image(self.image, x, levels, rect=(-0.5, -0.5, units, n))
        ps.set_bar_levels(self.bar, levels)
        shape = "x".join(map(str, a.shape[1:]))
        share = dead_or_saturated(a, activation)
        word = "dead" if activation in DEAD_KINDS else "saturated"
        extra = f", {share:.0%} {word}" if activation in DEAD_KINDS or activation in SATURATING else ""
        self.caption.setText(f"<b>{name}</b> &nbsp; {activation}, {shape} per sample &nbsp; "
                             f"mean |a| {np.abs(x).mean():.3g}{extra}")

    def _draw_layers(self, acts: dict[str, np.ndarray], project, selected: str) -> None:
        names = list(acts)
        if self.metric_combo.currentIndex() == 0:
            values = [float(np.abs(flat(a)).mean()) for a in acts.values()]
        else:
            values = [100.0 * dead_or_saturated(a, layer_activation(project, n)) for n, a in acts.items()]
        self.layer_values = np.asarray(values, dtype=np.float64)
        brushes = [ps.class_color(1) if n == selected else ps.class_color(0) for n in names]
        self.bars.setOpts(x=np.arange(len(names)), height=self.layer_values, brushes=brushes)
        if names != self.layer_names:
            self.layer_names = names
            self.layers_plot.getPlotItem().getAxis("bottom").setTicks([list(enumerate(names))])
            self.layers_plot.setXRange(-0.6, len(names) - 0.4, padding=0)
        top = float(self.layer_values.max()) if len(values) else 1.0
        self.layers_y.fit(0.0, max(top, 1e-6 if self.metric_combo.currentIndex() == 0 else 5.0))
