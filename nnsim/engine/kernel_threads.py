"""Starts the threads the kernels split big batches over, with OpenMP waiting passively.

Conv2D and LSTM kernels run two sample ranges side by side (:mod:`.kernels.parts`), one fork and
join per call. OpenMP's default is to spin between parallel regions, and a spinning worker steals
the core the calling thread needs for the serial parts: measured on 2 cores while another process
ran, LeNet took 41 ms a step with spinning workers, 8 ms with sleeping ones and 13 ms on one thread.
So the engine loads Numba's OpenMP layer with ``OMP_WAIT_POLICY=passive`` (unless the user chose a
policy). OpenMP reads it once, when it loads, so the variable is restored right after: child
processes keep the environment they would have had. Other libraries in this process that use the
same OpenMP (PyTorch) inherit the policy, which is why ``nnsim bench`` times PyTorch in its own process.
"""

from __future__ import annotations

import os


def start_kernel_threads() -> str:
    """Load the threading layer now (cheap: ~3 ms) and return its name.

    A layer safe for calls from several threads (OpenMP or TBB) is preferred: the GUI compiles on
    one thread while it may train on another. NUMBA_THREADING_LAYER, if set, decides.
    """
    import numba
    from numba.np.ufunc import parallel

    had_policy = "OMP_WAIT_POLICY" in os.environ
    if not had_policy:
        os.environ["OMP_WAIT_POLICY"] = "passive"
    try:
        if "NUMBA_THREADING_LAYER" not in os.environ:
            numba.config.THREADING_LAYER = "threadsafe"
        try:
            parallel._launch_threads()
        except ValueError:  # neither OpenMP nor TBB: fall back to Numba's default choice
            numba.config.THREADING_LAYER = "default"
            parallel._launch_threads()
    finally:
        if not had_policy:
            del os.environ["OMP_WAIT_POLICY"]
    return numba.threading_layer()
