"""Trainer behaviour: determinism, batching, optimizers, schedules, guards, snapshots, evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnsim.core.errors import DatasetError, DivergenceError, TrainingError
from nnsim.graph import sequential
from nnsim.project import Project
from nnsim.training import metrics as M
from nnsim.training.settings import OPTIMIZERS, SCHEDULES

GAUSS = {"name": "gauss", "params": {}}  # 250 train / 250 test, two separable blobs
PLANE = {"name": "plane", "params": {}}


def classifier(**training) -> Project:
    graph = sequential([("Input", {}), ("Dense", {"units": 4, "activation": "tanh"}),
                        ("Dense", {"units": 1, "activation": "sigmoid"})], names=["in", "hidden", "out"])
    return Project(graph, GAUSS, {"loss": "bce", "batch_size": 10, **training})


def regressor(hidden: str = "tanh", **training) -> Project:
    graph = sequential([("Input", {}), ("Dense", {"units": 8, "activation": hidden}),
                        ("Dense", {"units": 1, "activation": "identity"})], names=["in", "hidden", "out"])
    return Project(graph, PLANE, {"loss": "mse", "batch_size": 10, **training})


def trainable_vector(weights: dict[str, np.ndarray]) -> np.ndarray:
    return np.concatenate([weights[k].ravel().astype(np.float64) for k in sorted(weights)])


# --- determinism ----------------------------------------------------------------------------------
def test_same_seed_gives_bit_identical_weights_and_history():
    runs = []
    for _ in range(2):
        trainer = classifier(seed=7).trainer()
        trainer.run(3)
        runs.append((trainer.net.get_weights(), trainer.history))
    (w1, h1), (w2, h2) = runs
    assert w1.keys() == w2.keys()
    for key in w1:
        assert w1[key].dtype == np.float32
        assert w1[key].tobytes() == w2[key].tobytes(), key
    assert h1 == h2


def test_different_seed_gives_different_weights():
    a, b = classifier(seed=0).trainer(), classifier(seed=1).trainer()
    a.run(3)
    b.run(3)
    assert not np.array_equal(trainable_vector(a.net.get_weights()), trainable_vector(b.net.get_weights()))


def test_shuffle_off_makes_the_run_independent_of_the_shuffling_seed():
    """Same starting weights, different seeds: only the shuffle order could differ."""
    results = {}
    for shuffle in (False, True):
        a = classifier(seed=0, shuffle=shuffle).trainer()
        b_net = classifier(seed=5, shuffle=shuffle).build_network()
        b_net.set_weights(a.net.get_weights())
        b = classifier(seed=5, shuffle=shuffle).trainer(b_net)
        a.run_epoch()
        b.run_epoch()
        results[shuffle] = np.array_equal(trainable_vector(a.net.get_weights()),
                                          trainable_vector(b.net.get_weights()))
    assert results == {False: True, True: False}


# --- batching -------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size, updates", [(1, 250), (10, 25), (32, 8), (0, 1)],
                         ids=["stochastic", "mini-batch", "ragged-mini-batch", "full-batch"])
def test_updates_per_epoch_follow_the_batch_size(batch_size, updates):
    trainer = classifier(batch_size=batch_size).trainer()
    assert trainer.steps_per_epoch == updates
    report = trainer.run_epoch()
    assert report.epoch == 1
    assert trainer.updates == updates
    trainer.run_epoch()
    assert trainer.updates == 2 * updates


def test_validation_split_adds_validation_metrics_to_history():
    trainer = classifier(validation_split=0.2).trainer()
    assert len(trainer.x_train) == 200 and len(trainer.x_val) == 50
    trainer.run(2)
    for key in ("val_loss", "val_accuracy"):
        assert len(trainer.history[key]) == 2
        assert all(isinstance(v, float) and math.isfinite(v) for v in trainer.history[key])
    assert all(0.0 <= v <= 1.0 for v in trainer.history["val_accuracy"])


def test_without_validation_split_validation_history_is_none():
    trainer = classifier().trainer()
    trainer.run(2)
    assert trainer.history["val_loss"] == [None, None]
    assert trainer.history["val_accuracy"] == [None, None]


# --- optimizers and schedules ---------------------------------------------------------------------
OPTIMIZER_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.1, "adadelta": 1.0,
                "rmsprop": 0.01, "adam": 0.01}


def test_every_optimizer_is_covered():
    assert set(OPTIMIZER_LR) == set(OPTIMIZERS)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_each_optimizer_lowers_the_loss(optimizer):
    trainer = classifier(optimizer=optimizer, learning_rate=OPTIMIZER_LR[optimizer]).trainer()
    before = trainer.evaluate("train")["loss"]
    trainer.run(5)
    assert trainer.evaluate("train")["loss"] < 0.9 * before


@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
def test_each_schedule_lowers_the_loss(schedule):
    trainer = classifier(optimizer="sgd", learning_rate=0.1, schedule=schedule, decay_c1=10.0, decay_c2=100.0,
                         step_size=20, gamma=0.9).trainer()
    before = trainer.evaluate("train")["loss"]
    trainer.run(5)
    assert trainer.evaluate("train")["loss"] < 0.8 * before


def test_inverse_time_schedule_gives_c1_over_k_plus_c2():
    trainer = classifier(optimizer="sgd", schedule="inverse_time", decay_c1=3.0, decay_c2=50.0).trainer()
    assert trainer.learning_rate == pytest.approx(3.0 / 50.0)
    trainer.step(7)
    assert trainer.updates == 7
    assert trainer.learning_rate == pytest.approx(3.0 / (7 + 50.0))
    trainer.run_epoch()
    assert trainer.learning_rate == pytest.approx(3.0 / (25 + 50.0))
    assert trainer.history["learning_rate"] == [pytest.approx(3.0 / 75.0)]


def test_step_schedule_multiplies_by_gamma_every_step_size_updates():
    trainer = classifier(optimizer="sgd", learning_rate=0.2, schedule="step", step_size=10, gamma=0.5).trainer()
    trainer.step(9)
    assert trainer.learning_rate == pytest.approx(0.2)
    trainer.step(1)
    assert trainer.learning_rate == pytest.approx(0.1)
    trainer.step(10)
    assert trainer.learning_rate == pytest.approx(0.05)


def test_set_learning_rate_changes_the_size_of_the_next_update():
    deltas = []
    for lr in (None, 0.2):
        trainer = classifier(optimizer="sgd", learning_rate=0.1, shuffle=False).trainer()
        if lr is not None:
            trainer.set_learning_rate(lr)
            assert trainer.learning_rate == lr
        before = trainable_vector(trainer.net.get_weights())
        trainer.step(1)
        deltas.append(trainable_vector(trainer.net.get_weights()) - before)
    np.testing.assert_allclose(deltas[1], 2 * deltas[0], rtol=1e-3, atol=1e-7)


# --- regularization and clipping ------------------------------------------------------------------
def test_l2_shrinks_the_weights_compared_to_no_l2():
    norms = {}
    for l2 in (0.0, 0.1):
        trainer = classifier(optimizer="sgd", learning_rate=0.1, l2=l2).trainer()
        trainer.run(5)
        w = trainer.net.get_weights()
        norms[l2] = sum(float(np.sum(w[k].astype(np.float64) ** 2)) for k in w if k.endswith("/weight"))
    assert norms[0.1] < 0.8 * norms[0.0]


def test_clip_norm_bounds_the_update_to_lr_times_clip_norm():
    lr, clip = 100.0, 0.01
    deltas = {}
    for clip_norm in (0.0, clip):
        trainer = classifier(optimizer="sgd", learning_rate=lr, batch_size=0, shuffle=False,
                             clip_norm=clip_norm).trainer()
        before = trainable_vector(trainer.net.get_weights())
        trainer.step(1)
        deltas[clip_norm] = trainable_vector(trainer.net.get_weights()) - before
    unclipped, clipped = deltas[0.0], deltas[clip]
    assert np.linalg.norm(unclipped) > 10 * lr * clip  # clipping really was needed
    assert np.linalg.norm(clipped) == pytest.approx(lr * clip, rel=1e-3)
    expected = unclipped * (lr * clip / np.linalg.norm(unclipped))  # same direction, scaled down
    np.testing.assert_allclose(clipped, expected, rtol=1e-3, atol=1e-6)


# --- divergence guard -----------------------------------------------------------------------------
def test_huge_learning_rate_raises_divergence_error_naming_update_and_layer():
    trainer = regressor(hidden="relu", optimizer="sgd", learning_rate=1e4).trainer()
    with pytest.raises(DivergenceError) as info:
        trainer.run(5)
    err = info.value
    message = str(err)
    assert f"update {err.step}" in message
    assert err.step >= 1
    assert err.layer in {"hidden", "out"}
    assert f"'{err.layer}'" in message
    assert "Lower the learning rate" in message and "clipping" in message


@pytest.mark.parametrize("learning_rate", [1e3, 1e4])
def test_divergence_error_names_a_layer_for_a_tanh_regression_net(learning_rate):
    trainer = regressor(hidden="tanh", optimizer="sgd", learning_rate=learning_rate).trainer()
    with pytest.raises(DivergenceError) as info:
        trainer.run(5)
    assert info.value.layer in {"hidden", "out"}
    assert f"'{info.value.layer}'" in str(info.value)


def test_divergence_error_is_a_training_error_and_keeps_the_trainer_usable():
    trainer = regressor(hidden="relu", optimizer="sgd", learning_rate=1e4).trainer()
    with pytest.raises(TrainingError):
        trainer.run(5)
    trainer.net.initialize(0)
    trainer.set_learning_rate(1e-3)
    report = trainer.run_epoch()
    assert math.isfinite(report.metrics["train_loss"])


# --- snapshots ------------------------------------------------------------------------------------
def test_snapshot_covers_every_node_with_weights():
    trainer = classifier().trainer()
    trainer.run_epoch()
    snap = trainer.snapshot()
    assert set(snap.weights) == {"hidden/weight", "hidden/bias", "out/weight", "out/bias"}
    assert set(snap.gradients) == set(snap.weights)
    assert set(snap.grad_norms) == {"hidden", "out"}
    assert all(v > 0 and math.isfinite(v) for v in snap.grad_norms.values())
    assert snap.epoch == 1 and snap.step == 25
    assert snap.metrics["train_loss"] == trainer.history["train_loss"][-1]


def test_snapshot_activations_have_probe_rows_and_node_shape():
    trainer = classifier().trainer()
    snap = trainer.snapshot()
    probe = len(snap.probe_inputs)
    assert probe == 16
    assert {k: v.shape for k, v in snap.activations.items()} == {"in": (probe, 2), "hidden": (probe, 4),
                                                                  "out": (probe, 1)}
    np.testing.assert_allclose(snap.probe_outputs, trainer.net.forward(snap.probe_inputs), rtol=1e-5, atol=1e-6)


def test_snapshot_gradient_norms_match_the_gradients():
    snap = classifier().trainer().snapshot()
    hidden = np.sqrt(sum(np.sum(snap.gradients[k].astype(np.float64) ** 2) for k in ("hidden/weight", "hidden/bias")))
    assert snap.grad_norms["hidden"] == pytest.approx(hidden)


def test_snapshot_holds_copies_not_views():
    trainer = classifier().trainer()
    snap = trainer.snapshot()
    before = trainer.net.get_weights()
    snap.weights["hidden/weight"][...] = 123.0
    snap.gradients["hidden/weight"][...] = 123.0
    snap.activations["hidden"][...] = 123.0
    after = trainer.net.get_weights()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert not np.any(trainer.net.grad_view("hidden/weight") == 123.0)
    assert not np.any(trainer.net.buffer_rows("hidden", 16) == 123.0)
    again = trainer.snapshot()
    assert not np.any(again.weights["hidden/weight"] == 123.0)


def test_snapshot_without_weights_activations_gradients_computes_nothing():
    trainer = classifier().trainer()
    calls = []
    original = trainer.net.gradients
    trainer.net.gradients = lambda *a, **k: calls.append(1) or original(*a, **k)
    snap = trainer.snapshot(weights=False, activations=False, gradients=False)
    assert calls == []
    assert snap.weights == {} and snap.activations == {} and snap.gradients == {} and snap.grad_norms == {}
    assert snap.probe_outputs is None


# --- evaluation -----------------------------------------------------------------------------------
def test_evaluate_gives_a_confusion_matrix_summing_to_the_sample_count():
    trainer = classifier().trainer()
    trainer.run(3)
    result = trainer.evaluate("test")
    confusion = np.array(result["confusion"])
    assert confusion.shape == (2, 2)
    assert confusion.sum() == result["samples"] == 250
    assert np.trace(confusion) / confusion.sum() == pytest.approx(result["accuracy"])
    assert result["rmse"] is None and result["r2"] is None


def test_evaluate_gives_rmse_and_r2_for_regression():
    trainer = regressor(optimizer="adam", learning_rate=0.01).trainer()
    trainer.run(20)
    result = trainer.evaluate("test")
    assert result["accuracy"] is None and "confusion" not in result
    preds = trainer.net.forward(trainer.x_test)
    assert result["rmse"] == pytest.approx(M.rmse(preds, trainer.y_test), rel=1e-5)
    assert result["r2"] == pytest.approx(M.r2_score(preds, trainer.y_test), rel=1e-5)
    assert result["r2"] > 0.9


# --- stepping -------------------------------------------------------------------------------------
def test_step_never_crosses_an_epoch_end():
    trainer = classifier().trainer()  # 25 updates per epoch
    assert trainer.step(10) is None and trainer.updates == 10
    assert trainer.step(10) is None and trainer.updates == 20
    report = trainer.step(10)
    assert report is not None and report.epoch == 1
    assert trainer.updates == 25


def test_step_returns_the_report_exactly_at_the_epoch_end():
    trainer = classifier().trainer()
    assert trainer.step(24) is None
    report = trainer.step(1)
    assert report is not None and report.epoch == 1 and trainer.updates == 25
    assert trainer.step(1) is None and trainer.updates == 26


def test_run_stops_early_when_should_stop_says_so():
    trainer = classifier().trainer()
    seen = []
    history = trainer.run(10, on_epoch=lambda r: seen.append(r.epoch), should_stop=lambda: len(seen) >= 2)
    assert seen == [1, 2]
    assert trainer.epoch == 2 and len(history["train_loss"]) == 2


# --- refusals -------------------------------------------------------------------------------------
def test_batchnorm_with_batch_size_one_is_refused():
    graph = sequential([("Input", {}), ("Dense", {"units": 4, "activation": "identity"}), ("BatchNorm", {}),
                        ("Dense", {"units": 1, "activation": "sigmoid"})], names=["in", "d1", "bn", "out"])
    project = Project(graph, GAUSS, {"loss": "bce", "batch_size": 1})
    with pytest.raises(TrainingError, match=r"BatchNorm 'bn' needs at least 2 samples.*raise the batch size"):
        project.trainer()


def test_output_units_not_matching_the_classes_give_a_dataset_error():
    graph = sequential([("Input", {}), ("Dense", {"units": 3, "activation": "softmax"})], names=["in", "out"])
    project = Project(graph, GAUSS, {"loss": "cross_entropy"})
    with pytest.raises(DatasetError, match=r"'out' has 3 units.*'gauss' has 2 classes.*give it 2 units"):
        project.trainer()


# --- several epochs per compiled call ---------------------------------------------------------------
def _train_in_calls(project: Project, epochs: int, per_call: int):
    """Train ``epochs`` epochs, forcing ``per_call`` epochs into each compiled call (0: the single-epoch path)."""
    trainer = project.trainer()
    finished = []
    while trainer.epoch < epochs:
        trainer._epoch_seconds = trainer.chunk_seconds / (per_call + 0.5) if per_call else 0.0  # 0: one at a time
        trainer.step(max_epochs=epochs - trainer.epoch)
        finished += [r.epoch for r in trainer.reports]
    return trainer, finished


@pytest.mark.parametrize("make", [lambda: classifier(seed=3, validation_split=0.2, optimizer="adam"),
                                  lambda: regressor(seed=3, validation_split=0.1, optimizer="momentum")])
def test_several_epochs_per_call_give_the_same_bits_as_one_at_a_time(make):
    one, finished_one = _train_in_calls(make(), 9, 0)
    many, finished_many = _train_in_calls(make(), 9, 4)
    each, _ = _train_in_calls(make(), 9, 1)  # one whole epoch and its evaluation per call
    assert finished_one == finished_many == list(range(1, 10))  # every epoch reported once, in order
    assert one.history == many.history == each.history  # train/val/test metrics, learning rate, grad norm
    assert one.updates == many.updates
    for key, value in one.net.get_weights().items():
        assert np.array_equal(value, many.net.get_weights()[key]), key
    assert many.history["val_loss"][0] != many.history["val_loss"][-1]  # evaluated after every epoch


def test_multi_epoch_calls_never_run_past_the_requested_epochs():
    trainer = classifier(seed=1).trainer()
    trainer._epoch_seconds = trainer.chunk_seconds / 50.5
    seen = []
    trainer.run(7, on_epoch=lambda r: seen.append(r.epoch))
    assert trainer.epoch == 7 and seen == list(range(1, 8))
    assert len(trainer.history["train_loss"]) == 7


def test_short_epochs_are_batched_into_one_call_once_measured():
    trainer = classifier(seed=1).trainer()
    trainer.chunk_seconds = 10.0  # every epoch of this tiny set is far shorter
    trainer.run(1)
    assert trainer._epochs_ending_in_chunk() > 1
    trainer.run(3)
    assert len(trainer.reports) == 3  # the three epochs came from one call


def test_divergence_inside_a_multi_epoch_call_keeps_the_finished_epochs_and_names_the_layer():
    single = regressor(hidden="relu", optimizer="sgd", learning_rate=1e4).trainer()
    with pytest.raises(DivergenceError) as expected:
        single.run(5)
    trainer = regressor(hidden="relu", optimizer="sgd", learning_rate=1e4).trainer()
    trainer._epoch_seconds = trainer.chunk_seconds / 5.5
    with pytest.raises(DivergenceError) as info:
        trainer.step(max_epochs=5)
    assert str(info.value) == str(expected.value)
    assert info.value.layer in {"hidden", "out"}
    assert trainer.epoch == single.epoch and trainer.history == single.history


def test_a_call_that_starts_inside_an_epoch_finishes_it_with_the_same_bits():
    runs = []
    for resume in (False, True):
        trainer = classifier(seed=5, validation_split=0.2).trainer()
        trainer.step(max_steps=7)  # stop inside the first epoch
        trainer.step(max_steps=3)
        if resume:
            trainer._epoch_seconds = trainer.chunk_seconds / 3.2  # the rest of this epoch and two more fit
            trainer.step(max_epochs=10)
            assert [r.epoch for r in trainer.reports] == [1, 2, 3]
        else:
            trainer.run(3)
        runs.append(trainer)
    assert runs[0].history == runs[1].history and runs[0].updates == runs[1].updates
    for key, value in runs[0].net.get_weights().items():
        assert np.array_equal(value, runs[1].net.get_weights()[key]), key
