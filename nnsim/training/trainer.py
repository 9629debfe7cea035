"""The Trainer: one object for the CLI and the GUI's worker thread.

It runs many updates per call into compiled code (``step``), sizes chunks so each takes about
``chunk_seconds``, finishes epochs with metrics, and builds snapshots only when asked. It never
touches Qt; a GUI worker calls :meth:`step` in a loop and checks its own pause/stop flags.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from nnsim.core.errors import DivergenceError, TrainingError
from nnsim.data.batching import epoch_order, train_validation_split
from nnsim.data.dataset import Dataset
from nnsim.engine import interpreter as it
from nnsim.engine.kernels.optimizers import HP_LR, scheduled_lr
from nnsim.engine.network import Network
from nnsim.training import metrics as M
from nnsim.training.history import aligned, epochs_done, latest_values, record_epoch
from nnsim.training.epoch_loop import PROBE_SIZE, EpochLoop, EpochReport
from nnsim.training.settings import check_settings, hyperparameters
from nnsim.training.snapshot import Snapshot

HISTORY_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy",
                "test_rmse", "learning_rate", "grad_norm")


class Trainer(EpochLoop):
    supervised = True  # a PhasedTrainer of a graph ending in an RBM has no labels (no predictions, no gradients)
    pretraining = False  # a PhasedTrainer is True while its pretraining phases run (``epoch`` stays put)

    def __init__(self, network: Network, dataset: Dataset, settings: dict[str, Any],
                 history: dict[str, list] | None = None, chunk_seconds: float = 0.02):
        self.net = network
        self.dataset = dataset
        self.settings = check_settings(settings)
        if self.settings["loss"] != network.loss:
            raise TrainingError(f"The network was compiled for the {network.loss} loss but the settings ask for "
                                f"{self.settings['loss']}: rebuild the network after changing the loss.")
        if self.settings["rule"] != network.rule:
            raise TrainingError(f"The network was compiled for the {network.rule} rule but the settings ask for "
                                f"{self.settings['rule']}: rebuild the network after changing the rule.")
        self.classification = dataset.task == "classification"
        self._prepare_data()
        s = self.settings
        self.batch = s["batch_size"] or len(self.x_train)
        if self.batch > network.max_batch:
            raise TrainingError(f"Batch size {self.batch} is larger than the network was compiled for "
                                f"({network.max_batch}): rebuild it with a larger max_batch.")
        self._refuse_single_sample_batchnorm()
        self.opt, self.hp = hyperparameters(s)
        self.counters = np.zeros(1, dtype=np.int64)
        self.shuffle_rng = np.random.default_rng(s["seed"])
        self.epoch = 0
        self.history: dict[str, list] = aligned(history or {}, HISTORY_KEYS)
        self.epoch = epochs_done(self.history)
        self.chunk_seconds = chunk_seconds
        self._step_seconds = 0.0  # measured time of one update (0 until measured)
        self._order: np.ndarray | None = None
        self._pos = 0
        self._stats = np.zeros(it.N_STATS)
        self._epoch_seconds = 0.0  # measured time of one epoch with its evaluation (0 until measured)
        self._epoch_started = 0.0
        self._all_rows: tuple[np.ndarray, np.ndarray] | None = None  # train, validation and test rows, stacked
        self.reports: list[EpochReport] = []  # every epoch finished by the latest step()
        self.steps_per_second = 0.0
        self._train_time = 0.0
        self._train_steps = 0
        network.compile_kernels()  # so steps_per_second never counts JIT compilation

    # --- data ---------------------------------------------------------------------------------
    def _prepare_data(self) -> None:
        d, net, s = self.dataset, self.net, self.settings
        out = math.prod(net.output_shape)
        node = net.graph.output
        x = self._rows(d.x_train)
        y = np.ascontiguousarray(d.targets("train", out, node=node).reshape(len(x), out), net.dtype)
        train_idx, val_idx = train_validation_split(len(x), s["validation_split"], s["seed"])
        if len(train_idx) == 0:
            raise TrainingError("The dataset has no training samples: choose a larger dataset.")
        self.x_train, self.y_train = x[train_idx], y[train_idx]
        self.x_val, self.y_val = x[val_idx], y[val_idx]
        self.x_test = self._rows(d.x_test)
        self.y_test = np.ascontiguousarray(d.targets("test", out, node=node).reshape(len(self.x_test), out),
                                           net.dtype)
        probe_x, probe_y = (self.x_test, self.y_test) if len(self.x_test) else (self.x_train, self.y_train)
        self.probe_x, self.probe_y = probe_x[:PROBE_SIZE], probe_y[:PROBE_SIZE]

    def _refuse_single_sample_batchnorm(self) -> None:
        if self.batch > 1:
            return
        for node in self.net.graph.nodes:
            if node.type == "BatchNorm" and math.prod(node.out_shape[1:]) == 1:
                raise TrainingError(f"BatchNorm '{node.name}' needs at least 2 samples per batch to measure a "
                                    f"variance: raise the batch size above 1.")

    def _rows(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        return np.ascontiguousarray(x.reshape(len(x), math.prod(x.shape[1:])), dtype=self.net.dtype)

    # --- progress -----------------------------------------------------------------------------
    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.x_train) / self.batch)

    @property
    def updates(self) -> int:
        return int(self.counters[0])

    @property
    def learning_rate(self) -> float:
        return float(scheduled_lr(self.hp, self.updates))

    def set_learning_rate(self, lr: float) -> None:
        """Change the base learning rate; safe between chunks, even while a run is going on."""
        self.settings["learning_rate"] = float(lr)
        self.hp[HP_LR] = float(lr)

    # --- running ------------------------------------------------------------------------------
    def step(self, max_steps: int | None = None, max_epochs: int | None = None) -> EpochReport | None:
        """Run up to ``max_steps`` updates (default: one chunk) without crossing an epoch end.

        When the current epoch's end fits in the chunk, a default-sized call finishes the epoch and
        trains as many more whole epochs as fit (at most ``max_epochs`` epochs ended), each followed
        by its evaluation, all in one compiled call: a training thread then holds the GIL once per
        chunk, not twice per epoch. The results are the same bits either way.

        Returns the report of the last epoch this call finished (all of them are in
        :attr:`reports`), else None. Raises :class:`DivergenceError` when NaN or Inf appears.
        """
        self.reports = []
        ending = self._epochs_ending_in_chunk() if max_steps is None else 0
        if ending:
            return self._step_epochs(min(ending, max_epochs) if max_epochs else ending)
        if self._order is None:
            self._order = epoch_order(len(self.x_train), self.settings["shuffle"], self.shuffle_rng)
            self._pos = 0
            self._stats[:] = 0
            self._epoch_started = time.perf_counter()
        left = math.ceil((len(self._order) - self._pos) / self.batch)
        n_steps = min(left, max_steps if max_steps is not None else self._steps_per_call())
        t0 = time.perf_counter()
        net = self.net
        done = net.run(it.MODE_TRAIN, self.x_train, self.y_train, training=True, order=self._order,
                       start=self._pos,
                       n_steps=n_steps, batch=self.batch, opt=self.opt, hp=self.hp, counters=self.counters,
                       stats=self._stats)
        self._account(time.perf_counter() - t0, done, max_steps is None)
        if self._stats[it.ST_ERROR] != it.ERR_NONE:
            self._raise_divergence(done)
        self._pos += done * self.batch
        if self._pos >= len(self._order):
            self._order = None
            report = self._finish_epoch()
            if max_steps is None:  # a default-sized call: learn how many epochs fit in a chunk
                self._epoch_seconds = time.perf_counter() - self._epoch_started
            return report
        return None

    def _steps_per_call(self) -> int:
        """Updates that fill ``chunk_seconds`` (read at every call: a GUI worker adjusts it)."""
        if self._step_seconds <= 0:
            return 1
        return int(min(max(self.chunk_seconds / self._step_seconds, 1), 100_000))

    def _epochs_ending_in_chunk(self) -> int:
        """How many epochs (with their evaluation) can end within ``chunk_seconds``, counting the rest
        of the current one; 0 when the current epoch's end is further away, or epochs are unmeasured."""
        if self._epoch_seconds <= 0:
            return 0
        left = 1.0 if self._order is None else (len(self._order) - self._pos) / len(self._order)
        budget = self.chunk_seconds / self._epoch_seconds
        return 0 if budget < left else 1 + int(min(budget - left, 10_000))

    def _step_epochs(self, epochs: int) -> EpochReport | None:
        """End ``epochs`` epochs, evaluating after each, in one compiled call (see :meth:`step`); the
        first one continues the current epoch when a call stopped inside it.

        The order holds the epochs' shuffles one after another, then the validation and test rows
        (indices into :meth:`_stacked_rows`); the plan has a training phase per epoch, each followed
        by an evaluation phase per split with the batch :meth:`Network.evaluate` uses. A continued
        epoch's statistics row starts from the sums so far, so they add up in the same order.
        """
        net, n, batch = self.net, len(self.x_train), self.batch
        X, Y = self._stacked_rows()
        splits, first = [], n
        for name, x, y in (("val", self.x_val, self.y_val), ("test", self.x_test, self.y_test)):
            if len(x):
                splits.append((name, first, y))
                first += len(y)
        resumed = self._order is not None
        begin = self._pos if resumed else 0  # where the first epoch continues
        shuffles = [self._order] if resumed else []
        shuffles += [epoch_order(n, self.settings["shuffle"], self.shuffle_rng) for _ in range(epochs - resumed)]
        order = np.concatenate(shuffles + [np.arange(n, first)]).astype(np.int64, copy=False)
        evaluated = epochs * n  # where the evaluation rows start in ``order``
        plan = []
        for e in range(epochs):
            start = e * n + (begin if e == 0 else 0)
            plan.append((it.MODE_TRAIN, 1, start, (e + 1) * n, math.ceil(((e + 1) * n - start) / batch), batch, -1))
            for _, row, y in splits:
                start = evaluated + row - n
                plan.append((it.MODE_EVALUATE, 0, start, start + len(y), math.ceil(len(y) / net.max_batch),
                             net.max_batch, -1 if self.classification else e * (first - n) + row - n))
        plan = np.array(plan, dtype=np.int64)
        stats = np.zeros((len(plan), it.N_STATS))
        if resumed:
            stats[0] = self._stats  # the epoch's sums so far (its step count slot is zero)
        self._order, self._pos = None, 0
        preds = None if self.classification else np.zeros((epochs * (first - n), Y.shape[1]), net.dtype)
        before, t0 = self.updates, time.perf_counter()
        phases = net.run_plan(plan, X, Y, order=order, opt=self.opt, hp=self.hp, counters=self.counters,
                              stats=stats, preds=preds)
        elapsed = time.perf_counter() - t0
        per_epoch = 1 + len(splits)
        updates = before
        for e in range(phases // per_epoch):
            train = stats[e * per_epoch]
            updates += int(train[it.ST_STEPS])
            measured = {}
            for k, (name, row, y) in enumerate(splits):
                st = stats[e * per_epoch + 1 + k]
                at = e * (first - n) + row - n  # this epoch's outputs (for RMSE)
                outputs = None if preds is None else preds[at:at + len(y)]
                measured[name] = (float(st[it.ST_LOSS] / len(y)), int(st[it.ST_CORRECT]), outputs, y)
            self.reports.append(self._record_epoch(train, measured, updates))
        self._account(elapsed, self.updates - before, adapt=False)
        if phases >= per_epoch:
            self._epoch_seconds = elapsed / (phases // per_epoch - begin / n)
        if phases < len(plan):  # a training phase stopped on NaN or Inf
            self._stats[:] = stats[phases]
            self._raise_divergence(int(stats[phases, it.ST_STEPS]))
        return self.reports[-1] if self.reports else None

    def _stacked_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Train, validation and test rows in one array (built once, for multi-epoch calls)."""
        if self._all_rows is None:
            self._all_rows = (np.ascontiguousarray(np.concatenate([self.x_train, self.x_val, self.x_test])),
                              np.ascontiguousarray(np.concatenate([self.y_train, self.y_val, self.y_test])))
        return self._all_rows


    def _finish_epoch(self) -> EpochReport:
        measured = {}
        for split, x, y in (("val", self.x_val, self.y_val), ("test", self.x_test, self.y_test)):
            if len(x):
                loss, correct, preds = self.net.evaluate(x, y)
                measured[split] = (loss, correct, preds, y)
        report = self._record_epoch(self._stats, measured, self.updates)
        self.reports = [report]
        return report

    def _record_epoch(self, st: np.ndarray, measured: dict[str, tuple], updates: int) -> EpochReport:
        """Append one epoch to the history: training sums ``st``, and per split (loss, correct, outputs, y)."""
        samples = max(st[it.ST_SAMPLES], 1)
        m: dict[str, float | None] = {
            "train_loss": float(st[it.ST_LOSS] / samples),
            "train_accuracy": float(st[it.ST_CORRECT] / (samples * self.net.groups)) if self.classification else None,
            "learning_rate": float(scheduled_lr(self.hp, updates)),
            "grad_norm": float(st[it.ST_GRAD_NORM]),
        }
        for split, (loss, correct, preds, y) in measured.items():
            m[f"{split}_loss"] = loss
            if self.classification:
                m[f"{split}_accuracy"] = correct / (len(y) * self.net.groups)
            else:
                m[f"{split}_rmse"] = M.rmse(preds.reshape(y.shape), y)
        self.epoch += 1
        record_epoch(self.history, HISTORY_KEYS, {k: None if v is None else float(v) for k, v in m.items()},
                     self.epoch)
        return EpochReport(self.epoch, m)

    def _raise_divergence(self, done: int) -> None:
        """Name the update and the layer where values blew up, and what to change."""
        code = int(self._stats[it.ST_ERROR])
        net = self.net
        n = min(self.batch, len(self.x_train))
        if code == it.ERR_LOSS:
            what = "the loss"
            layer = net.first_nonfinite_node(n) or net.largest_output_node(n)
        elif code == it.ERR_GRAD:
            what = "the gradient norm"
            layer = net.nonfinite_weight_node(grads=True) or net.largest_gradient_node()
        else:
            what = "the weights"
            layer = net.nonfinite_weight_node(grads=False)
        step = self.updates if code == it.ERR_WEIGHTS else self.updates + 1  # failed update's number
        self._order = None
        where = f" in layer '{layer}'" if layer else ""
        lr = self.settings["learning_rate"]
        raise DivergenceError(
            f"Training stopped at update {step} (epoch {self.epoch + 1}): {what} became NaN or infinite"
            f"{where}, so the gradients exploded. Lower the learning rate (now {lr:g}) or set a gradient "
            f"clipping norm.", step=step, layer=layer)

    # --- evaluation and snapshots ---------------------------------------------------------------
    def evaluate(self, split: str = "test") -> dict[str, Any]:
        """Loss, accuracy / RMSE / R², and for classification the confusion matrix, on a split."""
        x, y = {"train": (self.x_train, self.y_train), "val": (self.x_val, self.y_val),
                "test": (self.x_test, self.y_test)}[split]
        if len(x) == 0:
            return {"loss": None, "accuracy": None, "rmse": None, "r2": None, "samples": 0}
        loss, correct, preds = self.net.evaluate(x, y)
        groups = self.net.groups
        preds = preds.reshape(len(x) * groups, -1)
        out: dict[str, Any] = {"loss": loss, "samples": len(x), "accuracy": None, "rmse": None, "r2": None}
        if self.classification:
            labels = M.predicted_classes(y.reshape(len(x) * groups, -1))
            out["accuracy"] = correct / (len(x) * groups)
            n_classes = max(self.dataset.n_classes, 2)
            out["confusion"] = M.confusion_matrix(preds, labels, n_classes).tolist()
        else:
            out["rmse"] = M.rmse(preds.reshape(y.shape), y)
            out["r2"] = M.r2_score(preds.reshape(y.shape), y)
        return out

    def snapshot(self, weights: bool = True, activations: bool = True, gradients: bool = True) -> Snapshot:
        """Copies of what the live views draw, computed on the probe batch only when asked."""
        net = self.net
        acts: dict[str, np.ndarray] = {}
        grads: dict[str, np.ndarray] = {}
        norms: dict[str, float] = {}
        internals: dict[str, dict[str, np.ndarray]] = {}
        outputs = None
        if activations or gradients:
            n = len(self.probe_x)
            if gradients:
                net.gradients(self.probe_x.reshape((n,) + net.input_shape),
                              self.probe_y.reshape((n,) + net.output_shape), training=False)
            else:  # activations alone: the forward pass, without the backward one
                net.run(it.MODE_EVALUATE, self.probe_x, self.probe_y, batch=n)
            outputs = net.buffer_rows(net.graph.output, n)
            if activations:
                acts = {node.name: net.buffer_rows(node.name, n) for node in net.graph.nodes}
                for slot in net.internal_slots:
                    internals.setdefault(slot.node, net.internals(slot.node, n))
            if gradients:
                grads = net.get_gradients()
                for key, g in grads.items():
                    node = key.split("/")[0]
                    norms[node] = float(np.sqrt(norms.get(node, 0.0) ** 2 + float(np.sum(g.astype(np.float64) ** 2))))
        latest = latest_values(self.history)
        return Snapshot(self.epoch, self.updates, latest, net.get_weights() if weights else {}, acts, grads,
                        norms, internals, self.probe_x.copy(), outputs)
