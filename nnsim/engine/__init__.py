"""Numbers only: layer kinds, Numba kernels, losses, optimizers, the compiled network."""
