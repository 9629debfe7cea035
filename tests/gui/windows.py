"""A main window for a test: shown, exposed, and closed without asking to save."""

from __future__ import annotations

from nnsim.gui.main_window import MainWindow
from nnsim.project import Project


def _forget(w: MainWindow) -> None:
    w.document.undo_stack.setClean()


def open_window(qtbot, project: Project) -> MainWindow:
    w = MainWindow(project, warm_up=False, restore_settings=False)
    qtbot.addWidget(w, before_close_func=_forget)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    return w
