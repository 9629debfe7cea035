"""The compiled form of a network: an op table run by the Numba interpreter over flat arenas.

Layers emit ops into a :class:`ProgramBuilder`. Every activation lives in one flat arena ``A``
(and its gradient in ``D``), every weight in ``P`` (gradient ``G``), scratch in ``AUX``; an op is a
row of ints (opcode, offsets, sizes) and a row of floats. This lets one ``@njit`` call run many
training steps without returning to Python, which is what makes small networks fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from nnsim.engine.layers.base import WeightSpec

Shape = tuple[int, ...]

# Opcodes (the interpreter dispatches on these). Families own ranges: dense-family ops below
# FIRST_CONV_OP run in every program; conv and recurrent ops only in the "full" entry point.
FIRST_CONV_OP = 20
FIRST_RECURRENT_OP = 40
OP_DENSE = 1
OP_ACT = 2
OP_SOFTMAX = 3
OP_DROPOUT = 4
OP_BATCHNORM = 5
OP_ADD = 6
OP_CONCAT = 7

# Learning rule of an activation op (its 4th argument): see nnsim.engine.rules.
RULE_BACKPROP, RULE_PERCEPTRON, RULE_ADALINE = 0, 1, 2

# Columns of an int row: offsets and per-sample sizes of inputs and output, gradient flags.
I_OPCODE, I_IN0, I_IN1, I_OUT, I_ACC0, I_ACC1, I_SIZE0, I_SIZE1, I_SIZE_OUT = 0, 1, 2, 3, 4, 5, 6, 7, 8
I_ARG = 9  # first op-specific column
N_ICOLS = 28
N_FCOLS = 4

# Gradient flags per input slot.
ACC_SKIP, ACC_WRITE, ACC_ADD = -1, 0, 1


class Buffer(NamedTuple):
    """An activation buffer: ``offset`` into the arena, ``size`` values per sample."""

    offset: int
    size: int
    shape: Shape


@dataclass
class WeightSlot:
    node: str
    spec: WeightSpec
    offset: int

    @property
    def size(self) -> int:
        return math.prod(self.spec.shape)

    @property
    def key(self) -> str:
        return f"{self.node}/{self.spec.name}"


@dataclass
class OpRecord:
    opcode: int
    node: str
    inputs: list[Buffer]
    out: Buffer
    args: list[int]
    fargs: list[float]


@dataclass(frozen=True)
class Internal:
    """A named per-sample array a layer keeps in AUX during forward (gates, cell states...)."""

    node: str
    name: str
    offset: int
    shape: Shape  # per sample


@dataclass
class ProgramBuilder:
    max_batch: int
    a_size: int = 0
    p_size: int = 0
    aux_size: int = 0
    weights: list[WeightSlot] = field(default_factory=list)
    ops: list[OpRecord] = field(default_factory=list)
    internals: list[Internal] = field(default_factory=list)

    def activation(self, shape: Shape) -> Buffer:
        size = math.prod(shape)
        buf = Buffer(self.a_size, size, tuple(shape))
        self.a_size += size * self.max_batch
        return buf

    def weight(self, node: str, spec: WeightSpec) -> int:
        slot = WeightSlot(node, spec, self.p_size)
        self.weights.append(slot)
        self.p_size += slot.size
        return slot.offset

    def aux(self, per_sample: int = 0, fixed: int = 0) -> int:
        off = self.aux_size
        self.aux_size += per_sample * self.max_batch + fixed
        return off

    def internal(self, node: str, name: str, shape: Shape) -> int:
        """Reserve AUX for a per-sample array the live views may read (``Network.internals``)."""
        off = self.aux(per_sample=math.prod(shape))
        self.internals.append(Internal(node, name, off, tuple(shape)))
        return off

    def op(self, opcode: int, node: str, inputs: list[Buffer], out: Buffer,
           args: list[int] = (), fargs: list[float] = ()) -> Buffer:
        self.ops.append(OpRecord(opcode, node, list(inputs), out, list(args), list(fargs)))
        return out

    @property
    def families(self) -> set[str]:
        """Which op families the program uses: "conv", "recurrent" (dense ops run everywhere)."""
        out = set()
        for rec in self.ops:
            if rec.opcode >= FIRST_RECURRENT_OP:
                out.add("recurrent")
            elif rec.opcode >= FIRST_CONV_OP:
                out.add("conv")
        return out

    def build(self, input_offset: int) -> tuple[np.ndarray, np.ndarray]:
        """Pack the op table, deciding for every input slot whether backward writes or adds."""
        iops = np.zeros((len(self.ops), N_ICOLS), dtype=np.int64)
        fops = np.zeros((len(self.ops), N_FCOLS), dtype=np.float64)
        # Backward runs ops in reverse, so a buffer's first gradient comes from its last consumer
        # (lowest slot first); that one writes, the others add.
        writer: dict[int, tuple[int, int]] = {}
        for k, rec in enumerate(self.ops):
            for slot, buf in enumerate(rec.inputs):
                if buf.offset not in writer or writer[buf.offset][0] < k:
                    writer[buf.offset] = (k, slot)
        for k, rec in enumerate(self.ops):
            iops[k, I_OPCODE] = rec.opcode
            iops[k, I_OUT] = rec.out.offset
            iops[k, I_SIZE_OUT] = rec.out.size
            iops[k, I_ACC0:I_ACC1 + 1] = ACC_SKIP
            for slot, buf in enumerate(rec.inputs[:2]):
                iops[k, I_IN0 + slot] = buf.offset
                iops[k, I_SIZE0 + slot] = buf.size
                if buf.offset == input_offset:
                    flag = ACC_SKIP
                else:
                    flag = ACC_WRITE if writer[buf.offset] == (k, slot) else ACC_ADD
                iops[k, I_ACC0 + slot] = flag
            iops[k, I_ARG:I_ARG + len(rec.args)] = rec.args
            fops[k, :len(rec.fargs)] = rec.fargs
        return iops, fops
