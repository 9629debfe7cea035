"""Settings of RBM training (contrastive divergence), declared like the backprop settings."""

from __future__ import annotations

from typing import Any

from nnsim.core.errors import TrainingError
from nnsim.core.params import ParamSpec, check_params

RBM_TRAINING_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("learning_rate", "float", 0.05, "Step size α of each contrastive-divergence update.", min=1e-8, max=100.0),
    ParamSpec("k", "int", 1, "Gibbs steps per update (CD-k): more steps give a less biased gradient but cost "
              "more.", min=1, max=1000),
    ParamSpec("persistent", "bool", False, "Persistent CD: the negative chains carry on from update to update "
              "instead of restarting at the data."),
    ParamSpec("batch_size", "int", 20, "Samples per update; 0 = the whole training set.", min=0, max=65536),
    ParamSpec("epochs", "int", 20, "Passes over the training data.", min=1, max=10**7),
    ParamSpec("momentum", "float", 0.9, "Momentum μ: v = μv + α(gradient - λW); W += v.", min=0.0, max=0.999),
    ParamSpec("weight_decay", "float", 0.0001, "L2 penalty λ on the weights (not the biases).", min=0.0, max=10.0),
    ParamSpec("shuffle", "bool", True, "Shuffle the training samples every epoch."),
    ParamSpec("binarize", "bool", True, "Threshold the data at 0.5 so visible units see 0 or 1; off: grey levels "
              "in [0, 1] are used as they are (as probabilities)."),
    ParamSpec("seed", "int", 0, "Seeds shuffling and the Gibbs sampling: same seed, same run.", min=0,
              max=2**31 - 1),
)


def default_rbm_settings() -> dict[str, Any]:
    return check_rbm_settings({})


def check_rbm_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in; an unknown name or a bad value raises a one-sentence TrainingError."""
    return check_params(RBM_TRAINING_PARAMS, settings, "RBM training", TrainingError)
