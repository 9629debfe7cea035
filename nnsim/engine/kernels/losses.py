"""Losses on (n, k) outputs with their gradients; softmax/sigmoid outputs fuse with their loss.

Reductions follow PyTorch: MSE and BCE average over every value, cross-entropy and KL
divergence ('batchmean') over samples. A fused loss reads the logits and writes the gradient
into the logits' slot, which is both exact and stable: d/dz = p - y.
"""

import math

from numba import njit

from nnsim.engine.kernels import JIT

MSE, BCE, CROSS_ENTROPY, KL_DIV = 0, 1, 2, 3
BCE_EPS = 1e-7


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
        mx = logits[r, 0]
        for j in range(1, k):
            mx = max(mx, logits[r, j])
        lse = 0.0
        for j in range(k):
            lse += math.exp(logits[r, j] - mx)
        lse = mx + math.log(lse)
        ysum = 0.0
        for j in range(k):
            t = y[r, j]
            ysum += t
            if t > 0:
                total -= t * (logits[r, j] - lse)
                if loss_id == KL_DIV:
                    total += t * math.log(t)
        if need_grad:
            for j in range(k):
                grad[r, j] = (out[r, j] * ysum - y[r, j]) * scale
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
