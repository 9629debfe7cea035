"""The training worker: a Trainer driven on its own QThread.

The GUI never calls the worker's methods across threads except :meth:`TrainingWorker.request`,
which only appends to a locked queue; the loop picks requests up between chunks (a running
Numba chunk can't be interrupted, and releases the GIL so the window stays responsive). Results
leave through queued signals carrying copies (LiveFrame), received by GUI-thread slots.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from nnsim.core.errors import DivergenceError, NNSimError
from nnsim.project import Project
from nnsim.training import Trainer
from nnsim.training.pretraining import PhasedTrainer
from nnsim.training.live import PARTS, LiveFrameBuilder
from nnsim.training.thread_tuner import ThreadTuner

FRAME_INTERVAL = 1 / 26  # at most ~26 frames a second: 20+ redraws a second, and a lighter GUI thread
FRAME_BUDGET = 0.07  # frames may take at most this share of the worker's time
HEAVY_INTERVAL = 0.5  # predictions and sampled text at most twice a second
MAX_CHUNK_SECONDS = 0.05  # a chunk ends when the next frame is due, but runs at least 4 ms
MIN_CHUNK_SECONDS = 0.004


class TrainingWorker(QObject):
    frame_ready = Signal(object, int)  # LiveFrame, run (frames of a run the user has since reset are dropped)
    state_changed = Signal(str)  # compiling, running, paused, finished, diverged, failed, stopped
    progress = Signal(object)  # dict(epoch, updates, epochs, steps_per_second)
    diverged = Signal(str, object)  # message, layer name (or None)
    failed = Signal(str)
    weights_ready = Signal(object, object, int)  # weights dict, history dict (copies), run; after pause/finish/stop

    def __init__(self, project: Project, epochs: int, run: int = 0, parts: frozenset[str] | None = None):
        super().__init__()
        self.run_number = run  # lets the controller drop weights of a run the user has since overruled
        self.project = project  # a private copy: the worker never reads the live, editable graph
        self.epochs = epochs
        self._lock = threading.Lock()
        self._requests: deque[tuple[str, Any]] = deque()
        self._wake = threading.Event()
        self.trainer: Trainer | PhasedTrainer | None = None
        self.state = "compiling"
        self._pending_steps = 0
        self._until_epoch = False
        self._rate: float | None = None  # updates per second when slowed down; None = full speed
        self._last_frame = 0.0
        self._last_heavy = 0.0
        self._frame_cost = 0.0
        self._threads = ThreadTuner()  # kernel threads: all, or one when the window's core makes them wait
        self._parts = PARTS if parts is None else parts  # what running frames carry: what the window shows

    # --- called from the GUI thread ---------------------------------------------------------------
    def request(self, name: str, value: Any = None) -> None:
        """Queue a request (play, pause, step, step_epoch, stop, learning_rate, speed, parts); thread-safe."""
        with self._lock:
            self._requests.append((name, value))
        self._wake.set()

    # --- the loop (worker thread) -------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            self._compile()
            self._loop()
        except NNSimError as err:
            self._set_state("failed")
            self.failed.emit(str(err))
        finally:
            self._last_frame_whole()
            self._emit_weights()

    def _last_frame_whole(self) -> None:
        """After Stop or a failure, leave a frame with every part, so views shown later are current
        (running frames carry only what was shown)."""
        if self.trainer is None or self.state not in ("stopped", "failed"):
            return
        try:
            self._frame(heavy=True, force=True)
        except NNSimError:
            pass  # the run failed in a way a frame can't show; the views keep the last one

    def _compile(self) -> None:
        self._set_state("compiling")
        network = self.project.build_network()
        network.compile_kernels()
        self.trainer = self.project.trainer(network)
        self.builder = LiveFrameBuilder(self.trainer)
        self._set_state("paused")
        self._frame(heavy=True)

    def _loop(self) -> None:
        while True:
            if not self._handle_requests():
                return
            if self.state in ("running",) or self._pending_steps > 0 or self._until_epoch:
                self._train_chunk()
            else:
                self._wake.wait(0.1)
                self._wake.clear()

    def _handle_requests(self) -> bool:
        """Apply queued requests; False when asked to stop."""
        while True:
            with self._lock:
                if not self._requests:
                    return True
                name, value = self._requests.popleft()
            if name == "stop":
                self._set_state("stopped")
                return False
            self._apply(name, value)

    def _apply(self, name: str, value: Any) -> None:
        t = self.trainer
        if name == "learning_rate":
            t.set_learning_rate(float(value))
        elif name == "speed":
            self._rate = value
        elif name == "parts":
            self._parts = value
        elif self.state in ("diverged", "failed"):
            return  # only Reset (a new worker) helps after divergence
        elif name == "play" and self.state != "finished":
            self._set_state("running")
        elif name == "pause" and self.state == "running":
            self._pause()
        elif name == "step" and self.state != "running":
            self._pending_steps += int(value or 1)
        elif name == "step_epoch" and self.state != "running":
            self._until_epoch = True

    def _train_chunk(self) -> None:
        t = self.trainer
        slow = self._rate is not None or self._pending_steps > 0
        due = self._last_frame + self._frame_wait() - time.perf_counter()
        t.chunk_seconds = min(max(due, MIN_CHUNK_SECONDS), MAX_CHUNK_SECONDS)  # frames go out between chunks
        try:
            epochs_left = 1 if self._until_epoch or t.pretraining else max(self.epochs - t.epoch, 1)
            if slow:
                self._threads.interrupted()  # a step or a slowed-down run says nothing about thread speed
                report = t.step(1, max_epochs=epochs_left)
            else:
                self._threads.before_chunk()
                updates = t.updates
                report = t.step(None, max_epochs=epochs_left)
                self._threads.after_chunk(t.updates - updates)
        except DivergenceError as err:
            self._frame(heavy=False, force=True)
            self._set_state("diverged")
            self.diverged.emit(str(err), err.layer)
            return
        if self._pending_steps > 0:
            self._pending_steps -= 1
            if self._pending_steps == 0 and not self._until_epoch:
                self._pause()
        if report is not None:
            self._until_epoch = False
            if t.epoch >= self.epochs and not t.pretraining:  # pretraining phases come before the epochs counted
                self._frame(heavy=True, force=True)
                self._emit_weights()
                self._set_state("finished")
                return
            if self.state != "running":
                self._pause()
        self._frame(heavy=False)  # heavy parts come at their own interval (or forced on pause/finish)
        if self._rate:
            time.sleep(1.0 / self._rate)

    def _pause(self) -> None:
        self._threads.interrupted()
        self._frame(heavy=True, force=True)  # the final frame first: "paused" means the view is current
        self._emit_weights()
        self._set_state("paused")

    # --- frames -----------------------------------------------------------------------------------
    def _frame(self, heavy: bool, force: bool = False) -> None:
        """Build and send a frame, within the rate limit and the time budget."""
        now = time.perf_counter()
        if not force and now - self._last_frame < self._frame_wait():
            return
        heavy = heavy or force or now - self._last_heavy >= HEAVY_INTERVAL
        want = PARTS if force else self._parts  # a paused or finished run shows everything, hidden views too
        frame = self.builder.build(predictions=heavy and "predictions" in want, sample=heavy and "sample" in want,
                                   neuron_maps=(heavy or self._rate is not None) and "neuron_maps" in want,
                                   boundary="boundary" in want, generative="generative" in want,
                                   activations="activations" in want, gradients="gradients" in want)
        done = time.perf_counter()
        self._last_frame = done
        if heavy:
            self._last_heavy = done  # heavy frames have their own, slower rate
        else:
            self._frame_cost = 0.8 * self._frame_cost + 0.2 * (done - now)
        self.frame_ready.emit(frame, self.run_number)
        t = self.trainer
        self.progress.emit({"epoch": t.epoch, "updates": t.updates, "epochs": self.epochs,
                            "steps_per_second": t.steps_per_second, "steps_per_epoch": t.steps_per_epoch,
                            "phase": getattr(t, "phase", None)})  # a PhasedTrainer's Phase, else None

    def _frame_wait(self) -> float:
        """Seconds between frames: the rate limit, or longer when frames cost more than their budget."""
        return max(FRAME_INTERVAL, self._frame_cost / FRAME_BUDGET)

    def _emit_weights(self) -> None:
        if self.trainer is not None:
            self.weights_ready.emit(self.trainer.net.get_weights(),
                                    {k: list(v) for k, v in self.trainer.history.items()}, self.run_number)

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)
