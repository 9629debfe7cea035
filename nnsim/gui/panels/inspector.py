"""The inspector: the selected node's name and parameters, or the project's dataset and training.

It is a view of the Document, never a second copy of the model: edits go out as graph commands
(``Document.push``) or undoable setters (``set_dataset`` / ``set_training``), and every change
signal refreshes the editors with ``set_values`` (signals blocked), so undo, redo, canvas edits and
file loads show here without echo loops and without stealing focus.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QScrollArea, QVBoxLayout, QWidget)

from nnsim.core.errors import NNSimError
from nnsim.data import dataset_kinds
from nnsim.data.registry import default_spec
from nnsim.engine.layers.base import layer_kinds
from nnsim.graph import Problem
from nnsim.graph.commands import Rename, SetParam
from nnsim.gui.document import Document
from nnsim.gui.icons import category_icon
from nnsim.gui.panels.param_form import ERROR_STYLE, MUTED_STYLE, ParamForm
from nnsim.training.settings import TRAINING_PARAMS

# Training settings in the groups a learner thinks in; parameters not listed land in "Other".
TRAINING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Learning rule", ("rule",)),
    ("Loss && optimizer", ("loss", "optimizer", "learning_rate", "momentum", "rho", "beta1", "beta2", "eps")),
    ("Schedule", ("schedule", "decay_c1", "decay_c2", "step_size", "gamma")),
    ("Regularization", ("clip_norm", "l1", "l2")),
    ("Batches && epochs", ("batch_size", "epochs", "shuffle", "validation_split", "seed")),
)
# Which optimizer hyperparameters each optimizer reads (the others are hidden, not reset).
OPTIMIZER_USES: dict[str, set[str]] = {
    "sgd": set(), "momentum": {"momentum"}, "nesterov": {"momentum"}, "adagrad": {"eps"},
    "adadelta": {"rho", "eps"}, "rmsprop": {"rho", "eps"}, "adam": {"beta1", "beta2", "eps"},
}
SCHEDULE_USES: dict[str, set[str]] = {
    "constant": set(), "inverse_time": {"decay_c1", "decay_c2"}, "step": {"step_size", "gamma"},
    "exponential": {"step_size", "gamma"},
}
# Activation parameters that matter only for one activation function.
ACTIVATION_USES: dict[str, set[str]] = {"slope": {"leaky_relu"}, "alpha": {"elu"}, "lower": {"rrelu"},
                                        "upper": {"rrelu"}}


def _muted(text: str = "", small: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(MUTED_STYLE)
    if small:
        font = label.font()
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        label.setFont(font)
    return label


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def _set_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "unknown (fix the problems above it first)"
    return " × ".join(str(d) for d in shape) or "scalar"


class InspectorWidget(QWidget):
    """Shows the node ``show_node`` names, or the project settings when it names none."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.node_id: str | None = None
        self.node_form: ParamForm | None = None
        self.dataset_form: ParamForm | None = None
        self.training_forms: dict[str, ParamForm] = {}
        self._dataset_form_name: str | None = None

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)

        self.node_page = self._build_node_page()
        self.project_page = self._build_project_page()
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(8, 8, 8, 8)
        body_layout.addWidget(self.node_page)
        body_layout.addWidget(self.project_page)
        body_layout.addStretch(1)
        self.scroll.setWidget(body)

        document.graph_changed.connect(self._on_graph_changed)
        document.dataset_changed.connect(self._on_dataset_changed)
        document.training_changed.connect(self._refresh_training)
        document.project_replaced.connect(self._on_project_replaced)
        document.validation_changed.connect(self._on_validation_changed)
        self.show_node(None)

    # --- public API -----------------------------------------------------------------------------
    def show_node(self, node_id: str | None) -> None:
        """Inspect ``node_id``, or the project settings for None (or a node that no longer exists)."""
        if node_id is not None and node_id not in self.document.graph:
            node_id = None
        changed = node_id != self.node_id or (node_id is not None and self.node_form is None)
        self.node_id = node_id
        if node_id is None:
            self.node_page.hide()
            self.project_page.show()
            self._refresh_dataset()
            self._refresh_training()
        else:
            self.project_page.hide()
            if changed:
                self._build_node_form()
            self.node_page.show()
            self._refresh_node()

    # --- node page --------------------------------------------------------------------------------
    def _build_node_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        header = QHBoxLayout()
        self.icon_label = QLabel()
        self.icon_label.setFixedSize(QSize(32, 32))
        self.type_label = QLabel()
        font = self.type_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.type_label.setFont(font)
        self.category_label = _muted(small=True)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.type_label)
        titles.addWidget(self.category_label)
        header.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(titles, 1)
        layout.addLayout(header)
        self.help_label = _muted()
        layout.addWidget(self.help_label)
        self.problem_label = _error_label()
        self.problem_label.setObjectName("node_problem")
        layout.addWidget(self.problem_label)

        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Name"))
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("node_name")
        self.name_edit.setToolTip("The node's unique name; messages and files use it.")
        self.name_edit.editingFinished.connect(self._on_name_edited)
        name_row.addWidget(self.name_edit, 1)
        layout.addLayout(name_row)
        self.name_error = _error_label()
        layout.addWidget(self.name_error)

        self.params_box = QGroupBox("Parameters")
        self.params_layout = QVBoxLayout(self.params_box)
        layout.addWidget(self.params_box)

        info = QGroupBox("Result")
        grid = QGridLayout(info)
        self.shape_label = QLabel()
        self.shape_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        grid.addWidget(_muted("Output shape"), 0, 0)
        grid.addWidget(self.shape_label, 0, 1)
        grid.addWidget(_muted("Trainable parameters"), 1, 0)
        grid.addWidget(self.count_label, 1, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(info)
        return page

    def _build_node_form(self) -> None:
        if self.node_form is not None:
            self.node_form.setParent(None)
            self.node_form.deleteLater()
            self.node_form = None
        node = self.document.graph.node(self.node_id)
        kind = layer_kinds().get(node.type)
        specs = kind.params if kind is not None else ()
        self.icon_label.setPixmap(category_icon(kind.category if kind else "").pixmap(QSize(32, 32)))
        self.type_label.setText(node.type)
        self.category_label.setText(kind.category if kind else "")
        self.help_label.setText(kind.help if kind else "")
        self.node_form = ParamForm(specs, dict(node.params), owner=node.name)
        self.node_form.value_changed.connect(self._on_node_param)
        self.params_layout.addWidget(self.node_form)
        self.params_box.setVisible(bool(specs))
        _set_error(self.name_error, None)

    def _refresh_node(self) -> None:
        if self.node_id is None or self.node_form is None:
            return
        node = self.document.graph.node(self.node_id)
        if self.name_edit.text() != node.name:
            self.name_edit.setText(node.name)
        self.node_form.owner = node.name
        self.node_form.set_values(dict(node.params))
        activation = node.params.get("activation")
        if activation is not None:
            for name, uses in ACTIVATION_USES.items():
                self.node_form.set_row_visible(name, activation in uses)
        shapes = self.document.shapes()
        counts = self.document.param_counts()
        self.shape_label.setText(_shape_text(shapes.get(self.node_id)))
        count = counts.get(self.node_id)
        self.count_label.setText(f"{count:,}" if count is not None else "unknown")
        self._on_validation_changed(self.document.problems)

    def _on_node_param(self, name: str, value: Any) -> None:
        node_id = self.node_id
        if node_id is None or self.node_form is None:
            return
        error = self.document.push(SetParam(self.document.graph, node_id, name, value))
        if error:
            self.node_form.set_values({name: self.document.graph.node(node_id).params.get(name)})
            self.node_form.set_error(name, error)

    def _on_name_edited(self) -> None:
        if self.node_id is None:
            return
        node = self.document.graph.node(self.node_id)
        new_name = self.name_edit.text().strip()
        if new_name == node.name:
            _set_error(self.name_error, None)
            return
        error = self.document.push(Rename(self.document.graph, self.node_id, new_name))
        _set_error(self.name_error, error)
        if error:
            self.name_edit.setText(node.name)

    # --- project page -------------------------------------------------------------------------------
    def _build_project_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        title = QLabel("Project")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(_muted("Nothing is selected: these settings apply to the whole project. "
                                "Select a node to edit it.", small=True))

        data_box = QGroupBox("Dataset")
        data_layout = QVBoxLayout(data_box)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setObjectName("dataset_kind")
        for name, kind in dataset_kinds().items():
            self.dataset_combo.addItem(kind.title, name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, kind.help, Qt.ItemDataRole.ToolTipRole)
        self.dataset_combo.currentIndexChanged.connect(self._on_dataset_kind)
        data_layout.addWidget(self.dataset_combo)
        self.dataset_help = _muted(small=True)
        data_layout.addWidget(self.dataset_help)
        self.dataset_error = _error_label()
        self.dataset_error.setObjectName("dataset_error")
        data_layout.addWidget(self.dataset_error)
        self.dataset_form_holder = QVBoxLayout()
        data_layout.addLayout(self.dataset_form_holder)
        layout.addWidget(data_box)

        grouped = {name for _, names in TRAINING_GROUPS for name in names}
        groups = list(TRAINING_GROUPS)
        others = tuple(p.name for p in TRAINING_PARAMS if p.name not in grouped)
        if others:
            groups.append(("Other", others))
        for title_text, names in groups:
            specs = tuple(p for p in TRAINING_PARAMS if p.name in names)
            if not specs:
                continue
            box = QGroupBox(title_text)
            box_layout = QVBoxLayout(box)
            form = ParamForm(specs, {}, owner="training")
            form.value_changed.connect(self._on_training_param)
            box_layout.addWidget(form)
            for name in names:
                self.training_forms[name] = form
            layout.addWidget(box)
        return page

    def training_form(self, name: str) -> ParamForm:
        """The form holding training setting ``name`` (for tests and for focusing a setting)."""
        return self.training_forms[name]

    def _refresh_training(self) -> None:
        settings = self.document.project.training
        for form in set(self.training_forms.values()):
            form.set_values({k: v for k, v in settings.items() if k in {s.name for s in form.specs}})
        opt_form = self.training_forms.get("optimizer")
        if opt_form is not None:
            uses = OPTIMIZER_USES.get(settings.get("optimizer"), {"momentum", "rho", "beta1", "beta2", "eps"})
            for name in ("momentum", "rho", "beta1", "beta2", "eps"):
                opt_form.set_row_visible(name, name in uses)
        sched_form = self.training_forms.get("schedule")
        if sched_form is not None:
            uses = SCHEDULE_USES.get(settings.get("schedule"), {"decay_c1", "decay_c2", "step_size", "gamma"})
            for name in ("decay_c1", "decay_c2", "step_size", "gamma"):
                sched_form.set_row_visible(name, name in uses)

    def _on_training_param(self, name: str, value: Any) -> None:
        settings = copy.deepcopy(self.document.project.training)
        settings[name] = value
        error = self.document.set_training(settings, f"Set {name}")
        form = self.training_forms[name]
        if error:
            form.set_values({name: self.document.project.training.get(name)})
            form.set_error(name, error)

    def _refresh_dataset(self) -> None:
        spec = self.document.project.dataset
        name = spec.get("name")
        index = self.dataset_combo.findData(name)
        if index != self.dataset_combo.currentIndex():
            self.dataset_combo.blockSignals(True)
            self.dataset_combo.setCurrentIndex(index)
            self.dataset_combo.blockSignals(False)
        kind = dataset_kinds().get(name)
        self.dataset_help.setText(kind.help if kind else "")
        if self.dataset_form is None or self._dataset_form_name != name:
            if self.dataset_form is not None:
                self.dataset_form.setParent(None)
                self.dataset_form.deleteLater()
            self.dataset_form = ParamForm(kind.params if kind else (), spec.get("params", {}), owner="the dataset")
            self.dataset_form.value_changed.connect(self._on_dataset_param)
            self.dataset_form_holder.addWidget(self.dataset_form)
            self._dataset_form_name = name
        else:
            self.dataset_form.set_values(spec.get("params", {}))
        # A spec can be valid yet unbuildable (a missing file): say so where it is edited.
        self.document.dataset()
        _set_error(self.dataset_error, self.document.dataset_error)

    def _on_dataset_kind(self, index: int) -> None:
        name = self.dataset_combo.itemData(index)
        if not name or name == self.document.project.dataset.get("name"):
            return
        try:
            spec = default_spec(name)
        except NNSimError as err:
            _set_error(self.dataset_error, str(err))
            return
        error = self.document.set_dataset(spec, f"Use dataset {dataset_kinds()[name].title}")
        if error:
            _set_error(self.dataset_error, error)
            self._refresh_dataset()

    def _on_dataset_param(self, name: str, value: Any) -> None:
        spec = copy.deepcopy(self.document.project.dataset)
        spec.setdefault("params", {})[name] = value
        error = self.document.set_dataset(spec, f"Set dataset {name}")
        if error and self.dataset_form is not None:
            self.dataset_form.set_values({name: self.document.project.dataset.get("params", {}).get(name)})
            self.dataset_form.set_error(name, error)

    # --- following the document -----------------------------------------------------------------
    def _on_graph_changed(self) -> None:
        if self.node_id is None:
            return
        if self.node_id not in self.document.graph:
            self.show_node(None)
            return
        if self.document.graph.node(self.node_id).type != self.type_label.text():
            self._build_node_form()
        self._refresh_node()

    def _on_dataset_changed(self) -> None:
        if self.node_id is None:
            self._refresh_dataset()
        else:
            self._refresh_node()  # shapes and parameter counts follow the input shape

    def _on_project_replaced(self) -> None:
        self.node_id = None
        self.show_node(None)

    def _on_validation_changed(self, problems: list[Problem]) -> None:
        if self.node_id is None:
            if self.project_page.isVisibleTo(self):
                self.document.dataset()
                _set_error(self.dataset_error, self.document.dataset_error)
            return
        messages = [p.message for p in problems if p.node_id == self.node_id]
        _set_error(self.problem_label, "\n".join(messages) if messages else None)
