"""The editor as a user drives it: drops, connections, undo, files, prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from nnsim.engine.layers import layer_kinds
from nnsim.graph import Graph
from nnsim.gui.canvas.view import node_type_mime
from nnsim.gui.files import new_project
from nnsim.gui.main_window import MainWindow
from nnsim.project import Project


@pytest.fixture
def window(qtbot):
    w = MainWindow(Project.example("spiral"), warm_up=False, restore_settings=False)
    qtbot.addWidget(w, before_close_func=_forget_changes)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    return w


def _forget_changes(w: MainWindow) -> None:
    """Tests end with edits: closing shouldn't ask to save them."""
    w.document.undo_stack.setClean()


@pytest.fixture
def blank(qtbot):
    w = MainWindow(new_project(), warm_up=False, restore_settings=False)
    qtbot.addWidget(w, before_close_func=_forget_changes)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    return w


def drop(view, mime: QMimeData, pos: QPoint) -> None:
    """Send the real drag-and-drop event sequence to the viewport, as a drag from the palette would."""
    viewport = view.viewport()
    posf = QPointF(pos)
    actions = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for event in (QDragEnterEvent(pos, actions, mime, buttons, mods), QDragMoveEvent(pos, actions, mime, buttons, mods),
                  QDropEvent(posf, actions, mime, buttons, mods)):
        QApplication.sendEvent(viewport, event)


def test_every_palette_type_can_be_dropped_onto_the_canvas(blank):
    view, graph = blank.view, blank.document.graph
    for i, type_name in enumerate(sorted(layer_kinds())):
        before = len(graph)
        drop(view, node_type_mime(type_name), QPoint(200 + (i % 5) * 40, 150 + (i // 5) * 40))
        assert len(graph) == before + 1, type_name
        assert list(graph)[-1].type == type_name
    assert len(graph) == len(layer_kinds()) + 1  # plus the blank project's Input


def test_a_drop_lands_where_the_mouse_is(blank):
    view = blank.view
    pos = QPoint(300, 200)
    drop(view, node_type_mime("Dense"), pos)
    node = list(blank.document.graph)[-1]
    center = view.mapToScene(pos)
    assert abs(node.position[0] + 84 - center.x()) < 1 and abs(node.position[1] + 39 - center.y()) < 1


def test_a_drop_of_foreign_data_is_ignored(blank):
    mime = QMimeData()
    mime.setText("Dense")
    drop(blank.view, mime, QPoint(300, 200))
    assert len(blank.document.graph) == 1


def test_dragging_from_an_output_port_to_an_input_port_connects(blank, qtbot):
    scene = blank.scene
    dense_id = scene.handle_drop("Dense", QPointF(400, 0))
    input_item = next(i for i in scene.nodes.values() if i.node.type == "Input")
    blank.view.fit()
    qtbot.wait(10)
    start = blank.view.mapFromScene(input_item.output_port.scenePos())
    end = blank.view.mapFromScene(scene.nodes[dense_id].input_port.scenePos())
    qtbot.mousePress(blank.view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(blank.view.viewport(), end)
    qtbot.mouseRelease(blank.view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert [(e.src, e.dst) for e in blank.document.graph.edges] == [(input_item.node_id, dense_id)]
    assert len(scene.edges) == 1


def test_an_invalid_connection_is_refused_with_its_reason(blank, qtbot):
    scene = blank.scene
    a = scene.handle_drop("Dense", QPointF(300, 0))
    input_item = next(i for i in scene.nodes.values() if i.node.type == "Input")
    assert scene.connect_ports(input_item.output_port, scene.nodes[a].input_port)
    with qtbot.waitSignal(scene.message) as blocker:
        ok = scene.connect_ports(scene.nodes[a].output_port, input_item.input_port or scene.nodes[a].input_port)
    assert not ok
    assert blocker.args[0]
    assert len(blank.document.graph.edges) == 1


def test_a_second_input_into_a_dense_is_refused_and_the_status_bar_says_why(blank):
    scene = blank.scene
    a = scene.handle_drop("Dense", QPointF(300, 0))
    b = scene.handle_drop("Dense", QPointF(300, 200))
    input_item = next(i for i in scene.nodes.values() if i.node.type == "Input")
    scene.connect_ports(input_item.output_port, scene.nodes[a].input_port)
    assert not scene.connect_ports(scene.nodes[b].output_port, scene.nodes[a].input_port)
    assert "takes one input" in blank.statusBar().currentMessage()


def test_validation_errors_mark_the_node_and_the_status_bar(blank):
    scene = blank.scene
    dense = scene.handle_drop("Dense", QPointF(300, 0))
    assert scene.nodes[dense].error is not None
    assert "has no input" in scene.nodes[dense].toolTip()
    assert blank.status_validation.text().startswith("✗")


def test_a_valid_network_shows_shapes_and_a_green_status(window):
    assert window.status_validation.text().startswith("✓")
    item = next(i for i in window.scene.nodes.values() if i.node.name == "hidden1")
    assert item.shape_text == "→ 8" and item.error is None


def test_undo_and_redo_round_trip_every_edit(window):
    graph = window.document.graph
    original = graph.to_dict()
    node_id = window.scene.handle_drop("Dropout", QPointF(0, 300))
    item = window.scene.nodes[node_id]
    item.setSelected(True)
    window.scene.delete_selection()
    after = graph.to_dict()
    stack = window.document.undo_stack
    stack.undo()
    stack.undo()
    assert graph.to_dict() == original
    assert set(window.scene.nodes) == {n.id for n in graph}
    stack.redo()
    stack.redo()
    assert graph.to_dict() == after


def test_a_node_drag_is_one_undo_step(window, qtbot):
    scene, view = window.scene, window.view
    item = next(i for i in scene.nodes.values() if i.node.name == "hidden1")
    old = item.node.position
    center = view.mapFromScene(item.sceneBoundingRect().center() + QPointF(0, -20))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    for dx in (10, 20, 40):
        qtbot.mouseMove(view.viewport(), center + QPoint(dx, dx))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=center + QPoint(40, 40))
    assert item.node.position != old
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert item.node.position == old


def test_copy_paste_adds_copies_with_new_names(window):
    scene = window.scene
    item = next(i for i in scene.nodes.values() if i.node.name == "hidden1")
    item.setSelected(True)
    window.copy()
    window.paste()
    names = [n.name for n in window.document.graph]
    assert len(names) == 5 and len(set(names)) == 5


def test_save_then_reopen_gives_the_same_graph(window, tmp_path, monkeypatch):
    path = tmp_path / "net.nnsim"
    window.scene.handle_drop("Dropout", QPointF(0, 300))
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), ""))
    assert window.files.save()
    assert not window.document.modified
    saved = window.document.graph.to_dict()
    assert window.files.open_path(path)
    assert window.document.graph.to_dict() == saved
    assert window.document.path == path


def test_opening_a_corrupt_file_shows_one_error_dialog(window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.nnsim"
    bad.write_bytes(b"not a zip at all")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    graph_before = window.document.graph.to_dict()
    assert not window.files.open_path(bad)
    assert len(shown) == 1 and "bad.nnsim" in shown[0]
    assert window.document.graph.to_dict() == graph_before


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, monkeypatch):
    window.scene.handle_drop("Dropout", QPointF(0, 300))
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert asked and "Save the changes" in asked[0]
    assert window.isVisible()


def test_new_with_unsaved_changes_can_discard(window, monkeypatch):
    window.scene.handle_drop("Dropout", QPointF(0, 300))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.files.new()
    assert [n.type for n in window.document.graph] == ["Input"]


def test_title_shows_the_modified_marker(window):
    assert not window.isWindowModified()
    window.scene.handle_drop("Dropout", QPointF(0, 300))
    assert window.isWindowModified()
    assert "[*]" in window.windowTitle()


def test_autosave_writes_a_recovery_file_that_the_next_start_offers(window, monkeypatch, qtbot):
    from nnsim.gui.files import recovery_path

    window.scene.handle_drop("Dropout", QPointF(0, 300))
    window.files.autosave()
    assert recovery_path().is_file()
    other = MainWindow(new_project(), warm_up=False, restore_settings=False)
    qtbot.addWidget(other, before_close_func=_forget_changes)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert other.files.offer_recovery()
    assert any(n.type == "Dropout" for n in other.document.graph)
    assert other.document.modified and not recovery_path().is_file()


def test_export_canvas_writes_png_and_svg(window, tmp_path):
    assert window.export_canvas_to(tmp_path / "net.png", "png")
    assert window.export_canvas_to(tmp_path / "net.svg", "svg")
    assert (tmp_path / "net.png").stat().st_size > 1000
    assert "<svg" in (tmp_path / "net.svg").read_text()


def test_auto_layout_is_one_undo_step(window):
    graph = window.document.graph
    for node in graph:
        graph.move(node.id, (0.0, 0.0))
    window.document.undo_stack.clear()
    window.scene.auto_layout()
    assert len({n.position for n in graph}) == len(graph)
    assert window.document.undo_stack.count() == 1


def test_every_example_opens_from_the_menu(window):
    titles = [a.text() for a in window.examples_menu.actions()]
    assert any(t.startswith("spiral") for t in titles)
    for action in window.examples_menu.actions():
        action.trigger()
        assert len(window.document.graph) > 1
