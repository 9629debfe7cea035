"""Recurrent internals (hidden state and gates over time) and the text a character model generates.

``RecurrentView`` draws, for one probe sequence, the selected (or first) SimpleRNN / LSTM / GRU
layer's hidden state as a heatmap (x = time step, y = unit) and, for LSTM and GRU, one small heatmap
per gate, the candidate and (LSTM) the cell state. When the dataset has a vocabulary the time axis
is labelled with the input tokens, so a learner can see which character opened or closed a gate.
Bidirectional layers get a toggle for the reverse direction.

``TextSampleView`` keeps the last samples of generated text, newest first.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QSpinBox, QVBoxLayout,
                               QWidget)

from nnsim.gui.canvas import style
from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.gui.live.views.feature_maps import predicted_class

RECURRENT_TYPES = ("SimpleRNN", "LSTM", "GRU")
REVERSE = "_reverse"
MAX_TOKEN_TICKS = 64  # longer sequences get numbered steps
# name, title, kind of colour scale: "gate" 0..1, "unit" -1..1, "free" symmetric around 0
PANELS = {
    "SimpleRNN": (),
    "LSTM": (("input", "input gate i", "gate"), ("forget", "forget gate f", "gate"),
             ("output", "output gate o", "gate"), ("candidate", "candidate g", "unit"),
             ("cell", "cell state c", "free")),
    "GRU": (("reset", "reset gate r", "gate"), ("update", "update gate z", "gate"),
            ("candidate", "candidate n", "unit")),
}
EMPTY = ("No recurrent internals yet: train a network with a SimpleRNN, LSTM or GRU layer (e.g. the "
         "hello-lstm example) to see its state and gates step by step.")
NO_RNN = "This network has no SimpleRNN, LSTM or GRU layer."
LEGEND = ("Gates: white = closed (0), dark blue = open (1). State, candidate and cell: blue < 0 < orange, "
          "white = 0.")
VISIBLE_CHARS = {" ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍"}


def kind_of(internals: dict[str, np.ndarray]) -> str:
    """SimpleRNN, LSTM or GRU, from the names of a node's internals."""
    if "forget" in internals:
        return "LSTM"
    if "reset" in internals:
        return "GRU"
    return "SimpleRNN"


def token_text(token: str) -> str:
    if token in VISIBLE_CHARS:
        return VISIBLE_CHARS[token]
    if token.startswith("<") and token.endswith(">"):  # <pad>, <unk>, ...
        return "·" if token == "<pad>" else token
    return token


def decode_tokens(dataset, probe_row: np.ndarray | None) -> list[str] | None:
    """The tokens of one probe sequence: one-hot rows -> argmax, ids -> int; None without a vocabulary."""
    if dataset is None or probe_row is None or not dataset.vocab:
        return None
    vocab, shape = dataset.vocab, tuple(dataset.input_shape)
    try:
        if dataset.layout == "sequence" and shape[1] == len(vocab):
            ids = np.asarray(probe_row).reshape(shape).argmax(axis=1)
        elif dataset.layout == "tokens":
            ids = np.rint(np.asarray(probe_row).reshape(shape)).astype(np.int64)
        else:
            return None
    except ValueError:
        return None
    return [token_text(vocab[i]) if 0 <= i < len(vocab) else "?" for i in ids]


def _heatmap_plot(layout: pg.GraphicsLayoutWidget, row: int, col: int, colspan: int = 1):
    plot = layout.addPlot(row=row, col=col, colspan=colspan)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.setMouseEnabled(x=False, y=False)
    plot.invertY(True)  # unit 0 at the top
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(style.muted_text_color())
        axis.setTextPen(style.text_color())
    plot.getAxis("left").setWidth(34)
    ps.cache_axes(plot)
    item = ps.image_item()
    plot.addItem(item)
    return plot, item


class _Panel:
    """One heatmap: its plot, image item, colour scale and the data last drawn (tests read ``data``)."""

    def __init__(self, plot: pg.PlotItem, item: pg.ImageItem, name: str, title: str, scale: str):
        self.plot, self.item, self.name, self.title, self.scale = plot, item, name, title, scale
        self.data: np.ndarray | None = None
        self.shown_title = ""
        cmap = ps.sequential_cmap() if scale == "gate" else ps.diverging_cmap()
        item.setLookupTable(ps.lookup_table(cmap))

    def draw(self, values: np.ndarray) -> None:
        """values (T, H) -> image rows = units, columns = time steps."""
        self.data = np.ascontiguousarray(values.T, dtype=np.float32)
        if self.scale == "gate":
            levels, note = (0.0, 1.0), "0 … 1"
        elif self.scale == "unit":
            levels, note = (-1.0, 1.0), "−1 … 1"
        else:
            levels = ps.symmetric_levels(self.data)
            note = f"±{levels[1]:.2g}"
        shape_changed = self.item.image is None or self.item.image.shape != self.data.shape
        self.item.setImage(self.data, autoLevels=False, levels=levels)
        if shape_changed:  # pixel centres on whole time steps and units (setRect needs the image's size)
            steps, units = self.data.shape[1], self.data.shape[0]
            self.item.setRect(-0.5, -0.5, steps, units)
        title = f"{self.title} ({note})"
        if title != self.shown_title:
            self.shown_title = title
            self.plot.setTitle(title, color=style.text_color().name(), size="9pt")


class RecurrentView(LiveView):
    title = "Recurrent internals"
    key = "recurrent"
    parts = frozenset({"activations"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.node: str | None = None
        self.panels: dict[str, _Panel] = {}  # "h", "input", "forget", ... as drawn for self.node
        self.tokens: list[str] | None = None
        self._structure: tuple | None = None
        self._ticks: tuple | None = None

        content = QWidget()
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(QLabel("Sequence"))
        self.sample_box = QSpinBox()
        self.sample_box.setRange(0, 15)
        self.sample_box.setToolTip("Which of the probe sequences (the first test sequences) to show")
        self.sample_box.valueChanged.connect(self.redraw_if_frame)
        bar.addWidget(self.sample_box)
        self.reverse_box = QCheckBox("Reverse direction")
        self.reverse_box.setToolTip("A bidirectional layer also reads the sequence backwards (right to left) "
                                    "with its own weights: show that direction's state and gates")
        self.reverse_box.toggled.connect(self.redraw_if_frame)
        self.reverse_box.setVisible(False)
        bar.addWidget(self.reverse_box)
        self.layer_label = QLabel()
        bar.addWidget(ps.steady_label(self.layer_label), 1)
        self.sequence_label = QLabel()
        self.sequence_label.setContentsMargins(6, 0, 6, 0)
        self.sequence_label.setWordWrap(True)
        self.sequence_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sequence_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.legend = QLabel(LEGEND)
        self.legend.setContentsMargins(6, 0, 6, 2)
        self.legend.setStyleSheet(f"color: {style.muted_text_color().name()};")
        self.legend.setWordWrap(True)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(style.canvas_background())
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(bar)
        box.addWidget(ps.steady_label(self.sequence_label, lines=2))
        box.addWidget(self.plots, 1)
        box.addWidget(self.legend)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.redraw()

    # --- contract ------------------------------------------------------------------------------
    def applies_to(self, frame) -> bool:
        return bool(self._recurrent_nodes(frame))

    def reset(self) -> None:
        self._clear_plots()
        super().reset()



    def _dataset(self):
        try:
            return self.context.project().load_dataset()
        except Exception:
            return None

    def _recurrent_nodes(self, frame) -> list[str]:
        """Recurrent nodes with internals in the frame, in graph order when the graph is known."""
        internals = frame.snapshot.internals
        types = self.node_types()
        names = [n for n, t in types.items() if t in RECURRENT_TYPES and "h" in internals.get(n, {})]
        return names or [n for n, parts in internals.items() if "h" in parts]

    def chosen_node(self, frame) -> str | None:
        names = self._recurrent_nodes(frame)
        selected = self.context.selected_node()
        if selected in names:
            return selected
        return names[0] if names else None

    # --- drawing ---------------------------------------------------------------------------------
    def redraw(self) -> None:
        frame = self.frame
        if frame is None:
            self.node, self.tokens = None, None
            self._clear_plots()
            self.stack.show_empty(EMPTY)
            return
        node = self.chosen_node(frame)
        if node is None:
            self.node = None
            self.stack.show_empty(NO_RNN)
            return
        snap = frame.snapshot
        internals = snap.internals[node]
        kind = self.node_types().get(node) or kind_of(internals)
        kind = kind if kind in PANELS else kind_of(internals)
        n, steps, units = internals["h"].shape
        bidirectional = "h" + REVERSE in internals
        if self.sample_box.maximum() != n - 1:
            self.sample_box.blockSignals(True)
            self.sample_box.setRange(0, max(n - 1, 0))
            self.sample_box.blockSignals(False)
        i = min(self.sample_box.value(), n - 1)
        self.reverse_box.setVisible(bidirectional)
        suffix = REVERSE if bidirectional and self.reverse_box.isChecked() else ""

        self._build(node, kind, steps, units)
        dataset = self._dataset()
        tokens = decode_tokens(dataset, snap.probe_inputs[i] if snap.probe_inputs is not None else None)
        self.tokens = tokens if tokens is not None and len(tokens) == steps else None
        self._set_ticks(steps)
        for name, panel in self.panels.items():
            values = internals.get(name + suffix)
            if values is not None:
                panel.draw(values[i])

        direction = ", reverse direction (reads right to left)" if suffix else (
            ", forward direction" if bidirectional else "")
        self.legend.setText(LEGEND if kind != "SimpleRNN" else "Hidden state: blue < 0 < orange, white = 0. "
                            "A SimpleRNN has no gates: h is its whole memory.")
        self.layer_label.setText(f"  {kind} '{node}': {units} units × {steps} steps{direction}")
        self.sequence_label.setText(self._sequence_text(dataset, snap, i))
        self.node = node
        self.stack.show_content()

    def _sequence_text(self, dataset, snap, i: int) -> str:
        parts = []
        if self.tokens is not None:
            chars = all(len(t) == 1 for t in self.tokens)
            parts.append("Input: " + ("".join(self.tokens) if chars else " ".join(self.tokens)))
        labels = getattr(dataset, "labels_test", None) if dataset is not None else None
        if (labels is not None and labels.ndim == 1 and dataset.n_test > i and snap.probe_inputs is not None
                and np.allclose(np.asarray(dataset.x_test[i], np.float32).ravel(), snap.probe_inputs[i])):
            k = int(labels[i])
            names = dataset.class_names
            parts.append(f"label: {names[k] if k < len(names) else k}")
            guess = predicted_class(dataset, snap.probe_outputs, i)
            if guess is not None:
                parts.append(f"predicted: {guess}")
        return "   ·   ".join(parts)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._structure is not None and self._one_row() != self._structure[-1]:
            self._structure = None  # rebuilt in the other arrangement
            self.redraw_if_frame()

    def _one_row(self) -> bool:
        """All panels side by side in a short, wide dock (stacked rows would leave each a sliver)."""
        return self.width() > 3.0 * self.height()

    def _build(self, node: str, kind: str, steps: int, units: int) -> None:
        """Create the plots for this layer's panels; later frames only update their images. The hidden
        state spans a row above the gates, or, in a short dock, everything stands in one row."""
        one_row = self._one_row()
        structure = (node, kind, steps, units, one_row)
        if structure == self._structure:
            return
        self._clear_plots()
        self._structure = structure
        layout = self.plots
        extra = PANELS.get(kind, ())
        cols = max(min(len(extra), 3), 1)
        plot, item = _heatmap_plot(layout, 0, 0, colspan=1 if one_row else cols)
        plot.getAxis("left").setLabel("unit")
        self.panels["h"] = _Panel(plot, item, "h", "hidden state h", "unit" if kind != "SimpleRNN" else "free")
        for k, (name, title, scale) in enumerate(extra):
            plot, item = _heatmap_plot(layout, 0, 1 + k) if one_row else _heatmap_plot(layout, 1 + k // cols, k % cols)
            self.panels[name] = _Panel(plot, item, name, title, scale)
        for panel in self.panels.values():
            panel.plot.setXRange(-0.5, steps - 0.5, padding=0)
            panel.plot.setYRange(-0.5, units - 0.5, padding=0)
        grid = layout.ci.layout
        for i in range(1 + len(extra)):  # the other arrangement's factors stay on the layout: reset them
            grid.setColumnStretchFactor(i, 1 if i < (1 + len(extra) if one_row else cols) else 0)
            grid.setRowStretchFactor(i, 0)
        if one_row:
            grid.setRowStretchFactor(0, 1)
            grid.setColumnStretchFactor(0, 2)  # the hidden state gets a wider cell
        elif extra:
            grid.setRowStretchFactor(0, 3)
            for r in range(1, 1 + -(-len(extra) // cols)):
                grid.setRowStretchFactor(r, 2)
        self._ticks = None

    def _set_ticks(self, steps: int) -> None:
        tokens = tuple(self.tokens) if self.tokens is not None and steps <= MAX_TOKEN_TICKS else None
        key = (steps, tokens)
        if key == self._ticks:
            return
        self._ticks = key
        cut = 3 if steps <= 8 else 2
        short = None if tokens is None else tuple(t[:cut] for t in tokens)
        for name, panel in self.panels.items():
            axis = panel.plot.getAxis("bottom")
            if tokens is None:
                axis.setTicks(None)
                axis.setLabel("time step")
            else:  # small panels get words cut short so neighbours don't overlap
                shown = tokens if name == "h" else short
                axis.setTicks([[(t, tok) for t, tok in enumerate(shown)], []])
                axis.showLabel(False)

    def _clear_plots(self) -> None:
        self.plots.clear()
        self.panels = {}
        self._structure = None
        self._ticks = None


class TextSampleView(LiveView):
    title = "Generated text"
    key = "text_sample"
    parts = frozenset({"sample"})
    keep = 10

    EMPTY = ("No generated text yet: a character model (e.g. the zen-lstm example) writes a sample from "
             "its current weights as it trains.")

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.samples: deque[tuple[int, int, str]] = deque(maxlen=self.keep)  # (epoch, update, text), newest first
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.header = QLabel()
        self.header.setContentsMargins(6, 4, 6, 0)
        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(ps.steady_label(self.header))
        box.addWidget(self.text, 1)
        self.stack = ps.EmptyStack(content, self.EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._shown: tuple | None = None
        self.redraw()

    def applies_to(self, frame) -> bool:
        return frame.sample is not None

    def show_frame(self, frame) -> None:
        if frame.sample is not None:
            entry = (frame.snapshot.epoch, frame.snapshot.step, frame.sample)
            if not self.samples or self.samples[0][1:] != entry[1:]:  # the same frame shown again adds nothing
                self.samples.appendleft(entry)
        super().show_frame(frame)

    def reset(self) -> None:
        self.samples.clear()
        super().reset()

    def redraw(self) -> None:
        if not self.samples:
            self._shown = None
            self.text.clear()
            self.stack.show_empty(self.EMPTY)
            return
        key = tuple(self.samples)
        if key != self._shown:
            self._shown = key
            blocks = []
            for n, (epoch, step, text) in enumerate(self.samples):
                head = f"── epoch {epoch}, update {step}" + (" (newest)" if n == 0 else "") + " ──"
                blocks.append(f"{head}\n{text}")
            self.text.setPlainText("\n\n".join(blocks))
            epoch, step, _ = self.samples[0]
            self.header.setText(f"Text generated from the weights at epoch {epoch}, update {step}: the last "
                                f"{len(self.samples)} sample{'s' if len(self.samples) != 1 else ''}, newest first")
        self.stack.show_content()
