"""Dense layer kernels: y = x Wᵀ + b with W of shape (out, in) as in PyTorch.

Tiny layers use plain loops (a BLAS call costs more than the arithmetic); larger ones use BLAS.
"""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT

BLAS_MIN_WORK = 8192  # n * in * out above which BLAS wins (measured with `nnsim bench`)


@njit(**JIT)
def dense_forward(x, w, b, has_bias, y):
    n, ni = x.shape
    no = w.shape[0]
    if n * ni * no > BLAS_MIN_WORK:
        np.dot(x, w.T, y)
        if has_bias:
            for r in range(n):
                for o in range(no):
                    y[r, o] += b[o]
        return
    for r in range(n):
        for o in range(no):
            acc = 0.0
            for i in range(ni):
                acc += x[r, i] * w[o, i]
            if has_bias:
                acc += b[o]
            y[r, o] = acc


@njit(**JIT)
def dense_backward(x, w, dy, dx, need_dx, gw, gb, has_bias):
    """Write gw = dyᵀ x and gb = Σ dy; add dy W into dx when ``need_dx``."""
    n, ni = x.shape
    no = w.shape[0]
    if has_bias:  # row by row: contiguous, vectorized adds
        gb[:] = 0.0
        for r in range(n):
            dyr = dy[r]
            for o in range(no):
                gb[o] += dyr[o]
    if n * ni * no > BLAS_MIN_WORK:
        np.dot(dy.T, x, gw)
        if need_dx:
            dx += np.dot(dy, w)
        return
    for o in range(no):
        for i in range(ni):
            acc = 0.0
            for r in range(n):
                acc += dy[r, o] * x[r, i]
            gw[o, i] = acc
    if need_dx:
        for r in range(n):
            for i in range(ni):
                acc = 0.0
                for o in range(no):
                    acc += dy[r, o] * w[o, i]
                dx[r, i] += acc
