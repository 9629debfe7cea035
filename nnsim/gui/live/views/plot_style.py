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
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

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


def steady_bound(value: float, current: float | None, keep_above: float = 0.4) -> float:
    """A colour-scale bound for data whose largest magnitude is ``value``: a round number, kept while
    the data stays between ``keep_above`` (40%) and 100% of it, so the colour bar is not re-labelled
    on every frame and the same colour keeps meaning the same value while training moves the numbers
    a little."""
    if current is not None and keep_above * current <= value <= current:
        return current
    return nice_ceiling(value)


def set_bar_levels(bar: pg.ColorBarItem, levels: tuple[float, float]) -> None:
    """Set a colour bar's levels only when they change (each call re-lays out and repaints its axis)."""
    if tuple(float(v) for v in bar.levels()) != tuple(float(v) for v in levels):
        bar.setLevels(levels)


def image_item() -> pg.ImageItem:
    """An ImageItem set up for fast row-major updates (rows = y, columns = x)."""
    return pg.ImageItem(axisOrder="row-major")


def set_image(item: pg.ImageItem, data: np.ndarray, levels: tuple[float, float], rect=None) -> None:
    """Hand ``item`` a float32 C-contiguous copy with explicit levels (the fast path)."""
    item.setImage(np.array(data, dtype=np.float32, order="C"), autoLevels=False, levels=levels)
    if rect is not None:
        item.setRect(*rect)


def cache_axes(item: pg.PlotItem) -> None:
    """Paint ``item``'s axes and title from pixmaps until their ticks or text change.

    An axis reaches a few pixels into its plot, so every data update in the plot repaints it, and
    tick labels are the slowest thing the raster engine draws (half of a live redraw, measured).
    """
    cached = pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
    for name in ("left", "bottom", "right", "top"):
        item.getAxis(name).setCacheMode(cached)
    item.titleLabel.setCacheMode(cached)


def cache_legend(legend: pg.LegendItem) -> None:
    """Paint a legend (over live curves, so repainted with them) and its entries from pixmaps."""
    cached = pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
    legend.setCacheMode(cached)
    for child in legend.childItems():
        child.setCacheMode(cached)


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
    cache_axes(plot.getPlotItem())
    return plot


def color_bar(plot: pg.PlotWidget, image: pg.ImageItem, cmap: pg.ColorMap,
              values: tuple[float, float] = (-1.0, 1.0), label: str | None = None) -> pg.ColorBarItem:
    """A read-only colour bar at the right of ``plot`` that drives ``image``'s colours."""
    bar = pg.ColorBarItem(values=values, colorMap=cmap, interactive=False, width=14, label=label,
                          colorMapMenu=False, pen=style.muted_text_color())
    bar.setImageItem(image, insert_in=plot.getPlotItem())
    bar.getAxis("right").setTextPen(style.text_color())
    bar.getAxis("right").setCacheMode(pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
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


def steady_label(label: QLabel, lines: int = 1) -> QLabel:
    """Make a label whose text changes on every frame stop re-laying out its view.

    A QLabel asks for a new layout on every new text; when its size hint changes, the plots beside
    it are resized and repainted with all their axes (the tiled views resized each other on every
    frame, measured). A fixed height of ``lines`` lines and a width that yields to the layout keep
    the geometry still; text that does not fit is cut at the right.
    """
    label.ensurePolished()
    margins = label.contentsMargins()
    label.setFixedHeight(lines * label.fontMetrics().lineSpacing() + margins.top() + margins.bottom() + 2)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


def summary_column(parent: QWidget) -> tuple[QVBoxLayout, QLabel]:
    """A tight column layout on ``parent`` headed by a small summary line (views with a caption)."""
    box = QVBoxLayout(parent)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    summary = QLabel("")
    summary.setContentsMargins(6, 2, 6, 0)
    summary.setStyleSheet("font-size: 9pt;")
    box.addWidget(steady_label(summary))
    return box, summary


def no_si_prefix(axis: pg.AxisItem) -> None:
    """Plain tick values, never "(x0.001)" (which reads worse than 0.02 on the ticks).

    pyqtgraph's ``enableAutoSIPrefix(False)`` freezes whatever scale the axis's range implied at that
    moment (x1000 for a fresh 0..1 range), so the scale is reset here as well.
    """
    axis.enableAutoSIPrefix(False)
    axis.autoSIPrefixScale = 1.0
    axis.labelUnitPrefix = ""
    axis._updateLabel()
    axis.picture = None


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
        no_si_prefix(axis)
    item.titleLabel.item.setDefaultTextColor(style.text_color())
    cache_axes(item)


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


class TickGrid(pg.GraphicsObject):
    """Faint lines at the major ticks of a plot's left and bottom axes, drawn inside the view box.

    pyqtgraph's own grid is painted by the axes, which stretches their bounds over the whole plot:
    every new data point then repaints both axes with all their tick labels, and text is the slowest
    thing the raster engine draws (two thirds of a live redraw, measured). This grid is a few
    cosmetic lines; the axes repaint only when their ticks change.
    """

    def __init__(self, plot_item: pg.PlotItem, alpha: float = 0.15, axes: tuple[str, ...] = ("bottom", "left")):
        super().__init__()
        self.plot_item = plot_item
        self.axes = axes
        color = QColor(style.text_color())
        color.setAlphaF(alpha)
        self.pen = pg.mkPen(color, width=0)  # cosmetic: one pixel at any zoom
        self._key = None
        self._lines: list = []
        self.setZValue(-1000)

    def viewRangeChanged(self) -> None:  # called by pyqtgraph when the view box's range moves
        self.prepareGeometryChange()
        self._key = None

    def boundingRect(self):
        view = self.getViewBox()
        return view.viewRect() if view is not None else pg.QtCore.QRectF()

    def paint(self, painter, *args) -> None:
        view = self.getViewBox()
        if view is None:
            return
        rect = view.viewRect()
        key = (rect.getRect(), view.width(), view.height())
        if key != self._key:
            self._key, self._lines = key, self._grid_lines(rect, view.width(), view.height())
        painter.setPen(self.pen)
        painter.drawLines(self._lines)

    def _grid_lines(self, rect, width: float, height: float) -> list:
        from PySide6.QtCore import QLineF

        lines = []
        for name, lo, hi, size in (("bottom", rect.left(), rect.right(), width),
                                   ("left", rect.top(), rect.bottom(), height)):
            axis = self.plot_item.getAxis(name)
            if name not in self.axes or size <= 0 or not axis.isVisible() or hi <= lo:
                continue
            levels = axis.tickValues(lo, hi, size)
            for value in (levels[0][1] if levels else []):
                if name == "bottom":
                    lines.append(QLineF(value, rect.top(), value, rect.bottom()))
                else:
                    lines.append(QLineF(rect.left(), value, rect.right(), value))
        return lines


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= value (> 0)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    scale = 10.0 ** np.floor(np.log10(value))
    return next(step * scale for step in NICE_STEPS if step * scale >= value * (1 - 1e-12))


class SteadyRange:
    """Keeps one axis of a plot still while its data moves a little, so the axis is not re-labelled
    (re-laid out and repainted) on every frame of a live run.

    The range moves only when the data leaves it or fills less than ``fill`` of it; then it is fitted
    with ``pad`` room on both sides (on a log axis, in decades; ``pad_low=False``: the range starts at
    ``lo`` exactly, as counts and bars do at 0). ``grow`` axes (epochs, updates) end at a round number
    instead, and start at ``lo``.
    """

    def __init__(self, plot: pg.PlotWidget | pg.PlotItem, axis: str, fill: float = 0.55, pad: float = 0.06,
                 grow: bool = False, pad_low: bool = True):
        self.item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
        self.axis, self.fill, self.pad, self.grow, self.pad_low = axis, fill, pad, grow, pad_low
        self.item.getViewBox().disableAutoRange(axis=pg.ViewBox.XAxis if axis == "x" else pg.ViewBox.YAxis)
        self.current: tuple[float, float] | None = None

    def reset(self) -> None:
        self.current = None

    def fit(self, lo: float, hi: float) -> None:
        """Show [lo, hi] (data coordinates; positive values only on a log axis)."""
        log = self.item.getViewBox().state["logMode"][0 if self.axis == "x" else 1]
        if log:
            if not (hi > 0):
                return
            lo = hi / 10 if not lo > 0 else lo
            lo, hi = float(np.log10(lo)), float(np.log10(hi))
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return
        if self.grow and not log:
            new = (lo, lo + nice_ceiling(hi - lo))
            if new == self.current:
                return
        else:
            cur = self.current
            if cur is not None and cur[0] <= lo and hi <= cur[1] and (hi - lo) >= self.fill * (cur[1] - cur[0]):
                return
            span = hi - lo if hi > lo else max(abs(hi) * 0.1, 0.5 if log else 1e-6)
            new = (lo - self.pad * span if self.pad_low else lo, hi + self.pad * span)
        self.current = new
        self.item.getViewBox().setRange(**{f"{self.axis}Range": new}, padding=0)  # log axes: in decades


def line_plot(left: str | None = None, bottom: str | None = None, log_y_axis: bool = False) -> pg.PlotWidget:
    """A PlotWidget for curves: canvas colours, light grid, fast long-curve drawing, Export in its menu.

    ``log_y_axis`` gives the left axis readable tick labels for ``setLogMode(y=True)``.
    """
    plot = plot_widget()
    item = plot.getPlotItem()
    if log_y_axis:
        item.setAxisItems({"left": LogAxis("left")})
    style_plot_item(item)
    grid = TickGrid(item)
    item.getViewBox().addItem(grid, ignoreBounds=True)
    plot.grid = grid
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


def fast_curve(plot: pg.PlotWidget, color: QColor, name: str | None = None, width: float = 1.0) -> pg.PlotDataItem:
    """An empty curve to ``setData`` on every frame (peak downsampling, clipped to the view).

    Not antialiased: an antialiased curve of a few thousand noisy points takes seconds to paint with
    the raster engine. Pass ``antialias=True`` to ``setData`` for short curves if wanted.
    """
    curve = plot.plot([], [], pen=pg.mkPen(color, width=width), name=name, antialias=False)
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    curve.smooth = False
    return curve


def set_curve_weight(curve: pg.PlotDataItem, smooth: bool, width: float = 1.6) -> None:
    """Bold and antialiased (``smooth``, for short curves) or thin and fast (long ones)."""
    if smooth != curve.smooth:
        curve.smooth = smooth
        curve.setPen(pg.mkPen(curve.opts["pen"].color(), width=width if smooth else 1.0))
