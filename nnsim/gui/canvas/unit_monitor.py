"""Keeps what neuron-level networks show current: edge weights, each unit's output, the truth table.

One object owns the answer for the canvas overlay and the truth-table view, so both always agree.
The weights come from the newest training frame while a run reports them, else from the project
(its saved weights, or the seeded start Play would draw): so a hand edit, an undo or a new
activation shows at once, before any training. Everything runs the NumPy forward pass on the GUI
thread, which for these small networks takes well under a millisecond.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from nnsim.core.errors import NNSimError
from nnsim.engine.numpy_forward import numpy_forward, unsupported_node
from nnsim.engine.resolved import ResolvedGraph
from nnsim.gui.document import Document
from nnsim.training.live import BOUNDARY_GRID, Boundary, boundary_of, input_plane, plane_grid
from nnsim.training.units import (UNIT_KINDS, DecisionLine, EdgeWeights, TruthTable, decision_lines, edge_weights,
                                  truth_table, truth_table_problem)


@dataclass(frozen=True)
class UnitState:
    graph: ResolvedGraph | None = None
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    edges: dict[tuple[str, str], EdgeWeights] = field(default_factory=dict)  # (source, target) names
    outputs: dict[str, np.ndarray] = field(default_factory=dict)  # node -> its output for the chosen input
    sample: np.ndarray | None = None  # the chosen input
    sample_text: str = ""  # which input that is ("truth-table row 2", "training sample 1")
    table: TruthTable | None = None
    table_problem: str | None = "The truth table appears when the network is valid."
    has_units: bool = False  # the graph holds Neuron or MPNeuron nodes
    boundary: Boundary | None = None  # the output over the input plane (two-input data), from these weights
    lines: list[DecisionLine] = field(default_factory=list)  # units reading the plane: where their sum is 0


class UnitMonitor(QObject):
    changed = Signal()

    def __init__(self, document: Document, controller, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.state = UnitState()
        self.row = 0  # the chosen truth-table row (or training sample)
        self._frame_weights: dict[str, np.ndarray] | None = None
        self._grid: tuple[object, tuple] | None = None  # (dataset, plane grid) for the boundary
        for signal in (document.graph_changed, document.dataset_changed, document.training_changed,
                       document.weights_changed, document.project_replaced):
            signal.connect(self._edited)
        controller.frame_changed.connect(self._on_frame)
        self.refresh()

    # --- inputs -----------------------------------------------------------------------------------
    @Slot()
    def _edited(self) -> None:
        self._frame_weights = None  # the project now says more than the last frame
        self.refresh()

    @Slot(object)
    def _on_frame(self, frame) -> None:
        self._frame_weights = frame.snapshot.weights if frame is not None else None
        if self._frame_weights is not None and not self.state.has_units and self.state.table is None:
            return  # nothing here follows training (a convolutional net, a spiral MLP)
        self.refresh()

    def set_row(self, row: int) -> None:
        """Choose the input whose unit outputs the canvas shows (a truth-table row)."""
        if row != self.row:
            self.row = row
            self.refresh()

    # --- the state ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.state = self._compute()
        self.changed.emit()

    def _compute(self) -> UnitState:
        doc = self.document
        data = doc.dataset()
        if doc.problems or data is None:
            return UnitState()
        try:
            graph = doc.graph.resolve(tuple(data.input_shape))
        except NNSimError:
            return UnitState()
        has_units = any(n.type in UNIT_KINDS for n in graph.nodes)
        problem = truth_table_problem(graph, data)
        if not has_units and problem:
            return UnitState(graph, table_problem=problem)
        weights = self._weights(graph, data)
        if weights is None:
            return UnitState(graph, table_problem=problem, has_units=has_units)
        table = truth_table(graph, weights, data) if problem is None else None
        sample, text = self._sample(table, data)
        outputs, boundary = {}, None
        if unsupported_node(graph) is None:
            if sample is not None:
                outputs = {k: v[0] for k, v in numpy_forward(graph, weights, sample[None]).items()}
            boundary = self._boundary(graph, weights, data) if has_units else None
        return UnitState(graph, weights, edge_weights(graph, weights, data.feature_names), outputs, sample, text,
                         table, problem, has_units, boundary, decision_lines(graph, weights))

    def _boundary(self, graph: ResolvedGraph, weights: dict[str, np.ndarray], data) -> Boundary | None:
        if self._grid is None or self._grid[0] is not data:
            found = input_plane(data)
            self._grid = (data, plane_grid(*found, BOUNDARY_GRID) if found is not None else None)
        if self._grid[1] is None:
            return None
        xs, ys, features = self._grid[1]
        return boundary_of(numpy_forward(graph, weights, features)[graph.output], xs, ys, data.task)

    def _weights(self, graph: ResolvedGraph, data) -> dict[str, np.ndarray] | None:
        """The frame's weights when they fit the edited graph, else the project's."""
        if self._frame_weights is not None:
            if unsupported_node(graph) is not None:
                return self._frame_weights  # edges show what fits; nothing is evaluated
            try:
                numpy_forward(graph, self._frame_weights, np.zeros((1,) + tuple(data.input_shape)))
                return self._frame_weights
            except NNSimError:
                pass
        try:
            return self.document.project.network_weights()
        except NNSimError:
            return None

    def _sample(self, table: TruthTable | None, data) -> tuple[np.ndarray | None, str]:
        if table is not None:
            self.row = min(self.row, len(table.inputs) - 1)
            return table.inputs[self.row], f"truth-table row {self.row + 1}"
        x = np.asarray(data.x_train)
        if len(x) == 0:
            return None, ""
        self.row = min(self.row, len(x) - 1)
        return x[self.row].reshape(-1).astype(np.float64), f"training sample {self.row + 1}"
