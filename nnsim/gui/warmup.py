"""Compile the engine's kernels on a worker thread at start-up, so the window never freezes.

Numba compiles (or loads from its cache) while holding the GIL for stretches, but on a worker
thread the event loop still gets time between those stretches, and the status bar says why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot


class WarmupWorker(QObject):
    finished = Signal(str)  # "" when done, else a one-line reason

    def __init__(self, project=None):
        super().__init__()
        self.project = project

    @Slot()
    def run(self) -> None:
        try:
            compile_engines(self.project)
        except Exception as err:  # warm-up is an optimisation: report, never crash
            self.finished.emit(f"Kernel warm-up failed: {err}")
            return
        self.finished.emit("")


def compile_engines(project=None) -> None:
    """Compile the dense entry point, then the one the open project's network needs (if valid)."""
    from nnsim.core.errors import NNSimError
    from nnsim.engine.network import Network
    from nnsim.graph import sequential

    dense = sequential([("Input", {}), ("Dense", {"units": 2, "activation": "tanh"})])
    Network(dense.resolve((2,)), "mse", max_batch=2).compile_kernels()
    if project is not None:
        try:
            project.build_network(use_saved_weights=False).compile_kernels()
        except NNSimError:
            pass  # an invalid network compiles later, once it is fixed


class Warmup(QObject):
    """Owns the thread; ``stop()`` waits for it (a running compile can't be interrupted)."""

    done = Signal(str)

    def __init__(self, project=None, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.worker = WarmupWorker(project)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self._on_finished)
        self.running = False

    def start(self) -> None:
        self.running = True
        self.thread.start()

    @Slot(str)
    def _on_finished(self, error: str) -> None:
        self.running = False
        self.thread.quit()
        self.done.emit(error)

    def stop(self) -> None:
        if self.thread.isRunning():
            self.thread.quit()
            self.thread.wait()
