"""Application identity and light/dark palettes that follow the system colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

import nnsim

APP_NAME = "NNSim"
ORG_NAME = "NNSim"


def configure(app: QApplication) -> None:
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(nnsim.__version__)
    app.setStyle("Fusion")
    apply_palette(app)
    app.styleHints().colorSchemeChanged.connect(lambda *_: apply_palette(app))


def apply_palette(app: QApplication) -> None:
    dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    app.setPalette(dark_palette() if dark else light_palette())


def light_palette() -> QPalette:
    p = QPalette()
    for role, color in ((QPalette.ColorRole.Window, "#f0f1f3"), (QPalette.ColorRole.Base, "#ffffff"),
                        (QPalette.ColorRole.AlternateBase, "#f6f7f9"), (QPalette.ColorRole.Text, "#1d1d1f"),
                        (QPalette.ColorRole.WindowText, "#1d1d1f"), (QPalette.ColorRole.Button, "#f7f7f8"),
                        (QPalette.ColorRole.ButtonText, "#1d1d1f"), (QPalette.ColorRole.Highlight, "#3a7ca5"),
                        (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#ffffe1"),
                        (QPalette.ColorRole.ToolTipText, "#1d1d1f")):
        p.setColor(role, QColor(color))
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    for role, color in ((QPalette.ColorRole.Window, "#24272c"), (QPalette.ColorRole.Base, "#1b1d21"),
                        (QPalette.ColorRole.AlternateBase, "#2a2d33"), (QPalette.ColorRole.Text, "#e8e8e8"),
                        (QPalette.ColorRole.WindowText, "#e8e8e8"), (QPalette.ColorRole.Button, "#2f333a"),
                        (QPalette.ColorRole.ButtonText, "#e8e8e8"), (QPalette.ColorRole.Highlight, "#4f8fc0"),
                        (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#2f333a"),
                        (QPalette.ColorRole.ToolTipText, "#e8e8e8")):
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7f87"))
    return p
