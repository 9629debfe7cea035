"""Shaped views of the flat arenas (batch first)."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(inline="always", **JIT)
def rows(a, off, n, size):
    return a[off:off + n * size].reshape((n, size))


@njit(inline="always", **JIT)
def rows3(a, off, n, d1, d2):
    return a[off:off + n * d1 * d2].reshape((n, d1, d2))


@njit(inline="always", **JIT)
def rows4(a, off, n, d1, d2, d3):
    return a[off:off + n * d1 * d2 * d3].reshape((n, d1, d2, d3))
