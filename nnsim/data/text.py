"""Character-level text datasets for recurrent networks: 'hello', the Zen of Python, any .txt file.

Every step of an input window is a character; the label of each step is the NEXT character
(many-to-many classification: labels (n, T), one class per vocabulary entry).
Inputs are one-hot (T, V) or token ids (T,) for an Embedding layer.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from pathlib import Path

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification

ENCODINGS = ("onehot", "ids")
MAX_TEXT_BYTES = 10 * 2**20
MAX_VOCAB = 200
MAX_INPUT_VALUES = 2**26  # 256 MB of float32 inputs

ENCODING_PARAM = ParamSpec(
    "encoding", "choice", "onehot",
    "onehot: each step is a vector of V zeros and a one; ids: each step is one token number, for an Embedding layer.",
    choices=ENCODINGS)
_SEQ_LEN = ParamSpec("seq_len", "int", 25, "Characters per input window (time steps T).", 2, 200)
_STEP = ParamSpec("step", "int", 3, "Characters between the starts of two windows.", 1, 100)
_SEED = ParamSpec("seed", "int", 0, "Random seed of the train/test split of the windows.", 0, 2**31 - 1)

HELLO_PARAMS: tuple[ParamSpec, ...] = (ENCODING_PARAM,)
ZEN_PARAMS: tuple[ParamSpec, ...] = (
    _SEQ_LEN, _STEP,
    ParamSpec("test_ratio", "float", 0.1, "Fraction of the windows kept aside for testing.", 0.05, 0.9),
    _SEED, ENCODING_PARAM,
)
TEXT_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("path", "str", "", "Path of a UTF-8 text (.txt) file."),
) + ZEN_PARAMS


def printable(token: str) -> str:
    """A visible name for a vocabulary entry (class names): space, newline and tab made visible."""
    names = {" ": "␣", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    if token in names:
        return names[token]
    if len(token) == 1 and not token.isprintable():
        return f"\\u{ord(token):04x}"
    return token


def encode_inputs(ids: np.ndarray, vocab_size: int, encoding: str) -> np.ndarray:
    """Token ids (n, T) as float32 inputs: one-hot (n, T, V) or the ids themselves (n, T)."""
    ids = np.asarray(ids, dtype=np.int64)
    if encoding == "ids":
        return ids.astype(np.float32)
    if encoding != "onehot":
        raise DatasetError(f"Unknown encoding {encoding!r}: use 'onehot' or 'ids'.")
    out = np.zeros(ids.shape + (vocab_size,), dtype=np.float32)
    np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
    return out


def decode(ids: np.ndarray, vocab: list[str], sep: str = "") -> str:
    """The text of a sequence of token ids (the inverse of the vocabulary lookup)."""
    return sep.join(vocab[int(i)] for i in np.asarray(ids).ravel())


def _char_dataset(name: str, ids_in: np.ndarray, ids_out: np.ndarray, vocab: list[str], encoding: str,
                  train: np.ndarray, test: np.ndarray, description: str) -> Dataset:
    x = encode_inputs(ids_in, len(vocab), encoding)
    return classification(name, x, ids_out, train, test, [printable(c) for c in vocab],
                          vocab=list(vocab), description=description)


def make_hello(encoding: str = "onehot") -> Dataset:
    """The single sample 'hell' -> 'ello' over the vocabulary h, e, l, o; train = test."""
    vocab = ["h", "e", "l", "o"]
    ids = np.array([[vocab.index(c) for c in "hello"]], dtype=np.int64)
    one = np.zeros(1, dtype=np.int64)
    return _char_dataset("hello", ids[:, :-1], ids[:, 1:], vocab, encoding, one, one,
                         "One sequence: read 'hell' one character per step and predict the next "
                         "character at each step ('ello'). Training and test set are the same sample.")


def zen_text() -> str:
    """The Zen of Python, decoded from the standard library's ``this`` module without printing it."""
    module = sys.modules.get("this")
    if module is None:
        with contextlib.redirect_stdout(io.StringIO()):
            module = importlib.import_module("this")
    return "".join(module.d.get(c, c) for c in module.s)


def char_windows(text: str, seq_len: int, step: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(inputs (n, T), next-character labels (n, T), vocab): windows [i, i+T) and [i+1, i+T+1)."""
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))
    starts = np.arange(0, len(text) - seq_len, step)
    cols = starts[:, None] + np.arange(seq_len)[None, :]
    return ids[cols], ids[cols + 1], vocab


def make_char_text(text: str, name: str, seq_len: int = 25, step: int = 3, test_ratio: float = 0.1,
                   seed: int = 0, encoding: str = "onehot", description: str = "") -> Dataset:
    """Next-character windows of ``text``, split at random (seeded) into training and test windows."""
    if len(text) < seq_len + 2:
        raise DatasetError(f"The text of '{name}' has {len(text)} characters: it needs at least "
                           f"{seq_len + 2} for windows of {seq_len}; lower seq_len or use a longer text.")
    vocab_size = len(set(text))
    if vocab_size > MAX_VOCAB:
        raise DatasetError(f"The text of '{name}' uses {vocab_size} different characters, more than "
                           f"{MAX_VOCAB}: use a text with a smaller alphabet (for example plain English).")
    n_windows = len(range(0, len(text) - seq_len, step))
    if n_windows < 2:
        raise DatasetError(f"The text of '{name}' ({len(text)} characters) gives {n_windows} window of "
                           f"{seq_len} with step {step}: at least 2 are needed; lower seq_len or step.")
    per_value = vocab_size if encoding == "onehot" else 1
    if n_windows * seq_len * per_value > MAX_INPUT_VALUES:
        raise DatasetError(f"The text of '{name}' makes {n_windows} windows, too much data for memory: "
                           "raise the step, lower seq_len, use encoding 'ids' or a shorter text.")
    x_ids, y_ids, vocab = char_windows(text, seq_len, step)
    train, test = split_indices(len(x_ids), test_ratio, np.random.default_rng(seed))
    return _char_dataset(name, x_ids, y_ids, vocab, encoding, train, test, description)


def make_zen(seq_len: int = 25, step: int = 3, test_ratio: float = 0.1, seed: int = 0,
             encoding: str = "onehot") -> Dataset:
    """Character windows of the Zen of Python (``import this``)."""
    return make_char_text(zen_text(), "zen", seq_len, step, test_ratio, seed, encoding,
                          "The Zen of Python, character by character: predict the next character "
                          "at every step of each window.")


def read_text_file(path: str | Path) -> str:
    """The text of a UTF-8 file, with line endings normalized to '\\n'; DatasetError on any problem."""
    if not str(path).strip():
        raise DatasetError("The 'text' dataset has no file path: choose a UTF-8 .txt file.")
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"The file {p} does not exist: check the path.")
    if not p.is_file():
        raise DatasetError(f"{p} is not a file: choose a UTF-8 .txt file.")
    if p.stat().st_size > MAX_TEXT_BYTES:
        raise DatasetError(f"{p.name} is larger than {MAX_TEXT_BYTES // 2**20} MB: use a shorter text.")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise DatasetError(f"{p.name} cannot be read ({err.strerror or err}).") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DatasetError(f"{p.name} is not UTF-8 text (byte {err.start} cannot be decoded): save it "
                           "as UTF-8 or choose another file.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DatasetError(f"{p.name} is empty: choose a file with some text.")
    return text


def make_text_file(path: str | Path, seq_len: int = 25, step: int = 3, test_ratio: float = 0.1,
                   seed: int = 0, encoding: str = "onehot") -> Dataset:
    """Character windows of a user's UTF-8 text file."""
    text = read_text_file(path)
    return make_char_text(text, "text", seq_len, step, test_ratio, seed, encoding,
                          f"The text of {Path(path).name}, character by character: predict the next "
                          "character at every step of each window.")
