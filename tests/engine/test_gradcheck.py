"""Central-difference gradient checks of every layer kind and loss through a float64 Network."""

import numpy as np
import pytest

from nnsim.engine.network import Network

from .chain import chain, resolved

EPS = 1e-6
TOL = 1e-6
KINK = 1e-4  # no pre-activation of a kinked function may come this close to 0


def numeric_gradients(net, x, y, training, keys):
    """Central differences of the loss; the dropout/rrelu generator replays the same draws."""
    state = net.rng.copy()

    def loss():
        net.rng[:] = state
        return net.gradients(x, y, training)

    out = {}
    for key in keys:
        w = net.weight_view(key)  # live view into P
        num = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + EPS
            up = loss()
            w[idx] = old - EPS
            down = loss()
            w[idx] = old
            num[idx] = (up - down) / (2 * EPS)
        out[key] = num
    net.rng[:] = state
    return out


def rel_error(a, b):
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale < 1e-9:
        return float(np.linalg.norm(a - b))
    return float(np.linalg.norm(a - b) / scale)


def gradcheck(graph, loss, x, y, training=True, setup=None, kinks=(), seed=0):
    """Compare every trainable weight's gradient with central differences; return the network."""
    net = Network(graph, loss, max_batch=len(x), dtype=np.float64, seed=seed)
    if setup:
        setup(net)
    state = net.rng.copy()
    net.gradients(x, y, training)
    for node in kinks:  # inputs of relu-like functions stay clear of the kink
        z = net.buffer_rows(node, len(x))
        assert np.min(np.abs(z)) > KINK, f"pre-activation of '{node}' too close to 0; change the seed"
    analytic = net.get_gradients()
    assert analytic, "nothing to check"
    net.rng[:] = state
    numeric = numeric_gradients(net, x, y, training, list(analytic))
    for key, g in analytic.items():
        assert np.all(np.isfinite(g)), key
        err = rel_error(g, numeric[key])
        assert err <= TOL, f"{key}: relative error {err:.3g}\nanalytic {g}\nnumeric {numeric[key]}"
    return net, analytic


def data(n, in_shape, out_shape, seed=0, kind="normal"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n,) + tuple(in_shape))
    if kind == "normal":
        y = rng.normal(size=(n,) + tuple(out_shape))
    elif kind == "binary":
        y = (rng.uniform(size=(n,) + tuple(out_shape)) > 0.5).astype(float)
    elif kind == "onehot":
        y = np.eye(out_shape[0])[rng.integers(0, out_shape[0], n)]
    else:  # soft distribution with zeros
        y = rng.uniform(size=(n,) + tuple(out_shape))
        y[:, 0] = 0.0
        y /= y.sum(axis=1, keepdims=True)
    return x, y


def dense(units, activation="identity", **kw):
    return ("Dense", dict(units=units, activation=activation, **kw))


# --- Dense -----------------------------------------------------------------------------------
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense(use_bias):
    g = chain((3,), [dense(4, "tanh", use_bias=use_bias), dense(2, use_bias=use_bias)])
    x, y = data(5, (3,), (2,))
    _, grads = gradcheck(g, "mse", x, y)
    assert set(grads) == ({"l0/weight", "l1/weight", "l0/bias", "l1/bias"} if use_bias
                          else {"l0/weight", "l1/weight"})


def test_dense_blas_path():
    # 16 * 24 * 24 > 8192 takes the BLAS path in both directions
    g = chain((24,), [dense(24, "tanh"), dense(3)])
    x, y = data(16, (24,), (3,))
    gradcheck(g, "mse", x, y)


# --- Activations -----------------------------------------------------------------------------
SMOOTH = ["identity", "sigmoid", "tanh"]
KINKED = [("relu", {}), ("leaky_relu", {"slope": 0.2}), ("elu", {"alpha": 1.5}),
          ("rrelu", {"lower": 0.1, "upper": 0.6})]


def _act_graph(name, params):
    return chain((3,), [dense(6), ("Activation", dict(activation=name, **params)), dense(2)])


@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_activation(name):
    x, y = data(5, (3,), (2,))
    gradcheck(_act_graph(name, {}), "mse", x, y)


@pytest.mark.parametrize("name,params", KINKED)
@pytest.mark.parametrize("training", [True, False])
def test_kinked_activation(name, params, training):
    x, y = data(6, (3,), (2,), seed=3)
    net, _ = gradcheck(_act_graph(name, params), "mse", x, y, training=training, kinks=["l0"], seed=1)
    z = net.buffer_rows("l0", len(x))
    assert (z < 0).any() and (z > 0).any()  # both branches exercised


@pytest.mark.parametrize("name", ["step", "sign"])
def test_step_and_sign_have_zero_gradient(name):
    x, y = data(6, (3,), (2,), seed=3)
    _, grads = gradcheck(_act_graph(name, {}), "mse", x, y, kinks=["l0"], seed=1)
    assert np.all(grads["l0/weight"] == 0) and np.all(grads["l0/bias"] == 0)
    assert np.any(grads["l2/weight"] != 0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "elu", "leaky_relu"])
def test_activation_inside_dense(name):
    g = chain((3,), [dense(5, name), dense(2)])
    x, y = data(5, (3,), (2,), seed=2)
    gradcheck(g, "mse", x, y)


def test_unfused_softmax_in_the_middle():
    g = chain((3,), [dense(4, "softmax"), dense(2, "tanh")])
    x, y = data(5, (3,), (2,))
    gradcheck(g, "mse", x, y)


# --- Dropout ---------------------------------------------------------------------------------
@pytest.mark.parametrize("training", [True, False])
def test_dropout(training):
    g = chain((3,), [dense(8, "tanh"), ("Dropout", {"rate": 0.4}), dense(2)])
    x, y = data(6, (3,), (2,))
    net, _ = gradcheck(g, "mse", x, y, training=training)
    state = net.rng.copy()
    net.gradients(x, y, training)
    h, d = net.buffer_rows("l0", 6), net.buffer_rows("l1", 6)
    if training:
        assert (d == 0).any() and (d != 0).any()
        np.testing.assert_allclose(d[d != 0], h[d != 0] / 0.6, rtol=1e-14)
        assert net.rng[0] != state[0]
    else:
        np.testing.assert_array_equal(d, h)


# --- BatchNorm -------------------------------------------------------------------------------
def _randomize_running_stats(net):
    rng = np.random.default_rng(7)
    for key in net.weight_keys():
        if key.endswith("running_mean"):
            net.weight_view(key)[:] = rng.normal(size=net.weight_view(key).shape)
        elif key.endswith("running_var"):
            net.weight_view(key)[:] = rng.uniform(0.5, 2.0, size=net.weight_view(key).shape)
        elif key.endswith("/weight") and net.weight_view(key).ndim == 1:  # gamma
            net.weight_view(key)[:] = rng.uniform(0.5, 1.5, size=net.weight_view(key).shape)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_flat(training):
    g = chain((3,), [dense(5), ("BatchNorm", {}), ("Activation", {"activation": "tanh"}), dense(2)])
    x, y = data(6, (3,), (2,))
    gradcheck(g, "mse", x, y, training=training, setup=_randomize_running_stats)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_image(training):
    g = chain((4,), [dense(12, "tanh"), ("Reshape", {"shape": [3, 2, 2]}), ("BatchNorm", {"eps": 1e-3}),
                     ("Flatten", {}), dense(2, "tanh")])
    x, y = data(4, (4,), (2,))
    gradcheck(g, "mse", x, y, training=training, setup=_randomize_running_stats)


def test_batchnorm_running_stats_are_not_trainable():
    g = chain((3,), [dense(4), ("BatchNorm", {})])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    assert set(net.get_gradients()) == {"l0/weight", "l0/bias", "l1/weight", "l1/bias"}
    assert {"l1/running_mean", "l1/running_var"} <= set(net.weight_keys())


# --- Merges and shapes -----------------------------------------------------------------------
def test_add_with_branching():
    """'a' feeds two consumers ('b' and the Add), so its gradient must accumulate."""
    g = resolved((3,), [
        ("a", "Dense", dict(units=4, activation="tanh"), ["in"]),
        ("b", "Dense", dict(units=4, activation="sigmoid"), ["a"]),
        ("sum", "Add", {}, ["a", "b"]),
        ("out", "Dense", dict(units=2), ["sum"]),
    ])
    x, y = data(5, (3,), (2,))
    gradcheck(g, "mse", x, y)


def test_add_same_input_twice_and_three_inputs():
    g = resolved((3,), [
        ("a", "Dense", dict(units=4, activation="tanh"), ["in"]),
        ("b", "Dense", dict(units=4, activation="tanh"), ["in"]),
        ("twice", "Add", {}, ["a", "a"]),
        ("three", "Add", {}, ["twice", "b", "a"]),
        ("out", "Dense", dict(units=2), ["three"]),
    ])
    x, y = data(5, (3,), (2,))
    gradcheck(g, "mse", x, y)


def test_diamond_dag():
    """One node feeds two branches that meet again; the input also feeds two nodes."""
    g = resolved((3,), [
        ("a", "Dense", dict(units=5, activation="tanh"), ["in"]),
        ("left", "Dense", dict(units=4, activation="sigmoid"), ["a"]),
        ("right", "Dense", dict(units=3, activation="tanh"), ["a"]),
        ("skip", "Dense", dict(units=2), ["in"]),
        ("cat", "Concatenate", {"axis": 0}, ["left", "right"]),
        ("head", "Dense", dict(units=2, activation="tanh"), ["cat"]),
        ("out", "Add", {}, ["head", "skip"]),
    ])
    x, y = data(5, (3,), (2,))
    gradcheck(g, "mse", x, y)


def test_consumer_order_does_not_matter():
    """The later consumer of 'a' comes first in the node list of its reader ('b' before the head)."""
    g = resolved((3,), [
        ("a", "Dense", dict(units=4, activation="tanh"), ["in"]),
        ("b", "Activation", {"activation": "sigmoid"}, ["a"]),
        ("c", "Dense", dict(units=4, activation="tanh"), ["b"]),
        ("d", "Concatenate", {"axis": -1}, ["c", "a"]),
        ("out", "Dense", dict(units=2), ["d"]),
    ])
    x, y = data(4, (3,), (2,))
    gradcheck(g, "mse", x, y)


def test_concatenate_vectors_three_inputs():
    g = resolved((3,), [
        ("a", "Dense", dict(units=2, activation="tanh"), ["in"]),
        ("b", "Dense", dict(units=3, activation="sigmoid"), ["in"]),
        ("c", "Dense", dict(units=1, activation="tanh"), ["a"]),
        ("cat", "Concatenate", {"axis": 0}, ["a", "b", "c"]),
        ("out", "Dense", dict(units=2), ["cat"]),
    ])
    x, y = data(4, (3,), (2,))
    gradcheck(g, "mse", x, y)


@pytest.mark.parametrize("axis,shape_b", [(0, [1, 2, 2]), (1, [2, 1, 2]), (-1, [2, 2, 3])])
def test_concatenate_images(axis, shape_b):
    nb = int(np.prod(shape_b))
    g = resolved((3,), [
        ("a", "Dense", dict(units=8, activation="tanh"), ["in"]),
        ("b", "Dense", dict(units=nb, activation="sigmoid"), ["in"]),
        ("ia", "Reshape", {"shape": [2, 2, 2]}, ["a"]),
        ("ib", "Reshape", {"shape": shape_b}, ["b"]),
        ("cat", "Concatenate", {"axis": axis}, ["ia", "ib"]),
        ("flat", "Flatten", {}, ["cat"]),
        ("out", "Dense", dict(units=2), ["flat"]),
    ])
    x, y = data(3, (3,), (2,))
    net, _ = gradcheck(g, "mse", x, y)
    a = net.buffer_rows("ia", 3)
    b = net.buffer_rows("ib", 3)
    np.testing.assert_array_equal(net.buffer_rows("cat", 3), np.concatenate([a, b], axis=axis % 3 + 1))


def test_reshape_flatten_on_image_input():
    g = chain((2, 2, 3), [("Flatten", {}), dense(4, "tanh"), ("Reshape", {"shape": [2, 2]}),
                          ("Activation", {"activation": "sigmoid"}), ("Flatten", {}), dense(2)])
    x, y = data(3, (2, 2, 3), (2,))
    gradcheck(g, "mse", x, y)


# --- Losses ----------------------------------------------------------------------------------
def test_mse_tanh_output():
    g = chain((3,), [dense(4, "tanh"), dense(3, "tanh")])
    x, y = data(5, (3,), (3,))
    gradcheck(g, "mse", x, 0.5 * np.tanh(y))


@pytest.mark.parametrize("kind", ["binary", "soft"])
def test_bce_fused(kind):
    g = chain((3,), [dense(4, "tanh"), dense(3, "sigmoid")])
    x, y = data(5, (3,), (3,), kind="binary")
    if kind == "soft":
        y = np.random.default_rng(3).uniform(size=y.shape)
    net, _ = gradcheck(g, "bce", x, y)
    assert net.io[4] == 1  # fused with the sigmoid


def test_bce_unfused():
    g = chain((3,), [dense(4, "tanh"), dense(3, "sigmoid"), ("Dropout", {"rate": 0.0})])
    x, y = data(5, (3,), (3,), kind="binary")
    net, _ = gradcheck(g, "bce", x, y)
    assert net.io[4] == 0  # the dropout hides the sigmoid


def test_bce_fused_separate_activation_node():
    g = chain((3,), [dense(4, "tanh"), dense(1), ("Activation", {"activation": "sigmoid"})])
    x, y = data(6, (3,), (1,), kind="binary")
    net, _ = gradcheck(g, "bce", x, y)
    assert net.io[4] == 1


@pytest.mark.parametrize("loss,kind", [("cross_entropy", "onehot"), ("cross_entropy", "soft"),
                                       ("kl_div", "soft"), ("kl_div", "onehot")])
def test_softmax_losses(loss, kind):
    g = chain((3,), [dense(5, "tanh"), dense(4, "softmax")])
    x, y = data(5, (3,), (4,), kind=kind)
    net, _ = gradcheck(g, loss, x, y)
    assert net.io[4] == 1


def test_softmax_loss_separate_activation_node():
    g = chain((3,), [dense(4), ("Activation", {"activation": "softmax"})])
    x, y = data(5, (3,), (4,), kind="onehot")
    gradcheck(g, "cross_entropy", x, y)


def test_skip_connections_from_the_input():
    """The Input feeds Add and Concatenate directly: those slots get no gradient (ACC_SKIP)."""
    g = resolved((3,), [
        ("a", "Dense", dict(units=3, activation="tanh"), ["in"]),
        ("res", "Add", {}, ["in", "a"]),
        ("cat", "Concatenate", {"axis": 0}, ["res", "in"]),
        ("bn", "BatchNorm", {}, ["cat"]),
        ("out", "Dense", dict(units=2), ["bn"]),
    ])
    x, y = data(5, (3,), (2,))
    gradcheck(g, "mse", x, y)


def test_batchnorm_and_activation_on_the_input():
    g = chain((4,), [("BatchNorm", {}), ("Activation", {"activation": "sigmoid"}), dense(2)])
    x, y = data(5, (4,), (2,))
    _, grads = gradcheck(g, "mse", x, y, setup=_randomize_running_stats)
    assert {"l0/weight", "l0/bias"} <= set(grads)


@pytest.mark.parametrize("loss,kind", [("mse", "soft"), ("bce", "soft")])
def test_unfused_softmax_output(loss, kind):
    g = chain((3,), [dense(5, "tanh"), dense(4, "softmax")])
    x, y = data(5, (3,), (4,), kind=kind)
    net, _ = gradcheck(g, loss, x, y)
    assert net.io[4] == 0


def test_mse_on_image_output():
    g = chain((3,), [dense(8, "tanh"), ("Reshape", {"shape": [2, 2, 2]}), ("BatchNorm", {})])
    x, y = data(4, (3,), (2, 2, 2))
    gradcheck(g, "mse", x, y)


# --- RBM (its recognition pass: a dense layer with a sigmoid) ---------------------------------------
def test_rbm_recognition_pass_and_the_visible_bias_is_a_buffer():
    g = chain((5,), [("RBM", dict(units=4)), ("RBM", dict(units=3)), dense(2)])
    x, y = data(6, (5,), (2,))
    x = 1 / (1 + np.exp(-x))  # visible units see values in [0, 1]
    net, grads = gradcheck(g, "mse", x, y)
    assert set(grads) == {"l0/weight", "l0/bias", "l1/weight", "l1/bias", "l2/weight", "l2/bias"}
    assert net.weight_view("l0/visible_bias").shape == (5,)
    assert net.weight_view("l0/weight").shape == (4, 5)  # PyTorch layout (hidden, visible) = Wᵀ


def test_rbm_forward_is_sigmoid_of_x_w_transposed_plus_d():
    g = chain((5,), [("RBM", dict(units=4))])
    net = Network(g, "mse", max_batch=3, dtype=np.float64, seed=1)
    rng = np.random.default_rng(0)
    net.set_weights({"l0/visible_bias": np.full(5, 3.0),  # unused by the forward pass
                     "l0/bias": rng.normal(size=4)}, strict=False)
    x = rng.uniform(size=(3, 5))
    w, d = net.weight_view("l0/weight"), net.weight_view("l0/bias")
    np.testing.assert_allclose(net.forward(x), 1 / (1 + np.exp(-(x @ w.T + d))), rtol=1e-12)


# --- Autoencoder (its encoder: a dense layer with the code activation) -------------------------------
@pytest.mark.parametrize("tied", [True, False])
def test_autoencoder_encoder_and_its_decoder_weights_are_buffers(tied):
    g = chain((5,), [("Autoencoder", dict(units=4, tied=tied)), ("Autoencoder", dict(units=3, tied=tied)), dense(2)])
    x, y = data(6, (5,), (2,))
    x = 1 / (1 + np.exp(-x))  # inputs in [0, 1]
    net, grads = gradcheck(g, "mse", x, y)
    assert set(grads) == {"l0/weight", "l0/bias", "l1/weight", "l1/bias", "l2/weight", "l2/bias"}
    assert net.weight_view("l0/weight").shape == (4, 5)  # PyTorch layout (code, input)
    assert net.weight_view("l0/decoder_bias").shape == (5,)
    assert ("l0/decoder_weight" in net.get_weights()) == (not tied)
    if not tied:
        assert net.weight_view("l0/decoder_weight").shape == (5, 4)


@pytest.mark.parametrize("code", ["relu", "linear"])
def test_autoencoder_with_a_relu_or_linear_code(code):
    g = chain((5,), [("Autoencoder", dict(units=4, code_activation=code)), dense(2)])
    x, y = data(6, (5,), (2,))

    def clear_of_the_kink(net):  # the node's buffer is after the activation: check x Wᵀ + b itself
        z = x @ net.weight_view("l0/weight").T + net.weight_view("l0/bias")
        assert np.min(np.abs(z)) > KINK and (z < 0).any() and (z > 0).any()

    gradcheck(g, "mse", x, y, setup=clear_of_the_kink)


def test_autoencoder_forward_is_its_encode():
    from nnsim.engine.autoencoder import Autoencoder

    g = chain((5,), [("Autoencoder", dict(units=4, tied=False))])
    net = Network(g, "mse", max_batch=3, dtype=np.float64, seed=1)
    rng = np.random.default_rng(0)
    net.set_weights({"l0/bias": rng.normal(size=4)}, strict=False)
    x = rng.uniform(size=(3, 5))
    model = Autoencoder(5, 4, tied=False, dtype=np.float64)
    model.set_weights({key.split("/")[1]: value for key, value in net.get_weights().items()})
    np.testing.assert_allclose(net.forward(x), model.encode(x), rtol=1e-12)
