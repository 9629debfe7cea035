"""Runs a compiled op table: forward, backward, whole training chunks and evaluation.

Everything a step needs lives in flat arrays, so one call runs many steps without returning to
Python (per-call overhead dominates small networks). The same functions compile for float32
(training) and float64 (gradient checks).

Four entry points share one loop: :func:`run_dense` knows only the dense family of ops,
:func:`run_conv` adds convolution, :func:`run_recurrent` adds the recurrent family, and
:func:`run_full` knows them all. A network waits only for the kernels it can use to compile
(Numba compiles everything an entry point can reach, and re-optimizes it for each entry point).
"""

import numpy as np
from numba import njit

from nnsim.engine.kernels import JIT
from nnsim.engine.kernels.float_env import flush_denormals, restore_float_env
from nnsim.engine.kernels.losses import count_correct, loss_forward_backward
from nnsim.engine.kernels.optimizers import (HP_CLIP, apply_update, clip_gradients, grad_norm,
                                             scheduled_lr)
from nnsim.engine.ops import conv_ops, dense_ops, recurrent_ops
from nnsim.engine.ops.views import rows
from nnsim.engine.program import ACC_WRITE, FIRST_CONV_OP, FIRST_RECURRENT_OP

# stats slots filled by the entry points
ST_LOSS, ST_CORRECT, ST_SAMPLES, ST_ERROR, ST_ERROR_STEP, ST_GRAD_NORM, ST_STEPS = 0, 1, 2, 3, 4, 5, 6
N_STATS = 8
ERR_NONE, ERR_LOSS, ERR_GRAD, ERR_WEIGHTS = 0, 1, 2, 3

# Numba compiles a separate copy of a callee for each literal True/False argument (seconds each),
# so callers below pass computed booleans (``n > 0``) instead of constants.


@njit(inline="always", **JIT)
def forward_dense(iops, fops, n, P, A, AUX, rng, training):
    for k in range(iops.shape[0]):
        dense_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)


@njit(inline="always", **JIT)
def backward_dense(iops, fops, n, last, P, G, A, D, AUX, training):
    for k in range(last, -1, -1):
        _zero_written_gradients(iops[k], n, D)
        dense_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)


@njit(inline="always", **JIT)
def forward_conv(iops, fops, n, P, A, AUX, rng, training):
    for k in range(iops.shape[0]):
        if iops[k, 0] < FIRST_CONV_OP:
            dense_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)
        else:
            conv_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)


@njit(inline="always", **JIT)
def backward_conv(iops, fops, n, last, P, G, A, D, AUX, training):
    for k in range(last, -1, -1):
        _zero_written_gradients(iops[k], n, D)
        if iops[k, 0] < FIRST_CONV_OP:
            dense_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)
        else:
            conv_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)


@njit(inline="always", **JIT)
def forward_recurrent(iops, fops, n, P, A, AUX, rng, training):
    for k in range(iops.shape[0]):
        if iops[k, 0] < FIRST_CONV_OP:
            dense_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)
        else:
            recurrent_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)


@njit(inline="always", **JIT)
def backward_recurrent(iops, fops, n, last, P, G, A, D, AUX, training):
    for k in range(last, -1, -1):
        _zero_written_gradients(iops[k], n, D)
        if iops[k, 0] < FIRST_CONV_OP:
            dense_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)
        else:
            recurrent_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)


@njit(inline="always", **JIT)
def forward_full(iops, fops, n, P, A, AUX, rng, training):
    for k in range(iops.shape[0]):
        code = iops[k, 0]
        if code < FIRST_CONV_OP:
            dense_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)
        elif code < FIRST_RECURRENT_OP:
            conv_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)
        else:
            recurrent_ops.forward_op(iops[k], fops[k], n, P, A, AUX, rng, training)


@njit(inline="always", **JIT)
def backward_full(iops, fops, n, last, P, G, A, D, AUX, training):
    for k in range(last, -1, -1):
        _zero_written_gradients(iops[k], n, D)
        code = iops[k, 0]
        if code < FIRST_CONV_OP:
            dense_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)
        elif code < FIRST_RECURRENT_OP:
            conv_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)
        else:
            recurrent_ops.backward_op(iops[k], fops[k], n, P, G, A, D, AUX, training)


@njit(inline="always", **JIT)
def _zero_written_gradients(op, n, D):
    """Kernels add into input gradients; the first consumer (in backward order) starts from zero."""
    if op[4] == ACC_WRITE:
        D[op[1]:op[1] + n * op[6]] = 0.0
    if op[5] == ACC_WRITE:
        D[op[2]:op[2] + n * op[7]] = 0.0


@njit(inline="always", **JIT)
def _gather(src, order, start, n, dst):
    width = src.shape[1]
    for r in range(n):
        row = order[start + r]
        for j in range(width):
            dst[r * width + j] = src[row, j]


@njit(inline="always", **JIT)
def _copy_rows(src, dst):
    """dst[:] = src by loops: an array assignment links Numba's shape-mismatch error, whose message
    formatting compiles a dozen string functions (~0.5 s of a cold start)."""
    if dst.shape[0] != src.shape[0] or dst.shape[1] != src.shape[1]:
        raise ValueError("prediction rows out of range")
    for i in range(src.shape[0]):
        d = dst[i]
        s = src[i]
        for j in range(src.shape[1]):
            d[j] = s[j]


MODE_TRAIN, MODE_EVALUATE, MODE_GRADIENTS, MODE_FORWARD = 0, 1, 2, 3
# columns of a plan row: one phase of a call (see :func:`_run`)
PL_MODE, PL_TRAINING, PL_START, PL_END, PL_STEPS, PL_BATCH, PL_PREDS = 0, 1, 2, 3, 4, 5, 6
PLAN_COLS = 7


@njit(**JIT)
def run_dense(plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt, hp, counters, rng,
              stats, preds):
    """Entry point for programs of dense-family ops only; see :func:`_run`."""
    return _run(forward_dense, backward_dense, plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order,
                io, opt, hp, counters, rng, stats, preds)


@njit(**JIT)
def run_conv(plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt, hp, counters, rng,
             stats, preds):
    """Entry point for programs of dense and convolution ops; see :func:`_run`."""
    return _run(forward_conv, backward_conv, plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order,
                io, opt, hp, counters, rng, stats, preds)


@njit(**JIT)
def run_recurrent(plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt, hp, counters,
                  rng, stats, preds):
    """Entry point for programs of dense and recurrent ops; see :func:`_run`."""
    return _run(forward_recurrent, backward_recurrent, plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y,
                order, io, opt, hp, counters, rng, stats, preds)


@njit(**JIT)
def run_full(plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt, hp, counters, rng,
             stats, preds):
    """Entry point for programs with any op; see :func:`_run`."""
    return _run(forward_full, backward_full, plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order,
                io, opt, hp, counters, rng, stats, preds)


@njit(inline="always", **JIT)
def _run(forward_pass, backward_pass, plan, iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt,
         hp, counters, rng, stats, preds):
    """The batch loop, with one forward and one backward site (so each links once).

    ``plan`` lists phases, one per row (mode, training, start, end, n_steps, batch, preds_row), run
    in order, so one call can train several whole epochs and evaluate after each without returning
    to Python (a tiny network's epoch is shorter than a round trip through the GIL). Each of a
    phase's ``n_steps`` iterations takes ``batch`` rows ``X[order[start + s*batch:]]``, never past
    ``order[end - 1]``, and:
    - MODE_FORWARD: runs forward only;
    - MODE_EVALUATE: also sums loss and correct samples into the phase's ``stats`` row and, when
      ``preds_row`` >= 0, writes outputs to ``preds`` from that row on;
    - MODE_GRADIENTS: also backpropagates (gradients land in G, loss in ``stats``);
    - MODE_TRAIN: also clips and applies one optimizer update, stopping early with an error code in
      the phase's ``stats`` row on the first non-finite loss, gradient or weight.
    ``io`` = (in_off, out_off, out_size, loss_id, fused, logit_off, bwd_last, groups). Returns the
    number of phases completed (fewer after an error); ``stats[p, ST_STEPS]`` counts each phase's
    batches. ``stats`` counts correct *rows* (samples x groups).
    """
    caller_env = flush_denormals()  # see kernels.float_env: tiny gradients stay fast
    done = plan.shape[0]
    for p in range(plan.shape[0]):
        if not _run_phase(forward_pass, backward_pass, plan[p, PL_MODE], plan[p, PL_TRAINING] != 0,
                          plan[p, PL_START], plan[p, PL_END], plan[p, PL_STEPS], plan[p, PL_BATCH],
                          plan[p, PL_PREDS], iops, fops, P, G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt,
                          hp, counters, rng, stats[p], preds):
            done = p
            break
    restore_float_env(caller_env)
    return done


@njit(inline="always", **JIT)
def _run_phase(forward_pass, backward_pass, mode, training, start, end, n_steps, batch, preds_row, iops, fops, P,
               G, A, D, AUX, S1, S2, segs, T, X, Y, order, io, opt, hp, counters, rng, stats, preds):
    """One phase of :func:`_run`; False when it stopped on an error."""
    in_off, out_off, k, loss_id, fused, logit_off, last = io[0], io[1], io[2], io[3], io[4], io[5], io[6]
    groups = io[7]  # softmax rows per sample (time steps of a sequence output); the loss sees rows
    kg = k // groups
    grad_off = logit_off if fused else out_off
    need_grad = mode == MODE_GRADIENTS or mode == MODE_TRAIN
    for s in range(n_steps):
        b0 = start + s * batch
        n = min(batch, end - b0)
        if n <= 0:
            break
        _gather(X, order, b0, n, A[in_off:])
        forward_pass(iops, fops, n, P, A, AUX, rng, training)
        stats[ST_STEPS] += 1
        if mode == MODE_FORWARD:
            continue
        _gather(Y, order, b0, n, T)
        ng = n * groups
        out = rows(A, out_off, ng, kg)
        y = rows(T, 0, ng, kg)
        loss = loss_forward_backward(loss_id, fused, out, rows(A, logit_off, ng, kg), y,
                                     rows(D, grad_off, ng, kg), need_grad)
        correct = count_correct(out, y)
        if mode == MODE_EVALUATE:
            if preds_row >= 0:
                r = preds_row + s * batch
                _copy_rows(rows(A, out_off, n, k), preds[r:r + n])
        else:
            if mode == MODE_TRAIN and not np.isfinite(loss):
                stats[ST_ERROR] = ERR_LOSS
                stats[ST_ERROR_STEP] = s
                return False
            backward_pass(iops, fops, n, last, P, G, A, D, AUX, training)
        if mode == MODE_TRAIN and not _update(P, G, S1, S2, segs, opt, hp, counters, stats, s):
            return False
        stats[ST_LOSS] += loss * n
        stats[ST_CORRECT] += correct
        stats[ST_SAMPLES] += n
    return True


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
