"""Conv1D kernels over (n, T, C) sequences, channels last, with PyTorch's weight (F, C, K).

Lowered like Conv2D (see :mod:`nnsim.engine.kernels.conv2d`), but with one row per output step:
``col`` (m*T', C*K) holds ``col[r*T' + t, c*K + j] = x[r, t*s - pl + j, c]``, so the output rows
(m*T', F) are ``col @ Wᵀ`` with W seen as (F, C*K): no transposition of data or weights.
"""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.conv2d import mm, mm_nt, mm_tn


@njit(**JIT)
def im2col1d(x, r0, m, k, s, pl, t_out, col):
    steps, c_in = x.shape[1], x.shape[2]
    for r in range(m):
        for t in range(t_out):
            row = r * t_out + t
            for j in range(k):
                src = t * s - pl + j
                inside = 0 <= src < steps
                for c in range(c_in):
                    col[row, c * k + j] = x[r0 + r, src, c] if inside else 0.0


@njit(**JIT)
def col2im1d(col, r0, m, k, s, pl, t_out, dx):
    steps, c_in = dx.shape[1], dx.shape[2]
    for r in range(m):
        for t in range(t_out):
            row = r * t_out + t
            for j in range(k):
                src = t * s - pl + j
                if 0 <= src < steps:
                    for c in range(c_in):
                        dx[r0 + r, src, c] += col[row, c * k + j]


@njit(**JIT)
def conv1d_forward(x, w, bias, has_bias, y, col, k, s, pl, t_out, chunk):
    """y (n*T', F) rows = conv(x (n, T, C), W (F, C*K)) + bias; ``col`` is flat scratch."""
    n = x.shape[0]
    f, ck = w.shape
    for r0 in range(0, n, chunk):
        m = min(chunk, n - r0)
        cols = col[:m * t_out * ck].reshape((m * t_out, ck))
        im2col1d(x, r0, m, k, s, pl, t_out, cols)
        out = y[r0 * t_out:(r0 + m) * t_out]
        mm_nt(cols, w, out)
        if has_bias:
            for q in range(m * t_out):
                for o in range(f):
                    out[q, o] += bias[o]


@njit(**JIT)
def conv1d_backward(x, w, dy, dx, need_dx, gw, gb, has_bias, col, gwt, k, s, pl, t_out, chunk):
    """Write gw (F, C*K) and gb; add into dx (n, T, C) when ``need_dx``. dy is (n*T', F) rows."""
    n = x.shape[0]
    f, ck = w.shape
    if has_bias:
        for o in range(f):
            gb[o] = 0.0
        for q in range(n * t_out):
            for o in range(f):
                gb[o] += dy[q, o]
    for r0 in range(0, n, chunk):
        m = min(chunk, n - r0)
        cols = col[:m * t_out * ck].reshape((m * t_out, ck))
        if n > chunk:
            im2col1d(x, r0, m, k, s, pl, t_out, cols)
        d = dy[r0 * t_out:(r0 + m) * t_out]
        if r0 == 0:
            mm_tn(d, cols, gw)
        else:
            mm_tn(d, cols, gwt)
            gw += gwt
        if need_dx:
            mm(d, w, cols)
            col2im1d(cols, r0, m, k, s, pl, t_out, dx)
