"""Plain NumPy references for the RBM kernels (:mod:`nnsim.engine.kernels.rbm`), written from the math.

They draw the same uniforms in the same order as the kernels (one per value, row by row, through
:func:`nnsim.engine.reference.uniforms`), so a float64 test can compare samples exactly and
real numbers to 1e-12. Energy of a joint state: E(x, h) = -xᵀWh - bᵀx - dᵀh, W (n_visible, n_hidden).
"""

from __future__ import annotations

import numpy as np

from nnsim.engine.reference import sigmoid, uniforms


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def softplus(z) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^-|z|)."""
    z = _f(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def energy(x, h, w, b, d) -> np.ndarray:
    """E(x, h) = -xᵀWh - bᵀx - dᵀh, one value per row of x and h."""
    x, h = _f(x), _f(h)
    return -np.einsum("ri,ij,rj->r", x, _f(w), h) - x @ _f(b) - h @ _f(d)


def hidden_probabilities(x, w, d) -> np.ndarray:
    """p(h_j = 1 | x) = sigmoid(d_j + xᵀW[:, j])."""
    return sigmoid(_f(x) @ _f(w) + _f(d))


def visible_probabilities(h, w, b) -> np.ndarray:
    """p(x_i = 1 | h) = sigmoid(b_i + W[i, :] h)."""
    return sigmoid(_f(h) @ _f(w).T + _f(b))


def sample_bernoulli(p, state) -> np.ndarray:
    """1 where a fresh uniform u < p, one draw per value in row-major order; advances ``state``."""
    p = _f(p)
    return (uniforms(state, p.size).reshape(p.shape) < p).astype(np.float64)


def free_energy(x, w, b, d) -> np.ndarray:
    """F(x) = -bᵀx - Σ_j log(1 + exp(d_j + xᵀW_j)), so that p(x) = exp(-F(x)) / Z."""
    x = _f(x)
    return -x @ _f(b) - softplus(x @ _f(w) + _f(d)).sum(axis=1)


def reconstruction_error(x, w, b, d) -> float:
    """Mean over all values of (x - p(x | h = p(h | x)))²: the one-step mean-field reconstruction."""
    x = _f(x)
    recon = visible_probabilities(hidden_probabilities(x, w, d), w, b)
    return float(np.mean((x - recon) ** 2))


def gibbs_steps(v, steps: int, w, b, d, state):
    """``steps`` times: h ~ p(h | v), v ~ p(v | h). Returns (v, p(v | h) of the last step)."""
    v = _f(v).copy()
    pv = None
    for _ in range(steps):
        h = sample_bernoulli(hidden_probabilities(v, w, d), state)
        pv = visible_probabilities(h, w, b)
        v = sample_bernoulli(pv, state)
    return v, pv


def cd_update(x0, k: int, w, b, d, vw, vb, vd, lr: float, momentum: float, weight_decay: float, state,
              chains=None):
    """One CD-k update, or PCD-k when ``chains`` (the persistent visible states) are given.

    The five steps for k = 1:
      1. h0 ~ p(h | x0)                 (chains: from p(h | chains) instead)
      2. x1 ~ p(x | h0)
      3. p(h | x1), the hidden layer again (its probabilities, not a sample: less noise)
      4. gradient  ΔW = x0ᵀ p(h | x0) / n - x1ᵀ p(h | x1) / m,  Δb = mean(x0 - x1),
                   Δd = mean(p(h | x0) - p(h | x1))   (m = rows of the negative chain)
      5. v = momentum * v + lr (Δ - weight_decay * W) (no decay on biases); W += v, likewise b, d.
    Returns new (w, b, d, vw, vb, vd, chains_after); ``chains_after`` is the negative chain's
    final visible sample (the new persistent state for PCD).
    """
    x0, w, b, d = _f(x0), _f(w), _f(b), _f(d)
    ph0 = hidden_probabilities(x0, w, d)
    v = x0.copy() if chains is None else _f(chains).copy()
    ph = ph0 if chains is None else hidden_probabilities(v, w, d)
    for _ in range(k):
        h = sample_bernoulli(ph, state)
        v = sample_bernoulli(visible_probabilities(h, w, b), state)
        ph = hidden_probabilities(v, w, d)
    gw = x0.T @ ph0 / len(x0) - v.T @ ph / len(v)
    gb = x0.mean(axis=0) - v.mean(axis=0)
    gd = ph0.mean(axis=0) - ph.mean(axis=0)
    vw = momentum * _f(vw) + lr * (gw - weight_decay * w)
    vb = momentum * _f(vb) + lr * gb
    vd = momentum * _f(vd) + lr * gd
    return w + vw, b + vb, d + vd, vw, vb, vd, v
