"""Pooling over the time axis of (n, T, F) sequences (channels last)."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def global_maxpool1d_forward(x, y, argmax):
    """y[r, f] = max_t x[r, t, f]; ``argmax`` (n, F) keeps the winning step for backward."""
    n, steps, feats = x.shape
    for r in range(n):
        for f in range(feats):
            best = 0
            for t in range(1, steps):
                if x[r, t, f] > x[r, best, f]:
                    best = t
            argmax[r, f] = best
            y[r, f] = x[r, best, f]


@njit(**JIT)
def global_maxpool1d_backward(dy, dx, argmax):
    n, feats = dy.shape
    for r in range(n):
        for f in range(feats):
            dx[r, int(argmax[r, f]), f] += dy[r, f]
