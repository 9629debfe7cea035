"""Neuron-level networks in the window: drop, connect, inspect, click-edit edge weights, truth tables, train."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel

from nnsim.gui.canvas.view import node_type_mime
from nnsim.gui.canvas.weight_editor import WeightEditor
from nnsim.gui.files import new_project
from nnsim.gui.main_window import MainWindow
from nnsim.project import Project
from tests.gui.windows import open_window

from .test_main_window import drop


@pytest.fixture(autouse=True)
def collect_garbage_first():
    """Collect the earlier tests' windows now, on this thread and with no worker running.

    Measured: when a sweep of PySide wrappers from earlier windows runs on the GUI thread while a
    training worker is inside its first numba import (shiboken's import hook), the process segfaults.
    """
    gc.collect()
    yield


@pytest.fixture
def gate_window(qtbot):
    """A blank project on the AND truth table."""
    project = new_project()
    project.set_dataset({"name": "and", "params": {}})
    return open_window(qtbot, project)


def node_id(w: MainWindow, name: str) -> str:
    return next(n.id for n in w.document.graph if n.name == name)


def edge_between(w: MainWindow, src: str, dst: str):
    return next(e for e in w.scene.edges if (e.src, e.dst) == (node_id(w, src), node_id(w, dst)))


def drop_and_connect(w: MainWindow, type_name: str, at: QPointF, sources: list[str]) -> str:
    """Drop a node from the palette at scene point ``at`` and connect ``sources`` into it; returns its name."""
    before = {n.id for n in w.document.graph}
    w.view.centerOn(at)
    drop(w.view, node_type_mime(type_name), w.view.mapFromScene(at))
    (new,) = [n for n in w.document.graph if n.id not in before]
    for src in sources:
        item = w.scene.nodes[node_id(w, src)]
        assert w.scene.connect_ports(item.output_port, w.scene.nodes[new.id].input_port)
    return new.name


def click_label(qtbot, w: MainWindow, edge) -> WeightEditor:
    """Click the weight label in the middle of ``edge`` (as a user would) and return the editor it opens."""
    label = w.unit_overlay.labels[edge]
    w.view.centerOn(label)
    qtbot.wait(10)
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=w.view.mapFromScene(label.scenePos()))
    assert w.weight_editor is not None and w.weight_editor.isVisible()
    return w.weight_editor


def truth_rows(w: MainWindow) -> list[list[str]]:
    w.show_view("truth_table")
    table = w.views["truth_table"].table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def headers(w: MainWindow) -> list[str]:
    table = w.views["truth_table"].table
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


# --- drop, connect, inspect ---------------------------------------------------------------------------
def test_a_dropped_neuron_shows_its_edge_weights_output_and_follows_the_inspector(gate_window, qtbot):
    w = gate_window
    name = drop_and_connect(w, "Neuron", QPointF(400, 40), ["input"])
    edge = edge_between(w, "input", name)
    label = w.unit_overlay.labels[edge]
    assert label.parentItem() is w.scene.edges[edge] and len(label.lines) == 2  # one weight per feature: a, b
    assert label.lines[0][0].startswith("a ") and label.lines[1][0].startswith("b ")
    assert node_id(w, name) in w.unit_overlay.badges  # its output for the chosen input
    w.scene.nodes[node_id(w, name)].setSelected(True)
    form = w.inspector.node_form
    form.editor("activation").setCurrentText("step")
    assert w.document.graph.node(node_id(w, name)).params["activation"] == "step"
    badge = w.unit_overlay.badges[node_id(w, name)]
    assert badge.text in ("0", "1")  # a step unit's output, updated at once


def test_a_dropped_mp_neuron_has_fixed_weights_that_follow_the_inspector(gate_window, qtbot):
    w = gate_window
    name = drop_and_connect(w, "MPNeuron", QPointF(400, 40), ["input"])
    edge = edge_between(w, "input", name)
    assert [t for t, _ in w.unit_overlay.labels[edge].lines] == ["a +1", "b +1"]
    w.scene.nodes[node_id(w, name)].setSelected(True)
    form = w.inspector.node_form
    form.editor("threshold").setValue(2.0)
    assert w.document.graph.node(node_id(w, name)).params["threshold"] == 2.0
    edit = form.editor("inhibitory")
    edit.setFocus()
    qtbot.keyClicks(edit, "2")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert w.document.graph.node(node_id(w, name)).params["inhibitory"] == "2"
    lines = [t for t, _ in w.unit_overlay.labels[edge].lines]
    assert lines[0] == "a +1" and lines[1].startswith("b −")  # input 2 now inhibits
    editor = click_label(qtbot, w, edge)  # fixed: shown, not editable, and says why
    assert editor.edge.fixed and not any(s.isEnabled() for s in editor.spins)
    assert any("fixed weights" in label.text() and "inspector" in label.text() for label in editor.findChildren(QLabel))
    undo_count = w.document.undo_stack.count()
    editor.apply()
    assert w.document.undo_stack.count() == undo_count


# --- editing weights on the canvas ----------------------------------------------------------------------
def test_clicking_an_edge_label_edits_its_weights_and_bias_undoably(qtbot):
    w = open_window(qtbot, Project.example("and-gate"))
    edge = edge_between(w, "input", "output")
    editor = click_label(qtbot, w, edge)
    assert [s.value() for s in editor.spins] == [1.0, 1.0] and editor.bias_spin.value() == -1.5
    editor.set_values([1.0, 1.0], bias=-0.5)  # AND becomes OR
    editor.apply()
    assert not editor.isVisible()
    assert w.document.project.weights["output/bias"].tolist() == [-0.5]
    assert [r[3] for r in truth_rows(w)] == ["0", "1", "1", "1"]  # output column follows at once
    assert w.unit_overlay.biases[node_id(w, "output")].text() == "bias −0.50"
    w.document.undo_stack.undo()
    assert w.document.project.weights["output/bias"].tolist() == [-1.5]
    assert [r[3] for r in truth_rows(w)] == ["0", "0", "0", "1"]
    w.document.undo_stack.redo()
    assert w.document.project.weights["output/bias"].tolist() == [-0.5]


def test_editing_one_weight_changes_colour_width_and_label(qtbot):
    w = open_window(qtbot, Project.example("xor-neurons"))
    edge = edge_between(w, "h1", "output")
    w.edit_edge_weights(edge).set_values([4.0])
    w.weight_editor.apply()
    band = w.unit_overlay.bands[edge]
    positive = band.pen().color()
    wide = band.pen().widthF()
    assert w.unit_overlay.labels[edge].lines[0][0] == "+4"
    w.edit_edge_weights(edge).set_values([-0.2])
    w.weight_editor.apply()
    negative = band.pen().color()
    assert positive.red() > positive.blue() and negative.blue() > negative.red()
    assert band.pen().widthF() < wide
    assert w.unit_overlay.labels[edge].lines[0][0] == "−0.20"


def test_double_clicking_an_edge_opens_the_editor(qtbot):
    w = open_window(qtbot, Project.example("xor-neurons"))
    edge = edge_between(w, "h2", "output")
    with qtbot.waitSignal(w.scene.edge_activated):
        item = w.scene.edges[edge]
        w.view.centerOn(item)
        qtbot.wait(10)
        point = w.view.mapFromScene(item.path().pointAtPercent(0.25))
        qtbot.mouseDClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert w.weight_editor is not None and w.weight_editor.edge.src == "h2"


def test_a_wide_dense_edge_is_refused_in_one_sentence(qtbot):
    w = open_window(qtbot, Project.example("spiral"))
    edge = next(e for e in w.scene.edges if w.document.graph.node(e.dst).type == "Dense"
                and w.scene.nodes[e.dst].node.params["units"] > 4)
    assert w.edit_edge_weights(edge) is None
    assert "more weights than fit an editor" in w.statusBar().currentMessage()


# --- training with edited weights ------------------------------------------------------------------------
def wait_state(qtbot, controller, state: str) -> None:
    qtbot.waitUntil(lambda: controller.state == state, timeout=60_000)


def test_weights_edited_before_training_survive_a_step(qtbot):
    w = open_window(qtbot, Project.example("xor-neurons"))
    edge = edge_between(w, "input", "h1")
    w.edit_edge_weights(edge).set_values([5.0, -5.0], bias=1.0)
    w.weight_editor.apply()
    c = w.controller
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.latest is not None and c.latest.snapshot.step == 1,
                    timeout=60_000)
    trained = c.latest.snapshot.weights["h1/weight"][0]
    assert np.allclose(trained, [5.0, -5.0], atol=0.1)  # one Adam step from the edited values, not fresh
    assert w.unit_overlay.labels[edge].lines[0][0].startswith("a +4.9") or \
        w.unit_overlay.labels[edge].lines[0][0].startswith("a +5")
    c.stop()


def test_editing_while_training_runs_is_refused_and_a_paused_edit_wins(qtbot):
    project = Project.example("xor-neurons")
    project.set_training({**project.training, "epochs": 100_000})
    w = open_window(qtbot, project)
    c = w.controller
    c.play()
    wait_state(qtbot, c, "running")
    edge = edge_between(w, "h1", "output")
    assert w.edit_edge_weights(edge) is None
    assert "Pause training" in w.statusBar().currentMessage()
    c.pause()
    wait_state(qtbot, c, "paused")
    qtbot.wait(50)
    w.edit_edge_weights(edge).set_values([7.5])
    w.weight_editor.apply()
    assert c.stale
    c.stop()  # the stopped run sends its own, older weights: the edit must win
    qtbot.wait(200)
    assert w.document.project.weights["output/weight"][0, 0] == pytest.approx(7.5)


def test_reset_is_not_undone_by_the_stopped_runs_late_weights(qtbot):
    w = open_window(qtbot, Project.example("xor-neurons"))
    c = w.controller
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.latest is not None, timeout=60_000)
    c.reset()
    qtbot.wait(200)  # the worker's final weights arrive after the reset
    assert w.document.project.weights == {}


def test_a_network_of_mp_units_and_a_neuron_trains_a_step(gate_window, qtbot):
    w = gate_window
    a = drop_and_connect(w, "MPNeuron", QPointF(400, -80), ["input"])
    b = drop_and_connect(w, "MPNeuron", QPointF(400, 160), ["input"])
    out = drop_and_connect(w, "Neuron", QPointF(700, 40), [a, b])
    assert not w.document.problems
    c = w.controller
    c.step()
    qtbot.waitUntil(lambda: c.state == "paused" and c.latest is not None and c.latest.snapshot.step == 1,
                    timeout=60_000)
    assert f"{out}/weight" in c.latest.snapshot.weights
    assert [t for t, _ in w.unit_overlay.labels[edge_between(w, "input", a)].lines] == ["a +1", "b +1"]
    c.stop()


# --- truth tables -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("example, outputs", [("and-gate", ["0", "0", "0", "1"]), ("or-gate", ["0", "1", "1", "1"])])
def test_truth_table_of_fixed_gates_before_any_training(qtbot, example, outputs):
    w = open_window(qtbot, Project.example(example))
    rows = truth_rows(w)
    assert headers(w) == ["a", "b", "target", "output", "right?"]
    assert [r[:2] for r in rows] == [["0", "0"], ["0", "1"], ["1", "0"], ["1", "1"]]
    assert [r[3] for r in rows] == outputs and [r[2] for r in rows] == outputs
    assert all(r[4] == "✓" for r in rows)
    assert w.views["truth_table"].caption.text().startswith("4 of 4 rows right")


def test_xor_neurons_table_lists_hidden_units_and_marks_wrong_rows(qtbot):
    project = Project.example("xor-neurons")
    trainer = project.trainer()
    trainer.run(1000)
    project.capture(trainer)
    w = open_window(qtbot, project)
    rows = truth_rows(w)
    assert headers(w) == ["a", "b", "target", "output", "h1", "h2", "right?"]
    assert [r[3][-1] for r in rows] == ["0", "1", "1", "0"] and all(r[6] == "✓" for r in rows)
    w.edit_edge_weights(edge_between(w, "h1", "output")).set_values([0.0])  # cut h1 off
    w.weight_editor.apply()
    rows = truth_rows(w)
    assert any(r[6] == "✗" for r in rows)
    table = w.views["truth_table"].table
    wrong = next(i for i, r in enumerate(rows) if r[6] == "✗")
    assert table.item(wrong, 0).background().color().red() > 200  # marked


def test_selecting_a_row_chooses_the_input_the_canvas_shows(qtbot):
    w = open_window(qtbot, Project.example("and-gate"))
    truth_rows(w)
    w.views["truth_table"].table.selectRow(3)
    assert w.units.row == 3
    assert w.unit_overlay.badges[node_id(w, "input")].text == "1, 1"
    assert w.unit_overlay.badges[node_id(w, "output")].text == "1"
    w.views["truth_table"].table.selectRow(1)
    assert w.unit_overlay.badges[node_id(w, "output")].text == "0"


def test_truth_table_says_why_it_does_not_apply(qtbot):
    w = open_window(qtbot, Project.example("spiral"))
    w.show_view("truth_table")
    view = w.views["truth_table"]
    assert view.stack.is_empty and "binary inputs" in view.stack.label.text()


# --- boundary and files ---------------------------------------------------------------------------------------
def test_boundary_shows_each_units_line_before_training(qtbot):
    w = open_window(qtbot, Project.example("and-gate"))
    w.show_view("boundary")
    view = w.views["boundary"]
    assert not view.stack.is_empty
    (line,) = [item for item in view.lines if item.isVisible()]
    assert line.label.format.startswith("output: +1·x1 +1·x2 −1.50")
    x0, y0 = line.pos().x(), line.pos().y()
    assert x0 + y0 == pytest.approx(1.5)  # a point on x1 + x2 = 1.5
    b = w.units.state.boundary
    assert b.xs[0] == pytest.approx(-0.5) and b.xs[-1] == pytest.approx(1.5)  # 0/1 data with room around


def test_edited_weights_survive_save_and_open(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot, Project.example("xor-neurons"))
    w.edit_edge_weights(edge_between(w, "input", "h2")).set_values([2.5, -3.25], bias=0.75)
    w.weight_editor.apply()
    path = tmp_path / "edited.nnsim"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), ""))
    assert w.files.save()
    assert w.files.open_path(path)
    weights = w.document.project.weights
    assert weights["h2/weight"].tolist() == [[2.5, -3.25]] and weights["h2/bias"].tolist() == [0.75]
    assert [t for t, _ in w.unit_overlay.labels[edge_between(w, "input", "h2")].lines] == ["a +2.50", "b −3.25"]


def test_opening_an_example_keeps_its_fixed_weights(qtbot):
    w = open_window(qtbot, Project.example("xor-neurons"))
    assert w.files.open_example("and-gate")
    assert w.document.project.weights["output/bias"].tolist() == [-1.5]  # not wiped by the window
    assert [r[3] for r in truth_rows(w)] == ["0", "0", "0", "1"]


def test_screenshot_of_a_fixed_gate_includes_its_truth_table_and_boundary(qtbot, tmp_path):
    from nnsim.gui.app import screenshot

    written = screenshot(Project.example("and-gate"), tmp_path / "gate.png", (1200, 800))
    assert sorted(p.name for p in written) == ["gate-boundary.png", "gate-truth_table.png", "gate.png"]
    assert all(p.stat().st_size > 1000 for p in written)


def test_a_small_dense_edge_is_edited_weight_by_weight(qtbot):
    w = open_window(qtbot, Project.example("xor"))  # Dense 2 -> 2 -> 1 on the XOR truth table
    editor = w.edit_edge_weights(edge_between(w, "input", "hidden"))
    texts = [label.text() for label in editor.findChildren(QLabel)]
    labels = [t for t in texts if t.startswith("w (")]
    assert labels == ["w (unit 1 ← a)", "w (unit 1 ← b)", "w (unit 2 ← a)", "w (unit 2 ← b)"]
    assert editor.bias_spin is None
    editor.set_values([1.0, 2.0, 3.0, 4.0])
    editor.apply()
    assert w.document.project.weights["hidden/weight"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert truth_rows(w)[0][:3] == ["0", "0", "0"] and headers(w)[-1] == "right?"  # Dense networks get a table too


def test_edges_without_editable_weights_are_refused_in_one_sentence(gate_window):
    w = gate_window
    name = drop_and_connect(w, "Dropout", QPointF(400, 40), ["input"])
    drop_and_connect(w, "Neuron", QPointF(700, 40), [name])
    assert not w.document.problems
    assert w.edit_edge_weights(edge_between(w, "input", name)) is None
    assert "carries no weights of its own" in w.statusBar().currentMessage()
