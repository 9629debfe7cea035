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
    groups = [rng.permutation(np.flatnonzero(labels == cls)) for cls in np.unique(labels)]
    quotas = _class_quotas([len(g) for g in groups], _n_held_out(n, test_ratio))
    test = np.concatenate([g[:k] for g, k in zip(groups, quotas)])
    train = np.concatenate([g[k:] for g, k in zip(groups, quotas)])
    return rng.permutation(train).astype(np.int64), rng.permutation(test).astype(np.int64)


def _class_quotas(sizes: list[int], total: int) -> list[int]:
    """Test samples per class: proportional, summing to ``total`` (largest remainders first),
    at least one per class of 2+ samples and never a whole class."""
    n = sum(sizes)
    exact = [total * s / n for s in sizes]
    quotas = [min(max(int(e), 1 if s > 1 else 0), max(s - 1, 0)) for e, s in zip(exact, sizes)]
    order = sorted(range(len(sizes)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    while sum(quotas) < total:
        grown = False
        for i in order:
            if sum(quotas) < total and quotas[i] < sizes[i] - 1:
                quotas[i] += 1
                grown = True
        if not grown:
            break
    if sum(quotas) == 0:  # every class has a single sample: hold one out anyway
        quotas[order[0]] = 1
    return quotas
