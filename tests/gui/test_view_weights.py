"""WeightsView: the selected layer's weights as a heatmap / Hinton diagram and their histogram over time."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.weights import HINTON_MAX, HistogramHistory, WeightsView, display_matrix
from nnsim.project import Project
from nnsim.training.live import LiveFrame, LiveFrameBuilder
from nnsim.training.snapshot import Snapshot


@pytest.fixture(scope="module")
def spiral():
    project = Project.example("spiral")
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    frames = []
    for _ in range(3):
        trainer.run(1)
        frames.append(builder.build(boundary=False, neuron_maps=False))
    return project, frames


def fake_frame(weights: dict[str, np.ndarray]) -> LiveFrame:
    return LiveFrame(Snapshot(1, 1, {}, weights=weights), {}, 0.0)


@pytest.fixture
def make_view(qtbot, spiral):
    def make(selected=None):
        sel = {"node": selected}
        view = WeightsView(ViewContext(lambda: spiral[0], lambda: sel["node"]))
        view.selection = sel
        qtbot.addWidget(view)
        view.resize(480, 480)
        return view
    return make


def test_empty_state_before_a_frame(make_view):
    view = make_view()
    assert view.stack.is_empty
    assert "training starts" in view.stack.label.text()


def test_heatmap_shows_first_weight_matrix_when_nothing_is_selected(make_view, spiral):
    view = make_view()
    frame = spiral[1][-1]
    view.show_frame(frame)
    assert not view.stack.is_empty
    assert view.shown_key == "hidden1/weight"
    np.testing.assert_array_equal(view.image.image, frame.snapshot.weights["hidden1/weight"])
    low, high = view.image.getLevels()
    biggest = np.abs(frame.snapshot.weights["hidden1/weight"]).max()
    assert low == -high and biggest <= high <= 1.25 * biggest  # centred at 0, a round bound just above |w|


def test_selection_changes_the_node_shown(make_view, spiral):
    view = make_view()
    frame = spiral[1][-1]
    view.show_frame(frame)
    view.selection["node"] = "hidden2"
    view.node_selected("hidden2")
    assert view.shown_key == "hidden2/weight"
    np.testing.assert_array_equal(view.image.image, frame.snapshot.weights["hidden2/weight"])
    view.selection["node"] = "input"  # no weights: falls back and says so
    view.node_selected("input")
    assert view.shown_key == "hidden1/weight"
    assert "'input' has no weights" in view.caption.text()


def test_conv_kernels_are_tiled_filters_by_channels():
    w = np.arange(3 * 2 * 2 * 2, dtype=np.float32).reshape(3, 2, 2, 2)
    m = display_matrix(w)
    assert m.shape == (3 * 3 - 1, 2 * 3 - 1)
    np.testing.assert_array_equal(m[3:5, 3:5], w[1, 1])  # filter 1, channel 1
    assert np.isnan(m[2]).all() and np.isnan(m[:, 2]).all()  # gaps between tiles


def test_single_channel_kernels_wrap_into_a_square_grid(make_view):
    w = np.random.default_rng(0).normal(size=(16, 1, 3, 3)).astype(np.float32)
    view = make_view()
    view.show_frame(fake_frame({"conv/weight": w, "conv/bias": np.zeros(16, np.float32)}))
    assert view.image.image.shape == (4 * 4 - 1, 4 * 4 - 1)
    np.testing.assert_array_equal(view.image.image[4:7, 0:3], w[4, 0])


def test_hinton_toggle_draws_squares_for_small_matrices(make_view, spiral):
    view = make_view("hidden2")
    frame = spiral[1][-1]
    view.show_frame(frame)
    assert view.hinton_box.isEnabled()
    view.hinton_box.setChecked(True)
    w = frame.snapshot.weights["hidden2/weight"]
    assert not view.image.isVisible() and view.hinton_pos.isVisible()
    assert len(view.hinton_pos.data) == (w > 0).sum() and len(view.hinton_neg.data) == (w < 0).sum()
    sizes = np.concatenate([view.hinton_pos.data["size"], view.hinton_neg.data["size"]])
    assert sizes.max() == pytest.approx(0.95)  # the largest |w| fills (almost) its cell
    view.hinton_box.setChecked(False)
    assert view.image.isVisible() and not view.hinton_pos.isVisible()


def test_hinton_is_disabled_for_big_matrices_with_a_reason(make_view):
    view = make_view()
    big = np.ones((HINTON_MAX + 1, 8), dtype=np.float32)
    view.show_frame(fake_frame({"dense/weight": big}))
    assert not view.hinton_box.isEnabled()
    assert f"{HINTON_MAX}x{HINTON_MAX}" in view.hinton_box.toolTip()


def test_histogram_history_grows_per_frame_and_reset_clears_it(make_view, spiral):
    view = make_view()
    for i, frame in enumerate(spiral[1], start=1):
        view.show_frame(frame)
        assert len(view.histories["hidden1/weight"]) == i
        assert view.hist_image.image.shape[1] == i  # one column per frame
    view.node_selected(None)  # a redraw without a new frame adds nothing
    assert len(view.histories["hidden1/weight"]) == 3
    view.reset()
    assert view.histories == {} and view.stack.is_empty


def test_histogram_bins_grow_to_cover_new_values_without_losing_counts():
    history = HistogramHistory()
    history.add(np.linspace(-1, 1, 100))
    width = history.width
    history.add(np.linspace(-5, 5, 100))
    lo, hi = history.value_range
    assert lo <= -5 and hi >= 5
    image = history.image()
    np.testing.assert_allclose(image.sum(axis=0), [1.0, 1.0], rtol=1e-6)  # both columns still sum to 1
    assert history.width in (width, 2 * width, 4 * width)  # fixed width, or exactly merged pairs


def test_redraw_is_fast(make_view, spiral):
    view = make_view("hidden2")
    view.show()
    times = []
    for frame in spiral[1] * 5:
        start = time.perf_counter()
        view.show_frame(replace(frame))  # a new frame object each time, as during training
        view.grab()  # include painting (grab renders the whole widget: an upper bound)
        times.append(time.perf_counter() - start)
    print(f"weights redraw + paint: median {np.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms")
    assert max(times) < 0.2
