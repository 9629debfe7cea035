"""Colours and sizes of canvas items; palette-aware so light and dark themes both read well."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

NODE_WIDTH = 168.0
NODE_HEIGHT = 78.0
PORT_RADIUS = 6.0
GRID = 20.0

CATEGORY_COLORS = {
    "Inputs and outputs": "#4c956c",
    "Neurons and dense layers": "#3a7ca5",
    "Activations": "#d68c45",
    "Convolution and pooling": "#8e6fb7",
    "Recurrent": "#c05780",
    "Regularization": "#6c757d",
    "Merge": "#2a9d8f",
    "Shape": "#a68a64",
    "Unsupervised and generative": "#5465a8",
}


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, "#5c677d"))


def is_dark() -> bool:
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def node_fill() -> QColor:
    return QColor("#2b2f36") if is_dark() else QColor("#ffffff")


def text_color() -> QColor:
    return QColor("#e8e8e8") if is_dark() else QColor("#1d1d1f")


def muted_text_color() -> QColor:
    return QColor("#a0a4ab") if is_dark() else QColor("#5f6368")


def edge_color() -> QColor:
    return QColor("#9aa0a6") if is_dark() else QColor("#6b7075")


def error_color() -> QColor:
    return QColor("#e5484d")


def selection_color() -> QColor:
    return QColor("#f5a524")


def canvas_background() -> QColor:
    return QColor("#1e2126") if is_dark() else QColor("#f4f5f7")


def grid_color() -> QColor:
    return QColor("#2a2e34") if is_dark() else QColor("#e3e5e8")
