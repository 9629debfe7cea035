"""What the trainer hands out between steps: frozen copies, never views into live buffers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Snapshot:
    epoch: int
    step: int  # updates so far
    metrics: dict[str, float]  # latest epoch metrics (train_loss, test_accuracy, ...)
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # "node/weight" -> copy
    activations: dict[str, np.ndarray] = field(default_factory=dict)  # node -> (probe, *shape)
    gradients: dict[str, np.ndarray] = field(default_factory=dict)  # "node/weight" -> copy
    grad_norms: dict[str, float] = field(default_factory=dict)  # node -> L2 norm of its gradients
    internals: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # node -> name -> (probe, ...)
    probe_inputs: np.ndarray | None = None
    probe_outputs: np.ndarray | None = None


def filter_image_shape(input_shape: tuple[int, ...], n_visible: int) -> tuple[int, ...]:
    """How to draw a filter: the dataset's image (one channel dropped), a square, else one row."""
    if len(input_shape) == 3 and input_shape[0] == 1:
        return tuple(input_shape[1:])
    if len(input_shape) == 2:
        return tuple(input_shape)
    side = math.isqrt(n_visible)
    return (side, side) if side * side == n_visible else (1, n_visible)
