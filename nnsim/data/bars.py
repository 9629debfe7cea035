"""Bars and stripes (MacKay): n x n binary images whose columns (bars) or rows (stripes) are all on or
all off. 3 x 3 gives 14 distinct images and 9 visible units, small enough for an RBM whose exact
partition function and pattern probabilities can be computed and checked by hand."""

from __future__ import annotations

import itertools

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.dataset import Dataset, classification

BARS_CLASSES = ["vertical bars", "horizontal stripes", "blank or full"]

BARS_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("size", "int", 3, "Images are size x size pixels: 3 gives 14 patterns (9 visible units).", 2, 4),
    ParamSpec("copies", "int", 20, "How often each pattern appears in the training set.", 1, 1000),
    ParamSpec("seed", "int", 0, "Random seed of the training order.", 0, 2**31 - 1),
)


def bars_and_stripes(size: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct pattern (n, size*size) once, and its class (0 bars, 1 stripes, 2 blank or full)."""
    if not 2 <= size <= 4:
        raise DatasetError(f"Bars and stripes needs a size from 2 to 4, not {size}: choose one of them.")
    patterns: dict[bytes, tuple[np.ndarray, int]] = {}
    for on in itertools.product((0.0, 1.0), repeat=size):
        line = np.array(on, dtype=np.float32)
        for label, image in ((0, np.tile(line, (size, 1))), (1, np.tile(line[:, None], (1, size)))):
            if not line.any() or line.all():
                label = 2
            patterns.setdefault(image.tobytes(), (image.ravel(), label))
    images = np.stack([p for p, _ in patterns.values()])
    labels = np.array([k for _, k in patterns.values()], dtype=np.int64)
    return images, labels


def make_bars(size: int = 3, copies: int = 20, seed: int = 0) -> Dataset:
    """Each pattern ``copies`` times (shuffled) for training; every pattern once for testing."""
    if not 1 <= copies <= 1000:
        raise DatasetError(f"Bars and stripes needs 1 to 1000 copies of each pattern, not {copies}: choose one.")
    images, labels = bars_and_stripes(size)
    n = len(images)
    order = np.random.default_rng(seed).permutation(np.tile(np.arange(n), copies))
    x = np.concatenate([images, images])  # rows 0..n-1 for the training copies, n..2n-1 for the test set
    y = np.concatenate([labels, labels])
    return classification(
        "bars", x, y, order, np.arange(n, 2 * n), BARS_CLASSES,
        description=f"{n} bars-and-stripes patterns of {size}x{size} pixels; the test set is each pattern once.")
