"""Restricted Boltzmann machine kernels: binary visible x and hidden h, energy E = -xᵀWh - bᵀx - dᵀh.

W is (n_visible, n_hidden), b the visible bias, d the hidden bias. Every kernel has a NumPy twin
in :mod:`nnsim.engine.reference_rbm` that draws the same random numbers in the same order:

* a Bernoulli sample of a probability array draws one uniform per value, row by row, and is 1
  where ``u < p``;
* a CD-k update samples h from p(h | x) then x from p(x | h), k times (the first chain step starts
  from the batch for CD, from the persistent chains for PCD), then takes p(h | x_k) without
  sampling it: the gradient uses hidden probabilities on both sides (Hinton 2010, section 3).

These kernels are not reachable from the backprop entry points of :mod:`nnsim.engine.interpreter`,
so they add nothing to a feed-forward network's compile time. Sums run in float64 whatever the
weights' dtype (float32 or float64).
"""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.batch_rows import gather_rows
from nnsim.engine.kernels.rng import uniform

HP_LR, HP_MOMENTUM, HP_WEIGHT_DECAY = 0, 1, 2
N_HP = 3
CT_UPDATES, CT_ERROR = 0, 1  # slots of ``counters``
N_COUNTERS = 2
EV_TRAIN_ERROR, EV_TEST_ERROR, EV_TRAIN_FREE_ENERGY, EV_TEST_FREE_ENERGY = 0, 1, 2, 3
N_EVAL = 4  # columns of a metrics row written by :func:`train_epochs`


@njit(**JIT)
def sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + np.exp(-z))
    e = np.exp(z)
    return e / (1.0 + e)


@njit(**JIT)
def softplus(z):
    """log(1 + e^z) without overflow."""
    return max(z, 0.0) + np.log1p(np.exp(-abs(z)))


@njit(**JIT)
def hidden_probabilities(x, w, d, out):
    """out[r, j] = sigmoid(d_j + Σ_i x[r, i] W[i, j]) for the first len(out) rows of x."""
    nv, nh = w.shape
    acc = np.empty(nh)
    for r in range(out.shape[0]):
        acc[:] = d
        for i in range(nv):
            xi = x[r, i]
            if xi != 0.0:  # binary data: most terms vanish
                for j in range(nh):
                    acc[j] += xi * w[i, j]
        for j in range(nh):
            out[r, j] = sigmoid(acc[j])


@njit(**JIT)
def visible_probabilities(h, w, b, out):
    """out[r, i] = sigmoid(b_i + Σ_j W[i, j] h[r, j]) for the first len(out) rows of h."""
    nv, nh = w.shape
    wt = np.ascontiguousarray(w.T)  # rows of Wᵀ: the sum becomes vectorized adds of whole rows
    acc = np.empty(nv)
    for r in range(out.shape[0]):
        acc[:] = b
        for j in range(nh):
            hj = h[r, j]
            if hj != 0.0:  # sampled hidden states: about half the terms vanish
                for i in range(nv):
                    acc[i] += hj * wt[j, i]
        for i in range(nv):
            out[r, i] = sigmoid(acc[i])


@njit(**JIT)
def sample_bernoulli(p, rng, out):
    """out = 1 where a fresh uniform is below p, else 0; one draw per value, row by row."""
    for r in range(p.shape[0]):
        for j in range(p.shape[1]):
            out[r, j] = 1.0 if uniform(rng) < p[r, j] else 0.0


@njit(**JIT)
def gibbs_steps(v, steps, w, b, d, rng, ph, h, pv):
    """Run ``steps`` Gibbs steps h ~ p(h | v), v ~ p(v | h) on the rows of ``v`` in place.

    Leaves p(v | h) of the last step in ``pv`` and p(h | v) of the new v in ``ph``.
    """
    hidden_probabilities(v, w, d, ph)
    for _ in range(steps):
        sample_bernoulli(ph, rng, h)
        visible_probabilities(h, w, b, pv)
        sample_bernoulli(pv, rng, v)
        hidden_probabilities(v, w, d, ph)


@njit(**JIT)
def _add_outer(sign, scale, x, p, g):
    """g += sign * scale * Σ_r x[r]ᵀ p[r] (x binary or [0, 1], zeros skipped)."""
    for r in range(x.shape[0]):
        for i in range(x.shape[1]):
            xi = x[r, i]
            if xi != 0.0:
                c = sign * scale * xi
                for j in range(p.shape[1]):
                    g[i, j] += c * p[r, j]


@njit(**JIT)
def _column_means(a):
    out = np.zeros(a.shape[1])
    for r in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[r, j]
    return out / max(a.shape[0], 1)


@njit(**JIT)
def _momentum_step(p, v, g, decay, lr, mu):
    """v = μv + lr (g - λp); p += v. False when a new value is NaN or infinite."""
    ok = True
    flat_p, flat_v, flat_g = p.reshape(-1), v.reshape(-1), g.reshape(-1)
    for i in range(flat_p.size):
        step = mu * flat_v[i] + lr * (flat_g[i] - decay * flat_p[i])
        flat_v[i] = step
        flat_p[i] += step
        if not np.isfinite(flat_p[i]):
            ok = False
    return ok


@njit(**JIT)
def cd_update(x0, k, persistent, chains, w, b, d, vw, vb, vd, hp, rng):
    """One CD-k (or PCD-k) update of W, b, d from the batch ``x0``; False if a weight blew up.

    Positive phase: x0 and p(h | x0). Negative phase: k Gibbs steps from x0 (CD) or from
    ``chains`` (PCD, which keeps the chains' new states), then p(h | x_k).
    Gradient: <x hᵀ>_data - <x hᵀ>_model with hidden probabilities on both sides; the update is
    v = μ v + lr (gradient - λ W) (no decay on the biases), then W += v.
    """
    n = x0.shape[0]
    nh = w.shape[1]
    ph0 = np.empty((n, nh), w.dtype)
    hidden_probabilities(x0, w, d, ph0)
    v = chains if persistent else x0.copy()
    m = v.shape[0]
    h = np.empty((m, nh), w.dtype)
    pv = np.empty_like(v)
    ph = np.empty((m, nh), w.dtype)
    if persistent:
        hidden_probabilities(v, w, d, ph)
    else:
        ph[:] = ph0
    for _ in range(k):
        sample_bernoulli(ph, rng, h)
        visible_probabilities(h, w, b, pv)
        sample_bernoulli(pv, rng, v)
        hidden_probabilities(v, w, d, ph)
    gw = np.zeros(w.shape)
    _add_outer(1.0, 1.0 / n, x0, ph0, gw)
    _add_outer(-1.0, 1.0 / m, v, ph, gw)
    gb = _column_means(x0) - _column_means(v)
    gd = _column_means(ph0) - _column_means(ph)
    lr, mu, decay = hp[HP_LR], hp[HP_MOMENTUM], hp[HP_WEIGHT_DECAY]
    ok = _momentum_step(w, vw, gw, decay, lr, mu)
    ok = _momentum_step(b, vb, gb, 0.0, lr, mu) and ok
    return _momentum_step(d, vd, gd, 0.0, lr, mu) and ok


@njit(**JIT)
def cd_updates(X, order, start, end, n_updates, batch, k, persistent, chains, w, b, d, vw, vb, vd, hp, rng,
               counters):
    """Up to ``n_updates`` mini-batch updates on rows X[order[start:end]]; returns how many ran.

    Stops after the first update that leaves a NaN or Inf (``counters[CT_ERROR]`` = 1).
    """
    x0 = np.empty((batch, X.shape[1]), w.dtype)
    done = 0
    for s in range(n_updates):
        b0 = start + s * batch
        n = min(batch, end - b0)
        if n <= 0:
            break
        gather_rows(X, order, b0, n, x0)
        counters[CT_UPDATES] += 1
        done += 1
        if not cd_update(x0[:n], k, persistent, chains, w, b, d, vw, vb, vd, hp, rng):
            counters[CT_ERROR] = 1
            break
    return done


@njit(**JIT)
def _hidden_input(x, w, b, d, a):
    """a = d + xᵀW (rows of W for zero inputs skipped); returns bᵀx, the visible term of -F(x)."""
    a[:] = d
    lin = 0.0
    for i in range(w.shape[0]):
        xi = x[i]
        lin += b[i] * xi
        if xi != 0.0:
            for j in range(w.shape[1]):
                a[j] += xi * w[i, j]
    return lin


@njit(**JIT)
def reconstruction_and_free_energy(X, w, b, d):
    """(mean squared error of x against p(x | h = p(h | x)), mean free energy) over the rows of X.

    The reconstruction is mean-field (no sampling), so it draws no random numbers.
    F(x) = -bᵀx - Σ_j log(1 + exp(d_j + xᵀW_j)).
    """
    nv, nh = w.shape
    n = X.shape[0]
    if n == 0:
        return np.nan, np.nan
    wt = np.ascontiguousarray(w.T)
    a = np.empty(nh)
    ph = np.empty(nh)
    recon = np.empty(nv)
    err = 0.0
    fe = 0.0
    for r in range(n):
        fe -= _hidden_input(X[r], w, b, d, a)
        for j in range(nh):  # softplus and sigmoid from one exponential
            z = a[j]
            e = np.exp(-abs(z))
            fe -= max(z, 0.0) + np.log1p(e)
            ph[j] = 1.0 / (1.0 + e) if z >= 0.0 else e / (1.0 + e)
        recon[:] = b
        for j in range(nh):
            pj = ph[j]
            for i in range(nv):
                recon[i] += pj * wt[j, i]
        for i in range(nv):
            diff = X[r, i] - sigmoid(recon[i])
            err += diff * diff
    return err / (n * nv), fe / n


@njit(**JIT)
def free_energies(X, w, b, d, out):
    """out[r] = F(X[r]) = -bᵀx - Σ_j log(1 + exp(d_j + xᵀW_j))."""
    nv, nh = w.shape
    a = np.empty(nh)
    for r in range(X.shape[0]):
        f = -_hidden_input(X[r], w, b, d, a)
        for j in range(nh):
            f -= softplus(a[j])
        out[r] = f


@njit(**JIT)
def train_epochs(X, T, order, n_epochs, batch, k, persistent, chains, w, b, d, vw, vb, vd, hp, rng, counters,
                 metrics):
    """Train ``n_epochs`` whole epochs in one call, measuring after each (one GIL release for all).

    Epoch e trains on X[order[e*n:(e+1)*n]] (n = len(X)) and then writes reconstruction error
    and mean free energy of X (train) and T (test) to ``metrics[e]`` (NaN for an empty T).
    Returns the number of epochs completed; an epoch that hits NaN or Inf is not counted.
    """
    n = X.shape[0]
    per_epoch = (n + batch - 1) // batch
    for e in range(n_epochs):
        cd_updates(X, order, e * n, (e + 1) * n, per_epoch, batch, k, persistent, chains, w, b, d, vw, vb, vd,
                   hp, rng, counters)
        if counters[CT_ERROR] != 0:
            return e
        err, fe = reconstruction_and_free_energy(X, w, b, d)
        metrics[e, EV_TRAIN_ERROR] = err
        metrics[e, EV_TRAIN_FREE_ENERGY] = fe
        err, fe = reconstruction_and_free_energy(T, w, b, d)
        metrics[e, EV_TEST_ERROR] = err
        metrics[e, EV_TEST_FREE_ENERGY] = fe
    return n_epochs
