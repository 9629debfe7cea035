"""The 8x8 handwritten digits (1797 samples): a real image set small enough to train live.

Read from ``resources/datasets/digits.npz`` (made by scripts/make_digits_resource.py), so
scikit-learn is only needed to regenerate that file.
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.core.resources import resource_path
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification

DIGITS_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("test_ratio", "float", 0.2, "Fraction of the images kept aside for testing.", 0.1, 0.9),
    ParamSpec("seed", "int", 0, "Random seed of the train/test split.", 0, 2**31 - 1),
    ParamSpec("layout", "choice", "flat",
              "flat: 64 inputs for dense layers; image: 1x8x8 for convolution layers.",
              choices=("flat", "image")),
    ParamSpec("binarize", "bool", False, "Pixels become 1 where they are at least 0.5, else 0: the binary "
              "data an RBM's visible units model."),
)


def _read_resource() -> tuple[np.ndarray, np.ndarray]:
    path = resource_path("datasets", "digits.npz")
    try:
        with np.load(path, allow_pickle=False) as data:
            return np.asarray(data["images"]), np.asarray(data["labels"])
    except (OSError, KeyError, ValueError) as err:
        raise DatasetError(f"The bundled digits file {path} cannot be read ({err}): reinstall NNSim "
                           "or run scripts/make_digits_resource.py.") from None


def make_digits(test_ratio: float = 0.2, seed: int = 0, layout: str = "flat", binarize: bool = False) -> Dataset:
    """Pixels scaled to [0, 1] (or thresholded at 0.5); stratified, seeded split; flat (64,) or image (1, 8, 8)."""
    if layout not in ("flat", "image"):
        raise DatasetError(f"Unknown digits layout {layout!r}: use 'flat' or 'image'.")
    images, labels = _read_resource()
    x = images.astype(np.float32) / 16.0
    if binarize:
        x = (x >= 0.5).astype(np.float32)
    x = x.reshape(len(x), 64) if layout == "flat" else x.reshape(len(x), 1, 8, 8)
    train, test = split_indices(len(x), test_ratio, np.random.default_rng(seed), labels=labels)
    return classification(
        "digits", x, labels.astype(np.int64), train, test, [str(d) for d in range(10)],
        feature_names=[f"pixel r{r}c{c}" for r in range(8) for c in range(8)],
        description="8x8 handwritten digits 0-9 (UCI, via scikit-learn), pixels "
                    + ("thresholded to 0 or 1." if binarize else "scaled to [0, 1]."))
