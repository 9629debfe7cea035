"""Loss names, their kernel codes, the output each needs, and help text."""

from __future__ import annotations

from nnsim.engine.kernels.losses import BCE, CROSS_ENTROPY, KL_DIV, MSE

LOSSES: dict[str, int] = {"mse": MSE, "bce": BCE, "cross_entropy": CROSS_ENTROPY, "kl_div": KL_DIV}

LOSS_HELP = {
    "mse": "Mean squared error: mean of (y - t)²; regression, and the classic choice for XOR nets.",
    "bce": "Binary cross-entropy: -t log y - (1 - t) log(1 - y); one sigmoid unit per yes/no target.",
    "cross_entropy": "Categorical cross-entropy fused with softmax: -Σ t log softmax(z); one-hot classes.",
    "kl_div": "Kullback-Leibler divergence Σ t log(t / y) from target to softmax distribution.",
}

# The output activation a loss fuses with (stable gradient p - t); None: any output.
FUSES_WITH = {"mse": None, "bce": "sigmoid", "cross_entropy": "softmax", "kl_div": "softmax"}
NEEDS_FUSION = {"cross_entropy", "kl_div"}
