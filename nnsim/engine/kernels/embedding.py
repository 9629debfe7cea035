"""Embedding lookup: token ids (stored as floats in the arena) select rows of W (V, D)."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def token(value, vocab):
    """The row for an id; ids outside [0, V) are clamped so a bad file can't read out of bounds."""
    i = int(value)
    return 0 if i < 0 else (vocab - 1 if i >= vocab else i)


@njit(**JIT)
def embedding_forward(ids, w, y):
    """ids (n, T) -> y (n, T, D) = W[ids]."""
    n, steps = ids.shape
    vocab, dim = w.shape
    for r in range(n):
        for t in range(steps):
            row = token(ids[r, t], vocab)
            for d in range(dim):
                y[r, t, d] = w[row, d]


@njit(**JIT)
def embedding_backward(ids, dy, gw):
    """gw = Σ over tokens of dy scattered into their rows (written, not accumulated across calls)."""
    gw[:, :] = 0.0
    n, steps = ids.shape
    vocab, dim = gw.shape
    for r in range(n):
        for t in range(steps):
            row = token(ids[r, t], vocab)
            for d in range(dim):
                gw[row, d] += dy[r, t, d]
