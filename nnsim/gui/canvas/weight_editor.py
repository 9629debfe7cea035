"""The inline editor for the weights one edge carries (and its target unit's bias), opened at the edge.

A small popup with one spin box per weight; OK (or Enter) hands the new values to the main window,
which writes them into the project's weights as one undoable step. McCulloch-Pitts edges open
read-only with the sentence that says where their weights come from.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialogButtonBox, QDoubleSpinBox, QFormLayout, QFrame, QLabel, QVBoxLayout,
                               QWidget)

from nnsim.training.units import EdgeWeights

WEIGHT_RANGE = 1000.0


def fixed_weights_sentence(dst: str) -> str:
    return (f"McCulloch-Pitts unit '{dst}' has fixed weights: they follow its threshold θ and inhibitory inputs, "
            f"so edit those in the inspector.")


class WeightEditor(QFrame):
    """Edits ``edge``; ``bias`` is the target unit's bias (None when it has none or isn't a unit)."""

    applied = Signal(object, str)  # {key: {(row, col): value}}, undo text

    def __init__(self, edge: EdgeWeights, bias: float | None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("weight_editor")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.edge = edge
        self.spins: list[QDoubleSpinBox] = []
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{edge.src} → {edge.dst}</b>: "
                       + ("one weight" if len(edge.values) == 1 else f"{len(edge.values)} weights"))
        layout.addWidget(title)
        form = QFormLayout()
        for label, value in zip(edge.labels, edge.values):
            self.spins.append(self._spin(value))
            form.addRow(f"w ({label})" if len(edge.values) > 1 else "w", self.spins[-1])
        self.bias_spin = None
        if bias is not None and not edge.fixed:
            self.bias_spin = self._spin(bias)
            form.addRow(f"bias of {edge.dst}", self.bias_spin)
        layout.addLayout(form)
        if edge.fixed:
            note = QLabel(fixed_weights_sentence(edge.dst))
            note.setWordWrap(True)
            layout.addWidget(note)
            for spin in self.spins:
                spin.setEnabled(False)
        elif self.bias_spin is not None:
            hint = QLabel("The unit fires where w·x + bias ≥ 0 (threshold θ = −bias).")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close if edge.fixed else
                                   QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.setMinimumWidth(260)
        if self.spins and not edge.fixed:
            self.spins[0].setFocus()
            self.spins[0].selectAll()

    @staticmethod
    def _spin(value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(-WEIGHT_RANGE, WEIGHT_RANGE)
        spin.setDecimals(4)
        spin.setSingleStep(0.1)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        return spin

    def set_values(self, values: list[float], bias: float | None = None) -> None:
        """Fill the spin boxes (tests and scripted edits)."""
        for spin, value in zip(self.spins, values):
            spin.setValue(value)
        if bias is not None and self.bias_spin is not None:
            self.bias_spin.setValue(bias)

    def edits(self) -> dict[str, dict[tuple[int, int], float]]:
        e = self.edge
        out = {e.key: {pos: spin.value() for pos, spin in zip(e.positions, self.spins)}}
        if self.bias_spin is not None:
            out[f"{e.dst}/bias"] = {(0,): self.bias_spin.value()}
        return out

    def apply(self) -> None:
        if not self.edge.fixed:
            self.applied.emit(self.edits(), f"Edit weights {self.edge.src} → {self.edge.dst}")
        self.close()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.apply()
            return
        super().keyPressEvent(event)
