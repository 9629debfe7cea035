"""A form over declared parameters (ParamSpec): one editor per parameter, help under each field.

Layer kinds, datasets and training settings all declare their parameters with ParamSpec, so one
form serves the node inspector, the dataset settings and the training settings. The form never
writes into the model: it emits ``value_changed(name, value)`` once per committed edit and the
owner decides (push a command, call a setter) and mirrors the model back with ``set_values``.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QValidator, QWheelEvent
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog,
                               QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy,
                               QSpinBox, QWidget)

from nnsim.core.errors import NNSimError
from nnsim.core.params import ParamSpec
from nnsim.engine.activations import ACTIVATION_HELP
from nnsim.engine.losses import LOSS_HELP
from nnsim.training.settings import OPTIMIZER_HELP

ERROR_STYLE = "color: #e5484d;"
MUTED_STYLE = "color: palette(placeholder-text);"
INT32 = 2**31 - 1
# Per-choice tooltips for the choice parameters whose options have their own help text.
CHOICE_HELP: dict[str, dict[str, str]] = {
    "activation": ACTIVATION_HELP,
    "optimizer": OPTIMIZER_HELP,
    "loss": LOSS_HELP,
}
FILE_FILTER = "Data files (*.csv *.npz *.txt);;CSV tables (*.csv);;NumPy archives (*.npz);;Text (*.txt);;All files (*)"


def pretty_name(name: str) -> str:
    """``learning_rate`` -> ``Learning rate``: labels read as words, tooltips keep the real name."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def format_float(value: float) -> str:
    """Up to 8 significant digits, no trailing zeros, scientific only when short is impossible."""
    return f"{value:.8g}"


def parse_shape(text: str) -> Any:
    """``"1, 8, 8"`` or ``"1x8x8"`` -> ``[1, 8, 8]``; anything else is returned as the raw text so
    ParamSpec.check words the complaint."""
    parts = [p for p in re.split(r"[\s,x×]+", text.strip().strip("()[]")) if p]
    try:
        return [int(p) for p in parts] if parts else text
    except ValueError:
        return text


def parse_number(text: str, kind: str) -> Any:
    """A typed number, or the raw text when it isn't one (check() then says what is wrong)."""
    text = text.strip().replace("_", "")
    try:
        if kind == "int":
            return int(text)
        return float(text)
    except ValueError:
        try:
            value = float(text)  # "1e3" typed into an int field is still a whole number
            return int(value) if kind == "int" and value.is_integer() else value
        except ValueError:
            return text


class _NoWheelMixin:
    """Spin boxes and combos inside a scroll area must not steal the wheel while scrolling past."""

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if self.hasFocus():  # type: ignore[attr-defined]
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()


class _SpinBox(_NoWheelMixin, QSpinBox):
    pass


class _DoubleSpinBox(_NoWheelMixin, QDoubleSpinBox):
    """Shows ``0.5`` rather than ``0.500000``: values keep full precision, text drops zeros."""

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return format_float(value)

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):  # accept scientific notation while typing
        stripped = text.strip()
        if stripped in ("", "-", "+", ".", "-.", "+.") or re.fullmatch(r"[+-]?\d*\.?\d*[eE][+-]?", stripped):
            return QValidator.State.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class _ComboBox(_NoWheelMixin, QComboBox):
    pass


def _uses_line_edit(spec: ParamSpec) -> bool:
    """Floats spanning many decades (1e-8..1e4) read and type better as text than in a spin box,
    whose fixed decimals would either round small values away or show a wall of zeros."""
    lo, hi = spec.min, spec.max
    if lo is None or hi is None:
        return True
    if hi - lo > 1e4:
        return True
    return 0 < lo < 1e-3 or (lo == 0 and hi > 1e3)


class ParamForm(QWidget):
    """Editors for ``specs`` with ``values``; emits ``value_changed(name, value)`` per committed edit.

    ``owner`` names whose parameters these are in error messages ("hidden1", "training").
    """

    value_changed = Signal(str, object)

    def __init__(self, specs: tuple[ParamSpec, ...], values: dict[str, Any] | None = None,
                 owner: str = "", show_help: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.specs = tuple(specs)
        self.owner = owner
        self._values: dict[str, Any] = {}
        self._editors: dict[str, QWidget] = {}
        self._rows: dict[str, list[QWidget]] = {}
        self._errors: dict[str, QLabel] = {}
        self._helps: dict[str, QLabel] = {}
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(10)
        layout.setVerticalSpacing(2)
        layout.setColumnStretch(1, 1)
        row = 0
        for spec in self.specs:
            row = self._add_row(layout, row, spec, show_help)
        self.set_values({s.name: s.default for s in self.specs} | dict(values or {}))

    # --- public API ---------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The values last set or committed (what the form believes the model holds)."""
        return dict(self._values)

    def editor(self, name: str) -> QWidget:
        """The editing widget of ``name`` (a spin box, combo, check box or line edit); for tests."""
        return self._editors[name]

    def set_values(self, values: dict[str, Any]) -> None:
        """Mirror the model without echoing edits back; clears error messages of the given names."""
        for name, value in values.items():
            editor = self._editors.get(name)
            if editor is None:
                continue
            self._values[name] = list(value) if isinstance(value, (list, tuple)) else value
            with QSignalBlocker(editor):
                self._show_value(self._spec(name), editor, value)
            self.set_error(name, None)

    def set_error(self, name: str, message: str | None) -> None:
        """Show ``message`` in red under the field of ``name`` (None hides it)."""
        label = self._errors.get(name)
        if label is not None:
            label.setText(message or "")
            label.setVisible(bool(message))

    def error(self, name: str) -> str | None:
        label = self._errors.get(name)
        return label.text() if label is not None and label.isVisibleTo(self) else None

    def set_row_visible(self, name: str, visible: bool) -> None:
        """Show or hide a parameter's whole row (e.g. momentum only for the momentum optimizers)."""
        for widget in self._rows.get(name, []):
            if widget is self._errors.get(name):
                widget.setVisible(visible and bool(widget.text()))
            else:
                widget.setVisible(visible)

    def is_row_visible(self, name: str) -> bool:
        editor = self._editors.get(name)
        return editor is not None and not editor.isHidden()

    # --- building -----------------------------------------------------------------------------
    def _spec(self, name: str) -> ParamSpec:
        return next(s for s in self.specs if s.name == name)

    def _add_row(self, layout: QGridLayout, row: int, spec: ParamSpec, show_help: bool) -> int:
        tip = f"<b>{spec.name}</b><br>{html.escape(spec.help)}" + _range_text(spec)
        editor, field = self._make_editor(spec)
        editor.setToolTip(tip)
        editor.setObjectName(f"param_{spec.name}")
        self._editors[spec.name] = editor
        widgets: list[QWidget] = [field]
        if spec.kind == "bool":
            layout.addWidget(field, row, 0, 1, 2)
        else:
            label = QLabel(pretty_name(spec.name))
            label.setToolTip(tip)
            label.setBuddy(editor)
            layout.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
            layout.addWidget(field, row, 1)
            widgets.append(label)
        row += 1
        if show_help and spec.help:
            help_label = QLabel(html.escape(spec.help))
            help_label.setTextFormat(Qt.TextFormat.RichText)
            help_label.setObjectName(f"help_{spec.name}")
            self._helps[spec.name] = help_label
            help_label.setWordWrap(True)
            help_label.setStyleSheet(MUTED_STYLE)
            font = help_label.font()
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
            help_label.setFont(font)
            layout.addWidget(help_label, row, 0 if spec.kind == "bool" else 1, 1, 2 if spec.kind == "bool" else 1)
            widgets.append(help_label)
            row += 1
        error = QLabel()
        error.setWordWrap(True)
        error.setStyleSheet(ERROR_STYLE)
        error.setObjectName(f"error_{spec.name}")
        error.hide()
        layout.addWidget(error, row, 0, 1, 2)
        self._errors[spec.name] = error
        widgets.append(error)
        row += 1
        spacer = QWidget()
        spacer.setFixedHeight(4)
        layout.addWidget(spacer, row, 0)
        widgets.append(spacer)
        self._rows[spec.name] = widgets
        return row + 1

    def _make_editor(self, spec: ParamSpec) -> tuple[QWidget, QWidget]:
        """The editor and the widget placed in the grid (they differ when a button sits beside it)."""
        name = spec.name
        if spec.kind == "bool":
            box = QCheckBox(pretty_name(name))
            box.toggled.connect(lambda checked, n=name: self._commit(n, bool(checked)))
            return box, box
        if spec.kind == "choice":
            combo = _ComboBox()
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            helps = CHOICE_HELP.get(name, {})
            for i, choice in enumerate(spec.choices):
                combo.addItem(choice, choice)
                if choice in helps:
                    combo.setItemData(i, helps[choice], Qt.ItemDataRole.ToolTipRole)
            combo.currentIndexChanged.connect(
                lambda index, n=name, c=combo: self._commit(n, c.itemData(index)))
            return combo, combo
        if spec.kind == "int":
            spin = _SpinBox()
            spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            spin.setRange(int(max(spec.min, -INT32)) if spec.min is not None else -INT32,
                          int(min(spec.max, INT32)) if spec.max is not None else INT32)
            spin.setKeyboardTracking(False)  # valueChanged on Enter/focus-out/arrows, not keystrokes
            spin.setAccelerated(True)
            spin.valueChanged.connect(lambda value, n=name: self._commit(n, int(value)))
            spin.editingFinished.connect(lambda n=name, s=spin: self._commit(n, int(s.value())))
            return spin, spin
        if spec.kind == "float" and not _uses_line_edit(spec):
            spin = _DoubleSpinBox()
            spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            spin.setDecimals(10)  # the text is formatted by textFromValue; this only bounds rounding
            spin.setRange(float(spec.min), float(spec.max))
            spin.setSingleStep(_step_for(spec))
            spin.setKeyboardTracking(False)
            spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
            spin.valueChanged.connect(lambda value, n=name: self._commit(n, float(value)))
            spin.editingFinished.connect(lambda n=name, s=spin: self._commit(n, float(s.value())))
            return spin, spin
        edit = QLineEdit()
        if spec.kind == "shape":
            edit.setPlaceholderText("e.g. 1, 8, 8")
        elif spec.kind == "float":
            edit.setPlaceholderText("e.g. 0.001 or 1e-3")
        edit.editingFinished.connect(lambda n=name, e=edit: self._commit_text(n, e.text()))
        if spec.kind == "str" and name == "path":
            row = QWidget()
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(4)
            button = QPushButton("Browse...")
            button.setObjectName(f"browse_{name}")
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, n=name, e=edit: self._browse(n, e))
            box.addWidget(edit, 1)
            box.addWidget(button)
            return edit, row
        return edit, edit

    # --- commits --------------------------------------------------------------------------------
    def _commit_text(self, name: str, text: str) -> None:
        spec = self._spec(name)
        if spec.kind == "shape":
            raw: Any = parse_shape(text)
        elif spec.kind in ("int", "float"):
            raw = parse_number(text, spec.kind)
        else:
            raw = text
        self._commit(name, raw)

    def _commit(self, name: str, raw: Any) -> None:
        """Check ``raw`` against its spec; emit once if valid and different, else show the error."""
        spec = self._spec(name)
        try:
            value = spec.check(raw, self.owner or "this item")
        except NNSimError as err:
            self.set_error(name, str(err))
            return
        self.set_error(name, None)
        if _same(value, self._values.get(name)):
            # Re-show the canonical text ("1,8,8" -> "1, 8, 8") without emitting.
            with QSignalBlocker(self._editors[name]):
                self._show_value(spec, self._editors[name], value)
            return
        self._values[name] = value
        with QSignalBlocker(self._editors[name]):
            self._show_value(spec, self._editors[name], value)
        self.value_changed.emit(name, value)

    def _browse(self, name: str, edit: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, f"Choose {pretty_name(name).lower()}", edit.text(), FILE_FILTER)
        if path:
            edit.setText(path)
            self._commit(name, path)

    def _update_choice_help(self, spec: ParamSpec, value: Any) -> None:
        """Choices with their own help (optimizers, losses, activations) explain the chosen one."""
        label = self._helps.get(spec.name)
        extra = CHOICE_HELP.get(spec.name, {}).get(value) if spec.kind == "choice" else None
        if label is not None and extra:
            label.setText(f"{html.escape(spec.help)} <i>{html.escape(str(value))}</i>: {html.escape(extra)}")

    def _show_value(self, spec: ParamSpec, editor: QWidget, value: Any) -> None:
        self._update_choice_help(spec, value)
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            index = editor.findData(value)
            editor.setCurrentIndex(max(index, 0))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        elif isinstance(editor, QLineEdit):
            if spec.kind == "shape" and isinstance(value, (list, tuple)):
                text = ", ".join(str(v) for v in value)
            elif spec.kind == "float" and isinstance(value, (int, float)):
                text = format_float(float(value))
            else:
                text = str(value)
            editor.setText(text)
            editor.setCursorPosition(0)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return type(a) is type(b) and a == b


def _step_for(spec: ParamSpec) -> float:
    """A 1-2-5 step about 1/100 of the range: 0..1 steps by 0.01, 0..10 by 0.1."""
    span = float(spec.max) - float(spec.min)
    if span <= 0:
        return 0.01
    raw = span / 100
    exp = math.floor(math.log10(raw))
    base = raw / 10**exp
    nice = 1 if base < 2 else 2 if base < 5 else 5
    return nice * 10**exp


def _range_text(spec: ParamSpec, html: bool = True) -> str:
    if spec.kind not in ("int", "float") or (spec.min is None and spec.max is None):
        return ""
    fmt = (lambda v: f"{int(v)}") if spec.kind == "int" else (lambda v: format_float(float(v)))
    if spec.min is not None and spec.max is not None:
        text = f"Range {fmt(spec.min)} to {fmt(spec.max)}."
    elif spec.min is not None:
        text = f"At least {fmt(spec.min)}."
    else:
        text = f"At most {fmt(spec.max)}."
    return ("<br><i>" + text + "</i>") if html else " " + text


__all__ = ["ParamForm", "format_float", "parse_shape", "pretty_name"]
