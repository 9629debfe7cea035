"""The training toolbar: Play/Pause, Step, Step epoch, Reset, Stop, speed, learning rate, progress."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSlider,
                               QWidget)

from nnsim.gui.document import Document
from nnsim.gui.live.controller import TrainingController

SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, None)  # updates per second; None = full speed


def eta_text(seconds: float) -> str:
    """Time left, as precise as is useful: "42 s", "12 min", "3 h 07 min" (a rougher text also changes
    less often while the measured speed wobbles)."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    hours, minutes = divmod(int(seconds // 60), 60)
    return f"{hours:,} h {minutes:02d} min"


def speed_label(speed: float | None) -> str:
    return "full speed" if speed is None else f"{speed:g} updates/s"


class TrainingControls(QWidget):
    def __init__(self, controller: TrainingController, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.document = controller, document
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.play_button = self._button("▶ Play", "Train continuously (Space)", self._toggle_play)
        self.step_button = self._button("Step", "Train on one batch", controller.step)
        self.epoch_button = self._button("Step epoch", "Train for one epoch", controller.step_epoch)
        self.reset_button = self._button("Reset", "Forget the trained weights and start again", controller.reset)
        self.stop_button = self._button("■ Stop", "End the run, keeping its weights", controller.stop)
        for b in (self.play_button, self.step_button, self.epoch_button, self.reset_button, self.stop_button):
            layout.addWidget(b)
        layout.addSpacing(10)
        layout.addWidget(QLabel("Speed"))
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(len(SPEEDS) - 1)
        self.speed.setFixedWidth(110)
        self.speed.valueChanged.connect(self._speed_changed)
        self.speed_text = QLabel(speed_label(None))
        self.speed_text.setMinimumWidth(100)
        layout.addWidget(self.speed)
        layout.addWidget(self.speed_text)
        layout.addWidget(QLabel("Learning rate"))
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(1e-6, 1e4)
        self.lr.setSingleStep(0.001)
        self.lr.setKeyboardTracking(False)
        self.lr.setToolTip("Changes the learning rate at once, even while training")
        self.lr.valueChanged.connect(self._lr_changed)
        layout.addWidget(self.lr)
        layout.addSpacing(10)
        self.counters = QLabel()
        widest = "epoch 100,000 / 100,000   update 10,000,000   100,000 updates/s"
        self.counters.setFixedWidth(self.counters.fontMetrics().horizontalAdvance(widest) + 8)  # no re-layout per frame
        layout.addWidget(self.counters)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setFormat("%p%")
        layout.addWidget(self.progress)
        self.state_label = QLabel()
        layout.addWidget(self.state_label)
        layout.addStretch(1)
        controller.state_changed.connect(self.show_state)
        controller.progress.connect(self.show_progress)
        document.training_changed.connect(self._sync_lr)
        document.project_replaced.connect(self._sync_lr)
        self._sync_lr()
        self.show_state("idle")
        self.show_progress({"epoch": 0, "updates": 0, "epochs": document.project.training["epochs"],
                            "steps_per_second": 0.0, "steps_per_epoch": 0})

    def _button(self, text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda *_: slot())
        return button

    def _toggle_play(self) -> None:
        if self.controller.state == "running":
            self.controller.pause()
        else:
            self.controller.play()

    def _speed_changed(self, index: int) -> None:
        speed = SPEEDS[index]
        self.speed_text.setText(speed_label(speed))
        self.controller.set_speed(speed)

    def _lr_changed(self, value: float) -> None:
        settings = self.document.project.training
        if not math.isclose(value, settings["learning_rate"], rel_tol=1e-9):
            self.document.set_training({**settings, "learning_rate": value}, "Change learning rate")

    @Slot()
    def _sync_lr(self) -> None:
        self.lr.blockSignals(True)
        self.lr.setValue(self.document.project.training["learning_rate"])
        self.lr.blockSignals(False)

    @Slot(str)
    def show_state(self, state: str) -> None:
        running = state == "running"
        self.play_button.setText("❚❚ Pause" if running else "▶ Play")
        busy = state == "compiling"
        for b in (self.play_button, self.step_button, self.epoch_button):
            b.setEnabled(not busy)
        self.step_button.setEnabled(not running and not busy)
        self.epoch_button.setEnabled(not running and not busy)
        self.stop_button.setEnabled(state not in ("idle",))
        text = {"idle": "", "compiling": "compiling kernels...", "running": "training", "paused": "paused",
                "finished": "finished", "diverged": "stopped: diverged", "failed": "stopped: error",
                "stopped": ""}.get(state, state)
        self.state_label.setText(text)
        self.state_label.setStyleSheet("color: #e5484d;" if state in ("diverged", "failed") else "")

    @Slot(object)
    def show_progress(self, info: dict) -> None:
        epoch, epochs = info["epoch"], max(info["epochs"], 1)
        rate = info["steps_per_second"]
        phase = info.get("phase")  # a phased run (RBM pretraining, then fine-tuning) says which phase runs
        if phase is not None and phase.kind == "pretrain":  # the bar follows this phase's epochs
            epoch, epochs = phase.epoch, max(phase.epochs, 1)
        self.counters.setText(f"{_phase_text(phase)}epoch {epoch} / {epochs}   update {info['updates']:,}   "
                              f"{rate:,.0f} updates/s")
        self.progress.setValue(int(100 * min(epoch / epochs, 1.0)))
        left = (epochs - epoch) * info.get("steps_per_epoch", 0)
        eta = left / rate if rate > 0 else None
        text = f"%p%  ETA {eta_text(eta)}" if eta is not None and epoch < epochs else "%p%"
        if text != self.progress.format():  # a new format repaints the bar (Fusion's is slow to paint)
            self.progress.setFormat(text)


def _phase_text(phase) -> str:
    """``phase 1/3: pretraining 'rbm1'`` and a gap, or nothing for a run without phases."""
    if phase is None or phase.count < 2:
        return ""
    what = {"pretrain": f"pretraining '{phase.node}'", "fine-tune": "fine-tuning"}.get(phase.kind,
                                                                                     f"training '{phase.node}'")
    return f"phase {phase.index}/{phase.count}: {what}   "
