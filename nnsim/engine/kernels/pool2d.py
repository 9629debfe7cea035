"""Max and average pooling over (n, C, H, W) images: square windows, no padding, floor mode."""

from numba import njit

from nnsim.engine.kernels import JIT


@njit(**JIT)
def maxpool2d_forward(x, y, argmax, k, s):
    """y[r, c, a, b] = max of the k x k window at (a*s, b*s); ``argmax`` keeps its index ih*W + iw.

    Ties go to the first maximum in row-major order (as PyTorch on the CPU).
    """
    n, c_in, h, w = x.shape
    oh, ow = y.shape[2], y.shape[3]
    for r in range(n):
        for c in range(c_in):
            xc, yc, ac = x[r, c], y[r, c], argmax[r, c]
            for a in range(oh):
                i0 = a * s
                if k == 2:
                    _max2_row(xc[i0], xc[i0 + 1], yc[a], ac[a], i0 * w, w, s)
                    continue
                for b in range(ow):
                    j0 = b * s
                    best, at = xc[i0, j0], i0 * w + j0
                    for i in range(i0, i0 + k):
                        for j in range(j0, j0 + k):
                            if xc[i, j] > best:
                                best, at = xc[i, j], i * w + j
                    yc[a, b] = best
                    ac[a, b] = at


@njit(inline="always", **JIT)
def _max2_row(x0, x1, y, arg, base, w, s):
    """One output row of 2x2 windows as three pairwise selects (no branches: random data would
    mispredict them); a strict ``>`` keeps the first maximum of each pair, so ties go row-major."""
    for b in range(y.shape[0]):
        j = b * s
        v0, v1, v2, v3 = x0[j], x0[j + 1], x1[j], x1[j + 1]
        t0 = v1 > v0
        m0 = v1 if t0 else v0
        i0 = 1 if t0 else 0
        t1 = v3 > v2
        m1 = v3 if t1 else v2
        i1 = w + 1 if t1 else w
        t2 = m1 > m0
        y[b] = m1 if t2 else m0
        arg[b] = base + j + (i1 if t2 else i0)


@njit(**JIT)
def maxpool2d_backward(dy, dx, argmax):
    n, c_in, oh, ow = dy.shape
    hw = dx.shape[2] * dx.shape[3]
    dxf, dyf, af = dx.reshape(-1), dy.reshape(-1), argmax.reshape(-1)
    for plane in range(n * c_in):
        for q in range(plane * oh * ow, (plane + 1) * oh * ow):
            dxf[plane * hw + int(af[q])] += dyf[q]


@njit(**JIT)
def avgpool2d_forward(x, y, k, s):
    n, c_in = x.shape[0], x.shape[1]
    oh, ow = y.shape[2], y.shape[3]
    scale = 1.0 / (k * k)
    for r in range(n):
        for c in range(c_in):
            for a in range(oh):
                for b in range(ow):
                    acc = 0.0
                    for i in range(a * s, a * s + k):
                        for j in range(b * s, b * s + k):
                            acc += x[r, c, i, j]
                    y[r, c, a, b] = acc * scale


@njit(**JIT)
def avgpool2d_backward(dy, dx, k, s):
    n, c_in, oh, ow = dy.shape
    scale = 1.0 / (k * k)
    for r in range(n):
        for c in range(c_in):
            for a in range(oh):
                for b in range(ow):
                    g = dy[r, c, a, b] * scale
                    for i in range(a * s, a * s + k):
                        for j in range(b * s, b * s + k):
                            dx[r, c, i, j] += g
