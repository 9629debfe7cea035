"""The RBM and autoencoder view on autoencoders: reconstructions beside inputs, filters, the error
curve, corrupted inputs when denoising, the 2-D code scatter coloured by class, the node picker."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.graph import sequential
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.generative import GenerativeView
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


def _view(qtbot, project, size=(1500, 300)):
    view = GenerativeView(ViewContext(project=lambda: project, selected_node=lambda: None))
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    return view


def _trained_frame(project: Project, epochs: int):
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run(epochs)
    return builder.build()


def _lone(params: dict) -> Project:
    graph = sequential([("Input", {}), ("Autoencoder", params)], names=["input", "ae"])
    return Project(graph, {"name": "digits", "params": {}},
                   {"learning_rate": 0.5, "momentum": 0.9, "batch_size": 20, "epochs": 3})


@pytest.fixture(scope="module")
def coder():
    project = Project.example("autoencoder-digits")
    return project, _trained_frame(project, 3)


def test_an_autoencoder_frame_draws_inputs_reconstructions_filters_and_its_error(qtbot, coder):
    project, frame = coder
    assert list(frame.generative) == ["autoencoder"]
    view = _view(qtbot, project)
    view.show_frame(frame)
    assert view.node == "autoencoder" and not view.stack.is_empty
    snap = frame.generative["autoencoder"]
    assert view.mosaics["inputs"].shape == view.mosaics["reconstructions"].shape == (35, 35)
    np.testing.assert_allclose(view.mosaics["inputs"][:8, :8], snap.probe_inputs[0].reshape(8, 8))
    np.testing.assert_allclose(view.mosaics["reconstructions"][9:17, :8], snap.reconstructions[4].reshape(8, 8),
                               rtol=1e-6)
    assert view.mosaics["samples"] is None and not view.grids["samples"][0].isVisible()  # no corruption
    assert view.mosaics["filters"].shape == (35, 71)  # 32 filters of 8x8: 4 rows of 8, 1-px separators
    np.testing.assert_allclose(view.mosaics["filters"][:8, :8], snap.filters[0], rtol=1e-6)
    _, y = view.curves["test_loss"].getData()
    assert np.allclose(y, frame.history["test_loss"]) and len(y) == 3
    assert "Autoencoder 'autoencoder'" in view.caption.text() and "reconstruction error" in view.caption.text()


def test_a_denoising_autoencoder_shows_the_corrupted_inputs(qtbot):
    project = _lone({"units": 16, "corruption": 0.3})
    frame = _trained_frame(project, 2)
    view = _view(qtbot, project)
    view.show_frame(frame)
    snap = frame.generative["ae"]
    assert view.grids["samples"][0].isVisible()
    np.testing.assert_allclose(view.mosaics["samples"][:8, :8], snap.corrupted_inputs[0].reshape(8, 8))
    assert np.count_nonzero(snap.corrupted_inputs == 0) > np.count_nonzero(snap.probe_inputs == 0)
    assert "Corrupted inputs" in view.grids["samples"][0].titleLabel.text
    assert "denoising" in view.caption.text()


def test_a_two_unit_code_is_a_scatter_coloured_by_class(qtbot):
    project = _lone({"units": 2, "tied": True})
    frame = _trained_frame(project, 3)
    view = _view(qtbot, project)
    view.show_frame(frame)
    snap = frame.generative["ae"]
    assert view.side_mode == "codes" and view.side_plot.isVisible()
    x, y = view.code_scatter.getData()
    np.testing.assert_allclose(x, snap.codes[:, 0], rtol=1e-6)
    np.testing.assert_allclose(y, snap.codes[:, 1], rtol=1e-6)
    assert len(x) == len(project.load_dataset().x_test)
    brushes = {b.color().name() for b in view.code_scatter.data["brush"]}
    assert len(brushes) == 10  # one colour per digit


def test_stacked_autoencoders_are_listed_in_the_picker(qtbot):
    project = Project.example("stacked-autoencoder-digits")
    project.set_training({**project.training, "pretrain_epochs": 1, "epochs": 1})
    frame = _trained_frame(project, None)
    view = _view(qtbot, project)
    view.show_frame(frame)
    assert [view.node_box.itemData(i) for i in range(view.node_box.count())] == [None, "ae1", "ae2"]
    view.node_box.setCurrentIndex(2)
    assert view.node == "ae2"
    assert frame.generative["ae2"].probe_inputs.shape[1] == 64  # ae2 codes ae1's 64 code units
