"""An autoencoder: code h = f(Wx + b), reconstruction x' = sigmoid(W'h + d), tied (W' = Wᵀ) or not.

W is (n_code, n_visible) in PyTorch's Dense layout, so the encoder is a Dense layer with a
sigmoid; W' is (n_visible, n_code). This class holds the parameters and answers questions about
them; :class:`~nnsim.training.autoencoder_trainer.AutoencoderTrainer` changes them by gradient
descent on the reconstruction loss (optionally denoising, optionally sparse).
"""

from __future__ import annotations

import math

import numpy as np

from nnsim.core.errors import TrainingError
from nnsim.engine.kernels import autoencoder as K
from nnsim.engine.model_rows import model_rows

CODE_ACTIVATIONS = ("sigmoid", "relu", "linear")  # index = K.CODE_*
LOSSES = ("mse", "cross_entropy")  # index = K.LOSS_*
NOISES = ("mask", "gaussian")  # index = K.NOISE_*
MAX_UNITS = 100_000


class Autoencoder:
    """Parameters ``weight`` W (n_code, n_visible), ``bias`` b (n_code), ``decoder_weight`` W'
    (n_visible, n_code; None when ``tied``) and ``decoder_bias`` d (n_visible).

    ``code_activation`` is f: "sigmoid" (the classic choice, and the only one sparsity works
    with), "relu" or "linear". The reconstruction is always a sigmoid, for data in [0, 1].
    ``dtype`` is float32 (fast, the default) or float64 (for checks against the references).
    """

    def __init__(self, n_visible: int, n_code: int, tied: bool = False, seed: int = 0, dtype=np.float32,
                 code_activation: str = "sigmoid"):
        for what, n in (("visible", n_visible), ("code", n_code)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_UNITS:
                raise TrainingError(f"An autoencoder needs a whole number of {what} units from 1 to {MAX_UNITS}, "
                                    f"not {n!r}.")
        if not isinstance(tied, bool):
            raise TrainingError(f"An autoencoder's 'tied' must be true or false, not {tied!r}.")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TrainingError(f"An autoencoder computes in float32 or float64, not {np.dtype(dtype)}: "
                                "pick one of them.")
        if code_activation not in CODE_ACTIVATIONS:
            raise TrainingError(f"Unknown code activation {code_activation!r}: use "
                                f"{', '.join(CODE_ACTIVATIONS)}.")
        self.dtype = np.dtype(dtype)
        self.tied = tied
        self.code_activation = code_activation
        self.weight = np.zeros((int(n_code), int(n_visible)), self.dtype)
        self.bias = np.zeros(int(n_code), self.dtype)
        self.decoder_weight = None if tied else np.zeros((int(n_visible), int(n_code)), self.dtype)
        self.decoder_bias = np.zeros(int(n_visible), self.dtype)
        self.initialize(seed)

    @property
    def n_visible(self) -> int:
        return self.weight.shape[1]

    @property
    def n_code(self) -> int:
        return self.weight.shape[0]

    @property
    def weight_names(self) -> tuple[str, ...]:
        return ("weight", "bias", "decoder_bias") if self.tied else ("weight", "bias", "decoder_weight",
                                                                     "decoder_bias")

    def initialize(self, seed: int = 0) -> None:
        """W, W' ~ U(-r, r) with Glorot's r = sqrt(6 / (n_visible + n_code)), times 4 for sigmoid
        layers (Bengio's advice, as in the deeplearning.net denoising-autoencoder tutorial); biases 0."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TrainingError(f"An autoencoder's seed must be a whole number from 0 up, not {seed!r}.")
        rng = np.random.default_rng(seed)
        r = math.sqrt(6.0 / (self.n_visible + self.n_code))
        self.weight[:] = rng.uniform(-1, 1, self.weight.shape) * r * (4 if self.code_activation == "sigmoid" else 1)
        if self.decoder_weight is not None:
            self.decoder_weight[:] = rng.uniform(-4 * r, 4 * r, self.decoder_weight.shape)
        self.bias[:] = 0.0
        self.decoder_bias[:] = 0.0

    # --- weights as NumPy arrays ------------------------------------------------------------------
    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies keyed by :attr:`weight_names` ("decoder_weight" only when untied)."""
        return {name: getattr(self, name).copy() for name in self.weight_names}

    def set_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Copy given arrays in (any subset of the keys); a wrong key or shape raises TrainingError."""
        for name, value in weights.items():
            if name not in self.weight_names:
                extra = " (tied weights use the transposed encoder weight)" if name == "decoder_weight" else ""
                raise TrainingError(f"This autoencoder has no weight '{name}'{extra}: use "
                                    f"{', '.join(self.weight_names)}.")
            target = getattr(self, name)
            value = np.asarray(value)
            if value.shape != target.shape:
                raise TrainingError(f"Weight '{name}' has shape {value.shape} but the autoencoder needs "
                                    f"{target.shape}.")
            target[:] = value

    def effective_decoder_weight(self) -> np.ndarray:
        """W' (n_visible, n_code) as a copy: Wᵀ when tied."""
        return (self.weight.T if self.tied else self.decoder_weight).copy()

    def filters(self, image_shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Each code unit's incoming (encoder) weights, one row per unit, reshaped to ``image_shape``."""
        f = self.weight.copy()
        return f if image_shape is None else f.reshape((self.n_code,) + tuple(image_shape))

    # --- kernel arguments -------------------------------------------------------------------------
    def kernel_decoder(self) -> np.ndarray:
        """What the kernels take as W': the array itself, or an empty (0, 0) array when tied."""
        return np.zeros((0, 0), self.dtype) if self.decoder_weight is None else self.decoder_weight

    def options(self, loss: str = "mse", noise: str = "mask") -> np.ndarray:
        """The kernels' ``opts`` array for this model and a loss and noise name."""
        if loss not in LOSSES:
            raise TrainingError(f"Unknown autoencoder loss {loss!r}: use {', '.join(LOSSES)}.")
        if noise not in NOISES:
            raise TrainingError(f"Unknown corruption noise {noise!r}: use {', '.join(NOISES)}.")
        opts = np.zeros(K.N_OPT, np.int64)
        opts[K.OPT_TIED] = int(self.tied)
        opts[K.OPT_CODE] = CODE_ACTIVATIONS.index(self.code_activation)
        opts[K.OPT_LOSS] = LOSSES.index(loss)
        opts[K.OPT_NOISE] = NOISES.index(noise)
        return opts

    def parameters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(W, b, W' or an empty array, d): the live arrays the kernels update."""
        return self.weight, self.bias, self.kernel_decoder(), self.decoder_bias

    # --- encoding and measures --------------------------------------------------------------------
    def rows(self, x, what: str = "visible") -> np.ndarray:
        """``x`` as contiguous (n, units) rows of the model's dtype; a wrong width raises TrainingError."""
        return model_rows(x, self.n_visible if what == "visible" else self.n_code, what, "autoencoder", self.dtype)

    def encode(self, x) -> np.ndarray:
        """The code h = f(x Wᵀ + b) of each row of x."""
        x = self.rows(x)
        out = np.empty((len(x), self.n_code), self.dtype)
        K.encode(x, self.weight, self.bias, CODE_ACTIVATIONS.index(self.code_activation), out)
        return out

    def decode(self, h) -> np.ndarray:
        """The reconstruction sigmoid(h W'ᵀ + d) of each code row of h."""
        h = self.rows(h, "code")
        out = np.empty((len(h), self.n_visible), self.dtype)
        K.decode(h, self.weight, self.kernel_decoder(), self.decoder_bias, self.tied, out)
        return out

    def reconstruct(self, x) -> np.ndarray:
        """decode(encode(x)) of the clean input: what "reconstructions" draw."""
        return self.decode(self.encode(x))

    def reconstruction_error(self, x) -> float:
        """Mean over samples and pixels of (x - reconstruct(x))²: the issue's metric (MSE per pixel)."""
        return self.error_and_mean_code(x)[0]

    def error_and_mean_code(self, x) -> tuple[float, float]:
        """(reconstruction error, mean code activation) of the rows of x, in one pass (NaN for none)."""
        x = self.rows(x)
        err, mean_code = K.error_and_mean_code(x, *self.parameters(), self.options())
        return float(err), float(mean_code)

    def loss_and_gradients(self, x, corrupted=None, loss: str = "mse", sparsity_target: float = 0.05,
                           sparsity_weight: float = 0.0) -> tuple[float, dict[str, np.ndarray]]:
        """The training loss of a batch and its gradient per weight name (what one update follows).

        L = (1/n) Σ_rows Σ_pixels ℓ + β Σ_j KL(ρ || ρ̂_j); ℓ = ½(x' - x)² ("mse") or the binary
        cross-entropy; the code is computed from ``corrupted`` (default: x itself) and the
        reconstruction compared with the clean x. Tied: "weight" holds both terms.
        """
        x = self.rows(x)
        xt = x if corrupted is None else self.rows(corrupted)
        if len(xt) != len(x):
            raise TrainingError(f"The corrupted batch has {len(xt)} rows but the clean one {len(x)}: give both "
                                "the same rows.")
        hp = np.zeros(K.N_HP)
        hp[K.HP_SPARSITY_TARGET], hp[K.HP_SPARSITY_WEIGHT] = sparsity_target, sparsity_weight
        grads = {name: np.empty_like(getattr(self, name)) for name in self.weight_names}
        gwd = grads.get("decoder_weight", np.zeros((0, 0), self.dtype))
        total = K.loss_and_gradients(x, xt, *self.parameters(), self.options(loss), hp, grads["weight"],
                                     grads["bias"], gwd, grads["decoder_bias"])
        return float(total), grads
