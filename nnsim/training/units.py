"""Neuron-level networks made readable: the weights each edge carries and truth tables with every unit.

What the canvas and the truth-table view show for networks of Neuron / MPNeuron units (and small
Dense layers): per-edge weights (editable, except a McCulloch-Pitts unit's), the network's output
and each unit's output for every binary input combination. Computed with the NumPy forward pass,
so the GUI can call it on its own thread after every edit and every frame. No Qt.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from nnsim.core.errors import GraphError
from nnsim.data import Dataset
from nnsim.engine.layers.neuron import edge_weight_slices
from nnsim.engine.numpy_forward import node_weights, numpy_forward, unsupported_node
from nnsim.engine.resolved import ResolvedGraph
from nnsim.engine.truth_table import MAX_TRUTH_INPUTS
from nnsim.training.metrics import predicted_classes

UNIT_KINDS = ("Neuron", "MPNeuron")
MAX_DENSE_EDGE_WEIGHTS = 16  # a Dense edge with more weights is shown as a band, not edited one by one


@dataclass(frozen=True)
class EdgeWeights:
    """The weights one edge carries: positions in ``key`` (the target's weight matrix) and their values."""

    src: str
    dst: str
    key: str  # "dst/weight"
    positions: tuple[tuple[int, int], ...]  # (row, column) in the weight matrix
    values: tuple[float, ...]
    labels: tuple[str, ...]  # what each weight multiplies ("a", "h1", "unit 2 ← x1")
    fixed: bool  # McCulloch-Pitts weights follow θ and the inhibitory list


def input_labels(graph: ResolvedGraph, src: str, width: int, feature_names: list[str] | None = None) -> list[str]:
    """Names of the features an edge from ``src`` carries: the dataset's names for the Input, else the node's."""
    if src == graph.input and feature_names and len(feature_names) == width:
        return list(feature_names)
    if src == graph.input:
        return [f"x{i + 1}" for i in range(width)]
    return [src] if width == 1 else [f"{src}[{i + 1}]" for i in range(width)]


def edge_weights(graph: ResolvedGraph, weights: dict[str, np.ndarray],
                 feature_names: list[str] | None = None) -> dict[tuple[str, str], EdgeWeights]:
    """(source, target) -> its weights, for every edge into a unit or a small Dense layer.

    Targets whose weights are missing or don't fit (an edited graph) are left out.
    """
    out: dict[tuple[str, str], EdgeWeights] = {}
    for node in graph.nodes:
        if node.type not in UNIT_KINDS + ("Dense",) or len(node.out_shape) != 1:
            continue
        try:
            w = node_weights(node, weights)["weight"]
        except GraphError:
            continue
        if node.type == "Dense":
            if w.size <= MAX_DENSE_EDGE_WEIGHTS and len(node.in_shapes[0]) == 1:
                out[(node.inputs[0], node.name)] = _dense_edge(graph, node.name, node.inputs[0], w, feature_names)
            continue
        for src, cols in edge_weight_slices(graph, node.name):
            positions = tuple((0, c) for c in range(cols.start, cols.stop))
            labels = input_labels(graph, src, cols.stop - cols.start, feature_names)
            out[(src, node.name)] = EdgeWeights(src, node.name, f"{node.name}/weight", positions,
                                                tuple(float(w[p]) for p in positions), tuple(labels),
                                                node.type == "MPNeuron")
    return out


def _dense_edge(graph: ResolvedGraph, dst: str, src: str, w: np.ndarray, feature_names) -> EdgeWeights:
    names = input_labels(graph, src, w.shape[1], feature_names)
    positions = tuple(itertools.product(range(w.shape[0]), range(w.shape[1])))
    labels = tuple(f"unit {j + 1} ← {names[i]}" for j, i in positions)
    return EdgeWeights(src, dst, f"{dst}/weight", positions, tuple(float(w[p]) for p in positions), labels, False)


def unit_bias(graph: ResolvedGraph, weights: dict[str, np.ndarray], node: str) -> float | None:
    """A unit's bias b (its threshold is θ = -b), or None without one."""
    resolved = graph.node(node)
    try:
        bias = node_weights(resolved, weights).get("bias")
    except GraphError:
        return None
    return None if bias is None else float(bias.reshape(-1)[0])


def with_values(weights: dict[str, np.ndarray],
                edits: dict[str, dict[tuple[int, ...], float]]) -> dict[str, np.ndarray]:
    """A copy of ``weights`` with the values at the given positions of the given keys replaced."""
    out = {k: np.array(v, copy=True) for k, v in weights.items()}
    for key, values in edits.items():
        if key not in out:
            raise GraphError(f"The network has no weight '{key}': check the node name.")
        for position, value in values.items():
            out[key][position] = value
    return out


# --- truth tables ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TruthTable:
    feature_names: list[str]
    inputs: np.ndarray  # (R, n) every combination, the first input most significant
    targets: np.ndarray  # (R,) the dataset's class (or value) for that row; NaN where no sample has it
    outputs: np.ndarray  # (R, k) the network's output
    predicted: np.ndarray  # (R,) predicted class (classification) or the output value
    units: dict[str, np.ndarray]  # every other unit's output (R,), in graph order
    correct: np.ndarray  # (R,) bool; False also where there is no target
    classification: bool


def binary_levels(data: Dataset) -> tuple[float, float] | None:
    """The two values every input takes (0/1 or -1/+1), or None when the inputs aren't binary."""
    x = np.asarray(data.x_train)
    if x.ndim != 2 or x.size == 0:
        return None
    levels = np.unique(x)
    return (float(levels[0]), float(levels[-1])) if 1 <= len(levels) <= 2 else None


def truth_table_problem(graph: ResolvedGraph | None, data: Dataset | None) -> str | None:
    """Why no truth table can be shown (one sentence), or None when it can."""
    if data is None or graph is None:
        return "The truth table needs a valid network and dataset: fix the problems shown in the status bar."
    if len(data.input_shape) != 1 or binary_levels(data) is None:
        return (f"The truth table needs binary inputs (the logic-gate datasets); {data.name} has "
                f"{'x'.join(map(str, data.input_shape))} inputs of many values.")
    if data.input_shape[0] > MAX_TRUTH_INPUTS:
        return f"{data.input_shape[0]} binary inputs would make 2^{data.input_shape[0]} rows: at most " \
               f"{MAX_TRUTH_INPUTS} inputs fit a truth table."
    bad = unsupported_node(graph)
    if bad is not None:
        return f"The truth table evaluates units and dense layers, but '{bad.name}' is a {bad.type}."
    return None


def truth_table_rows(data: Dataset) -> np.ndarray:
    """Every input combination of a binary dataset, in counting order."""
    lo, hi = binary_levels(data)
    n = data.input_shape[0]
    return np.array(list(itertools.product((lo, hi), repeat=n)), dtype=np.float64).reshape(-1, n)


def truth_table(graph: ResolvedGraph, weights: dict[str, np.ndarray], data: Dataset) -> TruthTable:
    """The network's (and each unit's) output for every row; raises GraphError when it doesn't apply."""
    problem = truth_table_problem(graph, data)
    if problem:
        raise GraphError(problem)
    x = truth_table_rows(data)
    outs = numpy_forward(graph, weights, x)
    output = outs[graph.output].reshape(len(x), -1)
    classification = data.task == "classification"
    targets = _targets(data, x, classification)
    predicted = predicted_classes(output).astype(np.float64) if classification else output[:, 0]
    correct = predicted == targets if classification else np.abs(predicted - targets) < 0.5
    units = {n.name: outs[n.name][:, 0] for n in graph.nodes
             if n.type in UNIT_KINDS and n.name != graph.output}
    names = data.feature_names if len(data.feature_names) == x.shape[1] else [f"x{i + 1}" for i in range(x.shape[1])]
    return TruthTable(list(names), x, targets, output, predicted, units, correct & ~np.isnan(targets),
                      classification)


def _targets(data: Dataset, rows: np.ndarray, classification: bool) -> np.ndarray:
    """Each row's target from the first sample with exactly those inputs (NaN when none has)."""
    x = np.concatenate([data.x_train, data.x_test]).reshape(-1, rows.shape[1])
    if classification:
        t = np.concatenate([data.labels_train, data.labels_test]).astype(np.float64).reshape(len(x), -1)[:, 0]
    else:
        t = np.concatenate([data.y_train, data.y_test]).astype(np.float64).reshape(len(x), -1)[:, 0]
    out = np.full(len(rows), np.nan)
    for i, row in enumerate(rows):
        hit = np.flatnonzero(np.all(x == row, axis=1))
        if len(hit):
            out[i] = t[hit[0]]
    return out


# --- decision lines --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionLine:
    """Where a unit fed by two inputs switches: w1·x1 + w2·x2 + b = 0 (its weighted sum is 0)."""

    unit: str
    w1: float
    w2: float
    b: float


def decision_lines(graph: ResolvedGraph, weights: dict[str, np.ndarray]) -> list[DecisionLine]:
    """The line of every unit that reads the two plane inputs directly (a single unit draws one line)."""
    out = []
    if graph.node(graph.input).out_shape != (2,):
        return out
    for node in graph.nodes:
        if node.type not in UNIT_KINDS or tuple(node.inputs) != (graph.input,):
            continue
        try:
            w = node_weights(node, weights)
        except GraphError:
            continue
        bias = float(w["bias"].reshape(-1)[0]) if "bias" in w else 0.0
        w1, w2 = (float(v) for v in w["weight"].reshape(-1))
        if w1 != 0.0 or w2 != 0.0:
            out.append(DecisionLine(node.name, w1, w2, bias))
    return out
