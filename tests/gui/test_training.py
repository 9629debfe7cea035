"""Live training from the window: the worker thread, its controls, frames, divergence, shutdown."""

from __future__ import annotations

import pytest

from nnsim.gui.main_window import MainWindow
from nnsim.project import Project


def _forget(w: MainWindow) -> None:
    w.document.undo_stack.setClean()


def long_spiral() -> Project:
    """Spiral with enough epochs that a run is still going when the test looks."""
    project = Project.example("spiral")
    project.set_training({**project.training, "epochs": 100_000})
    return project


@pytest.fixture
def window(qtbot):
    w = MainWindow(long_spiral(), warm_up=False, restore_settings=False)
    qtbot.addWidget(w, before_close_func=_forget)
    w.show()
    qtbot.waitExposed(w)
    return w


def wait_state(qtbot, controller, state: str, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: controller.state == state, timeout=timeout)


def test_play_trains_and_sends_frames_then_pause_stops(window, qtbot):
    c = window.controller
    with qtbot.waitSignal(c.frame_changed, timeout=60_000):
        c.play()
    wait_state(qtbot, c, "running")
    qtbot.waitUntil(lambda: c.latest is not None and c.latest.snapshot.step > 50, timeout=30_000)
    c.pause()
    wait_state(qtbot, c, "paused")
    step = c.latest.snapshot.step
    qtbot.wait(300)
    assert c.latest.snapshot.step == step  # paused means no more updates
    assert window.controls.play_button.text().endswith("Play")


def test_step_trains_exactly_one_batch(window, qtbot):
    c = window.controller
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.latest is not None and c.latest.snapshot.step == 1,
                    timeout=60_000)
    c.step()
    qtbot.waitUntil(lambda: c.latest.snapshot.step == 2, timeout=10_000)


def test_step_epoch_trains_one_epoch(window, qtbot):
    c = window.controller
    c.step_epoch()
    qtbot.waitUntil(lambda: c.latest is not None and c.latest.snapshot.epoch == 1 and c.state == "paused",
                    timeout=60_000)
    assert len(c.latest.history["train_loss"]) == 1


def test_reset_forgets_weights_and_history(window, qtbot):
    c = window.controller
    c.step_epoch()
    qtbot.waitUntil(lambda: window.document.project.history.get("train_loss"), timeout=60_000)
    c.reset()
    assert c.state == "idle" and window.document.project.weights == {}
    assert window.document.project.history == {}


def test_a_divergent_run_pauses_with_a_visible_message(qtbot):
    from nnsim.graph import sequential

    graph = sequential([("Input", {}), ("Dense", {"units": 8, "activation": "relu"}),
                        ("Dense", {"units": 1, "activation": "identity"})], names=["input", "hidden", "out"])
    project = Project(graph, {"name": "plane", "params": {}},
                      {"loss": "mse", "optimizer": "sgd", "learning_rate": 1000.0, "batch_size": 10})
    window = MainWindow(project, warm_up=False, restore_settings=False)
    qtbot.addWidget(window, before_close_func=_forget)
    window.show()
    c = window.controller
    with qtbot.waitSignal(c.diverged, timeout=60_000) as blocker:
        c.play()
    assert "Lower the learning rate" in blocker.args[0]
    wait_state(qtbot, c, "diverged")
    assert "diverged" in window.controls.state_label.text()
    assert "Lower the learning rate" in window.status_validation.text()
    layer = blocker.args[1]
    assert layer in {"hidden", "out"}
    assert window.selected_node_name() == layer  # the layer that blew up is highlighted


def test_editing_the_graph_pauses_a_run(window, qtbot):
    c = window.controller
    c.play()
    wait_state(qtbot, c, "running")
    node = next(n for n in window.document.graph if n.name == "hidden1")
    from nnsim.graph.commands import SetParam

    window.document.push(SetParam(window.document.graph, node.id, "units", 6))
    wait_state(qtbot, c, "paused")
    assert c.stale
    c.play()  # recompiles the edited network; old weights no longer fit
    wait_state(qtbot, c, "running")


def test_closing_during_training_leaves_no_thread_running(qtbot):
    w = MainWindow(long_spiral(), warm_up=False, restore_settings=False)
    qtbot.addWidget(w, before_close_func=_forget)
    w.show()
    w.controller.play()
    wait_state(qtbot, w.controller, "running")
    thread = w.controller.thread
    w.document.undo_stack.setClean()
    assert w.close()
    assert thread is not None and not thread.isRunning()


def test_learning_rate_changes_while_training(window, qtbot):
    c = window.controller
    c.play()
    wait_state(qtbot, c, "running")
    window.controls.lr.setValue(0.05)
    assert window.document.project.training["learning_rate"] == 0.05
    assert c.state == "running" and not c.stale  # the learning rate changes without pausing
    qtbot.waitUntil(lambda: bool(c.latest.history.get("learning_rate"))
                    and c.latest.history["learning_rate"][-1] == 0.05, timeout=20_000)
    c.pause()


def test_every_visible_view_redraws_with_new_data_during_training(window, qtbot):
    window.tile_views(True)  # all views visible at once
    c = window.controller
    c.play()
    wait_state(qtbot, c, "running")
    applicable = lambda: [v for v in window.views.values() if c.latest is not None and v.applies_to(c.latest)]
    qtbot.waitUntil(lambda: applicable() and all(v.frame is not None for v in applicable()), timeout=30_000)
    first = {key: v.frame.snapshot.step for key, v in window.views.items() if v.frame is not None}
    qtbot.waitUntil(lambda: all(window.views[k].frame.snapshot.step > step for k, step in first.items()),
                    timeout=30_000)
    assert {"curves", "gradients", "weights", "activations", "boundary", "confusion"} <= set(first)
    c.pause()


def test_hidden_views_are_not_redrawn(window, qtbot):
    c = window.controller
    c.step_epoch()
    qtbot.waitUntil(lambda: c.latest is not None and c.state == "paused", timeout=60_000)
    qtbot.wait(100)
    current = window.view_tabs.currentWidget()
    hidden = [v for v in window.views.values() if v is not current]
    assert all(v.frame is None for v in hidden)
