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
                raise DatasetError(
                    f"The output '{node}' has {out_size} units but the dataset '{self.name}' has "
                    f"{k} target value{'s' if k != 1 else ''} per sample: give it {k} unit"
                    f"{'s' if k != 1 else ''}.")
            return np.asarray(y, dtype=np.float32).reshape(len(y), k)
        labels = np.asarray(getattr(self, f"labels_{split}"), dtype=np.int64)
        k = self.n_classes
        if out_size == 1 and k == 2:
            return labels.astype(np.float32).reshape(-1, 1)
        if out_size == k:
            onehot = np.zeros((len(labels), k), dtype=np.float32)
            onehot[np.arange(len(labels)), labels] = 1.0
            return onehot
        fix = f"give it {k} units (softmax) or 1 unit (sigmoid)" if k == 2 else f"give it {k} units (softmax)"
        raise DatasetError(f"The output '{node}' has {out_size} unit{'s' if out_size != 1 else ''} but "
                           f"the dataset '{self.name}' has {k} classes: {fix}.")

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
        }
        if self.task == CLASSIFICATION:
            out["classes"] = list(self.class_names)
            out["class_balance"] = {
                split: {name: int(c) for name, c in zip(
                    self.class_names,
                    np.bincount(getattr(self, f"labels_{split}"), minlength=self.n_classes))}
                for split in SPLITS}
        else:
            y = np.asarray(self.y_train, dtype=np.float64)
            out["n_targets"] = 1 if y.ndim == 1 else int(np.prod(y.shape[1:]))
            out["target_range"] = [float(y.min()), float(y.max())] if y.size else [0.0, 0.0]
        return out


def classification(name: str, x: np.ndarray, labels: np.ndarray, train: np.ndarray, test: np.ndarray,
                   class_names: list[str], **extra: Any) -> Dataset:
    """Build a classification Dataset from full arrays and index splits (shared by the builders)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    return Dataset(
        name=name, x_train=x[train], x_test=x[test],
        y_train=labels[train].astype(np.float32).reshape(-1, 1),
        y_test=labels[test].astype(np.float32).reshape(-1, 1),
        labels_train=labels[train], labels_test=labels[test],
        input_shape=tuple(x.shape[1:]), task=CLASSIFICATION, class_names=list(class_names), **extra)


def regression(name: str, x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray,
               **extra: Any) -> Dataset:
    """Build a regression Dataset from full arrays and index splits; y becomes (n, k)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    y = y.reshape(len(y), -1) if y.ndim != 2 else y
    return Dataset(name=name, x_train=x[train], x_test=x[test], y_train=y[train], y_test=y[test],
                   input_shape=tuple(x.shape[1:]), task=REGRESSION, **extra)
