"""Hidden views cost nothing: the training thread builds only the frame parts the shown views draw."""

from __future__ import annotations

import pytest

from nnsim.gui.main_window import CANVAS_PARTS, MainWindow
from nnsim.project import Project
from nnsim.training.live import PARTS, LiveFrameBuilder
from tests.gui.windows import open_window


@pytest.fixture
def window(qtbot) -> MainWindow:
    project = Project.example("spiral")
    project.set_training({**project.training, "epochs": 100_000})
    return open_window(qtbot, project)


def _train_a_while(window: MainWindow, qtbot):
    """Play with only the curves shown until a hundred updates are done; returns the controller."""
    c = window.controller
    window.show_view("curves")
    c.play()
    qtbot.waitUntil(lambda: c.state == "running" and c.latest is not None and c.latest.snapshot.step > 100,
                    timeout=60_000)
    return c


def test_each_view_names_the_parts_it_draws(window):
    assert window.views["curves"].parts == frozenset()
    assert window.views["activations"].parts == {"activations"}
    assert window.views["gradients"].parts == {"gradients"}
    assert window.views["boundary"].parts == {"boundary"}
    assert all(view.parts <= PARTS for view in window.views.values())


def test_the_window_asks_only_for_what_the_canvas_and_the_shown_views_draw(window):
    c = window.controller
    window.show_view("curves")
    assert c._parts == CANVAS_PARTS
    window.show_view("gradients")
    assert c._parts == CANVAS_PARTS | {"gradients"}
    window.tile_views(True)
    assert c._parts == CANVAS_PARTS.union(*(v.parts for v in window.views.values()))
    window.tile_views(False)
    window.docks["live_views"].hide()
    assert c._parts == CANVAS_PARTS


def test_running_frames_skip_hidden_parts_and_a_pause_frame_has_everything(window, qtbot):
    c = _train_a_while(window, qtbot)
    step = c.latest.snapshot.step
    qtbot.waitUntil(lambda: c.latest.snapshot.step > step, timeout=10_000)  # a frame built while running
    frame = c.latest
    assert "activations" not in frame.parts and "boundary" not in frame.parts and "gradients" not in frame.parts
    assert frame.boundary is None and not frame.snapshot.activations and not frame.snapshot.gradients
    assert frame.history["train_loss"]  # the curves still get every epoch
    window.show_view("boundary")
    qtbot.waitUntil(lambda: "boundary" in c.latest.parts and c.latest.boundary is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.views["boundary"].frame is not None, timeout=10_000)
    assert "boundary" in window.views["boundary"].frame.parts
    c.pause()
    qtbot.waitUntil(lambda: c.state == "paused", timeout=30_000)
    qtbot.waitUntil(lambda: c.latest.parts == PARTS, timeout=10_000)
    assert c.latest.snapshot.activations and c.latest.snapshot.gradients and c.latest.boundary is not None


def test_a_view_is_not_handed_a_frame_without_its_parts(window):
    project = window.document.project
    trainer = project.trainer()
    trainer.run_epoch()
    partial = LiveFrameBuilder(trainer).build(activations=False, gradients=False, boundary=False)
    window.tile_views(True)
    window.show_frame_everywhere(partial)
    assert window.views["activations"].frame is None  # it would draw an empty state from this frame
    assert window.views["curves"].frame is partial


def test_after_stop_a_view_shown_later_gets_a_whole_frame(window, qtbot):
    c = _train_a_while(window, qtbot)
    c.stop()
    qtbot.waitUntil(lambda: c.latest.parts == PARTS, timeout=10_000)
    window.show_view("activations")
    qtbot.waitUntil(lambda: window.views["activations"].frame is c.latest, timeout=10_000)


def test_frames_of_a_reset_run_never_come_back(window, qtbot):
    """The stopped run still sends its last frame; after Reset the views must stay empty."""
    c = _train_a_while(window, qtbot)
    c.reset()
    qtbot.wait(400)
    assert c.latest is None and window.views["curves"].frame is None
