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


@njit(**JIT)
def maxpool1d_forward(x, y, argmax, k, s):
    """y[r, t, f] = max of x[r, t*s:t*s + k, f]; ``argmax`` keeps the winning step (first on ties)."""
    n, feats = x.shape[0], x.shape[2]
    t_out = y.shape[1]
    for r in range(n):
        for t in range(t_out):
            for f in range(feats):
                best = t * s
                for u in range(t * s + 1, t * s + k):
                    if x[r, u, f] > x[r, best, f]:
                        best = u
                argmax[r, t, f] = best
                y[r, t, f] = x[r, best, f]


@njit(**JIT)
def maxpool1d_backward(dy, dx, argmax):
    n, t_out, feats = dy.shape
    for r in range(n):
        for t in range(t_out):
            for f in range(feats):
                dx[r, int(argmax[r, t, f]), f] += dy[r, t, f]
