"""The in-memory form of a ``.nnsim`` project: plain data only, no Qt, no live objects."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _current_version() -> str:
    # Imported lazily so that ``nnsim/__init__`` may import this package without a cycle.
    from nnsim import __version__

    return __version__


@dataclass(eq=False)
class ProjectDocument:
    """Everything a project file holds.

    ``graph``, ``dataset`` and ``training`` are opaque JSON-able dicts here (their own packages
    validate them). ``history`` maps a series name (``train_loss``, ``test_loss``...) to one value
    per epoch; a missing or non-finite value is ``None``. ``weights`` maps ``"<node>/<weight>"`` to
    a numeric numpy array.
    """

    graph: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float | None]] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    app_version: str = field(default_factory=_current_version)

    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        """Field-wise equality; arrays must match bit for bit (dtype, shape and bytes), and in the
        history ``None`` equals a non-finite float (that is how files store them)."""
        if not isinstance(other, ProjectDocument):
            return NotImplemented
        if (self.graph, self.dataset, self.training, self.meta, self.app_version) != (
            other.graph, other.dataset, other.training, other.meta, other.app_version
        ):
            return False
        return _history_equal(self.history, other.history) and _weights_equal(self.weights, other.weights)


def _norm(v: Any) -> Any:
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _history_equal(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    return all([_norm(x) for x in a[k]] == [_norm(y) for y in b[k]] for k in a)


def _weights_equal(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if np.ascontiguousarray(x).tobytes() != np.ascontiguousarray(y).tobytes():
            return False
    return True
