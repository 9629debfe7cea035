"""`nnsim bench --gui`: training inside the real main window with every live view open.

For each case: headless updates/s (the Trainer alone, in this process, before and after the
window's run, averaged), updates/s with the window training on its worker thread while all views
redraw, the event loop's lateness (p99 of a 10 ms timer: how long the window could not respond),
view redraws per second and peak memory.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any, Callable

CASES = ("spiral", "digits-cnn")
PROBE_MS = 10


def headless_steps_per_second(example: str, seconds: float) -> float:
    from nnsim.project import Project

    project = Project.example(example)
    project.set_training({**project.training, "epochs": 10**6})
    trainer = project.trainer()
    trainer.run_epoch()  # warm up
    start_updates, start = trainer.updates, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step()
    return (trainer.updates - start_updates) / (time.perf_counter() - start)


def gui_case(example: str, seconds: float) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from nnsim.gui.main_window import MainWindow
    from nnsim.gui.theme import configure
    from nnsim.project import Project

    app = QApplication.instance() or QApplication([])
    configure(app)
    project = Project.example(example)
    project.set_training({**project.training, "epochs": 10**6})
    window = MainWindow(project, warm_up=False, restore_settings=False)
    window.resize(1600, 1000)
    window.show()
    window.tile_views(True)
    c = window.controller
    progress: list[dict] = []
    c.progress.connect(progress.append)
    c.play()
    _wait(app, lambda: c.state == "running" and len(progress) > 2, 120.0)
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
    frames0, updates0, t0 = c.frames_shown, progress[-1]["updates"], time.perf_counter()
    timer.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    timer.stop()
    elapsed = time.perf_counter() - t0
    result = {"gui_steps_per_s": (progress[-1]["updates"] - updates0) / elapsed,
              "ui_latency_p99_ms": sorted(lateness)[int(0.99 * (len(lateness) - 1))] if lateness else 0.0,
              "redraw_fps": (c.frames_shown - frames0) / elapsed}
    c.shutdown()
    window.document.undo_stack.setClean()
    window.close()
    return result


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
        # headless before and after the window's run, averaged: a machine that gets busier or quieter
        # during the case moves both sides of the ratio alike
        before = headless_steps_per_second(example, min(seconds / 4, 5.0))
        gui = gui_case(example, seconds)
        headless = (before + headless_steps_per_second(example, min(seconds / 4, 5.0))) / 2
        row = {"case": example, "headless_steps_per_s": headless, **gui,
               "throughput_ratio": gui["gui_steps_per_s"] / headless if headless else None,
               "peak_rss_mb": peak_rss_mb()}
        rows.append(row)
        echo(f"{example:<12}{headless:>12,.0f}{gui['gui_steps_per_s']:>10,.0f}{row['throughput_ratio']:>8.2f}"
             f"{gui['ui_latency_p99_ms']:>9.1f}{gui['redraw_fps']:>10.1f}{row['peak_rss_mb']:>9.0f}")
    echo("targets: ratio >= 0.90, p99 <= 50 ms, redraw >= 20/s, peak <= 600 MB")
    return rows
