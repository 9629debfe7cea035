"""Learning rules: how the engine's one loss/gradient path turns into a weight change.

- ``backprop``: the gradient of the loss through every op (the default).
- ``perceptron``: Rosenblatt's rule w <- w + α x (y - f(x)). It is an SGD step on ½(f - y)² with the
  output's derivative taken as 1, so the step (or sign) unit, whose true derivative is 0, still learns.
- ``adaline``: Widrow and Hoff's LMS / delta rule w <- w + α x (y - net), an SGD step on ½(net - y)²
  of the weighted sum ``net``: while training the output unit passes its sum through unchanged; when
  evaluating it applies its activation. It converges to the least-squares weights.

Both rules train one layer: a Neuron or Dense output fed directly by the Input. The output's
activation op carries the rule (``RULE_*`` in its 4th argument); its backward adds K/2 * dy, which
turns the mean squared error's gradient 2 (out - y) / (B K) into (out - y) / B, so with batch size 1
and the sgd optimizer one update is exactly the textbook rule.
"""

from __future__ import annotations

from nnsim.core.errors import GraphError
from nnsim.engine.activations import ACTIVATIONS
from nnsim.engine.program import OP_ACT, RULE_ADALINE, RULE_BACKPROP, RULE_PERCEPTRON, Buffer, ProgramBuilder
from nnsim.engine.resolved import ResolvedGraph

RULES: dict[str, int] = {"backprop": RULE_BACKPROP, "perceptron": RULE_PERCEPTRON, "adaline": RULE_ADALINE}

SINGLE_LAYER_KINDS = ("Neuron", "Dense")


def check_single_layer(graph: ResolvedGraph, rule: str) -> None:
    """Refuse, in one sentence, a graph the perceptron or Adaline rule can't train."""
    out = graph.node(graph.output)
    what = f"The {rule} rule trains one layer of Neuron or Dense units fed by the Input"
    if out.type not in SINGLE_LAYER_KINDS:
        raise GraphError(f"{what}, but the output '{out.name}' is of type {out.type}: make a Neuron or Dense unit "
                         f"the output, or train with backprop.", out.name)
    for src in out.inputs:
        if src != graph.input:
            raise GraphError(f"{what}, but '{out.name}' gets input from '{src}': connect '{out.name}' straight "
                             f"to the Input, or train this multi-layer network with backprop.", out.name)
    if len(graph.node(graph.input).out_shape) != 1:
        raise GraphError(f"{what} from flat samples, but '{out.name}' reads a sequence: use a dataset of "
                         f"flat samples, or train with backprop.", out.name)
    if out.params.get("activation") == "softmax":
        raise GraphError(f"{what}, each with its own output, but '{out.name}' ends in softmax: choose step, "
                         f"sign, identity or sigmoid for '{out.name}', or train with backprop.", out.name)


def apply_rule(b: ProgramBuilder, graph: ResolvedGraph, bufs: dict[str, Buffer], rule: str) -> None:
    """Mark the output's activation op with ``rule`` (adding an identity op to a linear output)."""
    if RULES[rule] == RULE_BACKPROP:
        return
    check_single_layer(graph, rule)
    name = graph.output
    out = bufs[name]
    last = b.ops[-1]
    if last.opcode != OP_ACT or last.out.offset != out.offset:
        b.op(OP_ACT, name, [out], b.activation(out.shape), [out.size, ACTIVATIONS["identity"], 0])
        last = b.ops[-1]
        bufs[name] = last.out
    last.args[3:] = [RULES[rule]]
