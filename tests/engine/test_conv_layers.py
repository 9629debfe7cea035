"""Conv and pooling layer kinds: registry entries, output shapes, errors, summaries, parameter counts."""

import numpy as np
import pytest

from nnsim.core.errors import ShapeError
from nnsim.engine.layers import layer_kind, layer_kinds
from nnsim.engine.network import Network

from .chain import chain, resolved

KINDS = ["Conv2D", "Conv1D", "MaxPool2D", "AvgPool2D", "MaxPool1D", "GlobalMaxPool1D"]


def shape_of(kind, in_shape, **params):
    k = layer_kind(kind)
    return k.output_shape([tuple(in_shape)], k.check_params(params, "n"), "n", ["src"])


def test_registered_with_category_and_help():
    kinds = layer_kinds()
    for name in KINDS:
        assert kinds[name].category == "Convolution and pooling"
        assert kinds[name].help and "\n" not in kinds[name].help


def test_conv2d_defaults():
    d = layer_kind("Conv2D").default_params()
    assert (d["filters"], d["kernel_size"], d["stride"], d["padding"], d["activation"], d["init"]) == \
        (8, 3, 1, "valid", "relu", "he_uniform")


@pytest.mark.parametrize("params,expected", [
    ({}, (8, 6, 6)),
    (dict(filters=4, padding="same"), (4, 8, 8)),
    (dict(kernel_size=4, padding="same"), (8, 8, 8)),
    (dict(stride=2, padding="same"), (8, 4, 4)),
    (dict(kernel_size=5, stride=2), (8, 2, 2)),
    (dict(kernel_size=3, padding="explicit", pad=2), (8, 10, 10)),
    (dict(kernel_size=1, stride=3), (8, 3, 3)),
])
def test_conv2d_output_shape(params, expected):
    assert shape_of("Conv2D", (1, 8, 8), **params) == expected


def test_conv2d_non_square_and_pooling_shapes():
    assert shape_of("Conv2D", (3, 7, 10), kernel_size=3, stride=2) == (8, 3, 4)
    assert shape_of("MaxPool2D", (3, 7, 10)) == (3, 3, 5)
    assert shape_of("AvgPool2D", (3, 7, 10), size=3, stride=1) == (3, 5, 8)
    assert shape_of("MaxPool1D", (9, 4), size=2) == (4, 4)
    assert shape_of("MaxPool1D", (9, 4), size=3, stride=2) == (4, 4)
    assert shape_of("Conv1D", (10, 4), filters=6, kernel_size=3) == (8, 6)
    assert shape_of("Conv1D", (10, 4), filters=6, kernel_size=4, padding="same", stride=3) == (4, 6)


def test_kernel_larger_than_input_names_both_nodes():
    g_kind = layer_kind("Conv2D")
    p = g_kind.check_params({"kernel_size": 5}, "conv1")
    with pytest.raises(ShapeError) as err:
        g_kind.output_shape([(4, 3, 3)], p, "conv1", ["pool1"])
    assert str(err.value) == ("Conv2D 'conv1' has a 5x5 kernel but its input from 'pool1' is only 3x3: "
                              "use a smaller kernel or padding.")
    assert err.value.node == "conv1"
    p = g_kind.check_params({"kernel_size": 7, "padding": "explicit", "pad": 1}, "conv1")
    with pytest.raises(ShapeError, match=r"only 3x3 \(5x5 padded\)"):
        g_kind.output_shape([(4, 3, 3)], p, "conv1", ["pool1"])


@pytest.mark.parametrize("kind,shape,params,text", [
    ("Conv2D", (64,), {}, "needs an image (channels x height x width) but gets 64 from 'src': add a Reshape "
                          "node (e.g. to 1x8x8)"),
    ("Conv2D", (8, 8), {}, "needs an image (channels x height x width) but gets 8x8"),
    ("MaxPool2D", (10,), {}, "add a Reshape node"),
    ("MaxPool2D", (2, 3, 1), {}, "has a 2x2 window but its input from 'src' is only 3x1: use a smaller size"),
    ("AvgPool2D", (2, 3, 3), {"size": 4}, "has a 4x4 window"),
    ("Conv1D", (1, 8, 8), {}, "needs a sequence (steps x features) but gets 1x8x8"),
    ("Conv1D", (2, 5), {}, "has a kernel of 3 steps but its input from 'src' is only 2"),
    ("MaxPool1D", (3, 5), {"size": 4}, "has a window of 4 steps but its input from 'src' is only 3"),
])
def test_shape_errors(kind, shape, params, text):
    with pytest.raises(ShapeError) as err:
        shape_of(kind, shape, **params)
    assert text in str(err.value)


def test_key_params():
    k = layer_kind("Conv2D")
    assert k.key_params(k.check_params({}, "n")) == "8 @ 3x3, relu"
    assert k.key_params(k.check_params({"filters": 16, "stride": 2, "padding": "same"}, "n")) == \
        "16 @ 3x3 /2, same, relu"
    assert k.key_params(k.check_params({"padding": "explicit", "pad": 1, "activation": "tanh"}, "n")) == \
        "8 @ 3x3, pad 1, tanh"
    k1 = layer_kind("Conv1D")
    assert k1.key_params(k1.check_params({"filters": 32, "kernel_size": 5}, "n")) == "32 @ 5, relu"
    mp = layer_kind("MaxPool2D")
    assert mp.key_params(mp.check_params({}, "n")) == "2x2"
    assert mp.key_params(mp.check_params({"size": 3, "stride": 2}, "n")) == "3x3 /2"
    assert layer_kind("MaxPool1D").key_params({"size": 2, "stride": 0}) == "size 2"


def test_weight_layouts_and_param_counts():
    k = layer_kind("Conv2D")
    p = k.check_params({"filters": 16, "kernel_size": 5}, "n")
    specs = k.weight_specs([(3, 28, 28)], p)
    assert [(s.name, s.shape) for s in specs] == [("weight", (16, 3, 5, 5)), ("bias", (16,))]
    assert specs[0].fan_in == 75 and not specs[1].decay
    assert k.param_count([(3, 28, 28)], p) == 16 * 75 + 16
    k1 = layer_kind("Conv1D")
    p1 = k1.check_params({"filters": 4, "kernel_size": 3, "use_bias": False}, "n")
    assert [s.shape for s in k1.weight_specs([(10, 6)], p1)] == [(4, 6, 3)]
    assert k1.param_count([(10, 6)], p1) == 72
    for pool in ("MaxPool2D", "AvgPool2D", "MaxPool1D"):
        assert layer_kind(pool).param_count([(2, 4, 4)], layer_kind(pool).check_params({}, "n")) == 0


def test_parameter_ranges_are_checked():
    k = layer_kind("Conv2D")
    for bad in ({"filters": 0}, {"kernel_size": 16}, {"stride": 9}, {"padding": "full"}, {"pad": 16}):
        with pytest.raises(Exception):
            k.check_params(bad, "n")
    with pytest.raises(Exception):
        layer_kind("MaxPool2D").check_params({"size": 9}, "n")


def test_network_weight_views_use_pytorch_layouts():
    g = resolved((1, 8, 8), [("c", "Conv2D", {"filters": 4}, ["in"]), ("p", "MaxPool2D", {}, ["c"]),
                             ("f", "Flatten", {}, ["p"]),
                             ("d", "Dense", {"units": 10, "activation": "softmax"}, ["f"])])
    net = Network(g, "cross_entropy", max_batch=8)
    assert net.weight_view("c/weight").shape == (4, 1, 3, 3)
    assert net.weight_view("c/bias").shape == (4,)
    assert net.parameter_count == 4 * 9 + 4 + 36 * 10 + 10
    w = net.weight_view("c/weight")
    assert np.abs(w).max() <= np.sqrt(6 / 9) and np.abs(w).max() > 0  # he_uniform with fan_in 9
    out = net.forward(np.random.default_rng(0).normal(size=(3, 1, 8, 8)))
    assert out.shape == (3, 10)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)


def test_forward_in_chunks_of_max_batch():
    """Evaluation over more samples than max_batch reuses the conv scratch per batch."""
    g = chain((2, 5, 5), [("Conv2D", {"filters": 3, "activation": "tanh"}), ("Flatten", {})])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(1).normal(size=(11, 2, 5, 5))
    whole = net.forward(x)
    parts = np.concatenate([net.forward(x[i:i + 1]) for i in range(11)])
    np.testing.assert_allclose(whole, parts, rtol=1e-12)
