"""Side panels of the main window: node palette, inspector, dataset preview, and the shared form."""

from nnsim.gui.panels.dataset_view import DatasetView
from nnsim.gui.panels.inspector import InspectorWidget
from nnsim.gui.panels.palette import PaletteWidget
from nnsim.gui.panels.param_form import ParamForm

__all__ = ["DatasetView", "InspectorWidget", "PaletteWidget", "ParamForm"]
