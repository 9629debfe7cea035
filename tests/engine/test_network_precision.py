"""Network-level checks: float32 vs float64, and forward passes against the NumPy reference."""

import numpy as np
import pytest

from nnsim.engine import reference as ref
from nnsim.engine.network import Network

from .chain import chain, resolved


def _big_graph():
    return resolved((12,), [
        ("a", "Dense", dict(units=48, activation="tanh"), ["in"]),  # 16*12*48 > 8192: BLAS path
        ("b", "Dense", dict(units=8, activation="elu", alpha=0.8), ["a"]),
        ("c", "Dense", dict(units=8, activation="rrelu"), ["a"]),
        ("sum", "Add", {}, ["b", "c"]),
        ("img", "Reshape", {"shape": [2, 2, 2]}, ["sum"]),
        ("bn", "BatchNorm", {}, ["img"]),
        ("flat", "Flatten", {}, ["bn"]),
        ("drop", "Dropout", {"rate": 0.3}, ["flat"]),
        ("cat", "Concatenate", {"axis": 0}, ["drop", "a"]),
        ("out", "Dense", dict(units=3, activation="softmax"), ["cat"]),
    ])


@pytest.mark.parametrize("training", [False, True])
def test_float32_matches_float64(training):
    g = _big_graph()
    n32 = Network(g, "cross_entropy", max_batch=16, dtype=np.float32, seed=5)
    n64 = Network(g, "cross_entropy", max_batch=16, dtype=np.float64, seed=5)
    rng = np.random.default_rng(0)
    weights = {k: v.astype(np.float32) for k, v in n64.get_weights().items()}
    weights["bn/running_mean"] = rng.normal(size=2).astype(np.float32)
    weights["bn/running_var"] = rng.uniform(0.5, 2.0, 2).astype(np.float32)
    n32.set_weights(weights)
    n64.set_weights({k: v.astype(np.float64) for k, v in weights.items()})
    for key, value in n64.get_weights().items():
        np.testing.assert_array_equal(n32.get_weights()[key].astype(np.float64), value)
    x = rng.normal(size=(40, 12)).astype(np.float32)  # more rows than max_batch: chunked
    n32.rng[:] = n64.rng  # same dropout masks and rrelu slopes
    y32 = n32.forward(x, training=training)
    y64 = n64.forward(x.astype(np.float64), training=training)
    assert y32.dtype == np.float32 and y64.dtype == np.float64
    np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-6)
    y = np.eye(3)[rng.integers(0, 3, 16)]
    n32.rng[:] = n64.rng
    l32 = n32.gradients(x[:16], y, training)
    l64 = n64.gradients(x[:16].astype(np.float64), y, training)
    assert abs(l32 - l64) <= 1e-5 * max(1.0, abs(l64))
    g32, g64 = n32.get_gradients(), n64.get_gradients()
    for key in g64:
        np.testing.assert_allclose(g32[key], g64[key], rtol=1e-4, atol=1e-5, err_msg=key)


def test_forward_matches_reference_composition():
    """Evaluation forward of a small DAG, recomputed with the reference functions."""
    g = resolved((5,), [
        ("a", "Dense", dict(units=6, activation="leaky_relu", slope=0.05), ["in"]),
        ("b", "Dense", dict(units=6, activation="sigmoid", use_bias=False), ["in"]),
        ("s", "Add", {}, ["a", "b"]),
        ("bn", "BatchNorm", {"eps": 1e-3}, ["s"]),
        ("cat", "Concatenate", {"axis": 0}, ["bn", "b"]),
        ("out", "Dense", dict(units=4, activation="softmax"), ["cat"]),
    ])
    net = Network(g, "cross_entropy", max_batch=8, dtype=np.float64, seed=2)
    rng = np.random.default_rng(1)
    net.weight_view("a/bias")[:] = rng.normal(size=6)
    net.weight_view("bn/running_mean")[:] = rng.normal(size=6)
    net.weight_view("bn/running_var")[:] = rng.uniform(0.5, 2, 6)
    net.weight_view("bn/weight")[:] = rng.normal(size=6)
    w = net.get_weights()
    x = rng.normal(size=(19, 5))
    a = ref.activation_forward("leaky_relu", ref.dense_forward(x, w["a/weight"], w["a/bias"]), 0.05)
    b = ref.sigmoid(ref.dense_forward(x, w["b/weight"]))
    s = ref.add_forward(a, b)
    bn = ref.batchnorm_forward(s, w["bn/weight"], w["bn/bias"], w["bn/running_mean"], w["bn/running_var"],
                               0.1, 1e-3, False)[0]
    cat = ref.concat_forward(bn, b, 0)
    out = ref.softmax_forward(ref.dense_forward(cat, w["out/weight"], w["out/bias"]))
    np.testing.assert_allclose(net.forward(x), out, rtol=1e-12, atol=1e-14)
    # and the loss of one batch, with its output-layer gradient
    y = np.eye(4)[rng.integers(0, 4, 8)]
    loss = net.gradients(x[:8], y, training=False)
    value, dz = ref.cross_entropy(ref.dense_forward(cat[:8], w["out/weight"], w["out/bias"]), y)
    assert abs(loss - value) <= 1e-12
    _, gw, gb = ref.dense_backward(cat[:8], w["out/weight"], dz)
    np.testing.assert_allclose(net.grad_view("out/weight"), gw, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.grad_view("out/bias"), gb, rtol=1e-12, atol=1e-14)


def test_training_forward_with_image_output():
    """forward(training=True) on a network whose output is not flat."""
    g = chain((12,), [("Dense", dict(units=12, activation="tanh")), ("Reshape", {"shape": [3, 2, 2]})])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(6, 12))
    out = net.forward(x, training=True)
    assert out.shape == (6, 3, 2, 2)
    np.testing.assert_allclose(out, net.forward(x))


def test_training_forward_chunks_like_one_batch():
    g = chain((3,), [("Dense", dict(units=4, activation="tanh")), ("Dropout", {"rate": 0.5})])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(10, 3))
    state = net.rng.copy()
    out = net.forward(x, training=True)
    zeros = out == 0
    assert zeros.any() and (~zeros).any()
    h = np.tanh(ref.dense_forward(x, net.weight_view("l0/weight"), net.weight_view("l0/bias")))
    mask = ref.dropout_mask(0.5, ref.uniforms([int(state[0])], x.shape[0] * 4)).reshape(10, 4)
    np.testing.assert_allclose(out, ref.dropout_forward(h, mask), rtol=1e-14)


def test_gradients_do_not_depend_on_earlier_batches():
    """Smaller batches after larger ones must not read stale activations or gradients."""
    g = resolved((4,), [
        ("a", "Dense", dict(units=5, activation="tanh"), ["in"]),
        ("b", "Dense", dict(units=5, activation="relu"), ["a"]),
        ("s", "Add", {}, ["a", "b"]),
        ("img", "Reshape", {"shape": [5, 1, 1]}, ["s"]),
        ("bn", "BatchNorm", {}, ["img"]),
        ("f", "Flatten", {}, ["bn"]),
        ("cat", "Concatenate", {"axis": 0}, ["f", "a"]),
        ("out", "Dense", dict(units=3, activation="softmax"), ["cat"]),
    ])
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    used = Network(g, "cross_entropy", max_batch=8, dtype=np.float64, seed=1)
    fresh = Network(g, "cross_entropy", max_batch=8, dtype=np.float64, seed=1)
    used.gradients(x * 100, y, True)
    used.forward(x[::-1] * 5)
    for n in (3, 1, 5):
        l1 = used.gradients(x[:n], y[:n], True)
        l2 = fresh.gradients(x[:n], y[:n], True)
        assert l1 == l2
        for key, value in fresh.get_gradients().items():
            np.testing.assert_array_equal(used.get_gradients()[key], value, err_msg=key)


def test_gradients_report_non_finite_loss():
    g = chain((3,), [("Dense", dict(units=2, activation="tanh"))])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x, y = np.ones((2, 3)), np.zeros((2, 2))
    net.gradients(x, y)
    x[0, 0] = np.nan
    loss = net.gradients(x, y)
    assert not np.isfinite(loss)
    assert not np.all(np.isfinite(net.get_gradients()["l0/weight"]))  # fresh, not the previous batch's


@pytest.mark.parametrize("opt", ["momentum", "adam"])
def test_training_steps_match_reference_updates(opt):
    """MODE_TRAIN (gather, loss, backward, clip, schedule, update) against gradients() + reference."""
    from nnsim.engine import interpreter as it
    from nnsim.engine.kernels import optimizers as ko

    g = chain((3,), [("Dense", dict(units=5, activation="tanh")), ("BatchNorm", {}),
                     ("Dense", dict(units=2, activation="sigmoid"))])
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(10, 3)), (rng.uniform(size=(10, 2)) > 0.5) * 1.0
    order = rng.permutation(10).astype(np.int64)
    hp = np.zeros(ko.N_HP)
    hp[ko.HP_LR], hp[ko.HP_H1], hp[ko.HP_H2], hp[ko.HP_EPS] = 0.1, 0.9, 0.999, 1e-8
    hp[ko.HP_L2], hp[ko.HP_CLIP] = 0.01, 0.3
    hp[ko.HP_SCHED], hp[ko.HP_STEP_SIZE], hp[ko.HP_GAMMA] = ko.STEP, 2, 0.5
    code = ref.OPTIMIZER_NAMES.index(opt)
    net = Network(g, "bce", max_batch=4, dtype=np.float64, seed=2)
    twin = Network(g, "bce", max_batch=4, dtype=np.float64, seed=2)
    counters = np.zeros(1, np.int64)
    stats = np.zeros(8)
    done = net.run(it.MODE_TRAIN, X, Y, training=True, order=order, n_steps=3, batch=4, opt=code, hp=hp,
                   counters=counters, stats=stats)
    assert done == 3 and counters[0] == 3 and stats[it.ST_SAMPLES] == 10 and stats[it.ST_ERROR] == 0
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in twin.get_gradients().items()}
    decay = {s.key: s.spec.decay for s in twin.weight_slots}
    total = 0.0
    for step in range(3):
        rows = order[step * 4:step * 4 + 4]
        total += twin.gradients(X[rows], Y[rows]) * len(rows)
        grads = twin.get_gradients()
        keys = list(grads)
        clipped = dict(zip(keys, ref.clip_gradients([grads[k] for k in keys], 0.3)))
        lr = ref.scheduled_lr("step", step, lr=0.1, step_size=2, gamma=0.5)
        for k in keys:
            p, s1, s2 = ref.optimizer_step(opt, twin.weight_view(k), clipped[k], *state[k], lr, step + 1,
                                           0.9, 0.999, 1e-8, 0.0, 0.01, decay[k])
            twin.weight_view(k)[...] = p
            state[k] = (s1, s2)
    for key, value in twin.get_weights().items():  # includes the BatchNorm running statistics
        np.testing.assert_allclose(net.get_weights()[key], value, rtol=1e-12, atol=1e-14, err_msg=key)
    np.testing.assert_allclose(stats[it.ST_LOSS], total, rtol=1e-12)
