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
from nnsim.engine.kernels.rnn import (cut_here, finish_forward, sigmoid_as, start_state, step_time, tanh_as,
                                     weight_gradients)

VAR_STANDARD, VAR_PEEPHOLE, VAR_COUPLED = 0, 1, 2


@njit(**JIT)
def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                 hs, gi, gf, gg, go, cs, out, seq):
    """Each step in short passes over contiguous rows (so the loops vectorize): pre-activations in R,
    gate functions in place, then the cell and the state."""
    n = hcur.shape[0]
    H = hcur.shape[1]
    gh = R.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    fo = 0 if coupled else H  # column of the f block
    go_ = gh - 2 * H  # column of the g block
    oo = gh - H  # column of the o block
    np.dot(x, w_ih.T, Z)
    start_state(hcur, h0, has_h0)
    for k in range(steps):
        t = step_time(k, steps, reverse)
        tp = step_time(k - 1, steps, reverse)
        np.dot(hcur, w_hh.T, R)
        for r in range(n):
            q = r * steps + t
            qp = r * steps + tp
            zr = R[r]
            zx = Z[q]
            for j in range(gh):
                zr[j] += zx[j] + b_ih[j] + b_hh[j]
            if peephole and k > 0:
                cprev = cs[qp]
                for j in range(H):
                    zr[j] += peep[0, j] * cprev[j]
                    zr[H + j] += peep[1, j] * cprev[j]
            for j in range(go_):
                zr[j] = sigmoid_as(R, zr[j])
            for j in range(go_, oo):
                zr[j] = tanh_as(R, zr[j])
            if not peephole:
                for j in range(oo, gh):
                    zr[j] = sigmoid_as(R, zr[j])
            c = cs[q]
            if k > 0:
                cprev = cs[qp]
                if coupled:
                    for j in range(H):
                        c[j] = zr[j] * cprev[j] + (1 - zr[j]) * zr[go_ + j]
                else:
                    for j in range(H):
                        c[j] = zr[fo + j] * cprev[j] + zr[j] * zr[go_ + j]
            elif coupled:
                for j in range(H):
                    c[j] = (1 - zr[j]) * zr[go_ + j]
            else:
                for j in range(H):
                    c[j] = zr[j] * zr[go_ + j]
            if peephole:
                for j in range(H):
                    zr[oo + j] = sigmoid_as(R, zr[oo + j] + peep[2, j] * c[j])
            hq = hs[q]
            hc = hcur[r]
            hprev[q, :] = hc
            for j in range(H):
                hq[j] = zr[oo + j] * tanh_as(R, c[j])
            hc[:] = hq
            if coupled:
                for j in range(H):
                    gi[q, j] = 1 - zr[j]
            else:
                gi[q, :] = zr[:H]
            gf[q, :] = zr[fo:fo + H]
            gg[q, :] = zr[go_:oo]
            go[q, :] = zr[oo:]
            if seq:
                out[r, t * H:(t + 1) * H] = hq
    finish_forward(hcur, out, seq)


@njit(**JIT)
def lstm_backward(x, w_ih, w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, hprev,
                  dout, Z, R, dh, dc, dxs, dx, need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh):
    """Per step and sample: the state gradient d, then the o block and the cell gradient, then the
    i/f/g blocks and the carried cell gradient (short passes over rows, so they vectorize)."""
    n = dh.shape[0]
    H = dh.shape[1]
    gh = R.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    fo = 0 if coupled else H
    go_ = gh - 2 * H
    oo = gh - H
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
            d = dh[r]
            if seq:
                dq = dout[r, t * H:(t + 1) * H]
                for j in range(H):
                    d[j] += dq[j]
            elif k == steps - 1:
                for j in range(H):
                    d[j] += dout[r, j]
            dr = R[r]
            dcr = dc[r]
            c = cs[q]
            o = go[q]
            for j in range(H):
                tc = tanh_as(R, c[j])
                dr[oo + j] = d[j] * tc * o[j] * (1 - o[j])
                dcr[j] += d[j] * o[j] * (1 - tc * tc)
            if peephole:
                for j in range(H):
                    dcr[j] += dr[oo + j] * peep[2, j]
                    gpeep[2, j] += dr[oo + j] * c[j]
            i = gi[q]
            f = gf[q]
            g = gg[q]
            for j in range(H):
                dr[go_ + j] = dcr[j] * i[j] * (1 - g[j] * g[j])
            if k > 0:
                cp = cs[qp]
                if coupled:
                    for j in range(H):
                        dr[j] = dcr[j] * (cp[j] - g[j]) * f[j] * (1 - f[j])
                else:
                    for j in range(H):
                        dr[j] = dcr[j] * g[j] * i[j] * (1 - i[j])
                        dr[H + j] = dcr[j] * cp[j] * f[j] * (1 - f[j])
                    if peephole:
                        for j in range(H):
                            gpeep[0, j] += dr[j] * cp[j]
                            gpeep[1, j] += dr[H + j] * cp[j]
            elif coupled:
                for j in range(H):
                    dr[j] = -dcr[j] * g[j] * f[j] * (1 - f[j])
            else:
                for j in range(H):
                    dr[j] = dcr[j] * g[j] * i[j] * (1 - i[j])
                    dr[H + j] = 0.0
            for j in range(H):
                dcr[j] *= f[j]
            if peephole:
                for j in range(H):
                    dcr[j] += dr[j] * peep[0, j] + dr[H + j] * peep[1, j]
            Z[q, :] = dr
        np.dot(R, w_hh, dh)
        if cut_here(k, bptt):
            dh[:, :] = 0.0
            dc[:, :] = 0.0
    if need_h0:
        dh0 += dh
    weight_gradients(x, Z, Z, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx)
