"""A preview of the project's dataset: what the network will actually be fed.

2-D point sets show as a scatter (train filled, test hollow) coloured by class or target value;
images as a crisp mosaic of the first training samples with their labels; sequences and text as
decoded samples. A summary line and a class-balance bar list sit on top. The preview is built only
while the view is visible, since building a big set or mosaic for a hidden tab is wasted work.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QImage, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy,
                               QStackedWidget, QVBoxLayout, QWidget)

from nnsim.data import Dataset
from nnsim.gui.canvas import style
from nnsim.gui.document import Document
from nnsim.gui.panels.param_form import ERROR_STYLE, MUTED_STYLE

# Distinguishable class colours (Tableau 10), repeated for more classes.
CLASS_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#bab0ac")
MAX_IMAGES = 32
MAX_TEXT_SAMPLES = 8
MAX_BARS = 12
OPEN_FILTER = "Data files (*.csv *.npz *.txt);;CSV tables (*.csv);;NumPy archives (*.npz);;Text (*.txt)"
SUFFIX_KIND = {".csv": "csv", ".npz": "npz", ".txt": "text"}


def class_color(index: int) -> QColor:
    return QColor(CLASS_COLORS[index % len(CLASS_COLORS)])


def value_color(t: float) -> QColor:
    """Blue (low) through light grey to orange (high), for regression targets in [0, 1]."""
    t = float(min(max(t, 0.0), 1.0))
    lo, mid, hi = np.array([59, 117, 175]), np.array([220, 220, 220]), np.array([230, 120, 30])
    rgb = lo + (mid - lo) * (t / 0.5) if t < 0.5 else mid + (hi - mid) * ((t - 0.5) / 0.5)
    return QColor(*(int(c) for c in rgb))


def image_samples(data: Dataset) -> np.ndarray | None:
    """The first training images as (n, H, W) or (n, H, W, 3) in [0, 1], or None if not images.

    Digits in their flat layout (64 features) are shown as the 8x8 images they are.
    """
    shape = data.input_shape
    x = np.asarray(data.x_train[:MAX_IMAGES], dtype=np.float32)
    if len(shape) == 3:
        channels = shape[0]
        if channels == 1:
            images = x[:, 0]
        elif channels == 3:
            images = np.transpose(x, (0, 2, 3, 1))
        else:
            images = x[:, 0]  # other channel counts: show the first channel
    elif shape == (64,) and data.name.startswith("digits"):
        images = x.reshape(len(x), 8, 8)
    else:
        return None
    lo, hi = float(images.min(initial=0.0)), float(images.max(initial=1.0))
    if lo < 0.0 or hi > 1.0:  # standardized pixels: rescale for display only
        images = (images - lo) / max(hi - lo, 1e-12)
    return images


def label_text(data: Dataset, split: str, i: int) -> str:
    """A sample's label as a human reads it: class name(s) or the target value(s)."""
    labels = getattr(data, f"labels_{split}")
    if labels is not None and data.class_names:
        lab = np.asarray(labels[i])
        if lab.ndim == 0:
            return _class_name(data, int(lab))
        names = [_step_name(data, int(v)) for v in lab.ravel()]
        return ("" if all(len(n) == 1 for n in names) else " ").join(names)
    y = np.asarray(getattr(data, f"y_{split}")[i]).ravel()
    shown = ", ".join(f"{v:.3g}" for v in y[:10])
    return shown + (", ..." if len(y) > 10 else "")


def _class_name(data: Dataset, index: int) -> str:
    return data.class_names[index] if 0 <= index < len(data.class_names) else str(index)


def _step_name(data: Dataset, index: int) -> str:
    """A per-step class as the input side shows it: raw vocabulary characters, newline as ⏎."""
    vocab = data.vocab
    if vocab is not None and len(vocab) == len(data.class_names) and 0 <= index < len(vocab):
        return vocab[index].replace("\n", "⏎")
    return _class_name(data, index)


def decode_sample(data: Dataset, split: str, i: int) -> str:
    """One input sample as text: characters or words through the vocabulary, else rounded values."""
    x = np.asarray(getattr(data, f"x_{split}")[i])
    vocab = data.vocab
    if vocab is not None and data.layout == "tokens":
        words = [vocab[int(t)] for t in x.ravel() if 0 < int(t) < len(vocab)]  # 0 is padding
        return " ".join(words)
    if vocab is not None and data.layout == "sequence" and x.shape[-1] == len(vocab):
        chars = [vocab[int(np.argmax(step))] if np.any(step) else "·" for step in x]
        join = "" if all(len(c) == 1 for c in chars) else " "
        return join.join(chars).replace("\n", "⏎")
    if data.layout == "sequence" and x.shape[-1] == 1:
        return " ".join(f"{v:.2f}" for v in x[:, 0])
    flat = x.ravel()
    text = " ".join(f"{v:.3g}" for v in flat[:16])
    return text + (" ..." if flat.size > 16 else "")


class ImageGrid(QWidget):
    """Tiles of images with labels underneath, each scaled by a whole factor (crisp pixels)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._images: list[QImage] = []
        self._labels: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    def set_images(self, images: np.ndarray, labels: list[str]) -> None:
        self._images = [_to_qimage(img) for img in images]
        self._labels = list(labels)
        self.update()

    def image_count(self) -> int:
        return len(self._images)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 320)

    def _cell(self) -> tuple[int, int, int, int]:
        """(tile side, columns, label height, gap) so every image fits the widget when possible."""
        if not self._images:
            return 0, 1, 0, 0
        h, w = self._images[0].height(), self._images[0].width()
        label_h = self.fontMetrics().height() + 2
        gap = 6
        n = len(self._images)
        best = (max(h, w), 1)
        for cols in range(1, n + 1):
            rows = -(-n // cols)
            side = min((self.width() - gap * (cols + 1)) // cols,
                       (self.height() - gap * (rows + 1)) // rows - label_h)
            scale = max(1, side // max(h, w))
            if scale * max(h, w) > best[0] or (scale * max(h, w) == best[0] and cols < best[1]):
                best = (scale * max(h, w), cols)
        return best[0], best[1], label_h, gap

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self._images:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        side, cols, label_h, gap = self._cell()
        painter.setPen(QPen(style.text_color()))
        for i, (image, label) in enumerate(zip(self._images, self._labels)):
            r, c = divmod(i, cols)
            x = gap + c * (side + gap)
            y = gap + r * (side + label_h + gap)
            target = QRectF(x, y, side, side)
            painter.drawImage(target, image)
            painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
            painter.drawText(QRectF(x - gap / 2, y + side, side + gap, label_h),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, side + gap))
        painter.end()


def _to_qimage(img: np.ndarray) -> QImage:
    """A [0, 1] grey (H, W) or RGB (H, W, 3) array as a QImage that owns its pixels."""
    data = np.ascontiguousarray(np.clip(img * 255.0, 0, 255).astype(np.uint8))
    if data.ndim == 2:
        h, w = data.shape
        return QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    h, w, _ = data.shape
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class BalanceBars(QWidget):
    """A compact bar list: one bar per class with its count, in columns when there are many."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, int, QColor]] = []
        self._more = 0
        font = self.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_counts(self, counts: list[tuple[str, int]]) -> None:
        colored = [(name, n, class_color(i)) for i, (name, n) in enumerate(counts)]
        if len(colored) > MAX_BARS:  # many classes (characters): the most frequent ones
            colored = sorted(colored, key=lambda r: -r[1])[:MAX_BARS]
        self._more = max(0, len(counts) - MAX_BARS)
        self._rows = colored
        rows = -(-len(self._rows) // self._columns())
        self.setFixedHeight(self._row_h() * (rows + (1 if self._more else 0)) + 2 if self._rows else 0)
        self.update()

    def _columns(self) -> int:
        n = len(self._rows)
        return 1 if n <= 4 else 2 if n <= 8 else 3

    def _row_h(self) -> int:
        return self.fontMetrics().height() + 1

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self._rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = painter.fontMetrics()
        row_h = self._row_h()
        cols = self._columns()
        per_col = -(-len(self._rows) // cols)
        col_w = self.width() / cols
        name_w = min(max(fm.horizontalAdvance(r[0]) for r in self._rows) + 6, int(col_w / 3))
        count_w = fm.horizontalAdvance("00000 (100%)") + 12
        bar_w = max(10.0, col_w - name_w - count_w)
        top = max(r[1] for r in self._rows) or 1
        total = sum(n for _, n, _ in self._rows) or 1
        for i, (name, n, color) in enumerate(self._rows):
            x0 = (i // per_col) * col_w
            y = (i % per_col) * row_h
            painter.setPen(style.text_color())
            painter.drawText(QRectF(x0, y, name_w - 4, row_h), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, fm.elidedText(name, Qt.TextElideMode.ElideRight,
                                                                           name_w - 4))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            length = max(1.0, bar_w * n / top)
            painter.drawRoundedRect(QRectF(x0 + name_w, y + 2, length, row_h - 4), 2, 2)
            painter.setPen(style.muted_text_color())
            painter.drawText(QRectF(x0 + name_w + length + 4, y, count_w, row_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{n} ({100 * n / total:.0f}%)")
        if self._more:
            painter.setPen(style.muted_text_color())
            painter.drawText(QRectF(0, per_col * row_h, self.width(), row_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"... and {self._more} less frequent classes")
        painter.end()

    def row_count(self) -> int:
        return len(self._rows)


class DatasetView(QWidget):
    """Preview of ``document.dataset()``; ``mode()`` says which preview is showing."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self._dirty = True

        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open data file...")
        self.open_button.setToolTip("Import a .csv table, a NumPy .npz archive or a .txt text file.")
        self.open_button.clicked.connect(self.open_file)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet(MUTED_STYLE)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setObjectName("dataset_view_error")
        self.error_label.hide()
        self.balance = BalanceBars()

        self.plot = pg.PlotWidget()
        self.plot.setBackground(style.canvas_background())
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(8, 8), labelTextColor=style.text_color())
        self.images = ImageGrid()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(MUTED_STYLE)
        self.stack = QStackedWidget()
        for widget in (self.empty, self.plot, self.images, self.text):
            self.stack.addWidget(widget)

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.balance)
        layout.addWidget(self.stack, 1)

        document.dataset_changed.connect(self.refresh)
        document.project_replaced.connect(self.refresh)

    # --- public API -------------------------------------------------------------------------------
    def mode(self) -> str:
        """Which preview shows: "scatter", "images", "text", or "empty" (no dataset or an error)."""
        return {self.plot: "scatter", self.images: "images", self.text: "text"}.get(
            self.stack.currentWidget(), "empty")

    def error(self) -> str | None:
        return self.error_label.text() if not self.error_label.isHidden() else None

    def refresh(self) -> None:
        """Rebuild the preview now if visible, else on the next show."""
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        self._set_error(None)
        data = self.document.dataset()
        if data is None:
            self._show_nothing(self.document.dataset_error or "No dataset.")
            return
        try:
            self._show(data)
        except Exception as err:  # noqa: BLE001  a preview must never take the window down
            self._show_nothing(f"Can't preview this dataset: {err}")

    def open_file(self) -> None:
        """Ask for a .csv, .npz or .txt file and make it the project's dataset (undoable)."""
        path, _ = QFileDialog.getOpenFileName(self, "Open data file", "", OPEN_FILTER)
        if not path:
            return
        kind = SUFFIX_KIND.get(Path(path).suffix.lower())
        if kind is None:
            self._set_error(f"'{Path(path).name}' is not a .csv, .npz or .txt file: choose one of those.")
            return
        error = self.document.set_dataset({"name": kind, "params": {"path": path}},
                                          f"Open {Path(path).name}")
        if error:
            self._set_error(error)
            return
        self.refresh()
        if self.document.dataset_error and not self.error():
            self._set_error(self.document.dataset_error)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    # --- previews -------------------------------------------------------------------------------
    def _set_error(self, message: str | None) -> None:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    def _show_nothing(self, message: str) -> None:
        self.summary_label.setText("<b>No dataset</b>")
        self.detail_label.setText("")
        self.balance.set_counts([])
        self.balance.hide()
        self.empty.setText("Nothing to preview.")
        self.stack.setCurrentWidget(self.empty)
        self._set_error(message)

    def _show(self, data: Dataset) -> None:
        self._show_summary(data)
        points = _points(data)
        images = None if points is not None else image_samples(data)
        if points is not None:
            self._show_scatter(data, *points)
        elif images is not None:
            n = len(images)
            self.images.set_images(images, [label_text(data, "train", i) for i in range(n)])
            self.stack.setCurrentWidget(self.images)
        else:
            self._show_text(data)

    def _show_summary(self, data: Dataset) -> None:
        shape = " × ".join(str(d) for d in data.input_shape)
        self.summary_label.setText(f"<b>{data.name}</b> &nbsp; {data.n_train} train · {data.n_test} test · "
                                   f"input {shape} · {data.task}")
        extra = ""
        if data.n_classes:
            extra = f"{data.n_classes} classes"
            if data.label_steps:
                extra += f", labelled at each of {data.label_steps} steps"
        else:
            y = np.asarray(data.y_train, dtype=np.float64)
            if y.size:
                extra = f"target range {y.min():.3g} to {y.max():.3g}"
        if data.vocab is not None:
            extra += f"; vocabulary of {len(data.vocab)}"
        desc = data.description
        if self._points_shown(data):
            extra += "; filled dots: training set, hollow: test set"
        self.detail_label.setText(f"{desc} ({extra})" if desc and extra else desc or extra)
        counts = _class_counts(data)
        self.balance.set_counts(counts)
        self.balance.setVisible(bool(counts))

    @staticmethod
    def _points_shown(data: Dataset) -> bool:
        return _points(data) is not None

    def _show_scatter(self, data: Dataset, train: np.ndarray, test: np.ndarray) -> None:
        self.plot.clear()
        self.legend.clear()
        size = 7 if len(train) + len(test) < 2000 else 4
        if data.n_classes and data.labels_train is not None and np.asarray(data.labels_train).ndim == 1:
            for k, name in enumerate(data.class_names):
                color = class_color(k)
                tr = train[np.asarray(data.labels_train) == k]
                self.plot.addItem(pg.ScatterPlotItem(tr[:, 0], tr[:, 1], size=size, pen=pg.mkPen(color.darker(130)),
                                                     brush=pg.mkBrush(color), name=name))
                if data.labels_test is not None and len(test):
                    te = test[np.asarray(data.labels_test) == k]
                    self.plot.addItem(pg.ScatterPlotItem(te[:, 0], te[:, 1], size=size,
                                                         pen=pg.mkPen(color, width=1.5), brush=pg.mkBrush(None)))
        else:
            y_tr = np.asarray(data.y_train, dtype=np.float64).reshape(len(train), -1)[:, 0]
            y_te = np.asarray(data.y_test, dtype=np.float64).reshape(len(test), -1)[:, 0] if len(test) else y_tr[:0]
            lo, hi = float(min(y_tr.min(initial=0), y_te.min(initial=0))), float(max(y_tr.max(initial=1),
                                                                                     y_te.max(initial=1)))
            scale = max(hi - lo, 1e-12)
            self.plot.addItem(pg.ScatterPlotItem(train[:, 0], train[:, 1], size=size, pen=pg.mkPen("#555"),
                                                 brush=[pg.mkBrush(value_color((v - lo) / scale)) for v in y_tr],
                                                 name="train (filled)"))
            if len(test):
                self.plot.addItem(pg.ScatterPlotItem(test[:, 0], test[:, 1], size=size, brush=pg.mkBrush(None),
                                                     pen=[pg.mkPen(value_color((v - lo) / scale), width=1.5)
                                                          for v in y_te], name="test (hollow)"))
        self.plot.autoRange()
        self.stack.setCurrentWidget(self.plot)

    def _show_text(self, data: Dataset) -> None:
        lines: list[str] = []
        for split in ("train", "test"):
            n = min(MAX_TEXT_SAMPLES if split == "train" else MAX_TEXT_SAMPLES // 2, getattr(data, f"n_{split}"))
            if not n:
                continue
            lines.append(f"— {split} —")
            for i in range(n):
                lines.append(f"{decode_sample(data, split, i)}   →   {label_text(data, split, i)}")
            lines.append("")
        self.text.setPlainText("\n".join(lines))
        self.stack.setCurrentWidget(self.text)


def _points(data: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """2-D coordinates to scatter: the raw points of Playground sets, or a two-feature input."""
    if data.points_train is not None:
        test = data.points_test if data.points_test is not None else np.zeros((0, 2))
        return np.asarray(data.points_train, dtype=np.float64), np.asarray(test, dtype=np.float64)
    if data.input_shape == (2,) and data.vocab is None:
        return np.asarray(data.x_train, dtype=np.float64), np.asarray(data.x_test, dtype=np.float64)
    return None


def _class_counts(data: Dataset) -> list[tuple[str, int]]:
    if not data.n_classes or data.labels_train is None:
        return []
    labels = np.asarray(data.labels_train).ravel().astype(np.int64)
    counts = np.bincount(labels[(labels >= 0) & (labels < data.n_classes)], minlength=data.n_classes)
    return [(name, int(c)) for name, c in zip(data.class_names, counts)]


__all__ = ["BalanceBars", "DatasetView", "ImageGrid"]
