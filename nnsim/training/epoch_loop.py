"""The epoch loop every trainer shares: run, run_epoch and speed accounting around its ``step``.

A trainer (backprop :class:`~nnsim.training.trainer.Trainer`, contrastive divergence
:class:`~nnsim.training.rbm_trainer.RBMTrainer`, ...) implements ``step(max_steps, max_epochs)``, which
may end several epochs and lists their reports in ``reports``; :class:`EpochLoop` turns it into whole
runs. :class:`KernelEpochLoop` is that ``step`` for trainers whose kernels either run a slice of an
epoch's updates or several whole epochs with their measurements in one compiled call (the RBM and
autoencoder trainers).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from nnsim.core.errors import DivergenceError, TrainingError
from nnsim.data.batching import epoch_order
from nnsim.engine.kernels.rng import seed_state
from nnsim.training.snapshot import filter_image_shape

PROBE_SIZE = 16  # samples a snapshot runs through the model for the live views

CT_UPDATES, CT_ERROR = 0, 1  # slots of a kernel-trained model's counters (kernels/rbm.py, kernels/autoencoder.py)


@dataclass(frozen=True)
class EpochReport:
    epoch: int  # 1-based number of the epoch just finished
    metrics: dict[str, float | None]
    phase: Any = None  # a PhasedTrainer's Phase (pretraining or fine-tuning) the epoch belongs to; else None


class EpochLoop:
    epoch: int
    settings: dict[str, Any]
    history: dict[str, list]
    reports: list[EpochReport]
    steps_per_second: float
    _train_time: float
    _train_steps: int
    _step_seconds: float

    def step(self, max_steps: int | None = None, max_epochs: int | None = None) -> EpochReport | None:
        raise NotImplementedError

    def _account(self, elapsed: float, done: int, adapt: bool) -> None:
        self._train_time += elapsed
        self._train_steps += done
        if self._train_time > 0:
            self.steps_per_second = self._train_steps / self._train_time
        if adapt and done and elapsed > 0:
            self._step_seconds = elapsed / done

    def run_epoch(self) -> EpochReport:
        while True:
            report = self.step(max_epochs=1)
            if report is not None:
                return report

    def run(self, epochs: int | None = None, on_epoch: Callable[[EpochReport], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict[str, list]:
        """Train ``epochs`` more epochs (default: the settings' epochs minus those already done)."""
        todo = epochs if epochs is not None else max(self.settings["epochs"] - self.epoch, 0)
        target = self.epoch + todo
        while self.epoch < target:
            if should_stop is not None and should_stop():
                break
            self.step(max_epochs=1 if should_stop is not None else target - self.epoch)  # stop between epochs
            if on_epoch is not None:
                for report in self.reports:
                    on_epoch(report)
        return self.history


class KernelEpochLoop(EpochLoop):
    """``step`` over two compiled entry points, same bits however a run is cut into calls.

    A subclass names its model, history keys, kernels and settings check; its constructor sets
    ``dataset`` and ``settings``, calls :meth:`_prepare_rows` (rows, batch, probe) and
    :meth:`_start_loop`, and it implements ``_visible_rows`` and the hooks below.
    """

    model_title: ClassVar[str] = ""  # "RBM", "Autoencoder": names the model in messages
    history_keys: ClassVar[tuple[str, ...]] = ()  # what every epoch appends to ``history``
    kernels: ClassVar[Any]  # the model's kernel module: train_epochs, N_EVAL, HP_LR
    updates_kernel: ClassVar[Callable]  # its mini-batch update loop (a staticmethod: cd_updates, sgd_updates)
    check_settings: ClassVar[Callable]  # validates the trainer's settings (a staticmethod)
    hp: np.ndarray  # the kernels' hyperparameters (learning rate at kernels.HP_LR)
    x_train: np.ndarray
    x_test: np.ndarray
    batch: int
    chunk_seconds: float
    shuffle_rng: np.random.Generator
    counters: np.ndarray  # the kernels' counters: updates so far (CT_UPDATES), values went NaN (CT_ERROR)

    @property
    def updates(self) -> int:
        return int(self.counters[CT_UPDATES])

    def _diverged(self) -> bool:
        return bool(self.counters[CT_ERROR])

    def _raise_divergence(self) -> None:
        step = self.updates
        raise DivergenceError(
            f"{self.model_title} training stopped at update {step} (epoch {self.epoch + 1}): the weights became NaN "
            f"or infinite, so lower the learning rate (now {self.settings['learning_rate']:g}) or the momentum.",
            step=step, layer=None)

    @property
    def learning_rate(self) -> float:
        return float(self.hp[self.kernels.HP_LR])

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate; safe between chunks, even while a run is going on."""
        self.settings = self.check_settings({**self.settings, "learning_rate": lr})
        self.hp[self.kernels.HP_LR] = self.settings["learning_rate"]

    def _compile_training_kernels(self) -> None:
        """Compile (or load from Numba's cache) both training entry points by calls that do no work."""
        none = np.zeros(0, np.int64)
        self.updates_kernel(self.x_train, none, 0, 0, 0, self.batch, *self._kernel_state())
        self.kernels.train_epochs(self.x_train, self.x_test, none, 0, self.batch, *self._kernel_state(),
                                  np.zeros((0, self.kernels.N_EVAL)))

    def _kernel_state(self) -> tuple:
        """The arguments every training kernel takes after the data, order and batch."""
        raise NotImplementedError

    def _run_updates(self, order: np.ndarray, start: int, end: int, n_steps: int) -> int:
        """Up to ``n_steps`` updates on rows order[start:end]; returns how many ran."""
        return self.updates_kernel(self.x_train, order, start, end, n_steps, self.batch, *self._kernel_state())

    def _run_epochs(self, order: np.ndarray, epochs: int) -> tuple[int, np.ndarray]:
        """``epochs`` whole epochs on ``order`` (one permutation per epoch); (epochs done, metric rows)."""
        metrics = np.full((epochs, self.kernels.N_EVAL), np.nan)
        done = self.kernels.train_epochs(self.x_train, self.x_test, order, epochs, self.batch, *self._kernel_state(),
                                         metrics)
        return done, metrics

    def _append_epoch(self, metrics: dict[str, float | None]) -> EpochReport:
        """Count an epoch and append its measurements to the history."""
        self.epoch += 1
        for key in self.history_keys:
            self.history[key].append(metrics[key])
        return EpochReport(self.epoch, metrics)

    # --- hooks --------------------------------------------------------------------------------------

    def _measure_epoch(self) -> EpochReport:
        """Measure the model after an epoch trained in slices and record it."""
        raise NotImplementedError

    def _record_row(self, row: np.ndarray) -> EpochReport:
        """Record one metric row written by :meth:`_run_epochs`."""
        raise NotImplementedError

    # --- the loop -----------------------------------------------------------------------------------
    def _prepare_rows(self, n_visible: int, image_shape: tuple[int, ...] | None) -> np.ndarray:
        """Set the training and test rows (through the subclass's ``_visible_rows``), the batch, how a
        filter is drawn and the probe: the first test rows, or training rows without a test set.
        Returns the rows the probe was cut from."""
        d = self.dataset
        self.x_train = self._visible_rows(d.x_train, "training")
        self.x_test = self._visible_rows(d.x_test, "test")
        self.batch = self._training_batch()
        self.image_shape = image_shape or filter_image_shape(d.input_shape, n_visible)
        probe = self.x_test if len(self.x_test) else self.x_train
        self.probe_x = probe[:PROBE_SIZE].copy()
        return probe

    def _visible_rows(self, x: np.ndarray, split: str) -> np.ndarray:
        """A split as the model's float rows, refused with one sentence when the model can't take them."""
        raise NotImplementedError

    def _training_batch(self) -> int:
        """The batch size the settings ask for, at most the training set (0: all of it)."""
        n = len(self.x_train)
        if n == 0:
            raise TrainingError("The dataset has no training samples: choose a larger dataset.")
        return min(self.settings["batch_size"] or n, n)

    def _start_loop(self, history: dict[str, list] | None, chunk_seconds: float) -> None:
        """The random streams, counters, history and timing of a new trainer (its settings are checked)."""
        seed = self.settings["seed"]
        self.rng = seed_state(seed)  # the kernels' random numbers in training
        self.shuffle_rng = np.random.default_rng(seed)
        self.counters = np.zeros(self.kernels.N_COUNTERS, dtype=np.int64)
        self.history = {key: list(v) for key, v in (history or {}).items()}
        for key in self.history_keys:
            self.history.setdefault(key, [])
        self.epoch = len(self.history["train_loss"])
        self.chunk_seconds = chunk_seconds
        self.reports = []
        self.steps_per_second = 0.0
        self._order: np.ndarray | None = None
        self._pos = 0
        self._step_seconds = 0.0
        self._epoch_seconds = 0.0
        self._epoch_started = 0.0
        self._train_time = 0.0
        self._train_steps = 0

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.x_train) / self.batch)

    def step(self, max_steps: int | None = None, max_epochs: int | None = None) -> EpochReport | None:
        """Run up to ``max_steps`` updates (default: one chunk) without crossing an epoch end.

        At an epoch boundary a default-sized call trains several whole epochs (at most
        ``max_epochs``) when they fit in a chunk, measuring each, in one compiled call.
        Returns the last finished epoch's report (all are in :attr:`reports`), else None.
        """
        self.reports = []
        per_call = self._epochs_per_call()
        if self._order is None and max_steps is None and per_call > 1 and (max_epochs or 2) > 1:
            return self._step_epochs(min(per_call, max_epochs or per_call))
        if self._order is None:
            self._order = self._new_order()
            self._pos = 0
            self._epoch_started = time.perf_counter()
        n = len(self._order)
        left = math.ceil((n - self._pos) / self.batch)
        n_steps = min(left, max_steps if max_steps is not None else self._steps_per_call())
        t0 = time.perf_counter()
        done = self._run_updates(self._order, self._pos, n, n_steps)
        self._account(time.perf_counter() - t0, done, adapt=max_steps is None)
        if self._diverged():
            self._order = None
            self._raise_divergence()
        self._pos += done * self.batch
        if self._pos < n:
            return None
        self._order = None
        self.reports = [self._measure_epoch()]
        if max_steps is None:
            self._epoch_seconds = time.perf_counter() - self._epoch_started
        return self.reports[0]

    def _new_order(self) -> np.ndarray:
        return epoch_order(len(self.x_train), self.settings["shuffle"], self.shuffle_rng)

    def _steps_per_call(self) -> int:
        if self._step_seconds <= 0:
            return 1
        return int(min(max(self.chunk_seconds / self._step_seconds, 1), 100_000))

    def _epochs_per_call(self) -> int:
        if self._epoch_seconds <= 0:
            return 1
        return int(min(max(self.chunk_seconds / self._epoch_seconds, 1), 10_000))

    def _step_epochs(self, epochs: int) -> EpochReport | None:
        order = np.concatenate([self._new_order() for _ in range(epochs)])
        before, t0 = self.updates, time.perf_counter()
        done, metrics = self._run_epochs(order, epochs)
        elapsed = time.perf_counter() - t0
        self._account(elapsed, self.updates - before, adapt=False)
        self.reports = [self._record_row(row) for row in metrics[:done]]
        if done:
            self._epoch_seconds = elapsed / done
        if self._diverged():
            self._order = None
            self._raise_divergence()
        return self.reports[-1] if self.reports else None
