"""The Autoencoder node joins phased training (:mod:`nnsim.training.pretraining`): it pretrains, or trains
alone when it ends the graph, with an :class:`~nnsim.training.autoencoder_trainer.AutoencoderTrainer`.

The node's weights already have the model's names and layout (``weight`` (code, input), ``bias``,
``decoder_weight`` when untied, ``decoder_bias``), so they copy across unchanged. The autoencoder
modules load on first use: backprop-only runs never import their kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnsim.engine.layers.unsupervised import RECONSTRUCTION_PARAMS
from nnsim.training.pretraining import Pretrainer, register_pretrainer

NODE_TRAINING_PARAMS = tuple(spec.name for spec in RECONSTRUCTION_PARAMS)  # the node's own loss, noise, sparsity


def _build(n_in: int, params: dict[str, Any], dtype: np.dtype) -> Any:
    from nnsim.engine.autoencoder import Autoencoder

    return Autoencoder(n_in, params["units"], tied=params["tied"], dtype=dtype,
                       code_activation=params["code_activation"])


def _trainer(*args: Any, **kwargs: Any) -> Any:
    from nnsim.training.autoencoder_trainer import AutoencoderTrainer

    return AutoencoderTrainer(*args, **kwargs)


def _load(model: Any, weights: dict[str, np.ndarray]) -> None:
    model.set_weights({name: weights[name] for name in model.weight_names})


def _save(model: Any) -> dict[str, np.ndarray]:
    return {name: getattr(model, name) for name in model.weight_names}


def _settings(params: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    """The phase's learning rate, momentum, weight decay, batch size, epochs, shuffle and seed, plus the
    node's own loss, corruption and sparsity."""
    return {**phase, **{name: params[name] for name in NODE_TRAINING_PARAMS}}


register_pretrainer("Autoencoder", Pretrainer(build=_build, trainer=_trainer, load=_load, save=_save,
                                              settings=_settings))
