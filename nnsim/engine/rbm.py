"""A restricted Boltzmann machine: binary visible units x, binary hidden units h, and their weights.

E(x, h) = -xᵀWh - bᵀx - dᵀh with W (n_visible, n_hidden), visible bias b, hidden bias d, so
p(h_j = 1 | x) = sigmoid(d_j + xᵀW[:, j]) and p(x_i = 1 | h) = sigmoid(b_i + W[i, :] h).
This class holds the parameters and answers questions about them; :class:`RBMTrainer`
(:mod:`nnsim.training.rbm_trainer`) changes them by contrastive divergence.
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import TrainingError
from nnsim.engine import rbm_exact
from nnsim.engine.kernels import rbm as K
from nnsim.engine.kernels.rng import seed_state
from nnsim.engine.model_rows import model_rows

WEIGHT_NAMES = ("weight", "visible_bias", "hidden_bias")
MAX_UNITS = 100_000


class RBM:
    """Parameters ``weight`` (n_visible, n_hidden), ``visible_bias`` (b) and ``hidden_bias`` (d).

    ``dtype`` is float32 (fast, the default) or float64 (for checks against the references).
    """

    def __init__(self, n_visible: int, n_hidden: int, seed: int = 0, dtype=np.float32, init_std: float = 0.01):
        for what, n in (("visible", n_visible), ("hidden", n_hidden)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_UNITS:
                raise TrainingError(f"An RBM needs a whole number of {what} units from 1 to {MAX_UNITS}, "
                                    f"not {n!r}.")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TrainingError(f"An RBM computes in float32 or float64, not {np.dtype(dtype)}: pick one of them.")
        self.dtype = np.dtype(dtype)
        self.weight = np.zeros((int(n_visible), int(n_hidden)), self.dtype)
        self.visible_bias = np.zeros(int(n_visible), self.dtype)
        self.hidden_bias = np.zeros(int(n_hidden), self.dtype)
        self.init_std = float(init_std)
        self.initialize(seed)

    @property
    def n_visible(self) -> int:
        return self.weight.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.weight.shape[1]

    def initialize(self, seed: int = 0) -> None:
        """W ~ N(0, init_std²) (Hinton's 0.01 by default), biases 0; the same seed gives the same weights."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise TrainingError(f"An RBM's seed must be a whole number from 0 up, not {seed!r}.")
        rng = np.random.default_rng(seed)
        self.weight[:] = rng.normal(0.0, self.init_std, self.weight.shape)
        self.visible_bias[:] = 0.0
        self.hidden_bias[:] = 0.0

    # --- weights as NumPy arrays ------------------------------------------------------------------
    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies keyed "weight", "visible_bias", "hidden_bias"."""
        return {name: getattr(self, name).copy() for name in WEIGHT_NAMES}

    def set_weights(self, weights: dict[str, np.ndarray]) -> None:
        """Copy given arrays in (any subset of the keys); a wrong key or shape raises TrainingError."""
        for name, value in weights.items():
            if name not in WEIGHT_NAMES:
                raise TrainingError(f"An RBM has no weight '{name}': use {', '.join(WEIGHT_NAMES)}.")
            target = getattr(self, name)
            value = np.asarray(value)
            if value.shape != target.shape:
                raise TrainingError(f"Weight '{name}' has shape {value.shape} but the RBM needs {target.shape}.")
            target[:] = value

    def filters(self, image_shape: tuple[int, ...] | None = None) -> np.ndarray:
        """Each hidden unit's incoming weights, one row per unit, reshaped to ``image_shape`` if given."""
        f = self.weight.T.copy()
        return f if image_shape is None else f.reshape((self.n_hidden,) + tuple(image_shape))

    # --- conditionals and measures ----------------------------------------------------------------
    def rows(self, x, what: str = "visible") -> np.ndarray:
        """``x`` as contiguous (n, units) rows of the RBM's dtype; a wrong width raises TrainingError."""
        return model_rows(x, self.n_visible if what == "visible" else self.n_hidden, what, "RBM", self.dtype)

    def hidden_probabilities(self, x) -> np.ndarray:
        """p(h = 1 | x) per row of x."""
        x = self.rows(x)
        out = np.empty((len(x), self.n_hidden), self.dtype)
        K.hidden_probabilities(x, self.weight, self.hidden_bias, out)
        return out

    def visible_probabilities(self, h) -> np.ndarray:
        """p(x = 1 | h) per row of h."""
        h = self.rows(h, "hidden")
        out = np.empty((len(h), self.n_visible), self.dtype)
        K.visible_probabilities(h, self.weight, self.visible_bias, out)
        return out

    def reconstruct(self, x) -> np.ndarray:
        """The one-step mean-field reconstruction p(x | h = p(h | x)): what "reconstructions" draw."""
        return self.visible_probabilities(self.hidden_probabilities(x))

    def reconstruction_error(self, x) -> float:
        """Mean over samples and pixels of (x - reconstruct(x))²."""
        return float(self.error_and_free_energy(x)[0])

    def error_and_free_energy(self, x) -> tuple[float, float]:
        """(reconstruction error, mean free energy) of the rows of x, in one pass."""
        x = self.rows(x)
        err, fe = K.reconstruction_and_free_energy(x, self.weight, self.visible_bias, self.hidden_bias)
        return float(err), float(fe)

    def free_energy(self, x) -> np.ndarray:
        """F(x) = -bᵀx - Σ_j log(1 + exp(d_j + xᵀW_j)) per row: p(x) = exp(-F(x)) / Z."""
        x = self.rows(x)
        out = np.empty(len(x))
        K.free_energies(x, self.weight, self.visible_bias, self.hidden_bias, out)
        return out

    def energy(self, x, h) -> np.ndarray:
        """E(x, h) = -xᵀWh - bᵀx - dᵀh per row pair (float64)."""
        x = self.rows(x).astype(np.float64)
        h = self.rows(h, "hidden").astype(np.float64)
        w = self.weight.astype(np.float64)
        return -np.einsum("ri,ij,rj->r", x, w, h) - x @ self.visible_bias - h @ self.hidden_bias

    def gibbs_sample(self, start, steps: int, rng: int | np.ndarray = 0) -> tuple[np.ndarray, np.ndarray]:
        """Run ``steps`` Gibbs steps (h ~ p(h | x), x ~ p(x | h)) from the rows of ``start``.

        ``rng`` is a seed or a state from :func:`nnsim.engine.kernels.rng.seed_state` (advanced in
        place, so a chain can be continued). Returns (binary states, p(x | h) of the last step);
        the probabilities are what a "samples" view draws (less speckled than the states).
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise TrainingError(f"A Gibbs chain needs at least 1 step, not {steps!r}.")
        v = self.rows(start).copy()
        state = rng if isinstance(rng, np.ndarray) else seed_state(rng)
        n = len(v)
        ph = np.empty((n, self.n_hidden), self.dtype)
        h = np.empty_like(ph)
        pv = np.empty_like(v)
        K.gibbs_steps(v, int(steps), self.weight, self.visible_bias, self.hidden_bias, state, ph, h, pv)
        return v, pv

    # --- exact values for tiny RBMs (nnsim.engine.rbm_exact) ------------------------------------
    def log_partition(self) -> float:
        """Exact log Z (the smaller layer must have at most 20 units)."""
        return rbm_exact.log_partition(self.weight, self.visible_bias, self.hidden_bias)

    def log_probability(self, x) -> np.ndarray:
        """Exact log p(x) = -F(x) - log Z per row (the log-likelihood of data)."""
        return rbm_exact.log_probability(self.rows(x), self.weight, self.visible_bias, self.hidden_bias)

    def joint_probabilities(self) -> np.ndarray:
        """p(x, h) for every joint state: (2^n_visible, 2^n_hidden), n_visible + n_hidden <= 16."""
        return rbm_exact.joint_probabilities(self.weight, self.visible_bias, self.hidden_bias)

    def visible_marginals(self) -> np.ndarray:
        """p(x) for each of the 2^n_visible states (n_visible <= 20)."""
        return rbm_exact.visible_marginals(self.weight, self.visible_bias, self.hidden_bias)

    def hidden_marginals(self) -> np.ndarray:
        """p(h) for each of the 2^n_hidden states (n_hidden <= 20)."""
        return rbm_exact.hidden_marginals(self.weight, self.visible_bias, self.hidden_bias)
