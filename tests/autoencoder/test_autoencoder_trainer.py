"""AutoencoderTrainer: learning on digits, determinism, chunking, snapshots, settings and guards."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import DivergenceError, TrainingError
from nnsim.data import load_dataset
from nnsim.engine.autoencoder import Autoencoder
from nnsim.training.autoencoder_settings import AUTOENCODER_TRAINING_PARAMS, default_autoencoder_settings
from nnsim.training.autoencoder_trainer import AUTOENCODER_HISTORY_KEYS, AutoencoderTrainer
from nnsim.training.trainer import EpochReport


@pytest.fixture(scope="module")
def digits():
    return load_dataset({"name": "digits", "params": {}})


def trainer(data, code=16, tied=True, **settings) -> AutoencoderTrainer:
    return AutoencoderTrainer(Autoencoder(64, code, tied=tied, seed=0), data, settings)


def test_digits_reach_test_mse_below_0_02_with_the_default_settings(digits):
    t = trainer(digits, code=32)  # the recommended shape: 32 tied sigmoid code units
    history = t.run(5)
    assert history["test_loss"][0] < 0.03 and history["test_loss"][-1] <= 0.02  # 0.0195 -> 0.0122 (seed 0)
    assert history["train_loss"][-1] < 0.7 * history["train_loss"][0]
    assert t.evaluate("test")["reconstruction_error"] == pytest.approx(history["test_loss"][-1], rel=1e-9)


@pytest.mark.parametrize("settings", [{"tied": False}, {"corruption": 0.25}, {"sparsity_weight": 0.1},
                                      {"loss": "cross_entropy", "learning_rate": 0.1},
                                      {"corruption": 0.1, "noise": "gaussian"}])
def test_every_variant_learns_digits_below_0_02(digits, settings):
    tied = settings.pop("tied", True)
    history = trainer(digits, code=32, tied=tied, **settings).run(10)
    assert history["test_loss"][-1] <= 0.02, history["test_loss"]


def test_sparsity_pulls_the_mean_code_activation_towards_the_target(digits):
    plain = trainer(digits, code=32).run(5)["mean_code"][-1]
    sparse = trainer(digits, code=32, sparsity_weight=1.0, sparsity_target=0.05).run(5)["mean_code"][-1]
    assert plain > 0.3 and sparse < 0.12  # 0.42 and 0.073 (seed 0)


def test_history_and_reports(digits):
    t = trainer(digits, epochs=3)
    seen = []
    history = t.run(on_epoch=seen.append)
    assert list(history) == list(AUTOENCODER_HISTORY_KEYS)
    assert [r.epoch for r in seen] == [1, 2, 3] and t.epoch == 3 and all(isinstance(r, EpochReport) for r in seen)
    m = seen[-1].metrics
    assert m["train_loss"] == pytest.approx(t.evaluate("train")["reconstruction_error"], rel=1e-9)
    assert m["mean_code"] == pytest.approx(t.evaluate("train")["mean_code"], rel=1e-9)
    assert t.updates == 3 * t.steps_per_epoch


@pytest.mark.parametrize("tied", [False, True])
def test_same_seed_gives_bit_identical_runs(digits, tied):
    runs = []
    for _ in range(2):
        t = trainer(digits, tied=tied, seed=3, corruption=0.3, sparsity_weight=0.1, weight_decay=1e-4)
        t.run(2)
        runs.append((t.model.get_weights(), t.history))
    (w1, h1), (w2, h2) = runs
    for key in w1:
        np.testing.assert_array_equal(w1[key], w2[key])
    assert h1 == h2
    other = trainer(digits, tied=tied, seed=4, corruption=0.3)
    other.run(1)
    assert not np.array_equal(other.model.weight, w1["weight"])


def test_chunked_steps_and_multi_epoch_calls_give_the_same_bits(digits):
    whole = trainer(digits, seed=1, corruption=0.2)
    whole._epoch_seconds = 1e-9  # as if epochs were tiny: several per compiled call
    whole.step(max_epochs=3)
    assert whole.epoch == 3 and len(whole.reports) == 3
    pieces = trainer(digits, seed=1, corruption=0.2)
    while pieces.epoch < 3:
        pieces.step(max_steps=7)
    np.testing.assert_array_equal(whole.model.weight, pieces.model.weight)
    assert whole.history == pieces.history


def test_snapshots_are_copies_and_do_not_change_training(digits):
    plain = trainer(digits, seed=2, corruption=0.3)
    watched = trainer(digits, seed=2, corruption=0.3)
    plain.run(2)
    snaps = []
    while watched.epoch < 2:
        watched.step(max_steps=20)
        snaps.append(watched.snapshot())
    np.testing.assert_array_equal(plain.model.weight, watched.model.weight)
    snap = snaps[-1]
    assert snap.filters.shape == (16, 8, 8) and snap.reconstructions.shape == (16, 64)
    assert snap.probe_inputs.shape == snap.corrupted_inputs.shape == snap.denoised.shape == (16, 64)
    assert np.count_nonzero(snap.corrupted_inputs) < np.count_nonzero(snap.probe_inputs)  # masked pixels
    assert snap.codes.shape == (digits.n_test, 16) and snap.code_labels.shape == (digits.n_test,)
    np.testing.assert_array_equal(snap.code_labels, digits.labels_test)
    assert snap.metrics["train_loss"] == watched.history["train_loss"][-1] and snap.step == watched.updates
    np.testing.assert_array_equal(snaps[0].corrupted_inputs, snap.corrupted_inputs)  # one fixed draw
    snap.weights["weight"][:] = 0
    snap.filters[:] = 0
    assert np.any(watched.model.weight != 0)


def test_without_corruption_the_snapshot_has_no_denoising_views(digits):
    snap = trainer(digits).snapshot()
    assert snap.corrupted_inputs is None and snap.denoised is None and snap.reconstructions is not None


def test_a_two_unit_code_gives_a_labelled_scatter(digits):
    t = AutoencoderTrainer(Autoencoder(64, 2, tied=True, seed=0), digits, {})  # untied, one unit may die
    t.run(3)
    snap = t.snapshot(weights=False, reconstructions=False)
    assert snap.codes.shape == (digits.n_test, 2) and snap.weights == {} and snap.reconstructions is None
    means = np.array([snap.codes[snap.code_labels == c].mean(axis=0) for c in range(10)])
    assert np.ptp(means, axis=0).min() > 0.5  # both units place the classes apart


def test_regression_data_has_codes_without_labels():
    from nnsim.data.dataset import regression
    x = np.random.default_rng(0).random((30, 4)).astype(np.float32)
    data = regression("unit", x, x[:, :1], np.arange(20), np.arange(20, 30))
    snap = AutoencoderTrainer(Autoencoder(4, 2), data, {}).snapshot()
    assert snap.codes.shape == (10, 2) and snap.code_labels is None


BAD_SETTINGS = [
    ("learning_rate", 0.0, "below its minimum"), ("batch_size", -1, "below its minimum"),
    ("epochs", 0, "below its minimum"), ("momentum", 1.0, "above its maximum"),
    ("weight_decay", -0.1, "below its minimum"), ("loss", "l1", "must be one of mse, cross_entropy"),
    ("corruption", 1.5, "above its maximum"), ("noise", "salt", "must be one of mask, gaussian"),
    ("sparsity_target", 0.0, "below its minimum"), ("sparsity_weight", -1, "below its minimum"),
    ("shuffle", 1, "true or false"), ("seed", -1, "below its minimum"),
]


@pytest.mark.parametrize("name,value,phrase", BAD_SETTINGS)
def test_a_bad_setting_raises_one_sentence_naming_it(digits, name, value, phrase):
    with pytest.raises(TrainingError) as caught:
        trainer(digits, **{name: value})
    message = str(caught.value)
    assert f"'{name}'" in message and phrase in message and "'autoencoder training'" in message
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message


def test_unknown_setting_and_every_default_is_valid(digits):
    with pytest.raises(TrainingError, match="has no parameter 'lr'"):
        trainer(digits, lr=0.1)
    assert set(default_autoencoder_settings()) == {p.name for p in AUTOENCODER_TRAINING_PARAMS}


def test_sparsity_needs_a_sigmoid_code(digits):
    with pytest.raises(TrainingError, match="needs a sigmoid code, not relu: set sparsity_weight to 0"):
        AutoencoderTrainer(Autoencoder(64, 4, code_activation="relu"), digits, {"sparsity_weight": 0.1})


def test_data_outside_zero_to_one_is_refused():
    plane = load_dataset({"name": "plane", "params": {}})
    with pytest.raises(TrainingError, match="reconstructs values in \\[0, 1\\].*scaled to \\[0, 1\\]"):
        AutoencoderTrainer(Autoencoder(2, 3), plane, {})


def test_visible_units_must_match_the_data(digits):
    with pytest.raises(TrainingError, match="has 10 visible units but the data has 64 values per sample"):
        AutoencoderTrainer(Autoencoder(10, 3), digits, {})


def test_non_finite_weights_raise_divergence_error(digits):
    t = trainer(digits)
    t.model.weight[0, 0] = np.inf
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
