"""Text generation from a trained character model: one-to-many by feeding samples back.

The network reads a window of T characters (its input length) and ends in a softmax over the
vocabulary, either per step ((T, V), e.g. LSTM with return_sequences -> Dense softmax) or once
((V,), many-to-one). Each new character is drawn from the softmax at the window's last step.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _window_ids(ids: list[int], steps: int, encoding: str) -> list[int]:
    """The last ``steps`` ids, left-padded (one-hot: with the text's first character; ids: with 0)."""
    window = ids[-steps:]
    pad = ids[0] if encoding == "onehot" else 0
    return [pad] * (steps - len(window)) + window


def _encode(window: list[int], vocab_size: int, encoding: str, dtype) -> np.ndarray:
    if encoding == "ids":
        return np.asarray(window, dtype=dtype)[None]
    x = np.zeros((1, len(window), vocab_size), dtype=dtype)
    x[0, np.arange(len(window)), window] = 1.0
    return x


def apply_temperature(p: np.ndarray, temperature: float) -> np.ndarray:
    """p ∝ p^(1/temperature), computed in log space; temperature 0 (or tiny) gives the argmax."""
    p = np.asarray(p, dtype=np.float64)
    if temperature <= 0.0:
        out = np.zeros_like(p)
        out[int(np.argmax(p))] = 1.0
        return out
    logits = np.log(np.maximum(p, 1e-300)) / temperature
    logits -= logits.max()
    q = np.exp(logits)
    return q / q.sum()


def sample_text(network, vocab: Sequence[str], prime: str, length: int, temperature: float = 1.0, seed=0,
                encoding: str = "onehot") -> str:
    """Generate ``length`` characters after ``prime`` and return prime plus them.

    Each step runs ``network`` on the last T characters (T = its input length; a shorter text is
    left-padded with its first character for one-hot inputs or id 0 for id inputs), takes the
    softmax at the last step, sharpens or flattens it by ``temperature`` (p ∝ p^(1/temperature);
    towards 0 it becomes the argmax) and draws the next character with
    ``numpy.random.default_rng(seed)``: the same seed gives the same text.
    """
    if encoding not in ("onehot", "ids"):
        raise ValueError(f"Encoding must be 'onehot' or 'ids', not {encoding!r}.")
    if length < 0:
        raise ValueError(f"Length must be 0 or more, not {length}.")
    if temperature < 0:
        raise ValueError(f"Temperature must be 0 or more, not {temperature}.")
    vocab = list(vocab)
    index = {c: i for i, c in enumerate(vocab)}
    unknown = sorted({c for c in prime if c not in index})
    if unknown:
        raise ValueError(f"The prime uses {unknown[0]!r}, which is not in the vocabulary: use only its "
                         f"characters.")
    shape = tuple(network.input_shape)
    want = (shape[0],) if encoding == "ids" else (shape[0], len(vocab))
    if shape != want:
        raise ValueError(f"The network reads {shape} per sample, but {encoding} text over {len(vocab)} "
                         f"characters needs {want}: check the encoding and the vocabulary.")
    steps = shape[0]
    ids = [index[c] for c in prime] or [0]
    rng = np.random.default_rng(seed)
    out = list(prime)
    for _ in range(length):
        x = _encode(_window_ids(ids, steps, encoding), len(vocab), encoding, network.dtype)
        y = np.asarray(network.forward(x))[0]
        p = y[-1] if y.ndim == 2 else y
        q = apply_temperature(p, temperature)
        nxt = int(rng.choice(len(q), p=q))
        ids.append(nxt)
        out.append(vocab[nxt])
    return "".join(out)
