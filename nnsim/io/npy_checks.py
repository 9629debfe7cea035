"""Checking an untrusted ``.npy`` member: its header (version, dtype, shape, size) is validated
before numpy is allowed to load the array, and pickled data is never loaded."""

from __future__ import annotations

import io
import math

import numpy as np
from numpy.lib import format as npy_format

from nnsim.core.errors import ProjectFileError
from nnsim.io import limits
from nnsim.io.messages import short_repr

_MAX_DIMENSIONS = 32


def dtype_allowed(dt: np.dtype) -> bool:
    """Plain numbers only: bool, signed/unsigned ints and floats up to 8 bytes."""
    return (
        dt.kind in "biuf"
        and not dt.hasobject
        and dt.fields is None
        and dt.subdtype is None
        and dt.itemsize <= 8
    )


def parse_npy(data: bytes, key: str, name: str) -> np.ndarray:
    """Validate an .npy header (dtype, shape, size) before letting numpy load the array."""
    label = f"weight {short_repr(key)}"
    bio = io.BytesIO(data)
    shape, dtype = _read_header(bio, label, name)
    _check_dtype(dtype, label, name)
    count = _checked_element_count(shape, label, name)
    if bio.tell() + count * dtype.itemsize != len(data):
        raise ProjectFileError(f"{name} is damaged: {label} does not hold as much data as its shape declares.")
    return _load_array(data, shape, dtype, label, name)


def _read_header(bio: io.BytesIO, label: str, name: str) -> tuple[object, np.dtype]:
    """``(shape, dtype)`` from the header of a version 1.0 or 2.0 .npy file."""
    try:
        version = npy_format.read_magic(bio)
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} is not a numpy array (.npy).") from None
    readers = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
    if version not in readers:
        raise ProjectFileError(
            f"{name} cannot be opened: {label} uses .npy format {version[0]}.{version[1]}, which NNSim does not read."
        )
    try:
        shape, _fortran, dtype = readers[version](bio, max_header_size=limits.MAX_NPY_HEADER_BYTES)
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} has a bad .npy header.") from None
    return shape, dtype


def _check_dtype(dtype: np.dtype, label: str, name: str) -> None:
    if dtype.hasobject:
        raise ProjectFileError(
            f"{name} is unsafe: {label} holds Python objects (pickled data), which NNSim refuses to load."
        )
    if not dtype_allowed(dtype):
        raise ProjectFileError(f"{name} cannot be opened: {label} has type {dtype}; only bool, int and float arrays are allowed.")


def _checked_element_count(shape: object, label: str, name: str) -> int:
    """The number of elements ``shape`` declares, after checking it is a sane shape."""
    if not isinstance(shape, tuple) or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape):
        raise ProjectFileError(f"{name} is damaged: {label} has an invalid shape.")
    if len(shape) > _MAX_DIMENSIONS:
        raise ProjectFileError(f"{name} is damaged: {label} has more than {_MAX_DIMENSIONS} dimensions.")
    count = math.prod(shape)
    if count > limits.MAX_ARRAY_ELEMENTS:
        raise ProjectFileError(
            f"{name} is too large or hostile: {label} declares {count} elements (limit {limits.MAX_ARRAY_ELEMENTS})."
        )
    return count


def _load_array(data: bytes, shape: tuple[int, ...], dtype: np.dtype, label: str, name: str) -> np.ndarray:
    """Let numpy read the checked data, and make sure it read what the header declared."""
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False, max_header_size=limits.MAX_NPY_HEADER_BYTES)
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read.") from None
    if not isinstance(arr, np.ndarray) or arr.dtype != dtype or arr.shape != shape:
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read.")
    return arr
