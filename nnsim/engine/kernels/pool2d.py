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
            for a in range(oh):
                for b in range(ow):
                    bi, bj = a * s, b * s
                    best = x[r, c, bi, bj]
                    for i in range(a * s, a * s + k):
                        for j in range(b * s, b * s + k):
                            v = x[r, c, i, j]
                            if v > best:
                                best, bi, bj = v, i, j
                    y[r, c, a, b] = best
                    argmax[r, c, a, b] = bi * w + bj


@njit(**JIT)
def maxpool2d_backward(dy, dx, argmax):
    n, c_in, oh, ow = dy.shape
    w = dx.shape[3]
    for r in range(n):
        for c in range(c_in):
            for a in range(oh):
                for b in range(ow):
                    idx = int(argmax[r, c, a, b])
                    dx[r, c, idx // w, idx % w] += dy[r, c, a, b]


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
