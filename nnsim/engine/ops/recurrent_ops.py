"""The recurrent family: Embedding and the recurrent layers (opcodes from FIRST_RECURRENT_OP)."""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.embedding import embedding_backward, embedding_forward
from nnsim.engine.ops.views import rows, rows3
from nnsim.engine.program import FIRST_RECURRENT_OP, I_ARG

OP_EMBEDDING = FIRST_RECURRENT_OP

a = I_ARG


@njit(inline="always", **JIT)
def forward_op(op, f, n, P, A, AUX, rng, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_EMBEDDING:
        steps, vocab, dim, w = op[a], op[a + 1], op[a + 2], op[a + 3]
        embedding_forward(rows(A, x, n, steps), P[w:w + vocab * dim].reshape((vocab, dim)),
                          rows3(A, y, n, steps, dim))


@njit(inline="always", **JIT)
def backward_op(op, f, n, P, G, A, D, AUX, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_EMBEDDING:  # token ids have no gradient
        steps, vocab, dim, w = op[a], op[a + 1], op[a + 2], op[a + 3]
        embedding_backward(rows(A, x, n, steps), rows3(D, y, n, steps, dim),
                           G[w:w + vocab * dim].reshape((vocab, dim)))
