"""LSTM kernels (standard, peephole and coupled input-forget gate); layout as in :mod:`.rnn`.

Gate blocks in the rows of the weights: standard and peephole i, f, g, o (PyTorch); coupled f, g, o
(3H rows, the input gate is 1 - f). Peephole weights ``peep`` (3, H) = (w_ci, w_cf, w_co): i and f
look at c_prev, o at the new c (Gers & Schmidhuber). The cell state starts at zero.
The gates, cells and states of every step are kept (time order, (n*T, H)) for backward and the
live views. NumPy twin: :func:`nnsim.engine.reference_recurrent.lstm_forward`.
"""

import math

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.rnn import cut_here, finish_forward, sigmoid, start_state, step_time, weight_gradients

VAR_STANDARD, VAR_PEEPHOLE, VAR_COUPLED = 0, 1, 2


@njit(**JIT)
def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                 hs, gi, gf, gg, go, cs, out, seq):
    n = hcur.shape[0]
    H = hcur.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    np.dot(x, w_ih.T, Z)
    start_state(hcur, h0, has_h0)
    for k in range(steps):
        t = step_time(k, steps, reverse)
        tp = step_time(k - 1, steps, reverse)
        np.dot(hcur, w_hh.T, R)
        for r in range(n):
            q = r * steps + t
            qp = r * steps + tp
            for j in range(H):
                cp = cs[qp, j] if k > 0 else 0.0
                hprev[q, j] = hcur[r, j]
                if coupled:
                    f = sigmoid(Z[q, j] + b_ih[j] + R[r, j] + b_hh[j])
                    g = math.tanh(Z[q, H + j] + b_ih[H + j] + R[r, H + j] + b_hh[H + j])
                    zo = Z[q, 2 * H + j] + b_ih[2 * H + j] + R[r, 2 * H + j] + b_hh[2 * H + j]
                    i = 1.0 - f
                else:
                    zi = Z[q, j] + b_ih[j] + R[r, j] + b_hh[j]
                    zf = Z[q, H + j] + b_ih[H + j] + R[r, H + j] + b_hh[H + j]
                    g = math.tanh(Z[q, 2 * H + j] + b_ih[2 * H + j] + R[r, 2 * H + j] + b_hh[2 * H + j])
                    zo = Z[q, 3 * H + j] + b_ih[3 * H + j] + R[r, 3 * H + j] + b_hh[3 * H + j]
                    if peephole:
                        zi += peep[0, j] * cp
                        zf += peep[1, j] * cp
                    i = sigmoid(zi)
                    f = sigmoid(zf)
                c = f * cp + i * g
                if peephole:
                    zo += peep[2, j] * c
                o = sigmoid(zo)
                h = o * math.tanh(c)
                gi[q, j] = i
                gf[q, j] = f
                gg[q, j] = g
                go[q, j] = o
                cs[q, j] = c
                hs[q, j] = h
                hcur[r, j] = h
                if seq:
                    out[r, t * H + j] = h
    finish_forward(hcur, out, seq)


@njit(**JIT)
def lstm_backward(x, w_ih, w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, hprev,
                  dout, Z, R, dh, dc, dxs, dx, need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh):
    n = dh.shape[0]
    H = dh.shape[1]
    width = R.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    dh[:, :] = 0.0
    dc[:, :] = 0.0
    if peephole:
        gpeep[:, :] = 0.0
    for k in range(steps - 1, -1, -1):
        t = step_time(k, steps, reverse)
        tp = step_time(k - 1, steps, reverse)
        for r in range(n):
            q = r * steps + t
            qp = r * steps + tp
            for j in range(H):
                d = dh[r, j]
                if seq:
                    d += dout[r, t * H + j]
                elif k == steps - 1:
                    d += dout[r, j]
                cp = cs[qp, j] if k > 0 else 0.0
                i, f, g, o, c = gi[q, j], gf[q, j], gg[q, j], go[q, j], cs[q, j]
                tc = math.tanh(c)
                dzo = d * tc * o * (1.0 - o)
                dcj = dc[r, j] + d * o * (1.0 - tc * tc)
                if peephole:
                    dcj += dzo * peep[2, j]
                    gpeep[2, j] += dzo * c
                dzg = dcj * i * (1.0 - g * g)
                if coupled:
                    dzf = dcj * (cp - g) * f * (1.0 - f)
                    R[r, j] = dzf
                    R[r, H + j] = dzg
                    R[r, 2 * H + j] = dzo
                    dc[r, j] = dcj * f
                else:
                    dzi = dcj * g * i * (1.0 - i)
                    dzf = dcj * cp * f * (1.0 - f)
                    R[r, j] = dzi
                    R[r, H + j] = dzf
                    R[r, 2 * H + j] = dzg
                    R[r, 3 * H + j] = dzo
                    carry = dcj * f
                    if peephole:
                        carry += dzi * peep[0, j] + dzf * peep[1, j]
                        gpeep[0, j] += dzi * cp
                        gpeep[1, j] += dzf * cp
                    dc[r, j] = carry
            for j in range(width):
                Z[q, j] = R[r, j]
        np.dot(R, w_hh, dh)
        if cut_here(k, bptt):
            dh[:, :] = 0.0
            dc[:, :] = 0.0
    if need_h0:
        dh0 += dh
    weight_gradients(x, Z, Z, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx)
