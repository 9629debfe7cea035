"""The same networks in PyTorch, built from a case's layer list; also a script timing one case.

``nnsim bench`` runs this file as a script in its own process (see :func:`main`): PyTorch and
Numba's kernels can share one OpenMP runtime, and the engine loads it with passive waiting
(:mod:`nnsim.engine.kernel_threads`), which would slow PyTorch's threads. So the script imports
nothing from NNSim; it reads the case from a JSON file and its data from an ``.npz`` file.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import numpy as np


def build_model(torch: Any, layers: list, in_shape: tuple[int, ...]) -> Any:
    nn = torch.nn
    modules: list[Any] = []
    shape = in_shape
    for kind, p in layers:
        if kind == "Dense":
            modules.append(nn.Linear(shape[-1], p["units"]))
            shape = shape[:-1] + (p["units"],)
        elif kind == "Conv2D":
            k = p["kernel_size"]
            pad = k // 2 if p.get("padding") == "same" else 0
            modules.append(nn.Conv2d(shape[0], p["filters"], k, p.get("stride", 1), pad))
            side = lambda s: (s + 2 * pad - k) // p.get("stride", 1) + 1  # noqa: E731
            shape = (p["filters"], side(shape[1]), side(shape[2]))
        elif kind == "MaxPool2D":
            modules.append(nn.MaxPool2d(p["size"]))
            shape = (shape[0], shape[1] // p["size"], shape[2] // p["size"])
        elif kind == "Flatten":
            modules.append(nn.Flatten())
            shape = (int(np.prod(shape)),)
        elif kind == "LSTM":
            modules.append(_SequenceLSTM(nn, shape[-1], p["units"]))
            shape = shape[:-1] + (p["units"],)
        else:
            raise ValueError(f"no PyTorch twin for {kind}")
        act = {"tanh": nn.Tanh(), "relu": nn.ReLU()}.get(p.get("activation", ""))
        if act is not None:
            modules.append(act)
    return nn.Sequential(*modules)


class _SequenceLSTM:
    """nn.LSTM(batch_first) as a module returning the whole output sequence."""

    def __new__(cls, nn: Any, inputs: int, units: int) -> Any:
        class Wrapped(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.lstm = nn.LSTM(inputs, units, batch_first=True)

            def forward(self, x: Any) -> Any:
                return self.lstm(x)[0]
        return Wrapped()


def steps_per_second(torch: Any, spec: dict[str, Any], x_np: np.ndarray, y_np: np.ndarray, seconds: float) -> float:
    """SGD steps per second; ``spec`` has the case's ``layers``, ``loss`` and ``batch``."""
    layers, batch = spec["layers"], spec["batch"]
    torch.manual_seed(0)
    model = build_model(torch, layers, x_np.shape[1:])
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.from_numpy(x_np)
    if spec["loss"] == "cross_entropy":
        classes = layers[-1][1]["units"]
        y, loss_fn = torch.from_numpy(y_np.reshape(len(x_np), -1, classes).argmax(-1)), torch.nn.CrossEntropyLoss()
    else:
        classes, y, loss_fn = None, torch.from_numpy(y_np), torch.nn.MSELoss()

    def step(idx: Any) -> None:
        opt.zero_grad()
        out = model(x[idx])
        if classes is not None:
            loss = loss_fn(out.reshape(-1, classes), y[idx].reshape(-1))
        else:
            loss = loss_fn(out, y[idx])
        loss.backward()
        opt.step()

    def epoch() -> int:
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            step(perm[i:i + batch])
        return -(-len(x) // batch)

    epoch()  # warm-up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += epoch()
    return steps / (time.perf_counter() - start)


def best_steps_per_second(spec: dict[str, Any], x: np.ndarray, y: np.ndarray, seconds: float) -> float:
    """The best of one thread and all cores (``seconds`` split between them)."""
    import torch

    best = 0.0
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        best = max(best, steps_per_second(torch, spec, x, y, seconds / 2))
    return best


def main(argv: list[str]) -> int:
    """``torch_twins.py SPEC.json DATA.npz SECONDS``: print the best steps per second as JSON."""
    spec_path, data_path, seconds = argv
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    data = np.load(data_path)
    rate = best_steps_per_second(spec, data["x"], data["y"], float(seconds))
    print(json.dumps({"steps_per_s": rate}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
