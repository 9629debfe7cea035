"""Optimizer updates over the parameter arena, following PyTorch's update rules exactly.

``segs`` rows are (offset, size, trainable, decay). L2 is added to the gradient as PyTorch's
``weight_decay`` does, L1 as its subgradient; neither touches biases. Hyper-parameters arrive in
``hp``: lr, h1 (momentum / rho / beta1), h2 (beta2), eps, l1, l2, clip_norm, schedule fields.
"""

import math

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.fastmath import row_sum, row_sum_squares

SGD, MOMENTUM, NESTEROV, ADAGRAD, ADADELTA, RMSPROP, ADAM = 0, 1, 2, 3, 4, 5, 6
CONSTANT, INVERSE_TIME, STEP, EXPONENTIAL = 0, 1, 2, 3
HP_LR, HP_H1, HP_H2, HP_EPS, HP_L1, HP_L2, HP_CLIP = 0, 1, 2, 3, 4, 5, 6
HP_SCHED, HP_C1, HP_C2, HP_STEP_SIZE, HP_GAMMA = 7, 8, 9, 10, 11
N_HP = 12


@njit(**JIT)
def scheduled_lr(hp, k):
    """Learning rate for update number ``k`` (0-based)."""
    kind = int(hp[HP_SCHED])
    if kind == INVERSE_TIME:
        return hp[HP_C1] / (k + hp[HP_C2])
    if kind == STEP:
        return hp[HP_LR] * hp[HP_GAMMA] ** math.floor(k / hp[HP_STEP_SIZE])
    if kind == EXPONENTIAL:
        return hp[HP_LR] * hp[HP_GAMMA] ** (k / hp[HP_STEP_SIZE])
    return hp[HP_LR]


@njit(**JIT)
def grad_norm(G, segs):
    """The L2 norm of the trainable gradients (interleaved sums: one running sum costs 4 cycles a value)."""
    total = 0.0
    for s in range(segs.shape[0]):
        if segs[s, 2]:
            total += row_sum_squares(G[segs[s, 0]:segs[s, 0] + segs[s, 1]], segs[s, 1])
    return math.sqrt(total)


@njit(**JIT)
def clip_gradients(G, segs, norm, max_norm):
    if max_norm > 0.0 and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for s in range(segs.shape[0]):
            if segs[s, 2]:
                for j in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
                    G[j] *= scale


@njit(**JIT)
def apply_update(opt, P, G, S1, S2, segs, hp, lr, t):
    """One update with learning rate ``lr``; ``t`` is the 1-based update count. False if non-finite."""
    h1, h2, eps, l1, l2 = hp[HP_H1], hp[HP_H2], hp[HP_EPS], hp[HP_L1], hp[HP_L2]
    ok = True
    for s in range(segs.shape[0]):
        if not segs[s, 2]:
            continue
        decay = segs[s, 3] != 0
        if opt == SGD and l1 == 0.0:
            # Plain SGD in a branch-free loop that vectorizes (the general loop's per-element optimizer
            # switch does not): the same arithmetic (an l2 of 0 adds nothing). The finiteness check
            # is a float64 sum of the new weights (finite unless one is NaN or Inf), in interleaved
            # partial sums that vectorize too.
            decay_l2 = l2 if decay else 0.0
            m = segs[s, 1]
            p = P[segs[s, 0]:segs[s, 0] + m]  # zero-based views: an index known >= 0 lets the loop vectorize
            g = G[segs[s, 0]:segs[s, 0] + m]
            for j in range(m):
                p[j] = p[j] - lr * (g[j] + decay_l2 * p[j])
            ok = ok and math.isfinite(row_sum(p, m))
            continue
        for j in range(segs[s, 0], segs[s, 0] + segs[s, 1]):
            p = P[j]
            g = G[j]
            if decay:
                g += l2 * p
                if l1 > 0.0:
                    g += l1 * (1.0 if p > 0 else (-1.0 if p < 0 else 0.0))
            if opt == SGD:
                p -= lr * g
            elif opt == MOMENTUM or opt == NESTEROV:
                v = h1 * S1[j] + g
                S1[j] = v
                p -= lr * (g + h1 * v) if opt == NESTEROV else lr * v
            elif opt == ADAGRAD:
                S1[j] += g * g
                p -= lr * g / (math.sqrt(S1[j]) + eps)
            elif opt == ADADELTA:
                S1[j] = h1 * S1[j] + (1.0 - h1) * g * g
                delta = math.sqrt(S2[j] + eps) / math.sqrt(S1[j] + eps) * g
                S2[j] = h1 * S2[j] + (1.0 - h1) * delta * delta
                p -= lr * delta
            elif opt == RMSPROP:
                S1[j] = h1 * S1[j] + (1.0 - h1) * g * g
                p -= lr * g / (math.sqrt(S1[j]) + eps)
            else:  # ADAM
                S1[j] = h1 * S1[j] + (1.0 - h1) * g
                S2[j] = h2 * S2[j] + (1.0 - h2) * g * g
                mhat = S1[j] / (1.0 - h1 ** t)
                vhat = S2[j] / (1.0 - h2 ** t)
                p -= lr * mhat / (math.sqrt(vhat) + eps)
            if not math.isfinite(p):
                ok = False
            P[j] = p
    return ok

