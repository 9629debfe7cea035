"""Vectorizable element functions at the precision of an array: plain arithmetic for float32, libm for float64.

``tanh_as(arr, v)``, ``sigmoid_as(arr, v)`` and ``exp_as(arr, v)`` compute in the dtype of ``arr``:
float64 calls ``math`` (exact, for gradient checks); float32 uses rational/polynomial approximations
without calls or branches (within ~2 ulp), so loops over them vectorize (a libm call per element
costs ~10 ns). NaN and Inf propagate like the exact functions (the divergence guard relies on it).
``one_as(arr)`` is 1 in that dtype (a bare ``1 - v`` would promote a float32 loop to float64).
"""

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from nnsim.engine.kernels import JIT

TANH32_CLAMP = 7.90531110763549805
EXP32_HI = 88.72283172607421875  # above: +inf
EXP32_LO = -87.33654022216796875  # below: 0 (float32 denormals flushed)


@njit(inline="always", **JIT)
def tanh32(x):
    """tanh in float32 by a [13/6] rational approximation (Eigen's), within 4e-7 of the exact value."""
    c = np.float32(TANH32_CLAMP)
    x = c if x > c else x  # comparisons, not min/max: NaN passes through
    x = -c if x < -c else x
    x2 = x * x
    p = x2 * np.float32(-2.76076847742355e-16) + np.float32(2.00018790482477e-13)
    p = x2 * p + np.float32(-8.60467152213735e-11)
    p = x2 * p + np.float32(5.12229709037114e-08)
    p = x2 * p + np.float32(1.48572235717979e-05)
    p = x2 * p + np.float32(6.37261928875436e-04)
    p = x2 * p + np.float32(4.89352455891786e-03)
    q = x2 * np.float32(1.19825839466702e-06) + np.float32(1.18534705686654e-04)
    q = x2 * q + np.float32(2.26843463243900e-03)
    q = x2 * q + np.float32(4.89352518554385e-03)
    return x * p / q


@intrinsic
def _pow2_f32(typingctx, n):
    """2**n for a whole float32 n in [-126, 127], built from its exponent bits."""
    sig = types.float32(types.float32)

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        e = builder.fptosi(args[0], i32)
        e = builder.shl(builder.add(e, ir.Constant(i32, 127)), ir.Constant(i32, 23))
        return builder.bitcast(e, ir.FloatType())
    return sig, codegen


@njit(inline="always", **JIT)
def exp32(x):
    """exp in float32 (Cephes' expf polynomial, ~1 ulp); +inf above EXP32_HI, 0 below EXP32_LO, NaN kept."""
    hi = np.float32(EXP32_HI)
    lo = np.float32(EXP32_LO)
    xc = hi if x > hi else x
    xc = lo if xc < lo else xc
    xc = xc if xc == xc else np.float32(0.0)  # NaN: compute on 0, restore below
    big = np.float32(12582912.0)  # 1.5 * 2**23: adding it rounds to a whole number
    fx = (xc * np.float32(1.44269504088896341) + big) - big
    r = xc - fx * np.float32(0.693359375)
    r = r - fx * np.float32(-2.12194440e-4)
    z = r * r
    p = np.float32(1.9875691500e-4) * r + np.float32(1.3981999507e-3)
    p = p * r + np.float32(8.3334519073e-3)
    p = p * r + np.float32(4.1665795894e-2)
    p = p * r + np.float32(1.6666665459e-1)
    p = p * r + np.float32(5.0000001201e-1)
    y = p * z + r + np.float32(1.0)
    half = (fx * np.float32(0.5) + big) - big  # split 2**fx in two factors that stay normal
    y = y * _pow2_f32(half) * _pow2_f32(fx - half)
    y = np.float32(np.inf) if x > hi else y
    y = np.float32(0.0) if x < lo else y
    return y if x == x else x


def tanh_as(arr, v):
    """tanh(v) at the precision of ``arr``."""
    return math.tanh(v)


def sigmoid_as(arr, v):
    """1 / (1 + exp(-v)) at the precision of ``arr`` (float32: 0.5 + 0.5 tanh(v / 2))."""
    return 1.0 / (1.0 + math.exp(-v))


def exp_as(arr, v):
    """exp(v) at the precision of ``arr``."""
    return math.exp(v)


def one_as(arr):
    """1 in the dtype of ``arr``."""
    return 1.0


def _is_f32(arr):
    return isinstance(arr, types.Array) and arr.dtype == types.float32


@overload(tanh_as, jit_options=JIT)
def _tanh_as(arr, v):
    if _is_f32(arr):
        return lambda arr, v: tanh32(np.float32(v))
    return lambda arr, v: math.tanh(v)


@overload(sigmoid_as, jit_options=JIT)
def _sigmoid_as(arr, v):
    if _is_f32(arr):
        half = np.float32(0.5)
        return lambda arr, v: half + half * tanh32(half * np.float32(v))
    return lambda arr, v: 1.0 / (1.0 + math.exp(-v))


@overload(exp_as, jit_options=JIT)
def _exp_as(arr, v):
    if _is_f32(arr):
        return lambda arr, v: exp32(np.float32(v))
    return lambda arr, v: math.exp(v)


@overload(one_as, jit_options=JIT)
def _one_as(arr):
    if _is_f32(arr):
        one = np.float32(1.0)
        return lambda arr: one
    return lambda arr: 1.0


@njit(inline="always", **JIT)
def row_sum(a, m):
    """Σ a[:m] in eight interleaved partial sums (a single running sum is one add per 4 cycles)."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= m:
        s0 += a[j]
        s1 += a[j + 1]
        s2 += a[j + 2]
        s3 += a[j + 3]
        s4 += a[j + 4]
        s5 += a[j + 5]
        s6 += a[j + 6]
        s7 += a[j + 7]
        j += 8
    while j < m:
        s0 += a[j]
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(inline="always", **JIT)
def row_sum_squares(a, m):
    """Σ a[:m]² in float64 (float32 squares overflow above 1.8e19), interleaved as :func:`row_sum`."""
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    j = 0
    while j + 8 <= m:
        v0, v1, v2, v3 = float(a[j]), float(a[j + 1]), float(a[j + 2]), float(a[j + 3])
        v4, v5, v6, v7 = float(a[j + 4]), float(a[j + 5]), float(a[j + 6]), float(a[j + 7])
        s0 += v0 * v0
        s1 += v1 * v1
        s2 += v2 * v2
        s3 += v3 * v3
        s4 += v4 * v4
        s5 += v5 * v5
        s6 += v6 * v6
        s7 += v7 * v7
        j += 8
    while j < m:
        v0 = float(a[j])
        s0 += v0 * v0
        j += 1
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@njit(inline="always", **JIT)
def row_max(a, m):
    """max(a[:m]) (m >= 1) in eight interleaved partial maxima. A NaN may be skipped: callers feed the
    result to exp(a - max), which brings the NaN back."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = a[0]
    j = 0
    while j + 8 <= m:
        v0, v1, v2, v3, v4, v5, v6, v7 = a[j], a[j + 1], a[j + 2], a[j + 3], a[j + 4], a[j + 5], a[j + 6], a[j + 7]
        m0 = v0 if v0 > m0 else m0
        m1 = v1 if v1 > m1 else m1
        m2 = v2 if v2 > m2 else m2
        m3 = v3 if v3 > m3 else m3
        m4 = v4 if v4 > m4 else m4
        m5 = v5 if v5 > m5 else m5
        m6 = v6 if v6 > m6 else m6
        m7 = v7 if v7 > m7 else m7
        j += 8
    while j < m:
        v0 = a[j]
        m0 = v0 if v0 > m0 else m0
        j += 1
    m0 = m1 if m1 > m0 else m0
    m2 = m3 if m3 > m2 else m2
    m4 = m5 if m5 > m4 else m4
    m6 = m7 if m7 > m6 else m6
    m0 = m2 if m2 > m0 else m0
    m4 = m6 if m6 > m4 else m4
    return m4 if m4 > m0 else m0
