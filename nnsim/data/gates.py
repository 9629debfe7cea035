"""Logic-gate truth tables: the smallest sets, to show why XOR needs a hidden layer."""

from __future__ import annotations

import itertools
from typing import Callable

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.dataset import Dataset, classification

GATES: dict[str, tuple[int, Callable[..., bool]]] = {
    "and": (2, lambda a, b: a and b),
    "or": (2, lambda a, b: a or b),
    "not": (1, lambda a: not a),
    "nand": (2, lambda a, b: not (a and b)),
    "xor": (2, lambda a, b: a != b),
}

GATE_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("encoding", "choice", "binary",
              "Input values: binary uses 0/1, bipolar uses -1/+1 (often trains faster with tanh).",
              choices=("binary", "bipolar")),
)


def make_gate(gate: str, encoding: str = "binary") -> Dataset:
    """The full truth table of ``gate``, used as both training and test set."""
    gate = gate.lower()
    if gate not in GATES:
        raise DatasetError(f"Unknown logic gate {gate!r}: use one of {', '.join(GATES)}.")
    if encoding not in ("binary", "bipolar"):
        raise DatasetError(f"Unknown encoding {encoding!r}: use 'binary' or 'bipolar'.")
    n_in, fn = GATES[gate]
    rows = list(itertools.product((0, 1), repeat=n_in))
    x = np.array(rows, dtype=np.float32)
    if encoding == "bipolar":
        x = 2.0 * x - 1.0
    labels = np.array([int(bool(fn(*r))) for r in rows], dtype=np.int64)
    idx = np.arange(len(rows), dtype=np.int64)
    names = ["a"] if n_in == 1 else ["a", "b"]
    return classification(
        gate, x, labels, idx, idx, ["0", "1"], feature_names=names,
        description=f"{gate.upper()} gate truth table ({encoding} inputs); the test set is the training set.")
