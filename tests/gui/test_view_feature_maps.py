"""The feature-maps view: one probe image, the chosen conv/pool layer's channels, its kernels."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.feature_maps import (FeatureMapsView, grid_columns, normalize_each, separator_levels,
                                               tile)
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


def _frame(name: str, epochs: int = 1):
    project = Project.example(name)
    trainer = project.trainer()
    trainer.run(epochs)
    return project, LiveFrameBuilder(trainer).build()


@pytest.fixture(scope="module")
def shapes():
    return _frame("shapes-cnn")


@pytest.fixture(scope="module")
def digits():
    return _frame("digits-cnn")


class Selection:
    def __init__(self):
        self.name = None

    def __call__(self):
        return self.name


def _view(qtbot, project, selection=None):
    view = FeatureMapsView(ViewContext(project=lambda: project, selected_node=selection or (lambda: None)))
    qtbot.addWidget(view)
    view.resize(900, 380)
    view.show()
    return view


def _untile(mosaic: np.ndarray, n: int, h: int, w: int, cols: int) -> np.ndarray:
    """Cut the tiles back out of a mosaic (inverse of ``tile``)."""
    return np.stack([mosaic[(k // cols) * (h + 1):(k // cols) * (h + 1) + h,
                            (k % cols) * (w + 1):(k % cols) * (w + 1) + w] for k in range(n)])


def test_registered():
    assert FeatureMapsView in all_views()
    assert (FeatureMapsView.title, FeatureMapsView.key) == ("Feature maps", "feature_maps")


def test_tiling_helpers():
    maps = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    mosaic = tile(maps, 3, -9.0)
    assert mosaic.shape == (2 * 3 - 1, 3 * 4 - 1) and mosaic.flags.c_contiguous and mosaic.dtype == np.float32
    assert np.array_equal(_untile(mosaic, 5, 2, 3, 3), maps)
    assert mosaic[2, 0] == -9.0 and mosaic[0, 3] == -9.0  # separators
    assert [grid_columns(n) for n in (1, 8, 16, 32, 10)] == [1, 4, 4, 8, 5]
    # lo..hi land on colour-table entries 1..255, the middle on 128 (white of a diverging map), fill on 0
    (low, high), fill = separator_levels(-2.0, 2.0)
    entry = lambda v: int(np.clip(np.trunc((v - low) * 256 / (high - low)), 0, 255))  # pyqtgraph's rule
    assert (entry(-2.0), entry(0.0), entry(2.0), entry(fill)) == (1, 128, 255, 0)


def test_empty_state_then_maps_equal_the_activations(qtbot, shapes):
    project, frame = shapes
    view = _view(qtbot, project)
    assert view.stack.is_empty and view.mosaic is None
    view.levels_box.setCurrentIndex(view.levels_box.findData("shared"))
    view.show_frame(frame)
    assert not view.stack.is_empty
    assert view.node == "conv1"  # nothing selected: the first Conv2D
    acts = frame.snapshot.activations["conv1"][0]
    c, h, w = acts.shape
    assert np.array_equal(_untile(view.mosaic, c, h, w, grid_columns(c)), acts)
    assert view.map_item.image is view.mosaic or np.array_equal(view.map_item.image, view.mosaic)
    # the input image is the probe sample, with its label
    image = frame.snapshot.probe_inputs[0].reshape(project.load_dataset().input_shape)
    assert np.array_equal(view.input_image, image[0])
    assert "label <b>" in view.sample_label.text()
    # kernels: (16, 1, 3, 3) laid out like the maps
    weight = frame.snapshot.weights["conv1/weight"]
    assert np.array_equal(_untile(view.kernel_mosaic, 16, 3, 3, grid_columns(16)), weight[:, 0])


def test_own_levels_normalize_each_map(qtbot, shapes):
    project, frame = shapes
    view = _view(qtbot, project)
    view.levels_box.setCurrentIndex(view.levels_box.findData("own"))
    view.show_frame(frame)
    acts = frame.snapshot.activations["conv1"][0]
    tiles = _untile(view.mosaic, *acts.shape, grid_columns(len(acts)))
    assert np.allclose(tiles, normalize_each(acts))
    assert tiles.min() >= 0 and tiles.max() <= 1
    assert "own" in view.levels_box.currentText()


def test_sample_picker_changes_the_image(qtbot, shapes):
    project, frame = shapes
    view = _view(qtbot, project)
    view.levels_box.setCurrentIndex(view.levels_box.findData("shared"))
    view.show_frame(frame)
    assert view.sample_box.maximum() == len(frame.snapshot.probe_inputs) - 1
    before_maps, before_input = view.mosaic.copy(), view.input_image.copy()
    view.sample_box.setValue(5)
    acts = frame.snapshot.activations["conv1"][5]
    assert not np.array_equal(view.mosaic, before_maps) and not np.array_equal(view.input_image, before_input)
    assert np.array_equal(_untile(view.mosaic, *acts.shape, grid_columns(len(acts))), acts)


def test_follows_the_canvas_selection(qtbot, shapes):
    project, frame = shapes
    selection = Selection()
    view = _view(qtbot, project, selection)
    view.levels_box.setCurrentIndex(view.levels_box.findData("shared"))
    view.show_frame(frame)
    selection.name = "conv2"
    view.node_selected("conv2")
    assert view.node == "conv2"
    acts = frame.snapshot.activations["conv2"][0]
    assert np.array_equal(_untile(view.mosaic, *acts.shape, grid_columns(len(acts))), acts)
    weight = frame.snapshot.weights["conv2/weight"]  # (32, 16, 3, 3): column = filter, row = input channel
    tiles = _untile(view.kernel_mosaic, 32 * 16, 3, 3, 32).reshape(16, 32, 3, 3)
    assert np.array_equal(tiles, weight.transpose(1, 0, 2, 3))
    selection.name = "pool1"  # pooling: maps, no kernels
    view.node_selected("pool1")
    assert view.node == "pool1" and view.kernel_mosaic is None and not view.kernel_plot.isVisible()
    selection.name = "output"  # not an image layer: back to the first Conv2D
    view.node_selected("output")
    assert view.node == "conv1" and view.kernel_mosaic is not None


def test_applies_only_to_conv_networks(qtbot, shapes):
    project, frame = shapes
    assert _view(qtbot, project).applies_to(frame)
    xor = Project.example("digits-mlp")  # images, but no Conv2D
    trainer = xor.trainer()
    mlp_frame = LiveFrameBuilder(trainer).build(neuron_maps=False)
    assert not _view(qtbot, xor).applies_to(mlp_frame)


def test_reset_shows_the_empty_state(qtbot, shapes):
    project, frame = shapes
    view = _view(qtbot, project)
    view.show_frame(frame)
    view.reset()
    assert view.stack.is_empty and view.mosaic is None and view.frame is None


def test_redraw_is_fast(qtbot, shapes, digits):
    for project, frame in (shapes, digits):
        selection = Selection()
        view = _view(qtbot, project, selection)
        view.show_frame(frame)
        for node in ("conv2", None):
            selection.name = node
            view.node_selected(node)
            times = []
            for k in range(20):
                view.sample_box.setValue(k % 4)
                start = time.perf_counter()
                view.show_frame(frame)
                qtbot.wait(0)
                times.append(time.perf_counter() - start)
            assert max(times) < 0.2, times
