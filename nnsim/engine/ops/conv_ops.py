"""The convolution family: Conv1D/2D and pooling ops (opcodes FIRST_CONV_OP .. FIRST_RECURRENT_OP - 1).

Op arguments (after the common columns), in order:

* OP_CONV2D: C, H, W, F, KH, KW, stride, pad_top, pad_left, OH, OW, weight, bias (-1: none),
  col, tmp, gwt (AUX scratch), chunk (samples per unfolding), xt (AUX scratch)
* OP_CONV1D: T, C, F, K, stride, pad_left, T', weight, bias, col, gwt, chunk
* OP_MAXPOOL2D / OP_AVGPOOL2D: C, H, W, size, stride, OH, OW, argmax (AUX; max only)
* OP_MAXPOOL1D: T, F, size, stride, T', argmax
* OP_GLOBAL_MAXPOOL1D: T, F, argmax
"""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.conv1d import conv1d_backward, conv1d_forward
from nnsim.engine.kernels.conv2d import conv2d_backward, conv2d_forward
from nnsim.engine.kernels.pool1d import (global_maxpool1d_backward, global_maxpool1d_forward, maxpool1d_backward,
                                         maxpool1d_forward)
from nnsim.engine.kernels.pool2d import (avgpool2d_backward, avgpool2d_forward, maxpool2d_backward,
                                         maxpool2d_forward)
from nnsim.engine.ops.views import rows, rows3, rows4
from nnsim.engine.program import ACC_SKIP, FIRST_CONV_OP, I_ARG

OP_CONV2D = FIRST_CONV_OP + 0
OP_CONV1D = FIRST_CONV_OP + 1
OP_MAXPOOL2D = FIRST_CONV_OP + 2
OP_AVGPOOL2D = FIRST_CONV_OP + 3
OP_MAXPOOL1D = FIRST_CONV_OP + 4
OP_GLOBAL_MAXPOOL1D = FIRST_CONV_OP + 5

a = I_ARG


@njit(inline="always", **JIT)
def forward_op(op, f, n, P, A, AUX, rng, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_CONV2D:
        c, h, w, fo, kh, kw = op[a], op[a + 1], op[a + 2], op[a + 3], op[a + 4], op[a + 5]
        oh, ow, wo, bo, chunk = op[a + 9], op[a + 10], op[a + 11], op[a + 12], op[a + 16]
        ckk = c * kh * kw
        bias = P[bo:bo + fo] if bo >= 0 else P[0:0]
        conv2d_forward(rows4(A, x, n, c, h, w), P[wo:wo + fo * ckk].reshape((fo, ckk)), bias, bo >= 0,
                       rows3(A, y, n, fo, oh * ow), AUX[op[a + 13]:], AUX[op[a + 14]:], AUX[op[a + 17]:], kh, kw,
                       op[a + 6], op[a + 7], op[a + 8], oh, ow, chunk)
    elif code == OP_CONV1D:
        steps, c, fo, k, t_out, wo, bo = op[a], op[a + 1], op[a + 2], op[a + 3], op[a + 6], op[a + 7], op[a + 8]
        bias = P[bo:bo + fo] if bo >= 0 else P[0:0]
        conv1d_forward(rows3(A, x, n, steps, c), P[wo:wo + fo * c * k].reshape((fo, c * k)), bias, bo >= 0,
                       rows(A, y, n * t_out, fo), AUX[op[a + 9]:], k, op[a + 4], op[a + 5], t_out, op[a + 11])
    elif code == OP_MAXPOOL2D:
        c, h, w, oh, ow = op[a], op[a + 1], op[a + 2], op[a + 5], op[a + 6]
        maxpool2d_forward(rows4(A, x, n, c, h, w), rows4(A, y, n, c, oh, ow), rows4(AUX, op[a + 7], n, c, oh, ow),
                          op[a + 3], op[a + 4])
    elif code == OP_AVGPOOL2D:
        c, h, w, oh, ow = op[a], op[a + 1], op[a + 2], op[a + 5], op[a + 6]
        avgpool2d_forward(rows4(A, x, n, c, h, w), rows4(A, y, n, c, oh, ow), op[a + 3], op[a + 4])
    elif code == OP_MAXPOOL1D:
        steps, feats, t_out = op[a], op[a + 1], op[a + 4]
        maxpool1d_forward(rows3(A, x, n, steps, feats), rows3(A, y, n, t_out, feats),
                          rows3(AUX, op[a + 5], n, t_out, feats), op[a + 2], op[a + 3])
    elif code == OP_GLOBAL_MAXPOOL1D:
        steps, feats = op[a], op[a + 1]
        global_maxpool1d_forward(rows3(A, x, n, steps, feats), rows(A, y, n, feats), rows(AUX, op[a + 2], n, feats))


@njit(inline="always", **JIT)
def backward_op(op, f, n, P, G, A, D, AUX, training):
    code, x, y = op[0], op[1], op[3]
    need0 = op[4] != ACC_SKIP
    if code == OP_CONV2D:
        c, h, w, fo, kh, kw = op[a], op[a + 1], op[a + 2], op[a + 3], op[a + 4], op[a + 5]
        oh, ow, wo, bo, chunk = op[a + 9], op[a + 10], op[a + 11], op[a + 12], op[a + 16]
        ckk = c * kh * kw
        gbias = G[bo:bo + fo] if bo >= 0 else G[0:0]
        conv2d_backward(rows4(A, x, n, c, h, w), P[wo:wo + fo * ckk].reshape((fo, ckk)), rows3(D, y, n, fo, oh * ow),
                        rows4(D, x, n, c, h, w), need0, G[wo:wo + fo * ckk].reshape((fo, ckk)), gbias, bo >= 0,
                        AUX[op[a + 13]:], AUX[op[a + 14]:], AUX[op[a + 17]:], AUX[op[a + 15]:],
                        kh, kw, op[a + 6], op[a + 7], op[a + 8], oh, ow, chunk)
    elif code == OP_CONV1D:
        steps, c, fo, k, t_out, wo, bo = op[a], op[a + 1], op[a + 2], op[a + 3], op[a + 6], op[a + 7], op[a + 8]
        ck = c * k
        gbias = G[bo:bo + fo] if bo >= 0 else G[0:0]
        conv1d_backward(rows3(A, x, n, steps, c), P[wo:wo + fo * ck].reshape((fo, ck)), rows(D, y, n * t_out, fo),
                        rows3(D, x, n, steps, c), need0, G[wo:wo + fo * ck].reshape((fo, ck)), gbias, bo >= 0,
                        AUX[op[a + 9]:], AUX[op[a + 10]:op[a + 10] + fo * ck].reshape((fo, ck)), k, op[a + 4],
                        op[a + 5], t_out, op[a + 11])
    elif code == OP_MAXPOOL2D:
        c, h, w, oh, ow = op[a], op[a + 1], op[a + 2], op[a + 5], op[a + 6]
        if need0:
            maxpool2d_backward(rows4(D, y, n, c, oh, ow), rows4(D, x, n, c, h, w), rows4(AUX, op[a + 7], n, c, oh, ow))
    elif code == OP_AVGPOOL2D:
        c, h, w, oh, ow = op[a], op[a + 1], op[a + 2], op[a + 5], op[a + 6]
        if need0:
            avgpool2d_backward(rows4(D, y, n, c, oh, ow), rows4(D, x, n, c, h, w), op[a + 3], op[a + 4])
    elif code == OP_MAXPOOL1D:
        steps, feats, t_out = op[a], op[a + 1], op[a + 4]
        if need0:
            maxpool1d_backward(rows3(D, y, n, t_out, feats), rows3(D, x, n, steps, feats),
                               rows3(AUX, op[a + 5], n, t_out, feats))
    elif code == OP_GLOBAL_MAXPOOL1D:
        steps, feats = op[a], op[a + 1]
        if need0:
            global_maxpool1d_backward(rows(D, y, n, feats), rows3(D, x, n, steps, feats),
                                      rows(AUX, op[a + 2], n, feats))
