"""RBM nodes, pretraining settings and phased history through save and load."""

from __future__ import annotations

import json
import zipfile

import numpy as np

from nnsim.graph import Graph, sequential
from nnsim.project import EXAMPLES_DIR, Project
from nnsim.training.settings import PRETRAINING_PARAMS


def dbn_project() -> Project:
    graph = sequential([("Input", {}), ("RBM", {"units": 12, "k": 3, "persistent": True, "init": "glorot_normal"}),
                        ("Dense", {"units": 10, "activation": "softmax"})], names=["in", "rbm", "out"])
    return Project(graph, {"name": "digits", "params": {"binarize": True}},
                   {"loss": "cross_entropy", "epochs": 1, "batch_size": 50, "pretrain_epochs": 2,
                    "pretrain_learning_rate": 0.02, "pretrain_momentum": 0.5, "pretrain_weight_decay": 0.001,
                    "pretrain_batch_size": 30})


def test_rbm_node_round_trips_through_the_graph_dict():
    graph = dbn_project().graph
    data = graph.to_dict()
    node = next(n for n in data["nodes"] if n["type"] == "RBM")
    assert node["params"] == {"units": 12, "k": 3, "persistent": True, "init": "glorot_normal"}
    assert Graph.from_dict(data).to_dict() == data


def test_a_pretrained_project_round_trips_weights_settings_and_phased_history(tmp_path):
    project = dbn_project()
    trainer = project.trainer()
    trainer.run()
    project.capture(trainer)
    path = tmp_path / "dbn.nnsim"
    project.save(path)
    loaded = Project.load(path)
    assert loaded.training == project.training and loaded.dataset == project.dataset
    assert loaded.graph.to_dict() == project.graph.to_dict()
    assert set(loaded.weights) == {"rbm/weight", "rbm/bias", "rbm/visible_bias", "out/weight", "out/bias"}
    for key, value in project.weights.items():
        np.testing.assert_array_equal(loaded.weights[key], value)
    assert loaded.history == project.history and len(loaded.history["pretrain/rbm/train_loss"]) == 2
    resumed = loaded.trainer()
    np.testing.assert_array_equal(resumed.net.weight_view("rbm/visible_bias"), project.weights["rbm/visible_bias"])
    assert resumed.phase.kind == "fine-tune"  # pretraining was done before saving


def test_files_without_the_pretraining_settings_open_with_their_defaults():
    raw = zipfile.ZipFile(EXAMPLES_DIR / "digits-mlp.nnsim").read("project.json")
    assert not any(p.name in json.loads(raw)["training"] for p in PRETRAINING_PARAMS)
    project = Project.example("digits-mlp")
    assert {p.name: project.training[p.name] for p in PRETRAINING_PARAMS} == {p.name: p.default
                                                                              for p in PRETRAINING_PARAMS}
    assert "binarize" not in json.loads(raw)["dataset"]["params"] and project.dataset["params"]["binarize"] is False
