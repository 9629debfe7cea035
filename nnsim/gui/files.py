"""Open, save, recent files, the unsaved-changes prompt, and crash recovery (autosave).

Every file problem becomes a dialog with the error's one sentence; nothing is lost: saving goes
through nnsim.io's atomic save, and a modified project is autosaved to a recovery file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from nnsim.core.errors import NNSimError
from nnsim.graph import Graph
from nnsim.gui.document import Document
from nnsim.project import Project

FILE_FILTER = "NNSim projects (*.nnsim)"
MAX_RECENT = 10
AUTOSAVE_MS = 60_000


def new_project() -> Project:
    """A blank project: one Input node, the spiral dataset, default training settings."""
    graph = Graph()
    graph.add_node("Input", "input", position=(0.0, 0.0))
    return Project(graph)


def recovery_path() -> Path:
    base = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    return base / "recovery.nnsim"


class FileController(QObject):
    recent_changed = Signal()

    def __init__(self, document: Document, window: QWidget):
        super().__init__(window)
        self.document, self.window = document, window
        self.settings = QSettings()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    # --- asking the user -----------------------------------------------------------------------
    def error(self, title: str, message: str) -> None:
        QMessageBox.warning(self.window, title, message)

    def maybe_save(self) -> bool:
        """True when it's fine to drop the current project (saved, discarded, or unmodified)."""
        if not self.document.modified:
            return True
        answer = QMessageBox.question(
            self.window, "Unsaved changes", f"Save the changes to {self.display_name()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def display_name(self) -> str:
        return self.document.path.name if self.document.path else "Untitled"

    # --- new / open / save -------------------------------------------------------------------------
    def new(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.replace(new_project(), None)
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", self._start_dir(), FILE_FILTER)
        return bool(path) and self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            project = Project.load(path)
        except NNSimError as err:
            self.error("Can't open project", str(err))
            return False
        self.document.replace(project, Path(path))
        self.add_recent(Path(path))
        return True

    def open_example(self, name: str) -> bool:
        if not self.maybe_save():
            return False
        try:
            project = Project.example(name)
        except NNSimError as err:
            self.error("Can't open example", str(err))
            return False
        self.document.replace(project, None)
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        start = str(self.document.path or Path(self._start_dir()) / "untitled.nnsim")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save project as", start, FILE_FILTER)
        if not path:
            return False
        path = path if path.endswith(".nnsim") else path + ".nnsim"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.project.save(path)
        except NNSimError as err:
            self.error("Can't save project", str(err))
            return False
        self.document.mark_saved(path)
        self.add_recent(path)
        return True

    def _start_dir(self) -> str:
        recent = self.recent_files()
        return str(recent[0].parent) if recent else str(Path.home())

    # --- recent files ------------------------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        values = self.settings.value("recent_files", []) or []
        if isinstance(values, str):
            values = [values]
        return [Path(v) for v in values if isinstance(v, str)]

    def add_recent(self, path: Path) -> None:
        paths = [str(path.resolve())] + [str(p) for p in self.recent_files() if p.resolve() != path.resolve()]
        self.settings.setValue("recent_files", paths[:MAX_RECENT])
        self.recent_changed.emit()

    def clear_recent(self) -> None:
        self.settings.setValue("recent_files", [])
        self.recent_changed.emit()

    # --- crash recovery ------------------------------------------------------------------------------
    def autosave(self) -> None:
        """Save a modified project to the recovery file (its own path is never touched)."""
        if not self.document.modified:
            return
        path = recovery_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.document.project.save(path)
            Path(str(path) + ".bak").unlink(missing_ok=True)
        except (NNSimError, OSError):
            return  # autosave is best effort; the next tick tries again
        self.settings.setValue("recovery_for", str(self.document.path or ""))

    def discard_recovery(self) -> None:
        recovery_path().unlink(missing_ok=True)
        self.settings.remove("recovery_for")

    def offer_recovery(self) -> bool:
        """After a crash, offer the autosaved project; True when it was restored."""
        path = recovery_path()
        if not path.is_file():
            return False
        answer = QMessageBox.question(
            self.window, "Restore unsaved work?",
            "NNSim did not close normally last time. Restore the project you were editing?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self.discard_recovery()
            return False
        try:
            project = Project.load(path)
        except NNSimError as err:
            self.error("Can't restore", str(err))
            self.discard_recovery()
            return False
        original = self.settings.value("recovery_for", "") or ""
        self.document.replace(project, Path(original) if original else None)
        self.document.undo_stack.resetClean()  # restored work is unsaved work
        self.discard_recovery()
        return True
