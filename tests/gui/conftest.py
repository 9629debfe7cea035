"""GUI test setup: offscreen Qt, isolated settings, and no test may leave a QThread running."""

from __future__ import annotations

import os
import time
import weakref

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths, QThread  # noqa: E402

_started: "weakref.WeakSet[QThread]" = weakref.WeakSet()
_original_start = QThread.start


def _tracking_start(self, *args, **kwargs):
    _started.add(self)
    return _original_start(self, *args, **kwargs)


QThread.start = _tracking_start


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, qapp):
    """Each test gets its own settings and app-data folders (recent files, recovery file)."""
    root = tmp_path_factory.mktemp("qt-settings")
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("NNSimTests")
    QCoreApplication.setApplicationName(f"NNSimTest-{root.name}")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root))
    yield root


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    """Fail any test that leaves a QThread running (destroying one aborts the process)."""
    yield
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        running = [t for t in list(_started) if t.isRunning()]
        if not running:
            return
        qapp.processEvents()
        time.sleep(0.02)
    pytest.fail(f"{len(running)} QThread(s) still running after the test: stop and wait() them")


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch):
    """A modal dialog would block a headless run forever: answer it safely and fail the test.

    Tests that expect a dialog patch QMessageBox themselves (their patch replaces this one).
    """
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []

    def answer(default):
        def stub(*args, **kwargs):
            shown.append(" | ".join(str(a) for a in args[1:3]))
            return default
        return stub

    for name in ("warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, name, answer(QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    yield shown
    if shown:
        pytest.fail(f"unexpected dialog(s): {shown}")
