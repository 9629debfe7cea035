"""BoundaryView: the network's output over the 2-D input plane with the train and test points on top."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from nnsim.graph.builders import sequential
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.boundary import MAX_POINTS, BoundaryView
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


def trained(project: Project, epochs: int = 1):
    trainer = project.trainer()
    trainer.run(epochs)
    return project, LiveFrameBuilder(trainer).build(neuron_maps=False)


@pytest.fixture(scope="module")
def spiral():
    return trained(Project.example("spiral"))


@pytest.fixture
def make_view(qtbot):
    def make(project):
        view = BoundaryView(ViewContext(lambda: project, lambda: None))
        qtbot.addWidget(view)
        view.resize(480, 480)
        return view
    return make


def test_empty_state_before_a_frame(make_view, spiral):
    view = make_view(spiral[0])
    assert view.stack.is_empty
    assert "training starts" in view.stack.label.text()


def test_applies_only_to_two_input_datasets(make_view, spiral):
    view = make_view(spiral[0])
    assert view.applies_to(spiral[1])
    project, digits = trained(Project.example("digits-mlp"), 0)
    assert digits.boundary is None and not view.applies_to(digits)


def test_background_is_the_probability_over_the_plane(make_view, spiral):
    project, frame = spiral
    view = make_view(project)
    view.show_frame(frame)
    assert not view.stack.is_empty
    np.testing.assert_array_equal(view.image.image, frame.boundary.values)
    assert tuple(view.image.getLevels()) == (0.0, 1.0)
    (x0, x1), (y0, y1) = view.plot.getPlotItem().getViewBox().viewRange()
    assert y0 == pytest.approx(-6.0) and y1 == pytest.approx(6.0)  # the plane, fixed
    rect = view.image.mapRectToParent(view.image.boundingRect())
    assert rect.center().x() == pytest.approx(0.0) and rect.width() == pytest.approx(12.0 * 64 / 63)


def test_train_and_test_points_come_from_the_dataset(make_view, spiral):
    project, frame = spiral
    view = make_view(project)
    view.show_frame(frame)
    data = project.load_dataset()
    x, y = view.train_points.getData()
    np.testing.assert_allclose(np.c_[x, y], data.points_train[:MAX_POINTS])
    x, y = view.test_points.getData()
    np.testing.assert_allclose(np.c_[x, y], data.points_test[:MAX_POINTS])
    brushes = {b.color().name() for b in view.train_points.data["brush"]}
    assert len(brushes) == 2  # coloured by class


def test_regression_surface_is_centred_on_the_target_mean(make_view):
    project, frame = trained(Project(sequential([("Input", {}), ("Dense", {"units": 6, "activation": "tanh"}),
                                                 ("Dense", {"units": 1, "activation": "identity"})]),
                                     {"name": "plane", "params": {}}, {"loss": "mse"}))
    view = make_view(project)
    view.show_frame(frame)
    assert frame.boundary.kind == "value"
    np.testing.assert_array_equal(view.image.image, frame.boundary.values)
    lo, hi = view.levels
    assert (lo + hi) / 2 == pytest.approx(float(project.load_dataset().y_train.mean()), abs=1e-6)
    assert view.bar.isVisible() and not view.legend.isVisible()  # a colour bar, no class legend


def test_multi_class_background_uses_class_levels(make_view):
    project, frame = trained(Project(sequential([("Input", {}), ("Dense", {"units": 8, "activation": "relu"}),
                                                 ("Dense", {"units": 4, "activation": "softmax"})]),
                                     {"name": "multi-gauss", "params": {}}, {"loss": "cross_entropy"}))
    view = make_view(project)
    view.show_frame(frame)
    assert frame.boundary.kind == "class"
    assert tuple(view.image.getLevels()) == (-0.5, 3.5)
    assert not view.bar.isVisible() and len(view.legend.items) == 4  # a class legend instead


def test_redraw_is_fast(make_view, spiral):
    view = make_view(spiral[0])
    view.show()
    times = []
    for _ in range(15):
        start = time.perf_counter()
        view.show_frame(replace(spiral[1]))
        view.grab()  # include painting (an upper bound)
        times.append(time.perf_counter() - start)
    print(f"boundary redraw + paint: median {np.median(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms")
    assert max(times) < 0.2
