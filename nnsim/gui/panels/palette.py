"""The node palette: every registered layer kind, grouped by category, to drag onto the canvas.

It reads the layer registry each time it is built, so a newly registered kind appears here
without touching this file. Dragging carries the canvas's own MIME type; double-click or Enter
asks the owner to add the node at the canvas centre instead (keyboard-friendly).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from nnsim.engine.layers.base import layer_kinds
from nnsim.gui.canvas.view import node_type_mime
from nnsim.gui.icons import category_icon, type_icon

CATEGORY_ORDER = ("Inputs and outputs", "Neurons and dense layers", "Activations", "Convolution and pooling",
                  "Recurrent", "Regularization", "Merge", "Shape", "Unsupervised and generative")
TYPE_ROLE = Qt.ItemDataRole.UserRole


def ordered_categories(categories: set[str]) -> list[str]:
    """Known categories in teaching order, then any new ones alphabetically."""
    known = [c for c in CATEGORY_ORDER if c in categories]
    return known + sorted(categories - set(CATEGORY_ORDER))


class _PaletteTree(QTreeWidget):
    """The tree; it owns the drag so a type row (never a category row) becomes a canvas drop."""

    activated_type = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(18, 18))
        self.setIndentation(12)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemActivated.connect(self._on_activated)

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        item = self.currentItem()
        type_name = item.data(0, TYPE_ROLE) if item is not None else None
        if not type_name:
            return  # category headers are not draggable
        drag = QDrag(self)
        drag.setMimeData(node_type_mime(type_name))
        drag.setPixmap(type_icon(type_name).pixmap(QSize(24, 24)))
        drag.exec(Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Enter adds the type; on some styles itemActivated is not sent for Enter, so handle it here.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None and item.data(0, TYPE_ROLE):
                self.activated_type.emit(item.data(0, TYPE_ROLE))
                event.accept()
                return
        super().keyPressEvent(event)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.activated_type.emit(type_name)


class PaletteWidget(QWidget):
    """Filter box over a category tree of layer kinds; emits ``add_requested(type_name)``."""

    add_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter nodes...")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.set_filter)
        self.tree = _PaletteTree()
        self.tree.activated_type.connect(self._emit_add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        self.rebuild()

    def rebuild(self) -> None:
        """Re-read the layer registry (kinds registered after start-up appear)."""
        self.tree.clear()
        kinds = layer_kinds()
        by_category: dict[str, list[str]] = {}
        for name, kind in kinds.items():
            by_category.setdefault(kind.category or "Other", []).append(name)
        for category in ordered_categories(set(by_category)):
            group = QTreeWidgetItem([category])
            group.setIcon(0, category_icon(category))
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for name in sorted(by_category[category], key=_type_sort_key):
                kind = kinds[name]
                item = QTreeWidgetItem([name])
                item.setIcon(0, type_icon(name))
                item.setData(0, TYPE_ROLE, name)
                item.setToolTip(0, f"<b>{name}</b><br>{kind.help}<br><i>Drag onto the canvas or double-click "
                                   f"to add.</i>")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                group.addChild(item)
        self.tree.expandAll()
        self.set_filter(self.filter_edit.text())

    def set_filter(self, text: str) -> None:
        """Show types whose name, category or help contains ``text`` (case-insensitive)."""
        needle = text.strip().lower()
        kinds = layer_kinds()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                kind = kinds.get(item.data(0, TYPE_ROLE))
                haystack = " ".join([item.text(0), group.text(0), kind.help if kind else ""]).lower()
                visible = not needle or needle in haystack
                item.setHidden(not visible)
                shown += visible
            group.setHidden(shown == 0)
            if needle and shown:
                group.setExpanded(True)

    def types(self) -> list[str]:
        """The visible type names, in display order."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group.isHidden():
                continue
            out += [group.child(j).data(0, TYPE_ROLE) for j in range(group.childCount())
                    if not group.child(j).isHidden()]
        return out

    def item_for(self, type_name: str) -> QTreeWidgetItem | None:
        """The tree row of ``type_name`` (for tests and for selecting from elsewhere)."""
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, TYPE_ROLE) == type_name:
                    return group.child(j)
        return None

    def _emit_add(self, type_name: str) -> None:
        self.add_requested.emit(type_name)


def _type_sort_key(name: str) -> tuple[int, str]:
    """Input first in its group (it starts every network), then alphabetical."""
    return (0 if name == "Input" else 1, name.lower())
