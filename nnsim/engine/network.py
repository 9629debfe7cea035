"""A compiled network: arenas, op table, and the numpy-facing API over them.

Weight layouts follow PyTorch (Dense weight (out, in), bias (out,)). Arrays handed out are copies
unless a method says it returns a view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnsim.core.errors import GraphError, TrainingError
from nnsim.engine import interpreter as it
from nnsim.engine.activations import ACTIVATIONS
from nnsim.engine.initializers import initialize
from nnsim.engine.kernels.float_env import float_env, restore_float_env
from nnsim.engine.kernels.rng import seed_state
from nnsim.engine.layers.base import layer_kind
from nnsim.engine.losses import FUSES_WITH, LOSSES, NEEDS_FUSION
from nnsim.engine.program import OP_ACT, OP_SOFTMAX, Buffer, ProgramBuilder, WeightSlot
from nnsim.engine.resolved import ResolvedGraph
from nnsim.engine.rules import RULES, apply_rule

DEFAULT_MAX_BATCH = 256


@dataclass(frozen=True)
class LossSetup:
    """What the kernels need to know about the output and its loss (``io`` array)."""

    io: np.ndarray  # in_off, out_off, out_size, loss_id, fused, logit_off, bwd_last


class Network:
    def __init__(self, graph: ResolvedGraph, loss: str = "mse", *, max_batch: int = DEFAULT_MAX_BATCH,
                 dtype=np.float32, seed: int = 0, rule: str = "backprop"):
        if loss not in LOSSES:
            raise TrainingError(f"Unknown loss '{loss}': use one of {', '.join(LOSSES)}.")
        if rule not in RULES:
            raise TrainingError(f"Unknown learning rule '{rule}': use one of {', '.join(RULES)}.")
        if rule != "backprop" and loss != "mse":
            raise TrainingError(f"The {rule} rule minimizes squared errors, but the loss is {loss}: set the "
                                f"loss to mse.")
        self.graph = graph
        self.loss = loss
        self.rule = rule
        self.dtype = np.dtype(dtype)
        self.max_batch = int(max_batch)
        self.input_shape = graph.node(graph.input).out_shape
        self.output_shape = graph.node(graph.output).out_shape
        self._compile()
        self.initialize(seed)

    # --- compilation ---------------------------------------------------------------------------
    def _compile(self) -> None:
        b = ProgramBuilder(self.max_batch)
        bufs: dict[str, Buffer] = {self.graph.input: b.activation(self.input_shape)}
        self._first_op: dict[str, int] = {}
        for node in self.graph.nodes[1:]:
            self._first_op[node.name] = len(b.ops)
            kind = layer_kind(node.type)
            bufs[node.name] = kind.emit(b, node.name, node.params, [bufs[i] for i in node.inputs],
                                        node.out_shape)
        apply_rule(b, self.graph, bufs, self.rule)
        self.buffers = bufs
        self.iops, self.fops = b.build(input_offset=0)
        self._entry = {frozenset(): it.run_dense, frozenset({"conv"}): it.run_conv,
                       frozenset({"recurrent"}): it.run_recurrent}.get(frozenset(b.families), it.run_full)
        self.weight_slots: list[WeightSlot] = b.weights
        self.internal_slots = b.internals
        self.ops = b.ops
        out = bufs[self.graph.output]
        fused, logits = self._fusion(b, out)
        last = len(b.ops) - (2 if fused else 1)
        loss_id = LOSSES[self.loss]
        # Softmax rows per sample: a sequence output has one per time step (loss and accuracy per step).
        self.groups = b.ops[-1].args[0] if fused and b.ops[-1].opcode == OP_SOFTMAX else 1
        self.io = np.array([0, out.offset, out.size, loss_id, int(fused), logits.offset, last, self.groups],
                           dtype=np.int64)
        dt = self.dtype
        self.P = np.zeros(max(b.p_size, 1), dt)
        self.G = np.zeros_like(self.P)
        self.S1 = np.zeros_like(self.P)
        self.S2 = np.zeros_like(self.P)
        self.A = np.zeros(max(b.a_size, 1), dt)
        self.D = np.zeros_like(self.A)
        self.AUX = np.zeros(max(b.aux_size, 1), dt)
        self.T = np.zeros(self.max_batch * out.size, dt)
        self.segs = np.array([[s.offset, s.size, int(s.spec.trainable), int(s.spec.decay)]
                              for s in self.weight_slots] or np.zeros((0, 4)), dtype=np.int64).reshape(-1, 4)
        self.rng = seed_state(0)
        # placeholders for arguments a mode does not read (one compiled signature for all modes)
        self._no_hp = np.zeros(12)
        self._no_counters = np.zeros(1, np.int64)
        self._no_preds = np.zeros((1, 1), dt)
        self._no_y = np.zeros((self.max_batch, out.size), dt)

    def _fusion(self, b: ProgramBuilder, out: Buffer) -> tuple[bool, Buffer]:
        """Fuse the loss with a final softmax/sigmoid; refuse losses that need one and lack it."""
        want = FUSES_WITH[self.loss]
        last = b.ops[-1] if b.ops else None
        produced_out = last is not None and last.out.offset == out.offset
        is_act = produced_out and (
            (want == "softmax" and last.opcode == OP_SOFTMAX)
            or (want == "sigmoid" and last.opcode == OP_ACT and last.args[1] == ACTIVATIONS["sigmoid"]))
        if is_act:
            return True, last.inputs[0]
        if self.loss in NEEDS_FUSION:
            name = self.graph.output
            raise GraphError(f"{self.loss.replace('_', '-').title()} loss needs a softmax output, but "
                             f"'{name}' ends without one: set the activation of '{name}' to softmax.", name)
        return False, out

    # --- weights ------------------------------------------------------------------------------
    def initialize(self, seed: int = 0) -> None:
        """Fresh weights drawn from ``seed``; optimizer state and the dropout generator reset too."""
        rng = np.random.default_rng(seed)
        for slot in self.weight_slots:
            s = slot.spec
            values = initialize(s.init, s.shape, s.fan_in, s.fan_out, rng).ravel()
            if s.values is not None:  # fixed by the node's params (McCulloch-Pitts units)
                values = np.asarray(s.values, dtype=values.dtype)
            if s.offset is not None:
                start, stop, value = s.offset
                values[start:stop] += value
            self.P[slot.offset:slot.offset + slot.size] = values
        self.S1[:] = 0
        self.S2[:] = 0
        self.rng[:] = seed_state(seed)

    def weight_view(self, key: str) -> np.ndarray:
        """A live view of one weight array (``"node/weight"``) in its PyTorch layout."""
        slot = self._slot(key)
        return self.P[slot.offset:slot.offset + slot.size].reshape(slot.spec.shape)

    def grad_view(self, key: str) -> np.ndarray:
        slot = self._slot(key)
        return self.G[slot.offset:slot.offset + slot.size].reshape(slot.spec.shape)

    def get_weights(self) -> dict[str, np.ndarray]:
        return {s.key: self.weight_view(s.key).copy() for s in self.weight_slots}

    def set_weights(self, weights: dict[str, np.ndarray], strict: bool = True) -> None:
        """Copy arrays in by key; shapes must match. ``strict`` also requires every key."""
        known = {s.key for s in self.weight_slots}
        for key in weights:
            if key not in known:
                raise TrainingError(f"The network has no weight '{key}': check the node name.")
        if strict and set(weights) != known:
            missing = sorted(known - set(weights))[0]
            raise TrainingError(f"Weight '{missing}' is missing: give every weight or pass strict=False.")
        for key, value in weights.items():
            view = self.weight_view(key)
            value = np.asarray(value)
            if value.shape != view.shape:
                raise TrainingError(f"Weight '{key}' has shape {value.shape} but the network needs {view.shape}.")
            if self._slot(key).spec.values is None:  # fixed weights follow the params, not a file
                view[...] = value

    def _slot(self, key: str) -> WeightSlot:
        for s in self.weight_slots:
            if s.key == key:
                return s
        raise TrainingError(f"The network has no weight '{key}': use one of {', '.join(self.weight_keys())}.")

    def weight_keys(self, node: str | None = None) -> list[str]:
        return [s.key for s in self.weight_slots if node is None or s.node == node]

    @property
    def parameter_count(self) -> int:
        return sum(s.size for s in self.weight_slots if s.spec.trainable)

    # --- running -------------------------------------------------------------------------------
    def _as_rows(self, x: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
        """Samples as contiguous rows; accepts (n, *shape) or already-flat rows (n, prod(shape))."""
        x = np.asarray(x, dtype=self.dtype)
        flat = x.ndim == 2 and x.shape[1] == math.prod(shape)
        if x.shape[1:] != tuple(shape) and not flat:
            raise TrainingError(f"The {what} has per-sample shape {x.shape[1:]} but the network needs {tuple(shape)}.")
        return np.ascontiguousarray(x.reshape(len(x), -1))

    def run(self, mode: int, X: np.ndarray, Y: np.ndarray, *, training: bool = False,
            order: np.ndarray | None = None, start: int = 0, n_steps: int = 1, batch: int = 0, opt: int = 0,
            hp: np.ndarray | None = None, counters: np.ndarray | None = None, stats: np.ndarray | None = None,
            preds: np.ndarray | None = None) -> int:
        """Run one phase of the compiled program; returns the batches done (arguments a mode doesn't read
        get small placeholders). ``stats`` is a flat array of :data:`interpreter.N_STATS` sums."""
        if order is None:
            order = np.arange(len(X), dtype=np.int64)
        plan = np.array([[mode, int(training), start, len(order), n_steps, batch or self.max_batch,
                          -1 if preds is None else start]], np.int64)
        table = np.zeros((1, it.N_STATS)) if stats is None else stats.reshape(1, it.N_STATS)
        steps = table[0, it.ST_STEPS]
        self.run_plan(plan, X, Y, order=order, opt=opt, hp=hp, counters=counters, stats=table, preds=preds)
        done = int(table[0, it.ST_STEPS] - steps)
        table[0, it.ST_STEPS] = steps  # callers' flat stats keep only the sums they always had
        return done

    def run_plan(self, plan: np.ndarray, X: np.ndarray, Y: np.ndarray, *, order: np.ndarray | None = None,
                 opt: int = 0, hp: np.ndarray | None = None, counters: np.ndarray | None = None,
                 stats: np.ndarray | None = None, preds: np.ndarray | None = None) -> int:
        """Run several phases in one call (rows of ``plan``, see :func:`interpreter._run`), e.g. whole
        epochs of training each followed by an evaluation; ``stats`` has one row per phase. Returns the
        phases completed."""
        if order is None:
            order = np.arange(len(X), dtype=np.int64)
        caller_env = float_env()
        try:
            return int(self._entry(
                plan, self.iops, self.fops, self.P, self.G, self.A, self.D, self.AUX, self.S1, self.S2, self.segs,
                self.T, X, Y, order, self.io, opt, self._no_hp if hp is None else hp,
                self._no_counters if counters is None else counters, self.rng,
                np.zeros((len(plan), it.N_STATS)) if stats is None else stats,
                self._no_preds if preds is None else preds))
        except BaseException:
            restore_float_env(caller_env)  # the compiled run restores it itself unless it raised
            raise

    def compile_kernels(self) -> None:
        """Compile the engine now (or load it from Numba's cache), by a forward pass on one zero sample.

        Slow the first time on a machine (seconds); callers do it before timing or on a worker thread.
        """
        x = np.zeros((1, math.prod(self.input_shape)), self.dtype)
        self.run(it.MODE_FORWARD, x, self._no_y, batch=1)

    def _batches(self, n: int) -> int:
        return -(-n // self.max_batch)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Outputs for a batch of any size (chunked internally), shape (n, *output_shape)."""
        X = self._as_rows(x, self.input_shape, "input")
        k = math.prod(self.output_shape)
        preds = np.zeros((len(X), k), self.dtype)
        if training:
            for b0 in range(0, len(X), self.max_batch):
                n = min(self.max_batch, len(X) - b0)
                self.run(it.MODE_FORWARD, X[b0:b0 + n], self._no_y, training=True, batch=n)
                preds[b0:b0 + n] = self.buffer_rows(self.graph.output, n).reshape(n, k)
        else:
            self.run(it.MODE_EVALUATE, X, np.zeros((len(X), k), self.dtype), n_steps=self._batches(len(X)),
                     preds=preds)
        return preds.reshape((len(X),) + tuple(self.output_shape))

    def gradients(self, x: np.ndarray, y: np.ndarray, training: bool = True) -> float:
        """Forward + loss + backward on one batch (<= max_batch); gradients land in ``G``.

        Returns the mean loss. Read gradients with :meth:`grad_view` / :meth:`get_gradients`;
        the batch's activations stay readable with :meth:`buffer_rows`.
        """
        X = self._as_rows(x, self.input_shape, "input")
        Y = self._as_rows(y, self.output_shape, "target")
        n = len(X)
        if n > self.max_batch or n == 0:
            raise TrainingError(f"A gradient batch needs 1 to {self.max_batch} samples, not {n}.")
        stats = np.zeros(8)
        self.run(it.MODE_GRADIENTS, X, Y, training=training, batch=n, stats=stats)
        return float(stats[it.ST_LOSS] / n)

    def get_gradients(self) -> dict[str, np.ndarray]:
        return {s.key: self.grad_view(s.key).copy() for s in self.weight_slots if s.spec.trainable}

    def internals(self, node: str, n: int) -> dict[str, np.ndarray]:
        """Copies of the named internal arrays of ``node`` (e.g. LSTM gates) from the last forward."""
        out = {}
        for s in self.internal_slots:
            if s.node == node:
                size = math.prod(s.shape)
                out[s.name] = self.AUX[s.offset:s.offset + n * size].reshape((n,) + s.shape).copy()
        return out

    def buffer_rows(self, node: str, n: int) -> np.ndarray:
        """The last forward's output of ``node`` for ``n`` samples, as a copy (n, *shape)."""
        buf = self.buffers[node]
        return self.A[buf.offset:buf.offset + n * buf.size].reshape((n,) + buf.shape).copy()


    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, int, np.ndarray]:
        """Mean loss, number of correct predictions and outputs over a whole set, in evaluation mode.

        A sequence output with a softmax per step counts one prediction per step (``groups``).
        """
        X = self._as_rows(x, self.input_shape, "input")
        Y = self._as_rows(y, self.output_shape, "target")
        preds = np.zeros((len(X), Y.shape[1]), self.dtype)
        stats = np.zeros(8)
        self.run(it.MODE_EVALUATE, X, Y, n_steps=self._batches(len(X)), stats=stats, preds=preds)
        mean = stats[it.ST_LOSS] / max(len(X), 1)
        return float(mean), int(stats[it.ST_CORRECT]), preds.reshape((len(X),) + tuple(self.output_shape))

    def first_nonfinite_node(self, n: int) -> str | None:
        """The first node (in forward order) whose last output holds NaN or Inf."""
        for node in self.graph.nodes:
            buf = self.buffers[node.name]
            if not np.all(np.isfinite(self.A[buf.offset:buf.offset + n * buf.size])):
                return node.name
        return None

    def largest_output_node(self, n: int) -> str | None:
        """The node whose last output has the largest magnitude (where values blew up)."""
        sizes = {}
        for node in self.graph.nodes[1:]:
            buf = self.buffers[node.name]
            sizes[node.name] = float(np.max(np.abs(self.A[buf.offset:buf.offset + n * buf.size]), initial=0.0))
        return max(sizes, key=sizes.get) if sizes else None

    def largest_gradient_node(self) -> str | None:
        """The node whose weight gradients have the largest magnitude."""
        sizes: dict[str, float] = {}
        for s in self.weight_slots:
            if s.spec.trainable:
                big = float(np.max(np.abs(self.G[s.offset:s.offset + s.size]), initial=0.0))
                sizes[s.node] = max(sizes.get(s.node, 0.0), big)
        return max(sizes, key=sizes.get) if sizes else None

    def nonfinite_weight_node(self, grads: bool, from_output: bool = True) -> str | None:
        """The node nearest the output (or input) whose weights or gradients hold NaN or Inf."""
        arena = self.G if grads else self.P
        slots = reversed(self.weight_slots) if from_output else iter(self.weight_slots)
        for s in slots:
            if not np.all(np.isfinite(arena[s.offset:s.offset + s.size])):
                return s.node
        return None
