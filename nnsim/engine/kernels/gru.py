"""GRU kernels in PyTorch's convention; layout as in :mod:`.rnn`.

Gate blocks in rows r, z, n: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)), h' = (1 - z) ∘ n + z ∘ h.
Forward keeps W_hn h + b_hn of every step in ``Zh`` (columns 2H..3H); backward then fills ``Z`` with
the input-side and ``Zh`` with the hidden-side pre-activation gradients (they differ in the n block
by the factor r). NumPy twin: :func:`nnsim.engine.reference_recurrent.gru_forward`.
"""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.rnn import (cut_here, finish_forward, input_projection, sigmoid_as, start_state,
                                     step_time, tanh_as, weight_gradients)


@njit(**JIT)
def gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0, has_h0, reverse, steps, Z, Zh, R, hcur, hprev, hs, gr, gz, gn,
                out, seq):
    n = hcur.shape[0]
    H = hcur.shape[1]
    input_projection(x, w_ih, Z, R[0])
    start_state(hcur, h0, has_h0)
    for k in range(steps):
        t = step_time(k, steps, reverse)
        np.dot(hcur, w_hh.T, R)
        for r in range(n):
            q = r * steps + t
            for j in range(H):
                hp = hcur[r, j]
                hprev[q, j] = hp
                rg = sigmoid_as(Z, Z[q, j] + b_ih[j] + R[r, j] + b_hh[j])
                zg = sigmoid_as(Z, Z[q, H + j] + b_ih[H + j] + R[r, H + j] + b_hh[H + j])
                ghn = R[r, 2 * H + j] + b_hh[2 * H + j]
                ng = tanh_as(Z, Z[q, 2 * H + j] + b_ih[2 * H + j] + rg * ghn)
                h = (1.0 - zg) * ng + zg * hp
                Zh[q, 2 * H + j] = ghn
                gr[q, j] = rg
                gz[q, j] = zg
                gn[q, j] = ng
                hs[q, j] = h
                hcur[r, j] = h
                if seq:
                    out[r, t * H + j] = h
    finish_forward(hcur, out, seq)


@njit(**JIT)
def gru_backward(x, w_ih, w_hh, reverse, steps, bptt, seq, gr, gz, gn, hprev, dout, Z, Zh, R, dh, tmp, dxs, dx,
                 need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh):
    n = dh.shape[0]
    H = dh.shape[1]
    dh[:, :] = 0.0
    for k in range(steps - 1, -1, -1):
        t = step_time(k, steps, reverse)
        for r in range(n):
            q = r * steps + t
            for j in range(H):
                d = dh[r, j]
                if seq:
                    d += dout[r, t * H + j]
                elif k == steps - 1:
                    d += dout[r, j]
                rg, zg, ng, hp = gr[q, j], gz[q, j], gn[q, j], hprev[q, j]
                ghn = Zh[q, 2 * H + j]
                dan = d * (1.0 - zg) * (1.0 - ng * ng)
                daz = d * (hp - ng) * zg * (1.0 - zg)
                dar = dan * ghn * rg * (1.0 - rg)
                Z[q, j] = dar
                Z[q, H + j] = daz
                Z[q, 2 * H + j] = dan
                R[r, j] = dar
                R[r, H + j] = daz
                R[r, 2 * H + j] = dan * rg
                Zh[q, j] = dar
                Zh[q, H + j] = daz
                Zh[q, 2 * H + j] = dan * rg
                dh[r, j] = d * zg  # the direct path; the GEMM below adds the gated ones
        np.dot(R, w_hh, tmp)
        dh += tmp
        if cut_here(k, bptt):
            dh[:, :] = 0.0
    if need_h0:
        dh0 += dh
    weight_gradients(x, Z, Zh, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx, R[0])
