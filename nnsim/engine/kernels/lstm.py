"""LSTM kernels (standard, peephole and coupled input-forget gate); layout as in :mod:`.rnn`.

Gate blocks in the rows of the weights: standard and peephole i, f, g, o (PyTorch); coupled f, g, o
(3H rows, the input gate is 1 - f). Peephole weights ``peep`` (3, H) = (w_ci, w_cf, w_co): i and f
look at c_prev, o at the new c (Gers & Schmidhuber). The cell state starts at zero.
The gates, cells and states of every step are kept (time order, (n*T, H)) for backward and the
live views. NumPy twin: :func:`nnsim.engine.reference_recurrent.lstm_forward`.
"""

import numpy as np
from numba import njit, prange

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.float_env import flush_denormals, restore_float_env
from nnsim.engine.kernels.fastmath import one_as, sigmoid_as, tanh_as
from nnsim.engine.kernels.parts import part_bounds, sample_parts
from nnsim.engine.kernels.rnn import (cut_here, finish_forward, input_projection, small_products, start_state, step_time,
                                      weight_gradients)

VAR_STANDARD, VAR_PEEPHOLE, VAR_COUPLED = 0, 1, 2


@njit(parallel=True, **JIT)
def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                 hs, gi, gf, gg, go, cs, out, seq, wt):
    """The forward of every sample, split into contiguous sample ranges run side by side (see
    :mod:`.parts`); samples never interact, so the split does not change any value. ``wt`` (H, G*H)
    is scratch for w_hhᵀ, contiguous (the per-step products then run OpenBLAS's small kernels)."""
    n = hcur.shape[0]
    wt[:, :] = w_hh.T
    parts = sample_parts(n, steps * R.shape[1] * (w_hh.shape[1] + 8))
    if parts == 1:  # no fork and join: waking a thread costs more than a small batch's work
        _forward_rows(x, w_ih, wt, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev, hs,
                      gi, gf, gg, go, cs, out, seq)
        return
    for p in prange(parts):
        env = flush_denormals()  # this part's thread computes like the caller's (float_env)
        lo, hi = part_bounds(p, parts, n)
        a, b = lo * steps, hi * steps
        _forward_rows(x[a:b], w_ih, wt, b_ih, b_hh, peep, variant, h0[lo:hi] if has_h0 else h0, has_h0,
                      reverse, steps, Z[a:b], R[lo:hi], hcur[lo:hi], hprev[a:b], hs[a:b], gi[a:b], gf[a:b],
                      gg[a:b], go[a:b], cs[a:b], out[lo:hi], seq)
        restore_float_env(env)


@njit(**JIT)
def _forward_rows(x, w_ih, wt, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                  hs, gi, gf, gg, go, cs, out, seq):
    """Each step in short passes over contiguous rows, every loop over a zero-based view (an index
    like ``zr[go_ + j]`` is not known to be non-negative, which keeps Numba's loops scalar): the
    pre-activations in R, then the gates straight into their arrays, the cell and the state."""
    n = hcur.shape[0]
    H = hcur.shape[1]
    gh = R.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    fo = 0 if coupled else H  # column of the f block
    go_ = gh - 2 * H  # column of the g block
    oo = gh - H  # column of the o block
    one = one_as(R)
    input_projection(x, w_ih, Z, R[0])
    start_state(hcur, h0, has_h0)
    for k in range(steps):
        t = step_time(k, steps, reverse)
        tp = step_time(k - 1, steps, reverse)
        small_products(hcur, wt, R)
        for r in range(n):
            q = r * steps + t
            qp = r * steps + tp
            zr = R[r]
            zx = Z[q]
            for j in range(gh):
                zr[j] += zx[j] + b_ih[j] + b_hh[j]
            zi = zr[0:H]
            zf = zr[fo:fo + H]
            zg = zr[go_:oo]
            zo = zr[oo:gh]
            i_ = gi[q]
            f_ = gf[q]
            g_ = gg[q]
            o_ = go[q]
            c = cs[q]
            cp = cs[qp]  # read only when k > 0
            if peephole and k > 0:
                p0 = peep[0]
                p1 = peep[1]
                for j in range(H):
                    zi[j] += p0[j] * cp[j]
                for j in range(H):
                    zf[j] += p1[j] * cp[j]
            for j in range(H):
                f_[j] = sigmoid_as(R, zf[j])
            if coupled:
                for j in range(H):
                    i_[j] = one - f_[j]
            else:
                for j in range(H):
                    i_[j] = sigmoid_as(R, zi[j])
            for j in range(H):
                g_[j] = tanh_as(R, zg[j])
            if k > 0:
                for j in range(H):
                    c[j] = f_[j] * cp[j] + i_[j] * g_[j]
            else:
                for j in range(H):
                    c[j] = i_[j] * g_[j]
            if peephole:
                p2 = peep[2]
                for j in range(H):
                    zo[j] += p2[j] * c[j]
            for j in range(H):
                o_[j] = sigmoid_as(R, zo[j])
            hq = hs[q]
            hc = hcur[r]
            hp = hprev[q]
            for j in range(H):
                hp[j] = hc[j]
            for j in range(H):
                hq[j] = o_[j] * tanh_as(R, c[j])
            for j in range(H):
                hc[j] = hq[j]
            if seq:
                ot = out[r, t * H:(t + 1) * H]
                for j in range(H):
                    ot[j] = hq[j]
    finish_forward(hcur, out, seq)


@njit(parallel=True, **JIT)
def lstm_backward(x, w_ih, w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, hprev,
                  dout, Z, R, dh, dc, dxs, dx, need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh, partials):
    """Each contiguous sample range (as in the forward) runs its recurrence and then its share of the
    weight gradients, side by side in one parallel region (its rows of Z are still in its core's
    cache): the first range writes the gradients, the second into ``partials`` (G*(I+H+2) values),
    added after in that order. Peephole weights sum their gradient inside the recurrence, so that
    variant runs its recurrence as one part first."""
    n = dh.shape[0]
    gh, ni, H = R.shape[1], w_ih.shape[1], w_hh.shape[1]
    parts = sample_parts(n, steps * gh * (H + 8))
    peephole = variant == VAR_PEEPHOLE
    if peephole:
        gpeep[:, :] = 0.0
        _backward_rows(w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, dout, Z, R, dh, dc)
    if parts == 1:  # no fork and join (see lstm_forward)
        if not peephole:
            _backward_rows(w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, dout, Z, R,
                           dh, dc)
        weight_gradients(x, Z, Z, hprev, w_ih, gw_ih, gw_hh, gb_ih, gb_hh, dx, dxs, need_dx, R[0])
    else:
        pw_ih = partials[:gh * ni].reshape((gh, ni))
        pw_hh = partials[gh * ni:gh * (ni + H)].reshape((gh, H))
        pb_ih = partials[gh * (ni + H):gh * (ni + H + 1)]
        pb_hh = partials[gh * (ni + H + 1):gh * (ni + H + 2)]
        for p in prange(parts):
            env = flush_denormals()  # this part's thread computes like the caller's (float_env)
            lo, hi = part_bounds(p, parts, n)
            a, b = lo * steps, hi * steps
            if not peephole:
                _backward_rows(w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi[a:b], gf[a:b], gg[a:b],
                               go[a:b], cs[a:b], dout[lo:hi], Z[a:b], R[lo:hi], dh[lo:hi], dc[lo:hi])
            first = p == 0
            weight_gradients(x[a:b], Z[a:b], Z[a:b], hprev[a:b], w_ih, gw_ih if first else pw_ih,
                             gw_hh if first else pw_hh, gb_ih if first else pb_ih, gb_hh if first else pb_hh,
                             dx[a:b], dxs[a:b], need_dx, R[lo])
            restore_float_env(env)
        gw_ih += pw_ih
        gw_hh += pw_hh
        gb_ih += pb_ih
        gb_hh += pb_hh
    if need_h0:
        dh0 += dh


@njit(**JIT)
def _backward_rows(w_hh, peep, gpeep, variant, reverse, steps, bptt, seq, gi, gf, gg, go, cs, dout, Z, R, dh,
                   dc):
    """Per step and sample: the state gradient d, then the o block and the cell gradient, then the
    i/f/g blocks and the carried cell gradient (short passes over zero-based views, so they vectorize)."""
    n = dh.shape[0]
    H = dh.shape[1]
    gh = R.shape[1]
    coupled = variant == VAR_COUPLED
    peephole = variant == VAR_PEEPHOLE
    fo = 0 if coupled else H
    go_ = gh - 2 * H
    oo = gh - H
    one = one_as(R)
    dh[:, :] = 0.0
    dc[:, :] = 0.0
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
                dq = dout[r]
                for j in range(H):
                    d[j] += dq[j]
            dr = R[r]
            dzi = dr[0:H]
            dzf = dr[fo:fo + H]
            dzg = dr[go_:oo]
            dzo = dr[oo:gh]
            dcr = dc[r]
            c = cs[q]
            o = go[q]
            i = gi[q]
            f = gf[q]
            g = gg[q]
            for j in range(H):
                tc = tanh_as(R, c[j])
                dzo[j] = d[j] * tc * o[j] * (one - o[j])
                dcr[j] += d[j] * o[j] * (one - tc * tc)
            if peephole:
                p2 = peep[2]
                gp2 = gpeep[2]
                for j in range(H):
                    dcr[j] += dzo[j] * p2[j]
                for j in range(H):
                    gp2[j] += dzo[j] * c[j]
            for j in range(H):
                dzg[j] = dcr[j] * i[j] * (one - g[j] * g[j])
            if k > 0:
                cp = cs[qp]
                if coupled:
                    for j in range(H):
                        dzf[j] = dcr[j] * (cp[j] - g[j]) * f[j] * (one - f[j])
                else:
                    for j in range(H):
                        dzi[j] = dcr[j] * g[j] * i[j] * (one - i[j])
                    for j in range(H):
                        dzf[j] = dcr[j] * cp[j] * f[j] * (one - f[j])
                    if peephole:
                        gp0 = gpeep[0]
                        gp1 = gpeep[1]
                        for j in range(H):
                            gp0[j] += dzi[j] * cp[j]
                        for j in range(H):
                            gp1[j] += dzf[j] * cp[j]
            elif coupled:
                for j in range(H):
                    dzf[j] = -dcr[j] * g[j] * f[j] * (one - f[j])
            else:
                for j in range(H):
                    dzi[j] = dcr[j] * g[j] * i[j] * (one - i[j])
                for j in range(H):
                    dzf[j] = 0.0
            for j in range(H):
                dcr[j] *= f[j]
            if peephole:
                p0 = peep[0]
                p1 = peep[1]
                for j in range(H):
                    dcr[j] += dzi[j] * p0[j] + dzf[j] * p1[j]
            zq = Z[q]
            for j in range(gh):
                zq[j] = dr[j]
        small_products(R, w_hh, dh)
        if cut_here(k, bptt):
            dh[:, :] = 0.0
            dc[:, :] = 0.0
