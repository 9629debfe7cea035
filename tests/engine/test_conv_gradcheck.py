"""Central-difference gradient checks (float64) of Conv2D, Conv1D and the pooling layers through a
Network. A Dense layer in front of each checked layer makes its input gradient part of the check."""

import numpy as np
import pytest

from nnsim.engine.layers import conv as conv_layers

from .chain import chain
from .test_gradcheck import data, dense, gradcheck


def _image_chain(shape, layers, out=2, out_act="identity"):
    """Dense(tanh) -> Reshape(shape) -> layers -> Flatten -> Dense(out)."""
    return chain((3,), [dense(int(np.prod(shape)), "tanh"), ("Reshape", {"shape": list(shape)}), *layers,
                        ("Flatten", {}), dense(out, out_act)])


CONV2D = [
    ((1, 5, 5), dict(filters=2, kernel_size=3)),
    ((2, 5, 6), dict(filters=3, kernel_size=2, padding="same")),  # even kernel: asymmetric padding
    ((2, 7, 6), dict(filters=2, kernel_size=3, stride=2, padding="explicit", pad=1)),
    ((3, 6, 7), dict(filters=2, kernel_size=3, stride=2, padding="same")),
    ((2, 4, 4), dict(filters=3, kernel_size=1, use_bias=False)),
    ((2, 3, 3), dict(filters=2, kernel_size=5, padding="explicit", pad=2)),  # kernel larger than the image
]


@pytest.mark.parametrize("shape,params", CONV2D)
@pytest.mark.parametrize("activation", ["identity", "tanh"])
def test_conv2d(shape, params, activation):
    g = _image_chain(shape, [("Conv2D", dict(params, activation=activation, init="glorot_uniform"))])
    x, y = data(4, (3,), (2,), seed=1)
    _, grads = gradcheck(g, "mse", x, y)
    assert ("l2/bias" in grads) == params.get("use_bias", True)


def test_conv2d_relu_away_from_the_kink():
    g = _image_chain((2, 5, 5), [("Conv2D", dict(filters=3, kernel_size=3, activation="identity")),
                                 ("Activation", {"activation": "relu"})])
    x, y = data(4, (3,), (2,), seed=2)
    gradcheck(g, "mse", x, y, kinks=["l2"], seed=3)


def test_conv2d_chunked_and_blas(monkeypatch):
    """Batches larger than the unfolding scratch (recomputed in backward) and BLAS-sized products."""
    monkeypatch.setattr(conv_layers, "COL_BUDGET", 3 * 36 * 36)  # three samples per chunk
    g = _image_chain((4, 6, 6), [("Conv2D", dict(filters=32, kernel_size=3, padding="same", activation="tanh"))])
    x, y = data(5, (3,), (2,), seed=4)
    net, _ = gradcheck(g, "mse", x, y)
    assert net.iops[2, 9 + 16] == 3  # chunk argument of the conv op


def test_conv2d_stack_with_pooling():
    g = _image_chain((2, 8, 8), [("Conv2D", dict(filters=3, kernel_size=3, padding="same", activation="tanh")),
                                 ("MaxPool2D", {}),
                                 ("Conv2D", dict(filters=2, kernel_size=2, activation="tanh")),
                                 ("AvgPool2D", {"size": 3, "stride": 1})], out=3, out_act="softmax")
    x, y = data(3, (3,), (3,), seed=5, kind="onehot")
    gradcheck(g, "cross_entropy", x, y)


@pytest.mark.parametrize("size,stride", [(2, 0), (3, 2), (2, 1), (1, 0)])
@pytest.mark.parametrize("kind", ["MaxPool2D", "AvgPool2D"])
def test_pool2d(kind, size, stride):
    g = _image_chain((2, 5, 6), [(kind, {"size": size, "stride": stride})])
    x, y = data(4, (3,), (2,), seed=6)
    gradcheck(g, "mse", x, y)


def _sequence_chain(steps, feats, layers, out=2):
    """Dense per step (tanh) on (T, 3) -> layers -> Flatten -> Dense(out)."""
    return chain((steps, 3), [dense(feats, "tanh"), *layers, ("Flatten", {}), dense(out)])


@pytest.mark.parametrize("params", [
    dict(filters=3, kernel_size=3),
    dict(filters=2, kernel_size=4, padding="same"),
    dict(filters=2, kernel_size=3, stride=2, padding="same"),
    dict(filters=4, kernel_size=2, stride=2, padding="explicit", pad=1, use_bias=False),
])
def test_conv1d(params):
    g = _sequence_chain(7, 3, [("Conv1D", dict(params, activation="tanh"))])
    x, y = data(4, (7, 3), (2,), seed=7)
    gradcheck(g, "mse", x, y)


def test_conv1d_chunked(monkeypatch):
    monkeypatch.setattr(conv_layers, "COL_BUDGET", 2 * 6 * 6)
    g = _sequence_chain(6, 2, [("Conv1D", dict(filters=3, kernel_size=3, padding="same", activation="tanh"))])
    x, y = data(5, (6, 3), (2,), seed=8)
    gradcheck(g, "mse", x, y)


@pytest.mark.parametrize("size,stride", [(2, 0), (3, 1), (2, 3)])
def test_maxpool1d(size, stride):
    g = _sequence_chain(8, 3, [("MaxPool1D", {"size": size, "stride": stride})])
    x, y = data(4, (8, 3), (2,), seed=9)
    gradcheck(g, "mse", x, y)


def test_conv1d_into_global_maxpool():
    g = chain((6, 3), [dense(4, "tanh"), ("Conv1D", dict(filters=3, kernel_size=3, activation="tanh")),
                       ("MaxPool1D", {}), ("GlobalMaxPool1D", {}), dense(2, "softmax")])
    x, y = data(4, (6, 3), (2,), seed=10, kind="onehot")
    gradcheck(g, "cross_entropy", x, y)
