"""Plain NumPy references for the Numba kernels, written from the math (float64, no loops tricks).

Each function states the formula it implements. They allocate freely and return new arrays
instead of writing into buffers: they exist to test :mod:`nnsim.engine.kernels`, not to be fast.
Conventions shared with the kernels and PyTorch:

* Dense weights are (out, in): ``y = x Wᵀ + b``.
* Activation derivatives at the kink x = 0: relu 0, leaky_relu ``slope``, rrelu 1 (the x >= 0
  branch), elu ``alpha``; step and sign have zero gradient everywhere (step(0) = 1, sign(0) = 1).
* Batch norm normalizes over every axis but the channel axis 1 (``x`` is (n, C, ...)); running
  statistics follow PyTorch: ``r <- (1 - momentum) r + momentum * batch_stat`` with the unbiased
  batch variance (the biased one when there is a single value per channel).
* Loss reductions follow PyTorch: MSE and BCE average over all values; cross-entropy and
  KL divergence (``'batchmean'``) average over samples.
* Optimizers follow ``torch.optim`` update rules; L2 is added to the gradient (``weight_decay``)
  and L1 as its subgradient ``l1 * sign(p)``, only where decay applies.
"""

from __future__ import annotations

import math

import numpy as np

ACTIVATION_NAMES = ("identity", "step", "sign", "sigmoid", "tanh", "relu", "leaky_relu", "rrelu", "elu")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam")
SCHEDULE_NAMES = ("constant", "inverse_time", "step", "exponential")
BCE_EPS = 1e-7
CLIP_EPS = 1e-6  # added to the norm when clipping, as torch.nn.utils.clip_grad_norm_ does

_U64 = (1 << 64) - 1
_XORSHIFT_MULT = 2685821657736338717


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


# --- random numbers --------------------------------------------------------------------------
def uniform(state: list[int] | np.ndarray) -> float:
    """xorshift64* (shifts 12, 25, 27; multiplier 2685821657736338717): top 53 bits / 2**53.

    ``state`` is a one-element list or uint64 array, advanced in place.
    """
    x = int(state[0])
    x ^= x >> 12
    x ^= (x << 25) & _U64
    x ^= x >> 27
    state[0] = x
    return (((x * _XORSHIFT_MULT) & _U64) >> 11) / 2.0 ** 53


def uniforms(state, count: int) -> np.ndarray:
    return np.array([uniform(state) for _ in range(count)])


# --- dense -----------------------------------------------------------------------------------
def dense_forward(x, w, b=None) -> np.ndarray:
    """y = x Wᵀ + b for x (n, in), W (out, in), b (out,) or None."""
    y = _f(x) @ _f(w).T
    return y if b is None else y + _f(b)


def dense_backward(x, w, dy):
    """Return (dx, dW, db): dx = dy W, dW = dyᵀ x, db = Σ_rows dy."""
    x, w, dy = _f(x), _f(w), _f(dy)
    return dy @ w, dy.T @ x, dy.sum(axis=0)


# --- activations -----------------------------------------------------------------------------
def sigmoid(x) -> np.ndarray:
    x = _f(x)
    # 1 / (1 + e^-x), evaluated without overflow on both sides.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def rrelu_mean_slope(lower: float, upper: float) -> float:
    return 0.5 * (lower + upper)


def activation_forward(name: str, x, a: float = 0.0, b: float = 0.0, training: bool = False,
                       slopes=None) -> np.ndarray:
    """f(x). ``a`` is leaky_relu's slope, elu's alpha or rrelu's lower bound; ``b`` rrelu's upper.

    rrelu uses the mean slope (a + b) / 2 in evaluation and the given ``slopes`` while training.
    """
    x = _f(x)
    if name == "identity":
        return x.copy()
    if name == "step":
        return np.where(x >= 0, 1.0, 0.0)
    if name == "sign":
        return np.where(x >= 0, 1.0, -1.0)
    if name == "sigmoid":
        return sigmoid(x)
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, a * x)
    if name == "rrelu":
        s = _f(slopes) if training else rrelu_mean_slope(a, b)
        return np.where(x >= 0, x, s * x)
    if name == "elu":
        return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0)))
    raise ValueError(f"unknown activation {name!r}")


def activation_derivative(name: str, x, a: float = 0.0, b: float = 0.0, training: bool = False,
                          slopes=None) -> np.ndarray:
    """f'(x) from x (not from f(x)); see the module docstring for the value at x = 0."""
    x = _f(x)
    if name == "identity":
        return np.ones_like(x)
    if name in ("step", "sign"):
        return np.zeros_like(x)
    if name == "sigmoid":
        s = sigmoid(x)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 / np.cosh(x) ** 2
    if name == "relu":
        return np.where(x > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, 1.0, a)
    if name == "rrelu":
        s = _f(slopes) if training else rrelu_mean_slope(a, b)
        return np.where(x >= 0, 1.0, s) * np.ones_like(x)
    if name == "elu":
        return np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0.0)))
    raise ValueError(f"unknown activation {name!r}")


def activation_backward(name: str, x, dy, a: float = 0.0, b: float = 0.0, training: bool = False,
                        slopes=None) -> np.ndarray:
    """dx = f'(x) * dy."""
    return activation_derivative(name, x, a, b, training, slopes) * _f(dy)


def softmax_forward(x) -> np.ndarray:
    """exp(x_j - max) / Σ exp(x_i - max) over the last axis."""
    x = _f(x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(y, dy) -> np.ndarray:
    """dx = J dy with the softmax Jacobian J_ij = y_i (δ_ij - y_j), built explicitly per row."""
    y, dy = _f(y), _f(dy)
    flat_y = y.reshape(-1, y.shape[-1])
    flat_dy = dy.reshape(-1, y.shape[-1])
    out = np.empty_like(flat_y)
    for r in range(flat_y.shape[0]):
        s = flat_y[r]
        jac = np.diag(s) - np.outer(s, s)
        out[r] = jac.T @ flat_dy[r]
    return out.reshape(y.shape)


def log_softmax(x) -> np.ndarray:
    x = _f(x)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


# --- dropout ---------------------------------------------------------------------------------
def dropout_mask(rate: float, draws) -> np.ndarray:
    """Inverted dropout: keep (value 1/(1-rate)) where the uniform draw is >= rate, else 0."""
    draws = _f(draws)
    if rate <= 0.0:
        return np.ones_like(draws)
    return np.where(draws >= rate, 1.0 / (1.0 - rate), 0.0)


def dropout_forward(x, mask) -> np.ndarray:
    return _f(x) * _f(mask)


def dropout_backward(dy, mask) -> np.ndarray:
    return _f(dy) * _f(mask)


# --- batch normalization ---------------------------------------------------------------------
def _bn_axes(x: np.ndarray) -> tuple[int, ...]:
    return (0,) + tuple(range(2, x.ndim))


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum: float, eps: float,
                      training: bool):
    """Return (y, new_running_mean, new_running_var, xhat, mean, var) for x (n, C, ...).

    Training: mean/var (biased) over the batch and spatial axes; the running variance takes the
    unbiased one. Evaluation: the running statistics, left unchanged.
    """
    x = _f(x)
    rm, rv = _f(running_mean).copy(), _f(running_var).copy()
    axes = _bn_axes(x)
    if training:
        m = x.size // x.shape[1]
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        if m > 1:  # a single value per channel carries no variance: running stats stay put
            rm = (1.0 - momentum) * rm + momentum * mean
            rv = (1.0 - momentum) * rv + momentum * var * m / (m - 1)
    else:
        mean, var = rm, rv
    xhat = (x - _per_channel(mean, x.ndim)) / np.sqrt(_per_channel(var, x.ndim) + eps)
    y = _per_channel(_f(gamma), x.ndim) * xhat + _per_channel(_f(beta), x.ndim)
    return y, rm, rv, xhat, mean, var


def batchnorm_backward(x, gamma, dy, mean, var, eps: float, training: bool):
    """Return (dx, dgamma, dbeta), by the chain rule through the batch mean and variance.

    ``mean``/``var`` are what the forward pass normalized with (batch or running statistics).
    """
    x, dy = _f(x), _f(dy)
    axes = _bn_axes(x)
    nd = x.ndim
    mu, v, g = _per_channel(_f(mean), nd), _per_channel(_f(var), nd), _per_channel(_f(gamma), nd)
    inv = 1.0 / np.sqrt(v + eps)
    xhat = (x - mu) * inv
    dgamma = (dy * xhat).sum(axis=axes)
    dbeta = dy.sum(axis=axes)
    dxhat = dy * g
    if not training:
        return dxhat * inv, dgamma, dbeta
    m = x.size // x.shape[1]
    centered = x - mu
    # xhat = (x - mu) (var + eps)^(-1/2), mu = mean(x), var = mean((x - mu)^2)
    dvar = (dxhat * centered).sum(axis=axes, keepdims=True) * -0.5 * (v + eps) ** -1.5
    dmu = (-dxhat * inv).sum(axis=axes, keepdims=True) + dvar * (-2.0 * centered).sum(axis=axes, keepdims=True) / m
    dx = dxhat * inv + dvar * 2.0 * centered / m + dmu / m
    return dx, dgamma, dbeta


# --- merges ----------------------------------------------------------------------------------
def add_forward(a, b) -> np.ndarray:
    return _f(a) + _f(b)


def add_backward(dy):
    """Return (da, db): both equal dy."""
    dy = _f(dy)
    return dy.copy(), dy.copy()


def concat_forward(a, b, axis: int = 0) -> np.ndarray:
    """Join (n, ...) batches along per-sample ``axis`` (batch axis excluded)."""
    a = _f(a)
    return np.concatenate([a, _f(b)], axis=(axis % (a.ndim - 1)) + 1)


def concat_backward(dy, size_a: int, axis: int = 0):
    """Split dy along per-sample ``axis`` at ``size_a``: return (da, db)."""
    dy = _f(dy)
    ax = (axis % (dy.ndim - 1)) + 1
    da, db = np.split(dy, [size_a], axis=ax)
    return da.copy(), db.copy()


# --- losses ----------------------------------------------------------------------------------
def mse(out, y):
    """(mean((out - y)²), d/d out) over all n*k values."""
    out, y = _f(out), _f(y)
    d = out - y
    return float(np.mean(d * d)), 2.0 * d / d.size


def bce(p, y, eps: float = BCE_EPS):
    """Unfused binary cross-entropy on probabilities clipped to [eps, 1 - eps].

    Value -mean(t log p + (1 - t) log(1 - p)); gradient -(t/p - (1-t)/(1-p)) / N evaluated at
    the clipped p. Like PyTorch's BCELoss the gradient is not zeroed where clipping is active
    (PyTorch instead clamps log p at -100 and the gradient's denominator p(1-p) at 1e-12, so the
    two agree except within ~1e-7 of 0 and 1).
    """
    p, y = _f(p), _f(y)
    pc = np.clip(p, eps, 1.0 - eps)
    value = -np.mean(y * np.log(pc) + (1.0 - y) * np.log(1.0 - pc))
    grad = -(y / pc - (1.0 - y) / (1.0 - pc)) / p.size
    return float(value), grad


def bce_with_logits(z, y):
    """Binary cross-entropy fused with the sigmoid: value from logits, gradient (σ(z) - t) / N."""
    z, y = _f(z), _f(y)
    # -t log σ(z) - (1-t) log(1-σ(z)) = softplus(z) - t z
    softplus = np.logaddexp(0.0, z)
    return float(np.mean(softplus - y * z)), (sigmoid(z) - y) / z.size


def cross_entropy(z, y):
    """-(1/n) Σ_r Σ_j t_rj log softmax(z_r)_j and its gradient (softmax(z) Σ_j t - t) / n."""
    z, y = _f(z), _f(y)
    n = z.shape[0]
    value = -np.sum(y * log_softmax(z)) / n
    return float(value), (softmax_forward(z) * y.sum(axis=1, keepdims=True) - y) / n


def kl_div(z, y):
    """KL(t ‖ softmax(z)) summed per row, averaged over rows ('batchmean'); 0 log 0 = 0."""
    z, y = _f(z), _f(y)
    n = z.shape[0]
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    value = np.sum(ylogy - y * log_softmax(z)) / n
    return float(value), (softmax_forward(z) * y.sum(axis=1, keepdims=True) - y) / n


LOSS_FUNCTIONS = {"mse": mse, "bce": bce, "bce_with_logits": bce_with_logits,
                  "cross_entropy": cross_entropy, "kl_div": kl_div}


def count_correct(out, y) -> int:
    """One output: both on the same side of 0.5 (>= 0.5 is positive). Several: same argmax."""
    out, y = _f(out), _f(y)
    if out.shape[1] == 1:
        return int(np.sum((out[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
    return int(np.sum(np.argmax(out, axis=1) == np.argmax(y, axis=1)))


# --- optimizers ------------------------------------------------------------------------------
def scheduled_lr(schedule: str, k: int, lr: float = 0.0, c1: float = 0.0, c2: float = 1.0,
                 step_size: float = 1.0, gamma: float = 1.0) -> float:
    """Learning rate for update ``k`` (0-based)."""
    if schedule == "constant":
        return lr
    if schedule == "inverse_time":
        return c1 / (k + c2)
    if schedule == "step":
        return lr * gamma ** math.floor(k / step_size)
    if schedule == "exponential":
        return lr * gamma ** (k / step_size)
    raise ValueError(f"unknown schedule {schedule!r}")


def optimizer_step(opt: str, p, g, s1, s2, lr: float, t: int, h1: float = 0.0, h2: float = 0.0,
                   eps: float = 0.0, l1: float = 0.0, l2: float = 0.0, decay: bool = True):
    """One update of parameters ``p`` with gradient ``g``; ``t`` is the 1-based update count.

    Returns new (p, s1, s2). State: momentum buffer (s1) for momentum/nesterov, squared-gradient
    sums/averages (s1) for adagrad/rmsprop/adadelta, adadelta's squared-update average (s2),
    Adam's first (s1) and second (s2) moments. h1 is momentum / rho / alpha / beta1, h2 beta2.
    """
    p, g, s1, s2 = _f(p).copy(), _f(g).copy(), _f(s1).copy(), _f(s2).copy()
    if decay:
        g = g + l2 * p + l1 * np.sign(p)
    if opt == "sgd":
        p = p - lr * g
    elif opt in ("momentum", "nesterov"):
        s1 = h1 * s1 + g  # torch: buf = g at the first step, which is this with buf = 0
        step = g + h1 * s1 if opt == "nesterov" else s1
        p = p - lr * step
    elif opt == "adagrad":
        s1 = s1 + g * g
        p = p - lr * g / (np.sqrt(s1) + eps)
    elif opt == "adadelta":
        s1 = h1 * s1 + (1.0 - h1) * g * g
        delta = np.sqrt(s2 + eps) / np.sqrt(s1 + eps) * g
        s2 = h1 * s2 + (1.0 - h1) * delta * delta
        p = p - lr * delta
    elif opt == "rmsprop":
        s1 = h1 * s1 + (1.0 - h1) * g * g
        p = p - lr * g / (np.sqrt(s1) + eps)
    elif opt == "adam":
        s1 = h1 * s1 + (1.0 - h1) * g
        s2 = h2 * s2 + (1.0 - h2) * g * g
        m_hat = s1 / (1.0 - h1 ** t)
        v_hat = s2 / (1.0 - h2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    else:
        raise ValueError(f"unknown optimizer {opt!r}")
    return p, s1, s2


def grad_norm(grads) -> float:
    """Euclidean norm of all given gradient arrays together."""
    return float(math.sqrt(sum(float(np.sum(_f(g) ** 2)) for g in grads)))


def clip_gradients(grads, max_norm: float):
    """Scale all gradients by max_norm / (norm + 1e-6) when max_norm > 0 and norm > max_norm."""
    grads = [_f(g).copy() for g in grads]
    norm = grad_norm(grads)
    if max_norm > 0.0 and norm > max_norm:
        scale = max_norm / (norm + CLIP_EPS)
        grads = [g * scale for g in grads]
    return grads


# --- classic learning rules -------------------------------------------------------------------------
def rule_backward(dy, scale: float) -> np.ndarray:
    """The perceptron and Adaline rules' output derivative: dx = scale * dy (f' taken as 1)."""
    return scale * _f(dy)
