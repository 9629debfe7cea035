"""Shared pyqtgraph helpers for the live views: colour maps, fast images, plots and empty states.

Colours follow the dataset preview: low / negative values blue, high / positive orange, classes in
the same qualitative order (class 0 blue, class 1 orange, ...).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnsim.gui.canvas import style

BLUE, WHITE, ORANGE = (59, 117, 175), (247, 247, 247), (230, 120, 30)
CLASS_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                "#9c755f", "#bab0ac")
MUTED_STYLE = "color: palette(placeholder-text); font-size: 10pt;"


@lru_cache(maxsize=None)
def diverging_cmap() -> pg.ColorMap:
    """Blue (low / negative) through white to orange (high / positive)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [BLUE, WHITE, ORANGE])


@lru_cache(maxsize=None)
def sequential_cmap() -> pg.ColorMap:
    """White to dark blue, for non-negative magnitudes and counts."""
    return pg.ColorMap([0.0, 1.0], [(250, 250, 250), (25, 65, 120)])


@lru_cache(maxsize=None)
def class_cmap(n_classes: int) -> pg.ColorMap:
    """Stepped qualitative colours for class indices 0..n-1 (image levels -0.5 .. n-0.5)."""
    n = max(int(n_classes), 1)
    colors = [class_color(i) for i in range(n) for _ in (0, 1)]  # each colour held over its step
    pos = np.repeat(np.linspace(0.0, 1.0, n + 1), 2)[1:-1]
    return pg.ColorMap(pos, colors)


def washed(cmap: pg.ColorMap, amount: float = 0.4) -> pg.ColorMap:
    """``cmap`` mixed with white: a background that points in the full colours stand out on."""
    pos, colors = cmap.getStops(mode="byte")
    rgb = colors[:, :3].astype(np.float64) * (1.0 - amount) + 255.0 * amount
    return pg.ColorMap(pos, rgb.astype(np.uint8))


def class_color(index: int) -> QColor:
    return QColor(CLASS_COLORS[int(index) % len(CLASS_COLORS)])


def lookup_table(cmap: pg.ColorMap, n: int = 256) -> np.ndarray:
    """(n, 3) uint8 RGB table, for colouring arrays without pyqtgraph (e.g. QImage thumbnails)."""
    return np.ascontiguousarray(cmap.getLookupTable(0.0, 1.0, n, alpha=False), dtype=np.uint8)


def symmetric_levels(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m = max |value| (never zero, so a fresh all-zero layer still draws)."""
    m = float(np.max(np.abs(values))) if values.size else 0.0
    m = m if np.isfinite(m) and m > 0 else 1.0
    return -m, m


def image_item() -> pg.ImageItem:
    """An ImageItem set up for fast row-major updates (rows = y, columns = x)."""
    return pg.ImageItem(axisOrder="row-major")


def set_image(item: pg.ImageItem, data: np.ndarray, levels: tuple[float, float], rect=None) -> None:
    """Hand ``item`` a float32 C-contiguous copy with explicit levels (the fast path)."""
    item.setImage(np.array(data, dtype=np.float32, order="C"), autoLevels=False, levels=levels)
    if rect is not None:
        item.setRect(*rect)


def plot_widget(aspect_locked: bool = False) -> pg.PlotWidget:
    """A PlotWidget in the canvas colours, without the right-click menu."""
    plot = pg.PlotWidget()
    plot.setBackground(style.canvas_background())
    plot.setMenuEnabled(False)
    plot.setAspectLocked(aspect_locked)
    for name in ("left", "bottom"):
        axis = plot.getPlotItem().getAxis(name)
        axis.setPen(style.muted_text_color())
        axis.setTextPen(style.text_color())
    return plot


def color_bar(plot: pg.PlotWidget, image: pg.ImageItem, cmap: pg.ColorMap,
              values: tuple[float, float] = (-1.0, 1.0), label: str | None = None) -> pg.ColorBarItem:
    """A read-only colour bar at the right of ``plot`` that drives ``image``'s colours."""
    bar = pg.ColorBarItem(values=values, colorMap=cmap, interactive=False, width=14, label=label,
                          colorMapMenu=False, pen=style.muted_text_color())
    bar.setImageItem(image, insert_in=plot.getPlotItem())
    bar.getAxis("right").setTextPen(style.text_color())
    return bar


class EmptyStack(QStackedWidget):
    """Either the view's content or a centred, muted sentence saying why there is nothing to draw."""

    def __init__(self, content: QWidget, message: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(message)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet(MUTED_STYLE)
        self.content = content
        self.addWidget(self.label)
        self.addWidget(content)

    def show_empty(self, message: str | None = None) -> None:
        if message is not None:
            self.label.setText(message)
        self.setCurrentWidget(self.label)

    def show_content(self) -> None:
        self.setCurrentWidget(self.content)

    @property
    def is_empty(self) -> bool:
        return self.currentWidget() is self.label


# --- line plots with export (curves, gradients, confusion) -------------------------------------------
SERIES_COLORS = {"train": "#4e79a7", "validation": "#f28e2b", "test": "#59a14f"}
LAYER_COLORS = CLASS_COLORS  # one colour per layer, in node order
TICK_POINT_SIZE = 8


def series_color(name: str) -> QColor:
    """Train blue, validation orange, test green (the same in every view)."""
    return QColor(SERIES_COLORS.get(name, "#7f7f7f"))


def layer_color(index: int) -> QColor:
    return QColor(LAYER_COLORS[int(index) % len(LAYER_COLORS)])


def banner_style(level: str) -> str:
    """Style sheet for a warning ("warning") or error ("error") banner, readable in light and dark."""
    dark = style.is_dark()
    if level == "error":
        bg, fg = ("#5c1f1f", "#ffd7d7") if dark else ("#fde2e1", "#8a1c1c")
    else:
        bg, fg = ("#5a4a12", "#fff0c2") if dark else ("#fff4cc", "#6b4e00")
    return f"background: {bg}; color: {fg}; padding: 4px 8px; border-radius: 3px;"


def summary_column(parent: QWidget) -> tuple[QVBoxLayout, QLabel]:
    """A tight column layout on ``parent`` headed by a small summary line (views with a caption)."""
    box = QVBoxLayout(parent)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    summary = QLabel("")
    summary.setContentsMargins(6, 2, 6, 0)
    summary.setStyleSheet("font-size: 9pt;")
    box.addWidget(summary)
    return box, summary


def style_plot_item(item: pg.PlotItem) -> None:
    """Canvas colours and small, consistent tick fonts on every axis of ``item``."""
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSize(TICK_POINT_SIZE)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(style.muted_text_color())
        axis.setTextPen(style.text_color())
        axis.setStyle(tickFont=font)
        axis.enableAutoSIPrefix(False)  # "loss (x0.001)" reads worse than 0.02 on the ticks
    item.titleLabel.item.setDefaultTextColor(style.text_color())


def enable_export(widget: pg.GraphicsView) -> None:
    """Keep pyqtgraph's right-click menu, whose "Export..." entry saves PNG, SVG or CSV.

    Works for PlotWidgets and GraphicsLayoutWidgets alike: every plot and view box in the scene
    gets its menu back (the scene appends "Export..." to it).
    """
    for item in widget.scene().items():
        if isinstance(item, (pg.PlotItem, pg.ViewBox)):
            item.setMenuEnabled(True)


def export_action(widget: pg.GraphicsView):
    """The scene's "Export..." action (for tests and toolbars)."""
    return widget.scene().contextMenu[0]


class LogAxis(pg.AxisItem):
    """An axis whose log-mode ticks are labelled at decades only (or 1-2-5 inside a single decade), as
    0.01 / 1e-06; pyqtgraph's own labels every 2..9 and overprints them. Linear mode is unchanged."""

    def __init__(self, orientation: str = "left"):
        super().__init__(orientation)
        self.setStyle(maxTextLevel=0)

    def logTickValues(self, minVal, maxVal, size, stdTicks):
        import math

        lo, hi = math.floor(minVal), math.ceil(maxVal)
        decades = [float(v) for v in range(lo, hi + 1) if minVal <= v <= maxVal]
        minor = [t for t in (v + math.log10(m) for v in range(lo, hi) for m in range(2, 10)) if minVal <= t <= maxVal]
        if len(decades) >= 2:
            step = max(1, math.ceil(len(decades) / 6))
            return [(float(step), decades[::step]), (None, minor)]
        fives = [t for t in (v + math.log10(m) for v in range(lo, hi) for m in (2, 5)) if minVal <= t <= maxVal]
        return [(None, sorted(decades + fives)), (None, minor)]

    def logTickStrings(self, values, scale, spacing):
        return [f"{10.0 ** v:.3g}" for v in values]


def line_plot(left: str | None = None, bottom: str | None = None, log_y_axis: bool = False) -> pg.PlotWidget:
    """A PlotWidget for curves: canvas colours, light grid, fast long-curve drawing, Export in its menu.

    ``log_y_axis`` gives the left axis readable tick labels for ``setLogMode(y=True)``.
    """
    plot = plot_widget()
    item = plot.getPlotItem()
    if log_y_axis:
        item.setAxisItems({"left": LogAxis("left")})
    style_plot_item(item)
    item.showGrid(x=True, y=True, alpha=0.15)
    item.setDownsampling(auto=True, mode="peak")
    item.setClipToView(True)
    item.getViewBox().setDefaultPadding(0.02)
    item.getAxis("left").setWidth(52)  # stacked plots line up whatever their tick labels
    if left:
        item.setLabel("left", left, color=style.text_color().name())
    if bottom:
        item.setLabel("bottom", bottom, color=style.text_color().name())
    enable_export(plot)
    return plot


def fast_curve(plot: pg.PlotWidget, color: QColor, name: str | None = None, width: float = 1.6) -> pg.PlotDataItem:
    """An empty curve to ``setData`` on every frame (peak downsampling, clipped to the view).

    Not antialiased: an antialiased curve of a few thousand noisy points takes seconds to paint with
    the raster engine. Pass ``antialias=True`` to ``setData`` for short curves if wanted.
    """
    curve = plot.plot([], [], pen=pg.mkPen(color, width=width), name=name, antialias=False)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    return curve
