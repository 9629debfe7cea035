"""Import user data from CSV or NumPy .npz files, with errors that say which line to fix.

No pickle anywhere: .npz files are opened with ``allow_pickle=False`` and their array headers
are checked (dtype, size) before any data is read.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path
import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.data.batching import split_indices
from nnsim.data.dataset import CLASSIFICATION, REGRESSION, Dataset, classification, regression

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_ELEMENTS = 2**28
MAX_AUTO_CLASSES = 20
MAX_CLASSES = 10_000
TASKS = ("auto", CLASSIFICATION, REGRESSION)


# ----------------------------------------------------------------------------------- helpers


def _check_common(task: str, test_ratio: float) -> None:
    if task not in TASKS:
        raise DatasetError(f"Unknown task {task!r}: use 'auto', 'classification' or 'regression'.")
    if isinstance(test_ratio, bool) or not isinstance(test_ratio, (int, float)) or not 0 < test_ratio < 1:
        raise DatasetError(f"The test ratio is {test_ratio!r}: use a fraction between 0 and 1, such as 0.2.")


def _existing_file(path: str | Path) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise DatasetError(f"The file {p} does not exist: check the path.")
    if not p.is_file():
        raise DatasetError(f"{p} is not a file: choose a data file.")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise DatasetError(f"{p.name} is larger than {MAX_FILE_BYTES // 2**20} MB: use a smaller sample of it.")
    return p


def _to_float(text: str) -> float | None:
    """The finite float in ``text``, or None (empty, non-numeric, NaN and Inf all count as missing)."""
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _standardize(x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale with the TRAINING mean and std only, so no test information leaks into training."""
    mean = x_train.mean(axis=0, dtype=np.float64)
    std = x_train.std(axis=0, dtype=np.float64)
    std[std < 1e-12] = 1.0
    return (((x_train - mean) / std).astype(np.float32), ((x_test - mean) / std).astype(np.float32))


def _encode_classes(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Map class values (numbers or texts) to 0..k-1 in sorted order, with printable names."""
    uniq, labels = np.unique(values, return_inverse=True)
    if len(uniq) > MAX_CLASSES:
        raise DatasetError(f"The target has {len(uniq)} distinct values, too many classes: "
                           "use task 'regression' or group the classes.")
    if uniq.dtype.kind == "f":
        names = [str(int(v)) if float(v).is_integer() else f"{v:g}" for v in uniq]
    elif uniq.dtype.kind == "b":
        names = [str(bool(v)).lower() for v in uniq]
    else:
        names = [str(v) for v in uniq]
    return labels.astype(np.int64).reshape(-1), names


def _finish(name: str, x: np.ndarray, task: str, labels: np.ndarray | None, class_names: list[str],
            y: np.ndarray | None, train: np.ndarray, test: np.ndarray, standardize: bool,
            feature_names: list[str], description: str) -> Dataset:
    x = np.asarray(x, dtype=np.float32)
    if standardize:
        flat = x.reshape(len(x), -1)
        tr, te = _standardize(flat[train], flat[test])
        scaled = np.empty_like(flat)
        scaled[train], scaled[test] = tr, te
        x = scaled.reshape(x.shape)
    extra = dict(feature_names=feature_names, description=description)
    if task == CLASSIFICATION:
        return classification(name, x, labels, train, test, class_names, **extra)
    return regression(name, x, y, train, test, **extra)


# --------------------------------------------------------------------------------------- CSV


def _read_text(p: Path) -> str:
    raw = p.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise DatasetError(f"{p.name} line {line} is not UTF-8 text: save the file as UTF-8 CSV.") from None


def _read_rows(p: Path) -> list[tuple[int, list[str]]]:
    text = _read_text(p)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                rows.append((reader.line_num, [f.strip() for f in fields]))
    except csv.Error as err:
        raise DatasetError(f"{p.name} line {reader.line_num} cannot be read as CSV ({err}): "
                           "fix or remove that line.") from None
    return rows


def _looks_like_header(rows: list[tuple[int, list[str]]]) -> bool:
    first = rows[0][1]
    if all(_to_float(v) is None for v in first):
        return True
    if len(rows) < 2:
        return False
    second = rows[1][1]
    return any(_to_float(a) is None and _to_float(b) is not None for a, b in zip(first, second))


def _target_index(target: str | int | None, names: list[str], has_header: bool, fname: str) -> int:
    n = len(names)
    if target is None or (isinstance(target, str) and not target.strip()):
        return n - 1
    if isinstance(target, str):
        t = target.strip()
        if has_header:
            if t in names:
                return names.index(t)
            folded = [i for i, c in enumerate(names) if c.lower() == t.lower()]
            if len(folded) == 1:
                return folded[0]
        try:
            target = int(t)
        except ValueError:
            cols = ", ".join(repr(c) for c in names[:12]) + (", ..." if n > 12 else "")
            where = f"its columns are {cols}" if has_header else "it has no header line, so give a column number"
            raise DatasetError(f"{fname} has no column named {t!r}: {where}.") from None
    if isinstance(target, bool) or not isinstance(target, int):
        raise DatasetError(f"The target must be a column name or number, not {target!r}.")
    if not -n <= target < n:
        raise DatasetError(f"{fname} has {n} columns, so there is no column number {target}: "
                           f"use 0 to {n - 1}, or -1 for the last.")
    return target % n


def load_csv(path: str | Path, target: str | int | None = -1, task: str = "auto", standardize: bool = True,
             test_ratio: float = 0.2, seed: int = 0, has_header: str | bool = "auto") -> Dataset:
    """Read a numeric CSV table; ``target`` is a column name or 0-based index (-1: last column).

    Classification when asked, or (auto) when the target is text or has at most 20 distinct whole
    numbers; otherwise regression. Inputs are standardized with training statistics only.
    """
    _check_common(task, test_ratio)
    if has_header not in ("auto", True, False, "yes", "no"):
        raise DatasetError(f"has_header is {has_header!r}: use 'auto', true or false.")
    p = _existing_file(path)
    rows = _read_rows(p)
    if not rows:
        raise DatasetError(f"{p.name} is empty: it needs rows of comma-separated values.")
    header = _looks_like_header(rows) if has_header == "auto" else has_header in (True, "yes")
    ncols = len(rows[0][1])
    names = rows[0][1] if header else [f"x{i + 1}" for i in range(ncols)]
    data = rows[1:] if header else rows
    if not data:
        raise DatasetError(f"{p.name} has a header line but no data: add at least 2 rows of samples.")
    if ncols < 2:
        raise DatasetError(f"{p.name} has a single column: it needs at least one input column and a target column.")
    ref = "the header has" if header else "the first line has"
    for line, fields in data:
        if len(fields) != ncols:
            raise DatasetError(f"{p.name} line {line} has {len(fields)} value{'s' if len(fields) != 1 else ''} "
                               f"but {ref} {ncols} columns: fix or remove that line.")
    t = _target_index(target, names, header, p.name)
    feat_cols = [i for i in range(ncols) if i != t]
    x = np.empty((len(data), len(feat_cols)), dtype=np.float64)
    for r, (line, fields) in enumerate(data):
        for c, col in enumerate(feat_cols):
            v = _to_float(fields[col])
            if v is None:
                shown = repr(fields[col]) if fields[col] else "an empty value"
                raise DatasetError(f"{p.name} line {line}, column '{names[col]}': {shown} is not a number: "
                                   "fix or remove that line.")
            x[r, c] = v
    raw_target = [fields[t] for _, fields in data]
    numbers = [_to_float(v) for v in raw_target]
    numeric = all(v is not None for v in numbers)
    if task == "auto":
        is_int = numeric and all(float(v).is_integer() for v in numbers)
        task = CLASSIFICATION if not numeric or (is_int and len(set(numbers)) <= MAX_AUTO_CLASSES) else REGRESSION
    fnames = [names[i] for i in feat_cols]
    desc = f"Imported from {p.name}: {len(data)} rows, target column '{names[t]}'."
    rng = np.random.default_rng(seed)
    if task == REGRESSION:
        for (line, _), v, text in zip(data, numbers, raw_target):
            if v is None:
                shown = repr(text) if text else "an empty value"
                raise DatasetError(f"{p.name} line {line}, target column '{names[t]}': {shown} is not a number, "
                                   "which regression needs: fix that line or use task 'classification'.")
        train, test = split_indices(len(data), test_ratio, rng)
        return _finish(p.stem, x, REGRESSION, None, [], np.array(numbers, dtype=np.float32), train, test,
                       standardize, fnames, desc)
    for (line, _), text in zip(data, raw_target):
        if not text:
            raise DatasetError(f"{p.name} line {line} has no value in the target column '{names[t]}': "
                               "fill it in or remove that line.")
    values = np.array(numbers, dtype=np.float64) if numeric else np.array(raw_target)
    labels, class_names = _encode_classes(values)
    if len(class_names) < 2:
        raise DatasetError(f"The target column '{names[t]}' of {p.name} holds a single class "
                           f"({class_names[0]!r}): classification needs at least 2 classes.")
    train, test = split_indices(len(data), test_ratio, rng, labels=labels)
    return _finish(p.stem, x, CLASSIFICATION, labels, class_names, None, train, test, standardize, fnames, desc)


# --------------------------------------------------------------------------------------- NPZ


def _npz_headers(p: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Shape and dtype of every array in the archive, read from headers without loading data."""
    from numpy.lib import format as npformat

    if not zipfile.is_zipfile(p):
        raise DatasetError(f"{p.name} is not a NumPy .npz archive: save it with numpy.savez.")
    out: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    try:
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                key = info.filename[:-4]
                with zf.open(info) as fh:
                    version = npformat.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = npformat.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = npformat.read_array_header_2_0(fh)
                if dtype.hasobject:
                    raise DatasetError(f"The array '{key}' in {p.name} holds Python objects, which NNSim "
                                       "refuses to load for safety: save plain numeric arrays.")
                if math.prod(shape) > MAX_ELEMENTS:
                    raise DatasetError(f"The array '{key}' in {p.name} has {math.prod(shape)} values, more "
                                       f"than the limit of {MAX_ELEMENTS}: use a smaller sample.")
                out[key] = (tuple(shape), dtype)
    except DatasetError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise DatasetError(f"{p.name} is not a valid .npz archive ({err}): save it again with numpy.savez.") from None
    return out


def _numeric_x(x: np.ndarray, key: str, fname: str) -> np.ndarray:
    if x.dtype.kind not in "biuf":
        raise DatasetError(f"The array '{key}' in {fname} has type {x.dtype}: inputs must be numbers.")
    if x.ndim == 0 or len(x) == 0:
        raise DatasetError(f"The array '{key}' in {fname} is empty: it needs one row per sample.")
    x = x.astype(np.float32)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if not np.isfinite(x).all():
        raise DatasetError(f"The array '{key}' in {fname} contains NaN or infinite values: remove or fill them.")
    return x


def load_npz(path: str | Path, task: str = "auto", standardize: bool = False, test_ratio: float = 0.2,
             seed: int = 0) -> Dataset:
    """Read arrays (x, y), (X, y) or (x_train, y_train, x_test, y_test) from an .npz file.

    Integer, boolean or text y means classification, float y regression, unless ``task`` says
    otherwise. Inputs keep their shape (e.g. images); ``standardize`` uses training statistics.
    """
    _check_common(task, test_ratio)
    p = _existing_file(path)
    headers = _npz_headers(p)
    keys = set(headers)
    if {"x_train", "y_train", "x_test", "y_test"} <= keys:
        wanted = ["x_train", "y_train", "x_test", "y_test"]
    elif "y" in keys and ("x" in keys or "X" in keys):
        wanted = ["x" if "x" in keys else "X", "y"]
    else:
        found = ", ".join(sorted(keys)) or "none"
        raise DatasetError(f"{p.name} must contain arrays x and y (or x_train, y_train, x_test, y_test); "
                           f"it has: {found}.")
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in wanted}
    except ValueError as err:
        raise DatasetError(f"{p.name} cannot be loaded safely ({err}): save plain numeric arrays.") from None
    if len(wanted) == 2:
        x, y = _numeric_x(arrays[wanted[0]], wanted[0], p.name), arrays["y"]
        if len(y) != len(x):
            raise DatasetError(f"In {p.name}, {wanted[0]} has {len(x)} rows but y has {len(y)}: "
                               "they need one target per sample.")
        train = test = None
    else:
        xtr = _numeric_x(arrays["x_train"], "x_train", p.name)
        xte = _numeric_x(arrays["x_test"], "x_test", p.name)
        if xtr.shape[1:] != xte.shape[1:]:
            raise DatasetError(f"In {p.name}, x_train samples have shape {xtr.shape[1:]} but x_test samples "
                               f"have {xte.shape[1:]}: they must match.")
        for xs, ys in (("x_train", "y_train"), ("x_test", "y_test")):
            if len(arrays[ys]) != len(arrays[xs]):
                raise DatasetError(f"In {p.name}, {xs} has {len(arrays[xs])} rows but {ys} has "
                                   f"{len(arrays[ys])}: they need one target per sample.")
        x = np.concatenate([xtr, xte])
        y = np.concatenate([arrays["y_train"], arrays["y_test"]])
        train = np.arange(len(xtr), dtype=np.int64)
        test = np.arange(len(xtr), len(x), dtype=np.int64)
    if y.dtype.kind not in "biufU":
        raise DatasetError(f"The targets in {p.name} have type {y.dtype}: use numbers or texts.")
    if task == "auto":
        task = REGRESSION if y.dtype.kind == "f" else CLASSIFICATION
    rng = np.random.default_rng(seed)
    desc = f"Imported from {p.name}: {len(x)} samples."
    names = [f"x{i + 1}" for i in range(int(np.prod(x.shape[1:])))]
    if task == REGRESSION:
        if y.dtype.kind == "U":
            raise DatasetError(f"The targets in {p.name} are texts: regression needs numbers; use task "
                               "'classification'.")
        y = y.astype(np.float32).reshape(len(y), -1)
        if not np.isfinite(y).all():
            raise DatasetError(f"The targets in {p.name} contain NaN or infinite values: remove or fill them.")
        if train is None:
            train, test = split_indices(len(x), test_ratio, rng)
        return _finish(p.stem, x, REGRESSION, None, [], y, train, test, standardize, names, desc)
    if y.ndim == 2 and y.shape[1] > 1 and y.dtype.kind != "U":
        y = np.argmax(y, axis=1)  # one-hot (or score) rows
    elif y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DatasetError(f"The class targets in {p.name} have shape {y.shape}: use one label per sample.")
    labels, class_names = _encode_classes(y)
    if len(class_names) < 2:
        raise DatasetError(f"The targets in {p.name} hold a single class: classification needs at least 2.")
    if train is None:
        train, test = split_indices(len(x), test_ratio, rng, labels=labels)
    return _finish(p.stem, x, CLASSIFICATION, labels, class_names, None, train, test, standardize, names, desc)

