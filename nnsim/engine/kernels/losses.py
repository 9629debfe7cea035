"""Losses on (n, k) outputs with their gradients; softmax/sigmoid outputs fuse with their loss.

Reductions follow PyTorch: MSE and BCE average over every value, cross-entropy and KL
divergence ('batchmean') over samples. A fused loss reads the logits and writes the gradient
into the logits' slot, which is both exact and stable: d/dz = p - y.
"""

import math

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.fastmath import exp_as, row_max, row_sum

MSE, BCE, CROSS_ENTROPY, KL_DIV = 0, 1, 2, 3
BCE_EPS = 1e-7


@njit(inline="always", **JIT)
def _exp_sum(arr, z, mx, k):
    """Σ exp(z - mx) in the order of :func:`row_sum` over the stored exponentials."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= k:
        s0 += exp_as(arr, z[j] - mx)
        s1 += exp_as(arr, z[j + 1] - mx)
        s2 += exp_as(arr, z[j + 2] - mx)
        s3 += exp_as(arr, z[j + 3] - mx)
        s4 += exp_as(arr, z[j + 4] - mx)
        s5 += exp_as(arr, z[j + 5] - mx)
        s6 += exp_as(arr, z[j + 6] - mx)
        s7 += exp_as(arr, z[j + 7] - mx)
        j += 8
    while j < k:
        s0 += exp_as(arr, z[j] - mx)
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(inline="always", **JIT)
def _ce_term(t, lse, z):
    return t * (lse - z) if t > 0 else 0.0


@njit(inline="always", **JIT)
def _ce_sum(z, y, lse, k):
    """Σ y (lse - z) over the positive targets, in eight interleaved partial sums."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= k:
        s0 += _ce_term(y[j], lse, z[j])
        s1 += _ce_term(y[j + 1], lse, z[j + 1])
        s2 += _ce_term(y[j + 2], lse, z[j + 2])
        s3 += _ce_term(y[j + 3], lse, z[j + 3])
        s4 += _ce_term(y[j + 4], lse, z[j + 4])
        s5 += _ce_term(y[j + 5], lse, z[j + 5])
        s6 += _ce_term(y[j + 6], lse, z[j + 6])
        s7 += _ce_term(y[j + 7], lse, z[j + 7])
        j += 8
    while j < k:
        s0 += _ce_term(y[j], lse, z[j])
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(**JIT)
def loss_forward_backward(loss_id, fused, out, logits, y, grad, need_grad):
    """Return the mean loss; when ``need_grad`` write dL/d(out) (or dL/d(logits) if fused) into grad."""
    n, k = out.shape
    total = 0.0
    if loss_id == MSE:
        scale = 1.0 / (n * k)
        for r in range(n):
            for j in range(k):
                d = float(out[r, j]) - y[r, j]  # float64, so a large float32 error can't overflow
                total += d * d
                if need_grad:
                    grad[r, j] = 2.0 * d * scale
        return total * scale
    if loss_id == BCE:
        scale = 1.0 / (n * k)
        for r in range(n):
            for j in range(k):
                t = y[r, j]
                if fused:
                    z = logits[r, j]
                    total += max(z, 0.0) - z * t + math.log1p(math.exp(-abs(z)))
                    if need_grad:
                        grad[r, j] = (out[r, j] - t) * scale
                else:
                    p = min(max(out[r, j], BCE_EPS), 1.0 - BCE_EPS)
                    total -= t * math.log(p) + (1.0 - t) * math.log(1.0 - p)
                    if need_grad:
                        grad[r, j] = (p - t) / (p * (1.0 - p)) * scale
        return total * scale
    # Cross-entropy and KL divergence, always fused with softmax.
    scale = 1.0 / n
    for r in range(n):
        lr = logits[r]
        yr = y[r]
        mx = row_max(lr, k)
        if need_grad:  # the gradient row holds the exponentials first (one vectorized pass)
            gr = grad[r]
            for j in range(k):
                gr[j] = exp_as(logits, lr[j] - mx)
            se = row_sum(gr, k)
        else:  # the same sum, in the same order, without scratch
            se = _exp_sum(logits, lr, mx, k)
        lse = mx + math.log(se)
        total += _ce_sum(lr, yr, lse, k)
        if loss_id == KL_DIV:
            for j in range(k):
                t = yr[j]
                if t > 0:
                    total += t * math.log(t)
        if need_grad:
            ysum = row_sum(yr, k)
            orow = out[r]
            gr = grad[r]
            for j in range(k):
                gr[j] = (orow[j] * ysum - yr[j]) * scale
    return total * scale


@njit(**JIT)
def count_correct(out, y):
    """Argmax match for several outputs, a 0.5 threshold for one."""
    n, k = out.shape
    correct = 0
    for r in range(n):
        if k == 1:
            if (out[r, 0] >= 0.5) == (y[r, 0] >= 0.5):
                correct += 1
        else:
            bo = 0
            by = 0
            for j in range(1, k):
                if out[r, j] > out[r, bo]:
                    bo = j
                if y[r, j] > y[r, by]:
                    by = j
            if bo == by:
                correct += 1
    return correct
