"""Autoencoder kernels: code h = f(x̃ Wᵀ + b), reconstruction y = sigmoid(h W'ᵀ + d).

W is the encoder weight (n_code, n_visible) in PyTorch's layout, b the code bias, W' the decoder
weight (n_visible, n_code) or, with tied weights, Wᵀ (then ``wd`` is an empty (0, 0) array), d
the visible bias. x̃ is the input after corruption (denoising), x the clean input it must
reproduce. The loss of a batch of n rows is

    L = (1/n) Σ_r Σ_i ℓ(y_ri, x_ri) + β Σ_j KL(ρ || ρ̂_j),   ρ̂_j = (1/n) Σ_r h_rj,

with ℓ = ½(y - x)² (``LOSS_MSE``) or -x log y - (1 - x) log(1 - y) (``LOSS_CROSS_ENTROPY``).
Every kernel has a NumPy twin in :mod:`nnsim.engine.reference_autoencoder` that draws the same
random numbers in the same order: masking noise draws one uniform per value, row by row, and
zeroes the value where ``u < p``; Gaussian noise draws two per value (u1, u2; Box-Muller
``sqrt(-2 log(1 - u1)) cos(2π u2)``). Nothing is drawn when the corruption level is 0.

Inner loops add whole contiguous rows (the encoder reads Wᵀ, the decoder W or W'ᵀ), so they
vectorize; float32 sigmoids use the vectorizable approximation of :mod:`.fastmath`. These
kernels are not reachable from the backprop entry points of :mod:`nnsim.engine.interpreter`.
"""

import math

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.batch_rows import gather_rows
from nnsim.engine.kernels.fastmath import sigmoid_as
from nnsim.engine.kernels.rng import uniform

HP_LR, HP_MOMENTUM, HP_WEIGHT_DECAY, HP_CORRUPTION, HP_SPARSITY_TARGET, HP_SPARSITY_WEIGHT = 0, 1, 2, 3, 4, 5
N_HP = 6
OPT_TIED, OPT_CODE, OPT_LOSS, OPT_NOISE = 0, 1, 2, 3  # slots of ``opts`` (int64)
N_OPT = 4
CODE_SIGMOID, CODE_RELU, CODE_LINEAR = 0, 1, 2
LOSS_MSE, LOSS_CROSS_ENTROPY = 0, 1
NOISE_MASK, NOISE_GAUSSIAN = 0, 1
CT_UPDATES, CT_ERROR = 0, 1  # slots of ``counters``
N_COUNTERS = 2
EV_TRAIN_ERROR, EV_TEST_ERROR, EV_MEAN_CODE = 0, 1, 2
N_EVAL = 3  # columns of a metrics row written by :func:`train_epochs`
RHO_EPS = 1e-12  # ρ̂ is kept in [eps, 1 - eps] inside the KL term


@njit(**JIT)
def _activate(arr, z, code):
    """The code unit's activation f(z) in the dtype of ``arr``."""
    if code == CODE_SIGMOID:
        return sigmoid_as(arr, z)
    if code == CODE_RELU:
        return z if z > 0 else z * 0
    return z


@njit(**JIT)
def _activation_slope(h, code):
    """f'(z) from h = f(z)."""
    if code == CODE_SIGMOID:
        return h * (1 - h)
    if code == CODE_RELU:
        return 1.0 if h > 0 else 0.0
    return 1.0


@njit(**JIT)
def _decoder_rows(w, wd, tied):
    """W'ᵀ as (n_code, n_visible) rows: W itself when tied, else a contiguous copy of W'ᵀ."""
    return w if tied else np.ascontiguousarray(wd.T)


@njit(inline="always", **JIT)
def _affine_row(xr, m, bias, acc):
    """acc = bias + Σ_i xr[i] m[i], skipping zero inputs (pixels, masked inputs, ReLU codes: many vanish)."""
    acc[:] = bias
    for i in range(m.shape[0]):
        xi = xr[i]
        if xi != 0.0:
            for j in range(m.shape[1]):
                acc[j] += xi * m[i, j]


@njit(**JIT)
def encode_rows(x, wt, b, code, out):
    """out[r] = f(b + Σ_i x[r, i] Wᵀ[i]) for the first len(out) rows of x; ``wt`` is Wᵀ."""
    for r in range(out.shape[0]):
        acc = out[r]
        _affine_row(x[r], wt, b, acc)
        for j in range(acc.shape[0]):
            acc[j] = _activate(out, acc[j], code)


@njit(**JIT)
def decode_rows(h, dec, d, out):
    """out[r] = sigmoid(d + Σ_j h[r, j] dec[j]) for the first len(out) rows of h; ``dec`` is W'ᵀ."""
    for r in range(out.shape[0]):
        acc = out[r]
        _affine_row(h[r], dec, d, acc)
        for i in range(acc.shape[0]):
            acc[i] = sigmoid_as(out, acc[i])


@njit(**JIT)
def encode(x, w, b, code, out):
    """Codes of the first len(out) rows of x."""
    encode_rows(x, np.ascontiguousarray(w.T), b, code, out)


@njit(**JIT)
def decode(h, w, wd, d, tied, out):
    """Reconstructions of the first len(out) codes of h."""
    decode_rows(h, _decoder_rows(w, wd, tied), d, out)


@njit(**JIT)
def normal(rng):
    """One standard normal value from two uniforms (Box-Muller, cosine branch)."""
    u1 = uniform(rng)
    u2 = uniform(rng)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


@njit(**JIT)
def corrupt(x, noise, level, rng, out):
    """out = x corrupted: masking zeroes each value with probability ``level``; Gaussian adds
    ``level`` × N(0, 1). Row by row; a level of 0 copies x and draws nothing."""
    for r in range(out.shape[0]):
        for i in range(out.shape[1]):
            v = x[r, i]
            if level > 0.0:
                if noise == NOISE_MASK:
                    v = v * 0 if uniform(rng) < level else v
                else:
                    v = v + level * normal(rng)
            out[r, i] = v


@njit(**JIT)
def _kl(rho, rho_hat):
    """KL(ρ || ρ̂) of two Bernoulli distributions and its derivative in ρ̂."""
    q = min(max(rho_hat, RHO_EPS), 1.0 - RHO_EPS)
    value = rho * math.log(rho / q) + (1.0 - rho) * math.log((1.0 - rho) / (1.0 - q))
    return value, -rho / q + (1.0 - rho) / (1.0 - q)


@njit(**JIT)
def _reconstruction_loss(y, x, loss):
    """ℓ(y, x) of one value (float64); cross-entropy with log y clamped at log(1e-300)."""
    y, x = float(y), float(x)
    if loss == LOSS_MSE:
        return 0.5 * (y - x) * (y - x)
    return -x * math.log(max(y, 1e-300)) - (1.0 - x) * math.log(max(1.0 - y, 1e-300))


@njit(**JIT)
def _reconstruction_delta(x, y, loss, dz):
    """Σ_r Σ_i ℓ(y, x) / n (float64); writes dz = ∂L/∂(decoder pre-activation)."""
    n = x.shape[0]
    total = 0.0
    for r in range(n):
        for i in range(x.shape[1]):
            yi, xi = y[r, i], x[r, i]
            total += _reconstruction_loss(yi, xi, loss)
            dz[r, i] = ((yi - xi) * yi * (1 - yi) if loss == LOSS_MSE else yi - xi) / n
    return total / n


@njit(**JIT)
def _sparsity_delta(h, rho, beta, dh):
    """β Σ_j KL(ρ || ρ̂_j) (float64); writes its gradient ∂/∂h into dh (each row the same)."""
    n = h.shape[0]
    total = 0.0
    for j in range(h.shape[1]):
        rho_hat = 0.0
        for r in range(n):
            rho_hat += h[r, j]
        value, slope = _kl(rho, rho_hat / n)
        total += beta * value
        for r in range(n):
            dh[r, j] = beta * slope / n
    return total


@njit(**JIT)
def _add_rows_outer(a, b, g):
    """g[j] += Σ_r a[r, j] b[r] (rows of b added where a is non-zero)."""
    for r in range(a.shape[0]):
        for j in range(a.shape[1]):
            c = a[r, j]
            if c != 0.0:
                for i in range(b.shape[1]):
                    g[j, i] += c * b[r, i]


@njit(**JIT)
def _add_products(a, m, out):
    """out[r] += Σ_i a[r, i] m[i]: out += a m, by whole rows of m."""
    for r in range(a.shape[0]):
        for i in range(a.shape[1]):
            c = a[r, i]
            for j in range(m.shape[1]):
                out[r, j] += c * m[i, j]


@njit(**JIT)
def loss_and_gradients(x, xt, w, b, wd, d, opts, hp, gw, gb, gwd, gd):
    """The batch loss L (float64) of clean rows x from corrupted rows xt; writes ∂L/∂ each parameter.

    With tied weights (``wd`` and ``gwd`` empty) ∂L/∂W holds both the encoder and the decoder term.
    """
    n = x.shape[0]
    nc, nv = w.shape
    tied, code = opts[OPT_TIED] != 0, opts[OPT_CODE]
    wt = np.ascontiguousarray(w.T)
    h = np.empty((n, nc), w.dtype)
    y = np.empty((n, nv), w.dtype)
    encode_rows(xt, wt, b, code, h)
    decode_rows(h, _decoder_rows(w, wd, tied), d, y)
    dz = np.empty((n, nv), w.dtype)
    total = _reconstruction_delta(x, y, opts[OPT_LOSS], dz)
    dh = np.zeros((n, nc), w.dtype)  # ∂L/∂h: the sparsity term, then the decoder's
    if hp[HP_SPARSITY_WEIGHT] > 0.0:
        total += _sparsity_delta(h, hp[HP_SPARSITY_TARGET], hp[HP_SPARSITY_WEIGHT], dh)
    decoder_t = wt if tied else wd  # W' as (n_visible, n_code) rows: dh[r] += Σ_i dz[r, i] W'[i]
    _add_products(dz, decoder_t, dh)
    gdec = np.zeros((nc, nv), w.dtype)  # ∂L/∂W'ᵀ = Σ_r h[r]ᵀ dz[r]
    _add_rows_outer(h, dz, gdec)
    gd[:] = 0.0
    for r in range(n):
        gd += dz[r]
    if tied:
        gw[:] = gdec
    else:
        gw[:] = 0.0
        gwd[:] = gdec.T
    da = np.empty((n, nc), w.dtype)  # ∂L/∂(encoder pre-activation)
    gb[:] = 0.0
    for r in range(n):
        for j in range(nc):
            da[r, j] = dh[r, j] * _activation_slope(h[r, j], code)
        gb += da[r]
    _add_rows_outer(da, xt, gw)
    return total


@njit(**JIT)
def _descent_step(p, v, g, decay, lr, mu):
    """v = μv - lr (g + λp); p += v. False when a new value is NaN or infinite."""
    ok = True
    flat_p, flat_v, flat_g = p.reshape(-1), v.reshape(-1), g.reshape(-1)
    for i in range(flat_p.size):
        step = mu * flat_v[i] - lr * (flat_g[i] + decay * flat_p[i])
        flat_v[i] = step
        flat_p[i] += step
        if not np.isfinite(flat_p[i]):
            ok = False
    return ok


@njit(**JIT)
def sgd_update(x, w, b, wd, d, vw, vb, vwd, vd, opts, hp, rng):
    """One update from the clean batch x: corrupt, loss and gradients, SGD with momentum.

    Weight decay λ applies to W and W' (not the biases). Returns (loss, finite?).
    """
    xt = np.empty_like(x)
    corrupt(x, opts[OPT_NOISE], hp[HP_CORRUPTION], rng, xt)
    gw, gb, gwd, gd = np.empty_like(w), np.empty_like(b), np.empty_like(wd), np.empty_like(d)
    total = loss_and_gradients(x, xt, w, b, wd, d, opts, hp, gw, gb, gwd, gd)
    lr, mu, decay = hp[HP_LR], hp[HP_MOMENTUM], hp[HP_WEIGHT_DECAY]
    ok = _descent_step(w, vw, gw, decay, lr, mu)
    ok = _descent_step(b, vb, gb, 0.0, lr, mu) and ok
    ok = _descent_step(wd, vwd, gwd, decay, lr, mu) and ok
    ok = _descent_step(d, vd, gd, 0.0, lr, mu) and ok
    return total, ok


@njit(**JIT)
def sgd_updates(X, order, start, end, n_updates, batch, w, b, wd, d, vw, vb, vwd, vd, opts, hp, rng, counters):
    """Up to ``n_updates`` mini-batch updates on rows X[order[start:end]]; returns how many ran.

    Stops after the first update that leaves a NaN or Inf (``counters[CT_ERROR]`` = 1).
    """
    x = np.empty((batch, X.shape[1]), w.dtype)
    done = 0
    for s in range(n_updates):
        b0 = start + s * batch
        n = min(batch, end - b0)
        if n <= 0:
            break
        gather_rows(X, order, b0, n, x)
        counters[CT_UPDATES] += 1
        done += 1
        _, ok = sgd_update(x[:n], w, b, wd, d, vw, vb, vwd, vd, opts, hp, rng)
        if not ok:
            counters[CT_ERROR] = 1
            break
    return done


@njit(**JIT)
def error_and_mean_code(X, w, b, wd, d, opts):
    """(mean over rows and pixels of (x - y)², mean code activation) of clean rows X, in blocks.

    NaN, NaN for an empty X.
    """
    n = X.shape[0]
    if n == 0:
        return np.nan, np.nan
    nc, nv = w.shape
    wt = np.ascontiguousarray(w.T)
    dec = _decoder_rows(w, wd, opts[OPT_TIED] != 0)
    block = min(n, 256)
    h = np.empty((block, nc), w.dtype)
    y = np.empty((block, nv), w.dtype)
    err = 0.0
    code_sum = 0.0
    for start in range(0, n, block):
        m = min(block, n - start)
        rows = X[start:start + m]
        encode_rows(rows, wt, b, opts[OPT_CODE], h[:m])
        decode_rows(h[:m], dec, d, y[:m])
        for r in range(m):
            for j in range(nc):
                code_sum += h[r, j]
            for i in range(nv):
                diff = float(rows[r, i]) - float(y[r, i])
                err += diff * diff
    return err / (n * nv), code_sum / (n * nc)


@njit(**JIT)
def train_epochs(X, T, order, n_epochs, batch, w, b, wd, d, vw, vb, vwd, vd, opts, hp, rng, counters, metrics):
    """Train ``n_epochs`` whole epochs in one call, measuring after each (one GIL release for all).

    Epoch e trains on X[order[e*n:(e+1)*n]] (n = len(X)) and then writes the reconstruction
    error of X (train) and T (test) and the mean code activation on X to ``metrics[e]`` (NaN for
    an empty T). Returns the number of epochs completed; an epoch that hits NaN or Inf is not counted.
    """
    n = X.shape[0]
    per_epoch = (n + batch - 1) // batch
    for e in range(n_epochs):
        sgd_updates(X, order, e * n, (e + 1) * n, per_epoch, batch, w, b, wd, d, vw, vb, vwd, vd, opts, hp, rng,
                    counters)
        if counters[CT_ERROR] != 0:
            return e
        err, mean_code = error_and_mean_code(X, w, b, wd, d, opts)
        metrics[e, EV_TRAIN_ERROR] = err
        metrics[e, EV_MEAN_CODE] = mean_code
        metrics[e, EV_TEST_ERROR] = error_and_mean_code(T, w, b, wd, d, opts)[0]
    return n_epochs
