"""The GUI side of training: owns the worker thread, keeps the newest frame, drives redraws.

State: idle (no worker), compiling, running, paused, finished, diverged, failed. Editing the
project pauses a run and marks it stale: the next Play compiles the edited project, starting
from the trained weights where they still fit. Reset throws the worker away (fresh weights).
"""

from __future__ import annotations

import copy
import sys

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from nnsim.core.errors import NNSimError
from nnsim.gui.document import Document
from nnsim.gui.live.worker import TrainingWorker
from nnsim.project import Project
from nnsim.training.history import epochs_done
from nnsim.training.live import LiveFrame

REDRAW_MS = 20  # a new frame is shown within 20 ms of arriving (frames come at most ~30 times a second)
GIL_SWITCH_SECONDS = 0.0003  # digits-cnn bench --gui, one A/B: 0.87-0.91 of headless against 0.86-0.87 at 1 ms (noisy)


class TrainingController(QObject):
    state_changed = Signal(str)
    progress = Signal(object)  # dict from the worker
    frame_changed = Signal(object)  # LiveFrame, at most once per redraw tick
    message = Signal(str)  # one sentence for the status bar
    diverged = Signal(str, object)  # message, layer name

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        # The worker needs the GIL only between chunks; hand it over quickly when the GUI holds it.
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.document = document
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.state = "idle"
        self.stale = False
        self.latest: LiveFrame | None = None
        self._fresh = False
        self.frames_shown = 0
        self._speed: float | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        for signal in (document.graph_changed, document.dataset_changed):
            signal.connect(self._project_edited)
        document.training_changed.connect(self._settings_edited)
        document.weights_changed.connect(self._weights_edited)
        self._runs = 0  # runs started so far
        self._first_wanted_run = 0  # weights from earlier runs arrive after a reset or a hand edit: drop them
        self._run_settings: dict = {}
        self._parts: frozenset[str] | None = None  # frame parts the window draws (None: all of them)
        document.project_replaced.connect(self._project_replaced)

    # --- commands from the controls ------------------------------------------------------------------
    def play(self) -> None:
        if self.state in ("diverged", "failed", "finished") or self.stale or self.worker is None:
            self._start(keep_weights=self.state not in ("diverged", "failed"))
        self._send("play")

    def pause(self) -> None:
        self._send("pause")

    def set_frame_parts(self, parts: frozenset[str]) -> None:
        """Only these frame parts are drawn now (the canvas and the shown views): the worker builds
        just them while it runs; frames for a pause or the end always carry everything."""
        if parts != self._parts:
            self._parts = frozenset(parts)
            self._send("parts", self._parts)

    def step(self, batches: int = 1) -> None:
        if self.worker is None or self.stale:
            self._start(keep_weights=True)
        self._send("step", batches)

    def step_epoch(self) -> None:
        if self.worker is None or self.stale:
            self._start(keep_weights=True)
        self._send("step_epoch")

    def stop(self) -> None:
        """End the run, keeping its weights in the project (Play continues from them)."""
        self._shutdown()
        self._set_state("idle")

    def reset(self) -> None:
        """Throw the run away and forget trained weights: the next Play starts from fresh weights."""
        self._shutdown()
        self._first_wanted_run = self._runs + 1  # the stopped run still sends its final weights
        self.document.project.reset()
        self.latest, self._fresh = None, True
        self._set_state("idle")
        self.frame_changed.emit(None)

    @Slot()
    def _project_replaced(self) -> None:
        """Another project was opened: drop the run, keep the new project's own weights and history."""
        self._shutdown()
        self._first_wanted_run = self._runs + 1
        self.latest, self._fresh = None, True
        self._set_state("idle")
        self.frame_changed.emit(None)

    def set_learning_rate(self, lr: float) -> None:
        self._send("learning_rate", lr)

    def set_speed(self, updates_per_second: float | None) -> None:
        """None runs at full speed; a number slows training down to watch it."""
        self._speed = updates_per_second
        self._send("speed", updates_per_second)

    # --- the worker's lifetime -------------------------------------------------------------------------
    def _start(self, keep_weights: bool) -> None:
        self._shutdown()
        project = self._private_copy(keep_weights)
        if project is None:
            return
        settings_epochs = project.training["epochs"]
        done = epochs_done(project.history)
        epochs = done + settings_epochs if done >= settings_epochs else settings_epochs
        self.thread = QThread()
        self._runs += 1
        self.worker = TrainingWorker(project, epochs, self._runs, parts=self._parts)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.frame_ready.connect(self._on_frame)
        self.worker.state_changed.connect(self._on_state)
        self.worker.progress.connect(self._on_progress)
        self.worker.diverged.connect(self._on_diverged)
        self.worker.failed.connect(self._on_failed)
        self.worker.weights_ready.connect(self._on_weights)
        self.stale = False
        self._run_settings = dict(project.training)
        if self._speed is not None:
            self.worker.request("speed", self._speed)
        self.thread.start()

    def _private_copy(self, keep_weights: bool) -> Project | None:
        """A snapshot of the project for the worker; weights that no longer fit are dropped."""
        live = self.document.project
        problems = self.document.problems
        if problems:
            self.message.emit(f"Can't train yet: {problems[0].message}")
            return None
        project = Project(live.graph.copy(), copy.deepcopy(live.dataset), dict(live.training),
                          copy.deepcopy(live.history) if keep_weights else {},
                          dict(live.weights) if keep_weights else {})
        if project.weights:
            try:
                project.build_network()  # validates that the saved weights fit
            except NNSimError:
                project.reset()
                self.message.emit("The network changed, so training starts from fresh weights.")
        return project

    def _shutdown(self) -> None:
        if self.worker is not None:
            self.worker.request("stop")
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        self.thread, self.worker = None, None

    def shutdown(self) -> None:
        """Stop cleanly (closing the app): the loop ends at its next chunk, then the thread joins."""
        self.timer.stop()
        self._shutdown()

    def _send(self, name: str, value=None) -> None:
        if self.worker is not None:
            self.worker.request(name, value)

    # --- from the worker (queued into this GUI-thread object) -----------------------------------------
    @Slot(object, int)
    def _on_frame(self, frame: LiveFrame, run: int) -> None:
        if run < self._first_wanted_run:
            return  # a reset or another project since: this run's frames no longer belong in the views
        self.latest, self._fresh = frame, True

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self._set_state(state)

    @Slot(object)
    def _on_progress(self, info: dict) -> None:
        self.progress.emit(info)

    @Slot(str, object)
    def _on_diverged(self, message: str, layer) -> None:
        self.message.emit(message)
        self.diverged.emit(message, layer)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.message.emit(message)

    @Slot(object, object, int)
    def _on_weights(self, weights: dict, history: dict, run: int) -> None:
        if run < self._first_wanted_run:
            return  # reset or edited by hand since: the project's weights are newer
        project = self.document.project  # if the graph changed since, the next Play checks they fit
        project.weights, project.history = weights, history

    def _tick(self) -> None:
        if self._fresh:
            self._fresh = False
            self.frames_shown += 1
            self.frame_changed.emit(self.latest)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    @Slot()
    def _settings_edited(self) -> None:
        """The learning rate may change while training; any other setting pauses the run."""
        new = dict(self.document.project.training)
        old = dict(self._run_settings)
        if self.worker is not None and new == old:
            return  # the same settings again (an undo stack re-applying a value)
        if self.worker is not None and new.pop("learning_rate") != old.pop("learning_rate", None) and new == old:
            self.set_learning_rate(self.document.project.training["learning_rate"])
            self._run_settings["learning_rate"] = self.document.project.training["learning_rate"]
            return
        self._project_edited()

    @Slot()
    def _weights_edited(self) -> None:
        """A weight edited by hand wins over whatever the current run still reports."""
        self._first_wanted_run = self._runs + 1
        self._project_edited()

    @Slot()
    def _project_edited(self) -> None:
        if self.worker is None:
            return
        if self.state == "running":
            self.pause()
            self.message.emit("Training paused because the project changed; Play recompiles it.")
        self.stale = True
