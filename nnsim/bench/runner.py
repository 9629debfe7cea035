"""Runs the benchmark cases in NNSim and PyTorch side by side, and times JIT compilation.

Each case trains the same architecture, batch size, optimizer (SGD) and float32 data in both.
Timing excludes JIT compilation (a warm-up epoch comes first). PyTorch gets its best thread count,
in a process of its own started right after NNSim's measurement of the case: the two can share one
OpenMP runtime, which NNSim loads with passive waiting (see :mod:`nnsim.bench.torch_twins`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

import numpy as np

from nnsim.bench import torch_twins
from nnsim.bench.cases import CASES, Case
from nnsim.core.errors import NNSimError
from nnsim.engine.network import Network
from nnsim.graph import sequential
from nnsim.training import Trainer


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
    """The same network in PyTorch, at its best thread count (1 or all cores), in a fresh process."""
    x, y, _ = case.data()
    spec = {"layers": case.layers, "loss": case.loss, "batch": case.batch}
    with tempfile.TemporaryDirectory() as tmp:
        spec_path, data_path = os.path.join(tmp, "case.json"), os.path.join(tmp, "data.npz")
        with open(spec_path, "w", encoding="utf-8") as fh:
            json.dump(spec, fh)
        np.savez(data_path, x=x, y=y)
        done = subprocess.run([sys.executable, torch_twins.__file__, spec_path, data_path, str(seconds)],
                              check=True, capture_output=True, text=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["steps_per_s"])


def run_cases(vs_torch: bool, seconds: float, echo: Callable[[str], None],
              names: list[str] | None = None) -> list[dict[str, Any]]:
    if vs_torch:
        if importlib.util.find_spec("torch") is None:
            echo("PyTorch is not installed: timing NNSim only (pip install torch==2.13.0 to compare).")
            vs_torch = False
    rows = []
    echo(f"{'case':<14}{'nnsim steps/s':>16}{'torch steps/s':>16}{'ratio':>9}")
    for case in CASES:
        if names and case.name not in names:
            continue
        try:
            ours = nnsim_steps_per_second(case, seconds)
        except NNSimError as err:  # a layer kind this build lacks
            echo(f"{case.name:<14}skipped: {err}")
            continue
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
