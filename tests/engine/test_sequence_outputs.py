"""Dense on sequences (T, F) applies the same weights at every step; a softmax per step gives a
loss and an accuracy per step (many-to-many classification)."""

import numpy as np
import pytest

from nnsim.engine.network import Network
from tests.engine.chain import chain
from tests.engine.test_gradcheck import gradcheck


def seq_data(n=3, steps=4, features=3, classes=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, steps, features))
    y = np.eye(classes)[rng.integers(0, classes, (n, steps))]
    return x, y


def test_dense_on_a_sequence_keeps_the_time_axis():
    g = chain((4, 3), [("Dense", dict(units=5, activation="tanh"))])
    assert g.node(g.output).out_shape == (4, 5)


def test_dense_on_a_sequence_equals_dense_on_each_step():
    g = chain((4, 3), [("Dense", dict(units=5, activation="tanh"))])
    net = Network(g, "mse", dtype=np.float64, max_batch=8)
    x, _ = seq_data()
    w, b = net.weight_view("l0/weight"), net.weight_view("l0/bias")
    np.testing.assert_allclose(net.forward(x), np.tanh(x @ w.T + b), rtol=1e-12)


@pytest.mark.parametrize("loss", ["cross_entropy", "kl_div"])
def test_per_step_softmax_cross_entropy_passes_gradcheck(loss):
    g = chain((4, 3), [("Dense", dict(units=6, activation="tanh")), ("Dense", dict(units=5, activation="softmax"))])
    x, y = seq_data()
    gradcheck(g, loss, x, y)


def test_per_step_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    g = chain((4, 3), [("Dense", dict(units=5, activation="softmax"))])
    net = Network(g, "cross_entropy", dtype=np.float64, max_batch=8)
    x, y = seq_data()
    loss = net.gradients(x, y)
    w = torch.tensor(net.weight_view("l0/weight"), requires_grad=True)
    b = torch.tensor(net.weight_view("l0/bias"), requires_grad=True)
    logits = torch.tensor(x) @ w.T + b
    expected = torch.nn.functional.cross_entropy(logits.reshape(-1, 5), torch.tensor(y.argmax(-1).reshape(-1)))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(net.get_gradients()["l0/weight"], w.grad.numpy(), rtol=1e-10)


def test_accuracy_counts_each_step():
    g = chain((4, 3), [("Dense", dict(units=5, activation="softmax"))])
    net = Network(g, "cross_entropy", dtype=np.float64, max_batch=8)
    x, y = seq_data()
    _, correct, preds = net.evaluate(x, y)
    assert net.groups == 4
    assert correct == int(np.sum(preds.argmax(-1) == y.argmax(-1)))
