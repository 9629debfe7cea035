"""Dataset kinds by name, so a project file can store a dataset as plain JSON.

A spec is ``{"name": "circle", "params": {"noise": 0.1}}``; parameters are declared with
ParamSpec so the GUI inspector can edit them and :func:`load_dataset` can validate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec, check_params
from nnsim.data.bars import BARS_PARAMS, make_bars
from nnsim.data.dataset import Dataset
from nnsim.data.digits import DIGITS_PARAMS, make_digits
from nnsim.data.gates import GATE_PARAMS, make_gate
from nnsim.data.importers import load_csv, load_npz
from nnsim.data.playground import COMMON_PARAMS, MULTI_GAUSS_PARAMS, build_from_params
from nnsim.data.sentiment import SENTIMENT_PARAMS, make_sentiment
from nnsim.data.sequences import (RECALL_PARAMS, RUNNING_SUM_PARAMS, SINE_PARAMS, make_recall,
                                  make_running_sum, make_sine)
from nnsim.data.shapes import SHAPES_PARAMS, make_shapes
from nnsim.data.text import HELLO_PARAMS, TEXT_PARAMS, ZEN_PARAMS, make_hello, make_text_file, make_zen


@dataclass(frozen=True)
class DatasetKind:
    """One entry of the dataset menu: title, one-line help, parameters and a builder."""

    name: str
    title: str
    help: str
    params: tuple[ParamSpec, ...]
    build: Callable[[dict[str, Any]], Dataset]


_TASK = ParamSpec("task", "choice", "auto",
                  "auto guesses from the target column; or force classification or regression.",
                  choices=("auto", "classification", "regression"))
_TEST_RATIO = ParamSpec("test_ratio", "float", 0.2, "Fraction of the rows kept aside for testing.", 0.1, 0.9)
_SEED = ParamSpec("seed", "int", 0, "Random seed of the train/test split.", 0, 2**31 - 1)
_PATH = ParamSpec("path", "str", "", "Path of the data file.")

CSV_PARAMS: tuple[ParamSpec, ...] = (
    _PATH,
    ParamSpec("target", "str", "", "Target column: its name or 0-based number; empty means the last column."),
    _TASK,
    ParamSpec("standardize", "bool", True, "Scale each input column to mean 0, std 1 (training statistics)."),
    _TEST_RATIO,
    _SEED,
    ParamSpec("has_header", "choice", "auto", "Whether the first line holds column names.",
              choices=("auto", "yes", "no")),
)

NPZ_PARAMS: tuple[ParamSpec, ...] = (
    _PATH,
    _TASK,
    ParamSpec("standardize", "bool", False, "Scale each input value to mean 0, std 1 (training statistics)."),
    _TEST_RATIO,
    _SEED,
)


def _need_path(params: dict[str, Any], kind: str) -> str:
    if not params["path"].strip():
        raise DatasetError(f"The '{kind}' dataset has no file path: choose a file.")
    return params["path"]


def _csv(params: dict[str, Any]) -> Dataset:
    return load_csv(_need_path(params, "csv"), params["target"], params["task"], params["standardize"],
                    params["test_ratio"], params["seed"], params["has_header"])


def _npz(params: dict[str, Any]) -> Dataset:
    return load_npz(_need_path(params, "npz"), params["task"], params["standardize"],
                    params["test_ratio"], params["seed"])


def _gate(gate: str) -> Callable[[dict[str, Any]], Dataset]:
    return lambda params: make_gate(gate, params["encoding"])


def _playground(kind: str, name: str) -> Callable[[dict[str, Any]], Dataset]:
    return lambda params: build_from_params(kind, params, name=name)


_KINDS: dict[str, DatasetKind] = {k.name: k for k in (
    DatasetKind("and", "AND gate", "Truth table of AND: linearly separable, one neuron suffices.",
                GATE_PARAMS, _gate("and")),
    DatasetKind("or", "OR gate", "Truth table of OR: linearly separable.", GATE_PARAMS, _gate("or")),
    DatasetKind("not", "NOT gate", "Truth table of NOT: one input.", GATE_PARAMS, _gate("not")),
    DatasetKind("nand", "NAND gate", "Truth table of NAND: linearly separable.", GATE_PARAMS, _gate("nand")),
    DatasetKind("xor", "XOR gate", "Truth table of XOR: not linearly separable, needs a hidden layer.",
                GATE_PARAMS, _gate("xor")),
    DatasetKind("circle", "Circle", "A disc of one class inside a ring of the other (Playground).",
                COMMON_PARAMS, _playground("circle", "circle")),
    DatasetKind("xor-2d", "XOR (2-D)", "Four quadrants, same sign is one class (Playground).",
                COMMON_PARAMS, _playground("xor", "xor-2d")),
    DatasetKind("gauss", "Two Gaussians", "Two gaussian blobs, linearly separable (Playground).",
                COMMON_PARAMS, _playground("gauss", "gauss")),
    DatasetKind("spiral", "Spiral", "Two interleaved spiral arms, the hardest Playground set.",
                COMMON_PARAMS, _playground("spiral", "spiral")),
    DatasetKind("plane", "Plane (regression)", "Regress a tilted plane over the 2-D points (Playground).",
                COMMON_PARAMS, _playground("plane", "plane")),
    DatasetKind("multi-gauss", "Several Gaussians", "3 to 6 gaussian blobs, one class each (softmax).",
                MULTI_GAUSS_PARAMS, _playground("multi-gauss", "multi-gauss")),
    DatasetKind("digits", "Handwritten digits", "1797 8x8 images of digits 0-9, 10 classes.",
                DIGITS_PARAMS, lambda p: make_digits(p["test_ratio"], p["seed"], p["layout"],
                                                                   p["binarize"])),
    DatasetKind("bars", "Bars and stripes",
                "Tiny binary images of all-on columns or rows: small enough for an RBM's exact probabilities.",
                BARS_PARAMS, lambda p: make_bars(p["size"], p["copies"], p["seed"])),
    DatasetKind("shapes", "Shapes (images)",
                "Noisy grayscale outlines of a line, cross, circle, square or triangle: 5 classes for a CNN.",
                SHAPES_PARAMS, lambda p: make_shapes(p["n_samples"], p["size"], p["noise"], p["test_ratio"],
                                                     p["seed"])),
    DatasetKind("hello", "hello (characters)",
                "Read 'hell' and predict the next character at each step ('ello'): the smallest RNN task.",
                HELLO_PARAMS, lambda p: make_hello(p["encoding"])),
    DatasetKind("zen", "Zen of Python (characters)",
                "Predict the next character at every step of windows of the Zen of Python.",
                ZEN_PARAMS, lambda p: make_zen(p["seq_len"], p["step"], p["test_ratio"], p["seed"],
                                               p["encoding"])),
    DatasetKind("text", "Text file (characters)",
                "Predict the next character at every step of windows of your own UTF-8 .txt file.",
                TEXT_PARAMS, lambda p: make_text_file(p["path"], p["seq_len"], p["step"], p["test_ratio"],
                                                      p["seed"], p["encoding"])),
    DatasetKind("recall", "Delayed recall",
                "Remember the first symbol over a gap of steps and name it at the end: LSTM versus SimpleRNN.",
                RECALL_PARAMS, lambda p: make_recall(p["gap"], p["filler"], p["n_samples"], p["test_ratio"],
                                                     p["seed"])),
    DatasetKind("sine", "Sine prediction",
                "Predict the next value of a noisy sine wave from a window of values (regression).",
                SINE_PARAMS, lambda p: make_sine(p["seq_len"], p["noise"], p["n_samples"], p["test_ratio"],
                                                 p["seed"])),
    DatasetKind("running-sum", "Running sum",
                "Output the sum of the values so far at every step of a sequence (many-to-many regression).",
                RUNNING_SUM_PARAMS, lambda p: make_running_sum(p["seq_len"], p["n_samples"], p["test_ratio"],
                                                               p["seed"])),
    DatasetKind("sentiment", "Sentiment (words)",
                "Short generated reviews, positive or negative, where 'not' and 'never' flip the meaning.",
                SENTIMENT_PARAMS, lambda p: make_sentiment(p["n_samples"], p["max_len"], p["encoding"],
                                                           p["test_ratio"], p["seed"])),
    DatasetKind("csv", "CSV file", "Import a table of numbers; one column is the target.", CSV_PARAMS, _csv),
    DatasetKind("npz", "NumPy .npz file", "Import arrays x and y (or x_train, y_train, x_test, y_test).",
                NPZ_PARAMS, _npz),
)}


def dataset_kinds() -> dict[str, DatasetKind]:
    """All dataset kinds by name, in menu order (a copy: callers may not change the registry)."""
    return dict(_KINDS)


def default_spec(name: str) -> dict[str, Any]:
    """The plain-JSON spec of ``name`` with every parameter at its default."""
    kind = _kind(name)
    return {"name": kind.name, "params": check_params(kind.params, {}, kind.name, DatasetError)}


def _kind(name: Any) -> DatasetKind:
    if not isinstance(name, str) or name not in _KINDS:
        raise DatasetError(f"Unknown dataset {name!r}: use one of {', '.join(_KINDS)}.")
    return _KINDS[name]


def check_spec(spec: Any) -> dict[str, Any]:
    """Validate a stored spec and return it normalized, with every parameter filled in."""
    if not isinstance(spec, dict):
        raise DatasetError('A dataset must be described as {"name": ..., "params": {...}}, '
                           f"not {type(spec).__name__}.")
    extra = sorted(str(k) for k in spec if k not in ("name", "params"))
    if extra:
        raise DatasetError(f"The dataset description has an unknown entry '{extra[0]}': remove it.")
    if "name" not in spec:
        raise DatasetError(f'The dataset description has no "name": add one of {", ".join(_KINDS)}.')
    kind = _kind(spec["name"])
    params = spec.get("params", {})
    if params is None:
        params = {}
    return {"name": kind.name, "params": check_params(kind.params, params, kind.name, DatasetError)}


def load_dataset(spec: dict[str, Any]) -> Dataset:
    """Build the dataset a project file describes; every problem is a one-sentence DatasetError."""
    checked = check_spec(spec)
    return _KINDS[checked["name"]].build(checked["params"])
