"""Trains an :class:`~nnsim.engine.autoencoder.Autoencoder` by gradient descent on its reconstruction
loss, with the backprop Trainer's surface (the same as :class:`~nnsim.training.rbm_trainer.RBMTrainer`).

``run(epochs, on_epoch, should_stop)``, ``step(max_steps, max_epochs)``, ``run_epoch()``,
``history``, ``reports`` and :class:`EpochReport` behave as in :class:`nnsim.training.Trainer`:
small epochs run several at a time in one compiled call (GIL released), and the result is the
same bits however the run is cut into calls. Snapshots add what an autoencoder's views draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnsim.core.errors import TrainingError
from nnsim.data.dataset import Dataset
from nnsim.engine.autoencoder import Autoencoder
from nnsim.engine.kernels import autoencoder as K
from nnsim.engine.kernels.rng import seed_state
from nnsim.training.autoencoder_settings import check_autoencoder_settings
from nnsim.training.epoch_loop import EpochReport, KernelEpochLoop
from nnsim.training.history import latest_values

CODE_ROWS = 1000  # at most this many test samples' codes in a snapshot (the code scatter)
AUTOENCODER_HISTORY_KEYS = ("train_loss", "test_loss", "mean_code")


@dataclass(frozen=True)
class AutoencoderSnapshot:
    """Copies for the autoencoder views; never views into live buffers."""

    epoch: int
    step: int  # updates so far
    metrics: dict[str, float | None]  # latest epoch's history values
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # "weight", "bias", ["decoder_weight"], ...
    filters: np.ndarray | None = None  # (n_code, *image_shape): each code unit's encoder weights as an image
    probe_inputs: np.ndarray | None = None  # (probe, n_visible) clean inputs
    reconstructions: np.ndarray | None = None  # decode(encode(probe_inputs))
    corrupted_inputs: np.ndarray | None = None  # the probe after one fixed draw of the training corruption
    denoised: np.ndarray | None = None  # decode(encode(corrupted_inputs)): what denoising learns to undo
    codes: np.ndarray | None = None  # (rows, n_code) codes of the test set (train if none), at most CODE_ROWS
    code_labels: np.ndarray | None = None  # class labels of those rows, None for a regression set


class AutoencoderTrainer(KernelEpochLoop):
    model_title = "Autoencoder"
    history_keys = AUTOENCODER_HISTORY_KEYS
    kernels = K
    updates_kernel = staticmethod(K.sgd_updates)
    check_settings = staticmethod(check_autoencoder_settings)

    def __init__(self, model: Autoencoder, dataset: Dataset, settings: dict[str, Any],
                 history: dict[str, list] | None = None, chunk_seconds: float = 0.02,
                 image_shape: tuple[int, ...] | None = None):
        self.model = model
        self.dataset = dataset
        self.settings = self.check_settings(settings)
        s = self.settings
        if s["sparsity_weight"] > 0 and model.code_activation != "sigmoid":
            raise TrainingError(f"Sparsity compares each code unit's mean activation with a target in (0, 1), "
                                f"which needs a sigmoid code, not {model.code_activation}: set sparsity_weight "
                                f"to 0 or use a sigmoid code.")
        probe = self._prepare_rows(model.n_visible, image_shape)
        self.opts = model.options(s["loss"], s["noise"])
        self.hp = np.zeros(K.N_HP)
        self.hp[K.HP_LR], self.hp[K.HP_MOMENTUM] = s["learning_rate"], s["momentum"]
        self.hp[K.HP_WEIGHT_DECAY], self.hp[K.HP_CORRUPTION] = s["weight_decay"], s["corruption"]
        self.hp[K.HP_SPARSITY_TARGET], self.hp[K.HP_SPARSITY_WEIGHT] = s["sparsity_target"], s["sparsity_weight"]
        self.velocities = [np.zeros_like(a) for a in model.parameters()]
        has_test = len(self.x_test) > 0
        self.probe_corrupted = self._corrupt_probe(seed_state(-(s["seed"] + 1)))
        self.code_x = probe[:CODE_ROWS]
        labels = dataset.labels_test if has_test else dataset.labels_train
        self.code_labels = None if labels is None or labels.ndim != 1 else np.asarray(labels[:CODE_ROWS]).copy()
        self._start_loop(history, chunk_seconds)
        self.compile_kernels()  # so steps_per_second never counts JIT compilation

    def compile_kernels(self) -> None:
        """Compile (or load from Numba's cache) every kernel training and snapshots use.

        The calls do no work (zero updates, zero epochs, zero rows), so nothing changes; a GUI
        worker calls this in its own thread, with a "compiling kernels..." status.
        """
        self._compile_training_kernels()
        self.model.error_and_mean_code(self.x_train[:0])
        self.model.reconstruct(self.x_train[:0])

    def _visible_rows(self, x: np.ndarray, split: str) -> np.ndarray:
        rows = self.model.rows(np.asarray(x).reshape(len(x), -1))
        if len(rows) and (rows.min() < 0 or rows.max() > 1):
            raise TrainingError(f"An autoencoder reconstructs values in [0, 1] (a sigmoid) but the {split} data of "
                                f"'{self.dataset.name}' spans {rows.min():g} to {rows.max():g}: use a dataset "
                                "scaled to [0, 1].")
        return rows

    def _corrupt_probe(self, state: np.ndarray) -> np.ndarray | None:
        if self.settings["corruption"] <= 0:
            return None
        out = np.empty_like(self.probe_x)
        K.corrupt(self.probe_x, self.opts[K.OPT_NOISE], self.settings["corruption"], state, out)
        return out

    # --- running (the hooks of KernelEpochLoop.step) --------------------------------------------
    def _kernel_state(self) -> tuple:
        """The arguments every training kernel takes after the data, order and batch."""
        return (*self.model.parameters(), *self.velocities, self.opts, self.hp, self.rng, self.counters)

    def _measure_epoch(self) -> EpochReport:
        err, mean_code = self.model.error_and_mean_code(self.x_train)
        test_err = self.model.reconstruction_error(self.x_test) if len(self.x_test) else None
        return self._record_epoch(err, test_err, mean_code)

    def _record_row(self, row: np.ndarray) -> EpochReport:
        test_err = row[K.EV_TEST_ERROR] if len(self.x_test) else None
        return self._record_epoch(row[K.EV_TRAIN_ERROR], test_err, row[K.EV_MEAN_CODE])

    def _record_epoch(self, err: float, test_err: float | None, mean_code: float) -> EpochReport:
        m: dict[str, float | None] = {"train_loss": float(err), "mean_code": float(mean_code),
                                      "test_loss": None if test_err is None else float(test_err)}
        return self._append_epoch(m)

    # --- evaluation and snapshots ---------------------------------------------------------------
    def evaluate(self, split: str = "test") -> dict[str, Any]:
        """Reconstruction error (MSE per pixel, clean input) and mean code activation of a split."""
        if split not in ("train", "test"):
            raise TrainingError(f"Unknown split {split!r}: use 'train' or 'test'.")
        x = self.x_train if split == "train" else self.x_test
        if len(x) == 0:
            return {"reconstruction_error": None, "mean_code": None, "samples": 0}
        err, mean_code = self.model.error_and_mean_code(x)
        return {"reconstruction_error": err, "mean_code": mean_code, "samples": len(x)}

    def snapshot(self, weights: bool = True, reconstructions: bool = True, codes: bool = True) -> AutoencoderSnapshot:
        """Copies for the views: filters, the probe beside its reconstructions (and, when denoising,
        its corrupted version and what the model makes of it), and the codes of the test set."""
        model = self.model
        latest = latest_values(self.history)
        corrupted = self.probe_corrupted
        return AutoencoderSnapshot(
            self.epoch, self.updates, latest,
            weights=model.get_weights() if weights else {},
            filters=model.filters(self.image_shape) if weights else None,
            probe_inputs=self.probe_x.copy(),
            reconstructions=model.reconstruct(self.probe_x) if reconstructions else None,
            corrupted_inputs=None if corrupted is None else corrupted.copy(),
            denoised=model.reconstruct(corrupted) if reconstructions and corrupted is not None else None,
            codes=model.encode(self.code_x) if codes else None,
            code_labels=None if self.code_labels is None or not codes else self.code_labels.copy())
