"""Rebuild the bundled examples in resources/examples/ (untrained: `nnsim train --example NAME`).

Run: python scripts/build_examples.py   (tests check the shipped files match these definitions)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nnsim.graph import sequential
from nnsim.project import EXAMPLES_DIR, Project


def _project(layers: list[tuple[str, str, dict[str, Any]]], dataset: dict[str, Any], training: dict[str, Any],
             title: str, description: str) -> Project:
    graph = sequential([(t, p) for _, t, p in layers], names=[n for n, _, _ in layers])
    return Project(graph, dataset, training, meta={"title": title, "description": description})


SPIRAL_FEATURES = {"feat_x1": True, "feat_x2": True, "feat_x1_sq": True, "feat_x2_sq": True, "feat_x1x2": True,
                   "feat_sin_x1": True, "feat_sin_x2": True}


def examples() -> dict[str, Project]:
    return {
        "xor": _project(
            [("input", "Input", {}),
             ("hidden", "Dense", {"units": 2, "activation": "sigmoid"}),
             ("output", "Dense", {"units": 1, "activation": "sigmoid"})],
            {"name": "xor", "params": {}},
            {"loss": "mse", "optimizer": "adam", "learning_rate": 0.05, "batch_size": 0, "epochs": 1000},
            "XOR with a 2-2-1 sigmoid network",
            "XOR is not linearly separable, so a single neuron can't learn it; two hidden sigmoid units "
            "can. Backpropagation with Adam reaches 100% train accuracy. Plain SGD from this seed stalls "
            "in a local minimum with one point wrong: switch the optimizer to sgd to see it."),
        "spiral": _project(
            [("input", "Input", {}),
             ("hidden1", "Dense", {"units": 8, "activation": "tanh"}),
             ("hidden2", "Dense", {"units": 8, "activation": "tanh"}),
             ("output", "Dense", {"units": 1, "activation": "sigmoid"})],
            {"name": "spiral", "params": {"noise": 0.1, **SPIRAL_FEATURES}},
            {"loss": "bce", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 10, "epochs": 300},
            "Two-arm spiral, Playground style",
            "The two interleaved arms of a spiral, as in TensorFlow Playground. Engineered inputs (x1², x2², "
            "x1·x2, sin x1, sin x2) and two tanh layers of 8 units separate them; test accuracy reaches "
            "over 99%. Switch features off to see how much harder the raw coordinates are."),
        "digits-mlp": _project(
            [("input", "Input", {}),
             ("hidden", "Dense", {"units": 128, "activation": "relu", "init": "he_uniform"}),
             ("output", "Dense", {"units": 10, "activation": "softmax"})],
            {"name": "digits", "params": {}},
            {"loss": "cross_entropy", "optimizer": "adam", "learning_rate": 0.001, "batch_size": 32,
             "epochs": 40},
            "Handwritten digits with a 64-128-10 network",
            "8x8 images of handwritten digits, flattened to 64 inputs, one ReLU layer of 128 units and a "
            "softmax over the 10 classes, trained with cross-entropy; test accuracy reaches about 97%."),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else EXAMPLES_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name, project in examples().items():
        project.save(out / f"{name}.nnsim")
        (out / f"{name}.nnsim.bak").unlink(missing_ok=True)
        print(f"wrote {out / name}.nnsim")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
