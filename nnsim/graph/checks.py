"""Checks of the plain values a graph stores: ids, names, positions, parameters.

They live apart from :mod:`model` because files and the clipboard hand us untrusted JSON, and every
entry point (``add_node``, ``rename``, ``from_dict``) must refuse the same things with the same words.
"""

from __future__ import annotations

import math
from typing import Any

from nnsim.core.errors import GraphError
from nnsim.engine.layers.base import LayerKind

MAX_NAME = 64
MAX_NODES = 10_000
MAX_EDGES = 100_000
MAX_COORD = 1e7  # far beyond any canvas, small enough for every view to draw

Position = tuple[float, float]


def check_id(node_id: Any) -> str:
    """Ids are short, non-empty strings; they key the weights file, so nothing fancier."""
    if not isinstance(node_id, str) or not node_id or len(node_id) > MAX_NAME or not node_id.isprintable():
        raise GraphError(f"A node id must be a short non-empty text, not {_short(node_id)}.")
    return node_id


def check_name(name: Any) -> str:
    """Names appear in messages and plots, so they must be printable, non-blank and short."""
    if not isinstance(name, str) or not name.strip():
        raise GraphError(f"A node name must be a non-empty text, not {_short(name)}: type a name.")
    if len(name) > MAX_NAME:
        raise GraphError(f"The node name '{name[:20]}...' is longer than {MAX_NAME} characters: shorten it.")
    if not name.isprintable():
        raise GraphError(f"The node name {name!r} contains control characters: use plain text.")
    return name


def check_position(position: Any, node: str) -> Position:
    """A position is two finite numbers; stored as a tuple of floats (never a Qt point)."""
    ok = isinstance(position, (list, tuple)) and len(position) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in position)
    if ok:
        try:
            x, y = float(position[0]), float(position[1])
        except OverflowError:
            ok = False
        else:
            ok = math.isfinite(x) and math.isfinite(y) and abs(x) <= MAX_COORD and abs(y) <= MAX_COORD
    if not ok:
        raise GraphError(f"The position of '{node}' must be two numbers [x, y] within ±{MAX_COORD:g}, "
                         f"not {_short(position)}.", node)
    return (x, y)


def check_params(kind: type[LayerKind], params: Any, node: str) -> dict[str, Any]:
    """The kind's own check, with numeric overflow (inf or huge ints for an int) turned into words."""
    try:
        return kind.check_params(params if params is not None else {}, node)
    except GraphError as err:
        raise GraphError(str(err), node) from None
    except (ValueError, OverflowError, TypeError):
        raise GraphError(f"The parameters of '{node}' must be named plain values with finite numbers: "
                         f"fix them.", node) from None


def check_param(kind: type[LayerKind], name: Any, value: Any, node: str) -> Any:
    """Check one parameter by name, as the inspector sets them one at a time."""
    spec = kind.param_spec(name) if isinstance(name, str) else None
    if spec is None:
        raise GraphError(f"{kind.type_name} '{node}' has no parameter {_short(name)}.", node)
    try:
        return spec.check(value, node)
    except GraphError as err:
        raise GraphError(str(err), node) from None
    except (ValueError, OverflowError, TypeError):
        raise GraphError(f"Parameter '{name}' of '{node}' must be a finite number, not {_short(value)}.",
                         node) from None


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # ints beyond Python's digit limit, absurd nesting
        text = f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."
