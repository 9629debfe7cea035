"""Every Numba kernel against its NumPy reference (nnsim.engine.reference) on random float64 data."""

import math

import numpy as np
import pytest

from nnsim.engine import reference as ref
from nnsim.engine.activations import ACTIVATIONS
from nnsim.engine.kernels import activation as ka
from nnsim.engine.kernels import batchnorm as kb
from nnsim.engine.kernels import dense as kd
from nnsim.engine.kernels import losses as kl
from nnsim.engine.kernels import merge as km
from nnsim.engine.kernels import optimizers as ko
from nnsim.engine.kernels.rng import seed_state, uniform

TOL = 1e-12


def close(actual, expected, tol=TOL):
    """Relative agreement, scaled by the largest expected magnitude (sums cancel)."""
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# --- rng -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 3, -7])
def test_uniform_matches_reference_xorshift(seed):
    state = seed_state(seed)
    assert state.dtype == np.uint64 and state.shape == (1,) and state[0] != 0
    pystate = [int(state[0])]
    got = np.array([uniform(state) for _ in range(500)])
    expected = ref.uniforms(pystate, 500)
    np.testing.assert_array_equal(got, expected)
    assert int(state[0]) == pystate[0]
    assert got.min() >= 0.0 and got.max() < 1.0
    assert 0.4 < got.mean() < 0.6


def test_seed_state_is_deterministic():
    np.testing.assert_array_equal(seed_state(5), seed_state(5))
    assert seed_state(5)[0] != seed_state(6)[0]


# --- dense -----------------------------------------------------------------------------------
DENSE_SHAPES = [(1, 1, 1), (3, 4, 5), (2, 7, 3), (5, 1, 9),  # loop path
                (32, 16, 20), (64, 30, 10), (9, 33, 40)]  # BLAS path: n * in * out > 8192


@pytest.mark.parametrize("n,ni,no", DENSE_SHAPES)
@pytest.mark.parametrize("has_bias", [True, False])
def test_dense_forward(rng, n, ni, no, has_bias):
    x = rng.normal(size=(n, ni))
    w = rng.normal(size=(no, ni))
    b = rng.normal(size=no) if has_bias else np.zeros(0)
    y = np.full((n, no), np.nan)
    kd.dense_forward(x, w, b, has_bias, y)
    close(y, ref.dense_forward(x, w, b if has_bias else None))


def test_dense_shapes_cover_both_paths():
    work = [n * ni * no for n, ni, no in DENSE_SHAPES]
    assert any(v <= kd.BLAS_MIN_WORK for v in work) and any(v > kd.BLAS_MIN_WORK for v in work)


@pytest.mark.parametrize("n,ni,no", DENSE_SHAPES)
@pytest.mark.parametrize("has_bias", [True, False])
@pytest.mark.parametrize("need_dx", [True, False])
def test_dense_backward(rng, n, ni, no, has_bias, need_dx):
    x = rng.normal(size=(n, ni))
    w = rng.normal(size=(no, ni))
    dy = rng.normal(size=(n, no))
    dx0 = rng.normal(size=(n, ni))
    dx = dx0.copy()
    gw = np.full((no, ni), np.nan)  # written, not accumulated
    gb = np.full(no, np.nan) if has_bias else np.zeros(0)
    kd.dense_backward(x, w, dy, dx, need_dx, gw, gb, has_bias)
    rdx, rgw, rgb = ref.dense_backward(x, w, dy)
    close(gw, rgw)
    if has_bias:
        close(gb, rgb)
    close(dx, dx0 + rdx if need_dx else dx0)  # dx accumulates


# --- activations -----------------------------------------------------------------------------
ACT_NAMES = list(ref.ACTIVATION_NAMES)
PARAMS = {"leaky_relu": (0.07, 0.0), "elu": (1.3, 0.0), "rrelu": (0.125, 1 / 3)}


def _act_input(rng, m):
    x = rng.normal(scale=3.0, size=m)
    x[:3] = [0.0, -0.0, 1e-300] if m >= 3 else x[:3]  # the kinks follow the documented conventions
    return x


@pytest.mark.parametrize("name", ACT_NAMES)
@pytest.mark.parametrize("m", [1, 7, 200])
@pytest.mark.parametrize("training", [False, True])
def test_activation_forward_backward(rng, name, m, training):
    code = ACTIVATIONS[name]
    a, b = PARAMS.get(name, (0.0, 0.0))
    x = _act_input(rng, m)
    y = np.full(m, np.nan)
    slopes = np.zeros(m)
    state = seed_state(3)
    expected_draws = ref.uniforms([int(state[0])], m)
    ka.act_forward(code, x, y, slopes, a, b, training, state)
    given = None
    if name == "rrelu":
        if training:
            given = a + (b - a) * expected_draws
            close(slopes, given)
            assert np.all((slopes >= a) & (slopes <= b))
        else:
            close(slopes, np.full(m, 0.5 * (a + b)))
    close(y, ref.activation_forward(name, x, a, b, training, given))
    dy = rng.normal(size=m)
    dx0 = rng.normal(size=m)
    dx = dx0.copy()
    ka.act_backward(code, x, y, dy, dx, slopes, a)
    close(dx, dx0 + ref.activation_backward(name, x, dy, a, b, training, given))


def test_activation_extreme_values():
    x = np.array([-800.0, -40.0, 40.0, 800.0])
    for name in ("sigmoid", "tanh", "elu"):
        y = np.zeros(4)
        ka.act_forward(ACTIVATIONS[name], x, y, np.zeros(4), 1.0, 0.0, False, seed_state(0))
        assert np.all(np.isfinite(y))
        close(y, ref.activation_forward(name, x, 1.0))


@pytest.mark.parametrize("rows,k", [(1, 1), (4, 3), (5, 10), (3, 2)])
def test_softmax_forward_backward(rng, rows, k):
    x = rng.normal(scale=4.0, size=(rows, k))
    x[0, 0] += 700.0  # must not overflow
    y = np.full((rows, k), np.nan)
    ka.softmax_forward(x, y)
    ry = ref.softmax_forward(x)
    close(y, ry)
    close(y.sum(axis=1), np.ones(rows))
    dy = rng.normal(size=(rows, k))
    dx0 = rng.normal(size=(rows, k))
    dx = dx0.copy()
    ka.softmax_backward(y, dy, dx)
    close(dx, dx0 + ref.softmax_backward(ry, dy))


@pytest.mark.parametrize("rate", [0.0, 0.3, 0.9])
@pytest.mark.parametrize("training", [False, True])
def test_dropout(rng, rate, training):
    m = 400
    x = rng.normal(size=m)
    y = np.full(m, np.nan)
    mask = np.full(m, np.nan)
    state = seed_state(11)
    py = [int(state[0])]
    ka.dropout_forward(x, y, mask, rate, training, state)
    if training and rate > 0:
        expected_mask = ref.dropout_mask(rate, ref.uniforms(py, m))
        assert set(np.unique(mask)) <= {0.0, 1.0 / (1.0 - rate)}
        assert abs((mask == 0).mean() - rate) < 0.1
    else:
        expected_mask = np.ones(m)
    assert int(state[0]) == py[0]  # no draws unless dropping
    np.testing.assert_array_equal(mask, expected_mask)
    close(y, ref.dropout_forward(x, expected_mask))
    dy = rng.normal(size=m)
    dx0 = rng.normal(size=m)
    dx = dx0.copy()
    ka.dropout_backward(dy, dx, mask)
    close(dx, dx0 + ref.dropout_backward(dy, mask))


# --- batch normalization ---------------------------------------------------------------------
BN_SHAPES = [(4, 3, 1), (2, 3, 5), (1, 2, 4), (1, 3, 1), (16, 5, 1), (3, 2, 6)]


def _bn_setup(rng, n, c, inner):
    x = rng.normal(loc=2.0, scale=3.0, size=(n, c, inner))
    gamma = rng.normal(size=c)
    beta = rng.normal(size=c)
    rmean = rng.normal(size=c)
    rvar = rng.uniform(0.5, 2.0, size=c)
    return x, gamma, beta, rmean, rvar


@pytest.mark.parametrize("n,c,inner", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_forward(rng, n, c, inner, training):
    x, gamma, beta, rmean, rvar = _bn_setup(rng, n, c, inner)
    momentum, eps = 0.1, 1e-5
    y = np.full_like(x, np.nan)
    xhat = np.full_like(x, np.nan)
    stats = np.full(2 * c, np.nan)
    km_, kv_ = rmean.copy(), rvar.copy()
    kb.batchnorm_forward(x, y, gamma, beta, km_, kv_, xhat, stats, momentum, eps, training)
    ry, rm, rv, rxhat, mean, var = ref.batchnorm_forward(x, gamma, beta, rmean, rvar, momentum, eps, training)
    close(y, ry)
    close(xhat, rxhat)
    close(km_, rm)
    close(kv_, rv)
    close(stats[:c], mean)
    close(stats[c:], 1.0 / np.sqrt(var + eps))
    if not training:
        np.testing.assert_array_equal(km_, rmean)
        np.testing.assert_array_equal(kv_, rvar)


@pytest.mark.parametrize("n,c,inner", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("need_dx", [True, False])
def test_batchnorm_backward(rng, n, c, inner, training, need_dx):
    x, gamma, beta, rmean, rvar = _bn_setup(rng, n, c, inner)
    eps = 1e-3
    y, xhat, stats = np.zeros_like(x), np.zeros_like(x), np.zeros(2 * c)
    kb.batchnorm_forward(x, y, gamma, beta, rmean.copy(), rvar.copy(), xhat, stats, 0.1, eps, training)
    _, _, _, _, mean, var = ref.batchnorm_forward(x, gamma, beta, rmean, rvar, 0.1, eps, training)
    dy = rng.normal(size=x.shape)
    dx0 = rng.normal(size=x.shape)
    dx = dx0.copy()
    gg = np.full(c, np.nan)
    gb = np.full(c, np.nan)
    kb.batchnorm_backward(dy, dx, need_dx, gamma, gg, gb, xhat, stats, training)
    rdx, rgg, rgb = ref.batchnorm_backward(x, gamma, dy, mean, var, eps, training)
    close(gg, rgg)
    close(gb, rgb)
    close(dx, dx0 + rdx if need_dx else dx0, tol=1e-10 if training and n * inner == 1 else TOL)


def test_batchnorm_reference_matches_finite_differences(rng):
    """The reference backward itself, against central differences of the reference forward."""
    x, gamma, beta, rmean, rvar = _bn_setup(rng, 3, 2, 4)
    dy = rng.normal(size=x.shape)
    for training in (True, False):
        def f(xx):
            return np.sum(ref.batchnorm_forward(xx, gamma, beta, rmean, rvar, 0.1, 1e-5, training)[0] * dy)
        _, _, _, _, mean, var = ref.batchnorm_forward(x, gamma, beta, rmean, rvar, 0.1, 1e-5, training)
        dx = ref.batchnorm_backward(x, gamma, dy, mean, var, 1e-5, training)[0]
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[idx] = 1e-6
            num[idx] = (f(x + e) - f(x - e)) / 2e-6
        np.testing.assert_allclose(dx, num, rtol=1e-6, atol=1e-7)


# --- merges ----------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [1, 6, 50])
@pytest.mark.parametrize("need_a,need_b", [(True, True), (True, False), (False, True)])
def test_add(rng, m, need_a, need_b):
    a, b = rng.normal(size=m), rng.normal(size=m)
    y = np.full(m, np.nan)
    km.add_forward(a, b, y)
    close(y, ref.add_forward(a, b))
    dy = rng.normal(size=m)
    da0, db0 = rng.normal(size=m), rng.normal(size=m)
    da, db = da0.copy(), db0.copy()
    km.add_backward(dy, da, need_a, db, need_b)
    rda, rdb = ref.add_backward(dy)
    close(da, da0 + rda if need_a else da0)
    close(db, db0 + rdb if need_b else db0)


CONCAT_CASES = [  # per-sample shapes of a and b, axis
    ((3,), (2,), 0),
    ((1,), (1,), 0),
    ((2, 3, 4), (1, 3, 4), 0),
    ((2, 3, 4), (2, 1, 4), 1),
    ((2, 3, 4), (2, 3, 5), -1),
    ((4, 3), (4, 2), 1),
]


@pytest.mark.parametrize("sa,sb,axis", CONCAT_CASES)
@pytest.mark.parametrize("need_a,need_b", [(True, True), (True, False), (False, True)])
def test_concat(rng, sa, sb, axis, need_a, need_b):
    n = 3
    ax = axis % len(sa)
    outer = math.prod(sa[:ax])
    a, b = rng.normal(size=(n,) + sa), rng.normal(size=(n,) + sb)
    expected = ref.concat_forward(a, b, axis)
    y = np.full(expected.size, np.nan).reshape(n, outer, -1)
    km.concat_forward(a.reshape(n, outer, -1), b.reshape(n, outer, -1), y)
    close(y.reshape(expected.shape), expected)
    dy = rng.normal(size=expected.shape)
    da0, db0 = rng.normal(size=a.shape), rng.normal(size=b.shape)
    da, db = da0.copy(), db0.copy()
    km.concat_backward(dy.reshape(n, outer, -1), da.reshape(n, outer, -1), need_a,
                       db.reshape(n, outer, -1), need_b)
    rda, rdb = ref.concat_backward(dy, sa[ax], axis)
    close(da, da0 + rda if need_a else da0)
    close(db, db0 + rdb if need_b else db0)


# --- losses ----------------------------------------------------------------------------------
def _loss_kernel(loss_id, fused, out, logits, y):
    grad = np.full(out.shape, np.nan)
    value = kl.loss_forward_backward(loss_id, fused, out, logits, y, grad, True)
    untouched = np.full(out.shape, 7.0)
    value2 = kl.loss_forward_backward(loss_id, fused, out, logits, y, untouched, False)
    assert value2 == value
    np.testing.assert_array_equal(untouched, 7.0)
    return value, grad


LOSS_SHAPES = [(1, 1), (4, 3), (10, 1), (6, 5)]


@pytest.mark.parametrize("n,k", LOSS_SHAPES)
def test_mse(rng, n, k):
    out, y = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    value, grad = _loss_kernel(kl.MSE, False, out, out, y)
    rv, rg = ref.mse(out, y)
    close(value, rv)
    close(grad, rg)


@pytest.mark.parametrize("n,k", LOSS_SHAPES)
@pytest.mark.parametrize("soft", [False, True])
def test_bce_fused(rng, n, k, soft):
    z = rng.normal(scale=4.0, size=(n, k))
    z.flat[0] = 60.0  # saturated logits stay finite
    y = rng.uniform(size=(n, k)) if soft else (rng.uniform(size=(n, k)) > 0.5).astype(float)
    out = ref.sigmoid(z)
    value, grad = _loss_kernel(kl.BCE, True, out, z, y)
    rv, rg = ref.bce_with_logits(z, y)
    close(value, rv)
    close(grad, rg)


@pytest.mark.parametrize("n,k", LOSS_SHAPES)
def test_bce_unfused(rng, n, k):
    p = rng.uniform(0.01, 0.99, size=(n, k))
    p.flat[0] = 0.0  # clipped to eps
    if p.size > 1:
        p.flat[1] = 1.0
    y = (rng.uniform(size=(n, k)) > 0.5).astype(float)
    y.flat[0] = 1.0
    value, grad = _loss_kernel(kl.BCE, False, p, p, y)
    rv, rg = ref.bce(p, y)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    close(value, rv)
    close(grad, rg)


@pytest.mark.parametrize("n,k", [(1, 2), (4, 3), (6, 5), (3, 1)])
@pytest.mark.parametrize("loss_id,fn", [(kl.CROSS_ENTROPY, ref.cross_entropy), (kl.KL_DIV, ref.kl_div)])
@pytest.mark.parametrize("targets", ["onehot", "soft", "unnormalized"])
def test_softmax_losses(rng, n, k, loss_id, fn, targets):
    z = rng.normal(scale=3.0, size=(n, k))
    z[0, 0] = 500.0
    if targets == "onehot":
        y = np.eye(k)[rng.integers(0, k, size=n)]
    else:
        y = rng.uniform(size=(n, k))
        y[rng.uniform(size=(n, k)) < 0.3] = 0.0  # zeros: 0 log 0 = 0
        if targets == "soft":
            y[y.sum(axis=1) == 0, 0] = 1.0
            y /= y.sum(axis=1, keepdims=True)
    out = ref.softmax_forward(z)
    value, grad = _loss_kernel(loss_id, True, out, z, y)
    rv, rg = fn(z, y)
    close(value, rv)
    close(grad, rg)


def test_count_correct():
    out = np.array([[0.5], [0.49], [0.9], [0.1], [0.5]])
    y = np.array([[1.0], [0.0], [0.0], [0.0], [0.5]])
    assert kl.count_correct(out, y) == ref.count_correct(out, y) == 4
    out = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4], [0.5, 0.5, 0.0], [0.2, 0.2, 0.2]])
    y = np.array([[0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1.0]])
    assert kl.count_correct(out, y) == ref.count_correct(out, y) == 2
    rng = np.random.default_rng(0)
    for k in (1, 2, 5):
        out, y = rng.uniform(size=(50, k)), rng.uniform(size=(50, k))
        assert kl.count_correct(out, y) == ref.count_correct(out, y)


# --- optimizers ------------------------------------------------------------------------------
OPT_CODES = {name: code for code, name in enumerate(ref.OPTIMIZER_NAMES)}
OPT_HP = {  # h1, h2, eps
    "sgd": (0.0, 0.0, 0.0),
    "momentum": (0.9, 0.0, 0.0),
    "nesterov": (0.8, 0.0, 0.0),
    "adagrad": (0.0, 0.0, 1e-10),
    "adadelta": (0.9, 0.0, 1e-6),
    "rmsprop": (0.99, 0.0, 1e-8),
    "adam": (0.9, 0.999, 1e-8),
}


def test_optimizer_codes_match():
    assert [OPT_CODES[n] for n in ref.OPTIMIZER_NAMES] == [ko.SGD, ko.MOMENTUM, ko.NESTEROV, ko.ADAGRAD,
                                                           ko.ADADELTA, ko.RMSPROP, ko.ADAM]


def make_hp(lr=0.0, h1=0.0, h2=0.0, eps=0.0, l1=0.0, l2=0.0, clip=0.0, sched=0, c1=0.0, c2=1.0,
            step_size=1.0, gamma=1.0):
    hp = np.zeros(ko.N_HP)
    hp[ko.HP_LR], hp[ko.HP_H1], hp[ko.HP_H2], hp[ko.HP_EPS] = lr, h1, h2, eps
    hp[ko.HP_L1], hp[ko.HP_L2], hp[ko.HP_CLIP] = l1, l2, clip
    hp[ko.HP_SCHED], hp[ko.HP_C1], hp[ko.HP_C2] = sched, c1, c2
    hp[ko.HP_STEP_SIZE], hp[ko.HP_GAMMA] = step_size, gamma
    return hp


SEGS = np.array([[0, 6, 1, 1], [6, 3, 1, 0], [9, 4, 0, 1], [13, 5, 1, 1]], dtype=np.int64)


@pytest.mark.parametrize("opt", ref.OPTIMIZER_NAMES)
@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.0, 0.01), (0.003, 0.0), (0.002, 0.05)])
def test_apply_update(rng, opt, l1, l2):
    h1, h2, eps = OPT_HP[opt]
    lr = 0.05
    size = 18
    P = rng.normal(size=size)
    P[2] = 0.0  # sign(0) = 0 for L1
    S1, S2 = np.zeros(size), np.zeros(size)
    hp = make_hp(lr=lr, h1=h1, h2=h2, eps=eps, l1=l1, l2=l2)
    rp, rs1, rs2 = P.copy(), S1.copy(), S2.copy()
    for t in range(1, 6):
        G = rng.normal(size=size)
        G[3] = 0.0
        assert ko.apply_update(OPT_CODES[opt], P, G, S1, S2, SEGS, hp, lr, t)
        for off, n, trainable, decay in SEGS:
            if not trainable:
                continue
            sl = slice(off, off + n)
            rp[sl], rs1[sl], rs2[sl] = ref.optimizer_step(opt, rp[sl], G[sl], rs1[sl], rs2[sl], lr, t, h1, h2,
                                                          eps, l1, l2, bool(decay))
        close(P, rp)
        close(S1, rs1)
        close(S2, rs2)


@pytest.mark.parametrize("opt", ref.OPTIMIZER_NAMES)
def test_apply_update_reports_non_finite(opt):
    h1, h2, eps = OPT_HP[opt]
    P = np.ones(4)
    G = np.array([0.1, np.nan, 0.2, 0.3])
    segs = np.array([[0, 4, 1, 1]], dtype=np.int64)
    assert not ko.apply_update(OPT_CODES[opt], P, G, np.zeros(4), np.zeros(4), segs,
                               make_hp(lr=0.1, h1=h1, h2=h2, eps=eps), 0.1, 1)
    P = np.ones(4)
    G = np.full(4, 0.5)
    assert ko.apply_update(OPT_CODES[opt], P, G, np.zeros(4), np.zeros(4), segs,
                           make_hp(lr=0.1, h1=h1, h2=h2, eps=eps), 0.1, 1)


@pytest.mark.parametrize("sched", ref.SCHEDULE_NAMES)
def test_scheduled_lr(sched):
    code = ref.SCHEDULE_NAMES.index(sched)
    assert code == [ko.CONSTANT, ko.INVERSE_TIME, ko.STEP, ko.EXPONENTIAL][code]
    kw = dict(lr=0.3, c1=2.0, c2=5.0, step_size=4.0, gamma=0.7)
    hp = make_hp(sched=code, **kw)
    for k in range(0, 25):
        close(ko.scheduled_lr(hp, k), ref.scheduled_lr(sched, k, **kw))


def test_scheduled_lr_values():
    assert ref.scheduled_lr("step", 7, lr=1.0, step_size=4, gamma=0.5) == 0.5
    assert ref.scheduled_lr("step", 8, lr=1.0, step_size=4, gamma=0.5) == 0.25
    assert ref.scheduled_lr("exponential", 2, lr=1.0, step_size=4, gamma=0.25) == 0.5
    assert ref.scheduled_lr("inverse_time", 3, c1=1.0, c2=1.0) == 0.25


def test_grad_norm_and_clipping(rng):
    G = rng.normal(size=18)
    trainable = [G[o:o + n] for o, n, t, _ in SEGS if t]
    norm = ko.grad_norm(G, SEGS)
    close(norm, ref.grad_norm(trainable))
    for max_norm in (0.0, norm * 2, norm * 0.5, 0.1):
        g = G.copy()
        ko.clip_gradients(g, SEGS, norm, max_norm)
        clipped = ref.clip_gradients(trainable, max_norm)
        for (o, n, t, _), k in zip(SEGS, range(len(SEGS))):
            if t:
                close(g[o:o + n], clipped.pop(0))
            else:
                np.testing.assert_array_equal(g[o:o + n], G[o:o + n])
        if 0 < max_norm < norm:
            close(ko.grad_norm(g, SEGS), max_norm * norm / (norm + 1e-6))
