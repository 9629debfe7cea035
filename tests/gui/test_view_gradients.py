"""GradientsView: per-layer gradient norms over time, vanishing/exploding warnings, a histogram."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.gradients import MAX_POINTS, GradientsView, _Track
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


@pytest.fixture(scope="module")
def spiral():
    project = Project.example("spiral")
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run(2)
    first = builder.build()
    trainer.run(1)
    second = builder.build()
    return project, first, second


@pytest.fixture
def selection():
    return {"node": None}


@pytest.fixture
def view(qtbot, spiral, selection):
    project = spiral[0]
    v = GradientsView(ViewContext(project=lambda: project, selected_node=lambda: selection["node"]))
    qtbot.addWidget(v)
    v.resize(500, 420)
    v.show()
    return v


def with_norms(frame, norms, step=None):
    snap = dataclasses.replace(frame.snapshot, grad_norms=norms,
                               step=frame.snapshot.step if step is None else step)
    return dataclasses.replace(frame, snapshot=snap)


def norms_of(view, node):
    track = view.tracks[node]
    return track.x[:track.n], track.y[:track.n]


def test_registered_and_empty_state(view):
    assert GradientsView in all_views()
    assert GradientsView.key == "gradients" and GradientsView.title == "Gradients"
    assert view.stack.is_empty and "Press Play" in view.stack.label.text()
    assert view.banner.isHidden()


def test_norms_accumulate_per_layer(view, spiral):
    _, first, second = spiral
    view.show_frame(first)
    assert not view.stack.is_empty
    assert list(view.curves) == ["hidden1", "hidden2", "output"]
    x, y = norms_of(view, "hidden1")
    assert list(x) == [first.snapshot.step] and y[-1] == pytest.approx(first.snapshot.grad_norms["hidden1"])
    view.show_frame(first)  # the same moment again adds nothing
    assert view.tracks["hidden1"].n == 1
    view.show_frame(second)
    x, y = norms_of(view, "output")
    assert list(x) == [first.snapshot.step, second.snapshot.step]
    assert y[-1] == pytest.approx(second.snapshot.grad_norms["output"])
    cx, cy = view.curves["output"].getOriginalDataset()
    assert list(cy) == pytest.approx(list(y))
    assert view.norm_plot.getPlotItem().ctrl.logYCheck.isChecked()  # log scale
    assert view.banner.isHidden()  # healthy spiral gradients


def test_reset_clears(view, spiral):
    view.show_frame(spiral[1])
    view.reset()
    assert view.stack.is_empty and not view.tracks and not view.curves
    view.show_frame(spiral[2])
    assert view.tracks["hidden1"].n == 1


def test_a_new_run_starts_new_curves(view, spiral):
    _, first, second = spiral
    view.show_frame(second)
    view.show_frame(first)  # fewer updates than before: a new run
    assert view.tracks["hidden1"].n == 1


def test_history_is_bounded():
    track = _Track()
    for i in range(MAX_POINTS):
        track.append(i, 1.0 + i)
    assert track.n == MAX_POINTS
    track.append(MAX_POINTS, 0.5)
    assert track.n == MAX_POINTS // 2 + 1
    assert track.x[0] == 0 and track.x[1] == 2 and track.x[track.n - 1] == MAX_POINTS
    assert np.all(np.diff(track.x[:track.n]) > 0)


def test_vanishing_and_exploding_warnings(view, spiral):
    _, first, _ = spiral
    norms = dict(first.snapshot.grad_norms)
    view.show_frame(with_norms(first, {**norms, "hidden1": 1e-9}))
    assert not view.banner.isHidden()
    assert "Vanishing gradients in 'hidden1'" in view.banner.text()
    view.show_frame(with_norms(first, {**norms, "hidden2": 5e3}, step=first.snapshot.step + 1))
    assert "Exploding gradients in 'hidden2'" in view.banner.text()
    assert "Vanishing" not in view.banner.text()
    view.show_frame(with_norms(first, {**norms, "output": math.nan}, step=first.snapshot.step + 2))
    assert "Exploding gradients in 'output'" in view.banner.text() and "NaN" in view.banner.text()
    view.show_frame(with_norms(first, norms, step=first.snapshot.step + 3))
    assert view.banner.isHidden()
    # NaN and tiny values do not break the log plot: NaN leaves a gap
    _, y = view.curves["output"].getOriginalDataset()
    assert np.isnan(y[2]) and np.isfinite(y[3])


def test_histogram_of_the_selected_layer(view, spiral, selection):
    _, first, _ = spiral
    view.show_frame(first)
    grads = first.snapshot.gradients
    size = lambda node: sum(g.size for k, g in grads.items() if k.startswith(node + "/"))  # noqa: E731
    # nothing selected: the first layer with weights
    edges, counts = view.hist.xData, view.hist.yData
    assert len(edges) == len(counts) + 1 and counts.sum() == size("hidden1")
    assert "'hidden1'" in view.hist_plot.getPlotItem().titleLabel.text
    selection["node"] = "output"
    view.node_selected("output")
    assert view.hist.yData.sum() == size("output")
    assert "'output'" in view.hist_plot.getPlotItem().titleLabel.text
    values = np.concatenate([np.ravel(g) for k, g in grads.items() if k.startswith("output/")])
    assert view.hist.xData[0] == pytest.approx(values.min()) and view.hist.xData[-1] == pytest.approx(values.max())
    selection["node"] = "input"  # a node without weights: back to the first layer with weights
    view.node_selected("input")
    assert view.hist.yData.sum() == size("hidden1")


def test_export_menu_is_enabled(view):
    assert view.norm_plot.getPlotItem().menuEnabled() and view.hist_plot.getPlotItem().menuEnabled()


def test_redraw_is_fast(view, spiral):
    _, first, _ = spiral
    for i in range(MAX_POINTS):  # a full history on every layer
        view._accumulate(with_norms(first, first.snapshot.grad_norms, step=i + 1))
    view.show_frame(with_norms(first, first.snapshot.grad_norms, step=MAX_POINTS + 1))
    start = time.perf_counter()
    for _ in range(10):
        view.redraw()
    per_frame = (time.perf_counter() - start) / 10
    assert per_frame < 0.2, f"redraw took {per_frame * 1000:.1f} ms"
