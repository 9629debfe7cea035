"""Data as the rows a small unsupervised model (RBM, autoencoder) works on."""

from __future__ import annotations

import math

import numpy as np

from nnsim.core.errors import TrainingError


def model_rows(x, units: int, what: str, model: str, dtype: np.dtype) -> np.ndarray:
    """``x`` as contiguous (n, units) rows of ``dtype``; a wrong width raises TrainingError naming ``model``."""
    x = np.asarray(x)
    x = x.reshape(1, -1) if x.ndim == 1 else x.reshape(len(x), math.prod(x.shape[1:]))
    if x.shape[1] != units:
        raise TrainingError(f"The {model} has {units} {what} units but the data has {x.shape[1]} values per "
                            f"sample: give it {x.shape[1]} {what} units.")
    return np.ascontiguousarray(x, dtype=dtype)
