"""Training settings: declared like layer parameters so the inspector and files share them."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnsim.core.errors import TrainingError
from nnsim.core.params import ParamSpec, check_params
from nnsim.engine.kernels import optimizers as K
from nnsim.engine.losses import LOSSES
from nnsim.engine.rules import RULES

OPTIMIZERS = {"sgd": K.SGD, "momentum": K.MOMENTUM, "nesterov": K.NESTEROV, "adagrad": K.ADAGRAD,
              "adadelta": K.ADADELTA, "rmsprop": K.RMSPROP, "adam": K.ADAM}
SCHEDULES = {"constant": K.CONSTANT, "inverse_time": K.INVERSE_TIME, "step": K.STEP,
             "exponential": K.EXPONENTIAL}

OPTIMIZER_HELP = {
    "sgd": "Plain gradient descent: w -= lr * g.",
    "momentum": "Heavy ball: v = μv + g; w -= lr * v. Speeds along consistent directions.",
    "nesterov": "Nesterov momentum: looks ahead along v before taking the gradient step.",
    "adagrad": "Per-weight rates shrinking with the sum of squared gradients; good for sparse features.",
    "adadelta": "Adagrad with decaying averages and unit-corrected steps; lr 1.0 is the usual choice.",
    "rmsprop": "Divides by a running RMS of gradients (decay rho), so each weight gets its own scale.",
    "adam": "Momentum plus RMSProp with bias correction; a strong default.",
}

# Greedy layer-wise pretraining of RBM and Autoencoder nodes (nnsim.training.pretraining); the settings below
# then fine-tune the whole network by backprop. A graph that ends in such a node trains that one with the main
# settings (learning_rate, momentum, l2, batch_size, epochs): it has nothing to fine-tune.
PRETRAINING_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("pretrain_epochs", "int", 20, "Epochs of unsupervised pretraining of each RBM or autoencoder "
              "before fine-tuning (0: no pretraining).", min=0, max=10**7),
    ParamSpec("pretrain_learning_rate", "float", 0.05, "Step size of each pretraining update (contrastive divergence "
              "for an RBM, gradient descent on the reconstruction error for an autoencoder).", min=1e-8, max=100.0),
    ParamSpec("pretrain_momentum", "float", 0.9, "Momentum of pretraining: v = μv + α(gradient - λW); W += v.",
              min=0.0, max=0.999),
    ParamSpec("pretrain_weight_decay", "float", 0.0001, "L2 penalty λ on the weights while pretraining.",
              min=0.0, max=10.0),
    ParamSpec("pretrain_batch_size", "int", 20, "Samples per pretraining update; 0 = the whole training set.",
              min=0, max=65536),
)

TRAINING_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("rule", "choice", "backprop", "How weights learn: backprop, or the perceptron or Adaline rule "
              "for one layer of units fed by the Input.", choices=tuple(RULES)),
    ParamSpec("loss", "choice", "mse", "What training minimizes.", choices=tuple(LOSSES)),
    ParamSpec("optimizer", "choice", "adam", "How weights change from gradients.", choices=tuple(OPTIMIZERS)),
    ParamSpec("learning_rate", "float", 0.01, "Step size α.", min=1e-8, max=1e4),
    ParamSpec("momentum", "float", 0.9, "Momentum μ (momentum and Nesterov).", min=0.0, max=0.999),
    ParamSpec("rho", "float", 0.9, "Decay of squared-gradient averages (RMSProp, Adadelta).", min=0.0, max=0.9999),
    ParamSpec("beta1", "float", 0.9, "Adam: decay of the gradient average.", min=0.0, max=0.9999),
    ParamSpec("beta2", "float", 0.999, "Adam: decay of the squared-gradient average.", min=0.0, max=0.99999),
    ParamSpec("eps", "float", 1e-8, "Added to denominators (Adagrad, Adadelta, RMSProp, Adam).", min=1e-12, max=1.0),
    ParamSpec("schedule", "choice", "constant", "How the learning rate changes with update k.",
              choices=tuple(SCHEDULES)),
    ParamSpec("decay_c1", "float", 1.0, "Inverse-time decay: α_k = c1 / (k + c2).", min=1e-8, max=1e6),
    ParamSpec("decay_c2", "float", 100.0, "Inverse-time decay: α_k = c1 / (k + c2).", min=1e-8, max=1e9),
    ParamSpec("step_size", "int", 1000, "Step/exponential decay: updates per factor of gamma.", min=1, max=10**9),
    ParamSpec("gamma", "float", 0.5, "Step/exponential decay factor.", min=1e-6, max=1.0),
    ParamSpec("clip_norm", "float", 0.0, "Scale gradients down to this global norm (0 = off).", min=0.0, max=1e6),
    ParamSpec("l1", "float", 0.0, "L1 penalty on weights (not biases).", min=0.0, max=10.0),
    ParamSpec("l2", "float", 0.0, "L2 penalty on weights (not biases), as weight decay.", min=0.0, max=10.0),
    ParamSpec("batch_size", "int", 32, "Samples per update; 1 = stochastic, 0 = full batch.", min=0, max=65536),
    ParamSpec("epochs", "int", 100, "Passes over the training data (0: keep the weights as they are).",
              min=0, max=10**7),
    ParamSpec("shuffle", "bool", True, "Shuffle the training samples every epoch."),
    ParamSpec("validation_split", "float", 0.0, "Fraction of training samples held out for validation.",
              min=0.0, max=0.5),
    ParamSpec("seed", "int", 0, "Seeds weights, shuffling and dropout: same seed, same run.", min=0, max=2**31 - 1),
) + PRETRAINING_PARAMS


def default_settings() -> dict[str, Any]:
    return check_settings({})


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    return check_params(TRAINING_PARAMS, settings, "training", TrainingError)


def hyperparameters(s: dict[str, Any]) -> tuple[int, np.ndarray]:
    """The optimizer code and the ``hp`` array the update kernel reads."""
    opt = s["optimizer"]
    hp = np.zeros(K.N_HP)
    hp[K.HP_LR] = s["learning_rate"]
    hp[K.HP_H1] = {"momentum": s["momentum"], "nesterov": s["momentum"], "adadelta": s["rho"],
                   "rmsprop": s["rho"], "adam": s["beta1"]}.get(opt, 0.0)
    hp[K.HP_H2] = s["beta2"]
    hp[K.HP_EPS] = s["eps"]
    hp[K.HP_L1] = s["l1"]
    hp[K.HP_L2] = s["l2"]
    hp[K.HP_CLIP] = s["clip_norm"]
    hp[K.HP_SCHED] = SCHEDULES[s["schedule"]]
    hp[K.HP_C1] = s["decay_c1"]
    hp[K.HP_C2] = s["decay_c2"]
    hp[K.HP_STEP_SIZE] = s["step_size"]
    hp[K.HP_GAMMA] = s["gamma"]
    return OPTIMIZERS[opt], hp
