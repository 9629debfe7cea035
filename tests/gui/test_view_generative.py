"""The RBM and autoencoder view: reconstructions beside inputs, Gibbs samples, filters, error and free
energy per epoch, the node picker; and the curves view for graphs without labels or while pretraining."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.curves import CurvesView
from nnsim.gui.live.views.generative import NO_MODEL, GenerativeView, image_shape_for, node_history
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


class Selection:
    def __init__(self):
        self.name = None

    def __call__(self):
        return self.name


def _view(qtbot, cls, project, selection=None, size=(1500, 300)):
    view = cls(ViewContext(project=lambda: project, selected_node=selection or (lambda: None)))
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    return view


@pytest.fixture(scope="module")
def rbm():
    project = Project.example("rbm-digits")
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run(2)
    first = builder.build()
    trainer.run(3)
    return project, first, builder.build()


@pytest.fixture(scope="module")
def dbn():
    project = Project.example("dbn-digits")
    project.set_training({**project.training, "pretrain_epochs": 1, "epochs": 1})
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.step(max_epochs=1)  # the first pretraining phase (rbm1)
    during = builder.build()
    trainer.run()
    return project, during, builder.build()


def test_the_view_is_registered():
    assert GenerativeView in all_views()


def test_an_rbm_frame_draws_inputs_reconstructions_samples_and_filters(qtbot, rbm):
    project, _, frame = rbm
    assert list(frame.generative) == ["rbm"]
    view = _view(qtbot, GenerativeView, project)
    assert view.applies_to(frame)
    view.show_frame(frame)
    assert view.node == "rbm" and not view.stack.is_empty
    snap = frame.generative["rbm"]
    probe = snap.probe_inputs
    assert probe.shape == (16, 64)
    # 16 images of 8x8 in a 4x4 grid with 1-px separators; input i and its reconstruction share a place
    for key in ("inputs", "reconstructions", "samples"):
        assert view.mosaics[key].shape == (35, 35)
    np.testing.assert_allclose(view.mosaics["inputs"][:8, :8], probe[0].reshape(8, 8))
    np.testing.assert_allclose(view.mosaics["reconstructions"][9:17, :8],
                               np.clip(snap.reconstructions[4].reshape(8, 8), 0, 1), rtol=1e-6)
    assert set(np.unique(view.mosaics["inputs"][:8, :8])) <= {0.0, 1.0}  # the binarized digits
    assert 0.0 < view.mosaics["reconstructions"][:8, :8].std()  # probabilities, not a copy of the input
    # 64 filters of 8x8: an 8x8 grid
    assert view.mosaics["filters"].shape == (71, 71)
    np.testing.assert_allclose(view.mosaics["filters"][:8, :8], snap.filters[0], rtol=1e-6)
    # error and free energy of every epoch, train and test
    history = frame.history
    x, y = view.curves["test_loss"].getData()
    assert len(x) == 5 and np.allclose(y, history["test_loss"])
    assert view.side_mode == "energy"
    _, energy_test = view.energy_curves["test"].getData()
    assert np.allclose(energy_test, np.add(history["free_energy"], history["free_energy_gap"]))
    assert "reconstruction error" in view.caption.text()


def test_the_pictures_change_as_the_rbm_learns(qtbot, rbm):
    project, early, late = rbm
    view = _view(qtbot, GenerativeView, project)
    view.show_frame(early)
    before = {k: v.copy() for k, v in view.mosaics.items() if v is not None}
    view.show_frame(late)
    assert np.array_equal(before["inputs"], view.mosaics["inputs"])  # the same probe
    for key in ("reconstructions", "samples", "filters"):
        assert not np.allclose(before[key], view.mosaics[key]), key


def test_the_layout_is_one_row_in_a_short_dock_and_two_rows_in_a_tall_one(qtbot, rbm):
    project, _, frame = rbm
    view = _view(qtbot, GenerativeView, project, size=(1500, 300))
    view.show_frame(frame)
    assert view.one_row is True
    view.resize(800, 700)
    qtbot.waitUntil(lambda: view.one_row is False)


def test_a_dbn_lists_its_rbms_and_follows_the_phase_then_the_choice(qtbot, dbn):
    project, during, after = dbn
    assert list(during.generative) == ["rbm1"]  # rbm2's phase has not started
    assert during.phase.kind == "pretrain" and during.phase.node == "rbm1"
    selection = Selection()
    view = _view(qtbot, GenerativeView, project, selection)
    view.show_frame(during)
    assert view.node == "rbm1"
    view.show_frame(after)
    assert [view.node_box.itemData(i) for i in range(view.node_box.count())] == [None, "rbm1", "rbm2"]
    view.node_box.setCurrentIndex(2)
    assert view.node == "rbm2"
    # rbm2's visible units are rbm1's 128 hidden units: its filters are rows of 128
    assert after.generative["rbm2"].probe_inputs.shape[1] == 128
    selection.name = "rbm1"  # a canvas selection wins over the picker
    view.node_selected("rbm1")
    assert view.node == "rbm1"
    assert view.grids["samples"][0].isVisible()  # an RBM has Gibbs samples


def test_a_network_without_an_rbm_says_so(qtbot):
    project = Project.example("xor")
    trainer = project.trainer()
    trainer.run(1)
    frame = LiveFrameBuilder(trainer).build()
    view = _view(qtbot, GenerativeView, project)
    assert not view.applies_to(frame)
    view.show_frame(frame)
    assert view.stack.is_empty and view.stack.label.text() == NO_MODEL


def test_curves_show_reconstruction_error_without_a_metric_plot_for_an_rbm(qtbot, rbm):
    project, _, frame = rbm
    view = _view(qtbot, CurvesView, project, size=(700, 500))
    view.show_frame(frame)
    assert not view.stack.is_empty
    assert not view.metric_plot.isVisible()
    assert view.loss_plot.getPlotItem().getAxis("left").labelText == "reconstruction error"
    _, y = view.loss_curves["test"].getData()
    assert np.allclose(y, frame.history["test_loss"])


def test_curves_say_what_pretraining_is_doing(qtbot, dbn):
    project, during, after = dbn
    view = _view(qtbot, CurvesView, project, size=(700, 500))
    view.show_frame(during)
    assert view.stack.is_empty and "Pretraining 'rbm1' (phase 1 of 3" in view.stack.label.text()
    view.show_frame(after)
    assert not view.stack.is_empty and view.metric_plot.isVisible()


def test_image_shapes_and_node_history():
    assert image_shape_for(np.zeros((3, 8, 8)), 64) == (8, 8)
    assert image_shape_for(None, 49) == (7, 7)
    assert image_shape_for(None, 10) == (1, 10)
    history = {"pretrain/a/train_loss": [1.0], "train_loss": [2.0], "test_accuracy": [0.5]}
    assert node_history(history, "a") == {"train_loss": [1.0]}
    assert node_history(history, "b") == {"train_loss": [2.0]}


def test_a_tiny_rbm_shows_exact_probabilities_beside_the_data(qtbot):
    from nnsim.engine import rbm_exact

    project = Project.example("rbm-bars")
    trainer = project.trainer()
    trainer.run(50)
    frame = LiveFrameBuilder(trainer).build()
    view = _view(qtbot, GenerativeView, project)
    view.show_frame(frame)
    assert view.side_mode == "exact"
    snap = frame.generative["rbm"]
    w = snap.weights
    patterns = snap.probe_inputs[view.exact.first]
    assert len(patterns) == 14  # the test set: each bars-and-stripes pattern once
    expected = np.exp(rbm_exact.log_probability(patterns, w["weight"], w["visible_bias"], w["hidden_bias"]))
    np.testing.assert_allclose(view.exact.p, expected, rtol=1e-6)
    np.testing.assert_allclose(view.exact.log_z, rbm_exact.log_partition(w["weight"], w["visible_bias"],
                                                                         w["hidden_bias"]))
    _, heights = view.data_marks.getData()
    np.testing.assert_allclose(heights, np.full(14, 1 / 14))  # every pattern is 1/14 of the training data
    assert f"exact log Z = {view.exact.log_z:.4g}" in view.caption.text()


def test_a_digits_rbm_is_too_big_for_exact_numbers(qtbot, rbm):
    project, _, frame = rbm
    view = _view(qtbot, GenerativeView, project)
    view.show_frame(frame)
    assert view.exact is None and view.side_mode == "energy"


def test_the_exact_view_spells_out_p_x_as_a_sum_of_p_x_h(qtbot):
    """Hovering a bar: the input, p(x), and the terms of p(x) = Σ_h p(x, h), each checked by brute force."""
    from nnsim.engine import rbm_exact
    from nnsim.gui.live.views.generative import exact_tooltip

    project = Project.example("rbm-bars")
    trainer = project.trainer()
    trainer.run(20)
    frame = LiveFrameBuilder(trainer).build()
    view = _view(qtbot, GenerativeView, project)
    view.show_frame(frame)
    exact = view.exact
    w = frame.generative["rbm"].weights
    W, b, d = (np.asarray(w[k], np.float64) for k in ("weight", "visible_bias", "hidden_bias"))
    log_z = rbm_exact.log_partition(W, b, d)
    for x, row in zip(exact.rows, exact.joint):  # p(x, h) = exp(xᵀWh + bᵀx + dᵀh - log Z), one h at a time
        for k in (0, 1, 77, 255):
            h = np.array([(k >> s) & 1 for s in range(7, -1, -1)], np.float64)
            assert row[k] == pytest.approx(np.exp(x @ W @ h + b @ x + d @ h - log_z), rel=1e-9)
    np.testing.assert_allclose(exact.joint.sum(axis=1), exact.p, rtol=1e-9)
    text = exact_tooltip(exact, 0)
    best = int(np.argmax(exact.joint[0]))
    assert text.startswith("x = " + "".join(str(int(v)) for v in exact.rows[0]))
    assert f"h = {best:08b}: p(x, h) = {exact.joint[0, best]:.4g}" in text
    assert f"p(x) = exp(-F(x))/Z = {exact.p[0]:.4g}" in text
    # the tooltip follows the mouse over the bars
    bar = view.side_plot.vb.mapViewToScene(pg.Point(1.0, float(exact.p[0]) / 2))
    view._hover_exact(bar)
    assert view.plots.toolTip() == text
    view._hover_exact(view.side_plot.vb.mapViewToScene(pg.Point(1.5, 0.0)))
    assert view.plots.toolTip() == ""
