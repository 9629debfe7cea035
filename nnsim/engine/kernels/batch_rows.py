"""Copying a mini-batch of dataset rows, in an epoch's shuffled order, into a batch buffer (the RBM and
autoencoder kernels; the interpreter gathers into its flat buffers itself)."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def gather_rows(X, order, start, n, out):
    """out[r] = X[order[start + r]] for r < n."""
    for r in range(n):
        out[r, :] = X[order[start + r]]
