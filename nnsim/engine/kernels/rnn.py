"""Recurrent kernels shared pieces and the SimpleRNN (Elman) kernel.

Layout (all recurrent kernels): ``x`` is (n*T, I) batch first (row ``r*T + t``), states are
(n, H); weights follow PyTorch (``w_ih`` (G*H, I), ``w_hh`` (G*H, H), gate blocks in rows). The input
projection of all steps is one GEMM into the scratch ``Z`` (n*T, G*H); each step adds one GEMM of
the previous state into ``R`` (n, G*H). Backward stores the pre-activation gradients of every step
back into ``Z`` (and the recurrent ones into ``R`` for the per-step GEMM), then forms the weight
gradients with one GEMM each over all steps. ``hprev`` (n*T, H) keeps the state each step started
from (the right operand of the ``weight_hh`` gradient GEMM).

A reverse direction processes t = T-1..0; processed step k reads time ``t = T-1-k``. Truncated BPTT
(``bptt`` > 0) drops the recurrent gradient from processed step k into the previous state when k is
a positive multiple of ``bptt`` (see :mod:`nnsim.engine.reference_recurrent`).
NumPy twins: :mod:`nnsim.engine.reference_recurrent`.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import overload

from nnsim.engine.kernels import JIT

ACT_TANH, ACT_RELU = 0, 1
TANH32_CLAMP = 7.90531110763549805


@njit(inline="always", **JIT)
def tanh32(x):
    """tanh in float32 by a [13/6] rational approximation (Eigen's), within 4e-7 of the exact value.

    Plain arithmetic, so loops over it vectorize (math.tanh is a scalar libm call per element).
    """
    x = min(max(x, np.float32(-TANH32_CLAMP)), np.float32(TANH32_CLAMP))
    x2 = x * x
    p = x2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = x2 * p + np.float32(-8.60467152213735e-11)
    p = x2 * p + np.float32(5.12229709037114e-08)
    p = x2 * p + np.float32(1.48572235717979e-05)
    p = x2 * p + np.float32(6.37261928875436e-04)
    p = x2 * p + np.float32(4.89352455891786e-03)
    q = x2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = x2 * q + np.float32(2.26843463243900e-03)
    q = x2 * q + np.float32(4.89352518554385e-03)
    return x * p / q


def tanh_as(arr, v):
    """tanh(v) at the precision of ``arr``: the fast approximation for float32, math.tanh for float64."""
    return math.tanh(v)


def sigmoid_as(arr, v):
    """1 / (1 + exp(-v)) at the precision of ``arr`` (float32: 0.5 + 0.5 tanh(v / 2), approximated)."""
    return 1.0 / (1.0 + math.exp(-v))


def _is_f32(arr):
    return isinstance(arr, types.Array) and arr.dtype == types.float32


@overload(tanh_as, jit_options=JIT)
def _tanh_as(arr, v):
    if _is_f32(arr):
        return lambda arr, v: tanh32(np.float32(v))
    return lambda arr, v: math.tanh(v)


@overload(sigmoid_as, jit_options=JIT)
def _sigmoid_as(arr, v):
    if _is_f32(arr):
        half = np.float32(0.5)
        return lambda arr, v: half + half * tanh32(half * np.float32(v))
    return lambda arr, v: 1.0 / (1.0 + math.exp(-v))


@njit(inline="always", **JIT)
def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


@njit(inline="always", **JIT)
def step_time(k, steps, reverse):
    """The time index of processed step ``k``."""
    return steps - 1 - k if reverse else k


@njit(inline="always", **JIT)
def cut_here(k, bptt):
    return bptt > 0 and k > 0 and k % bptt == 0


@njit(**JIT)
def start_state(hcur, h0, has_h0):
    if has_h0:
        hcur[:, :] = h0
    else:
        hcur[:, :] = 0.0


@njit(**JIT)
def finish_forward(hcur, out, seq):
    """Many-to-one: the output is the state after the last processed step."""
    if not seq:
        out[:, :] = hcur


@njit(**JIT)
def weight_gradients(x, Zx, Zh, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx):
    """gw_ih = Zxᵀ x, gw_hh = Zhᵀ hprev, biases = column sums (written); dx += Zx W_ih."""
    np.dot(Zx.T, x, gw_ih)
    np.dot(Zh.T, hprev, gw_hh)
    rows, width = Zx.shape
    gb_ih[:] = 0.0
    gb_hh[:] = 0.0
    for q in range(rows):
        for j in range(width):
            gb_ih[j] += Zx[q, j]
            gb_hh[j] += Zh[q, j]
    if need_dx:
        np.dot(Zx, w_ih, dxs)
        dx += dxs


@njit(**JIT)
def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, act, h0, has_h0, reverse, steps, Z, R, hcur, hprev, hs, out, seq):
    """s_t = act(U x_t + b_ih + W s_prev + b_hh) with U = w_ih (H, I), W = w_hh (H, H)."""
    n = hcur.shape[0]
    hidden = hcur.shape[1]
    np.dot(x, w_ih.T, Z)
    start_state(hcur, h0, has_h0)
    for k in range(steps):
        t = step_time(k, steps, reverse)
        np.dot(hcur, w_hh.T, R)
        for r in range(n):
            q = r * steps + t
            for j in range(hidden):
                hprev[q, j] = hcur[r, j]
                a = Z[q, j] + b_ih[j] + R[r, j] + b_hh[j]
                if act == ACT_TANH:
                    s = tanh_as(Z, a)
                else:
                    s = a if a > 0.0 else 0.0
                hcur[r, j] = s
                hs[q, j] = s
                if seq:
                    out[r, t * hidden + j] = s
    finish_forward(hcur, out, seq)


@njit(**JIT)
def rnn_backward(x, w_ih, w_hh, act, reverse, steps, bptt, seq, hs, hprev, dout, Z, R, dh, dxs, dx, need_dx,
                 dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh):
    n = dh.shape[0]
    hidden = dh.shape[1]
    dh[:, :] = 0.0
    for k in range(steps - 1, -1, -1):
        t = step_time(k, steps, reverse)
        for r in range(n):
            q = r * steps + t
            for j in range(hidden):
                d = dh[r, j]
                if seq:
                    d += dout[r, t * hidden + j]
                elif k == steps - 1:
                    d += dout[r, j]
                s = hs[q, j]
                if act == ACT_TANH:
                    da = d * (1.0 - s * s)
                else:
                    da = d if s > 0.0 else 0.0
                R[r, j] = da
                Z[q, j] = da
        np.dot(R, w_hh, dh)
        if cut_here(k, bptt):
            dh[:, :] = 0.0
    if need_h0:
        dh0 += dh
    weight_gradients(x, Z, Z, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx)
