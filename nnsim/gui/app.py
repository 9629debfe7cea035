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


def screenshot(project, out: str | Path, size: tuple[int, int] = (1600, 1000), file_path: Path | None = None,
               train_epochs: int = 0) -> list[Path]:
    """Render the main window offscreen to ``out``; with ``train_epochs``, train first and also write
    ``<out>-<view>.png`` for every live view that applies. Returns the paths written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from nnsim.gui.main_window import MainWindow
    from nnsim.gui.theme import configure
    from nnsim.training.live import LiveFrameBuilder

    app = QApplication.instance() or QApplication([])
    configure(app)
    frame = None
    if train_epochs:
        trainer = project.trainer()
        trainer.run(train_epochs)
        project.capture(trainer)
        frame = LiveFrameBuilder(trainer).build(predictions=True, sample=True)
    window = MainWindow(project, file_path, warm_up=False, restore_settings=False)
    window.resize(*size)
    window.show()
    _settle(app)
    window.view.fit()
    out = Path(out)
    written = []
    views = [v for v in window.views.values()
             if (frame is not None and v.applies_to(frame)) or (frame is None and v.shows_without_training())]
    if frame is not None:
        window.controller.latest = frame
        window.controls.show_progress({"epoch": trainer.epoch, "updates": trainer.updates,
                                       "epochs": project.training["epochs"],
                                       "steps_per_second": trainer.steps_per_second,
                                       "steps_per_epoch": trainer.steps_per_epoch,
                                       "phase": getattr(trainer, "phase", None)})
        window.show_frame_everywhere(frame)
    if views:  # the truth table where there is one (neuron networks), else the last view
        window.show_view(next((v.key for v in views if v.key == "truth_table"), views[-1].key))
    _settle(app)
    written.append(_grab(window, out))
    for view in views:
        window.show_view(view.key)
        _settle(app)
        if frame is not None:
            view.show_frame(frame)
        _settle(app)
        written.append(_grab(view, out.with_name(f"{out.stem}-{view.key}{out.suffix}")))
    window.document.undo_stack.setClean()
    window.close()
    return written


def _settle(app) -> None:
    for _ in range(3):
        app.processEvents()


def _grab(widget, path: Path) -> Path:
    if not widget.grab().save(str(path)):
        raise NNSimError(f"Could not write the screenshot to {path}: check the folder and the name.")
    return path
