"""Truth tables: a network's output for every binary input combination (for logic-gate networks)."""

from __future__ import annotations

import itertools
import math

import numpy as np

from nnsim.core.errors import GraphError
from nnsim.engine.network import Network

MAX_TRUTH_INPUTS = 12  # 4096 rows


def truth_table(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (2ⁿ, n) in counting order, the first input most significant, and the outputs (2ⁿ, k).

    Runs in evaluation mode, so step units give exact 0/1 answers.
    """
    n = math.prod(net.input_shape)
    if n > MAX_TRUTH_INPUTS:
        raise GraphError(f"A truth table of {n} inputs would have 2^{n} rows: use a network with at most "
                         f"{MAX_TRUTH_INPUTS} inputs.")
    x = np.array(list(itertools.product((0.0, 1.0), repeat=n)), dtype=net.dtype).reshape(-1, n)
    outputs = net.forward(x.reshape((len(x),) + net.input_shape))
    return x, outputs.reshape(len(x), -1)
