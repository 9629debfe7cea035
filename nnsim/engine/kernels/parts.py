"""Splitting a batch over two cores: contiguous sample ranges, one per thread.

Samples are independent in a forward pass and in a recurrence, so a kernel can run its per-sample
work on ``parts`` contiguous ranges in a ``prange``: one fork and join per kernel call, not one per
time step or matrix product (OpenBLAS's own threads sync inside every product, which collapses
when another process holds a core). Sums over samples (weight gradients) happen afterwards in a
fixed order. ``parts`` depends only on the batch and its work, never on how many threads exist,
so a seed gives the same numbers on one core or two (with one thread the parts run in turn).
"""

from numba import njit

from nnsim.engine.kernels import JIT

MAX_PARTS = 2  # the machines NNSim targets have two cores; more parts would only add overhead
PARALLEL_MIN_WORK = 1 << 20  # multiply-adds below which a fork and join (~10 us) costs more than it saves


@njit(**JIT)
def sample_parts(n, work_per_sample):
    """How many contiguous sample ranges to split ``n`` samples into."""
    if n < MAX_PARTS or n * work_per_sample < PARALLEL_MIN_WORK:
        return 1
    return MAX_PARTS


@njit(**JIT)
def part_bounds(p, parts, n):
    """Samples [lo, hi) of part ``p`` (sizes differ by at most one)."""
    return (n * p) // parts, (n * (p + 1)) // parts
