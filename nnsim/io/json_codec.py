"""Encoding a :class:`ProjectDocument` to ``project.json`` and decoding an untrusted one.

History values that are missing or not finite are stored as ``null`` (JSON has no NaN); the
non-standard ``NaN``/``Infinity`` literals other tools may write are read as ``null`` too. Nesting
deeper than ``limits.MAX_JSON_DEPTH`` is refused both ways.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from nnsim.core.errors import ProjectFileError
from nnsim.io import limits, migrations
from nnsim.io.document import ProjectDocument
from nnsim.io.messages import short_repr

#: The dict fields of a document, with the words used for them in save errors.
_DICT_FIELD_LABELS = {"meta": "project details (meta)", "graph": "network graph",
                      "dataset": "dataset settings", "training": "training settings"}


def depth_within_limit(obj: Any) -> bool:
    """Whether lists/dicts in ``obj`` nest at most ``limits.MAX_JSON_DEPTH`` levels deep."""
    limit = limits.MAX_JSON_DEPTH
    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children)
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _finite_or_none(value: Any) -> float | None:
    try:
        f = float(value)
    except OverflowError:  # an int too large for a float is infinite
        return None
    return f if math.isfinite(f) else None


def _history_series(series: Iterable[Any]) -> list[float | None] | None:
    """The values of one history series as finite floats or None; None if one is not a number."""
    values: list[float | None] = []
    for v in series:
        if v is None:
            values.append(None)
        elif not _is_number(v):
            return None
        else:
            values.append(_finite_or_none(v))
    return values


# ---------------------------------------------------------------------------------------------
# encoding


def encode_project_json(doc: ProjectDocument, name: str) -> bytes:
    """The UTF-8 bytes of ``project.json`` for ``doc``, at the current schema version."""
    for field_name, label in _DICT_FIELD_LABELS.items():
        value = getattr(doc, field_name)
        if not isinstance(value, dict):
            raise ProjectFileError(f"Cannot save {name}: the {label} must be a dict.")
        _check_field_storable(value, label, name)
    if not isinstance(doc.app_version, str):
        raise ProjectFileError(f"Cannot save {name}: app_version must be a string.")
    data = {
        "schema_version": migrations.CURRENT_SCHEMA,
        "app_version": doc.app_version,
        "meta": doc.meta,
        "graph": doc.graph,
        "dataset": doc.dataset,
        "training": doc.training,
        "history": _clean_history(doc.history, name),
    }
    try:
        text = json.dumps(data, allow_nan=False, default=_json_default, ensure_ascii=False, indent=1)
        encoded = text.encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeError):
        raise ProjectFileError(f"Cannot save {name}: the project data cannot be stored as JSON.") from None
    if len(encoded) > limits.MAX_JSON_BYTES:
        raise ProjectFileError(
            f"Cannot save {name}: project.json would be larger than {limits.MAX_JSON_BYTES // limits.MiB} MiB."
        )
    if not depth_within_limit(json.loads(text)):
        raise ProjectFileError(
            f"Cannot save {name}: the project data is nested deeper than {limits.MAX_JSON_DEPTH} levels."
        )
    return encoded


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"a value of type {type(obj).__name__}")


def _check_field_storable(value: Any, label: str, name: str) -> None:
    """Encode one field alone, so that an error can say which part of the project is at fault."""
    try:
        json.dumps(value, allow_nan=False, default=_json_default)
    except RecursionError:
        raise ProjectFileError(f"Cannot save {name}: the {label} are nested too deeply.") from None
    except ValueError as exc:
        why = "NaN or infinity" if "float" in str(exc) else "a circular reference"
        raise ProjectFileError(f"Cannot save {name}: the {label} contain {why}, which JSON cannot store.") from None
    except TypeError as exc:
        raise ProjectFileError(f"Cannot save {name}: the {label} contain {exc}, which JSON cannot store.") from None


def _clean_history(history: Any, name: str) -> dict[str, list[float | None]]:
    if not isinstance(history, dict):
        raise ProjectFileError(f"Cannot save {name}: the history must be a dict of lists.")
    out: dict[str, list[float | None]] = {}
    for key, series in history.items():
        if not isinstance(key, str):
            raise ProjectFileError(f"Cannot save {name}: history names must be strings, not {type(key).__name__}.")
        if isinstance(series, (str, bytes, dict)) or not hasattr(series, "__iter__"):
            raise ProjectFileError(f"Cannot save {name}: history {short_repr(key)} must be a list of numbers.")
        values = _history_series(series)
        if values is None:
            raise ProjectFileError(f"Cannot save {name}: history {short_repr(key)} holds a non-number.")
        out[key] = values
    return out


# ---------------------------------------------------------------------------------------------
# decoding


def decode_project_json(raw: bytes, name: str) -> dict[str, Any]:
    """The ``project.json`` object in ``raw``, upgraded to the current schema."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFileError(f"{name} is damaged: project.json is not UTF-8 text.") from None
    try:
        data = json.loads(text, parse_constant=_constant_as_null)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(f"{name} is damaged: project.json is not valid JSON (line {exc.lineno}).") from None
    except RecursionError:
        raise ProjectFileError(f"{name} is damaged: project.json is nested too deeply.") from None
    except ValueError:  # e.g. an integer with too many digits
        raise ProjectFileError(f"{name} is damaged: project.json holds a value that cannot be read.") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{name} is damaged: project.json does not hold an object.")
    if not depth_within_limit(data):
        raise ProjectFileError(
            f"{name} is damaged: project.json is nested deeper than {limits.MAX_JSON_DEPTH} levels."
        )
    return migrations.upgrade(data, name)


def _constant_as_null(token: str) -> None:
    return None  # NaN / Infinity literals (not standard JSON) are read as null


def document_from_json(data: dict[str, Any], weights: dict[str, np.ndarray], name: str) -> ProjectDocument:
    """A :class:`ProjectDocument` from decoded ``project.json`` data and the decoded weights."""
    if "graph" not in data:
        raise ProjectFileError(f"{name} is damaged: project.json has no graph.")
    fields: dict[str, Any] = {}
    for key in ("graph", "dataset", "training", "meta"):
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise ProjectFileError(f"{name} is damaged: '{key}' in project.json must be an object.")
        fields[key] = value
    app_version = data.get("app_version", "unknown")
    if not isinstance(app_version, str):
        raise ProjectFileError(f"{name} is damaged: 'app_version' in project.json must be a string.")
    history = _read_history(data.get("history", {}), name)
    return ProjectDocument(history=history, weights=weights, app_version=app_version, **fields)


def _read_history(history: Any, name: str) -> dict[str, list[float | None]]:
    if not isinstance(history, dict):
        raise ProjectFileError(f"{name} is damaged: 'history' in project.json must be an object.")
    out: dict[str, list[float | None]] = {}
    for key, series in history.items():
        if not isinstance(series, list):
            raise ProjectFileError(f"{name} is damaged: history {short_repr(key)} in project.json must be a list.")
        values = _history_series(series)
        if values is None:
            raise ProjectFileError(f"{name} is damaged: history {short_repr(key)} in project.json holds a non-number.")
        out[key] = values
    return out
