"""What the live views draw, built on the training thread: one :class:`LiveFrame` per redraw.

A frame extends the trainer's :class:`Snapshot` (weights, probe activations and gradients,
per-layer gradient norms, recurrent internals) with what particular views need, each computed
only when asked and only when it applies:

- ``boundary``: the network's output over a grid of the 2-D input plane (Playground sets);
- ``neuron_maps``: every unit's output over a coarser grid (thumbnails inside the nodes);
- ``predictions``: test-set outputs, labels and the confusion matrix (classification);
- ``sample``: text generated from the current weights (character models);
- ``generative``: each started RBM or autoencoder phase's snapshot (reconstructions, samples, filters).

Everything here is a copy, or (the history) lists the trainer never changes before their latest
entry; the GUI may keep frames as long as it likes. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Callable

import numpy as np

from nnsim.data import Dataset
from nnsim.engine.sampling import sample_text
from nnsim.training import metrics as M
from nnsim.training.snapshot import Snapshot
from nnsim.training.pretraining import PhasedTrainer
from nnsim.training.trainer import Trainer

BOUNDARY_GRID = 64
NEURON_GRID = 24
PLANE = (-6.0, 6.0)  # Playground's input range
MAX_PREDICTIONS = 2000


# What a frame may carry beyond the history, each built only when some visible view draws it.
PARTS = frozenset({"weights", "activations", "gradients", "boundary", "neuron_maps", "predictions", "sample",
                   "generative"})


@dataclass(frozen=True)
class Boundary:
    xs: np.ndarray  # (G,) grid coordinates along x1
    ys: np.ndarray  # (G,) along x2
    values: np.ndarray  # (G, G) output (probability of class 1, the argmax class, or the regression value)
    kind: str  # "probability", "class" or "value"


@dataclass(frozen=True)
class Predictions:
    outputs: np.ndarray  # (n, *output_shape) test outputs
    labels: np.ndarray | None  # (n,) or (n, T) true classes; None for regression
    predicted: np.ndarray | None  # same shape as labels
    confusion: np.ndarray | None  # (K, K) rows true, columns predicted
    per_class_accuracy: np.ndarray | None  # (K,)


class HistoryPrefix(Sequence):
    """The first ``n`` entries of a history series, read without copying it; the last of them is a copy
    (the trainer may replace a series' latest entry, see :mod:`nnsim.training.history`)."""

    __slots__ = ("_values", "_n", "_last")

    def __init__(self, values: list, n: int, last=None):
        self._values, self._n, self._last = values, n, last

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index):
        n = self._n
        if isinstance(index, slice):
            start, stop, step = index.indices(n)
            if step == 1 and stop < n:
                return self._values[start:stop]
            if step == 1:  # the common case: the epochs since the last frame, the latest one copied
                return self._values[start:n - 1] + [self._last] if start < n else []
            return [self[i] for i in range(start, stop, step)]
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("history index out of range")
        return self._last if i == n - 1 else self._values[i]

    def __iter__(self) -> Iterator:
        if self._n:
            yield from islice(self._values, self._n - 1)
            yield self._last

    def __eq__(self, other) -> bool:
        if isinstance(other, (HistoryPrefix, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # equal to lists, so unhashable like them

    def __repr__(self) -> str:
        return f"HistoryPrefix({list(self)!r})"


class FrameHistory(Mapping):
    """A trainer's per-epoch history as it stood when a frame was built, shared rather than copied.

    A trainer only appends to its history series, or replaces their latest entry, or swaps in new,
    thinned lists (:mod:`nnsim.training.history`), so a frame keeps each list with its length and a
    copy of its last value: reading it later sees exactly those epochs. Copying instead cost the
    training thread O(epochs) per frame: 1.7 ms a frame after ten minutes of ``digits-cnn``.
    """

    def __init__(self, history: Mapping[str, list]):
        self._lists = {key: (values, len(values), values[-1] if values else None) for key, values in history.items()}

    def __getitem__(self, key: str) -> HistoryPrefix:
        return HistoryPrefix(*self._lists[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)


@dataclass(frozen=True)
class LiveFrame:
    snapshot: Snapshot
    history: Mapping[str, Sequence]  # the trainer's per-epoch history when the frame was built
    steps_per_second: float
    boundary: Boundary | None = None
    neuron_maps: dict[str, np.ndarray] = field(default_factory=dict)  # node -> (units, g, g)
    predictions: Predictions | None = None
    sample: str | None = None
    supervised: bool = True  # False for a graph ending in an RBM: no predictions, no labels to compare
    generative: dict[str, Any] = field(default_factory=dict)  # node -> its phase trainer's snapshot
    phase: Any = None  # a PhasedTrainer's current Phase, else None
    parts: frozenset[str] = PARTS  # which of PARTS were built (a part that does not apply is still listed)


def input_plane(d: Dataset) -> tuple[tuple[float, float], Callable[[np.ndarray], np.ndarray]] | None:
    """The square of the (x1, x2) plane a boundary covers, and how a point becomes the network's input.

    Playground sets use Playground's -6..6 and their features; any other two-input set (logic gates)
    its own data range plus half of it on each side, so 0/1 points sit at a quarter and three quarters
    and a unit's line near the corners still crosses the picture.
    """
    if d.points_train is not None and d.featurize is not None:
        return PLANE, d.featurize
    if tuple(d.input_shape) == (2,):
        lo, hi = float(d.x_train.min()), float(d.x_train.max())
        margin = 0.5 * max(hi - lo, 1.0)
        return (lo - margin, hi + margin), (lambda p: p)
    return None


def plane_grid(plane: tuple[float, float], featurize: Callable, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, network inputs of the g x g grid points; rows follow x2, columns x1)."""
    xs = np.linspace(*plane, g)
    gx, gy = np.meshgrid(xs, xs)
    points = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return xs, xs.copy(), np.ascontiguousarray(featurize(points), dtype=np.float32)


def boundary_of(out: np.ndarray, xs: np.ndarray, ys: np.ndarray, task: str) -> Boundary:
    """A Boundary from the network's outputs (g*g, k) over the grid."""
    g = len(xs)
    out = out.reshape(g * g, -1)
    if task == "regression":
        return Boundary(xs, ys, out[:, 0].reshape(g, g).copy(), "value")
    if out.shape[1] <= 2:
        return Boundary(xs, ys, out[:, out.shape[1] - 1].reshape(g, g).copy(), "probability")
    return Boundary(xs, ys, out.argmax(1).reshape(g, g).astype(np.float32), "class")


class LiveFrameBuilder:
    """Builds frames for one trainer; call it on the thread that trains."""

    def __init__(self, trainer: Trainer | PhasedTrainer):
        self.trainer = trainer
        self.data = trainer.dataset
        found = input_plane(self.data) if trainer.supervised else None  # an RBM's outputs are features
        self.plane, self._featurize = found if found is not None else (None, None)
        self._grid = self._plane_grid(BOUNDARY_GRID) if self.plane else None
        self._neuron_grid = self._plane_grid(NEURON_GRID) if self.plane else None

    def _plane_grid(self, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return plane_grid(self.plane, self._featurize, g)

    def build(self, predictions: bool = False, sample: bool = False, boundary: bool = True,
              neuron_maps: bool = True, generative: bool = True, activations: bool = True,
              gradients: bool = True) -> LiveFrame:
        """A frame with the parts asked for (weights always: the canvas draws them)."""
        t = self.trainer
        wanted = {"weights": True, "activations": activations, "gradients": gradients, "boundary": boundary,
                  "neuron_maps": neuron_maps, "predictions": predictions, "sample": sample, "generative": generative}
        return LiveFrame(t.snapshot(activations=activations, gradients=gradients), FrameHistory(t.history),
                         t.steps_per_second,
                         self._boundary() if boundary else None,
                         self._neuron_maps() if neuron_maps else {},
                         self._predictions() if predictions else None,
                         self._sample() if sample else None, t.supervised,
                         self._generative() if generative else {}, getattr(t, "phase", None),
                         frozenset(name for name, on in wanted.items() if on))

    # --- pieces -----------------------------------------------------------------------------------
    def _boundary(self) -> Boundary | None:
        if self._grid is None:
            return None
        xs, ys, features = self._grid
        return boundary_of(self.trainer.net.forward(features), xs, ys, self.data.task)

    def _neuron_maps(self) -> dict[str, np.ndarray]:
        """Each node's units over the plane, from one forward pass per chunk of grid points."""
        if self._neuron_grid is None:
            return {}
        _, _, features = self._neuron_grid
        net = self.trainer.net
        g = NEURON_GRID
        chunks: dict[str, list[np.ndarray]] = {}
        for start in range(0, len(features), net.max_batch):
            part = features[start:start + net.max_batch]
            net.forward(part)
            for node in net.graph.nodes:
                if len(node.out_shape) == 1:
                    chunks.setdefault(node.name, []).append(net.buffer_rows(node.name, len(part)))
        return {name: np.concatenate(parts).T.reshape(-1, g, g).copy() for name, parts in chunks.items()}

    def _predictions(self) -> Predictions | None:
        t = self.trainer
        if not t.supervised:
            return None
        x, y = t.x_test[:MAX_PREDICTIONS], t.y_test[:MAX_PREDICTIONS]
        if len(x) == 0:
            return None
        _, _, outputs = t.net.evaluate(x, y)
        if not t.classification:
            return Predictions(outputs, None, None, None, None)
        groups = t.net.groups
        flat_out = outputs.reshape(len(x) * groups, -1)
        labels = M.predicted_classes(y.reshape(len(x) * groups, -1))
        predicted = M.predicted_classes(flat_out)
        k = max(self.data.n_classes, 2)
        confusion = M.confusion_matrix(flat_out, labels, k)
        totals = confusion.sum(axis=1)
        per_class = np.divide(np.diag(confusion), totals, out=np.full(k, np.nan), where=totals > 0)
        shape = (len(x), groups) if groups > 1 else (len(x),)
        return Predictions(outputs, labels.reshape(shape), predicted.reshape(shape), confusion, per_class)

    def _generative(self) -> dict[str, Any]:
        """The snapshot of every unsupervised phase that has started or is over (none for a Trainer)."""
        t = self.trainer
        phases = getattr(t, "phases", None)
        if not phases:
            return {}
        current = t.phase.index
        return {p.node: t.phase_snapshot(p.node) for p in phases
                if p.node is not None and (p.index <= current or p.epoch > 0)}

    def _sample(self) -> str | None:
        vocab = self.data.vocab
        if vocab is None or self.data.label_steps == 0 or not all(len(v) == 1 for v in vocab):
            return None  # only character models generate text
        encoding = "onehot" if len(self.trainer.net.input_shape) == 2 else "ids"
        prime = "".join(vocab[i] for i in self.data.labels_train[0][:8]) if self.data.labels_train is not None else ""
        return sample_text(self.trainer.net, vocab, prime, 160, temperature=0.6, seed=self.trainer.updates,
                           encoding=encoding)
