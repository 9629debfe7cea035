"""Embedding and GlobalMaxPool1D: the first ops of the recurrent and conv families."""

import numpy as np
import pytest

from nnsim.engine.network import Network
from tests.engine.chain import chain
from tests.engine.test_gradcheck import gradcheck


def test_embedding_looks_up_rows():
    g = chain((3,), [("Embedding", dict(vocab_size=5, dim=2))])
    net = Network(g, "mse", dtype=np.float64, max_batch=4)
    ids = np.array([[0, 4, 2], [1, 1, 3]], dtype=float)
    w = net.weight_view("l0/weight")
    np.testing.assert_array_equal(net.forward(ids), w[ids.astype(int)])


def test_embedding_clamps_ids_outside_the_vocabulary():
    g = chain((2,), [("Embedding", dict(vocab_size=3, dim=2))])
    net = Network(g, "mse", dtype=np.float64, max_batch=4)
    w = net.weight_view("l0/weight")
    np.testing.assert_array_equal(net.forward(np.array([[-5.0, 99.0]])), w[[0, 2]][None])


def test_embedding_then_pooling_passes_gradcheck():
    g = chain((5,), [("Embedding", dict(vocab_size=7, dim=3)), ("Dense", dict(units=4, activation="tanh")),
                     ("GlobalMaxPool1D", {}), ("Dense", dict(units=2, activation="softmax"))])
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 7, (4, 5)).astype(float)
    y = np.eye(2)[rng.integers(0, 2, 4)]
    gradcheck(g, "cross_entropy", ids, y)


def test_global_maxpool1d_takes_the_max_over_time():
    g = chain((4, 3), [("GlobalMaxPool1D", {})])
    net = Network(g, "mse", dtype=np.float64, max_batch=4)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    np.testing.assert_array_equal(net.forward(x), x.max(axis=1))


def test_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    g = chain((4,), [("Embedding", dict(vocab_size=6, dim=3))])
    net = Network(g, "mse", dtype=np.float64, max_batch=4)
    ids = np.array([[0, 5, 5, 2], [3, 3, 1, 0]], dtype=float)
    y = np.random.default_rng(2).normal(size=(2, 4, 3))
    loss = net.gradients(ids, y)
    emb = torch.nn.Embedding(6, 3).double()
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(net.weight_view("l0/weight")))
    expected = torch.nn.functional.mse_loss(emb(torch.tensor(ids).long()), torch.tensor(y))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-12)
    np.testing.assert_allclose(net.get_gradients()["l0/weight"], emb.weight.grad.numpy(), rtol=1e-10)
