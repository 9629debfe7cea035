"""Decision boundary: the network's output over the 2-D input plane, with the data on top.

Like TensorFlow Playground: the background is the probability of the positive class (blue 0,
white 0.5, orange 1), the predicted class (qualitative colours) or, for regression, the predicted
value on a diverging scale around the target mean. Train points are filled, test points white
with a coloured rim; all coloured on the same scale as the background.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnsim.gui.canvas.unit_overlay import fmt
from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.live import Boundary, LiveFrame
from nnsim.training.units import DecisionLine

EMPTY = "The decision boundary appears here once training starts (press Play)."
NOT_2D = "The decision boundary needs a dataset with two inputs (spiral, circle, xor, plane...)."
MAX_POINTS = 1500  # per split; more would only hide the background
POINT_SIZE = 8
TEST_POINT_SIZE = 6  # smaller, so a test point on a train point shows both
LINES_NOTE = "Dashed: each unit's line w·x + b = 0; one unit splits the plane with one straight line."


def line_geometry(line: DecisionLine) -> tuple[float, float, float]:
    """A point on w1·x1 + w2·x2 + b = 0 (the one closest to the origin) and the line's angle in degrees."""
    norm2 = line.w1 ** 2 + line.w2 ** 2
    x0, y0 = -line.b * line.w1 / norm2, -line.b * line.w2 / norm2
    return x0, y0, float(np.degrees(np.arctan2(-line.w1, line.w2)))


def dataset_points(data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(train xy, train targets, test xy, test targets) in plane coordinates, or None if not 2-D."""
    if data.points_train is not None:
        xy_train, xy_test = data.points_train, data.points_test
    elif tuple(data.input_shape) == (2,):
        xy_train, xy_test = data.x_train, data.x_test
    else:
        return None
    classes = data.task == "classification"
    t_train = data.labels_train if classes else data.y_train
    t_test = data.labels_test if classes else data.y_test
    return (*_first(xy_train, t_train), *_first(xy_test, t_test))


def _first(xy, targets) -> tuple[np.ndarray, np.ndarray]:
    """Up to MAX_POINTS points and their first target column (the label or regression value)."""
    if xy is None or targets is None or len(xy) == 0:
        return np.zeros((0, 2)), np.zeros(0)
    xy = np.asarray(xy, dtype=np.float64)[:MAX_POINTS]
    t = np.asarray(targets, dtype=np.float64).reshape(len(targets), -1)[:MAX_POINTS, 0]
    return xy, t


class BoundaryView(LiveView):
    title = "Decision boundary"
    key = "boundary"
    parts = frozenset({"boundary"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._data_key: object = None
        self._points = None
        self._kind = ""
        self._value_levels = (-1.0, 1.0)
        self._plane: tuple[float, ...] = ()
        self.levels: tuple[float, float] = (0.0, 1.0)
        self.lines: list[pg.InfiniteLine] = []
        self._build()
        if context.units is not None:
            context.units.changed.connect(self._units_changed)
        self.redraw()

    def _build(self) -> None:
        self.caption = QLabel()
        self.plot = ps.plot_widget(aspect_locked=True)
        self.plot.setLabel("bottom", "x1")
        self.plot.setLabel("left", "x2")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = ps.image_item()
        self.plot.addItem(self.image)
        self.bar = ps.color_bar(self.plot, self.image, ps.diverging_cmap(), values=(0.0, 1.0))
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=TEST_POINT_SIZE, pxMode=True)
        self.legend = pg.LegendItem(offset=(8, 8), labelTextColor=ps.style.text_color(),
                                    brush=pg.mkBrush(255, 255, 255, 200))
        self.legend.setParentItem(self.plot.getPlotItem().getViewBox())
        self.train_points.setZValue(2)
        self.test_points.setZValue(3)
        for item in (self.train_points, self.test_points):
            self.plot.addItem(item)
        ps.style_plot_item(self.plot.getPlotItem())
        ps.enable_export(self.plot)  # right-click > Export... (PNG, SVG, CSV)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(ps.steady_label(self.caption))
        layout.addWidget(self.plot, 1)
        self.stack = ps.EmptyStack(content, EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -------------------------------------------------------------------------------
    def applies_to(self, frame: LiveFrame) -> bool:
        return frame.boundary is not None or self._unit_boundary() is not None

    def shows_without_training(self) -> bool:
        return self._unit_boundary() is not None

    def _unit_boundary(self) -> Boundary | None:
        """For networks of units: the boundary from the weights the canvas shows (current after edits)."""
        units = self.context.units
        return units.state.boundary if units is not None else None

    def _units_changed(self) -> None:
        if self.isVisible() and self._unit_boundary() is not None:
            self.redraw()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        if self.frame is None and self._unit_boundary() is not None:
            self.redraw()

    def reset(self) -> None:
        self._data_key, self._points, self._kind, self._plane = None, None, "", ()
        super().reset()

    def redraw(self) -> None:
        b = self._unit_boundary() or (self.frame.boundary if self.frame is not None else None)
        if b is None:
            self.stack.show_empty(EMPTY if self.frame is None else NOT_2D)
            return
        self.stack.show_content()
        self._sync_points(b.kind)
        self._draw_background(b)
        lines = self._draw_lines()
        metrics = self.frame.snapshot.metrics if self.frame is not None else {}
        what = {"probability": "probability of the positive class", "class": "predicted class",
                "value": "predicted value"}[b.kind]
        score = metrics.get("test_accuracy") if b.kind != "value" else metrics.get("test_rmse")
        label = "test accuracy" if b.kind != "value" else "test RMSE"
        self.caption.setText(f"Background: {what}.   Filled dots: train, white dots: test."
                             + (f"   {label} {score:.3g}" if isinstance(score, float) else "")
                             + (f"   {LINES_NOTE}" if lines else ""))

    def _draw_lines(self) -> int:
        """One dashed line per unit reading (x1, x2): where its weighted sum w1·x1 + w2·x2 + b is 0."""
        units = self.context.units
        lines = units.state.lines if units is not None else []
        while len(self.lines) < len(lines):
            line = pg.InfiniteLine(pen=pg.mkPen(ps.style.text_color(), width=2, style=Qt.PenStyle.DashLine),
                                   movable=False, label="", labelOpts={"position": 0.1, "color": ps.style.text_color(),
                                                                       "fill": pg.mkBrush(255, 255, 255, 200)})
            line.setZValue(4)
            self.plot.addItem(line)
            self.lines.append(line)
        for item, line in zip(self.lines, lines):
            x0, y0, angle = line_geometry(line)
            item.setPos((x0, y0))
            item.setAngle(angle)
            item.label.setFormat(f"{line.unit}: {fmt(line.w1, True)}·x1 {fmt(line.w2, True)}·x2 "
                                 f"{fmt(line.b, True)} = 0")
            item.setVisible(True)
        for item in self.lines[len(lines):]:
            item.setVisible(False)
        return len(lines)

    # --- pieces ---------------------------------------------------------------------------------
    def _draw_background(self, b: Boundary) -> None:
        levels = (0.0, 1.0) if b.kind == "probability" else (
            (-0.5, self._n_classes() - 0.5) if b.kind == "class" else self._value_levels)
        self.levels = levels
        dx = (b.xs[-1] - b.xs[0]) / max(len(b.xs) - 1, 1)
        dy = (b.ys[-1] - b.ys[0]) / max(len(b.ys) - 1, 1)
        rect = (b.xs[0] - dx / 2, b.ys[0] - dy / 2, dx * len(b.xs), dy * len(b.ys))  # pixel centres on the grid
        ps.set_image(self.image, b.values, levels, rect=rect)  # rows follow x2: row-major with y up
        ps.set_bar_levels(self.bar, levels)
        plane = tuple(float(v) for v in (b.xs[0], b.xs[-1], b.ys[0], b.ys[-1]))
        if plane != self._plane:
            self._plane = plane
            self.plot.setXRange(plane[0], plane[1], padding=0)
            self.plot.setYRange(plane[2], plane[3], padding=0)

    def _n_classes(self) -> int:
        data = self.context.project().load_dataset()
        return max(data.n_classes, 2)

    def _sync_points(self, kind: str) -> None:
        """Set points, their colours and the colour map once per dataset (and kind), not per frame."""
        data = self.context.project().load_dataset()
        if data is self._data_key and kind == self._kind:
            return
        self._data_key, self._kind = data, kind
        self._points = dataset_points(data)
        self.legend.clear()
        self.legend.setVisible(data.task == "classification")
        cmap = ps.class_cmap(max(data.n_classes, 2)) if kind == "class" else ps.diverging_cmap()
        self.bar.setColorMap(ps.washed(cmap))  # also colours the image; points keep the full colours
        self.bar.setVisible(kind != "class")
        if self._points is None:
            self.train_points.clear()
            self.test_points.clear()
            return
        xy_tr, t_tr, xy_te, t_te = self._points
        if data.task == "classification":
            train_brush = [pg.mkBrush(ps.class_color(int(c))) for c in t_tr]
            test_pen = [pg.mkPen(ps.class_color(int(c)), width=2.0) for c in t_te]
            self._add_legend(data.class_names)
        else:
            mean = float(np.mean(t_tr)) if len(t_tr) else 0.0
            spread = float(np.max(np.abs(t_tr - mean))) if len(t_tr) else 1.0
            self._value_levels = (mean - (spread or 1.0), mean + (spread or 1.0))
            lo, hi = self._value_levels
            train_brush = [pg.mkBrush(c) for c in cmap.map((t_tr - lo) / (hi - lo), mode="qcolor")]
            test_pen = [pg.mkPen(c, width=2.0) for c in cmap.map((t_te - lo) / (hi - lo), mode="qcolor")]
        self.train_points.setData(xy_tr[:, 0], xy_tr[:, 1], brush=train_brush, pen=pg.mkPen("w", width=1.0))
        self.test_points.setData(xy_te[:, 0], xy_te[:, 1], brush=pg.mkBrush("w"), pen=test_pen)

    def _add_legend(self, names: list[str]) -> None:
        for i, name in enumerate(names[:10]):
            sample = pg.ScatterPlotItem(size=POINT_SIZE, brush=pg.mkBrush(ps.class_color(i)), pen=None)
            self.legend.addItem(sample, name)
