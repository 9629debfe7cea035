"""The layer contract and the registry of layer kinds.

A layer kind declares its parameters, computes its output shape from input shapes without running,
declares its weights, and emits ops into the compiled program. The registry drives the palette,
the inspector, the file format and the CLI: a new kind appears everywhere once registered.
Shapes exclude the batch axis: vectors are ``(F,)``, images ``(C, H, W)``, sequences ``(T, F)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from nnsim.core.errors import GraphError, ShapeError
from nnsim.core.params import ParamSpec, check_params

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.engine.program import Buffer, ProgramBuilder

Shape = tuple[int, ...]


@dataclass(frozen=True)
class WeightSpec:
    """A trainable (or buffer) array a layer owns; layouts follow PyTorch."""

    name: str
    shape: Shape
    init: str  # an initializer name, or "zeros" / "ones"
    fan_in: int = 1
    fan_out: int = 1
    decay: bool = True  # L1/L2 regularization applies (weights yes, biases no)
    trainable: bool = True  # False for BatchNorm running statistics
    offset: tuple[int, int, float] | None = None  # (start, stop, value): added to flat elements after init
    values: tuple[float, ...] | None = None  # fixed flat values set by the params (McCulloch-Pitts units)


class LayerKind:
    """Base class of every layer kind. Subclasses are stateless; params live in the graph."""

    type_name: ClassVar[str] = ""
    category: ClassVar[str] = ""
    help: ClassVar[str] = ""
    params: ClassVar[tuple[ParamSpec, ...]] = ()
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int | None] = 1  # None: any number

    # --- parameters -------------------------------------------------------------------------
    @classmethod
    def default_params(cls) -> dict[str, Any]:
        return {p.name: (list(p.default) if isinstance(p.default, tuple) else p.default) for p in cls.params}

    @classmethod
    def param_spec(cls, name: str) -> ParamSpec | None:
        return next((p for p in cls.params if p.name == name), None)

    @classmethod
    def check_params(cls, params: dict[str, Any], node: str) -> dict[str, Any]:
        """Fill defaults, refuse unknown names, check each value; returns a new dict."""
        return check_params(cls.params, params, node)

    # --- shapes and weights -------------------------------------------------------------------
    @classmethod
    def output_shape(cls, in_shapes: list[Shape], params: dict[str, Any], node: str,
                     sources: list[str]) -> Shape:
        """The per-sample output shape; ``sources`` name the input nodes for error messages."""
        raise NotImplementedError

    @classmethod
    def weight_specs(cls, in_shapes: list[Shape], params: dict[str, Any]) -> list[WeightSpec]:
        return []

    @classmethod
    def param_count(cls, in_shapes: list[Shape], params: dict[str, Any]) -> int:
        return sum(math.prod(w.shape) for w in cls.weight_specs(in_shapes, params) if w.trainable)

    @classmethod
    def key_params(cls, params: dict[str, Any]) -> str:
        """A short summary for a node on the canvas, e.g. ``16, relu``."""
        return ""

    # --- compilation --------------------------------------------------------------------------
    @classmethod
    def emit(cls, b: "ProgramBuilder", node: str, params: dict[str, Any], inputs: list["Buffer"],
             out_shape: Shape) -> "Buffer":
        raise NotImplementedError


def need_flat(kind: str, node: str, shape: Shape, source: str) -> int:
    """Return the feature count of a flat input or raise the standard Flatten hint."""
    if len(shape) != 1:
        dims = "x".join(map(str, shape))
        raise ShapeError(f"{kind} '{node}' needs a flat input but gets {dims} from '{source}': "
                         f"add a Flatten node.", node)
    return shape[0]


_REGISTRY: dict[str, type[LayerKind]] = {}


def register(kind: type[LayerKind]) -> type[LayerKind]:
    """Class decorator: make a layer kind known by its type name."""
    if not kind.type_name:
        raise ValueError("a layer kind needs a type_name")
    _REGISTRY[kind.type_name] = kind
    return kind


def layer_kind(type_name: str) -> type[LayerKind]:
    _ensure_loaded()
    try:
        return _REGISTRY[type_name]
    except KeyError:
        raise GraphError(f"Unknown node type '{type_name}': use one of {', '.join(sorted(_REGISTRY))}.") from None


def layer_kinds() -> dict[str, type[LayerKind]]:
    _ensure_loaded()
    return dict(_REGISTRY)


def _ensure_loaded() -> None:
    import nnsim.engine.layers  # noqa: F401  (registers the built-in kinds)
