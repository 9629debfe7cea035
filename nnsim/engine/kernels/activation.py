"""Element-wise activations (codes from :mod:`nnsim.engine.activations`) and softmax."""

import math

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.fastmath import exp_as, row_max, row_sum, sigmoid_as, tanh_as
from nnsim.engine.kernels.rng import uniform

IDENTITY, STEP, SIGN, SIGMOID, TANH, RELU, LEAKY, RRELU, ELU = 0, 1, 2, 3, 4, 5, 6, 7, 8


@njit(**JIT)
def sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@njit(**JIT)
def act_forward(code, x, y, slopes, a, b, training, rng):
    """y = f(x) on flat arrays; ``a``/``b`` are the slope, alpha or the rrelu bounds.

    Sigmoid, tanh and ELU use :mod:`.fastmath` (vectorized in float32, libm in float64)."""
    m = x.size
    if code == IDENTITY:
        for j in range(m):
            y[j] = x[j]
    elif code == STEP:
        for j in range(m):
            y[j] = 1.0 if x[j] >= 0 else 0.0
    elif code == SIGN:
        for j in range(m):
            y[j] = 1.0 if x[j] >= 0 else -1.0
    elif code == SIGMOID:
        for j in range(m):
            y[j] = sigmoid_as(x, x[j])
    elif code == TANH:
        for j in range(m):
            y[j] = tanh_as(x, x[j])
    elif code == RELU:
        for j in range(m):
            y[j] = x[j] if x[j] > 0 else 0.0
    elif code == LEAKY:
        for j in range(m):
            y[j] = x[j] if x[j] > 0 else a * x[j]
    elif code == RRELU:
        mean = 0.5 * (a + b)
        for j in range(m):
            s = a + (b - a) * uniform(rng) if training else mean
            slopes[j] = s
            y[j] = x[j] if x[j] >= 0 else s * x[j]
    elif code == ELU:
        for j in range(m):
            v = x[j]
            e = exp_as(x, v)  # for every element, so the loop has no call behind a branch
            y[j] = v if v > 0 else a * (e - 1.0)


@njit(**JIT)
def act_backward(code, x, y, dy, dx, slopes, a):
    """dx += f'(x) * dy. Step and sign have zero gradient (a perceptron can't backpropagate)."""
    m = x.size
    if code == IDENTITY:
        for j in range(m):
            dx[j] += dy[j]
    elif code == SIGMOID:
        for j in range(m):
            dx[j] += dy[j] * y[j] * (1.0 - y[j])
    elif code == TANH:
        for j in range(m):
            dx[j] += dy[j] * (1.0 - y[j] * y[j])
    elif code == RELU:
        for j in range(m):
            if x[j] > 0:
                dx[j] += dy[j]
    elif code == LEAKY:
        for j in range(m):
            dx[j] += dy[j] if x[j] > 0 else a * dy[j]
    elif code == RRELU:
        for j in range(m):
            dx[j] += dy[j] if x[j] >= 0 else slopes[j] * dy[j]
    elif code == ELU:
        for j in range(m):
            dx[j] += dy[j] if x[j] > 0 else dy[j] * (y[j] + a)


@njit(**JIT)
def rule_backward(dy, dx, scale):
    """dx += scale * dy: the perceptron and Adaline rules take the output's derivative as 1 (see
    :mod:`nnsim.engine.rules`; ``scale`` undoes the mean squared error's 2 / outputs)."""
    for j in range(dy.size):
        dx[j] += scale * dy[j]


@njit(**JIT)
def softmax_forward(x, y):
    """Softmax over the last axis of 2-D row views: the row maximum, the exponentials (one vectorized
    pass), their sum, then the division."""
    rows, k = x.shape
    for r in range(rows):
        xr = x[r]
        yr = y[r]
        mx = row_max(xr, k)
        for j in range(k):
            yr[j] = exp_as(x, xr[j] - mx)
        total = row_sum(yr, k)
        for j in range(k):
            yr[j] /= total


@njit(**JIT)
def softmax_backward(y, dy, dx):
    rows, k = y.shape
    for r in range(rows):
        dot = 0.0
        for j in range(k):
            dot += dy[r, j] * y[r, j]
        for j in range(k):
            dx[r, j] += y[r, j] * (dy[r, j] - dot)


@njit(**JIT)
def dropout_forward(x, y, mask, rate, training, rng):
    """Inverted dropout: kept values are scaled by 1/(1-rate) so evaluation needs no change."""
    if not training or rate <= 0.0:
        for j in range(x.size):
            mask[j] = 1.0
            y[j] = x[j]
        return
    keep = 1.0 / (1.0 - rate)
    for j in range(x.size):
        mask[j] = keep if uniform(rng) >= rate else 0.0
        y[j] = x[j] * mask[j]


@njit(**JIT)
def dropout_backward(dy, dx, mask):
    for j in range(dy.size):
        dx[j] += dy[j] * mask[j]

