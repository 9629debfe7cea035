"""The dense family: Dense, activations, softmax, dropout, batch norm, add, concatenate."""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.activation import (IDENTITY, act_backward, act_forward, dropout_backward, dropout_forward,
                                             rule_backward, softmax_backward, softmax_forward)
from nnsim.engine.kernels.batchnorm import batchnorm_backward, batchnorm_forward
from nnsim.engine.kernels.dense import dense_backward, dense_forward
from nnsim.engine.kernels.merge import add_backward, add_forward, concat_backward, concat_forward
from nnsim.engine.ops.views import rows, rows3
from nnsim.engine.program import (ACC_SKIP, I_ARG, OP_ACT, OP_ADD, OP_BATCHNORM, OP_CONCAT, OP_DENSE,
                                  OP_DROPOUT, OP_SOFTMAX, RULE_ADALINE, RULE_BACKPROP)

a = I_ARG  # first op-specific column


@njit(inline="always", **JIT)
def forward_op(op, f, n, P, A, AUX, rng, training):
    code, x, x2, y = op[0], op[1], op[2], op[3]
    if code == OP_DENSE:
        ni, no, w, b, r = op[a], op[a + 1], op[a + 2], op[a + 3], n * op[a + 4]  # r: rows (samples x steps)
        bias = P[b:b + no] if b >= 0 else P[0:0]
        dense_forward(rows(A, x, r, ni), P[w:w + no * ni].reshape((no, ni)), bias, b >= 0, rows(A, y, r, no))
    elif code == OP_ACT:
        m = n * op[a]
        act = IDENTITY if training and op[a + 3] == RULE_ADALINE else op[a + 1]  # Adaline trains on the sum
        act_forward(act, A[x:x + m], A[y:y + m], AUX[op[a + 2]:op[a + 2] + m], f[0], f[1], training, rng)
    elif code == OP_SOFTMAX:
        r = n * op[a]
        softmax_forward(rows(A, x, r, op[a + 1]), rows(A, y, r, op[a + 1]))
    elif code == OP_DROPOUT:
        m = n * op[a]
        dropout_forward(A[x:x + m], A[y:y + m], AUX[op[a + 2]:op[a + 2] + m], f[0], training, rng)
    elif code == OP_BATCHNORM:
        c, inner = op[a], op[a + 1]
        batchnorm_forward(rows3(A, x, n, c, inner), rows3(A, y, n, c, inner), P[op[a + 2]:op[a + 2] + c],
                          P[op[a + 3]:op[a + 3] + c], P[op[a + 4]:op[a + 4] + c], P[op[a + 5]:op[a + 5] + c],
                          rows3(AUX, op[a + 6], n, c, inner), AUX[op[a + 7]:op[a + 7] + 2 * c], f[0], f[1],
                          training)
    elif code == OP_ADD:
        m = n * op[a]
        add_forward(A[x:x + m], A[x2:x2 + m], A[y:y + m])
    elif code == OP_CONCAT:
        outer, ia, ib = op[a], op[a + 1], op[a + 2]
        concat_forward(rows3(A, x, n, outer, ia), rows3(A, x2, n, outer, ib), rows3(A, y, n, outer, ia + ib))


@njit(inline="always", **JIT)
def backward_op(op, f, n, P, G, A, D, AUX, training):
    code, x, x2, y = op[0], op[1], op[2], op[3]
    need0, need1 = op[4] != ACC_SKIP, op[5] != ACC_SKIP
    if code == OP_DENSE:
        ni, no, w, b, r = op[a], op[a + 1], op[a + 2], op[a + 3], n * op[a + 4]
        gbias = G[b:b + no] if b >= 0 else G[0:0]
        dense_backward(rows(A, x, r, ni), P[w:w + no * ni].reshape((no, ni)), rows(D, y, r, no),
                       rows(D, x, r, ni), need0, G[w:w + no * ni].reshape((no, ni)), gbias, b >= 0)
    elif code == OP_ACT:
        m = n * op[a]
        if need0 and op[a + 3] != RULE_BACKPROP:
            rule_backward(D[y:y + m], D[x:x + m], 0.5 * op[a])
        elif need0:
            act_backward(op[a + 1], A[x:x + m], A[y:y + m], D[y:y + m], D[x:x + m], AUX[op[a + 2]:op[a + 2] + m],
                         f[0])
    elif code == OP_SOFTMAX:
        r = n * op[a]
        if need0:
            softmax_backward(rows(A, y, r, op[a + 1]), rows(D, y, r, op[a + 1]), rows(D, x, r, op[a + 1]))
    elif code == OP_DROPOUT:
        m = n * op[a]
        if need0:
            dropout_backward(D[y:y + m], D[x:x + m], AUX[op[a + 2]:op[a + 2] + m])
    elif code == OP_BATCHNORM:
        c, inner = op[a], op[a + 1]
        batchnorm_backward(rows3(D, y, n, c, inner), rows3(D, x, n, c, inner), need0, P[op[a + 2]:op[a + 2] + c],
                           G[op[a + 2]:op[a + 2] + c], G[op[a + 3]:op[a + 3] + c], rows3(AUX, op[a + 6], n, c, inner),
                           AUX[op[a + 7]:op[a + 7] + 2 * c], training)
    elif code == OP_ADD:
        m = n * op[a]
        add_backward(D[y:y + m], D[x:x + m], need0, D[x2:x2 + m], need1)
    elif code == OP_CONCAT:
        outer, ia, ib = op[a], op[a + 1], op[a + 2]
        concat_backward(rows3(D, y, n, outer, ia + ib), rows3(D, x, n, outer, ia), need0,
                        rows3(D, x2, n, outer, ib), need1)
