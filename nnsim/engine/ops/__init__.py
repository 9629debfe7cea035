"""Op families: each module maps its opcodes to kernels with ``forward_op`` / ``backward_op``.

An op row ``op`` (ints) has the layout of :mod:`nnsim.engine.program`: offsets of its inputs and
output in the activation arena, their per-sample sizes, gradient flags, then op-specific args
from column ``I_ARG``; ``f`` is its row of floats.
"""
