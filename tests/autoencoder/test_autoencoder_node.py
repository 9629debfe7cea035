"""The Autoencoder node: its encoder in the network, its own training in phased training."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import TrainingError
from nnsim.engine.layers import layer_kind
from nnsim.graph import sequential
from nnsim.project import Project
from nnsim.training.autoencoder_trainer import AutoencoderSnapshot, AutoencoderTrainer


def lone(params=None, **training) -> Project:
    graph = sequential([("Input", {}), ("Autoencoder", {"units": 16, **(params or {})})], names=["input", "ae"])
    return Project(graph, {"name": "digits", "params": {}},
                   {"epochs": 3, "learning_rate": 0.5, "momentum": 0.9, "batch_size": 20, **training})


def stacked(**training) -> Project:
    graph = sequential([("Input", {}), ("Autoencoder", {"units": 24, "tied": False, "corruption": 0.2}),
                        ("Autoencoder", {"units": 12}), ("Dense", {"units": 10, "activation": "softmax"})],
                       names=["input", "ae1", "ae2", "output"])
    return Project(graph, {"name": "digits", "params": {}},
                   {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.002, "epochs": 2,
                    "pretrain_epochs": 2, "pretrain_learning_rate": 0.5, **training})


def test_a_graph_ending_in_an_autoencoder_trains_it_with_the_main_settings():
    trainer = lone().trainer()
    assert [p.kind for p in trainer.phases] == ["unsupervised"]
    trainer.run()
    ae = trainer.phase_trainer("ae")
    assert isinstance(ae, AutoencoderTrainer) and ae.settings["learning_rate"] == 0.5 and ae.batch == 20
    assert trainer.epoch == 3 and trainer.history["test_loss"][-1] < 0.02
    assert trainer.evaluate("test")["loss"] == trainer.history["test_loss"][-1]
    x = ae.x_test[:5]
    np.testing.assert_allclose(trainer.net.forward(x), ae.model.encode(x), rtol=1e-5, atol=1e-6)  # written back


def test_the_node_params_reach_its_trainer():
    trainer = lone({"corruption": 0.3, "noise": "gaussian", "sparsity_weight": 0.5, "sparsity_target": 0.1,
                    "loss": "cross_entropy", "tied": False}).trainer()
    s = trainer.phase_trainer("ae").settings
    assert (s["corruption"], s["noise"], s["sparsity_weight"], s["sparsity_target"], s["loss"]) == (
        0.3, "gaussian", 0.5, 0.1, "cross_entropy")
    assert not trainer.phase_trainer("ae").model.tied


def test_pretraining_trains_the_decoder_and_fine_tuning_leaves_it_alone():
    project = stacked()
    trainer = project.trainer()
    before = trainer.net.get_weights()
    while trainer.pretraining:
        trainer.step()
    pretrained = trainer.net.get_weights()
    for key in ("ae1/weight", "ae1/decoder_weight", "ae1/decoder_bias", "ae2/weight", "ae2/decoder_bias"):
        assert not np.array_equal(before[key], pretrained[key]), key
    trainer.run()
    tuned = trainer.net.get_weights()
    assert not np.array_equal(tuned["ae1/weight"], pretrained["ae1/weight"])
    for key in ("ae1/decoder_weight", "ae1/decoder_bias", "ae2/decoder_bias"):  # buffers: backprop skips them
        np.testing.assert_array_equal(tuned[key], pretrained[key])
    assert trainer.evaluate("test")["accuracy"] > 0.3  # 0.40 after two epochs of fine-tuning (chance: 0.10)


def test_the_second_autoencoder_learns_the_codes_of_the_first():
    trainer = stacked().trainer()
    trainer.run()
    first, second = trainer.phase_trainer("ae1"), trainer.phase_trainer("ae2")
    assert second.x_train.shape == (len(first.x_train), 24)
    np.testing.assert_allclose(second.x_train[:4], first.model.encode(first.x_train[:4]), rtol=1e-5, atol=1e-6)


def test_phase_snapshot_is_the_autoencoder_snapshot():
    trainer = lone({"units": 2}).trainer()
    trainer.run()
    snap = trainer.phase_snapshot("ae")
    assert isinstance(snap, AutoencoderSnapshot)
    assert snap.codes.shape[1] == 2 and snap.filters.shape == (2, 8, 8)
    np.testing.assert_array_equal(snap.code_labels, Project.example("autoencoder-digits").load_dataset().labels_test)
    assert trainer.phase_trainer("ae").dataset.class_names[3] == "3"  # for the scatter's legend; not trained on


def test_sparsity_with_a_relu_code_is_refused_when_training_starts():
    with pytest.raises(TrainingError, match="needs a sigmoid code, not relu: set sparsity_weight to 0"):
        lone({"code_activation": "relu", "sparsity_weight": 0.1}).trainer().run()


def test_the_decoder_counts_as_parameters_and_the_key_params_say_what_it_does():
    kind = layer_kind("Autoencoder")
    params = kind.check_params({"units": 8, "tied": False, "corruption": 0.25, "sparsity_weight": 1.0}, "ae")
    assert kind.param_count([(64,)], params) == 8 * 64 + 8 + 64 * 8 + 64
    assert kind.key_params(params) == "8 code, untied, mask 0.25, sparse"
    tied = kind.check_params({"units": 8}, "ae")
    assert kind.param_count([(64,)], tied) == 8 * 64 + 8 + 64 and kind.key_params(tied) == "8 code, tied"


def test_a_diverging_autoencoder_names_the_setting_its_phase_uses():
    from nnsim.core.errors import DivergenceError

    trainer = lone().trainer()  # the graph's own output node: the main learning_rate applies
    trainer.phase_trainer("ae").model.weight[0, 0] = np.inf
    with pytest.raises(DivergenceError, match="'ae' without labels stopped.*so lower learning_rate \\(now 0.5\\) "
                                              "or momentum\\.$") as info:
        trainer.run()
    assert info.value.layer == "ae" and "pretrain_" not in str(info.value)
    stack = stacked().trainer()
    stack.phase_trainer("ae1").model.weight[0, 0] = np.nan
    with pytest.raises(DivergenceError, match="'ae1' without labels.*lower pretrain_learning_rate \\(now 0.5\\)"):
        stack.run()
