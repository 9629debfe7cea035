"""What the network predicts on the test set: the confusion matrix with per-class accuracy, and a
gallery of test images with their predicted and true labels.

Both draw ``frame.predictions`` (computed on the training thread) plus the open project's dataset
(cached by the project) for class names and images. Plot items are made once and updated in place;
they are only rebuilt when the number of classes or the dataset changes.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.live import LiveFrame

MAX_CELL_TEXT = 12  # classes up to which counts are written in the cells
MAX_TICK_LABELS = 30
GALLERY_SIZE = 24
GALLERY_COLUMNS = 6
WRONG = QColor("#d62728")
CONFUSION_EMPTY = "Press Play to train: the confusion matrix of the test set appears here."
GALLERY_EMPTY = "Press Play to train: test images with the network's predictions appear here."


def _dataset(context: ViewContext):
    """The open project's dataset, or None when there is no project or it cannot load."""
    try:
        project = context.project()
        return project.load_dataset() if project is not None else None
    except Exception:  # a dataset that fails to load is reported elsewhere; draw without it
        return None


def _class_names(context: ViewContext, k: int) -> list[str]:
    dataset = _dataset(context)
    names = list(dataset.class_names) if dataset is not None else []
    if len(names) < k:
        names += [str(i) for i in range(len(names), k)]
    return [n if len(n) <= 10 else n[:9] + "…" for n in names[:k]]


def _is_classification(frame: LiveFrame, context: ViewContext) -> bool:
    if not frame.supervised:  # an RBM's features: nothing predicts the labels
        return False
    if frame.predictions is not None:
        return frame.predictions.confusion is not None
    dataset = _dataset(context)
    if dataset is not None:
        return dataset.task == "classification"
    accuracy = frame.history.get("train_accuracy") or []
    return bool(accuracy) and accuracy[-1] is not None


def _ticks(names: list[str]) -> list[list[tuple[float, str]]]:
    step = max(1, math.ceil(len(names) / MAX_TICK_LABELS))
    return [[(i + 0.5, n) for i, n in enumerate(names) if i % step == 0]]


class ConfusionView(LiveView):
    title = "Confusion matrix"
    key = "confusion"
    parts = frozenset({"predictions"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._k = 0
        self._shown = False  # a matrix has been drawn since the last reset
        self._names: list[str] = []
        self.cell_texts: list[pg.TextItem] = []
        self._text_font = QFont()
        self._text_font.setPointSize(8)

        content = QWidget()
        box, self.summary = ps.summary_column(content)

        self.matrix_plot = ps.line_plot(left="true class", bottom="predicted class")
        self.matrix_plot.grid.axes = ()
        self.matrix_plot.setAspectLocked(True)
        self.matrix_plot.setMouseEnabled(x=False, y=False)
        self.matrix_plot.invertY(True)
        self.matrix_plot.hideButtons()
        self.image = ps.image_item()
        self._dark = ps.style.is_dark()
        cmap = pg.ColorMap([0.0, 1.0], [(34, 37, 43), (120, 180, 240)]) if self._dark else ps.sequential_cmap()
        self.image.setLookupTable(cmap.getLookupTable(0.0, 1.0, 256))
        self.matrix_plot.addItem(self.image)
        box.addWidget(self.matrix_plot, 3)

        self.bar_plot = ps.line_plot(left="accuracy (%)")
        self.bar_plot.grid.axes = ("left",)
        self.bar_plot.setMouseEnabled(x=False, y=False)
        self.bar_plot.hideButtons()
        self.bar_plot.setYRange(0, 100, padding=0.02)
        self.bars = pg.BarGraphItem(x=[0.5], height=[0.0], width=0.75, brush=ps.class_color(0), pen=None)
        self.bar_plot.addItem(self.bars)
        box.addWidget(self.bar_plot, 1)

        self.stack = ps.EmptyStack(content, CONFUSION_EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -----------------------------------------------------------------------------------
    def applies_to(self, frame: LiveFrame) -> bool:
        return _is_classification(frame, self.context)

    def reset(self) -> None:
        self._shown = False
        super().reset()

    def redraw(self) -> None:
        frame = self.frame
        predictions = frame.predictions if frame is not None else None
        if predictions is None or predictions.confusion is None:
            if frame is None or not self._shown:
                self.stack.show_empty(CONFUSION_EMPTY if frame is None or _is_classification(frame, self.context)
                                      else "The confusion matrix is for classification; this dataset is regression.")
            return  # a frame without predictions keeps the last matrix on screen
        self._shown = True
        self.stack.show_content()
        confusion = np.asarray(predictions.confusion, dtype=np.float64)
        k = confusion.shape[0]
        if k != self._k:
            self._set_classes(k)
        top = float(confusion.max()) if confusion.size else 0.0
        ps.set_image(self.image, confusion, (0.0, max(top, 1.0)), rect=(0, 0, k, k))
        if k <= MAX_CELL_TEXT:
            dark_text, light_text = QColor("#1d1d1f"), QColor("#ffffff")
            if self._dark:  # dark theme: low cells dark (light text), high cells bright (dark text)
                dark_text, light_text = QColor("#e8e8e8"), QColor("#101114")
            for i in range(k):
                for j in range(k):
                    item = self.cell_texts[i * k + j]
                    value = int(confusion[i, j])
                    text = str(value)
                    if item.textItem.toPlainText() != text:
                        item.setText(text)
                    item.setColor(light_text if value > 0.55 * top else dark_text)
        accuracy = np.nan_to_num(np.asarray(predictions.per_class_accuracy, dtype=np.float64)) * 100.0
        self.bars.setOpts(height=accuracy)
        total = float(confusion.sum())
        correct = float(np.trace(confusion))
        worst = int(np.argmin(np.where(confusion.sum(axis=1) > 0, accuracy, np.inf))) if k else 0
        text = f"Test accuracy <b>{100 * correct / total:.1f}%</b> on {int(total):,} predictions" if total else \
            "No test predictions"
        if total and k > 2:
            text += f" · weakest class “{self._names[worst]}” ({accuracy[worst]:.0f}%)"
        self.summary.setText(text)

    # --- pieces -----------------------------------------------------------------------------------
    def _set_classes(self, k: int) -> None:
        """Tick labels, cell texts and bar positions for ``k`` classes (only when k changes)."""
        self._k = k
        self._names = _class_names(self.context, k)
        ticks = _ticks(self._names)
        self.matrix_plot.getAxis("bottom").setTicks(ticks)
        self.matrix_plot.getAxis("left").setTicks(ticks)
        self.bar_plot.getAxis("bottom").setTicks(ticks)
        for item in self.cell_texts:
            self.matrix_plot.removeItem(item)
        self.cell_texts = []
        if k <= MAX_CELL_TEXT:
            for i in range(k):
                for j in range(k):
                    item = pg.TextItem("", anchor=(0.5, 0.5))
                    item.setFont(self._text_font)
                    item.setPos(j + 0.5, i + 0.5)
                    item.setZValue(10)
                    self.matrix_plot.addItem(item)
                    self.cell_texts.append(item)
        self.matrix_plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.0)
        self.bars.setOpts(x=np.arange(k) + 0.5, height=np.zeros(k), width=0.75,
                          brushes=[ps.class_color(i) for i in range(k)])
        self.bar_plot.setXRange(0, k, padding=0.01)

    def image_data(self) -> np.ndarray | None:
        """The matrix currently drawn (rows true, columns predicted), for tests."""
        return self.image.image


class GalleryView(LiveView):
    title = "Predictions"
    key = "gallery"
    parts = frozenset({"predictions"})

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._source: tuple | None = None  # (dataset id, tiles) the mosaic was built for
        self.labels: list[pg.TextItem] = []
        self.frames: list[QGraphicsRectItem] = []
        self.wrong: np.ndarray = np.zeros(0, dtype=bool)
        self._font = QFont()
        self._font.setPointSize(8)

        content = QWidget()
        box, self.summary = ps.summary_column(content)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(ps.style.canvas_background())
        self.view = self.graphics.addViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.view.setDefaultPadding(0.01)
        self.image = ps.image_item()
        # paper look: white background, dark ink (NaN padding between tiles stays transparent)
        paper = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (20, 20, 28)])
        self.image.setLookupTable(paper.getLookupTable(0.0, 1.0, 256))
        self.view.addItem(self.image)
        ps.enable_export(self.graphics)
        box.addWidget(self.graphics, 1)

        self.stack = ps.EmptyStack(content, GALLERY_EMPTY)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # --- LiveView -----------------------------------------------------------------------------------
    def applies_to(self, frame: LiveFrame) -> bool:
        if not frame.supervised:
            return False
        if frame.predictions is not None and (frame.predictions.labels is None or frame.predictions.labels.ndim != 1):
            return False
        dataset = _dataset(self.context)
        return dataset is not None and dataset.task == "classification" and _images(dataset) is not None

    def redraw(self) -> None:
        frame = self.frame
        predictions = frame.predictions if frame is not None else None
        dataset = _dataset(self.context)
        images = _images(dataset) if dataset is not None else None
        if predictions is None or predictions.labels is None or predictions.labels.ndim != 1 or images is None:
            if frame is None or self._source is None:
                self.stack.show_empty(GALLERY_EMPTY if frame is None or images is not None else
                                      "The gallery shows image classification; this dataset has no images.")
            return  # a frame without predictions keeps the last gallery on screen
        n = min(GALLERY_SIZE, len(predictions.labels), len(images))
        if self._source != (id(dataset), n):
            self._build(images[:n], dataset)
        self.stack.show_content()
        predicted = np.asarray(predictions.predicted[:n])
        labels = np.asarray(predictions.labels[:n])
        self.wrong = predicted != labels
        names = _class_names(self.context, max(int(max(predicted.max(), labels.max())) + 1, dataset.n_classes))
        normal = ps.style.text_color()
        for i in range(n):
            p, t = int(predicted[i]), int(labels[i])
            if self.wrong[i]:
                html = (f"<div align='center' style='color:{WRONG.name()}'><b>{names[p]}</b><br>"
                        f"true {names[t]}</div>")
            else:
                html = f"<div align='center' style='color:{normal.name()}'>{names[p]}</div>"
            if self.labels[i].toolTip() != html:  # the tooltip caches the html last set
                self.labels[i].setHtml(html)
                self.labels[i].setToolTip(html)
            self.frames[i].setVisible(bool(self.wrong[i]))
        bad = int(self.wrong.sum())
        self.summary.setText(f"First {n} test images: <b>{n - bad} right</b>, "
                             + (f"<span style='color:{WRONG.name()}'><b>{bad} wrong</b></span> (red)" if bad
                                else "none wrong") + " · label = predicted class")

    # --- pieces -----------------------------------------------------------------------------------
    def _build(self, images: np.ndarray, dataset) -> None:
        """One mosaic image of the tiles, a label under each and a (hidden) red frame around each."""
        n, h, w = images.shape
        cols = min(GALLERY_COLUMNS, n)
        rows = math.ceil(n / cols)
        gap_x, gap_y = max(1, w // 4), max(2, int(round(h * 0.75)))  # room for two label lines
        mosaic = np.full((rows * (h + gap_y), cols * (w + gap_x)), np.nan, dtype=np.float32)
        for i in range(n):
            r, c = divmod(i, cols)
            tile = images[i].astype(np.float32)
            lo, hi = float(np.nanmin(tile)), float(np.nanmax(tile))
            tile = (tile - lo) / (hi - lo) if hi > lo else np.zeros_like(tile)
            mosaic[r * (h + gap_y):r * (h + gap_y) + h, c * (w + gap_x):c * (w + gap_x) + w] = tile
        ps.set_image(self.image, mosaic, (0.0, 1.0), rect=(0, 0, mosaic.shape[1], mosaic.shape[0]))
        for item in (*self.labels, *self.frames):
            self.view.removeItem(item)
        self.labels, self.frames = [], []
        pen = QPen(WRONG, 2.5)
        pen.setCosmetic(True)
        for i in range(n):
            r, c = divmod(i, cols)
            x, y = c * (w + gap_x), r * (h + gap_y)
            label = pg.TextItem("", anchor=(0.5, 0.0))
            label.setFont(self._font)
            label.textItem.setTextWidth(110)  # a fixed box, so centred lines stay centred under the tile
            label.setPos(x + w / 2, y + h)
            self.view.addItem(label)
            self.labels.append(label)
            frame = QGraphicsRectItem(x - 0.25, y - 0.25, w + 0.5, h + 0.5)
            frame.setPen(pen)
            frame.setBrush(Qt.BrushStyle.NoBrush)
            frame.setVisible(False)
            self.view.addItem(frame)
            self.frames.append(frame)
        self.view.setRange(xRange=(-0.5, mosaic.shape[1]), yRange=(-0.5, mosaic.shape[0]), padding=0.0)
        self._source = (id(dataset), n)


def _images(dataset) -> np.ndarray | None:
    """The test inputs as (n, H, W) grey images, or None when the dataset's samples are not images."""
    x = dataset.x_test
    if dataset.layout == "image":
        c = x.shape[1]
        return x.mean(axis=1) if c in (3, 4) else x[:, 0]  # colour: luminance-ish; else first channel
    if dataset.layout == "vector" and "digit" in dataset.name.lower():
        side = math.isqrt(int(x.shape[1]))
        if side * side == x.shape[1]:
            return x.reshape(len(x), side, side)  # flat digits (64 = 8 x 8)
    return None
