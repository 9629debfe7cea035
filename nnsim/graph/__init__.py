"""The editable network: model, validation, shape inference, undoable commands, layout.

No Qt here: the GUI follows ``graph.events`` and wraps :mod:`nnsim.graph.commands` in a QUndoStack.
"""

from nnsim.graph import commands
from nnsim.graph.builders import sequential
from nnsim.graph.clipboard import copy_nodes, paste_nodes
from nnsim.graph.commands import UndoStack
from nnsim.graph.layout import auto_layout
from nnsim.graph.model import Edge, Graph, GraphEvents, Node
from nnsim.graph.validation import Problem

__all__ = ["Edge", "Graph", "GraphEvents", "Node", "Problem", "UndoStack", "auto_layout", "commands",
           "copy_nodes", "paste_nodes", "sequential"]
