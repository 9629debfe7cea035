"""Numbers only: layer kinds, Numba kernels, losses, optimizers, the compiled network."""

from nnsim.engine.blas_threads import limit_blas_threads
from nnsim.engine.jit_cache import configure_cache

configure_cache()  # before any kernel module is imported
limit_blas_threads()

from nnsim.engine.kernel_threads import start_kernel_threads  # noqa: E402  (after the cache is configured)

start_kernel_threads()
