"""The open project: one Project, its file path, its undo stack and its validation state.

Views never write into each other: edits go through :meth:`Document.push` (graph commands) or
the setters here; the graph's own events and this object's signals tell views what changed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QUndoStack

from nnsim.core.errors import NNSimError
from nnsim.data import Dataset
from nnsim.graph import Graph, Problem
from nnsim.graph.commands import Command
from nnsim.gui.undo import GraphCommand, ValueCommand
from nnsim.project import Project


class Document(QObject):
    project_replaced = Signal()  # a new Project object (new/open): views rebuild
    graph_changed = Signal()  # any edit of the graph
    dataset_changed = Signal()
    training_changed = Signal()
    weights_changed = Signal()  # the project's weights were edited by hand (not by a training run)
    validation_changed = Signal(list)  # list[Problem]
    modified_changed = Signal(bool)
    path_changed = Signal(object)  # Path | None

    def __init__(self, project: Project, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.project = project
        self.path = path
        self.problems: list[Problem] = []
        self._dataset_error: str | None = None
        self._attach()

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    # --- the project --------------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.project.graph

    def replace(self, project: Project, path: Path | None) -> None:
        """Show another project (after New or Open): fresh undo history, clean state."""
        self.graph.events.changed.disconnect(self._on_graph_changed)
        self.project = project
        self.set_path(path)
        self.undo_stack.clear()
        self._attach()
        self.project_replaced.emit()

    def _attach(self) -> None:
        self.graph.events.changed.connect(self._on_graph_changed)
        self.undo_stack.setClean()
        self.revalidate()

    def set_path(self, path: Path | None) -> None:
        self.path = path
        self.path_changed.emit(path)

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def mark_saved(self, path: Path) -> None:
        self.set_path(path)
        self.undo_stack.setClean()

    # --- edits ----------------------------------------------------------------------------------
    def push(self, command: Command) -> str | None:
        """Do a graph command and put it on the undo stack; a refusal returns its message instead."""
        try:
            command.do()
        except NNSimError as err:
            return str(err)
        self.undo_stack.push(GraphCommand(command))
        return None

    def set_dataset(self, spec: dict[str, Any], text: str = "Change dataset") -> str | None:
        return self._set_value(text, self._apply_dataset, copy.deepcopy(self.project.dataset), spec)

    def set_training(self, settings: dict[str, Any], text: str = "Change training settings") -> str | None:
        return self._set_value(text, self._apply_training, copy.deepcopy(self.project.training), settings)

    def set_weights(self, weights: dict[str, np.ndarray], text: str = "Edit weights") -> str | None:
        """Replace the project's weights (an edge's weight edited on the canvas), undoably."""
        old = {k: np.array(v, copy=True) for k, v in self.project.weights.items()}
        return self._set_value(text, self._apply_weights, old, weights)

    def _apply_weights(self, weights: dict[str, np.ndarray]) -> None:
        self.project.weights = {k: np.array(v, copy=True) for k, v in weights.items()}
        self.weights_changed.emit()

    def _set_value(self, text: str, setter: Any, old: Any, new: Any) -> str | None:
        try:
            setter(new)  # validate (and apply) first, so a refusal never reaches the stack
        except NNSimError as err:
            return str(err)
        command = ValueCommand(text, setter, old, copy.deepcopy(new))
        self.undo_stack.push(command)  # its redo applies the same value again: harmless
        return None

    def _apply_dataset(self, spec: dict[str, Any]) -> None:
        self.project.set_dataset(spec)
        self.dataset_changed.emit()
        self.revalidate()

    def _apply_training(self, settings: dict[str, Any]) -> None:
        self.project.set_training(settings)
        self.training_changed.emit()
        self.revalidate()

    # --- validation -----------------------------------------------------------------------------
    def _on_graph_changed(self) -> None:
        self.revalidate()
        self.graph_changed.emit()

    def dataset(self) -> Dataset | None:
        """The project's dataset, or None when it can't be built (``dataset_error`` says why)."""
        try:
            data = self.project.load_dataset()
        except NNSimError as err:
            self._dataset_error = str(err)
            return None
        self._dataset_error = None
        return data

    @property
    def dataset_error(self) -> str | None:
        return self._dataset_error

    @property
    def input_shape(self) -> tuple[int, ...] | None:
        data = self.dataset()
        return tuple(data.input_shape) if data is not None else None

    def revalidate(self) -> None:
        shape = self.input_shape
        problems = self.graph.validate(shape)
        if shape is None and self._dataset_error:
            problems = [Problem(None, self._dataset_error), *problems]
        self.problems = problems
        self.validation_changed.emit(problems)

    def shapes(self) -> dict[str, tuple[int, ...] | None]:
        shape = self.input_shape
        return self.graph.infer_shapes(shape) if shape is not None else {}

    def param_counts(self) -> dict[str, int]:
        shape = self.input_shape
        return self.graph.param_counts(shape) if shape is not None else {}
