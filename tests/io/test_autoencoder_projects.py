"""Autoencoder nodes, their decoder buffers and phased history through save and load."""

from __future__ import annotations

import numpy as np

from nnsim.graph import Graph, sequential
from nnsim.project import Project

AE_PARAMS = {"units": 12, "tied": False, "code_activation": "sigmoid", "loss": "cross_entropy", "corruption": 0.3,
             "noise": "gaussian", "sparsity_target": 0.1, "sparsity_weight": 0.2, "init": "glorot_normal"}


def stacked_project() -> Project:
    graph = sequential([("Input", {}), ("Autoencoder", AE_PARAMS), ("Dense", {"units": 10, "activation": "softmax"})],
                       names=["in", "ae", "out"])
    return Project(graph, {"name": "digits", "params": {}},
                   {"loss": "cross_entropy", "epochs": 1, "batch_size": 50, "pretrain_epochs": 2,
                    "pretrain_learning_rate": 0.3, "pretrain_batch_size": 30})


def test_autoencoder_node_round_trips_through_the_graph_dict():
    data = stacked_project().graph.to_dict()
    node = next(n for n in data["nodes"] if n["type"] == "Autoencoder")
    assert node["params"] == AE_PARAMS
    assert Graph.from_dict(data).to_dict() == data


def test_defaults_fill_in_for_a_node_saved_with_only_its_units():
    graph = sequential([("Input", {}), ("Autoencoder", {"units": 5})], names=["in", "ae"])
    node = Graph.from_dict(graph.to_dict()).node_by_name("ae")
    assert node.params["tied"] is True and node.params["corruption"] == 0.0 and node.params["loss"] == "mse"


def test_a_pretrained_project_round_trips_encoder_decoder_buffers_and_history(tmp_path):
    project = stacked_project()
    trainer = project.trainer()
    trainer.run()
    project.capture(trainer)
    path = tmp_path / "sae.nnsim"
    project.save(path)
    loaded = Project.load(path)
    assert loaded.graph.to_dict() == project.graph.to_dict() and loaded.training == project.training
    assert set(loaded.weights) == {"ae/weight", "ae/bias", "ae/decoder_weight", "ae/decoder_bias", "out/weight",
                                   "out/bias"}
    for key, value in project.weights.items():
        np.testing.assert_array_equal(loaded.weights[key], value)
    assert loaded.history == project.history and len(loaded.history["pretrain/ae/train_loss"]) == 2
    resumed = loaded.trainer()
    assert resumed.phase.kind == "fine-tune"  # pretraining was done before saving
    model = resumed.phase_trainer("ae").model  # the decoder comes back from the file
    np.testing.assert_array_equal(model.decoder_weight, project.weights["ae/decoder_weight"])
    np.testing.assert_array_equal(model.decoder_bias, project.weights["ae/decoder_bias"])
