"""Panels: palette, parameter form, inspector and dataset preview, offscreen with pytest-qt."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QDrag  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QComboBox, QFileDialog, QLineEdit, QPushButton, QSpinBox  # noqa: E402

from nnsim.core.params import ParamSpec  # noqa: E402
from nnsim.data import dataset_kinds  # noqa: E402
from nnsim.engine.layers.base import layer_kinds  # noqa: E402
from nnsim.gui.canvas.view import NODE_MIME, mime_node_type  # noqa: E402
from nnsim.gui.document import Document  # noqa: E402
from nnsim.gui.icons import category_icon, type_icon  # noqa: E402
from nnsim.gui.panels import DatasetView, InspectorWidget, PaletteWidget, ParamForm  # noqa: E402
from nnsim.project import Project  # noqa: E402


@pytest.fixture
def document(qtbot):
    doc = Document(Project.example("spiral"))
    yield doc
    # Document connects cleanChanged to a lambda; when the stack dies with the document, that
    # lambda would emit on a deleted object. Cut it before teardown so the log stays clean.
    doc.undo_stack.cleanChanged.disconnect()


def _dense(document: Document):
    return next(n for n in document.graph if n.type == "Dense")


def _commit_line(qtbot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def _commit_spin(qtbot, spin: QSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


# --- icons and palette ---------------------------------------------------------------------------
def test_icons_are_cached_and_drawn(qtbot):
    icon = category_icon("Recurrent")
    assert not icon.isNull() and icon is category_icon("Recurrent")
    assert not type_icon("Dense").isNull() and not type_icon("NoSuchType").isNull()


def test_palette_lists_every_type_and_filters(qtbot):
    palette = PaletteWidget()
    qtbot.addWidget(palette)
    assert sorted(palette.types()) == sorted(layer_kinds())
    assert palette.types()[0] == "Input"
    palette.filter_edit.setText("dense")  # name or help text
    assert "Dense" in palette.types() and "Add" not in palette.types()
    palette.filter_edit.setText("dropo")
    assert palette.types() == ["Dropout"]
    palette.filter_edit.setText("MERGE")  # category text, any case
    assert set(palette.types()) >= {"Add", "Concatenate"}
    palette.filter_edit.setText("zzz-nothing")
    assert palette.types() == []
    assert all(palette.tree.topLevelItem(i).isHidden() for i in range(palette.tree.topLevelItemCount()))
    palette.filter_edit.clear()
    assert len(palette.types()) == len(layer_kinds())


def test_palette_double_click_and_enter_request_add(qtbot):
    palette = PaletteWidget()
    qtbot.addWidget(palette)
    palette.resize(260, 500)
    palette.show()
    item = palette.item_for("Dense")
    rect = palette.tree.visualItemRect(item)
    qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a user would
    with qtbot.waitSignal(palette.add_requested, timeout=1000) as blocker:
        qtbot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["Dense"]
    palette.tree.setCurrentItem(palette.item_for("Flatten"))
    with qtbot.waitSignal(palette.add_requested, timeout=1000) as blocker:
        qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert blocker.args == ["Flatten"]


def test_palette_drag_carries_node_mime(qtbot, monkeypatch):
    palette = PaletteWidget()
    qtbot.addWidget(palette)
    seen: list[str | None] = []

    def fake_exec(self, *args, **kwargs):
        seen.append(mime_node_type(self.mimeData()))
        return Qt.DropAction.CopyAction

    monkeypatch.setattr(QDrag, "exec", fake_exec)
    palette.tree.setCurrentItem(palette.item_for("Dropout"))
    palette.tree.startDrag(Qt.DropAction.CopyAction)
    assert seen == ["Dropout"]
    palette.tree.setCurrentItem(palette.tree.topLevelItem(0))  # a category row: no drag
    palette.tree.startDrag(Qt.DropAction.CopyAction)
    assert seen == ["Dropout"]
    assert NODE_MIME.startswith("application/")


# --- ParamForm -----------------------------------------------------------------------------------
SPECS = (
    ParamSpec("units", "int", 8, "Units.", min=1, max=100),
    ParamSpec("rate", "float", 0.5, "Rate.", min=0.0, max=0.95),
    ParamSpec("lr", "float", 0.01, "Learning rate.", min=1e-8, max=1e4),
    ParamSpec("act", "choice", "relu", "Activation.", choices=("relu", "tanh")),
    ParamSpec("bias", "bool", True, "Bias."),
    ParamSpec("shape", "shape", (1, 8, 8), "Target shape."),
    ParamSpec("path", "str", "", "A file."),
)


def test_param_form_emits_once_per_committed_edit(qtbot):
    form = ParamForm(SPECS, {"units": 8}, owner="node")
    qtbot.addWidget(form)
    form.show()
    events: list[tuple[str, object]] = []
    form.value_changed.connect(lambda n, v: events.append((n, v)))

    _commit_spin(qtbot, form.editor("units"), "42")
    form.editor("rate").setFocus()  # focus-out after Enter must not emit a second time
    assert events == [("units", 42)]

    _commit_line(qtbot, form.editor("lr"), "3e-4")
    assert events[-1] == ("lr", pytest.approx(3e-4)) and len(events) == 2
    _commit_line(qtbot, form.editor("lr"), "3e-4")  # unchanged: nothing
    assert len(events) == 2

    form.editor("act").setCurrentIndex(1)
    form.editor("bias").setChecked(False)
    assert events[-2:] == [("act", "tanh"), ("bias", False)]

    _commit_line(qtbot, form.editor("shape"), "2x4, 8")
    assert events[-1] == ("shape", [2, 4, 8])
    assert form.editor("shape").text() == "2, 4, 8"
    assert form.values()["units"] == 42


def test_param_form_bad_text_shows_error_and_emits_nothing(qtbot):
    form = ParamForm(SPECS, {}, owner="node")
    qtbot.addWidget(form)
    form.show()
    events: list = []
    form.value_changed.connect(lambda n, v: events.append((n, v)))
    _commit_line(qtbot, form.editor("lr"), "fast")
    assert events == []
    assert "must be a number" in form.error("lr")
    _commit_line(qtbot, form.editor("lr"), "1e9")
    assert "above its maximum" in form.error("lr") and events == []
    _commit_line(qtbot, form.editor("shape"), "1, -3")
    assert "positive whole numbers" in form.error("shape") and events == []
    _commit_line(qtbot, form.editor("lr"), "0.1")
    assert form.error("lr") is None and events == [("lr", 0.1)]


def test_param_form_set_values_does_not_echo(qtbot):
    form = ParamForm(SPECS, {}, owner="node")
    qtbot.addWidget(form)
    events: list = []
    form.value_changed.connect(lambda n, v: events.append((n, v)))
    form.set_values({"units": 5, "rate": 0.25, "act": "tanh", "bias": False, "shape": [3, 3], "lr": 1e-3})
    assert events == []
    assert form.editor("units").value() == 5 and form.editor("act").currentText() == "tanh"
    assert form.editor("shape").text() == "3, 3" and form.editor("lr").text() == "0.001"
    assert not form.editor("bias").isChecked()


def test_param_form_browse_sets_path(qtbot, monkeypatch, tmp_path):
    form = ParamForm(SPECS, {}, owner="the dataset")
    qtbot.addWidget(form)
    target = str(tmp_path / "data.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (target, ""))
    with qtbot.waitSignal(form.value_changed, timeout=1000) as blocker:
        form.findChild(QPushButton, "browse_path").click()
    assert blocker.args == ["path", target]


# --- inspector: nodes ------------------------------------------------------------------------------
def test_inspector_edits_dense_units_and_undo_restores(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    dense = _dense(document)
    inspector.show_node(dense.id)
    old = dense.params["units"]
    _commit_spin(qtbot, inspector.node_form.editor("units"), str(old + 5))
    assert document.graph.node(dense.id).params["units"] == old + 5
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.graph.node(dense.id).params["units"] == old
    assert inspector.node_form.editor("units").value() == old  # the form follows the model


def test_inspector_shows_shape_count_and_hides_unused_activation_params(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    dense = _dense(document)
    inspector.show_node(dense.id)
    assert inspector.type_label.text() == "Dense"
    assert inspector.shape_label.text() == str(dense.params["units"])
    assert inspector.count_label.text().replace(",", "").isdigit()
    assert not inspector.node_form.is_row_visible("slope")
    inspector.node_form.editor("activation").setCurrentText("leaky_relu")
    assert document.graph.node(dense.id).params["activation"] == "leaky_relu"
    assert inspector.node_form.is_row_visible("slope")


def test_inspector_rename_and_duplicate_name_error(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    dense = _dense(document)
    other = next(n for n in document.graph if n.id != dense.id)
    inspector.show_node(dense.id)
    _commit_line(qtbot, inspector.name_edit, "renamed_layer")
    assert document.graph.node(dense.id).name == "renamed_layer"
    _commit_line(qtbot, inspector.name_edit, other.name)
    assert document.graph.node(dense.id).name == "renamed_layer"
    assert "already a node named" in inspector.name_error.text() and not inspector.name_error.isHidden()
    assert inspector.name_edit.text() == "renamed_layer"


def test_inspector_refused_param_reverts_and_shows_error(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    dense = _dense(document)
    inspector.show_node(dense.id)
    # A value the graph refuses (the spin box itself would clamp it): through the form's handler.
    inspector._on_node_param("units", 10**9)
    assert document.graph.node(dense.id).params["units"] == dense.params["units"]
    assert inspector.node_form.error("units")


def test_inspector_follows_removed_node_and_project_replace(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    dense = _dense(document)
    inspector.show_node(dense.id)
    document.replace(Project.example("spiral"), None)
    assert inspector.node_id is None and inspector.project_page.isVisibleTo(inspector)


# --- inspector: project settings -----------------------------------------------------------------------
def test_inspector_training_edits_are_undoable(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    form = inspector.training_form("optimizer")
    assert form.is_row_visible("beta1") and not form.is_row_visible("momentum")
    form.editor("optimizer").setCurrentText("momentum")
    assert document.project.training["optimizer"] == "momentum"
    assert form.is_row_visible("momentum") and not form.is_row_visible("beta1")

    _commit_line(qtbot, inspector.training_form("learning_rate").editor("learning_rate"), "0.5")
    assert document.project.training["learning_rate"] == 0.5
    document.undo_stack.undo()
    assert document.project.training["learning_rate"] == 0.01
    assert form.editor("learning_rate").text() == "0.01"
    document.undo_stack.undo()
    assert document.project.training["optimizer"] == "adam"
    assert form.editor("optimizer").currentText() == "adam"


def test_inspector_schedule_params_shown_only_when_relevant(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    form = inspector.training_form("schedule")
    assert not form.is_row_visible("gamma")
    form.editor("schedule").setCurrentText("step")
    assert form.is_row_visible("gamma") and form.is_row_visible("step_size")
    assert not form.is_row_visible("decay_c1")


def test_inspector_changes_dataset(qtbot, document):
    inspector = InspectorWidget(document)
    qtbot.addWidget(inspector)
    inspector.show()
    combo: QComboBox = inspector.dataset_combo
    combo.setCurrentIndex(combo.findData("xor"))
    assert document.project.dataset["name"] == "xor"
    assert inspector.dataset_form.specs == dataset_kinds()["xor"].params
    document.undo_stack.undo()
    assert document.project.dataset["name"] == "spiral"
    assert combo.currentData() == "spiral"
    _commit_spin(qtbot, inspector.dataset_form.editor("n_samples"), "300")
    assert document.project.dataset["params"]["n_samples"] == 300
    assert document.project.dataset["params"]["noise"] == 0.1  # the rest of the spec is kept


# --- dataset view ----------------------------------------------------------------------------------
def _view(qtbot, document) -> DatasetView:
    view = DatasetView(document)
    qtbot.addWidget(view)
    view.resize(520, 420)
    view.show()
    return view


def test_dataset_view_scatter_for_spiral(qtbot, document):
    view = _view(qtbot, document)
    assert view.mode() == "scatter"
    assert "spiral" in view.summary_label.text()
    assert view.balance.row_count() == 2


def test_dataset_view_images_for_digits(qtbot, document):
    view = _view(qtbot, document)
    assert document.set_dataset({"name": "digits"}) is None
    assert view.mode() == "images" and view.images.image_count() == 32


def test_dataset_view_text_for_hello(qtbot, document):
    if "hello" not in dataset_kinds():
        pytest.skip("no hello dataset")
    view = _view(qtbot, document)
    document.set_dataset({"name": "hello"})
    assert view.mode() == "text"
    assert "hell" in view.text.toPlainText() and "ello" in view.text.toPlainText()


def test_dataset_view_waits_until_visible(qtbot, document):
    view = DatasetView(document)
    qtbot.addWidget(view)
    document.set_dataset({"name": "xor"})
    assert view.mode() == "empty"  # nothing computed while hidden
    view.show()
    assert view.mode() == "scatter"


def test_dataset_view_bad_csv_shows_error(qtbot, document, monkeypatch, tmp_path):
    view = _view(qtbot, document)
    missing = str(tmp_path / "missing.csv")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (missing, ""))
    view.open_file()
    assert document.project.dataset["name"] == "csv"
    assert view.error() and "missing.csv" in view.error()
    assert view.mode() == "empty"


def test_panel_screenshots(qtbot, document, tmp_path):
    """Render each panel offscreen (saved to /tmp/panel_*.png for a look)."""
    palette = PaletteWidget()
    inspector = InspectorWidget(document)
    view = DatasetView(document)
    for widget, size in ((palette, (260, 540)), (inspector, (340, 900)), (view, (560, 480))):
        qtbot.addWidget(widget)
        widget.resize(*size)
        widget.show()
    assert palette.grab().save("/tmp/panel_palette.png")
    assert inspector.grab().save("/tmp/panel_inspector_project.png")
    assert view.grab().save("/tmp/panel_dataset.png")
    inspector.show_node(_dense(document).id)
    assert inspector.grab().save("/tmp/panel_inspector_node.png")
    assert isinstance(inspector.findChild(QCheckBox), QCheckBox)
