"""CurvesView: loss and accuracy / RMSE per epoch from frame.history."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.curves import CurvesView
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


@pytest.fixture(scope="module")
def spiral():
    project = Project.example("spiral")
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run(3)
    first = builder.build(predictions=True)
    trainer.run(2)
    second = builder.build(predictions=True)
    return project, first, second


@pytest.fixture
def view(qtbot, spiral):
    project = spiral[0]
    v = CurvesView(ViewContext(project=lambda: project, selected_node=lambda: None))
    qtbot.addWidget(v)
    v.resize(500, 420)
    v.show()
    return v


def ydata(curve):
    y = curve.getOriginalDataset()[1]
    return [] if y is None else y


def test_registered_and_empty_state(view):
    assert CurvesView in all_views()
    assert CurvesView.key == "curves" and CurvesView.title == "Loss and accuracy"
    assert view.stack.is_empty
    assert "Press Play" in view.stack.label.text()


def test_curves_follow_the_history(view, spiral):
    _, first, second = spiral
    view.show_frame(first)
    assert not view.stack.is_empty
    h = first.history
    train = view.loss_curves["train"]
    assert len(ydata(train)) == len(h["train_loss"]) == 3
    assert ydata(train)[-1] == pytest.approx(h["train_loss"][-1])
    assert list(train.getOriginalDataset()[0]) == [1, 2, 3]
    assert ydata(view.loss_curves["test"])[-1] == pytest.approx(h["test_loss"][-1])
    assert ydata(view.metric_curves["train"])[-1] == pytest.approx(100 * h["train_accuracy"][-1])
    assert ydata(view.metric_curves["test"])[-1] == pytest.approx(100 * h["test_accuracy"][-1])
    # spiral has no validation split: no curve, no legend entry
    assert not view.loss_curves["val"].isVisible()
    assert view._legend_keys == ["train", "test"]
    assert "Epoch 3" in view.latest.text()

    view.show_frame(second)
    assert len(ydata(train)) == 5
    assert ydata(train)[-1] == pytest.approx(second.history["train_loss"][-1])
    assert "Epoch 5" in view.latest.text()


def test_reset_clears(view, spiral):
    view.show_frame(spiral[1])
    view.reset()
    assert view.stack.is_empty
    assert len(ydata(view.loss_curves["train"])) == 0
    view.show_frame(spiral[2])  # after a reset a history draws again from scratch
    assert len(ydata(view.loss_curves["train"])) == 5


def test_a_different_history_is_not_mixed_in(view, spiral):
    _, first, _ = spiral
    view.show_frame(first)
    other = dict(first.history)
    other["train_loss"] = [9.0, 8.0, 7.0, 6.0]
    view.show_frame(dataclasses.replace(first, history=other))
    assert list(ydata(view.loss_curves["train"])) == [9.0, 8.0, 7.0, 6.0]


def test_regression_shows_rmse(view, spiral):
    _, first, _ = spiral
    n = 4
    history = {k: [None] * n for k in first.history}
    history["train_loss"] = [0.5, 0.3, 0.2, 0.1]
    history["val_loss"] = [0.6, 0.4, 0.3, 0.2]
    history["test_loss"] = [0.55, 0.35, 0.25, 0.15]
    history["test_rmse"] = [0.7, 0.5, 0.4, 0.3]
    view.show_frame(dataclasses.replace(first, history=history))
    assert "RMSE" in view.metric_plot.getAxis("left").labelText
    assert list(ydata(view.metric_curves["test"])) == pytest.approx(history["test_rmse"])
    assert not view.metric_curves["train"].isVisible()
    assert view.loss_curves["val"].isVisible()  # a validation split draws its curve
    assert "RMSE 0.3" in view.latest.text()


def test_log_scale_checkbox(view, spiral):
    view.show_frame(spiral[1])
    view.log_check.setChecked(True)
    assert view.loss_plot.getPlotItem().ctrl.logYCheck.isChecked()
    assert "log" in view.loss_plot.getAxis("left").labelText
    view.log_check.setChecked(False)
    assert not view.loss_plot.getPlotItem().ctrl.logYCheck.isChecked()


def test_export_menu_is_enabled(view):
    assert view.loss_plot.getPlotItem().menuEnabled()
    assert view.loss_plot.scene().contextMenu[0].text().startswith("Export")


def test_redraw_is_fast_even_for_long_runs(view, spiral):
    _, first, _ = spiral
    view.show_frame(first)
    start = time.perf_counter()
    for _ in range(10):
        view.redraw()
    per_frame = (time.perf_counter() - start) / 10
    assert per_frame < 0.2, f"redraw took {per_frame * 1000:.1f} ms"

    rng = np.random.default_rng(0)
    n = 100_000
    history = {k: [None] * n for k in first.history}
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        history[key] = list(rng.random(n))
    view.show_frame(dataclasses.replace(first, history=history))  # first conversion of 100k epochs
    history = {k: v + [0.5] for k, v in history.items()}
    start = time.perf_counter()
    view.show_frame(dataclasses.replace(first, history=history))  # one new epoch: only the tail converts
    elapsed = time.perf_counter() - start
    assert len(ydata(view.loss_curves["train"])) == n + 1
    assert elapsed < 0.2, f"redraw of a 100k-epoch history took {elapsed * 1000:.1f} ms"


def test_a_thinned_history_draws_at_its_epoch_numbers(view, monkeypatch):
    """Past the cap a history keeps every s-th epoch plus the latest; the curves put each at its epoch."""
    import nnsim.training.history as H

    monkeypatch.setattr(H, "MAX_ENTRIES", 6)
    project = Project.example("xor")
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run(9)
    view.show_frame(builder.build())
    x, y = view.loss_curves["train"].getOriginalDataset()
    assert list(x) == [2, 4, 6, 8, 9] and list(y) == pytest.approx(trainer.history["train_loss"])
    assert "Epoch 9" in view.latest.text()
    trainer.run(1)  # epoch 10 replaces epoch 9, which was kept only as the latest
    view.show_frame(builder.build())
    x, y = view.loss_curves["train"].getOriginalDataset()
    assert list(x) == [2, 4, 6, 8, 10] and y[-1] == pytest.approx(trainer.history["train_loss"][-1])
    trainer.run(3)  # epoch 13: the stride becomes 4 and the lists are thinned
    view.show_frame(builder.build())
    x, y = view.loss_curves["train"].getOriginalDataset()
    assert list(x) == [4, 8, 12, 13] and list(y) == pytest.approx(trainer.history["train_loss"])
