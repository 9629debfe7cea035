"""The contract every live view follows.

A view is a QWidget in a dock. The main window's redraw timer calls :meth:`LiveView.show_frame`
with the newest :class:`~nnsim.training.live.LiveFrame` only when the view is visible, the frame
is new and carries the view's :attr:`LiveView.parts`; the training thread builds only the parts
that visible views draw, so a hidden view costs nothing. Views draw copies and never touch the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar

from PySide6.QtWidgets import QWidget

from nnsim.training.live import LiveFrame


@dataclass
class ViewContext:
    """What a view may read besides frames (all on the GUI thread)."""

    project: Callable[[], object]  # -> nnsim.project.Project (the open project)
    selected_node: Callable[[], str | None]  # -> name of the node selected on the canvas, if any
    units: object = None  # nnsim.gui.canvas.unit_monitor.UnitMonitor: neuron outputs and truth tables


class LiveView(QWidget):
    title: ClassVar[str] = ""  # dock title, also the View-menu entry
    key: ClassVar[str] = ""  # stable id for settings and `nnsim screenshot`
    # The frame parts (nnsim.training.live.PARTS) this view draws: the training thread builds a part
    # only while a visible view needs it, and a view is handed only frames that carry its parts.
    parts: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, context: ViewContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.frame: LiveFrame | None = None

    def show_frame(self, frame: LiveFrame) -> None:
        """Redraw from ``frame``; keep it in ``self.frame`` for re-draws on selection changes."""
        self.frame = frame
        self.redraw()

    def redraw(self) -> None:
        """Draw ``self.frame`` (may be None: show an empty, labelled state)."""
        raise NotImplementedError

    def reset(self) -> None:
        """A new run or a new project: forget accumulated history and show the empty state."""
        self.frame = None
        self.redraw()

    def applies_to(self, frame: LiveFrame) -> bool:
        """False when this view has nothing to show for the network (e.g. feature maps for an MLP)."""
        return True

    def shows_without_training(self) -> bool:
        """True when the view has something real to draw before any frame (a fixed-weight gate's table)."""
        return False

    def node_selected(self, name: str | None) -> None:
        """The canvas selection changed: views that show one layer follow it."""
        self.redraw_if_frame()

    def redraw_if_frame(self, *_: object) -> None:
        """Redraw after a control of the view changed (a picker, a toggle), if there is a frame."""
        if self.frame is not None:
            self.redraw()

    def node_types(self) -> dict[str, str]:
        """Node name -> type of the open project's graph ({} when there is none)."""
        try:
            return {node.name: node.type for node in self.context.project().graph}
        except Exception:  # no project open (tests, a closing window)
            return {}
