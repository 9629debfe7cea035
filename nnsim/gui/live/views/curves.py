"""Loss and accuracy (or RMSE) per epoch, for train, validation and test, from the frame's history.

Histories only grow during a run, so each series is kept as a numpy buffer and only the new epochs
are converted on a redraw; a 100k-epoch run costs the same per frame as a 10-epoch one, and the
curves draw with peak downsampling clipped to the visible range.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.history import EPOCH_KEY, epochs_done

SPLITS = (("train", "train"), ("val", "validation"), ("test", "test"))
SMOOTH_EPOCHS = 150  # antialias short curves only: 4 antialiased curves of 900 points took 16 ms a frame, thin ones 4
EMPTY = "Press Play to train: the loss and accuracy of every epoch appear here."


class _Series:
    """One history series as a growing float64 array (None becomes NaN), converted incrementally.

    A frame's series reads the trainer's own list (:class:`~nnsim.training.live.HistoryPrefix`): the
    same list means only new entries need converting, plus the latest one, which the trainer may
    replace (:mod:`nnsim.training.history`); a different list (a new run, or a long history thinned)
    is converted whole.
    """

    def __init__(self) -> None:
        self.values = np.empty(0)
        self.n = 0  # entries converted for good
        self._source = None

    def update(self, history) -> np.ndarray:
        m = len(history)
        source = getattr(history, "_values", history)
        if source is not self._source or m < self.n:
            self.n, self._source = 0, source
        if m > len(self.values):
            grown = np.empty(max(m, 2 * len(self.values), 64))
            grown[:self.n] = self.values[:self.n]
            self.values = grown
        if m > self.n:
            self.values[self.n:m] = np.array([np.nan if v is None else v for v in history[self.n:m]],
                                             dtype=np.float64)
        self.n = max(m - 1, 0)
        return self.values[:m]


def _widen(bound: list[float], y: np.ndarray, positive: bool) -> None:
    """Grow [lo, hi] in ``bound`` to cover the finite (and, for a log axis, positive) values of ``y``."""
    y = y[np.isfinite(y) & (y > 0)] if positive else y[np.isfinite(y)]
    if y.size:
        bound[0], bound[1] = min(bound[0], float(y.min())), max(bound[1], float(y.max()))


def _pretraining_text(phase) -> str | None:
    """What the empty view says while a pretraining phase runs (the curves start with fine-tuning)."""
    if phase is None or getattr(phase, "kind", "") != "pretrain":
        return None
    return (f"Pretraining '{phase.node}' (phase {phase.index} of {phase.count}, epoch {phase.epoch} of "
            f"{phase.epochs}): its reconstruction error is in the RBM and autoencoder view. The loss and "
            f"accuracy curves start with fine-tuning.")


class CurvesView(LiveView):
    title = "Loss and accuracy"
    key = "curves"

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._series: dict[str, _Series] = {}
        self._x = np.arange(1, 65, dtype=np.float64)
        self._metric: str | None = None  # "accuracy" or "rmse", once known
        self._none_upto: dict[str, int] = {}  # history key -> length known to hold only None
        self._unsupervised: bool | None = None  # a graph ending in an RBM or autoencoder: no metric plot

        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(6, 2, 6, 0)
        self.latest = QLabel("")
        self.latest.setStyleSheet("font-size: 9pt;")
        self.log_check = QCheckBox("Log-scale loss")
        self.log_check.setToolTip("Show the loss on a logarithmic axis (small late improvements become visible)")
        self.log_check.toggled.connect(self._set_log)
        top.addWidget(ps.steady_label(self.latest), 1)
        top.addWidget(self.log_check)
        box.addLayout(top)

        self.loss_plot = ps.line_plot(left="loss", log_y_axis=True)
        self.metric_plot = ps.line_plot(left="accuracy (%)", bottom="epoch")
        self.metric_plot.setXLink(self.loss_plot)
        self.legend = self.loss_plot.addLegend(offset=(-8, 8), labelTextSize="8pt",
                                               labelTextColor=ps.style.text_color())
        self.loss_curves = {key: ps.fast_curve(self.loss_plot, ps.series_color(name)) for key, name in SPLITS}
        self.metric_curves = {key: ps.fast_curve(self.metric_plot, ps.series_color(name)) for key, name in SPLITS}
        self._legend_keys: list[str] = []  # splits listed in the (one, shared) legend
        self.x_range = ps.SteadyRange(self.loss_plot, "x", grow=True)  # the metric plot follows (x-linked)
        self.loss_range = ps.SteadyRange(self.loss_plot, "y")
        self.metric_range = ps.SteadyRange(self.metric_plot, "y")
        box.addWidget(self.loss_plot, 1)
        box.addWidget(self.metric_plot, 1)

        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -----------------------------------------------------------------------------------
    def reset(self) -> None:
        self._series.clear()
        self._none_upto.clear()
        self._metric = None
        for keeper in (self.x_range, self.loss_range, self.metric_range):
            keeper.reset()
        super().reset()

    def redraw(self) -> None:
        frame = self.frame
        history = frame.history if frame is not None else {}
        points = len(history.get("train_loss", []))  # epochs, or every s-th of them on a long run
        epochs = epochs_done(history)
        if points == 0:
            for curve in (*self.loss_curves.values(), *self.metric_curves.values()):
                curve.setData([], [])
            self._set_legend([])
            self.latest.setText("")
            self.stack.show_empty(_pretraining_text(getattr(frame, "phase", None)) or EMPTY)
            return
        self.stack.show_content()
        supervised = getattr(frame, "supervised", True)
        if self._unsupervised is not (not supervised):
            self._unsupervised = not supervised
            self.metric_plot.setVisible(supervised)  # no labels: no accuracy or RMSE to show
            self._label_loss_axis()
            self.loss_plot.setLabel("bottom", None if supervised else "epoch")
        if len(history.get(EPOCH_KEY) or ()) == points:  # a long run's history: every s-th epoch
            x = self._series.setdefault(EPOCH_KEY, _Series()).update(history[EPOCH_KEY])
        else:
            if len(self._x) < points:
                self._x = np.arange(1, max(points, 2 * len(self._x)) + 1, dtype=np.float64)
            x = self._x[:points]
        metric = "accuracy" if self._any("train_accuracy", history) or self._any("test_accuracy", history) \
            else "rmse"
        if metric != self._metric:
            self._metric = metric
            if metric == "accuracy":
                self.metric_plot.setLabel("left", "accuracy (%)")
                self.metric_plot.setYRange(0, 100, padding=0.03)
            else:
                self.metric_plot.setLabel("left", "test RMSE")
                self.metric_range.reset()
        log = self.log_check.isChecked()
        latest: dict[str, float] = {}
        shown: list[str] = []
        smooth = points <= SMOOTH_EPOCHS
        bounds = {"loss": [math.inf, -math.inf], metric: [math.inf, -math.inf]}
        for key, _name in SPLITS:
            for kind, curves, scale in (("loss", self.loss_curves, 1.0),
                                        (metric, self.metric_curves, 100.0 if metric == "accuracy" else 1.0)):
                name = f"{key}_{kind}"
                y = self._values(name, history.get(name), points)
                curve = curves[key]
                if y is None:
                    if curve.isVisible():  # cleared once, not on every frame
                        curve.setData([], [])
                        curve.setVisible(False)
                    continue
                if scale != 1.0:
                    y = y * scale
                finite = bool(np.isfinite(y).all()) and not (log and kind == "loss" and bool((y <= 0).any()))
                curve.setSkipFiniteCheck(finite)
                ps.set_curve_weight(curve, smooth)
                curve.setData(x, y, connect="all" if finite else "finite", antialias=smooth)
                _widen(bounds[kind], y, positive=log and kind == "loss")
                curve.setVisible(True)
                if key not in shown:
                    shown.append(key)
                if not math.isnan(y[-1]):
                    latest[name] = float(y[-1])
        if shown != self._legend_keys:
            self._set_legend(shown)
        self.x_range.fit(0.0, float(max(epochs, 5)))
        self.loss_range.fit(*bounds["loss"])
        if metric == "rmse":
            self.metric_range.fit(min(bounds[metric][0], 0.0), bounds[metric][1])
        self.latest.setText(self._latest_text(epochs, metric, latest, frame.steps_per_second))

    def _set_legend(self, keys: list[str]) -> None:
        """One legend for both plots, listing only the splits that have data (no validation set: no entry)."""
        self.legend.clear()
        names = dict(SPLITS)
        for key in keys:
            self.legend.addItem(self.loss_curves[key], names[key])
        self._legend_keys = list(keys)
        ps.cache_legend(self.legend)

    # --- pieces -----------------------------------------------------------------------------------
    def _values(self, name: str, values: list | None, points: int) -> np.ndarray | None:
        """The series as floats (NaN for missing epochs), or None when it has no value at all."""
        if not self._any(name, {name: values}):
            self._series.pop(name, None)
            return None
        y = self._series.setdefault(name, _Series()).update(values)
        if len(y) != points:  # a key that started later than the others: align at the end
            out = np.full(points, np.nan)
            k = min(len(y), points)
            out[points - k:] = y[len(y) - k:]
            return out
        return y

    def _any(self, name: str, history: dict) -> bool:
        """True when ``history[name]`` holds a number; remembers how far a list is known to be all None,
        so a run without validation data does not rescan 100k Nones on every frame."""
        values = history.get(name) or []
        known = self._none_upto.get(name, 0)
        if known > len(values) or (values and values[-1] is not None):
            known = 0
        if values and values[-1] is not None:
            self._none_upto.pop(name, None)
            return True
        if any(v is not None for v in values[known:]):
            self._none_upto.pop(name, None)
            return True
        self._none_upto[name] = len(values)
        return False

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._label_loss_axis()
        self.loss_range.reset()
        if self.frame is not None:
            self.redraw()

    def _label_loss_axis(self) -> None:
        name = "reconstruction error" if self._unsupervised else "loss"
        self.loss_plot.setLabel("left", f"{name} (log scale)" if self.log_check.isChecked() else name)

    @staticmethod
    def _latest_text(epochs: int, metric: str, latest: dict[str, float], speed: float) -> str:
        parts = [f"<b>Epoch {epochs}</b>"]
        losses = [f"{label} {latest[f'{key}_loss']:.4g}" for key, label in (("train", "train"), ("val", "val"),
                                                                             ("test", "test"))
                  if f"{key}_loss" in latest]
        if losses:
            parts.append("loss " + ", ".join(losses))
        if metric == "accuracy":
            accs = [f"{label} {latest[f'{key}_accuracy']:.1f}%" for key, label in (("train", "train"),
                                                                                   ("val", "val"),
                                                                                   ("test", "test"))
                    if f"{key}_accuracy" in latest]
            if accs:
                parts.append("accuracy " + ", ".join(accs))
        elif "test_rmse" in latest:
            parts.append(f"test RMSE {latest['test_rmse']:.4g}")
        if speed > 0:
            parts.append(f"{speed:,.0f} steps/s")
        return " · ".join(parts)

