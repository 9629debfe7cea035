"""Declared parameters: what an inspector edits and a file stores, with range and help text.

Used by layer kinds, datasets and training settings alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nnsim.core.errors import GraphError


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer kind: what the inspector edits and the file stores."""

    name: str
    kind: str  # "int", "float", "bool", "choice", "shape", "str"
    default: Any
    help: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any, node: str, error: type[Exception] = GraphError) -> Any:
        """Return ``value`` as a plain JSON value of the right kind, or raise ``error``.

        ``node`` names the owner in the message (a node name, "the dataset", "training").
        """
        try:
            return self._check(value, f"Parameter '{self.name}' of '{node}'", node)
        except GraphError as err:
            if error is GraphError:
                raise
            raise error(str(err)) from None

    def _check(self, value: Any, where: str, node: str) -> Any:
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise GraphError(f"{where} must be true or false, not {_short(value)}.", node)
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise GraphError(f"{where} must be one of {', '.join(self.choices)}, not {_short(value)}.", node)
            return value
        if self.kind == "shape":
            return self._check_shape(value, where, node)
        if self.kind == "str":
            if not isinstance(value, str) or len(value) > 4096:
                raise GraphError(f"{where} must be a text of at most 4096 characters.", node)
            return value
        return self._check_number(value, where, node)

    def _check_number(self, value: Any, where: str, node: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise GraphError(f"{where} must be a number, not {_short(value)}.", node)
        if isinstance(value, int) and abs(value) > 2**63:
            raise GraphError(f"{where} is far too large: enter a smaller number.", node)
        if isinstance(value, float) and not math.isfinite(value):
            raise GraphError(f"{where} must be a finite number, not {value!r}.", node)
        if self.kind == "int":
            if float(value) != int(value):
                raise GraphError(f"{where} must be a whole number, not {_short(value)}.", node)
            value = int(value)
        else:
            value = float(value)
        if self.min is not None and value < self.min:
            raise GraphError(f"{where} is {value:g}, below its minimum {self.min:g}: raise it.", node)
        if self.max is not None and value > self.max:
            raise GraphError(f"{where} is {value:g}, above its maximum {self.max:g}: lower it.", node)
        return value

    def _check_shape(self, value: Any, where: str, node: str) -> list[int]:
        ok = isinstance(value, (list, tuple)) and 0 < len(value) <= 4 and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1_000_000 for v in value
        )
        if not ok:
            raise GraphError(f"{where} must be a list of 1 to 4 positive whole numbers, not {_short(value)}.", node)
        return list(value)


def check_params(specs: tuple[ParamSpec, ...], params: dict[str, Any], owner: str,
                 error: type[Exception] = GraphError) -> dict[str, Any]:
    """Fill defaults, refuse unknown names, check each value; returns a new dict."""
    if not isinstance(params, dict):
        raise error(f"The parameters of '{owner}' must be a mapping of names to values.")
    known = {p.name for p in specs}
    unknown = sorted(str(k) for k in params if k not in known)
    if unknown:
        raise error(f"'{owner}' has no parameter '{unknown[0]}': remove it.")
    out = {p.name: (list(p.default) if isinstance(p.default, tuple) else p.default) for p in specs}
    for spec in specs:
        if spec.name in params:
            out[spec.name] = spec.check(params[spec.name], owner, error)
    return out


def _short(value: Any) -> str:
    """A bounded repr for messages (huge ints and long texts stay readable and can't fail)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return "a very large number"
    text = repr(value) if not isinstance(value, (list, dict)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."
