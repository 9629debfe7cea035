"""The vectorizable fast paths: float32 element functions, row reductions, sparse-input projections."""

import numpy as np
import pytest
from numba import njit

import nnsim.engine  # noqa: F401  (configures the kernel cache)
from nnsim.engine.kernels.fastmath import exp_as, row_max, row_sum, sigmoid_as, tanh_as
from nnsim.engine.kernels.rnn import input_projection, is_sparse, weight_gradients


@njit
def _apply(code, x, y):
    for j in range(x.size):
        if code == 0:
            y[j] = exp_as(x, x[j])
        elif code == 1:
            y[j] = tanh_as(x, x[j])
        else:
            y[j] = sigmoid_as(x, x[j])


@njit
def _reduce(a):
    return row_sum(a, a.size), row_max(a, a.size)


REFS = [np.exp, np.tanh, lambda v: 1.0 / (1.0 + np.exp(-v))]


@pytest.mark.parametrize("code", [0, 1, 2])
def test_float32_within_a_few_ulp(code):
    x = np.linspace(-90, 90, 400_001).astype(np.float32)
    y = np.zeros_like(x)
    _apply(code, x, y)
    with np.errstate(over="ignore"):
        ref = REFS[code](x.astype(np.float64))
    ok = np.isfinite(ref) & (np.abs(ref) > 1e-37) & (np.abs(ref) < 3e38)
    err = np.abs(y[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), 1.0 if code == 2 else 0.0)
    assert err.max() < 5e-7  # sigmoid (0.5 + 0.5 tanh) is within an absolute 5e-7


@pytest.mark.parametrize("code", [0, 1, 2])
def test_float64_is_exact(code):
    x = np.linspace(-30, 30, 1001)
    y = np.zeros_like(x)
    _apply(code, x, y)
    assert np.allclose(y, REFS[code](x), rtol=1e-15, atol=0)


@pytest.mark.parametrize("code", [0, 1, 2])
def test_non_finite_values_propagate(code):
    x = np.array([np.nan, np.inf, -np.inf, 100.0, -100.0], np.float32)
    y = np.zeros_like(x)
    _apply(code, x, y)
    with np.errstate(over="ignore"):
        ref = REFS[code](x.astype(np.float64)).astype(np.float32)
    assert np.isnan(y[0])
    assert np.allclose(y[1:], ref[1:], rtol=1e-6, atol=1e-37)  # float32 denormals flush to 0


@pytest.mark.parametrize("m", [1, 7, 8, 9, 65])
def test_row_reductions(m):
    a = np.random.default_rng(m).normal(size=m).astype(np.float32)
    s, mx = _reduce(a)
    assert s == pytest.approx(float(a.astype(np.float64).sum()), rel=1e-12, abs=1e-12)
    assert mx == a.max()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_input_paths_match_the_gemms(dtype):
    rng = np.random.default_rng(0)
    rows, ni, g, h = 40, 33, 24, 6
    x = np.eye(ni, dtype=dtype)[rng.integers(0, ni, rows)] * rng.uniform(0.5, 2, (rows, 1)).astype(dtype)
    assert is_sparse(x) and not is_sparse(np.ones((4, 4), dtype))
    w = rng.normal(size=(g, ni)).astype(dtype)
    Z = np.full((rows, g), np.nan, dtype)
    input_projection(x, w, Z, np.zeros(g, dtype))
    np.testing.assert_allclose(Z, x @ w.T, rtol=1e-6)
    Zg = rng.normal(size=(rows, g)).astype(dtype)
    hp = rng.normal(size=(rows, h)).astype(dtype)
    gw_ih, gw_hh = np.zeros((g, ni), dtype), np.zeros((g, h), dtype)
    gb1, gb2 = np.zeros(g, dtype), np.zeros(g, dtype)
    weight_gradients(x, Zg, Zg, hp, w, gw_ih, gw_hh, gb1, gb2, x, x, False, np.zeros(g, dtype))
    np.testing.assert_allclose(gw_ih, Zg.T @ x, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gb1, Zg.sum(0), rtol=1e-5, atol=1e-5)
