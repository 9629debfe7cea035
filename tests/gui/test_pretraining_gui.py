"""RBM nodes in the window: dropped, connected, edited, trained through the worker in phases."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from nnsim.graph import sequential
from nnsim.graph.commands import SetParam
from nnsim.project import Project
from tests.gui.windows import open_window


def short(name: str, **training) -> Project:
    project = Project.example(name)
    project.set_training({**project.training, **training})
    return project


def test_a_dbn_pretrains_then_fine_tunes_through_the_worker_with_every_view_open(qtbot):
    window = open_window(qtbot, short("dbn-digits", pretrain_epochs=2, epochs=2))
    window.tile_views(True)
    c = window.controller
    phases = []
    c.progress.connect(lambda info: phases.append(info["phase"].kind))
    c.play()
    qtbot.waitUntil(lambda: c.state == "finished", timeout=120_000)
    history = window.document.project.history
    assert len(history["pretrain/rbm1/train_loss"]) == 2 and len(history["pretrain/rbm2/train_loss"]) == 2
    assert len(history["train_loss"]) == 2
    assert "rbm1/visible_bias" in window.document.project.weights
    assert phases[0] == "pretrain" and phases[-1] == "fine-tune"
    assert "phase 3/3: fine-tuning" in window.controls.counters.text()
    assert c.latest.predictions is not None  # fine-tuned on labels: the confusion view applies


def test_an_rbm_project_trains_without_labels_and_shows_no_predictions(qtbot):
    window = open_window(qtbot, short("rbm-digits", epochs=3))
    window.tile_views(True)
    c = window.controller
    c.play()
    qtbot.waitUntil(lambda: c.state == "finished", timeout=120_000)
    history = window.document.project.history
    assert len(history["test_loss"]) == 3 and history["test_loss"][-1] < history["test_loss"][0]
    assert c.latest.predictions is None and c.latest.boundary is None
    assert set(c.latest.snapshot.activations) == {"input", "rbm"}
    shown = {key for key, view in window.views.items() if view.applies_to(c.latest)}
    assert not shown & {"confusion", "gallery", "boundary", "gradients"} and {"curves", "weights"} <= shown


@pytest.mark.parametrize("kind", ["RBM", "Autoencoder"])
def test_an_unsupervised_node_is_dropped_connected_edited_and_trains_a_step(qtbot, kind):
    graph = sequential([("Input", {})], names=["input"])
    window = open_window(qtbot, Project(graph, {"name": "digits", "params": {}}, {"epochs": 5}))
    scene = window.scene
    rbm_id = scene.handle_drop(kind, QPointF(300, 0))
    input_item = next(i for i in scene.nodes.values() if i.node.type == "Input")
    assert scene.connect_ports(input_item.output_port, scene.nodes[rbm_id].input_port)
    assert window.document.push(SetParam(window.document.graph, rbm_id, "units", 16)) is None
    assert scene.nodes[rbm_id].shape_text == "→ 16"
    c = window.controller
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.latest is not None and c.latest.snapshot.step == 1,
                    timeout=60_000)
    name = window.document.graph.node(rbm_id).name
    assert c.latest.snapshot.weights[f"{name}/weight"].shape == (16, 64)
    assert c.latest.snapshot.metrics == {}  # one update: no epoch has ended yet
    assert name in c.latest.generative  # its own view's snapshot comes with the frame


def test_a_dbn_without_pretraining_fine_tunes_straight_away(qtbot):
    window = open_window(qtbot, short("dbn-digits", pretrain_epochs=0, epochs=1))
    c = window.controller
    c.play()
    qtbot.waitUntil(lambda: c.state == "finished", timeout=120_000)
    assert not any(k.startswith("pretrain/") and v for k, v in window.document.project.history.items())
