"""Encoding the weights to ``weights.npz`` (numpy's npz, no pickle) and decoding an untrusted one.

Each array is stored under its key ``"<node name>/<weight name>"`` (member ``<key>.npy``).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from typing import Any

import numpy as np

from nnsim.core.errors import ProjectFileError
from nnsim.io import limits
from nnsim.io.messages import short_repr
from nnsim.io.npy_checks import dtype_allowed, parse_npy
from nnsim.io.safe_zip import precheck_directory, read_member

_BAD_KEY_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_NPY_SUFFIX = ".npy"
#: Room left under MAX_WEIGHTS_BYTES for the npz's own headers when saving.
_SAVE_HEADROOM_BYTES = 64 * limits.MiB


def weight_key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid weight name (``"<node name>/<weight name>"``), or None if valid."""
    if not isinstance(key, str):
        return "it is not a string"
    if not key or len(key) > limits.MAX_KEY_LENGTH:
        return f"it must be 1 to {limits.MAX_KEY_LENGTH} characters long"
    if _BAD_KEY_CHARS.search(key):
        return "it contains a backslash or a control character"
    parts = key.split("/")
    if len(parts) < 2:
        return "it must look like '<node name>/<weight name>'"
    if any(p == "" or p in (".", "..") or p.strip() == "" for p in parts):
        return "it has an empty, '.' or '..' part"
    return None


# ---------------------------------------------------------------------------------------------
# encoding


def encode_weights(weights: Any, name: str) -> bytes:
    """The bytes of ``weights.npz`` for a ``{key: array}`` dict, after checking every entry."""
    if not isinstance(weights, dict):
        raise ProjectFileError(f"Cannot save {name}: the weights must be a dict of numpy arrays.")
    if len(weights) > limits.MAX_ARRAYS:
        raise ProjectFileError(f"Cannot save {name}: more than {limits.MAX_ARRAYS} weight arrays.")
    arrays = {key: _checked_array(key, value, name) for key, value in weights.items()}
    if sum(arr.nbytes for arr in arrays.values()) > limits.MAX_WEIGHTS_BYTES - _SAVE_HEADROOM_BYTES:
        raise ProjectFileError(f"Cannot save {name}: the weights take more than 2 GiB.")
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    return buf.getvalue()


def _checked_array(key: Any, value: Any, name: str) -> np.ndarray:
    problem = weight_key_problem(key)
    if problem:
        raise ProjectFileError(f"Cannot save {name}: weight name {short_repr(str(key))} is not valid ({problem}).")
    arr = _as_array(value)
    if not dtype_allowed(arr.dtype):
        raise ProjectFileError(
            f"Cannot save {name}: weight {short_repr(key)} has type {arr.dtype}; only bool, int and float arrays can be saved."
        )
    if arr.size > limits.MAX_ARRAY_ELEMENTS:
        raise ProjectFileError(
            f"Cannot save {name}: weight {short_repr(key)} has more than {limits.MAX_ARRAY_ELEMENTS} elements."
        )
    return arr


def _as_array(value: Any) -> np.ndarray:
    """``value`` as an array; anything numpy cannot convert becomes an (unsavable) object array."""
    if isinstance(value, np.ndarray):
        return value
    try:
        return np.asarray(value)
    except Exception:
        return np.empty(0, dtype=object)


# ---------------------------------------------------------------------------------------------
# decoding


def decode_weights(raw: bytes, name: str) -> dict[str, np.ndarray]:
    """The arrays of an untrusted ``weights.npz``, each checked before it is loaded."""
    bio = io.BytesIO(raw)
    precheck_directory(bio, len(raw), name, "weights.npz", limits.MAX_ARRAYS, limits.MAX_INNER_DIRECTORY_BYTES)
    try:
        zf = zipfile.ZipFile(bio)
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        raise ProjectFileError(f"{name} is damaged: weights.npz is not a valid npz archive.") from None
    with zf:
        infos = zf.infolist()
        keys = _checked_keys(infos, name)
        return {
            key: parse_npy(read_member(zf, info, limits.MAX_WEIGHTS_BYTES, name, "weights.npz: "), key, name)
            for info, key in zip(infos, keys)
        }


def _checked_keys(infos: list[zipfile.ZipInfo], name: str) -> list[str]:
    """The weight key of each npz entry, refusing bad or repeated names and too much declared data."""
    if len(infos) > limits.MAX_ARRAYS:
        raise ProjectFileError(f"{name} is damaged or hostile: weights.npz holds more than {limits.MAX_ARRAYS} arrays.")
    total = 0
    keys: list[str] = []
    seen: set[str] = set()
    for info in infos:
        key = _weight_key(info.filename, name)
        if key in seen:
            raise ProjectFileError(f"{name} is damaged: weight {short_repr(key)} appears more than once.")
        seen.add(key)
        keys.append(key)
        total += info.file_size
        if total > limits.MAX_WEIGHTS_BYTES:
            raise ProjectFileError(f"{name} is too large or hostile: its weights declare more than 2 GiB.")
    return keys


def _weight_key(member: str, name: str) -> str:
    """The weight key stored in npz entry ``member`` (``<key>.npy``)."""
    if not member.endswith(_NPY_SUFFIX):
        raise ProjectFileError(f"{name} is damaged: weights.npz holds an unexpected entry {short_repr(member)}.")
    key = member[: -len(_NPY_SUFFIX)]
    problem = weight_key_problem(key)
    if problem:
        raise ProjectFileError(f"{name} is damaged: weight name {short_repr(key)} is not valid ({problem}).")
    return key
