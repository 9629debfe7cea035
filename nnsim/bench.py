"""`nnsim bench`: training speed of NNSim and, side by side in one run, of PyTorch on the CPU.

Each case trains the same architecture, batch size, optimizer and float32 data in both. Timing
excludes JIT compilation (a warm-up run comes first). PyTorch gets its best thread count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnsim.data import load_dataset
from nnsim.engine.network import Network
from nnsim.graph import sequential
from nnsim.training import Trainer


@dataclass(frozen=True)
class Case:
    name: str
    layers: list[tuple[str, dict[str, Any]]]  # after the Input
    loss: str
    batch: int
    data: Callable[[], tuple[np.ndarray, np.ndarray, str]]  # x, y (targets as the net sees them), task


def _tiny_data() -> tuple[np.ndarray, np.ndarray, str]:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1000, 2)).astype(np.float32)
    y = (np.sin(3 * x[:, :1]) * x[:, 1:]).astype(np.float32)
    return x, y, "regression"


def _digits_data() -> tuple[np.ndarray, np.ndarray, str]:
    d = load_dataset({"name": "digits", "params": {}})
    return d.x_train.astype(np.float32), d.targets("train", 10), "classification"


CASES = [
    Case("mlp-tiny", [("Dense", {"units": 8, "activation": "tanh"}), ("Dense", {"units": 8, "activation": "tanh"}),
                      ("Dense", {"units": 1, "activation": "identity"})], "mse", 10, _tiny_data),
    Case("mlp-digits", [("Dense", {"units": 128, "activation": "relu"}),
                        ("Dense", {"units": 10, "activation": "softmax"})], "cross_entropy", 32, _digits_data),
]


class _ArrayDataset:
    """The minimal Dataset face the Trainer needs, over fixed arrays."""

    def __init__(self, x: np.ndarray, y: np.ndarray, task: str):
        self.x_train, self.x_test, self._y, self.task = x, x[:0], y, task
        self.n_classes = y.shape[1] if task == "classification" else 0

    def targets(self, split: str, out_size: int, node: str = "output") -> np.ndarray:
        return self._y if split == "train" else self._y[:0]


def nnsim_steps_per_second(case: Case, seconds: float) -> float:
    x, y, task = case.data()
    graph = sequential([("Input", {})] + case.layers)
    net = Network(graph.resolve(x.shape[1:]), case.loss, max_batch=max(case.batch, 256))
    settings = {"loss": case.loss, "optimizer": "sgd", "learning_rate": 0.01, "batch_size": case.batch,
                "epochs": 10**6, "shuffle": True}
    trainer = Trainer(net, _ArrayDataset(x, y, task), settings, chunk_seconds=0.05)
    trainer.run_epoch()  # compile and warm up
    steps, start = trainer.updates, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run_epoch()
    return (trainer.updates - steps) / (time.perf_counter() - start)


def torch_steps_per_second(case: Case, seconds: float) -> float:
    """The same network in PyTorch, at its best thread count (1 or all cores)."""
    import torch

    best = 0.0
    before = torch.get_num_threads()
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        best = max(best, _torch_run(torch, case, seconds / 2))
    torch.set_num_threads(before)
    return best


def _torch_run(torch: Any, case: Case, seconds: float) -> float:
    x_np, y_np, task = case.data()
    torch.manual_seed(0)
    layers: list[Any] = []
    width = x_np.shape[1]
    for _, p in case.layers:
        layers.append(torch.nn.Linear(width, p["units"]))
        width = p["units"]
        act = {"tanh": torch.nn.Tanh(), "relu": torch.nn.ReLU()}.get(p["activation"])
        if act is not None:
            layers.append(act)
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.from_numpy(x_np)
    if case.loss == "cross_entropy":
        y, loss_fn = torch.from_numpy(y_np.argmax(1)), torch.nn.CrossEntropyLoss()
    else:
        y, loss_fn = torch.from_numpy(y_np), torch.nn.MSELoss()

    def epoch() -> int:
        perm = torch.randperm(len(x))
        steps = 0
        for i in range(0, len(x), case.batch):
            idx = perm[i:i + case.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            steps += 1
        return steps

    epoch()  # warm-up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += epoch()
    return steps / (time.perf_counter() - start)


def run_cases(vs_torch: bool, seconds: float, echo: Callable[[str], None]) -> list[dict[str, Any]]:
    if vs_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            echo("PyTorch is not installed: timing NNSim only (pip install torch==2.13.0 to compare).")
            vs_torch = False
    rows = []
    echo(f"{'case':<14}{'nnsim steps/s':>16}{'torch steps/s':>16}{'ratio':>9}")
    for case in CASES:
        ours = nnsim_steps_per_second(case, seconds)
        theirs = torch_steps_per_second(case, seconds) if vs_torch else None
        ratio = ours / theirs if theirs else None
        rows.append({"case": case.name, "nnsim_steps_per_s": ours, "torch_steps_per_s": theirs, "ratio": ratio})
        echo(f"{case.name:<14}{ours:>16,.0f}{'' if theirs is None else f'{theirs:,.0f}':>16}"
             f"{'' if ratio is None else f'{ratio:.2f}x':>9}")
    return rows


def jit_times() -> dict[str, float]:
    """Wall time of `nnsim train --example xor` with an empty Numba cache, then with it warm."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = {}
        for label in ("cold", "warm"):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nnsim", "train", "--example", "xor", "--quiet"], env=env,
                           check=True, capture_output=True)
            out[label] = time.perf_counter() - start
    return out


def print_jit(times: dict[str, float], echo: Callable[[str], None]) -> None:
    echo(f"nnsim train --example xor: cold {times['cold']:.1f} s (target <= 15), "
         f"warm {times['warm']:.1f} s (target <= 3)")
