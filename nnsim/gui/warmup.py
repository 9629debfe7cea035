"""Compile the engine's kernels on a worker thread at start-up, so the window never freezes.

Numba compiles (or loads from its cache) while holding the GIL for stretches, but on a worker
thread the event loop still gets time between those stretches, and the status bar says why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot


class WarmupWorker(QObject):
    finished = Signal(str)  # "" when done, else a one-line reason

    @Slot()
    def run(self) -> None:
        try:
            compile_engines()
        except Exception as err:  # warm-up is an optimisation: report, never crash
            self.finished.emit(f"Kernel warm-up failed: {err}")
            return
        self.finished.emit("")


def compile_engines() -> None:
    """Compile the dense-only entry point (and the full one, used by conv/recurrent networks)."""
    from nnsim.engine.network import Network
    from nnsim.graph import sequential

    dense = sequential([("Input", {}), ("Dense", {"units": 2, "activation": "tanh"})])
    Network(dense.resolve((2,)), "mse", max_batch=2).compile_kernels()
    full = sequential([("Input", {}), ("Embedding", {"vocab_size": 4, "dim": 2}), ("GlobalMaxPool1D", {})])
    Network(full.resolve((3,)), "mse", max_batch=2).compile_kernels()


class Warmup(QObject):
    """Owns the thread; ``stop()`` waits for it (a running compile can't be interrupted)."""

    done = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.worker = WarmupWorker()
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
