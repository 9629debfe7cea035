"""ActivationsView: the probe batch through one layer, and a per-layer overview that shows saturation."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from nnsim.graph.builders import sequential
from nnsim.gui.live.views.activations import ActivationsView, dead_or_saturated, layer_activation
from nnsim.gui.live.views.base import ViewContext
from nnsim.project import Project
from nnsim.training.live import LiveFrame, LiveFrameBuilder
from nnsim.training.snapshot import Snapshot


@pytest.fixture(scope="module")
def spiral():
    project = Project.example("spiral")
    trainer = project.trainer()
    trainer.run(1)
    return project, LiveFrameBuilder(trainer).build(boundary=False, neuron_maps=False)


@pytest.fixture
def make_view(qtbot, spiral):
    def make(selected=None, project=None):
        sel = {"node": selected}
        view = ActivationsView(ViewContext(lambda: project or spiral[0], lambda: sel["node"]))
        view.selection = sel
        qtbot.addWidget(view)
        view.resize(480, 480)
        return view
    return make


def fake_frame(acts: dict[str, np.ndarray]) -> LiveFrame:
    return LiveFrame(Snapshot(1, 1, {}, activations=acts), {}, 0.0)


def test_empty_state_before_a_frame(make_view):
    view = make_view()
    assert view.stack.is_empty
    assert "training starts" in view.stack.label.text()


def test_heatmap_is_probe_samples_by_units_of_the_first_hidden_layer(make_view, spiral):
    view = make_view()
    frame = spiral[1]
    view.show_frame(frame)
    assert view.shown_node == "hidden1"
    np.testing.assert_array_equal(view.image.image, frame.snapshot.activations["hidden1"])
    assert view.image.getLevels() == pytest.approx((-1.0, 1.0))  # tanh: its fixed range


def test_selection_changes_the_layer_shown(make_view, spiral):
    view = make_view()
    view.show_frame(spiral[1])
    view.selection["node"] = "output"
    view.node_selected("output")
    assert view.shown_node == "output"
    np.testing.assert_array_equal(view.image.image, spiral[1].snapshot.activations["output"])
    assert view.image.getLevels() == pytest.approx((0.0, 1.0))  # sigmoid


def test_images_are_flattened_per_sample(make_view):
    acts = {"conv": np.random.default_rng(0).random((4, 3, 5, 5)).astype(np.float32)}
    view = make_view("conv")
    view.show_frame(fake_frame(acts))
    assert view.image.image.shape == (4, 75)
    np.testing.assert_array_equal(view.image.image, acts["conv"].reshape(4, -1))


def test_layer_bars_show_mean_abs_activation_per_layer(make_view, spiral):
    view = make_view("hidden2")
    view.show_frame(spiral[1])
    acts = spiral[1].snapshot.activations
    assert view.layer_names == list(acts)
    np.testing.assert_allclose(view.layer_values, [np.abs(a).mean() for a in acts.values()], rtol=1e-5)
    brushes = view.bars.opts["brushes"]
    assert brushes[view.layer_names.index("hidden2")] != brushes[0]  # the shown layer stands out


def test_dead_relus_and_saturated_units_are_counted():
    a = np.array([[1.0, -1.0, 0.0, 2.0], [0.5, -2.0, -1.0, 0.0]], dtype=np.float32)
    assert dead_or_saturated(a, "relu") == pytest.approx(0.5)  # units 1 and 2 never fire
    s = np.array([[0.999, 0.5], [0.001, 0.4]], dtype=np.float32)
    assert dead_or_saturated(s, "sigmoid") == pytest.approx(0.5)
    conv = np.zeros((2, 3, 4, 4), dtype=np.float32)
    conv[:, 0, 1, 1] = 1.0  # only channel 0 fires somewhere
    assert dead_or_saturated(conv, "relu") == pytest.approx(2 / 3)  # a conv unit is a channel


def test_dead_metric_for_a_relu_network(make_view):
    project = Project(sequential([("Input", {}), ("Dense", {"units": 4, "activation": "relu"}),
                                  ("Dense", {"units": 1, "activation": "sigmoid"})]))
    names = [n.name for n in project.graph]
    assert layer_activation(project, names[1]) == "relu"
    acts = {names[0]: np.ones((3, 2), np.float32),
            names[1]: np.array([[0, 1, 0, 2], [0, 3, 0, 0], [0, 1, 0, 0]], np.float32),
            names[2]: np.full((3, 1), 0.5, np.float32)}
    view = make_view(project=project)
    view.metric_combo.setCurrentIndex(1)
    view.show_frame(fake_frame(acts))
    np.testing.assert_allclose(view.layer_values, [0.0, 50.0, 0.0])
    assert "50% dead" in view.caption.text()


def test_redraw_is_fast(make_view, spiral):
    view = make_view("hidden2")
    view.show()
    times = []
    for _ in range(15):
        start = time.perf_counter()
        view.show_frame(replace(spiral[1]))
        view.grab()  # include painting (an upper bound)
        times.append(time.perf_counter() - start)
    print(f"activations redraw + paint: median {np.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms")
    assert max(times) < 0.2
