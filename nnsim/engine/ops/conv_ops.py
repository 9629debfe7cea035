"""The convolution family: Conv1D/2D and pooling ops (opcodes FIRST_CONV_OP .. FIRST_RECURRENT_OP - 1)."""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.pool1d import global_maxpool1d_backward, global_maxpool1d_forward
from nnsim.engine.ops.views import rows, rows3
from nnsim.engine.program import ACC_SKIP, FIRST_CONV_OP, I_ARG

OP_GLOBAL_MAXPOOL1D = FIRST_CONV_OP + 5

a = I_ARG


@njit(inline="always", **JIT)
def forward_op(op, f, n, P, A, AUX, rng, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_GLOBAL_MAXPOOL1D:
        steps, feats = op[a], op[a + 1]
        global_maxpool1d_forward(rows3(A, x, n, steps, feats), rows(A, y, n, feats), rows(AUX, op[a + 2], n, feats))


@njit(inline="always", **JIT)
def backward_op(op, f, n, P, G, A, D, AUX, training):
    code, x, y = op[0], op[1], op[3]
    need0 = op[4] != ACC_SKIP
    if code == OP_GLOBAL_MAXPOOL1D:
        steps, feats = op[a], op[a + 1]
        if need0:
            global_maxpool1d_backward(rows(D, y, n, feats), rows3(D, x, n, steps, feats),
                                      rows(AUX, op[a + 2], n, feats))
