"""Flush denormal floats to zero while the engine runs (x86 SSE's FTZ and DAZ bits).

A network that fits its training set drives softmax outputs and their gradients towards zero, and
numbers below float32's smallest normal (1.2e-38) take a slow microcode path on x86 CPUs: each
such multiply costs ~100 cycles. Measured on ``digits-cnn``: training slowed from 4,750 to 4,150
updates/s over its first ten seconds as the training loss reached zero, and stayed at 4,750 with
flushing. Values that small carry no information a network can use (PyTorch offers the same switch
as ``torch.set_flush_denormal``).

The control register is per thread: the interpreter sets it on entry and restores the caller's
value on exit (NumPy in the same thread is untouched), and kernels that split a batch over threads
set it at the start of every part, so each thread computes the same values. On other CPUs these
functions do nothing.
"""

import platform

from numba import njit, types
from numba.extending import intrinsic

from nnsim.engine.kernels import JIT

FLUSH_BITS = 0x8040  # MXCSR bit 15: flush results to zero (FTZ); bit 6: read inputs as zero (DAZ)
X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")

if X86:
    from llvmlite import ir

    def _mxcsr_call(builder, name: str, slot) -> None:
        byte_ptr = ir.IntType(8).as_pointer()
        fn = builder.module.declare_intrinsic(name, fnty=ir.FunctionType(ir.VoidType(), [byte_ptr]))
        builder.call(fn, [builder.bitcast(slot, byte_ptr)])

    @intrinsic
    def _read_mxcsr(typingctx):
        def codegen(context, builder, sig, args):
            slot = builder.alloca(ir.IntType(32))
            _mxcsr_call(builder, "llvm.x86.sse.stmxcsr", slot)
            return builder.load(slot)

        return types.int32(), codegen

    @intrinsic
    def _write_mxcsr(typingctx, value):
        def codegen(context, builder, sig, args):
            slot = builder.alloca(ir.IntType(32))
            builder.store(args[0], slot)
            _mxcsr_call(builder, "llvm.x86.sse.ldmxcsr", slot)
            return context.get_dummy_value()

        return types.void(types.int32), codegen

    @njit(**JIT)
    def flush_denormals():
        """Turn flushing on for this thread; returns the previous control word for :func:`restore_float_env`."""
        old = _read_mxcsr()
        _write_mxcsr(old | FLUSH_BITS)
        return old

    @njit(**JIT)
    def restore_float_env(old):
        _write_mxcsr(old)

    @njit(**JIT)
    def float_env():
        """The thread's control word (tests)."""
        return _read_mxcsr()

else:
    @njit(**JIT)
    def flush_denormals():
        return 0

    @njit(**JIT)
    def restore_float_env(old):
        pass

    @njit(**JIT)
    def float_env():
        return 0
