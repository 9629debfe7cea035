"""Conv and pooling kernels against the NumPy references (nnsim.engine.reference_conv), and the
references' backward passes against central differences of their forward passes."""

import numpy as np
import pytest

from nnsim.engine import reference_conv as ref
from nnsim.engine.kernels import conv1d as k1
from nnsim.engine.kernels import conv2d as k2
from nnsim.engine.kernels import pool1d as kp1
from nnsim.engine.kernels import pool2d as kp2
from nnsim.engine.kernels import unfold2d as unfold
from nnsim.engine.kernels.parts import sample_parts
from nnsim.engine.layers.conv import conv_padding

TOL = 1e-12


def close(actual, expected, tol=TOL):
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


# (n, C, H, W, F, k, stride, padding, pad, chunk)
CONV2D_CASES = [
    (2, 1, 5, 5, 1, 1, 1, "valid", 0, 8),
    (3, 2, 6, 5, 3, 3, 1, "valid", 0, 8),
    (3, 2, 6, 7, 3, 3, 1, "same", 0, 8),
    (2, 3, 7, 6, 2, 2, 1, "same", 0, 8),  # even kernel: extra zero bottom/right
    (2, 2, 9, 8, 4, 4, 3, "same", 0, 8),
    (4, 2, 7, 7, 3, 3, 2, "explicit", 2, 8),
    (5, 2, 6, 6, 3, 3, 1, "explicit", 1, 2),  # chunked: 5 samples in chunks of 2
    (8, 4, 12, 12, 16, 3, 1, "same", 0, 8),  # BLAS products
    (9, 3, 10, 10, 8, 5, 1, "valid", 0, 4),  # BLAS and chunked
    (16, 4, 12, 12, 16, 5, 1, "valid", 0, 16),  # two sample ranges side by side (kernels.parts)
    (17, 4, 12, 12, 16, 5, 1, "same", 0, 6),  # two ranges, each in chunks of 3 samples
]


def test_cases_cover_both_unfolding_layouts():
    """Sample-major and sample-innermost unfoldings, the latter with padding and with a stride."""
    inner = []
    for n, c, h, w, f, k, s, padding, pad, chunk in CONV2D_CASES:
        top, _, oh = conv_padding(h, k, s, padding, pad)
        left, _, ow = conv_padding(w, k, s, padding, pad)
        if unfold.use_inner(c, h, w, f, c * k * k, oh, ow):
            inner.append((s, top + left > 0, chunk < n))
    assert 0 < len(inner) < len(CONV2D_CASES)
    assert any(s > 1 for s, _, _ in inner) and any(p for _, p, _ in inner) and any(ch for _, _, ch in inner)


@pytest.mark.parametrize("case", CONV2D_CASES[-2:])
def test_split_cases_do_split(case):
    """The last cases are big enough to run as two sample ranges (else they would test nothing new)."""
    n, c, h, w, f, k, s, padding, pad, chunk = case
    oh = conv_padding(h, k, s, padding, pad)[2]
    ow = conv_padding(w, k, s, padding, pad)[2]
    assert sample_parts(n, f * c * k * k * oh * ow) == 2


def _conv2d_run(case, rng):
    n, c, h, w, f, k, s, padding, pad, chunk = case
    top, bottom, oh = conv_padding(h, k, s, padding, pad)
    left, right, ow = conv_padding(w, k, s, padding, pad)
    x = rng.normal(size=(n, c, h, w))
    wt = rng.normal(size=(f, c, k, k))
    b = rng.normal(size=f)
    ckk = c * k * k
    col = np.zeros(chunk * ckk * oh * ow)
    tmp = np.zeros(chunk * f * oh * ow)
    xt = np.zeros(chunk * c * h * w)
    y = np.zeros((n, f, oh * ow))
    k2.conv2d_forward(x, wt.reshape(f, ckk), b, True, y, col, tmp, xt, k, k, s, top, left, oh, ow, chunk)
    return x, wt, b, y.reshape(n, f, oh, ow), col, tmp, xt, (top, bottom, left, right)


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_kernels(case):
    rng = np.random.default_rng(sum(case[:7]))
    n, c, h, w, f, k, s, padding, pad, chunk = case
    x, wt, b, y, col, tmp, xt, pads = _conv2d_run(case, rng)
    close(y, ref.conv2d_forward(x, wt, b, s, pads))
    oh, ow = y.shape[2:]
    dy = rng.normal(size=y.shape)
    dx0 = rng.normal(size=x.shape)  # kernels add into dx
    dx = dx0.copy()
    gw, gb, gwt = np.full((f, c * k * k), 9.0), np.full(f, 9.0), np.zeros(k2.grad_scratch_size(f, c * k * k))
    k2.conv2d_backward(x, wt.reshape(f, -1), dy.reshape(n, f, -1), dx, True, gw, gb, True, col, tmp, xt, gwt,
                       k, k, s, pads[0], pads[2], oh, ow, chunk)
    rdx, rdw, rdb = ref.conv2d_backward(x, wt, dy, s, pads)
    close(dx, dx0 + rdx)
    close(gw.reshape(wt.shape), rdw)
    close(gb, rdb)


def test_conv2d_without_bias_and_input_gradient():
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 18))
    col, tmp, xt, y = np.zeros(2 * 18 * 9), np.zeros(2 * 3 * 9), np.zeros(2 * 2 * 25), np.zeros((2, 3, 9))
    k2.conv2d_forward(x, w, np.zeros(0), False, y, col, tmp, xt, 3, 3, 1, 0, 0, 3, 3, 2)
    close(y.reshape(2, 3, 3, 3), ref.conv2d_forward(x, w.reshape(3, 2, 3, 3), None, 1))
    dx = np.full(x.shape, 7.0)
    gw = np.zeros_like(w)
    k2.conv2d_backward(x, w, np.ones_like(y), dx, False, gw, np.zeros(0), False, col, tmp, xt,
                       np.zeros(k2.grad_scratch_size(3, 18)), 3, 3, 1, 0, 0, 3, 3, 2)
    assert np.all(dx == 7.0)
    close(gw.reshape(3, 2, 3, 3), ref.conv2d_backward(x, w.reshape(3, 2, 3, 3), np.ones((2, 3, 3, 3)), 1)[1])


@pytest.mark.parametrize("p,q", [(1, 1), (3, 70), (33, 65)])
def test_transposes(p, q):
    """The tiled transposes of the sample-innermost conv layout against NumPy's."""
    rng = np.random.default_rng(p * q)
    src, base = rng.normal(size=(p, q)), rng.normal(size=(q, p))
    out = np.zeros((q, p))
    unfold.transpose_into(src, out)
    close(out, src.T)
    out = base.copy()
    unfold.transpose_add_into(src, out)
    close(out, base + src.T)


@pytest.mark.parametrize("m,k,p", [(3, 4, 5), (40, 50, 60)])
def test_matrix_products_loops_and_blas(m, k, p):
    rng = np.random.default_rng(m)
    a, b = rng.normal(size=(m, k)), rng.normal(size=(k, p))
    out = np.zeros((m, p))
    k2.mm(a, b, out)
    close(out, a @ b)
    out2 = np.zeros((m, k))
    k2.mm_nt(out, b, out2)
    close(out2, out @ b.T)
    out3 = np.zeros((k, p))
    k2.mm_tn(a, out, out3)
    close(out3, a.T @ out)


# (n, T, C, F, k, stride, padding, pad, chunk)
CONV1D_CASES = [
    (2, 5, 1, 1, 1, 1, "valid", 0, 8),
    (3, 7, 2, 3, 3, 1, "valid", 0, 8),
    (3, 7, 3, 2, 4, 1, "same", 0, 8),
    (2, 9, 2, 4, 3, 2, "same", 0, 8),
    (5, 8, 3, 2, 3, 2, "explicit", 2, 2),
    (16, 20, 16, 32, 5, 1, "same", 0, 16),  # BLAS
]


@pytest.mark.parametrize("case", CONV1D_CASES)
def test_conv1d_kernels(case):
    n, steps, c, f, k, s, padding, pad, chunk = case
    rng = np.random.default_rng(n * steps + k)
    left, right, t_out = conv_padding(steps, k, s, padding, pad)
    x, wt, b = rng.normal(size=(n, steps, c)), rng.normal(size=(f, c, k)), rng.normal(size=f)
    col = np.zeros(chunk * t_out * c * k)
    y = np.zeros((n * t_out, f))
    k1.conv1d_forward(x, wt.reshape(f, -1), b, True, y, col, k, s, left, t_out, chunk)
    close(y.reshape(n, t_out, f), ref.conv1d_forward(x, wt, b, s, (left, right)))
    dy = rng.normal(size=(n, t_out, f))
    dx0 = rng.normal(size=x.shape)
    dx, gw, gb = dx0.copy(), np.full((f, c * k), 9.0), np.full(f, 9.0)
    k1.conv1d_backward(x, wt.reshape(f, -1), dy.reshape(-1, f), dx, True, gw, gb, True, col, np.zeros((f, c * k)),
                       k, s, left, t_out, chunk)
    rdx, rdw, rdb = ref.conv1d_backward(x, wt, dy, s, (left, right))
    close(dx, dx0 + rdx)
    close(gw.reshape(wt.shape), rdw)
    close(gb, rdb)


@pytest.mark.parametrize("shape,k,s", [((2, 3, 6, 6), 2, 2), ((2, 2, 7, 5), 3, 2), ((1, 2, 5, 6), 2, 1),
                                       ((3, 1, 4, 4), 1, 1), ((2, 2, 8, 8), 3, 3)])
def test_pool2d_kernels(shape, k, s):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.normal(size=shape)
    n, c, h, w = shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    y, arg = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow))
    kp2.maxpool2d_forward(x, y, arg, k, s)
    close(y, ref.maxpool2d_forward(x, k, s))
    dy = rng.normal(size=y.shape)
    dx = np.ones_like(x)
    kp2.maxpool2d_backward(dy, dx, arg)
    close(dx, 1 + ref.maxpool2d_backward(x, dy, k, s))
    kp2.avgpool2d_forward(x, y, k, s)
    close(y, ref.avgpool2d_forward(x, k, s))
    dx = np.ones_like(x)
    kp2.avgpool2d_backward(dy, dx, k, s)
    close(dx, 1 + ref.avgpool2d_backward(x.shape, dy, k, s))


def test_maxpool_ties_go_to_the_first_maximum():
    x = np.zeros((1, 1, 2, 2))
    y, arg = np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 1, 1))
    kp2.maxpool2d_forward(x, y, arg, 2, 2)
    dx = np.zeros_like(x)
    kp2.maxpool2d_backward(np.ones((1, 1, 1, 1)), dx, arg)
    np.testing.assert_array_equal(dx, ref.maxpool2d_backward(x, np.ones((1, 1, 1, 1)), 2, 2))
    assert dx[0, 0, 0, 0] == 1 and dx.sum() == 1


@pytest.mark.parametrize("steps,k,s", [(6, 2, 2), (7, 3, 2), (5, 2, 1), (4, 4, 1)])
def test_maxpool1d_kernels(steps, k, s):
    rng = np.random.default_rng(steps)
    x = rng.normal(size=(3, steps, 4))
    t_out = (steps - k) // s + 1
    y, arg = np.zeros((3, t_out, 4)), np.zeros((3, t_out, 4))
    kp1.maxpool1d_forward(x, y, arg, k, s)
    close(y, ref.maxpool1d_forward(x, k, s))
    dy = rng.normal(size=y.shape)
    dx = np.ones_like(x)
    kp1.maxpool1d_backward(dy, dx, arg)
    close(dx, 1 + ref.maxpool1d_backward(x, dy, k, s))


# --- the references themselves, against central differences ----------------------------------
def _numeric(f, a, eps=1e-6):
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + eps
        up = f()
        a[idx] = old - eps
        down = f()
        a[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


def test_conv2d_reference_matches_finite_differences():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3)
    pads = (1, 0, 2, 1)
    dy = rng.normal(size=ref.conv2d_forward(x, w, b, 2, pads).shape)

    def loss():
        return float(np.sum(ref.conv2d_forward(x, w, b, 2, pads) * dy))

    dx, dw, db = ref.conv2d_backward(x, w, dy, 2, pads)
    close(dx, _numeric(loss, x), 1e-7)
    close(dw, _numeric(loss, w), 1e-7)
    close(db, _numeric(loss, b), 1e-7)


def test_conv1d_and_pool_references_match_finite_differences():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 3, 3)), rng.normal(size=2)
    dy = rng.normal(size=ref.conv1d_forward(x, w, b, 2, (1, 1)).shape)
    dx, dw, _ = ref.conv1d_backward(x, w, dy, 2, (1, 1))
    close(dx, _numeric(lambda: float(np.sum(ref.conv1d_forward(x, w, b, 2, (1, 1)) * dy)), x), 1e-7)
    close(dw, _numeric(lambda: float(np.sum(ref.conv1d_forward(x, w, b, 2, (1, 1)) * dy)), w), 1e-7)
    img = rng.normal(size=(2, 2, 5, 5))
    dp = rng.normal(size=(2, 2, 2, 2))
    close(ref.maxpool2d_backward(img, dp, 2, 2),
          _numeric(lambda: float(np.sum(ref.maxpool2d_forward(img, 2, 2) * dp)), img), 1e-7)
    close(ref.avgpool2d_backward(img.shape, dp, 3, 2),
          _numeric(lambda: float(np.sum(ref.avgpool2d_forward(img, 3, 2) * dp)), img), 1e-7)
    seq, dq = rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 3, 3))
    close(ref.maxpool1d_backward(seq, dq, 2, 2),
          _numeric(lambda: float(np.sum(ref.maxpool1d_forward(seq, 2, 2) * dq)), seq), 1e-7)


@pytest.mark.parametrize("k,s", [(2, 2), (2, 1), (3, 2)])
def test_maxpool_ties_after_relu_match_reference(k, s):
    """ReLU outputs hold many equal zeros; the 2x2 fast path and the general loop agree with the reference."""
    x = np.maximum(np.random.default_rng(k + s).normal(size=(3, 2, 7, 6)), 0.0)
    x[0, 0] = 0.0
    oh, ow = (7 - k) // s + 1, (6 - k) // s + 1
    y, arg = np.zeros((3, 2, oh, ow)), np.zeros((3, 2, oh, ow))
    kp2.maxpool2d_forward(x, y, arg, k, s)
    close(y, ref.maxpool2d_forward(x, k, s))
    dy = np.random.default_rng(0).normal(size=y.shape)
    dx = np.zeros_like(x)
    kp2.maxpool2d_backward(dy, dx, arg)
    close(dx, ref.maxpool2d_backward(x, dy, k, s))
