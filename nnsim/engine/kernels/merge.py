"""Add and Concatenate kernels on (n, ...) row views."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def add_forward(a, b, y):
    for j in range(y.size):
        y[j] = a[j] + b[j]


@njit(**JIT)
def add_backward(dy, da, need_a, db, need_b):
    if need_a:
        for j in range(dy.size):
            da[j] += dy[j]
    if need_b:
        for j in range(dy.size):
            db[j] += dy[j]


@njit(**JIT)
def concat_forward(a, b, y):
    """a (n, outer, ia), b (n, outer, ib) -> y (n, outer, ia + ib)."""
    n, outer, ia = a.shape
    ib = b.shape[2]
    for r in range(n):
        for o in range(outer):
            for j in range(ia):
                y[r, o, j] = a[r, o, j]
            for j in range(ib):
                y[r, o, ia + j] = b[r, o, j]


@njit(**JIT)
def concat_backward(dy, da, need_a, db, need_b):
    n, outer, ia = da.shape
    ib = db.shape[2]
    for r in range(n):
        for o in range(outer):
            if need_a:
                for j in range(ia):
                    da[r, o, j] += dy[r, o, j]
            if need_b:
                for j in range(ib):
                    db[r, o, j] += dy[r, o, ia + j]
