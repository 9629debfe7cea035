"""How many threads BLAS may use while NNSim trains: one, unless NNSIM_BLAS_THREADS says otherwise.

Measured on 2 cores: the engine's matrix products are small, and a second OpenBLAS thread turns
them into thread hand-offs (LeNet 88 -> 26 steps/s when another process holds a core). One
thread also leaves a core for the GUI while a worker trains.
"""

from __future__ import annotations

import os


def blas_threads() -> int:
    try:
        return max(1, int(os.environ.get("NNSIM_BLAS_THREADS", "1")))
    except ValueError:
        return 1


def limit_blas_threads() -> None:
    """Cap BLAS threads: via the environment for libraries not loaded yet, threadpoolctl for the rest."""
    n = str(blas_threads())
    os.environ.setdefault("OPENBLAS_NUM_THREADS", n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a declared dependency, but never fatal
        return
    import scipy.linalg.cython_blas  # noqa: F401  (the BLAS Numba calls; load it so the limit applies)

    threadpool_limits(int(n), user_api="blas")
