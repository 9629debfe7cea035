"""The recurrent family: Embedding and the recurrent layers (opcodes from FIRST_RECURRENT_OP).

A recurrent op runs one direction of a SimpleRNN, LSTM or GRU layer over a whole sequence. Its
input slot 0 is the sequence (n, T, I), the optional slot 1 the initial state h0 (n, H). Args
(after I_ARG): T, I, H, reverse, return_sequences, bptt_steps, variant (SimpleRNN: activation;
LSTM: standard/peephole/coupled), the offsets of weight_ih, weight_hh, bias_ih, bias_hh and the
peephole weights (-1 if none), max_batch, the AUX scratch offset and the offset of the first
internal array (the others follow, max_batch * T * H apart), then G, the gate blocks, and the AUX
offset of the partial weight gradients (LSTM, see :func:`partials_size`; else -1; its forward keeps
w_hhᵀ there). The scratch holds, each segment
``max_batch`` times its per-sample size: Z (T*G*H), R (G*H), hcur (H), hprev (T*H), dh (H),
dxs (T*I), then LSTM dc (H) or GRU Zh (T*G*H) and tmp (H); see :func:`scratch_size`.
"""

from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.embedding import embedding_backward, embedding_forward
from nnsim.engine.kernels.gru import gru_backward, gru_forward
from nnsim.engine.kernels.lstm import VAR_COUPLED, lstm_backward, lstm_forward
from nnsim.engine.kernels.rnn import rnn_backward, rnn_forward
from nnsim.engine.ops.views import rows, rows3
from nnsim.engine.program import ACC_SKIP, FIRST_RECURRENT_OP, I_ARG

OP_EMBEDDING = FIRST_RECURRENT_OP
OP_SIMPLE_RNN = FIRST_RECURRENT_OP + 1
OP_LSTM = FIRST_RECURRENT_OP + 2
OP_GRU = FIRST_RECURRENT_OP + 3

a = I_ARG

# Internal arrays each op keeps in AUX (per sample (T, H), time order), in allocation order.
INTERNALS = {
    OP_SIMPLE_RNN: ("h",),
    OP_LSTM: ("h", "input", "forget", "candidate", "output", "cell"),
    OP_GRU: ("h", "reset", "update", "candidate"),
}


def gate_blocks(opcode: int, variant: int = 0) -> int:
    """G: blocks of H rows in weight_ih / weight_hh."""
    if opcode == OP_LSTM:
        return 3 if variant == VAR_COUPLED else 4
    return 3 if opcode == OP_GRU else 1


def scratch_size(opcode: int, steps: int, n_in: int, hidden: int, blocks: int) -> int:
    """Per-sample AUX scratch of one direction (the layout in the module docstring)."""
    gh = blocks * hidden
    size = steps * gh + gh + hidden + steps * hidden + hidden + steps * n_in
    if opcode == OP_LSTM:
        size += hidden
    elif opcode == OP_GRU:
        size += steps * gh + hidden
    return size


def partials_size(opcode: int, n_in: int, hidden: int, blocks: int) -> int:
    """Fixed AUX for the second sample range's weight gradients (LSTM: w_ih, w_hh, both biases); the
    forward uses its first G*H*H values for w_hhᵀ."""
    if opcode != OP_LSTM:
        return 0
    gh = blocks * hidden
    return gh * (n_in + hidden + 2)


@njit(inline="always", **JIT)
def _w(P, off, rows_, cols):
    return P[off:off + rows_ * cols].reshape((rows_, cols))


@njit(inline="always", **JIT)
def forward_op(op, f, n, P, A, AUX, rng, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_EMBEDDING:
        steps, vocab, dim, w = op[a], op[a + 1], op[a + 2], op[a + 3]
        embedding_forward(rows(A, x, n, steps), P[w:w + vocab * dim].reshape((vocab, dim)),
                          rows3(A, y, n, steps, dim))
        return
    steps, ni, H, reverse, seq, variant = op[a], op[a + 1], op[a + 2], op[a + 3] != 0, op[a + 4] != 0, op[a + 6]
    wi, wh, bi, bh, pk, mb, s, it = op[a + 7], op[a + 8], op[a + 9], op[a + 10], op[a + 11], op[a + 12], \
        op[a + 13], op[a + 14]
    has_h0 = op[7] > 0
    gh = op[a + 15] * H
    xs = rows(A, x, n * steps, ni)
    h0 = rows(A, op[2], n, H) if has_h0 else rows(A, 0, 0, H)
    out = rows(A, y, n, steps * H if seq else H)
    Z = rows(AUX, s, n * steps, gh)
    s += mb * steps * gh
    R = rows(AUX, s, n, gh)
    s += mb * gh
    hcur = rows(AUX, s, n, H)
    s += mb * H
    hprev = rows(AUX, s, n * steps, H)
    s += mb * steps * H + mb * H + mb * steps * ni  # dh, dxs: backward only
    step = mb * steps * H
    w_ih, w_hh, b_ih, b_hh = _w(P, wi, gh, ni), _w(P, wh, gh, H), P[bi:bi + gh], P[bh:bh + gh]
    if code == OP_SIMPLE_RNN:
        rnn_forward(xs, w_ih, w_hh, b_ih, b_hh, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                    rows(AUX, it, n * steps, H), out, seq)
    elif code == OP_LSTM:
        peep = _w(P, pk, 3, H) if pk >= 0 else _w(P, 0, 0, H)
        lstm_forward(xs, w_ih, w_hh, b_ih, b_hh, peep, variant, h0, has_h0, reverse, steps, Z, R, hcur, hprev,
                     rows(AUX, it, n * steps, H), rows(AUX, it + step, n * steps, H),
                     rows(AUX, it + 2 * step, n * steps, H), rows(AUX, it + 3 * step, n * steps, H),
                     rows(AUX, it + 4 * step, n * steps, H), rows(AUX, it + 5 * step, n * steps, H), out, seq,
                     _w(AUX, op[a + 16], H, gh))
    elif code == OP_GRU:
        gru_forward(xs, w_ih, w_hh, b_ih, b_hh, h0, has_h0, reverse, steps, Z, rows(AUX, s, n * steps, gh), R,
                    hcur, hprev, rows(AUX, it, n * steps, H), rows(AUX, it + step, n * steps, H),
                    rows(AUX, it + 2 * step, n * steps, H), rows(AUX, it + 3 * step, n * steps, H), out, seq)


@njit(inline="always", **JIT)
def backward_op(op, f, n, P, G, A, D, AUX, training):
    code, x, y = op[0], op[1], op[3]
    if code == OP_EMBEDDING:  # token ids have no gradient
        steps, vocab, dim, w = op[a], op[a + 1], op[a + 2], op[a + 3]
        embedding_backward(rows(A, x, n, steps), rows3(D, y, n, steps, dim),
                           G[w:w + vocab * dim].reshape((vocab, dim)))
        return
    steps, ni, H, reverse, seq, variant = op[a], op[a + 1], op[a + 2], op[a + 3] != 0, op[a + 4] != 0, op[a + 6]
    bptt = op[a + 5]
    wi, wh, bi, bh, pk, mb, s, it = op[a + 7], op[a + 8], op[a + 9], op[a + 10], op[a + 11], op[a + 12], \
        op[a + 13], op[a + 14]
    has_h0 = op[7] > 0
    need_dx = op[4] != ACC_SKIP
    need_h0 = has_h0 and op[5] != ACC_SKIP
    gh = op[a + 15] * H
    xs = rows(A, x, n * steps, ni)
    dx = rows(D, x, n * steps, ni)
    dh0 = rows(D, op[2], n, H) if has_h0 else rows(D, 0, 0, H)
    dout = rows(D, y, n, steps * H if seq else H)
    Z = rows(AUX, s, n * steps, gh)
    s += mb * steps * gh
    R = rows(AUX, s, n, gh)
    s += mb * gh + mb * H  # hcur: forward only
    hprev = rows(AUX, s, n * steps, H)
    s += mb * steps * H
    dh = rows(AUX, s, n, H)
    s += mb * H
    dxs = rows(AUX, s, n * steps, ni)
    s += mb * steps * ni
    step = mb * steps * H
    w_ih, w_hh = _w(P, wi, gh, ni), _w(P, wh, gh, H)
    gw_ih, gw_hh, gb_ih, gb_hh = _w(G, wi, gh, ni), _w(G, wh, gh, H), G[bi:bi + gh], G[bh:bh + gh]
    if code == OP_SIMPLE_RNN:
        rnn_backward(xs, w_ih, w_hh, variant, reverse, steps, bptt, seq, rows(AUX, it, n * steps, H), hprev, dout,
                     Z, R, dh, dxs, dx, need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh)
    elif code == OP_LSTM:
        peep = _w(P, pk, 3, H) if pk >= 0 else _w(P, 0, 0, H)
        gpeep = _w(G, pk, 3, H) if pk >= 0 else _w(G, 0, 0, H)
        po = op[a + 16]
        lstm_backward(xs, w_ih, w_hh, peep, gpeep, variant, reverse, steps, bptt, seq,
                      rows(AUX, it + step, n * steps, H), rows(AUX, it + 2 * step, n * steps, H),
                      rows(AUX, it + 3 * step, n * steps, H), rows(AUX, it + 4 * step, n * steps, H),
                      rows(AUX, it + 5 * step, n * steps, H), hprev, dout, Z, R, dh, rows(AUX, s, n, H), dxs, dx,
                      need_dx, dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh, AUX[po:po + gh * (ni + H + 2)])
    elif code == OP_GRU:
        gru_backward(xs, w_ih, w_hh, reverse, steps, bptt, seq, rows(AUX, it + step, n * steps, H),
                     rows(AUX, it + 2 * step, n * steps, H), rows(AUX, it + 3 * step, n * steps, H), hprev, dout,
                     Z, rows(AUX, s, n * steps, gh), R, dh, rows(AUX, s + mb * steps * gh, n, H), dxs, dx, need_dx,
                     dh0, need_h0, gw_ih, gw_hh, gb_ih, gb_hh)
