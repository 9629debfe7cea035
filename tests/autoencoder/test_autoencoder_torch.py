"""Parity with PyTorch autograd: the autoencoder's loss and gradients, tied and untied, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.engine.autoencoder import Autoencoder

torch = pytest.importorskip("torch")


def torch_loss_and_gradients(model: Autoencoder, x, xt, loss: str, rho: float, beta: float):
    t = {name: torch.tensor(getattr(model, name), dtype=torch.float64, requires_grad=True)
         for name in model.weight_names}
    x_, xt_ = torch.tensor(x), torch.tensor(xt)
    h = torch.sigmoid(torch.nn.functional.linear(xt_, t["weight"], t["bias"]))
    decoder = t["weight"].T if model.tied else t["decoder_weight"]
    y = torch.sigmoid(torch.nn.functional.linear(h, decoder, t["decoder_bias"]))
    n = len(x)
    if loss == "mse":
        total = 0.5 * torch.nn.functional.mse_loss(y, x_, reduction="sum") / n
    else:
        total = torch.nn.functional.binary_cross_entropy(y, x_, reduction="sum") / n
    if beta > 0:
        q = h.mean(dim=0)
        total = total + beta * (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum()
    total.backward()
    return total.item(), {name: v.grad.numpy() for name, v in t.items()}


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("beta", [0.0, 0.4])
def test_loss_and_gradients_match_torch_autograd(tied, loss, beta):
    model = Autoencoder(10, 6, tied=tied, seed=4, dtype=np.float64)
    rng = np.random.default_rng(1)
    model.bias[:] = rng.normal(0, 0.3, 6)
    model.decoder_bias[:] = rng.normal(0, 0.3, 10)
    x = rng.random((7, 10))
    xt = np.where(rng.random((7, 10)) < 0.3, 0.0, x)  # a denoising batch
    total, grads = model.loss_and_gradients(x, xt, loss, 0.1, beta)
    want_total, want = torch_loss_and_gradients(model, x, xt, loss, 0.1, beta)
    assert total == pytest.approx(want_total, rel=1e-12)
    assert set(grads) == set(want)
    for name in grads:
        np.testing.assert_allclose(grads[name], want[name], rtol=1e-10, atol=1e-13)
