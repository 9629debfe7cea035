"""Phased training: greedy RBM pretraining in graph order, each on the activity below, then fine-tuning."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError, TrainingError
from nnsim.graph import sequential
from nnsim.project import Project
from nnsim.training import Trainer
from nnsim.training.pretraining import PhasedTrainer, Phase
from nnsim.training.rbm_trainer import RBMSnapshot
from nnsim.training.snapshot import Snapshot

DIGITS = {"name": "digits", "params": {}}
FAST = {"pretrain_epochs": 2, "epochs": 2, "pretrain_batch_size": 50, "batch_size": 50}


def dbn(**training) -> Project:
    graph = sequential([("Input", {}), ("RBM", {"units": 16}), ("RBM", {"units": 12}),
                        ("Dense", {"units": 10, "activation": "softmax"})], names=["in", "rbm1", "rbm2", "out"])
    return Project(graph, DIGITS, {"loss": "cross_entropy", **FAST, **training})


def lone_rbm(**training) -> Project:
    graph = sequential([("Input", {}), ("RBM", {"units": 16})], names=["in", "rbm"])
    return Project(graph, {"name": "digits", "params": {"binarize": True}}, {**FAST, "epochs": 3, **training})


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_graphs_with_rbms_get_a_phased_trainer_and_others_the_plain_one():
    assert isinstance(dbn().trainer(), PhasedTrainer)
    plain = Project(sequential([("Input", {}), ("Dense", {"units": 10, "activation": "softmax"})]), DIGITS,
                    {"loss": "cross_entropy"})
    assert type(plain.trainer()) is Trainer


def test_phases_run_greedily_in_graph_order_then_fine_tune():
    trainer = dbn().trainer()
    assert [(p.kind, p.node, p.epochs) for p in trainer.phases] == [
        ("pretrain", "rbm1", 2), ("pretrain", "rbm2", 2), ("fine-tune", None, 2)]
    order = []
    while trainer.pretraining or trainer.epoch < 2:
        phase = trainer.phase
        trainer.run_epoch()
        order.append((phase.kind, phase.node))
    assert order == [("pretrain", "rbm1")] * 2 + [("pretrain", "rbm2")] * 2 + [("fine-tune", None)] * 2
    assert len(trainer.history["pretrain/rbm1/train_loss"]) == 2
    assert len(trainer.history["pretrain/rbm2/test_loss"]) == 2
    assert len(trainer.history["train_loss"]) == 2 and trainer.epoch == 2
    assert trainer.phase == Phase("fine-tune", None, 3, 3, 2, 2)


def test_each_rbm_learns_from_the_activity_of_the_layer_below():
    trainer = dbn(epochs=0).trainer()  # pretraining only: the weights stay where it left them
    trainer.run()
    assert not trainer.pretraining and trainer.epoch == 0
    first, second = trainer.phase_trainer("rbm1"), trainer.phase_trainer("rbm2")
    np.testing.assert_array_equal(first.x_train, trainer.x_train)  # the input rows as they are
    w, d = trainer.net.weight_view("rbm1/weight"), trainer.net.weight_view("rbm1/bias")
    np.testing.assert_allclose(second.x_train, sigmoid(trainer.x_train @ w.T + d), atol=1e-5)
    assert second.x_test.shape == (len(trainer.x_test), 16)


def test_pretraining_writes_the_rbm_weights_into_the_network():
    project = dbn(epochs=0)
    initial = project.build_network().get_weights()
    trainer = project.trainer()
    trainer.run()
    rbm = trainer.phase_trainer("rbm1").rbm
    net = trainer.net
    np.testing.assert_array_equal(net.weight_view("rbm1/weight"), rbm.weight.T)
    np.testing.assert_array_equal(net.weight_view("rbm1/bias"), rbm.hidden_bias)
    np.testing.assert_array_equal(net.weight_view("rbm1/visible_bias"), rbm.visible_bias)
    for key in ("rbm1/weight", "rbm1/visible_bias", "rbm2/weight"):
        assert not np.array_equal(initial[key], net.weight_view(key)), key


def test_fine_tuning_leaves_the_visible_bias_alone():
    trainer = dbn(epochs=2).trainer()
    trainer.run(0)  # pretraining only
    before = trainer.net.weight_view("rbm1/visible_bias").copy()
    weight = trainer.net.weight_view("rbm1/weight").copy()
    trainer.run(2)
    np.testing.assert_array_equal(trainer.net.weight_view("rbm1/visible_bias"), before)
    assert not np.array_equal(trainer.net.weight_view("rbm1/weight"), weight)  # backprop fine-tunes W


def test_a_resumed_project_does_not_pretrain_again():
    project = dbn()
    first = project.trainer()
    first.run()
    project.capture(first)
    resumed = project.trainer()
    assert not resumed.pretraining and resumed.phase.kind == "fine-tune" and resumed.epoch == 2
    weights = resumed.net.get_weights()
    resumed.run(1)
    assert resumed.updates == resumed.finetune.updates  # no contrastive-divergence update at all
    assert len(resumed.history["pretrain/rbm1/train_loss"]) == 2 and len(resumed.history["train_loss"]) == 3
    assert not np.array_equal(weights["out/weight"], resumed.net.weight_view("out/weight"))


def test_more_pretraining_epochs_continue_the_recorded_ones():
    project = dbn(epochs=0)
    first = project.trainer()
    first.run()
    project.capture(first)
    project.set_training({**project.training, "pretrain_epochs": 3})
    resumed = project.trainer()
    assert resumed.phase == Phase("pretrain", "rbm1", 1, 3, 2, 3)
    resumed.run()
    assert len(resumed.history["pretrain/rbm1/train_loss"]) == 3
    assert resumed.history["pretrain/rbm1/train_loss"][:2] == first.history["pretrain/rbm1/train_loss"]


def test_zero_pretraining_epochs_go_straight_to_fine_tuning():
    trainer = dbn(pretrain_epochs=0).trainer()
    assert [p.kind for p in trainer.phases] == ["fine-tune"]
    trainer.run()
    assert trainer.updates == trainer.finetune.updates > 0
    assert not any(key.startswith("pretrain/") and value for key, value in trainer.history.items())


def test_a_graph_ending_in_an_rbm_reports_its_reconstruction_error_as_the_loss():
    trainer = lone_rbm().trainer()
    assert [(p.kind, p.node, p.epochs) for p in trainer.phases] == [("unsupervised", "rbm", 3)]
    history = trainer.run()
    assert trainer.epoch == 3 and len(history["test_loss"]) == 3
    assert history["train_loss"][-1] < history["train_loss"][0]
    rbm = trainer.phase_trainer("rbm").rbm
    test = trainer.evaluate("test")
    assert test["loss"] == pytest.approx(rbm.reconstruction_error(trainer.x_test)) == history["test_loss"][-1]
    assert test["accuracy"] is None and test["samples"] == len(trainer.x_test)
    assert not any(key.startswith("pretrain/") for key in history)


def test_a_stack_ending_in_an_rbm_pretrains_the_lower_ones_first():
    graph = sequential([("Input", {}), ("RBM", {"units": 16}), ("RBM", {"units": 8})], names=["in", "a", "b"])
    trainer = Project(graph, DIGITS, FAST).trainer()
    assert [(p.kind, p.node) for p in trainer.phases] == [("pretrain", "a"), ("unsupervised", "b")]
    trainer.run()
    assert len(trainer.history["pretrain/a/train_loss"]) == 2 and len(trainer.history["train_loss"]) == 2


def test_snapshots_of_the_network_and_of_each_rbm():
    trainer = dbn().trainer()
    trainer.step()  # inside pretraining
    snap = trainer.snapshot()
    assert isinstance(snap, Snapshot) and "rbm1/visible_bias" in snap.weights and "rbm2" in snap.activations
    rbm_snap = trainer.phase_snapshot("rbm1")
    assert isinstance(rbm_snap, RBMSnapshot) and rbm_snap.filters.shape == (16, 8, 8)
    trainer.run()
    after = trainer.phase_snapshot("rbm2")  # a finished phase: the fine-tuned weights
    np.testing.assert_allclose(after.weights["weight"], trainer.net.weight_view("rbm2/weight").T)
    assert after.reconstructions.shape == (16, 16) and trainer.snapshot().metrics["pretrain/rbm2/train_loss"] > 0
    unsupervised = lone_rbm().trainer()
    unsupervised.step()
    plain = unsupervised.snapshot()
    assert plain.gradients == {} and plain.probe_outputs.shape == (16, 16)


def test_same_seed_same_phased_run():
    runs = []
    for _ in range(2):
        trainer = dbn().trainer()
        trainer.run()
        runs.append((trainer.history, trainer.net.get_weights()))
    assert runs[0][0] == runs[1][0]
    for key in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][key], runs[1][1][key])


def test_stepping_a_chunk_at_a_time_never_crosses_a_phase():
    trainer = dbn().trainer()
    while trainer.pretraining:
        node = trainer.phase.node
        trainer.step(max_epochs=10)
        assert len(trainer.history[f"pretrain/{node}/train_loss"]) <= 2


def test_classic_rules_and_bad_settings_are_refused_in_one_sentence():
    with pytest.raises(GraphError, match="with backprop"):
        dbn(rule="perceptron", loss="mse").trainer()
    with pytest.raises(TrainingError, match="pretrain_learning_rate"):
        dbn(pretrain_learning_rate=0.0)


def test_an_rbm_on_data_outside_0_1_says_so():
    graph = sequential([("Input", {}), ("RBM", {"units": 4})])
    with pytest.raises(TrainingError, match="scaled to \\[0, 1\\]"):
        Project(graph, {"name": "plane", "params": {}}, {"epochs": 1}).trainer().step()


def test_a_diverging_pretraining_phase_names_its_node_and_setting(monkeypatch):
    from nnsim.core.errors import DivergenceError
    from nnsim.training.rbm_trainer import RBMTrainer

    def blow_up(self, max_steps=None, max_epochs=None):
        raise DivergenceError("RBM training stopped at update 7.", step=7, layer=None)

    trainer = dbn().trainer()
    monkeypatch.setattr(RBMTrainer, "step", blow_up)
    expected = "'rbm1' without labels stopped at update 7.*pretrain_learning_rate"
    with pytest.raises(DivergenceError, match=expected) as info:
        trainer.step()
    assert info.value.layer == "rbm1"


def test_pretraining_uses_the_pretrain_settings_and_a_lone_rbm_the_main_ones():
    trainer = dbn(pretrain_learning_rate=0.03, pretrain_momentum=0.5, pretrain_weight_decay=0.002,
                  pretrain_batch_size=40).trainer()
    s = trainer.phase_trainer("rbm2").settings
    assert (s["learning_rate"], s["momentum"], s["weight_decay"], s["batch_size"]) == (0.03, 0.5, 0.002, 40)
    assert (s["k"], s["persistent"], s["binarize"]) == (1, False, False)
    lone = lone_rbm(learning_rate=0.02, momentum=0.8, l2=0.001, batch_size=25).trainer()
    s = lone.phase_trainer("rbm").settings
    assert (s["learning_rate"], s["momentum"], s["weight_decay"], s["batch_size"]) == (0.02, 0.8, 0.001, 25)
    lone.set_learning_rate(0.04)  # the window's learning-rate control
    assert lone.learning_rate == 0.04 and lone.settings["learning_rate"] == 0.04


def test_the_same_bits_however_the_run_is_cut_into_calls():
    whole = dbn().trainer()
    whole.run()
    pieces = dbn().trainer()
    while pieces.pretraining or pieces.epoch < 2:
        pieces.step(max_steps=7)
    assert pieces.history == whole.history
    for key, value in whole.net.get_weights().items():
        np.testing.assert_array_equal(pieces.net.weight_view(key), value, err_msg=key)
