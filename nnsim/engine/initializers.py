"""Weight initializers; each draws from a NumPy Generator so a seed reproduces a network."""

from __future__ import annotations

import math

import numpy as np

INITIALIZER_NAMES = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "uniform", "normal",
                     "zeros")

INITIALIZER_HELP = {
    "glorot_uniform": "Xavier/Glorot: U(-a, a), a = sqrt(6 / (fan_in + fan_out)); keeps variance for tanh/sigmoid.",
    "glorot_normal": "Xavier/Glorot: N(0, 2 / (fan_in + fan_out)).",
    "he_uniform": "He: U(-a, a), a = sqrt(6 / fan_in); keeps variance through ReLU layers.",
    "he_normal": "He: N(0, 2 / fan_in).",
    "uniform": "U(-0.05, 0.05): small random values.",
    "normal": "N(0, 0.05²): small random values.",
    "zeros": "All zero: every unit of a layer stays identical (the symmetry problem).",
}


def initialize(name: str, shape: tuple[int, ...], fan_in: int, fan_out: int,
               rng: np.random.Generator) -> np.ndarray:
    """Return a float64 array drawn by initializer ``name``."""
    if name == "zeros":
        return np.zeros(shape)
    if name == "ones":
        return np.ones(shape)
    if name == "glorot_uniform":
        a = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, shape)
    if name == "glorot_normal":
        return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), shape)
    if name == "he_uniform":
        a = math.sqrt(6.0 / fan_in)
        return rng.uniform(-a, a, shape)
    if name == "he_normal":
        return rng.normal(0.0, math.sqrt(2.0 / fan_in), shape)
    if name == "uniform":
        return rng.uniform(-0.05, 0.05, shape)
    if name == "normal":
        return rng.normal(0.0, 0.05, shape)
    if name == "normal_1":  # PyTorch's Embedding default
        return rng.normal(0.0, 1.0, shape)
    raise ValueError(f"unknown initializer {name!r}")
