"""`nnsim bench --gui`: training inside the real main window with every live view open.

For each case: updates/s with the window training on its worker thread while all views redraw,
against headless updates/s (the Trainer alone on this thread), the event loop's lateness (p99 of
a 10 ms timer: how long the window could not respond), view redraws per second and peak memory.

The two speeds are measured in alternation over the same stretch of training: the window trains
for a window of time, pauses, and a headless replica of the same project (same seed, so the same
weights and batches) trains exactly those updates again, timed; then the window plays on. A network
that has fitted its data computes differently from a fresh one (its first second ran 5-10% faster
on ``digits-cnn``), and this machine's speed drifts by as much over tens of seconds, so timing the
two sides at different moments or at different points of training measured mostly those effects.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any, Callable

CASES = ("spiral", "digits-cnn")
PROBE_MS = 10
ROUNDS = 5  # windows of the window training, each followed by the headless replica of its updates
SETTLE_SECONDS = 0.3  # after each Play, before a window is timed (the resume itself is not training)


def _trainer_for(example: str):
    from nnsim.project import Project

    project = Project.example(example)
    project.set_training({**project.training, "epochs": 10**6})
    return project, project.trainer()


def train_until(trainer, target: int) -> tuple[int, float]:
    """Train (default-sized chunks) until ``trainer`` has done ``target`` updates: (updates done, seconds)."""
    start_updates, start = trainer.updates, time.perf_counter()
    while trainer.updates < target:
        trainer.step(None)
    return trainer.updates - start_updates, time.perf_counter() - start


def gui_case(example: str, seconds: float) -> dict[str, float]:
    """Both speeds, the latency and the redraw rate for one example; ``seconds`` of window training."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from nnsim.gui.main_window import MainWindow
    from nnsim.gui.theme import configure

    app = QApplication.instance() or QApplication([])
    configure(app)
    project, replica = _trainer_for(example)
    window = MainWindow(project, warm_up=False, restore_settings=False)
    window.resize(1600, 1000)
    window.show()
    window.tile_views(True)
    c = window.controller
    lateness: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def probe() -> None:
        now = clock.nsecsElapsed()
        lateness.append(max(0.0, (now - last[0]) / 1e6 - PROBE_MS))
        last[0] = now

    timer = QTimer()
    timer.setInterval(PROBE_MS)
    timer.timeout.connect(probe)
    gui = [0, 0.0]  # updates, seconds
    headless = [0, 0.0]
    frames = 0
    for _ in range(ROUNDS):
        c.play()
        _wait(app, lambda: c.state == "running" and c.worker.trainer is not None and c.worker.trainer.updates > 0,
              120.0)
        _run_events(SETTLE_SECONDS)
        trainer = c.worker.trainer
        frames0, updates0, t0 = c.frames_shown, trainer.updates, time.perf_counter()
        last[0] = clock.nsecsElapsed()
        timer.start()
        _run_events(seconds / ROUNDS)
        timer.stop()
        updates1, elapsed = trainer.updates, time.perf_counter() - t0
        gui[0] += updates1 - updates0
        gui[1] += elapsed
        frames += c.frames_shown - frames0
        c.pause()
        _wait(app, lambda: c.state == "paused", 30.0)
        train_until(replica, updates0)  # catch up, untimed: the window trained while settling
        done, spent = train_until(replica, updates1)
        headless[0] += done
        headless[1] += spent
    c.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    return {"headless_steps_per_s": headless[0] / headless[1] if headless[1] else 0.0,
            "gui_steps_per_s": gui[0] / gui[1],
            "ui_latency_p99_ms": sorted(lateness)[int(0.99 * (len(lateness) - 1))] if lateness else 0.0,
            "redraw_fps": frames / gui[1]}


def _run_events(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _wait(app, condition: Callable[[], bool], timeout: float) -> None:
    end = time.perf_counter() + timeout
    while not condition() and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(echo: Callable[[str], None], seconds: float = 10.0, cases: tuple[str, ...] = CASES) -> list[dict[str, Any]]:
    rows = []
    echo(f"{'case':<12}{'headless/s':>12}{'gui/s':>10}{'ratio':>8}{'p99 ms':>9}{'redraw/s':>10}{'peak MB':>9}")
    for example in cases:
        row = {"case": example, **gui_case(example, seconds)}
        headless = row["headless_steps_per_s"]
        row["throughput_ratio"] = row["gui_steps_per_s"] / headless if headless else None
        row["peak_rss_mb"] = peak_rss_mb()
        rows.append(row)
        ratio = "n/a" if row["throughput_ratio"] is None else f"{row['throughput_ratio']:.2f}"
        echo(f"{example:<12}{headless:>12,.0f}{row['gui_steps_per_s']:>10,.0f}{ratio:>8}"
             f"{row['ui_latency_p99_ms']:>9.1f}{row['redraw_fps']:>10.1f}{row['peak_rss_mb']:>9.0f}")
    echo("targets: ratio >= 0.90, p99 <= 50 ms, redraw >= 20/s, peak <= 600 MB")
    return rows
