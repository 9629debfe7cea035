"""The in-memory dataset every other part of NNSim trains on, evaluates on and plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nnsim.core.errors import DatasetError

CLASSIFICATION = "classification"
REGRESSION = "regression"
SPLITS = ("train", "test")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train/test arrays plus what the GUI needs to label them.

    Frozen so a dataset shared by the trainer, plots and inspector cannot be swapped under them;
    the arrays themselves are left writeable so compiled kernels accept them as-is.
    """

    name: str
    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    input_shape: tuple[int, ...]
    task: str
    labels_train: np.ndarray | None = None
    labels_test: np.ndarray | None = None
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    description: str = ""
    points_train: np.ndarray | None = None
    points_test: np.ndarray | None = None
    featurize: Callable[[np.ndarray], np.ndarray] | None = None
    vocab: list[str] | None = None

    def __post_init__(self) -> None:
        if self.task not in (CLASSIFICATION, REGRESSION):
            raise DatasetError(f"The dataset '{self.name}' has task {self.task!r}: use "
                               f"'{CLASSIFICATION}' or '{REGRESSION}'.")
        object.__setattr__(self, "input_shape", tuple(int(d) for d in self.input_shape))
        for split in SPLITS:
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if tuple(x.shape[1:]) != self.input_shape or len(y) != len(x):
                raise DatasetError(f"The {split} arrays of '{self.name}' do not match: x has shape "
                                   f"{x.shape}, y has {len(y)} rows, input shape is {self.input_shape}.")
            if self.task == CLASSIFICATION:
                labels = getattr(self, f"labels_{split}")
                if labels is None or len(labels) != len(x):
                    raise DatasetError(f"The classification dataset '{self.name}' needs one label "
                                       f"per {split} sample.")

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.class_names) if self.task == CLASSIFICATION else 0

    @property
    def label_steps(self) -> int:
        """Time steps labelled per sample: T for many-to-many classification ((n, T) labels), else 0."""
        if self.task != CLASSIFICATION:
            return 0
        labels = self.labels_train if self.labels_train is not None else self.labels_test
        return int(labels.shape[1]) if labels is not None and labels.ndim == 2 else 0

    @property
    def layout(self) -> str:
        """How to read an input sample: "image" (C, H, W), "sequence" (T, F), "tokens" (T,) ids, or "vector"."""
        if len(self.input_shape) == 3:
            return "image"
        if len(self.input_shape) == 2:
            return "sequence"
        return "tokens" if self.vocab is not None else "vector"

    @property
    def n_train(self) -> int:
        return int(len(self.x_train))

    @property
    def n_test(self) -> int:
        return int(len(self.x_test))

    def _split(self, split: str) -> str:
        if split not in SPLITS:
            raise DatasetError(f"Unknown split {split!r}: use 'train' or 'test'.")
        return split

    def targets(self, split: str, out_size: int, node: str = "output") -> np.ndarray:
        """Targets for ``split`` shaped for an output layer of ``out_size`` units (float32).

        Classification: a 0/1 column for a single sigmoid unit on a 2-class set, else one-hot.
        Regression: the raw targets, whose column count must equal ``out_size``.
        """
        split = self._split(split)
        if self.task == REGRESSION:
            y = getattr(self, f"y_{split}")
            k = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
            if out_size != k:
                has = f"has {out_size} unit{'s' if out_size != 1 else ''}"
                if y.ndim == 3:
                    steps, per = y.shape[1], int(np.prod(y.shape[2:]))
                    raise DatasetError(
                        f"The output '{node}' {has} but the dataset '{self.name}' has {k} target values "
                        f"per sample ({steps} steps x {per} value{'s' if per != 1 else ''}): give it {k} units.")
                raise DatasetError(
                    f"The output '{node}' {has} but the dataset '{self.name}' has "
                    f"{k} target value{'s' if k != 1 else ''} per sample: give it {k} unit"
                    f"{'s' if k != 1 else ''}.")
            return np.asarray(y, dtype=np.float32).reshape(len(y), k)
        labels = np.asarray(getattr(self, f"labels_{split}"), dtype=np.int64)
        k = self.n_classes
        if labels.ndim == 2:
            return self._step_targets(labels, out_size, node)
        if out_size == 1 and k == 2:
            return labels.astype(np.float32).reshape(-1, 1)
        if out_size == k:
            onehot = np.zeros((len(labels), k), dtype=np.float32)
            onehot[np.arange(len(labels)), labels] = 1.0
            return onehot
        fix = f"give it {k} units (softmax) or 1 unit (sigmoid)" if k == 2 else f"give it {k} units (softmax)"
        raise DatasetError(f"The output '{node}' has {out_size} unit{'s' if out_size != 1 else ''} but "
                           f"the dataset '{self.name}' has {k} classes: {fix}.")

    def _step_targets(self, labels: np.ndarray, out_size: int, node: str) -> np.ndarray:
        """One-hot per time step, (n, T, V) flattened to (n, T*V), for (n, T) labels."""
        n, steps = labels.shape
        k = self.n_classes
        if out_size != steps * k:
            what = self._symbol_word()
            gives = f"{steps}x{out_size // steps}" if out_size % steps == 0 else str(out_size)
            raise DatasetError(
                f"The output '{node}' gives {gives} value{'s' if out_size != 1 else ''} per sample but the dataset '{self.name}' needs "
                f"{steps} steps x {k} {what}: give the last layer {k} units (one per {what[:-1]}) at each "
                f"of the {steps} steps, {steps * k} values in all.")
        onehot = np.zeros((n, steps, k), dtype=np.float32)
        onehot[np.arange(n)[:, None], np.arange(steps)[None, :], labels] = 1.0
        return onehot.reshape(n, steps * k)

    def _symbol_word(self) -> str:
        if self.vocab is not None and self.vocab and all(len(v) == 1 for v in self.vocab):
            return "characters"
        return "words" if self.vocab else "classes"

    def summary(self) -> dict[str, Any]:
        """Plain-JSON overview for the CLI and the dataset panel."""
        out: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "description": self.description,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "input_shape": list(self.input_shape),
            "features": list(self.feature_names),
            "layout": self.layout,
        }
        shape = self.input_shape
        if self.layout == "image":
            out["image"] = {"channels": shape[0], "height": shape[1], "width": shape[2]}
        elif self.layout == "sequence":
            out["sequence_length"], out["step_features"] = shape
        elif self.layout == "tokens":
            out["sequence_length"] = shape[0]
        if self.vocab is not None:
            out["vocab_size"] = len(self.vocab)
            out["input_encoding"] = "ids" if self.layout == "tokens" else "onehot"
        if self.task == CLASSIFICATION:
            out["classes"] = list(self.class_names)
            steps = self.label_steps
            if steps:
                out["label_steps"] = steps
            out["output_units"] = steps * self.n_classes if steps else self.n_classes
            out["class_balance"] = {
                split: {name: int(c) for name, c in zip(
                    self.class_names,
                    np.bincount(np.ravel(getattr(self, f"labels_{split}")), minlength=self.n_classes))}
                for split in SPLITS}
        else:
            y = np.asarray(self.y_train, dtype=np.float64)
            out["n_targets"] = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
            out["output_units"] = out["n_targets"]
            if y.ndim == 3:
                out["label_steps"] = int(y.shape[1])
            out["target_range"] = [float(y.min()), float(y.max())] if y.size else [0.0, 0.0]
        return out


def classification(name: str, x: np.ndarray, labels: np.ndarray, train: np.ndarray, test: np.ndarray,
                   class_names: list[str], **extra: Any) -> Dataset:
    """Build a classification Dataset from full arrays and index splits (shared by the builders)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    y = labels.astype(np.float32)
    y = y.reshape(-1, 1) if y.ndim == 1 else y  # (n, T) labels keep their steps
    return Dataset(
        name=name, x_train=x[train], x_test=x[test], y_train=y[train], y_test=y[test],
        labels_train=labels[train], labels_test=labels[test],
        input_shape=tuple(x.shape[1:]), task=CLASSIFICATION, class_names=list(class_names), **extra)


def regression(name: str, x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray,
               keep_steps: bool = False, **extra: Any) -> Dataset:
    """Build a regression Dataset from full arrays and index splits; y becomes (n, k).

    With ``keep_steps`` a (n, T, k) sequence target stays 3-D (many-to-many regression).
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    if not (keep_steps and y.ndim == 3):
        y = y.reshape(len(y), -1) if y.ndim != 2 else y
    return Dataset(name=name, x_train=x[train], x_test=x[test], y_train=y[train], y_test=y[test],
                   input_shape=tuple(x.shape[1:]), task=REGRESSION, **extra)
