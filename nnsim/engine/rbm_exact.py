"""Exact probabilities of small RBMs by enumeration, so a learner can check a hand calculation.

p(x, h) = exp(-E(x, h)) / Z with E(x, h) = -xᵀWh - bᵀx - dᵀh and Z = Σ_{x, h} exp(-E(x, h)).
Summing one layer out analytically leaves 2^(other layer) terms:

    Z = Σ_x exp(-F(x)),   F(x) = -bᵀx - Σ_j log(1 + exp(d_j + xᵀW_j))
      = Σ_h exp(-G(h)),   G(h) = -dᵀh - Σ_i log(1 + exp(b_i + W_i h))

so log Z is exact whenever the *smaller* layer has at most :data:`MAX_ENUMERATED_UNITS` units
(2^20 ≈ 1 million states), however large the other one is. The full joint table p(x, h) needs
n_visible + n_hidden <= :data:`MAX_JOINT_UNITS`, and the table of p(x) n_visible <= MAX_ENUMERATED_UNITS.
Everything is float64 and summed with log-sum-exp, so large weights don't overflow.

States are listed in counting order with the first unit as the most significant bit, as
``itertools.product((0, 1), repeat=n)`` does: for 3 units, 000, 001, 010, 011, ...
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import TrainingError

MAX_ENUMERATED_UNITS = 20
MAX_JOINT_UNITS = 16
_CHUNK = 4096  # states per vectorized block (bounded memory for 2^20 states)


def binary_states(n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows start..stop-1 of the 2^n binary vectors of length n, first unit most significant."""
    stop = 2 ** n if stop is None else stop
    codes = np.arange(start, stop, dtype=np.int64)
    shifts = np.arange(n - 1, -1, -1, dtype=np.int64)
    return ((codes[:, None] >> shifts) & 1).astype(np.float64)


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _logsumexp(values: np.ndarray) -> float:
    m = float(np.max(values))
    if not np.isfinite(m):
        return m
    return m + float(np.log(np.sum(np.exp(values - m))))


def _params(w, b, d) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.asarray(w, np.float64), np.asarray(b, np.float64), np.asarray(d, np.float64)


def _check_enumerable(units: int, what: str, limit: int = MAX_ENUMERATED_UNITS) -> None:
    if units > limit:
        raise TrainingError(f"{what} needs 2^{units} states, more than the 2^{limit} NNSim enumerates: use an "
                            f"RBM with at most {limit} units there.")


def log_partition(w, b, d) -> float:
    """log Z, summing the larger layer out analytically and enumerating the smaller one."""
    w, b, d = _params(w, b, d)
    nv, nh = w.shape
    _check_enumerable(min(nv, nh), f"The exact partition function of a {nv}x{nh} RBM")
    if nh < nv:  # enumerate hidden states: the model with the roles of x and h swapped
        w, b, d, nv = w.T, d, b, nh
    parts = []
    for start in range(0, 2 ** nv, _CHUNK):
        x = binary_states(nv, start, min(start + _CHUNK, 2 ** nv))
        parts.append(_logsumexp(x @ b + _softplus(x @ w + d).sum(axis=1)))
    return _logsumexp(np.array(parts))


def log_probability(x, w, b, d, log_z: float | None = None) -> np.ndarray:
    """log p(x) = -F(x) - log Z for each row of x (the exact log-likelihood of data)."""
    w, b, d = _params(w, b, d)
    x = np.asarray(x, np.float64)
    log_z = log_partition(w, b, d) if log_z is None else log_z
    return x @ b + _softplus(x @ w + d).sum(axis=1) - log_z


def visible_marginals(w, b, d) -> np.ndarray:
    """p(x) for every visible state, in :func:`binary_states` order (sums to 1)."""
    w, b, d = _params(w, b, d)
    _check_enumerable(w.shape[0], "The table of p(x)")
    return np.exp(log_probability(binary_states(w.shape[0]), w, b, d))


def hidden_marginals(w, b, d) -> np.ndarray:
    """p(h) for every hidden state, in :func:`binary_states` order (sums to 1)."""
    w, b, d = _params(w, b, d)
    return visible_marginals(w.T, d, b)


def joint_probabilities(w, b, d) -> np.ndarray:
    """The table p(x, h): row = visible state, column = hidden state, in :func:`binary_states` order."""
    w, b, d = _params(w, b, d)
    nv, nh = w.shape
    _check_enumerable(nv + nh, f"The joint table of a {nv}x{nh} RBM", MAX_JOINT_UNITS)
    x, h = binary_states(nv), binary_states(nh)
    neg_energy = x @ w @ h.T + (x @ b)[:, None] + (h @ d)[None, :]
    return np.exp(neg_energy - _logsumexp(neg_energy.ravel()))
