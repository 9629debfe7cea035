"""Batch normalization on (n, C, inner) views, PyTorch conventions (unbiased running variance)."""

import math

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def batchnorm_forward(x, y, gamma, beta, rmean, rvar, xhat, stats, momentum, eps, training):
    """``stats`` keeps (mean, inv_std) per channel for the backward pass."""
    n, c, inner = x.shape
    m = n * inner
    for ch in range(c):
        if training:
            mean = 0.0
            for r in range(n):
                for j in range(inner):
                    mean += x[r, ch, j]
            mean /= m
            var = 0.0
            for r in range(n):
                for j in range(inner):
                    d = x[r, ch, j] - mean
                    var += d * d
            var /= m
            if m > 1:  # one value per channel has no variance to learn from (PyTorch refuses it)
                rmean[ch] = (1.0 - momentum) * rmean[ch] + momentum * mean
                rvar[ch] = (1.0 - momentum) * rvar[ch] + momentum * var * m / (m - 1)
        else:
            mean = rmean[ch]
            var = rvar[ch]
        inv = 1.0 / math.sqrt(var + eps)
        stats[ch] = mean
        stats[c + ch] = inv
        for r in range(n):
            for j in range(inner):
                h = (x[r, ch, j] - mean) * inv
                xhat[r, ch, j] = h
                y[r, ch, j] = gamma[ch] * h + beta[ch]


@njit(**JIT)
def batchnorm_backward(dy, dx, need_dx, gamma, ggamma, gbeta, xhat, stats, training):
    n, c, inner = dy.shape
    m = n * inner
    for ch in range(c):
        inv = stats[c + ch]
        sum_dy = 0.0
        sum_dy_xhat = 0.0
        for r in range(n):
            for j in range(inner):
                sum_dy += dy[r, ch, j]
                sum_dy_xhat += dy[r, ch, j] * xhat[r, ch, j]
        ggamma[ch] = sum_dy_xhat
        gbeta[ch] = sum_dy
        if not need_dx:
            continue
        g = gamma[ch] * inv
        for r in range(n):
            for j in range(inner):
                if training:
                    dx[r, ch, j] += g * (dy[r, ch, j] - sum_dy / m - xhat[r, ch, j] * sum_dy_xhat / m)
                else:
                    dx[r, ch, j] += g * dy[r, ch, j]
