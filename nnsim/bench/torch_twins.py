"""The same networks in PyTorch, built from a case's layer list (torch is imported by the caller)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from nnsim.bench.cases import Case


def build_model(torch: Any, case: Case, in_shape: tuple[int, ...]) -> Any:
    nn = torch.nn
    layers: list[Any] = []
    shape = in_shape
    for kind, p in case.layers:
        if kind == "Dense":
            layers.append(nn.Linear(shape[-1], p["units"]))
            shape = shape[:-1] + (p["units"],)
        elif kind == "Conv2D":
            k = p["kernel_size"]
            pad = k // 2 if p.get("padding") == "same" else 0
            layers.append(nn.Conv2d(shape[0], p["filters"], k, p.get("stride", 1), pad))
            side = lambda s: (s + 2 * pad - k) // p.get("stride", 1) + 1  # noqa: E731
            shape = (p["filters"], side(shape[1]), side(shape[2]))
        elif kind == "MaxPool2D":
            layers.append(nn.MaxPool2d(p["size"]))
            shape = (shape[0], shape[1] // p["size"], shape[2] // p["size"])
        elif kind == "Flatten":
            layers.append(nn.Flatten())
            shape = (int(np.prod(shape)),)
        elif kind == "LSTM":
            layers.append(_SequenceLSTM(nn, shape[-1], p["units"]))
            shape = shape[:-1] + (p["units"],)
        else:
            raise ValueError(f"no PyTorch twin for {kind}")
        act = {"tanh": nn.Tanh(), "relu": nn.ReLU()}.get(p.get("activation", ""))
        if act is not None:
            layers.append(act)
    return nn.Sequential(*layers)


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


def steps_per_second(torch: Any, case: Case, seconds: float) -> float:
    x_np, y_np, _ = case.data()
    torch.manual_seed(0)
    model = build_model(torch, case, x_np.shape[1:])
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.from_numpy(x_np)
    if case.loss == "cross_entropy":
        classes = case.layers[-1][1]["units"]
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
        for i in range(0, len(x), case.batch):
            step(perm[i:i + case.batch])
        return -(-len(x) // case.batch)

    epoch()  # warm-up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += epoch()
    return steps / (time.perf_counter() - start)
