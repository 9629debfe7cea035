"""Live views: pyqtgraph docks redrawn from the latest LiveFrame by a GUI-thread timer.

Each view module defines one LiveView subclass; ``all_views()`` lists them in menu order.
"""

from __future__ import annotations

from importlib import import_module

from nnsim.gui.live.views.base import LiveView, ViewContext

VIEW_MODULES = ("curves", "gradients", "weights", "activations", "boundary", "truth_table", "feature_maps",
                "recurrent", "predictions", "generative")


def all_views() -> list[type[LiveView]]:
    views: list[type[LiveView]] = []
    for name in VIEW_MODULES:
        module = import_module(f"nnsim.gui.live.views.{name}")
        views += [obj for obj in vars(module).values()
                  if isinstance(obj, type) and issubclass(obj, LiveView) and obj is not LiveView
                  and obj.__module__ == module.__name__]
    return views


__all__ = ["LiveView", "ViewContext", "all_views"]
