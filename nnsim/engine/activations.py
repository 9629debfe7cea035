"""Activation functions by name, with the integer codes the kernels dispatch on."""

from __future__ import annotations

ACTIVATIONS: dict[str, int] = {
    "identity": 0,
    "step": 1,
    "sign": 2,
    "sigmoid": 3,
    "tanh": 4,
    "relu": 5,
    "leaky_relu": 6,
    "rrelu": 7,
    "elu": 8,
    "softmax": 9,
}

ACTIVATION_HELP: dict[str, str] = {
    "identity": "f(x) = x; a linear unit (Adaline's output, regression outputs).",
    "step": "Heaviside threshold: 1 if x >= 0 else 0 (McCulloch-Pitts, perceptron); its gradient is 0.",
    "sign": "+1 if x >= 0 else -1 (bipolar perceptron); its gradient is 0.",
    "sigmoid": "1 / (1 + e^-x): squashes to (0, 1); saturates, so gradients vanish in deep stacks.",
    "tanh": "tanh(x): zero-centred squashing to (-1, 1).",
    "relu": "max(0, x): cheap and non-saturating for x > 0; units can die when always negative.",
    "leaky_relu": "x if x > 0 else slope * x: a small slope keeps dead units learning.",
    "rrelu": "Randomized leaky ReLU: a random slope in [lower, upper] while training, the mean at evaluation.",
    "elu": "x if x > 0 else alpha * (e^x - 1): smooth, with negative outputs pushing means toward 0.",
    "softmax": "e^x_i / sum_j e^x_j over the features: class probabilities; pair with cross-entropy.",
}

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
