"""Conv2D kernels: cross-correlation as torch.nn.Conv2d over (n, C, H, W) images.

The convolution is lowered to one matrix product per chunk of samples (im2col): the chunk is
unfolded into ``col`` (C*KH*KW, m*OH*OW), so ``W (F, C*KH*KW) @ col`` gives every output at once.
Small products run as plain loops (a BLAS call costs more than the arithmetic), larger ones in
BLAS. ``col`` is sized for ``chunk`` samples; when a whole batch fits, backward reuses the
forward's ``col`` instead of unfolding again. Padding is implicit (zeros outside the image);
``pt``/``pl`` are the top/left padding, the bottom/right padding follows from OH/OW.
The matrix helpers here are shared with :mod:`nnsim.engine.kernels.conv1d`.
"""

import numpy as np
from numba import njit, prange

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.parts import MAX_PARTS, part_bounds, sample_parts

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


# --- unfolding -----------------------------------------------------------------------------------
@njit(inline="always", **JIT)
def _valid_range(j, pad, s, width, count):
    """Output positions b in [lo, hi) whose input b*s - pad + j lies inside [0, width)."""
    lo = max(0, -((j - pad) // s))
    hi = min(count, (width - 1 + pad - j) // s + 1)
    return lo, max(lo, hi)


@njit(**JIT)
def im2col(x, r0, m, kh, kw, s, pt, pl, oh, ow, col):
    """col[(c*KH + i)*KW + j, r*OH*OW + a*OW + b] = x[r0 + r, c, a*s - pt + i, b*s - pl + j] (0 outside).

    Flat indexing keeps the short inner copies cheap (they dominate for small images).
    """
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    xf = x.reshape(-1)
    cf = col.reshape(-1)
    ohw = oh * ow
    for c in range(c_in):
        for i in range(kh):
            a_lo, a_hi = _valid_range(i, pt, s, h, oh)
            for j in range(kw):
                row = (c * kh + i) * kw + j
                b_lo, b_hi = _valid_range(j, pl, s, w, ow)
                full = a_lo == 0 and a_hi == oh and b_lo == 0 and b_hi == ow
                for r in range(m):
                    dst0 = row * m * ohw + r * ohw
                    if not full:
                        cf[dst0:dst0 + ohw] = 0.0
                    src0 = ((r0 + r) * c_in + c) * h * w + (i - pt) * w + (j - pl)
                    for a in range(a_lo, a_hi):
                        dst = dst0 + a * ow
                        src = src0 + a * s * w
                        if s == 1:
                            for b in range(b_lo, b_hi):
                                cf[dst + b] = xf[src + b]
                        else:
                            for b in range(b_lo, b_hi):
                                cf[dst + b] = xf[src + b * s]


@njit(**JIT)
def col2im(col, r0, m, kh, kw, s, pt, pl, oh, ow, dx):
    """The adjoint of :func:`im2col`: add every column entry back into ``dx`` where it came from."""
    c_in, h, w = dx.shape[1], dx.shape[2], dx.shape[3]
    xf = dx.reshape(-1)
    cf = col.reshape(-1)
    ohw = oh * ow
    for c in range(c_in):
        for i in range(kh):
            a_lo, a_hi = _valid_range(i, pt, s, h, oh)
            for j in range(kw):
                row = (c * kh + i) * kw + j
                b_lo, b_hi = _valid_range(j, pl, s, w, ow)
                for r in range(m):
                    dst0 = row * m * ohw + r * ohw
                    src0 = ((r0 + r) * c_in + c) * h * w + (i - pt) * w + (j - pl)
                    for a in range(a_lo, a_hi):
                        dst = dst0 + a * ow
                        src = src0 + a * s * w
                        if s == 1:
                            for b in range(b_lo, b_hi):
                                xf[src + b] += cf[dst + b]
                        else:
                            for b in range(b_lo, b_hi):
                                xf[src + b * s] += cf[dst + b]


# --- Conv2D --------------------------------------------------------------------------------------
def grad_scratch_size(f, ckk):
    """Values of the ``gwt`` scratch :func:`conv2d_backward` needs: per part a chunk's weight gradient,
    and for every part but the first its partial weight and bias gradients."""
    return MAX_PARTS * f * ckk + (MAX_PARTS - 1) * (f * ckk + f)


@njit(inline="always", **JIT)
def _parts(n, f, ckk, ohw, chunk):
    """Sample ranges to run side by side (see :mod:`.parts`), each with ``chunk // parts`` samples of ``col``."""
    return min(chunk, sample_parts(n, f * ckk * ohw))


@njit(parallel=True, **JIT)
def conv2d_forward(x, w, bias, has_bias, y, col, tmp, kh, kw, s, pt, pl, oh, ow, chunk):
    """y (n, F, OH*OW) = conv(x (n, C, H, W), W (F, C*KH*KW)) + bias; ``col``/``tmp`` are flat scratch.

    Big batches run as two sample ranges side by side, each in its own share of ``col`` and ``tmp``."""
    n = x.shape[0]
    f, ckk = w.shape
    ohw = oh * ow
    parts = _parts(n, f, ckk, ohw, chunk)
    cap = chunk // parts
    for p in prange(parts):
        lo, hi = part_bounds(p, parts, n)
        _forward_range(x, w, bias, has_bias, y, col[p * cap * ckk * ohw:], tmp[p * cap * f * ohw:], lo, hi, cap,
                       kh, kw, s, pt, pl, oh, ow)


@njit(**JIT)
def _forward_range(x, w, bias, has_bias, y, col, tmp, lo, hi, chunk, kh, kw, s, pt, pl, oh, ow):
    """Samples [lo, hi) in unfoldings of at most ``chunk`` samples."""
    f, ckk = w.shape
    ohw = oh * ow
    for r0 in range(lo, hi, chunk):
        m = min(chunk, hi - r0)
        cols = col[:ckk * m * ohw].reshape((ckk, m * ohw))
        out = tmp[:f * m * ohw].reshape((f, m * ohw))
        im2col(x, r0, m, kh, kw, s, pt, pl, oh, ow, cols)
        mm(w, cols, out)
        for r in range(m):
            for o in range(f):
                add = bias[o] if has_bias else 0.0
                for p in range(ohw):
                    y[r0 + r, o, p] = out[o, r * ohw + p] + add


@njit(parallel=True, **JIT)
def conv2d_backward(x, w, dy, dx, need_dx, gw, gb, has_bias, col, tmp, gwt, kh, kw, s, pt, pl, oh, ow, chunk):
    """Write gw (F, C*KH*KW) and gb; add the input gradient into dx when ``need_dx``.

    dy is (n, F, OH*OW). The sample ranges of the forward run side by side again; each still finds
    its forward unfolding in ``col`` when its samples fit in one chunk. The first range writes gw
    and gb, the others partial sums in ``gwt`` (flat, :func:`grad_scratch_size`), added in order.
    """
    n = x.shape[0]
    f, ckk = w.shape
    ohw = oh * ow
    fk = f * ckk
    parts = _parts(n, f, ckk, ohw, chunk)
    cap = chunk // parts
    for p in prange(parts):
        lo, hi = part_bounds(p, parts, n)
        base = MAX_PARTS * fk + (p - 1) * (fk + f)
        acc = gw if p == 0 else gwt[base:base + fk].reshape((f, ckk))
        bacc = gb if p == 0 or not has_bias else gwt[base + fk:base + fk + f]
        _backward_range(x, w, dy, dx, need_dx, acc, bacc, has_bias, col[p * cap * ckk * ohw:],
                        tmp[p * cap * f * ohw:], gwt[p * fk:(p + 1) * fk].reshape((f, ckk)), lo, hi, cap,
                        kh, kw, s, pt, pl, oh, ow)
    for p in range(1, parts):
        base = MAX_PARTS * fk + (p - 1) * (fk + f)
        gw += gwt[base:base + fk].reshape((f, ckk))
        if has_bias:
            gb += gwt[base + fk:base + fk + f]


@njit(**JIT)
def _backward_range(x, w, dy, dx, need_dx, gw, gb, has_bias, col, tmp, gwt, lo, hi, chunk, kh, kw, s, pt, pl,
                    oh, ow):
    """Samples [lo, hi) in chunks; writes this range's gw and gb. ``col`` still holds the forward's
    unfolding when the range fit in one chunk."""
    f, ckk = w.shape
    ohw = oh * ow
    if has_bias:
        gb[:] = 0.0
    for r0 in range(lo, hi, chunk):
        m = min(chunk, hi - r0)
        cols = col[:ckk * m * ohw].reshape((ckk, m * ohw))
        dout = tmp[:f * m * ohw].reshape((f, m * ohw))
        if hi - lo > chunk:
            im2col(x, r0, m, kh, kw, s, pt, pl, oh, ow, cols)
        for r in range(m):
            for o in range(f):
                acc = 0.0
                for p in range(ohw):
                    v = dy[r0 + r, o, p]
                    dout[o, r * ohw + p] = v
                    acc += v
                if has_bias:
                    gb[o] += acc
        if r0 == lo:
            mm_nt(dout, cols, gw)
        else:
            mm_nt(dout, cols, gwt)
            gw += gwt
        if need_dx:
            mm_tn(w, dout, cols)  # the column gradient replaces the unfolding
            col2im(cols, r0, m, kh, kw, s, pt, pl, oh, ow, dx)
