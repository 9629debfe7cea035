"""QUndoCommand adapters: graph commands and project-setting edits on one QUndoStack."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QUndoCommand

from nnsim.graph.commands import Command


class GraphCommand(QUndoCommand):
    """Wraps a graph command that has already been done (``Document.push`` does it first, so a
    refused edit raises before anything reaches the stack)."""

    def __init__(self, command: Command):
        super().__init__(command.text)
        self.command = command
        self._skip_first_redo = True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self.command.do()

    def undo(self) -> None:
        self.command.undo()


class ValueCommand(QUndoCommand):
    """Sets a project value (dataset spec, training settings) through a setter, undoably."""

    def __init__(self, text: str, setter: Callable[[Any], None], old: Any, new: Any):
        super().__init__(text)
        self._setter, self._old, self._new = setter, old, new

    def redo(self) -> None:
        self._setter(self._new)

    def undo(self) -> None:
        self._setter(self._old)
