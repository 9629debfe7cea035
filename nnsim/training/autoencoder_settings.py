"""Settings of autoencoder training (gradient descent on the reconstruction loss), declared like the
backprop settings."""

from __future__ import annotations

from typing import Any

from nnsim.core.errors import TrainingError
from nnsim.core.params import ParamSpec, check_params
from nnsim.engine.layers.unsupervised import RECONSTRUCTION_PARAMS

AUTOENCODER_TRAINING_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("learning_rate", "float", 0.5, "Step size α of each gradient-descent update.", min=1e-8, max=100.0),
    ParamSpec("batch_size", "int", 20, "Samples per update; 0 = the whole training set.", min=0, max=65536),
    ParamSpec("epochs", "int", 20, "Passes over the training data.", min=1, max=10**7),
    ParamSpec("momentum", "float", 0.9, "Momentum μ: v = μv - α(gradient + λW); W += v.", min=0.0, max=0.999),
    ParamSpec("weight_decay", "float", 0.0, "L2 penalty λ on the encoder and decoder weights (not the biases).",
              min=0.0, max=10.0),
) + RECONSTRUCTION_PARAMS + (
    ParamSpec("shuffle", "bool", True, "Shuffle the training samples every epoch."),
    ParamSpec("seed", "int", 0, "Seeds shuffling and the corruption noise: same seed, same run.", min=0,
              max=2**31 - 1),
)


def default_autoencoder_settings() -> dict[str, Any]:
    return check_autoencoder_settings({})


def check_autoencoder_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in; an unknown name or a bad value raises a one-sentence TrainingError."""
    return check_params(AUTOENCODER_TRAINING_PARAMS, settings, "autoencoder training", TrainingError)
