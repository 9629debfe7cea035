"""Parity with PyTorch (float64) on random shapes: Conv2D, Conv1D and pooling forward values, the loss,
and every gradient (weights, biases, and the input gradient through a preceding Dense)."""

import numpy as np
import pytest

from nnsim.engine.layers.conv import conv_padding
from nnsim.engine.network import Network

from .chain import chain

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = 1e-6


def close(actual, expected, tol=TOL):
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _random_conv2d(seed):
    rng = np.random.default_rng(seed)
    while True:
        c, h, w = int(rng.integers(1, 4)), int(rng.integers(4, 11)), int(rng.integers(4, 11))
        p = dict(filters=int(rng.integers(1, 6)), kernel_size=int(rng.integers(1, 6)),
                 stride=int(rng.integers(1, 4)), padding=str(rng.choice(["valid", "same", "explicit"])),
                 pad=int(rng.integers(0, 3)), use_bias=bool(rng.integers(0, 2)),
                 activation=str(rng.choice(["identity", "relu", "tanh"])))
        if conv_padding(h, p["kernel_size"], p["stride"], p["padding"], p["pad"])[2] >= 1 and \
                conv_padding(w, p["kernel_size"], p["stride"], p["padding"], p["pad"])[2] >= 1:
            return (c, h, w), p, int(rng.integers(1, 7))


ACTS = {"identity": lambda v: v, "relu": F.relu, "tanh": torch.tanh}


def _run_pair(net, in_shape, x, y, torch_body):
    """Loss and gradients of ``net`` (Dense(identity) -> Reshape -> body -> Flatten -> Dense) and of the
    same computation in torch; compares everything."""
    ws = {k: t(v, grad=True) for k, v in net.get_weights().items()}
    loss = net.gradients(x, y)
    grads = net.get_gradients()
    h = t(x) @ ws["l0/weight"].T + ws["l0/bias"]
    h = h.reshape((len(x),) + tuple(in_shape))
    h.retain_grad()
    z = torch_body(h, ws).flatten(1)
    out = z @ ws["l4/weight"].T + ws["l4/bias"]
    expected = F.mse_loss(out, t(y))
    expected.backward()
    close(net.buffer_rows("l4", len(x)), out)
    close(loss, expected.item())
    for key, g in grads.items():
        close(g, ws[key].grad)
    close(net.D[net.buffers["l1"].offset:][:h.numel()].reshape(h.shape), h.grad)  # the body's input gradient


@pytest.mark.parametrize("seed", range(12))
def test_conv2d_matches_torch(seed):
    in_shape, p, n = _random_conv2d(seed)
    k, s = p["kernel_size"], p["stride"]
    top, bottom, _ = conv_padding(in_shape[1], k, s, p["padding"], p["pad"])
    left, right, _ = conv_padding(in_shape[2], k, s, p["padding"], p["pad"])
    g = chain((3,), [("Dense", dict(units=int(np.prod(in_shape)), activation="identity")),
                     ("Reshape", {"shape": list(in_shape)}), ("Conv2D", p), ("Flatten", {}),
                     ("Dense", dict(units=2, activation="identity"))])
    net = Network(g, "mse", max_batch=8, dtype=np.float64, seed=seed)
    if p["use_bias"]:
        net.weight_view("l2/bias")[:] = np.random.default_rng(seed).normal(size=p["filters"])
    rng = np.random.default_rng(100 + seed)
    x, y = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))

    def body(h, ws):
        z = F.conv2d(F.pad(h, (left, right, top, bottom)), ws["l2/weight"], ws.get("l2/bias"), stride=s)
        return ACTS[p["activation"]](z)

    _run_pair(net, in_shape, x, y, body)


@pytest.mark.filterwarnings("ignore:Using padding=.same.")
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_same_padding_matches_torch_same(k):
    """For stride 1 "same" pads like torch's padding="same" (extra zero bottom/right for even kernels)."""
    g = chain((2, 6, 7), [("Conv2D", dict(filters=3, kernel_size=k, padding="same", activation="identity"))])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(k).normal(size=(3, 2, 6, 7))
    expected = F.conv2d(t(x), t(net.weight_view("l0/weight")), t(net.weight_view("l0/bias")), padding="same")
    close(net.forward(x), expected)


@pytest.mark.parametrize("seed", range(8))
def test_conv1d_matches_torch(seed):
    rng = np.random.default_rng(seed)
    steps, c = int(rng.integers(5, 12)), int(rng.integers(1, 4))
    p = dict(filters=int(rng.integers(1, 6)), kernel_size=int(rng.integers(1, 6)), stride=int(rng.integers(1, 4)),
             padding=str(rng.choice(["valid", "same", "explicit"])), pad=int(rng.integers(0, 3)),
             use_bias=bool(rng.integers(0, 2)), activation=str(rng.choice(["identity", "relu", "tanh"])))
    left, right, t_out = conv_padding(steps, p["kernel_size"], p["stride"], p["padding"], p["pad"])
    if t_out < 1:
        p["padding"] = "same"
        left, right, t_out = conv_padding(steps, p["kernel_size"], p["stride"], "same", 0)
    n = int(rng.integers(1, 7))
    g = chain((3,), [("Dense", dict(units=steps * c, activation="identity")), ("Reshape", {"shape": [steps, c]}),
                     ("Conv1D", p), ("Flatten", {}), ("Dense", dict(units=2, activation="identity"))])
    net = Network(g, "mse", max_batch=8, dtype=np.float64, seed=seed)
    if p["use_bias"]:
        net.weight_view("l2/bias")[:] = rng.normal(size=p["filters"])
    x, y = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))

    def body(h, ws):  # (n, T, C) channels last <-> torch's (n, C, T)
        z = F.conv1d(F.pad(h.transpose(1, 2), (left, right)), ws["l2/weight"], ws.get("l2/bias"), stride=p["stride"])
        return ACTS[p["activation"]](z).transpose(1, 2)

    _run_pair(net, (steps, c), x, y, body)


@pytest.mark.parametrize("kind", ["MaxPool2D", "AvgPool2D"])
@pytest.mark.parametrize("shape,size,stride", [((2, 6, 6), 2, 0), ((3, 7, 5), 3, 2), ((1, 5, 8), 2, 1),
                                               ((2, 9, 9), 4, 3)])
def test_pool2d_matches_torch(kind, shape, size, stride):
    g = chain((3,), [("Dense", dict(units=int(np.prod(shape)), activation="identity")),
                     ("Reshape", {"shape": list(shape)}), (kind, {"size": size, "stride": stride}), ("Flatten", {}),
                     ("Dense", dict(units=2, activation="identity"))])
    net = Network(g, "mse", max_batch=8, dtype=np.float64, seed=1)
    rng = np.random.default_rng(size)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    fn = F.max_pool2d if kind == "MaxPool2D" else F.avg_pool2d
    _run_pair(net, shape, x, y, lambda h, ws: fn(h, size, stride or size))


@pytest.mark.parametrize("steps,size,stride", [(8, 2, 0), (9, 3, 2), (7, 2, 1)])
def test_maxpool1d_matches_torch(steps, size, stride):
    g = chain((3,), [("Dense", dict(units=steps * 4, activation="identity")), ("Reshape", {"shape": [steps, 4]}),
                     ("MaxPool1D", {"size": size, "stride": stride}), ("Flatten", {}),
                     ("Dense", dict(units=2, activation="identity"))])
    net = Network(g, "mse", max_batch=8, dtype=np.float64, seed=2)
    rng = np.random.default_rng(steps)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    _run_pair(net, (steps, 4), x, y,
              lambda h, ws: F.max_pool1d(h.transpose(1, 2), size, stride or size).transpose(1, 2))


def test_digits_cnn_training_step_matches_torch():
    """Conv 3x3 (relu) -> MaxPool -> Dense softmax with cross-entropy: one batch's loss and gradients."""
    g = chain((1, 8, 8), [("Conv2D", dict(filters=4, padding="same")), ("MaxPool2D", {}), ("Flatten", {}),
                          ("Dense", dict(units=10, activation="softmax"))])
    net = Network(g, "cross_entropy", max_batch=16, dtype=np.float64, seed=0)
    rng = np.random.default_rng(0)
    x, labels = rng.uniform(0, 1, (16, 1, 8, 8)), rng.integers(0, 10, 16)
    loss = net.gradients(x, np.eye(10)[labels])
    ws = {k: t(v, grad=True) for k, v in net.get_weights().items()}
    h = F.max_pool2d(F.relu(F.conv2d(t(x), ws["l0/weight"], ws["l0/bias"], padding=1)), 2)
    expected = F.cross_entropy(h.flatten(1) @ ws["l3/weight"].T + ws["l3/bias"], torch.tensor(labels))
    expected.backward()
    close(loss, expected.item())
    for key, grad in net.get_gradients().items():
        close(grad, ws[key].grad)
