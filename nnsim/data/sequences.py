"""Numeric sequence tasks for recurrent networks: delayed recall, sine prediction, running sums.

Inputs are (T, F) per sample. 'recall' is many-to-one classification; 'sine' is many-to-one
regression (target (1,)); 'running-sum' is many-to-many regression (target (T, 1)).
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification, regression
from nnsim.data.text import encode_inputs

_TEST_RATIO = ParamSpec("test_ratio", "float", 0.2, "Fraction of the sequences kept aside for testing.", 0.1, 0.9)
_SEED = ParamSpec("seed", "int", 0, "Random seed: the same seed always gives the same sequences.", 0, 2**31 - 1)

# ----------------------------------------------------------------------------------- recall

SIGNALS = ["A", "B", "C", "D", "E", "F", "G", "H"]
BLANK = "."
GO = "?"
RECALL_VOCAB = SIGNALS + [BLANK, GO]  # ids 0-7 signals, 8 blank (distractor), 9 go marker

RECALL_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("gap", "int", 20, "Steps between the symbol to remember and the 'go' marker.", 1, 200),
    ParamSpec("filler", "choice", "noise",
              "What the gap shows: noise shows random symbols (A-H or blank) the network must ignore; "
              "blank repeats the blank symbol.", choices=("noise", "blank")),
    ParamSpec("n_samples", "int", 2000, "Number of sequences, training and test together.", 100, 20000),
    _TEST_RATIO, _SEED,
)


def recall_ids(labels: np.ndarray, gap: int, filler: str, rng: np.random.Generator) -> np.ndarray:
    """Token ids (n, gap + 2): the signal ``labels`` first, ``gap`` filler steps, then the go marker."""
    if filler not in ("noise", "blank"):
        raise DatasetError(f"Unknown recall filler {filler!r}: use 'noise' or 'blank'.")
    n = len(labels)
    ids = np.full((n, gap + 2), RECALL_VOCAB.index(BLANK), dtype=np.int64)
    ids[:, 0] = labels
    if filler == "noise":
        ids[:, 1:-1] = rng.integers(0, len(SIGNALS) + 1, (n, gap))  # a signal or the blank
    ids[:, -1] = RECALL_VOCAB.index(GO)
    return ids


def make_recall(gap: int = 20, filler: str = "noise", n_samples: int = 2000, test_ratio: float = 0.2,
                seed: int = 0) -> Dataset:
    """Remember the first symbol for ``gap`` steps and name it at the go marker: (T, 10) one-hot, T = gap + 2."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_samples) % len(SIGNALS)).astype(np.int64)
    ids = recall_ids(labels, gap, filler, rng)
    x = encode_inputs(ids, len(RECALL_VOCAB), "onehot")
    train, test = split_indices(n_samples, test_ratio, rng, labels=labels)
    return classification(
        "recall", x, labels, train, test, list(SIGNALS), vocab=list(RECALL_VOCAB),
        description=f"Delayed recall: step 1 shows one of the symbols A-H, then {gap} filler steps "
                    f"({'random A-H or blank' if filler == 'noise' else 'blank'}), then the go marker '?'; "
                    "answer the first symbol. Vocabulary A-H, '.' (blank), '?' (go), one-hot.")


# ----------------------------------------------------------------------------------- sine

SINE_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("seq_len", "int", 20, "Values per input window (time steps T).", 3, 200),
    ParamSpec("noise", "float", 0.02, "Standard deviation of the noise added to the input values.", 0.0, 0.5),
    ParamSpec("n_samples", "int", 1000, "Number of windows, training and test together.", 50, 20000),
    _TEST_RATIO, _SEED,
)
OMEGA_RANGE = (0.15, 0.6)  # radians per step: periods of about 10 to 42 steps


def make_sine(seq_len: int = 20, noise: float = 0.02, n_samples: int = 1000, test_ratio: float = 0.2,
              seed: int = 0) -> Dataset:
    """Windows sin(w t + phi) + noise, t = 0..T-1, shaped (T, 1); target the clean next value sin(w T + phi)."""
    rng = np.random.default_rng(seed)
    omega = rng.uniform(*OMEGA_RANGE, n_samples)
    phase = rng.uniform(0.0, 2 * np.pi, n_samples)
    t = np.arange(seq_len + 1)
    clean = np.sin(omega[:, None] * t[None, :] + phase[:, None])
    x = clean[:, :seq_len] + rng.normal(0.0, noise, (n_samples, seq_len))
    y = clean[:, seq_len:]
    train, test = split_indices(n_samples, test_ratio, rng)
    return regression(
        "sine", x.reshape(n_samples, seq_len, 1), y, train, test, feature_names=["value"],
        description=f"Noisy sine waves (random frequency and phase): from {seq_len} values predict the "
                    "next, noise-free value.")


# ----------------------------------------------------------------------------------- running sum

RUNNING_SUM_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("seq_len", "int", 10, "Values per sequence (time steps T).", 2, 200),
    ParamSpec("n_samples", "int", 1000, "Number of sequences, training and test together.", 50, 20000),
    _TEST_RATIO, _SEED,
)
SUM_LIMIT = 2.0


def make_running_sum(seq_len: int = 10, n_samples: int = 1000, test_ratio: float = 0.2,
                     seed: int = 0) -> Dataset:
    """Inputs uniform in [-1, 1] / sqrt(T), shaped (T, 1); target (T, 1) the running sum at every step.

    The 1/sqrt(T) scale keeps the sums of any length in the same range; the rare sequences whose
    running sum leaves [-2, 2] are drawn again, so every target lies in [-2, 2].
    """
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(seq_len)
    x = rng.uniform(-1.0, 1.0, (n_samples, seq_len)) * scale
    while True:
        bad = np.flatnonzero(np.abs(np.cumsum(x, axis=1)).max(axis=1) > SUM_LIMIT)
        if len(bad) == 0:
            break
        x[bad] = rng.uniform(-1.0, 1.0, (len(bad), seq_len)) * scale
    x = x.astype(np.float32)
    y = np.cumsum(x, axis=1, dtype=np.float32)  # float32 sums: the same numbers a test recomputes
    train, test = split_indices(n_samples, test_ratio, rng)
    return regression(
        "running-sum", x.reshape(n_samples, seq_len, 1), y.reshape(n_samples, seq_len, 1), train, test,
        keep_steps=True, feature_names=["value"],
        description=f"{seq_len} random values per sequence; at every step output the sum so far "
                    "(many-to-many regression).")
