"""Metrics from predictions: accuracy, confusion matrix, RMSE, R²."""

from __future__ import annotations

import numpy as np


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """Argmax for several outputs, a 0.5 threshold for one."""
    outputs = outputs.reshape(len(outputs), -1)
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(np.int64)
    return outputs.argmax(axis=1)


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(predicted_classes(outputs) == labels)) if len(labels) else float("nan")


def confusion_matrix(outputs: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted classes."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(m, (labels, predicted_classes(outputs)), 1)
    return m


def rmse(outputs: np.ndarray, targets: np.ndarray) -> float:
    return float(np.sqrt(np.mean((outputs.reshape(targets.shape) - targets) ** 2)))


def r2_score(outputs: np.ndarray, targets: np.ndarray) -> float:
    residual = np.sum((outputs.reshape(targets.shape) - targets) ** 2)
    total = np.sum((targets - targets.mean(axis=0)) ** 2)
    return float(1.0 - residual / total) if total > 0 else float("nan")
