"""Unfolding images into columns for Conv2D (im2col) and its adjoint, in two layouts.

Sample-major (``*_rows``): ``col`` (C*KH*KW, m*OH*OW), columns in (r, a, b) order, read straight
from x (n, C, H, W); every copy is one output row of OW values.
Sample-innermost (``*_inner``): the chunk is first transposed to ``xt`` (C, H, W, m) and ``col``
has columns in (a, b, r) order, so with stride 1 every copy is OW*m contiguous values. That is 2x
faster when OW is small (LeNet's 8x8 outputs), but costs transposes of the input, the output and
their gradients: :func:`use_inner` picks the layout. Padding is implicit (zeros outside the
image); ``pt``/``pl`` are the top/left padding, the bottom/right padding follows from OH/OW.
NumPy twin of both: :func:`nnsim.engine.reference_conv.conv2d_forward` through the conv kernels' tests.
"""

from numba import njit

from nnsim.engine.kernels import JIT

TILE = 32  # transpose tile: 32x32 float32 (4 KB) in, 4 KB out, well inside L1
SHORT_ROW = 16  # output rows shorter than this make sample-major copies slow


@njit(**JIT)
def use_inner(c, h, w, f, ckk, oh, ow):
    """Sample-innermost when output rows are short and the unfolding outweighs the transposes."""
    return ow < SHORT_ROW and ckk * oh * ow > 2 * (c * h * w + f * oh * ow)


# --- transposes --------------------------------------------------------------------------------
@njit(**JIT)
def transpose_into(src, dst):
    """dst (Q, P) = srcᵀ for src (P, Q), in tiles (both sides stay in cache)."""
    p, q = src.shape
    for i0 in range(0, p, TILE):
        i1 = min(p, i0 + TILE)
        for j0 in range(0, q, TILE):
            for j in range(j0, min(q, j0 + TILE)):
                dj = dst[j]
                for i in range(i0, i1):
                    dj[i] = src[i, j]


@njit(**JIT)
def transpose_add_into(src, dst):
    """dst (Q, P) += srcᵀ for src (P, Q), in tiles."""
    p, q = src.shape
    for i0 in range(0, p, TILE):
        i1 = min(p, i0 + TILE)
        for j0 in range(0, q, TILE):
            for j in range(j0, min(q, j0 + TILE)):
                dj = dst[j]
                for i in range(i0, i1):
                    dj[i] += src[i, j]


# --- unfolding -----------------------------------------------------------------------------------
@njit(inline="always", **JIT)
def _valid_range(j, pad, s, width, count):
    """Output positions b in [lo, hi) whose input b*s - pad + j lies inside [0, width)."""
    lo = max(0, -((j - pad) // s))
    hi = min(count, (width - 1 + pad - j) // s + 1)
    return lo, max(lo, hi)


# --- sample-major -------------------------------------------------------------------------------
@njit(**JIT)
def im2col_rows(x, r0, m, kh, kw, s, pt, pl, oh, ow, col):
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
def col2im_rows(col, r0, m, kh, kw, s, pt, pl, oh, ow, dx):
    """The adjoint of :func:`im2col_rows`: add every column entry back into ``dx`` where it came from."""
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


# --- sample-innermost ---------------------------------------------------------------------------
@njit(**JIT)
def im2col_inner(xt, kh, kw, s, pt, pl, oh, ow, col):
    """col[(c*KH + i)*KW + j, (a*OW + b)*m + r] = xt[c, a*s - pt + i, b*s - pl + j, r] (0 outside).

    ``xt`` is (C, H, W, m): with stride 1 each output row a is one contiguous copy of OW*m values.
    """
    c_in, h, w, m = xt.shape
    xf = xt.reshape(-1)
    cf = col.reshape(-1)
    span = oh * ow * m
    for c in range(c_in):
        for i in range(kh):
            a_lo, a_hi = _valid_range(i, pt, s, h, oh)
            for j in range(kw):
                d0 = ((c * kh + i) * kw + j) * span
                b_lo, b_hi = _valid_range(j, pl, s, w, ow)
                if not (a_lo == 0 and a_hi == oh and b_lo == 0 and b_hi == ow):
                    cf[d0:d0 + span] = 0.0
                for a in range(a_lo, a_hi):
                    src_row = (c * h + a * s + i - pt) * w
                    if s == 1:
                        dst = d0 + (a * ow + b_lo) * m
                        src = (src_row + b_lo + j - pl) * m
                        for t in range((b_hi - b_lo) * m):
                            cf[dst + t] = xf[src + t]
                    else:
                        for b in range(b_lo, b_hi):
                            dst = d0 + (a * ow + b) * m
                            src = (src_row + b * s + j - pl) * m
                            for t in range(m):
                                cf[dst + t] = xf[src + t]


@njit(**JIT)
def col2im_inner(col, kh, kw, s, pt, pl, oh, ow, dxt):
    """The adjoint of :func:`im2col_inner`: add every column entry back into ``dxt`` (C, H, W, m)."""
    c_in, h, w, m = dxt.shape
    xf = dxt.reshape(-1)
    cf = col.reshape(-1)
    span = oh * ow * m
    for c in range(c_in):
        for i in range(kh):
            a_lo, a_hi = _valid_range(i, pt, s, h, oh)
            for j in range(kw):
                d0 = ((c * kh + i) * kw + j) * span
                b_lo, b_hi = _valid_range(j, pl, s, w, ow)
                for a in range(a_lo, a_hi):
                    src_row = (c * h + a * s + i - pt) * w
                    if s == 1:
                        dst = d0 + (a * ow + b_lo) * m
                        src = (src_row + b_lo + j - pl) * m
                        for t in range((b_hi - b_lo) * m):
                            xf[src + t] += cf[dst + t]
                    else:
                        for b in range(b_lo, b_hi):
                            dst = d0 + (a * ow + b) * m
                            src = (src_row + b * s + j - pl) * m
                            for t in range(m):
                                xf[src + t] += cf[dst + t]
