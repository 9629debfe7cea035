"""Numbers only: layer kinds, Numba kernels, losses, optimizers, the compiled network."""

from nnsim.engine.jit_cache import configure_cache

configure_cache()  # before any kernel module is imported
