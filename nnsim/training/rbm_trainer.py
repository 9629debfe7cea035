"""Trains an :class:`~nnsim.engine.rbm.RBM` by contrastive divergence, with the backprop Trainer's surface.

``run(epochs, on_epoch, should_stop)``, ``step(max_steps, max_epochs)``, ``run_epoch()``,
``history``, ``reports`` and :class:`EpochReport` behave as in :class:`nnsim.training.Trainer`:
small epochs run several at a time in one compiled call (GIL released), and the result is the
same bits however the run is cut into calls. Snapshots add what an RBM's views draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnsim.core.errors import TrainingError
from nnsim.data.dataset import Dataset
from nnsim.engine.kernels import rbm as K
from nnsim.engine.kernels.rng import seed_state
from nnsim.engine.rbm import RBM
from nnsim.training.epoch_loop import EpochReport, KernelEpochLoop
from nnsim.training.history import latest_values
from nnsim.training.rbm_settings import check_rbm_settings

SAMPLE_STEPS = 10  # Gibbs steps a snapshot advances the samples view's chains
RBM_HISTORY_KEYS = ("train_loss", "test_loss", "free_energy", "free_energy_gap")


@dataclass(frozen=True)
class RBMSnapshot:
    """Copies for the RBM views; never views into live buffers."""

    epoch: int
    step: int  # updates so far
    metrics: dict[str, float | None]  # latest epoch's history values
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # "weight", "visible_bias", "hidden_bias"
    filters: np.ndarray | None = None  # (n_hidden, *image_shape): each hidden unit's weights as an image
    probe_inputs: np.ndarray | None = None  # (probe, n_visible) data the reconstructions start from
    reconstructions: np.ndarray | None = None  # p(x | h = p(h | x)) of the probe
    samples: np.ndarray | None = None  # p(x | h) at the end of the samples view's Gibbs chains


class RBMTrainer(KernelEpochLoop):
    model_title = "RBM"
    history_keys = RBM_HISTORY_KEYS
    kernels = K
    updates_kernel = staticmethod(K.cd_updates)
    check_settings = staticmethod(check_rbm_settings)

    def __init__(self, rbm: RBM, dataset: Dataset, settings: dict[str, Any],
                 history: dict[str, list] | None = None, chunk_seconds: float = 0.02,
                 image_shape: tuple[int, ...] | None = None):
        self.rbm = rbm
        self.dataset = dataset
        self.settings = self.check_settings(settings)
        s = self.settings
        self._prepare_rows(rbm.n_visible, image_shape)
        self.hp = np.zeros(K.N_HP)
        self.hp[K.HP_LR], self.hp[K.HP_MOMENTUM] = s["learning_rate"], s["momentum"]
        self.hp[K.HP_WEIGHT_DECAY] = s["weight_decay"]
        self.velocities = [np.zeros_like(a) for a in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)]
        self.chains = self.x_train[:self.batch].copy()  # PCD's persistent negative chains start at data
        self._sample_states = self.probe_x.copy()  # the samples view's chains (their own RNG below)
        self._sample_rng = seed_state(-(s["seed"] + 1))
        self._start_loop(history, chunk_seconds)
        self.compile_kernels()  # so steps_per_second never counts JIT compilation

    def compile_kernels(self) -> None:
        """Compile (or load from Numba's cache) every kernel training and snapshots use.

        The calls do no work (zero updates, zero epochs, zero rows), so nothing changes; a GUI
        worker calls this in its own thread, with a "compiling kernels..." status.
        """
        rbm = self.rbm
        self._compile_training_kernels()
        rbm.error_and_free_energy(self.x_train[:0])
        rbm.reconstruct(self.x_train[:0])
        rbm.gibbs_sample(self.x_train[:0], 1, self._sample_rng.copy())

    def _visible_rows(self, x: np.ndarray, split: str) -> np.ndarray:
        rows = self.rbm.rows(np.asarray(x).reshape(len(x), -1))
        if len(rows) and (rows.min() < 0 or rows.max() > 1):
            raise TrainingError(f"An RBM's visible units are binary but the {split} data of '{self.dataset.name}' "
                                f"spans {rows.min():g} to {rows.max():g}: use a dataset scaled to [0, 1].")
        if self.settings["binarize"]:
            rows = (rows >= 0.5).astype(self.rbm.dtype)
        return rows

    # --- running (the hooks of KernelEpochLoop.step) --------------------------------------------
    def _kernel_state(self) -> tuple:
        """The arguments every training kernel takes after the data, order and batch."""
        s, r = self.settings, self.rbm
        persistent = bool(s["persistent"])
        return (s["k"], persistent, self.chains, r.weight, r.visible_bias, r.hidden_bias, *self.velocities,
                self.hp, self.rng, self.counters)

    def _measure_epoch(self) -> EpochReport:
        err, fe = self.rbm.error_and_free_energy(self.x_train)
        test_err, test_fe = self.rbm.error_and_free_energy(self.x_test) if len(self.x_test) else (None, None)
        return self._record_epoch(err, test_err, fe, test_fe)

    def _record_row(self, row: np.ndarray) -> EpochReport:
        has_test = len(self.x_test) > 0
        return self._record_epoch(row[K.EV_TRAIN_ERROR], row[K.EV_TEST_ERROR] if has_test else None,
                                  row[K.EV_TRAIN_FREE_ENERGY], row[K.EV_TEST_FREE_ENERGY] if has_test else None)

    def _record_epoch(self, err: float, test_err: float | None, fe: float, test_fe: float | None) -> EpochReport:
        m: dict[str, float | None] = {
            "train_loss": float(err),
            "test_loss": None if test_err is None else float(test_err),
            "free_energy": float(fe),
            "free_energy_gap": None if test_fe is None else float(test_fe) - float(fe),
        }
        return self._append_epoch(m)

    # --- evaluation and snapshots ---------------------------------------------------------------
    def evaluate(self, split: str = "test") -> dict[str, Any]:
        """Reconstruction error and mean free energy of a split ("train" or "test")."""
        if split not in ("train", "test"):
            raise TrainingError(f"Unknown split {split!r}: use 'train' or 'test'.")
        x = self.x_train if split == "train" else self.x_test
        if len(x) == 0:
            return {"reconstruction_error": None, "free_energy": None, "samples": 0}
        err, fe = self.rbm.error_and_free_energy(x)
        return {"reconstruction_error": err, "free_energy": fe, "samples": len(x)}

    def snapshot(self, weights: bool = True, reconstructions: bool = True, samples: bool = True,
                 sample_steps: int = SAMPLE_STEPS) -> RBMSnapshot:
        """Copies for the views. ``samples`` advances the view's own Gibbs chains (started at the
        probe) by ``sample_steps``; it has its own random numbers, so it never changes training."""
        rbm = self.rbm
        drawn = None
        if samples:
            self._sample_states, drawn = rbm.gibbs_sample(self._sample_states, sample_steps, self._sample_rng)
        latest = latest_values(self.history)
        return RBMSnapshot(
            self.epoch, self.updates, latest,
            weights=rbm.get_weights() if weights else {},
            filters=rbm.filters(self.image_shape) if weights else None,
            probe_inputs=self.probe_x.copy(),
            reconstructions=rbm.reconstruct(self.probe_x) if reconstructions else None,
            samples=drawn)

