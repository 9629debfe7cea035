"""Starting the app, and rendering it offscreen for `nnsim screenshot`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnsim.core.errors import NNSimError

DEFAULT_EXAMPLE = "spiral"


def run(path: str | None = None) -> int:
    """Open the main window with ``path`` (or the default example) and run the event loop."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from nnsim.gui.main_window import MainWindow
    from nnsim.gui.theme import configure
    from nnsim.project import Project

    app = QApplication.instance() or QApplication(sys.argv)
    configure(app)
    error = None
    project, file_path = None, None
    if path:
        try:
            project, file_path = Project.load(path), Path(path)
        except NNSimError as err:
            error = str(err)
    if project is None:
        project = Project.example(DEFAULT_EXAMPLE)
    window = MainWindow(project, file_path)
    window.show()
    if error:
        QMessageBox.warning(window, "Can't open project", error)
    elif not path:
        window.files.offer_recovery()
    return app.exec()


def screenshot(project, out: str | Path, size: tuple[int, int] = (1600, 1000), file_path: Path | None = None) -> Path:
    """Render the main window with ``project`` offscreen to a PNG; returns the path written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnsim.gui.main_window import MainWindow
    from nnsim.gui.theme import configure

    app = QApplication.instance() or QApplication([])
    configure(app)
    window = MainWindow(project, file_path, warm_up=False, restore_settings=False)
    window.resize(*size)
    window.show()
    for _ in range(3):
        app.processEvents()
    window.view.fit()
    app.processEvents()
    out = Path(out)
    if not window.grab().save(str(out)):
        raise NNSimError(f"Could not write the screenshot to {out}: check the folder and the name.")
    window.document.undo_stack.setClean()
    window.close()
    return out
