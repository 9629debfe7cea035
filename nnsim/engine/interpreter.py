"""Runs a compiled op table: forward, backward, whole training chunks and evaluation.

Everything a step needs lives in flat arrays, so :func:`train_steps` runs many steps per call
without returning to Python (per-call overhead dominates small networks). The same functions
compile for float32 (training) and float64 (gradient checks).
"""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.activation import (act_backward, act_forward, dropout_backward,
                                             dropout_forward, softmax_backward, softmax_forward)
from nnsim.engine.kernels.batchnorm import batchnorm_backward, batchnorm_forward
from nnsim.engine.kernels.dense import dense_backward, dense_forward
from nnsim.engine.kernels.losses import count_correct, loss_forward_backward
from nnsim.engine.kernels.merge import add_backward, add_forward, concat_backward, concat_forward
from nnsim.engine.kernels.optimizers import (HP_CLIP, apply_update, clip_gradients, grad_norm,
                                             scheduled_lr)
from nnsim.engine.program import (ACC_SKIP, ACC_WRITE, OP_ACT, OP_ADD, OP_BATCHNORM, OP_CONCAT,
                                  OP_DENSE, OP_DROPOUT, OP_SOFTMAX)

# stats slots filled by train_steps / evaluate
ST_LOSS, ST_CORRECT, ST_SAMPLES, ST_ERROR, ST_ERROR_STEP, ST_GRAD_NORM = 0, 1, 2, 3, 4, 5
ERR_NONE, ERR_LOSS, ERR_GRAD, ERR_WEIGHTS = 0, 1, 2, 3

# Numba compiles a separate copy of a callee for each literal True/False argument (seconds each),
# so callers below pass computed booleans (``n > 0``) instead of constants.


@njit(inline="always", **JIT)
def _rows(a, off, n, size):
    return a[off:off + n * size].reshape((n, size))


@njit(inline="always", **JIT)
def _rows3(a, off, n, d1, d2):
    return a[off:off + n * d1 * d2].reshape((n, d1, d2))


@njit(inline="always", **JIT)
def forward_pass(iops, fops, n, P, A, AUX, rng, training):
    for k in range(iops.shape[0]):
        op = iops[k]
        code = op[0]
        if code == OP_DENSE:
            ni, no, w, b = op[6], op[7], op[8], op[9]
            bias = P[b:b + no] if b >= 0 else P[0:0]
            dense_forward(_rows(A, op[1], n, ni), P[w:w + no * ni].reshape((no, ni)), bias, b >= 0,
                          _rows(A, op[3], n, no))
        elif code == OP_ACT:
            m = n * op[6]
            act_forward(op[7], A[op[1]:op[1] + m], A[op[3]:op[3] + m], AUX[op[8]:op[8] + m],
                        fops[k, 0], fops[k, 1], training, rng)
        elif code == OP_SOFTMAX:
            rows = n * op[6]
            softmax_forward(_rows(A, op[1], rows, op[7]), _rows(A, op[3], rows, op[7]))
        elif code == OP_DROPOUT:
            m = n * op[6]
            dropout_forward(A[op[1]:op[1] + m], A[op[3]:op[3] + m], AUX[op[8]:op[8] + m], fops[k, 0],
                            training, rng)
        elif code == OP_BATCHNORM:
            c, inner = op[6], op[7]
            batchnorm_forward(_rows3(A, op[1], n, c, inner), _rows3(A, op[3], n, c, inner),
                              P[op[8]:op[8] + c], P[op[9]:op[9] + c], P[op[10]:op[10] + c],
                              P[op[11]:op[11] + c], _rows3(AUX, op[12], n, c, inner),
                              AUX[op[13]:op[13] + 2 * c], fops[k, 0], fops[k, 1], training)
        elif code == OP_ADD:
            m = n * op[6]
            add_forward(A[op[1]:op[1] + m], A[op[2]:op[2] + m], A[op[3]:op[3] + m])
        elif code == OP_CONCAT:
            outer, ia, ib = op[6], op[7], op[8]
            concat_forward(_rows3(A, op[1], n, outer, ia), _rows3(A, op[2], n, outer, ib),
                           _rows3(A, op[3], n, outer, ia + ib))


@njit(inline="always", **JIT)
def _input_size(op):
    """Values per sample of input slot 0 (and 1), for zeroing gradients that an op writes first."""
    code = op[0]
    if code == OP_DENSE:
        return op[6], 0
    if code == OP_ACT or code == OP_DROPOUT:
        return op[6], 0
    if code == OP_SOFTMAX:
        return op[6] * op[7], 0
    if code == OP_BATCHNORM:
        return op[6] * op[7], 0
    if code == OP_ADD:
        return op[6], op[6]
    if code == OP_CONCAT:
        return op[6] * op[7], op[6] * op[8]
    return 0, 0


@njit(inline="always", **JIT)
def backward_pass(iops, fops, n, last, P, G, A, D, AUX, training):
    """Backpropagate from op ``last`` down to op 0; ``D`` at the output holds dL/dy already."""
    for k in range(last, -1, -1):
        op = iops[k]
        code = op[0]
        s0, s1 = _input_size(op)
        if op[4] == ACC_WRITE:
            D[op[1]:op[1] + n * s0] = 0.0
        if op[5] == ACC_WRITE:
            D[op[2]:op[2] + n * s1] = 0.0
        need0 = op[4] != ACC_SKIP
        need1 = op[5] != ACC_SKIP
        if code == OP_DENSE:
            ni, no, w, b = op[6], op[7], op[8], op[9]
            gbias = G[b:b + no] if b >= 0 else G[0:0]
            dense_backward(_rows(A, op[1], n, ni), P[w:w + no * ni].reshape((no, ni)),
                           _rows(D, op[3], n, no), _rows(D, op[1], n, ni), need0,
                           G[w:w + no * ni].reshape((no, ni)), gbias, b >= 0)
        elif code == OP_ACT:
            m = n * op[6]
            if need0:
                act_backward(op[7], A[op[1]:op[1] + m], A[op[3]:op[3] + m], D[op[3]:op[3] + m],
                             D[op[1]:op[1] + m], AUX[op[8]:op[8] + m], fops[k, 0])
        elif code == OP_SOFTMAX:
            rows = n * op[6]
            if need0:
                softmax_backward(_rows(A, op[3], rows, op[7]), _rows(D, op[3], rows, op[7]),
                                 _rows(D, op[1], rows, op[7]))
        elif code == OP_DROPOUT:
            m = n * op[6]
            if need0:
                dropout_backward(D[op[3]:op[3] + m], D[op[1]:op[1] + m], AUX[op[8]:op[8] + m])
        elif code == OP_BATCHNORM:
            c, inner = op[6], op[7]
            batchnorm_backward(_rows3(D, op[3], n, c, inner), _rows3(D, op[1], n, c, inner), need0,
                               P[op[8]:op[8] + c], G[op[8]:op[8] + c], G[op[9]:op[9] + c],
                               _rows3(AUX, op[12], n, c, inner), AUX[op[13]:op[13] + 2 * c], training)
        elif code == OP_ADD:
            m = n * op[6]
            add_backward(D[op[3]:op[3] + m], D[op[1]:op[1] + m], need0, D[op[2]:op[2] + m], need1)
        elif code == OP_CONCAT:
            outer, ia, ib = op[6], op[7], op[8]
            concat_backward(_rows3(D, op[3], n, outer, ia + ib), _rows3(D, op[1], n, outer, ia), need0,
                            _rows3(D, op[2], n, outer, ib), need1)


@njit(inline="always", **JIT)
def _gather(src, order, start, n, dst):
    width = src.shape[1]
    for r in range(n):
        row = order[start + r]
        for j in range(width):
            dst[r * width + j] = src[row, j]


MODE_TRAIN, MODE_EVALUATE, MODE_GRADIENTS, MODE_FORWARD = 0, 1, 2, 3


@njit(**JIT)
def run_program(mode, training, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, start, n_steps,
                batch, io, opt, hp, counters, rng, stats, preds):
    """The one compiled entry point: a single batch loop with one forward and one backward site.

    Keeping every mode in one function means a cold start compiles the interpreter once
    (Numba re-optimizes all linked code for each top-level function it compiles).

    Each of ``n_steps`` iterations takes ``batch`` rows ``X[order[start + s*batch:]]`` and:
    - MODE_FORWARD: runs forward only;
    - MODE_EVALUATE: also sums loss and correct samples into ``stats`` and writes outputs to ``preds``;
    - MODE_GRADIENTS: also backpropagates (gradients land in G, loss in ``stats``);
    - MODE_TRAIN: also clips and applies one optimizer update, stopping early with an error code in
      ``stats`` on the first non-finite loss, gradient or weight.
    ``io`` = (in_off, out_off, out_size, loss_id, fused, logit_off, bwd_last). Returns batches done.
    """
    in_off, out_off, k, loss_id, fused, logit_off, last = io[0], io[1], io[2], io[3], io[4], io[5], io[6]
    grad_off = logit_off if fused else out_off
    total = order.shape[0]
    need_grad = mode == MODE_GRADIENTS or mode == MODE_TRAIN
    done = 0
    for s in range(n_steps):
        b0 = start + s * batch
        n = min(batch, total - b0)
        if n <= 0:
            break
        _gather(X, order, b0, n, A[in_off:])
        forward_pass(iops, fops, n, P, A, AUX, rng, training)
        done += 1
        if mode == MODE_FORWARD:
            continue
        _gather(Y, order, b0, n, T)
        out = _rows(A, out_off, n, k)
        y = _rows(T, 0, n, k)
        loss = loss_forward_backward(loss_id, fused, out, _rows(A, logit_off, n, k), y,
                                     _rows(D, grad_off, n, k), need_grad)
        correct = count_correct(out, y)
        if mode == MODE_EVALUATE:
            preds[b0:b0 + n] = out
        else:
            if mode == MODE_TRAIN and not np.isfinite(loss):
                stats[ST_ERROR] = ERR_LOSS
                stats[ST_ERROR_STEP] = s
                return done
            backward_pass(iops, fops, n, last, P, G, A, D, AUX, training)
        if mode == MODE_TRAIN and not _update(P, G, S1, S2, segs, opt, hp, counters, stats, s):
            return done
        stats[ST_LOSS] += loss * n
        stats[ST_CORRECT] += correct
        stats[ST_SAMPLES] += n
    return done


@njit(inline="always", **JIT)
def _update(P, G, S1, S2, segs, opt, hp, counters, stats, s):
    """Guard, clip and apply one optimizer step; False (with an error code) on NaN or Inf."""
    norm = grad_norm(G, segs)
    stats[ST_GRAD_NORM] = norm
    if not np.isfinite(norm):
        stats[ST_ERROR] = ERR_GRAD
        stats[ST_ERROR_STEP] = s
        return False
    clip_gradients(G, segs, norm, hp[HP_CLIP])
    t = counters[0]
    counters[0] = t + 1
    if not apply_update(opt, P, G, S1, S2, segs, hp, scheduled_lr(hp, t), t + 1):
        stats[ST_ERROR] = ERR_WEIGHTS
        stats[ST_ERROR_STEP] = s
        return False
    return True
