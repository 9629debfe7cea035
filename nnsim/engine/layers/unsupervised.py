"""Nodes that learn without labels: the RBM node (a restricted Boltzmann machine inside a network) and
the Autoencoder node (its encoder in the network; its decoder weights are buffers its own training uses).

Contrastive divergence trains an RBM without labels (greedy pretraining, :mod:`nnsim.training.pretraining`);
in the compiled network it is its recognition pass h = sigmoid(x Wᵀ + d), emitted with the dense and
sigmoid ops, so backprop can fine-tune it and gradient checks and the weight file work unchanged.
Weights follow Dense's PyTorch layout: ``weight`` (hidden, visible) = Wᵀ of the energy
E(x, h) = -xᵀWh - bᵀx - dᵀh, ``bias`` (hidden,) = d, plus ``visible_bias`` (visible,) = b, a
buffer the forward pass doesn't read (backprop leaves it alone; contrastive divergence trains it).

An autoencoder likewise is its encoder h = f(x Wᵀ + b) in the network (``weight`` (code, input),
``bias``); ``decoder_weight`` (input, code; absent with tied weights, which decode with Wᵀ) and
``decoder_bias`` are buffers that only its reconstruction training (:mod:`nnsim.training.autoencoder_trainer`)
reads and changes.
"""

from __future__ import annotations

import math

from nnsim.core.params import ParamSpec
from nnsim.engine.initializers import INITIALIZER_NAMES
from nnsim.engine.layers.base import LayerKind, WeightSpec, need_flat, register
from nnsim.engine.layers.core import emit_activation
from nnsim.engine.program import OP_DENSE

UNSUPERVISED = "Unsupervised and generative"

# What an autoencoder learns to reconstruct and how: params of the Autoencoder node and settings of
# :class:`~nnsim.training.autoencoder_trainer.AutoencoderTrainer` alike.
RECONSTRUCTION_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("loss", "choice", "mse", "Reconstruction loss per sample: mse = ½ Σ (x' - x)² over the pixels, "
              "cross_entropy = -Σ x log x' + (1 - x) log(1 - x').", choices=("mse", "cross_entropy")),
    ParamSpec("corruption", "float", 0.0, "Denoising: the masking probability (or Gaussian noise's standard "
              "deviation) applied to each input, which must still be reconstructed clean; 0 = off.",
              min=0.0, max=1.0),
    ParamSpec("noise", "choice", "mask", "How inputs are corrupted: mask = set to 0 with probability "
              "'corruption', gaussian = add N(0, corruption²).", choices=("mask", "gaussian")),
    ParamSpec("sparsity_target", "float", 0.05, "Sparsity: the mean activation ρ each code unit is pushed "
              "towards.", min=0.001, max=0.999),
    ParamSpec("sparsity_weight", "float", 0.0, "Weight β of the sparsity penalty β Σ_j KL(ρ || ρ̂_j), ρ̂_j the "
              "unit's mean activation over a batch; 0 = off.", min=0.0, max=100.0),
)


class _LearnsWithoutLabels(LayerKind):
    """One flat input, ``units`` outputs; in the network a dense layer (``weight``, ``bias``) and an
    activation, with the node's generative weights (the specs after those two) stored as buffers."""

    @classmethod
    def output_shape(cls, in_shapes, params, node, sources):
        need_flat(cls.type_name, node, in_shapes[0], sources[0])
        return (params["units"],)

    @classmethod
    def param_count(cls, in_shapes, params):
        return sum(math.prod(w.shape) for w in cls.weight_specs(in_shapes, params))  # the buffers learn too

    @classmethod
    def output_activation(cls, params) -> str:
        raise NotImplementedError

    @classmethod
    def emit(cls, b, node, params, inputs, out_shape):
        x = inputs[0]
        specs = cls.weight_specs([x.shape], params)
        w, bias = b.weight(node, specs[0]), b.weight(node, specs[1])
        for spec in specs[2:]:
            b.weight(node, spec)  # stored with the node; only its own unsupervised training reads it
        z = b.activation(out_shape)
        b.op(OP_DENSE, node, [x], z, [x.shape[-1], out_shape[-1], w, bias, 1])
        return emit_activation(b, node, cls.output_activation(params), params, z, out_shape)


@register
class RBM(_LearnsWithoutLabels):
    type_name = "RBM"
    category = UNSUPERVISED
    help = ("A restricted Boltzmann machine: binary hidden units that learn, without labels, to model their "
            "input (values in [0, 1]) by contrastive divergence. Stacked RBMs form a deep belief net; in the "
            "network each passes on p(h = 1 | x) = sigmoid(x Wᵀ + d), which backprop can fine-tune.")
    params = (
        ParamSpec("units", "int", 64, "Number of hidden units.", min=1, max=65536),
        ParamSpec("k", "int", 1, "Gibbs steps per contrastive-divergence update (CD-k): more steps give a less "
                  "biased gradient but cost more.", min=1, max=1000),
        ParamSpec("persistent", "bool", False, "Persistent CD: the negative chains carry on from update to "
                  "update instead of restarting at the data (use a smaller learning rate, about 0.01)."),
        ParamSpec("init", "choice", "normal", "How the weights start before pretraining (biases start at 0).",
                  choices=INITIALIZER_NAMES),
    )

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in, n_out = in_shapes[0][-1], params["units"]
        return [WeightSpec("weight", (n_out, n_in), params["init"], fan_in=n_in, fan_out=n_out),
                WeightSpec("bias", (n_out,), "zeros", decay=False),
                WeightSpec("visible_bias", (n_in,), "zeros", decay=False, trainable=False)]

    @classmethod
    def key_params(cls, params):
        return f"{params['units']} hidden, {'PCD' if params['persistent'] else 'CD'}-{params['k']}"

    @classmethod
    def output_activation(cls, params):
        return "sigmoid"


@register
class Autoencoder(_LearnsWithoutLabels):
    type_name = "Autoencoder"
    category = UNSUPERVISED
    help = ("An autoencoder: code units h = f(x Wᵀ + b) that learn, without labels, to reconstruct their input "
            "(values in [0, 1]) as sigmoid(h W'ᵀ + d), optionally from a corrupted copy (denoising) and with "
            "sparse codes. Stacked autoencoders are pretrained one by one; in the network each passes on its "
            "code, which backprop can fine-tune.")
    params = (
        ParamSpec("units", "int", 32, "Number of code units.", min=1, max=65536),
        ParamSpec("tied", "bool", True, "Tied weights: the decoder uses the encoder's weights transposed "
                  "(W' = Wᵀ) instead of its own."),
        ParamSpec("code_activation", "choice", "sigmoid", "The code units' activation f (sparsity needs "
                  "sigmoid).", choices=("sigmoid", "relu", "linear")),
    ) + RECONSTRUCTION_PARAMS + (
        ParamSpec("init", "choice", "glorot_uniform", "How the weights start before pretraining (biases start "
                  "at 0).", choices=INITIALIZER_NAMES),
    )

    @classmethod
    def weight_specs(cls, in_shapes, params):
        n_in, n_code = in_shapes[0][-1], params["units"]
        specs = [WeightSpec("weight", (n_code, n_in), params["init"], fan_in=n_in, fan_out=n_code),
                 WeightSpec("bias", (n_code,), "zeros", decay=False)]
        if not params["tied"]:
            specs.append(WeightSpec("decoder_weight", (n_in, n_code), params["init"], fan_in=n_code, fan_out=n_in,
                                    trainable=False))
        return specs + [WeightSpec("decoder_bias", (n_in,), "zeros", decay=False, trainable=False)]

    @classmethod
    def key_params(cls, params):
        extras = [f"{params['noise']} {params['corruption']:g}"] if params["corruption"] > 0 else []
        extras += ["sparse"] if params["sparsity_weight"] > 0 else []
        return ", ".join([f"{params['units']} code", "tied" if params["tied"] else "untied", *extras])

    @classmethod
    def output_activation(cls, params):
        return {"linear": "identity"}.get(params["code_activation"], params["code_activation"])
