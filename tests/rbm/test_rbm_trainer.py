"""RBMTrainer: learning on digits, determinism, chunking, snapshots, settings and guards."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import DivergenceError, TrainingError
from nnsim.data import load_dataset
from nnsim.engine.rbm import RBM
from nnsim.training.rbm_settings import RBM_TRAINING_PARAMS, default_rbm_settings
from nnsim.training.rbm_trainer import RBM_HISTORY_KEYS, RBMTrainer
from nnsim.training.trainer import EpochReport


@pytest.fixture(scope="module")
def digits():
    return load_dataset({"name": "digits", "params": {}})


def trainer(data, hidden=16, **settings) -> RBMTrainer:
    return RBMTrainer(RBM(64, hidden, seed=0), data, settings)


def test_reconstruction_error_falls_on_digits_within_a_few_epochs(digits):
    t = trainer(digits, hidden=64)  # the default settings are the ones recommended for rbm-digits
    history = t.run(5)
    train, test = history["train_loss"], history["test_loss"]
    assert train[-1] < 0.6 * train[0] and test[-1] < 0.6 * test[0]  # 0.118 -> 0.054 (seed 0)
    assert train[-1] < 0.07 and test[-1] < 0.07  # 0.054 / 0.055 with the default settings (seed 0)
    assert all(np.isfinite(history["free_energy"])) and all(np.isfinite(history["free_energy_gap"]))


def test_history_and_reports(digits):
    t = trainer(digits, epochs=3)
    seen = []
    history = t.run(on_epoch=seen.append)
    assert list(history) == list(RBM_HISTORY_KEYS)
    assert [r.epoch for r in seen] == [1, 2, 3] and t.epoch == 3 and all(isinstance(r, EpochReport) for r in seen)
    assert all(len(v) == 3 for v in history.values())
    m = seen[-1].metrics
    assert m["free_energy_gap"] == pytest.approx(t.evaluate("test")["free_energy"] - m["free_energy"], abs=1e-9)
    assert m["train_loss"] == pytest.approx(t.evaluate("train")["reconstruction_error"], abs=1e-12)
    assert t.updates == 3 * t.steps_per_epoch


@pytest.mark.parametrize("persistent", [False, True])
def test_same_seed_gives_bit_identical_runs(digits, persistent):
    runs = []
    for _ in range(2):
        t = trainer(digits, seed=3, k=2, persistent=persistent, momentum=0.9, weight_decay=1e-4)
        t.run(3)
        runs.append((t.rbm.get_weights(), t.history, t.chains.copy()))
    (w1, h1, c1), (w2, h2, c2) = runs
    for key in w1:
        np.testing.assert_array_equal(w1[key], w2[key])
    assert h1 == h2
    np.testing.assert_array_equal(c1, c2)
    other = trainer(digits, seed=4, k=2, persistent=persistent)
    other.run(1)
    assert not np.array_equal(other.rbm.weight, w1["weight"])


def test_chunked_steps_and_multi_epoch_calls_give_the_same_bits(digits):
    whole = trainer(digits, seed=1, persistent=True)
    whole._epoch_seconds = 1e-9  # as if epochs were tiny: several per compiled call
    whole.step(max_epochs=3)
    assert whole.epoch == 3 and len(whole.reports) == 3
    pieces = trainer(digits, seed=1, persistent=True)
    while pieces.epoch < 3:
        pieces.step(max_steps=7)
    np.testing.assert_array_equal(whole.rbm.weight, pieces.rbm.weight)
    np.testing.assert_array_equal(whole.chains, pieces.chains)
    assert whole.history == pieces.history


def test_pcd_chains_carry_on_and_cd_leaves_them(digits):
    pcd = trainer(digits, persistent=True)
    start = pcd.chains.copy()
    pcd.step(max_steps=1)
    after_one = pcd.chains.copy()
    pcd.step(max_steps=1)
    assert not np.array_equal(start, after_one) and not np.array_equal(after_one, pcd.chains)
    cd = trainer(digits)
    start = cd.chains.copy()
    cd.step(max_steps=3)
    np.testing.assert_array_equal(cd.chains, start)


def test_snapshots_are_copies_and_do_not_change_training(digits):
    plain = trainer(digits, seed=2)
    watched = trainer(digits, seed=2)
    plain.run(2)
    snaps = []
    while watched.epoch < 2:
        watched.step(max_steps=20)
        snaps.append(watched.snapshot())
    np.testing.assert_array_equal(plain.rbm.weight, watched.rbm.weight)
    snap = snaps[-1]
    assert snap.filters.shape == (16, 8, 8) and snap.reconstructions.shape == (16, 64)
    assert snap.samples.shape == (16, 64) and snap.probe_inputs.shape == (16, 64)
    assert snap.metrics["train_loss"] == watched.history["train_loss"][-1] and snap.step == watched.updates
    assert 0 <= snap.samples.min() and snap.samples.max() <= 1
    snap.weights["weight"][:] = 0
    snap.filters[:] = 0
    assert np.any(watched.rbm.weight != 0)


def test_binarize_thresholds_the_data_at_half(digits):
    assert set(np.unique(trainer(digits).x_train)) == {0.0, 1.0}
    grey = trainer(digits, binarize=False)
    assert len(np.unique(grey.x_train)) == 17  # 0/16 .. 16/16


BAD_SETTINGS = [
    ("learning_rate", 0.0, "below its minimum"), ("learning_rate", "fast", "must be a number"),
    ("k", 0, "below its minimum 1"), ("k", 1.5, "whole number"), ("persistent", "yes", "true or false"),
    ("batch_size", -1, "below its minimum"), ("epochs", 0, "below its minimum"),
    ("momentum", 1.0, "above its maximum"), ("weight_decay", -0.1, "below its minimum"),
    ("seed", -1, "below its minimum"), ("binarize", 1, "true or false"),
]


@pytest.mark.parametrize("name,value,phrase", BAD_SETTINGS)
def test_a_bad_setting_raises_one_sentence_naming_it(digits, name, value, phrase):
    with pytest.raises(TrainingError) as caught:
        trainer(digits, **{name: value})
    message = str(caught.value)
    assert f"'{name}'" in message and phrase in message and "'RBM training'" in message
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message


def test_unknown_setting_and_every_default_is_valid(digits):
    with pytest.raises(TrainingError, match="has no parameter 'lr'"):
        trainer(digits, lr=0.1)
    assert set(default_rbm_settings()) == {p.name for p in RBM_TRAINING_PARAMS}


def test_data_outside_zero_to_one_is_refused():
    plane = load_dataset({"name": "plane", "params": {}})
    with pytest.raises(TrainingError, match="visible units are binary.*scaled to \\[0, 1\\]"):
        RBMTrainer(RBM(2, 3), plane, {})


def test_visible_units_must_match_the_data(digits):
    with pytest.raises(TrainingError, match="has 10 visible units but the data has 64 values per sample"):
        RBMTrainer(RBM(10, 3), digits, {})


def test_non_finite_weights_raise_divergence_error(digits):
    t = trainer(digits)
    t.rbm.weight[0, 0] = np.inf
    with pytest.raises(DivergenceError, match="lower the learning rate") as caught:
        t.run(1)
    assert caught.value.step == 1 and caught.value.layer is None


def test_set_learning_rate_and_should_stop(digits):
    t = trainer(digits)
    t.set_learning_rate(0.01)
    assert t.learning_rate == 0.01
    with pytest.raises(TrainingError, match="learning_rate"):
        t.set_learning_rate(-1)
    t.run(10, should_stop=lambda: t.epoch >= 2)
    assert t.epoch == 2
