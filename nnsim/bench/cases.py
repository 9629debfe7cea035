"""The benchmark cases: one architecture, batch size and float32 data, trained by both engines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnsim.data import load_dataset

Layers = list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    name: str
    layers: Layers  # after the Input; the last Dense's softmax is left to the loss in PyTorch
    loss: str
    batch: int
    data: Callable[[], tuple[np.ndarray, np.ndarray, str]]  # x, targets (n, out values), task


def _tiny() -> tuple[np.ndarray, np.ndarray, str]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1000, 2)).astype(np.float32)
    return x, (np.sin(3 * x[:, :1]) * x[:, 1:]).astype(np.float32), "regression"


def _digits(layout: str) -> Callable[[], tuple[np.ndarray, np.ndarray, str]]:
    def load() -> tuple[np.ndarray, np.ndarray, str]:
        d = load_dataset({"name": "digits", "params": {"layout": layout}})
        return d.x_train.astype(np.float32), d.targets("train", 10), "classification"
    return load


def _images28() -> tuple[np.ndarray, np.ndarray, str]:
    """28x28 one-channel images with 10 classes (random: only speed is measured)."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (1024, 1, 28, 28)).astype(np.float32)
    return x, np.eye(10, dtype=np.float32)[rng.integers(0, 10, 1024)], "classification"


def _chars() -> tuple[np.ndarray, np.ndarray, str]:
    """One-hot character windows (T=25, vocabulary 65) and next-character targets per step."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 65, (512, 26))
    eye = np.eye(65, dtype=np.float32)
    return eye[ids[:, :-1]], eye[ids[:, 1:]].reshape(512, -1), "classification"


def dense(units: int, activation: str) -> tuple[str, dict[str, Any]]:
    return ("Dense", {"units": units, "activation": activation})


CASES = [
    Case("mlp-tiny", [dense(8, "tanh"), dense(8, "tanh"), dense(1, "identity")], "mse", 10, _tiny),
    Case("mlp-digits", [dense(128, "relu"), dense(10, "softmax")], "cross_entropy", 32, _digits("flat")),
    Case("cnn-digits", [("Conv2D", {"filters": 16, "kernel_size": 3, "padding": "same", "activation": "relu"}),
                        ("MaxPool2D", {"size": 2}), ("Flatten", {}), dense(10, "softmax")],
         "cross_entropy", 32, _digits("image")),
    Case("lenet-shapes", [("Conv2D", {"filters": 16, "kernel_size": 5, "activation": "relu"}),
                          ("MaxPool2D", {"size": 2}),
                          ("Conv2D", {"filters": 32, "kernel_size": 5, "activation": "relu"}),
                          ("MaxPool2D", {"size": 2}), ("Flatten", {}), dense(10, "softmax")],
         "cross_entropy", 64, _images28),
    Case("lstm-char", [("LSTM", {"units": 128, "return_sequences": True}), dense(65, "softmax")],
         "cross_entropy", 32, _chars),
]
