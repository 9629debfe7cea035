"""Conv2D kernels: cross-correlation as torch.nn.Conv2d over (n, C, H, W) images.

The convolution is lowered to one matrix product per chunk of samples (im2col, in the layout
:func:`.unfold2d.use_inner` picks): ``W (F, C*KH*KW) @ col`` gives every output at once. Small
products run as plain loops (a BLAS call costs more than the arithmetic), larger ones in BLAS.
``col`` is sized for ``chunk`` samples; when a whole batch fits, backward reuses the forward's
``col`` instead of unfolding again. Big batches run as two sample ranges side by side
(:mod:`.parts`). The matrix helpers here are shared with :mod:`nnsim.engine.kernels.conv1d`.
"""

import numpy as np
from numba import njit, prange

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.float_env import flush_denormals, restore_float_env
from nnsim.engine.kernels.parts import MAX_PARTS, part_bounds, sample_parts
from nnsim.engine.kernels.unfold2d import (col2im_inner, col2im_rows, im2col_inner, im2col_rows, transpose_add_into,
                                           transpose_into, use_inner)

BLAS_MIN_WORK = 65536  # m * k * n above which a product goes to BLAS (measured on the CNN benchmarks)


# --- matrix products into preallocated outputs -------------------------------------------------
@njit(**JIT)
def mm(a, b, out):
    """out = a @ b for a (M, K), b (K, P)."""
    m, k = a.shape
    p = b.shape[1]
    if m * k * p > BLAS_MIN_WORK:
        np.dot(a, b, out)
        return
    for i in range(m):
        for q in range(p):
            out[i, q] = 0.0
        for j in range(k):
            v = a[i, j]
            for q in range(p):
                out[i, q] += v * b[j, q]


@njit(**JIT)
def mm_nt(a, b, out):
    """out = a @ bᵀ for a (M, P), b (K, P)."""
    m, p = a.shape
    k = b.shape[0]
    if m * k * p > BLAS_MIN_WORK:
        np.dot(a, b.T, out)
        return
    for i in range(m):
        for j in range(k):
            acc = 0.0
            for q in range(p):
                acc += a[i, q] * b[j, q]
            out[i, j] = acc


@njit(**JIT)
def mm_tn(a, b, out):
    """out = aᵀ @ b for a (P, M), b (P, K)."""
    p, m = a.shape
    k = b.shape[1]
    if m * k * p > BLAS_MIN_WORK:
        np.dot(a.T, b, out)
        return
    out[:, :] = 0.0
    for q in range(p):
        for i in range(m):
            v = a[q, i]
            for j in range(k):
                out[i, j] += v * b[q, j]


# --- Conv2D --------------------------------------------------------------------------------------
def grad_scratch_size(f, ckk):
    """Values of the ``gwt`` scratch :func:`conv2d_backward` needs: per part a chunk's weight gradient,
    and for every part but the first its partial weight and bias gradients."""
    return MAX_PARTS * f * ckk + (MAX_PARTS - 1) * (f * ckk + f)


@njit(inline="always", **JIT)
def _parts(n, f, ckk, ohw, chunk):
    """Sample ranges to run side by side (see :mod:`.parts`), each with ``chunk // parts`` samples of scratch."""
    return min(chunk, sample_parts(n, f * ckk * ohw))


@njit(parallel=True, **JIT)
def conv2d_forward(x, w, bias, has_bias, y, col, tmp, xt, kh, kw, s, pt, pl, oh, ow, chunk):
    """y (n, F, OH*OW) = conv(x (n, C, H, W), W (F, C*KH*KW)) + bias.

    ``col``, ``tmp`` and ``xt`` are flat scratch for ``chunk`` samples (C*KH*KW*OH*OW, F*OH*OW and
    C*H*W values each); two sample ranges side by side take a share each."""
    n, c, h, wd = x.shape
    f, ckk = w.shape
    ohw = oh * ow
    parts = _parts(n, f, ckk, ohw, chunk)
    cap = chunk // parts
    inner = use_inner(c, h, wd, f, ckk, oh, ow)
    if parts == 1:  # no fork and join: waking a thread costs more than a small batch's work
        _forward_range(x, w, bias, has_bias, y, col, tmp, xt, 0, n, chunk, inner, kh, kw, s, pt, pl, oh, ow)
        return
    for p in prange(parts):
        env = flush_denormals()  # this part's thread computes like the caller's (float_env)
        lo, hi = part_bounds(p, parts, n)
        _forward_range(x, w, bias, has_bias, y, col[p * cap * ckk * ohw:], tmp[p * cap * f * ohw:],
                       xt[p * cap * c * h * wd:], lo, hi, cap, inner, kh, kw, s, pt, pl, oh, ow)
        restore_float_env(env)


@njit(**JIT)
def _forward_range(x, w, bias, has_bias, y, col, tmp, xt, lo, hi, chunk, inner, kh, kw, s, pt, pl, oh, ow):
    """Samples [lo, hi) in unfoldings of at most ``chunk`` samples."""
    n, c, h, wd = x.shape
    f, ckk = w.shape
    ohw = oh * ow
    chw = c * h * wd
    for r0 in range(lo, hi, chunk):
        m = min(chunk, hi - r0)
        cols = col[:ckk * ohw * m].reshape((ckk, ohw * m))
        out = tmp[:f * ohw * m].reshape((f, ohw * m))
        if inner:
            xs = xt[:chw * m].reshape((chw, m))
            transpose_into(x.reshape((n, chw))[r0:r0 + m], xs)
            im2col_inner(xs.reshape((c, h, wd, m)), kh, kw, s, pt, pl, oh, ow, cols)
            mm(w, cols, out)
            yr = y.reshape((n, f * ohw))[r0:r0 + m]
            transpose_into(out.reshape((f * ohw, m)), yr)
            if has_bias:
                for r in range(m):
                    for o in range(f):
                        yo = yr[r, o * ohw:(o + 1) * ohw]
                        v = bias[o]
                        for q in range(ohw):
                            yo[q] += v
        else:
            im2col_rows(x, r0, m, kh, kw, s, pt, pl, oh, ow, cols)
            mm(w, cols, out)
            for r in range(m):
                for o in range(f):
                    add = bias[o] if has_bias else 0.0
                    for q in range(ohw):
                        y[r0 + r, o, q] = out[o, r * ohw + q] + add


@njit(parallel=True, **JIT)
def conv2d_backward(x, w, dy, dx, need_dx, gw, gb, has_bias, col, tmp, xt, gwt, kh, kw, s, pt, pl, oh, ow,
                    chunk):
    """Write gw (F, C*KH*KW) and gb; add the input gradient into dx when ``need_dx``.

    dy is (n, F, OH*OW). The sample ranges of the forward run side by side again; each still finds
    its forward unfolding in ``col`` when its samples fit in one chunk. The first range writes gw
    and gb, the others partial sums in ``gwt`` (flat, :func:`grad_scratch_size`), added in order.
    """
    n, c, h, wd = x.shape
    f, ckk = w.shape
    ohw = oh * ow
    fk = f * ckk
    parts = _parts(n, f, ckk, ohw, chunk)
    cap = chunk // parts
    inner = use_inner(c, h, wd, f, ckk, oh, ow)
    if parts == 1:  # no fork and join (see conv2d_forward)
        _backward_range(x, w, dy, dx, need_dx, gw, gb, has_bias, col, tmp, xt, gwt[:fk].reshape((f, ckk)), 0, n,
                        chunk, inner, kh, kw, s, pt, pl, oh, ow)
        return
    for p in prange(parts):
        env = flush_denormals()  # this part's thread computes like the caller's (float_env)
        lo, hi = part_bounds(p, parts, n)
        base = MAX_PARTS * fk + (p - 1) * (fk + f)
        acc = gw if p == 0 else gwt[base:base + fk].reshape((f, ckk))
        bacc = gb if p == 0 or not has_bias else gwt[base + fk:base + fk + f]
        _backward_range(x, w, dy, dx, need_dx, acc, bacc, has_bias, col[p * cap * ckk * ohw:],
                        tmp[p * cap * f * ohw:], xt[p * cap * c * h * wd:], gwt[p * fk:(p + 1) * fk].reshape((f, ckk)),
                        lo, hi, cap, inner, kh, kw, s, pt, pl, oh, ow)
        restore_float_env(env)
    for p in range(1, parts):
        base = MAX_PARTS * fk + (p - 1) * (fk + f)
        gw += gwt[base:base + fk].reshape((f, ckk))
        if has_bias:
            gb += gwt[base + fk:base + fk + f]


@njit(**JIT)
def _backward_range(x, w, dy, dx, need_dx, gw, gb, has_bias, col, tmp, xt, gwt, lo, hi, chunk, inner, kh, kw, s,
                    pt, pl, oh, ow):
    """Samples [lo, hi) in chunks; writes this range's gw and gb. ``col`` still holds the forward's
    unfolding when the range fit in one chunk."""
    n, c, h, wd = x.shape
    f, ckk = w.shape
    ohw = oh * ow
    chw = c * h * wd
    if has_bias:
        gb[:] = 0.0
        for r in range(lo, hi):
            for o in range(f):
                acc = 0.0
                dro = dy[r, o]
                for q in range(ohw):
                    acc += dro[q]
                gb[o] += acc
    for r0 in range(lo, hi, chunk):
        m = min(chunk, hi - r0)
        cols = col[:ckk * ohw * m].reshape((ckk, ohw * m))
        dout = tmp[:f * ohw * m].reshape((f, ohw * m))
        xs = xt[:chw * m].reshape((chw, m))
        if inner:
            if hi - lo > chunk:
                transpose_into(x.reshape((n, chw))[r0:r0 + m], xs)
                im2col_inner(xs.reshape((c, h, wd, m)), kh, kw, s, pt, pl, oh, ow, cols)
            transpose_into(dy.reshape((n, f * ohw))[r0:r0 + m], dout.reshape((f * ohw, m)))
        else:
            if hi - lo > chunk:
                im2col_rows(x, r0, m, kh, kw, s, pt, pl, oh, ow, cols)
            for r in range(m):
                for o in range(f):
                    do = dout[o, r * ohw:(r + 1) * ohw]
                    dro = dy[r0 + r, o]
                    for q in range(ohw):
                        do[q] = dro[q]
        if r0 == lo:
            mm_nt(dout, cols, gw)
        else:
            mm_nt(dout, cols, gwt)
            gw += gwt
        if need_dx:
            mm_tn(w, dout, cols)  # the column gradient replaces the unfolding
            if inner:
                xs[:, :] = 0.0
                col2im_inner(cols, kh, kw, s, pt, pl, oh, ow, xs.reshape((c, h, wd, m)))
                transpose_add_into(xs, dx.reshape((n, chw))[r0:r0 + m])
            else:
                col2im_rows(cols, r0, m, kh, kw, s, pt, pl, oh, ow, dx)
