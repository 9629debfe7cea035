"""Help > Concepts: a short explanation of every node type, activation, loss and optimizer,
generated from the same registries the engine uses, so it never falls behind."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from nnsim.engine.activations import ACTIVATION_HELP
from nnsim.engine.initializers import INITIALIZER_HELP
from nnsim.engine.layers import layer_kinds
from nnsim.engine.losses import LOSS_HELP
from nnsim.training.settings import OPTIMIZER_HELP


def concepts_html() -> str:
    parts = ["<h2>Concepts</h2>", "<h3>Node types</h3>"]
    by_category: dict[str, list] = {}
    for kind in layer_kinds().values():
        by_category.setdefault(kind.category, []).append(kind)
    for category, kinds in by_category.items():
        parts.append(f"<h4>{html.escape(category)}</h4><ul>")
        parts += [f"<li><b>{k.type_name}</b>: {html.escape(k.help)}</li>" for k in kinds]
        parts.append("</ul>")
    for title, table in (("Activations", ACTIVATION_HELP), ("Losses", LOSS_HELP),
                         ("Optimizers", OPTIMIZER_HELP), ("Weight initializers", INITIALIZER_HELP)):
        parts.append(f"<h3>{title}</h3><ul>")
        parts += [f"<li><b>{name}</b>: {html.escape(text)}</li>" for name, text in table.items()]
        parts.append("</ul>")
    return "\n".join(parts)


class ConceptsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("NNSim concepts")
        self.resize(640, 720)
        browser = QTextBrowser()
        browser.setHtml(concepts_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
