"""Index helpers for the trainer and the dataset builders: orders and splits, never copies of data."""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import DatasetError


def epoch_order(n: int, shuffle: bool, rng: np.random.Generator) -> np.ndarray:
    """Sample order for one epoch: a fresh permutation when shuffling, else 0..n-1."""
    if shuffle:
        return rng.permutation(n).astype(np.int64)
    return np.arange(n, dtype=np.int64)


def _n_held_out(n: int, fraction: float) -> int:
    if fraction <= 0:
        return 0
    return int(min(max(round(n * fraction), 1), n - 1))


def train_validation_split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split 0..n-1 into (train, validation) sorted index arrays; ``fraction`` goes to validation.

    Keeps at least one training sample; a fraction of 0 gives an empty validation set.
    """
    if not 0 <= fraction < 1:
        raise DatasetError(f"The validation fraction is {fraction}: use a value from 0 up to (not including) 1.")
    k = _n_held_out(n, fraction) if n > 1 else 0
    perm = np.random.default_rng(seed).permutation(n)
    return np.sort(perm[k:]).astype(np.int64), np.sort(perm[:k]).astype(np.int64)


def split_indices(n: int, test_ratio: float, rng: np.random.Generator,
                  labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled (train, test) index arrays; stratified per class when ``labels`` are given.

    Stratifying keeps every class present in both splits, even on small or unbalanced sets.
    """
    if n < 2:
        raise DatasetError(f"The dataset has {n} sample{'s' if n != 1 else ''}: at least 2 are needed "
                           "to make a training and a test set.")
    if labels is None:
        perm = rng.permutation(n)
        k = _n_held_out(n, test_ratio)
        return perm[k:].astype(np.int64), perm[:k].astype(np.int64)
    labels = np.asarray(labels)
    train: list[np.ndarray] = []
    test: list[np.ndarray] = []
    for cls in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == cls))
        k = _n_held_out(len(idx), test_ratio) if len(idx) > 1 else 0
        test.append(idx[:k])
        train.append(idx[k:])
    tr, te = np.concatenate(train), np.concatenate(test)
    if len(te) == 0:  # every class had a single sample
        tr, te = tr[1:], tr[:1]
    return rng.permutation(tr).astype(np.int64), rng.permutation(te).astype(np.int64)
