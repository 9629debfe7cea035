"""A tiny xorshift64* generator whose state is an array we own, so runs replay bit for bit."""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT

_MULT = np.uint64(2685821657736338717)


@njit(**JIT)
def uniform(state):
    """Return a float64 in [0, 1) and advance ``state`` (a uint64 array of length 1)."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return ((x * _MULT) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def seed_state(seed: int) -> np.ndarray:
    """A non-zero state from any integer seed (splitmix64 of the seed)."""
    z = (int(seed) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    return np.array([z or 1], dtype=np.uint64)
