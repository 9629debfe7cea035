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
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.fastmath import TANH32_CLAMP, sigmoid_as, tanh32, tanh_as  # noqa: F401 (re-exported)

ACT_TANH, ACT_RELU = 0, 1
SPARSE_DENSITY = 16  # inputs with at most 1/16 nonzero values (one-hot characters) skip the dense GEMMs
# OpenBLAS (SkylakeX) runs products of at most 100**3 multiply-adds through its small-matrix kernels,
# which take no packing: measured for 16 states of 128 units against 512 gate rows, two products of
# 8 rows took 0.49 ms per 25 steps, one of 16 rows 0.76 ms (forward; backward 0.46 vs 0.82 ms).
SMALL_GEMM_WORK = 1_000_000


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
def small_products(a, b, c):
    """c = a b (b contiguous, not a transposed view) as a few products of equal row blocks, each of
    at most SMALL_GEMM_WORK multiply-adds when one row allows (see there)."""
    n = a.shape[0]
    work = a.shape[1] * b.shape[1]  # per row
    blocks = 1 if work > SMALL_GEMM_WORK else -(-(n * work) // SMALL_GEMM_WORK)
    for p in range(blocks):
        lo = (n * p) // blocks
        hi = (n * (p + 1)) // blocks
        if hi > lo:
            np.dot(a[lo:hi], b, c[lo:hi])


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
def is_sparse(x):
    """True when at most 1/SPARSE_DENSITY of ``x`` is nonzero (NaN counts as nonzero)."""
    rows, width = x.shape
    count = 0
    for q in range(rows):
        xq = x[q]
        for i in range(width):
            count += xq[i] != 0
    return count * SPARSE_DENSITY <= rows * width


@njit(**JIT)
def input_projection(x, w_ih, Z, tmp):
    """Z = x w_ihᵀ; a sparse x (one-hot) adds a gathered weight column per nonzero instead of a GEMM.

    ``tmp`` is scratch of at least Z.shape[1] values."""
    rows, ni = x.shape
    g = Z.shape[1]
    if not is_sparse(x):
        np.dot(x, w_ih.T, Z)
        return
    Z[:, :] = 0.0
    col = tmp[:g]
    for i in range(ni):
        for j in range(g):
            col[j] = w_ih[j, i]
        for q in range(rows):
            v = x[q, i]
            if v != 0:
                zq = Z[q]
                for j in range(g):
                    zq[j] += v * col[j]


@njit(**JIT)
def weight_gradients(x, Zx, Zh, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx, tmp):
    """gw_ih = Zxᵀ x, gw_hh = Zhᵀ hprev, biases = column sums (written); dx += Zx W_ih.

    ``tmp`` is scratch of at least Zx.shape[1] values (the sparse-input path of gw_ih)."""
    rows, width = Zx.shape
    if is_sparse(x):
        acc = tmp[:width]
        for i in range(x.shape[1]):
            acc[:] = 0.0
            for q in range(rows):
                v = x[q, i]
                if v != 0:
                    zq = Zx[q]
                    for j in range(width):
                        acc[j] += v * zq[j]
            for j in range(width):
                gw_ih[j, i] = acc[j]
    else:
        np.dot(Zx.T, x, gw_ih)
    np.dot(Zh.T, hprev, gw_hh)
    gb_ih[:] = 0.0
    for q in range(rows):
        zq = Zx[q]
        for j in range(width):
            gb_ih[j] += zq[j]
    if Zh.ctypes.data == Zx.ctypes.data:  # one array for both (SimpleRNN, LSTM): the same sums
        gb_hh[:] = gb_ih
    else:
        gb_hh[:] = 0.0
        for q in range(rows):
            zq = Zh[q]
            for j in range(width):
                gb_hh[j] += zq[j]
    if need_dx:
        np.dot(Zx, w_ih, dxs)
        dx += dxs


@njit(**JIT)
def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, act, h0, has_h0, reverse, steps, Z, R, hcur, hprev, hs, out, seq):
    """s_t = act(U x_t + b_ih + W s_prev + b_hh) with U = w_ih (H, I), W = w_hh (H, H)."""
    n = hcur.shape[0]
    hidden = hcur.shape[1]
    input_projection(x, w_ih, Z, R[0])
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
    weight_gradients(x, Z, Z, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx, R[0])
