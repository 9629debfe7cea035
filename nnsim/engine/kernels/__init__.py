"""Numba kernels. Every kernel has a plain NumPy twin in :mod:`nnsim.engine.reference`.

Conventions: kernels *add* into input-gradient arrays (the interpreter zeroes the ones that a
kernel is the first to write), *write* weight gradients, and never allocate on small paths.
"""

JIT = dict(nogil=True, cache=True, error_model="numpy")
