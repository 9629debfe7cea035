"""Truth table: for binary inputs (the logic gates), every input combination with its target, the
network's output and each unit's output; wrong rows marked. Selecting a row chooses the input whose
outputs the canvas shows on the units.

It draws the UnitMonitor's table, so it is current before any training (fixed-weight gates), after
every weight edit and with every training frame.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from nnsim.gui.canvas.unit_overlay import fmt
from nnsim.gui.live.views import plot_style as ps
from nnsim.gui.live.views.base import LiveView, ViewContext
from nnsim.training.live import LiveFrame
from nnsim.training.units import TruthTable

WRONG_FILL = QColor(229, 72, 77, 60)
RIGHT_TEXT, WRONG_TEXT = "✓", "✗"
SELECTION_STYLE = ("QTableWidget::item:selected { background: rgba(245, 165, 36, 110); color: palette(text); "
                   "border-top: 1px solid #f5a524; border-bottom: 1px solid #f5a524; }")


class TruthTableView(LiveView):
    title = "Truth table"
    key = "truth_table"

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._shape: tuple = ()
        self.caption = QLabel()
        self.table = QTableWidget()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setStyleSheet(SELECTION_STYLE)  # the chosen row stays readable, wrong rows stay marked
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._row_chosen)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(ps.steady_label(self.caption))
        layout.addWidget(self.table, 1)
        self.stack = ps.EmptyStack(content, "")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        if context.units is not None:
            context.units.changed.connect(self._units_changed)
        self.redraw()

    # --- LiveView: the table follows the unit monitor, which follows frames and edits --------------
    def applies_to(self, frame: LiveFrame) -> bool:
        return self.shows_without_training()

    def shows_without_training(self) -> bool:
        units = self.context.units
        return units is not None and units.state.table is not None

    @Slot()
    def _units_changed(self) -> None:
        if self.isVisible():  # a hidden view redraws when shown
            self.redraw()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.redraw()

    def reset(self) -> None:
        self.frame = None
        self.redraw()

    @Slot()
    def redraw(self) -> None:
        units = self.context.units
        state = units.state if units is not None else None
        if state is None or state.table is None:
            self.stack.show_empty(state.table_problem if state is not None and state.table_problem else
                                  "The truth table appears for networks with binary inputs (logic gates).")
            return
        self.stack.show_content()
        self._fill(state.table, units.row)

    def _fill(self, t: TruthTable, chosen: int) -> None:
        headers = [*t.feature_names, "target", "output", *t.units, "right?"]
        rows = len(t.inputs)
        if self._shape != (rows, tuple(headers)):
            self._shape = (rows, tuple(headers))
            self.table.clear()
            self.table.setRowCount(rows)
            self.table.setColumnCount(len(headers))
            self.table.setHorizontalHeaderLabels(headers)
            for column in range(len(t.feature_names), len(t.feature_names) + 2):  # target and output stand out
                item = self.table.horizontalHeaderItem(column)
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
        for r in range(rows):
            values = [*(fmt(float(v)) for v in t.inputs[r]), self._target(t, r), self._output(t, r),
                      *(fmt(float(u[r])) for u in t.units.values()),
                      RIGHT_TEXT if t.correct[r] else WRONG_TEXT]
            for c, text in enumerate(values):
                self._set(r, c, text, not t.correct[r])
        right = int(t.correct.sum())
        self.caption.setText(f"{right} of {rows} rows right. Select a row: the canvas shows each unit's output "
                             f"for that input.")
        blocked = self.table.blockSignals(True)
        self.table.selectRow(chosen)
        self.table.blockSignals(blocked)

    @staticmethod
    def _target(t: TruthTable, r: int) -> str:
        return "—" if np.isnan(t.targets[r]) else fmt(float(t.targets[r]))

    @staticmethod
    def _output(t: TruthTable, r: int) -> str:
        raw = ", ".join(fmt(float(v)) for v in t.outputs[r])
        if not t.classification:
            return raw
        predicted = fmt(float(t.predicted[r]))
        return raw if raw == predicted else f"{raw} → {predicted}"

    def _set(self, r: int, c: int, text: str, wrong: bool) -> None:
        item = self.table.item(r, c)
        if item is None:
            item = QTableWidgetItem()
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(r, c, item)
        if item.text() != text:
            item.setText(text)
        item.setBackground(QBrush(WRONG_FILL) if wrong else QBrush())

    @Slot()
    def _row_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and self.context.units is not None:
            self.context.units.set_row(rows[0].row())
