"""NNSim: build, train and watch neural networks learn.

The names most scripts need are importable from here (loaded on first use, so ``nnsim --version``
stays fast); docs/api.md shows them at work.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Project": "nnsim.project", "example_names": "nnsim.project",
    "Graph": "nnsim.graph", "sequential": "nnsim.graph",
    "Network": "nnsim.engine.network", "layer_kinds": "nnsim.engine.layers",
    "Trainer": "nnsim.training", "load_dataset": "nnsim.data",
    "NNSimError": "nnsim.core.errors", "GraphError": "nnsim.core.errors", "ShapeError": "nnsim.core.errors",
    "DatasetError": "nnsim.core.errors", "ProjectFileError": "nnsim.core.errors",
    "TrainingError": "nnsim.core.errors", "DivergenceError": "nnsim.core.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'nnsim' has no attribute {name!r}")
