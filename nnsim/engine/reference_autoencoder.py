"""Plain NumPy references for the autoencoder kernels (:mod:`nnsim.engine.kernels.autoencoder`).

Written from the math in float64; they draw the same uniforms in the same order as the kernels
(through :func:`nnsim.engine.reference.uniforms`), so a test can compare corrupted inputs exactly
and updates to 1e-12. Encoder W (n_code, n_visible), decoder W' (n_visible, n_code), or Wᵀ when
``wd`` is None (tied weights). ``code`` is "sigmoid", "relu" or "linear"; ``loss`` "mse"
(½ Σ (y - x)² per sample) or "cross_entropy"; ``noise`` "mask" or "gaussian".
"""

from __future__ import annotations

import numpy as np

from nnsim.engine.reference import sigmoid, uniforms

RHO_EPS = 1e-12


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def corrupt(x, noise: str, level: float, state) -> np.ndarray:
    """Masking: 0 where a fresh uniform u < level (one draw per value, row-major), else x.
    Gaussian: x + level · sqrt(-2 log(1 - u1)) cos(2π u2) (two draws per value, u1 first)."""
    x = _f(x)
    if level <= 0:
        return x.copy()
    if noise == "mask":
        return np.where(uniforms(state, x.size).reshape(x.shape) < level, 0.0, x)
    u = uniforms(state, 2 * x.size).reshape(x.size, 2)
    z = np.sqrt(-2.0 * np.log(1.0 - u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])
    return x + level * z.reshape(x.shape)


def activate(z, code: str) -> np.ndarray:
    if code == "sigmoid":
        return sigmoid(z)
    return np.maximum(z, 0.0) if code == "relu" else _f(z)


def activation_slope(h, code: str) -> np.ndarray:
    """f'(z) written in terms of h = f(z)."""
    if code == "sigmoid":
        return h * (1.0 - h)
    return (h > 0).astype(np.float64) if code == "relu" else np.ones_like(h)


def decoder_weight(w, wd) -> np.ndarray:
    """W' (n_visible, n_code): Wᵀ when tied."""
    return _f(w).T if wd is None else _f(wd)


def encode(x, w, b, code: str = "sigmoid") -> np.ndarray:
    """h = f(x Wᵀ + b)."""
    return activate(_f(x) @ _f(w).T + _f(b), code)


def decode(h, w, wd, d) -> np.ndarray:
    """y = sigmoid(h W'ᵀ + d)."""
    return sigmoid(_f(h) @ decoder_weight(w, wd).T + _f(d))


def kl_divergence(rho: float, rho_hat) -> np.ndarray:
    """KL(ρ || ρ̂_j) = ρ log(ρ/ρ̂) + (1 - ρ) log((1 - ρ)/(1 - ρ̂)) per code unit."""
    q = np.clip(rho_hat, RHO_EPS, 1.0 - RHO_EPS)
    return rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))


def loss(x, xt, w, b, wd, d, code="sigmoid", loss="mse", sparsity_target=0.05, sparsity_weight=0.0) -> float:
    """L = (1/n) Σ_r Σ_i ℓ(y_ri, x_ri) + β Σ_j KL(ρ || ρ̂_j) with y reconstructed from xt."""
    x = _f(x)
    h = encode(xt, w, b, code)
    y = decode(h, w, wd, d)
    if loss == "mse":
        per_value = 0.5 * (y - x) ** 2
    else:
        per_value = -x * np.log(np.maximum(y, 1e-300)) - (1 - x) * np.log(np.maximum(1 - y, 1e-300))
    total = per_value.sum() / len(x)
    if sparsity_weight > 0:
        total += sparsity_weight * kl_divergence(sparsity_target, h.mean(axis=0)).sum()
    return float(total)


def loss_and_gradients(x, xt, w, b, wd, d, code="sigmoid", loss_name="mse", sparsity_target=0.05,
                       sparsity_weight=0.0) -> tuple[float, dict[str, np.ndarray]]:
    """L and its gradients by the chain rule, keyed "weight", "bias", "decoder_weight" (untied
    only) and "decoder_bias". Tied: ∂L/∂W = encoder term + (decoder term)ᵀ."""
    x, xt, w = _f(x), _f(xt), _f(w)
    n = len(x)
    wdec = decoder_weight(w, wd)
    h = encode(xt, w, b, code)
    y = decode(h, w, wd, d)
    dz = ((y - x) * y * (1 - y) if loss_name == "mse" else y - x) / n  # ∂L/∂(decoder pre-activation)
    g_decoder = dz.T @ h  # ∂L/∂W' (n_visible, n_code)
    dh = dz @ wdec
    if sparsity_weight > 0:
        q = np.clip(h.mean(axis=0), RHO_EPS, 1 - RHO_EPS)
        rho = sparsity_target
        dh = dh + sparsity_weight * (-rho / q + (1 - rho) / (1 - q)) / n
    da = dh * activation_slope(h, code)
    grads = {"weight": da.T @ xt, "bias": da.sum(axis=0), "decoder_bias": dz.sum(axis=0)}
    if wd is None:
        grads["weight"] = grads["weight"] + g_decoder.T
    else:
        grads["decoder_weight"] = g_decoder
    total = loss(x, xt, w, b, wd, d, code, loss_name, sparsity_target, sparsity_weight)
    return total, grads


def sgd_update(x, params: dict, velocities: dict, state, *, lr: float, momentum: float = 0.0,
               weight_decay: float = 0.0, corruption: float = 0.0, noise: str = "mask", code: str = "sigmoid",
               loss_name: str = "mse", sparsity_target: float = 0.05, sparsity_weight: float = 0.0):
    """One update: x̃ = corrupt(x), gradients of L at x̃, then per parameter p
    v = momentum · v - lr (∂L/∂p + weight_decay · p) (no decay on biases), p = p + v.

    ``params`` holds "weight", "bias", "decoder_bias" and, untied, "decoder_weight".
    Returns (loss, new params, new velocities)."""
    xt = corrupt(x, noise, corruption, state)
    total, grads = loss_and_gradients(x, xt, params["weight"], params["bias"], params.get("decoder_weight"),
                                      params["decoder_bias"], code, loss_name, sparsity_target, sparsity_weight)
    new_p, new_v = {}, {}
    for name, g in grads.items():
        decay = weight_decay if name in ("weight", "decoder_weight") else 0.0
        p = _f(params[name])
        new_v[name] = momentum * _f(velocities[name]) - lr * (g + decay * p)
        new_p[name] = p + new_v[name]
    return total, new_p, new_v


def reconstruction_error(x, w, b, wd, d, code: str = "sigmoid") -> float:
    """Mean over samples and pixels of (x - decode(encode(x)))², clean input."""
    x = _f(x)
    return float(np.mean((x - decode(encode(x, w, b, code), w, wd, d)) ** 2))
