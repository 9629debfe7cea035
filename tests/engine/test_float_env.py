"""The engine flushes denormal floats to zero while it runs, and leaves the caller's thread as it was."""

import numpy as np
import pytest

from nnsim.engine.kernels import conv2d as k2
from nnsim.engine.kernels.float_env import FLUSH_BITS, X86, float_env
from nnsim.engine.kernels.parts import sample_parts
from nnsim.engine.network import Network
from tests.engine.chain import chain, resolved

pytestmark = pytest.mark.skipif(not X86, reason="flushing uses x86 SSE control bits")

TINY = np.float32(1e-20)  # TINY * TINY = 1e-40 is below float32's smallest normal number (1.2e-38)


def _identity_dense(dtype=np.float32) -> Network:
    net = Network(chain((1,), [("Dense", {"units": 1, "activation": "identity", "use_bias": False})]), "mse",
                  max_batch=4, dtype=dtype)
    net.weight_view("l0/weight")[...] = TINY
    return net


def test_numpy_keeps_denormals_on_this_thread():
    assert (np.float32(TINY) * TINY) != 0  # the premise: without flushing the product is a denormal


def test_engine_flushes_denormal_results_to_zero():
    out = _identity_dense().forward(np.full((2, 1), TINY, np.float32))
    assert np.all(out == 0.0)


def test_normal_results_are_unchanged():
    net = _identity_dense()
    net.weight_view("l0/weight")[...] = 0.5
    out = net.forward(np.array([[3.0], [1e-30]], np.float32))  # 5e-31 is still a normal float32
    np.testing.assert_array_equal(out, np.array([[1.5], [np.float32(0.5) * np.float32(1e-30)]], np.float32))


def test_the_callers_control_word_is_restored():
    before = float_env()
    assert before & FLUSH_BITS == 0
    _identity_dense().forward(np.full((2, 1), TINY, np.float32))
    assert float_env() == before
    assert (np.float32(TINY) * TINY) != 0


def test_both_parts_of_a_split_batch_flush_and_the_caller_is_restored():
    """A conv kernel big enough to run two sample ranges on two threads: each range flushes."""
    n, c, h, w, f, k = 16, 4, 16, 16, 16, 3
    assert sample_parts(n, f * c * k * k * 14 * 14) == 2
    x = np.full((n, c, h, w), TINY, np.float32)
    wt = np.full((f, c * k * k), TINY, np.float32)
    y = np.ones((n, f, 14 * 14), np.float32)
    col = np.zeros(n * c * k * k * 14 * 14, np.float32)
    tmp = np.zeros(n * f * 14 * 14, np.float32)
    xt = np.zeros(n * c * h * w, np.float32)
    before = float_env()
    k2.conv2d_forward(x, wt, np.zeros(0, np.float32), False, y, col, tmp, xt, k, k, 1, 0, 0, 14, 14, n)
    assert float_env() == before
    assert np.all(y == 0.0)  # 36 products of 1e-40 each: zero in both halves of the batch


def test_float64_networks_are_unaffected_at_float32_scales():
    """Gradient checks run in float64, whose denormals start below 2.2e-308."""
    net = Network(resolved((1,), [("d", "Dense", {"units": 1, "activation": "identity", "use_bias": False}, ["in"])]),
                  "mse", max_batch=4, dtype=np.float64)
    net.weight_view("d/weight")[...] = 1e-20
    out = net.forward(np.full((1, 1), 1e-20))
    assert out[0, 0] == pytest.approx(1e-40)


def test_the_callers_control_word_is_restored_when_the_engine_raises():
    from nnsim.engine import interpreter as it

    net = _identity_dense()
    before = float_env()
    with pytest.raises(ValueError):  # outputs written into rows of the wrong width
        net.run(it.MODE_EVALUATE, np.ones((2, 1), np.float32), np.zeros((2, 1), np.float32), batch=2,
                preds=np.zeros((2, 3), np.float32))
    assert float_env() == before
