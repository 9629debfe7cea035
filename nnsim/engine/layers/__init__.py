"""Built-in layer kinds; importing this package registers them."""

from nnsim.engine.layers import (conv, core, dense, merge, neuron, normalization, recurrent, shape,  # noqa: F401
                                 unsupervised)
from nnsim.engine.layers.base import LayerKind, WeightSpec, layer_kind, layer_kinds, register

__all__ = ["LayerKind", "WeightSpec", "layer_kind", "layer_kinds", "register"]
