"""Float64 central-difference checks of the autoencoder loss's gradient w.r.t. every parameter."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.engine import reference_autoencoder as R
from nnsim.engine.autoencoder import Autoencoder

EPS = 1e-6
TOL = 1e-6


def rel_error(a, b) -> float:
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 1e-9 else float(np.linalg.norm(a - b))


def numeric_gradients(model: Autoencoder, loss_of) -> dict[str, np.ndarray]:
    out = {}
    for name in model.weight_names:
        p = getattr(model, name)  # the live array
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + EPS
            up = loss_of()
            p[idx] = old - EPS
            down = loss_of()
            p[idx] = old
            num[idx] = (up - down) / (2 * EPS)
        out[name] = num
    return out


def batch(seed=0, n=6, nv=9):
    rng = np.random.default_rng(seed)
    x = rng.random((n, nv))
    mask = rng.random((n, nv)) < 0.3  # a fixed corruption mask: the denoising input
    return x, np.where(mask, 0.0, x)


CASES = [  # (tied, code, loss, sparsity_weight, denoising)
    (False, "sigmoid", "mse", 0.0, False), (True, "sigmoid", "mse", 0.0, False),
    (False, "sigmoid", "mse", 0.5, False), (True, "sigmoid", "mse", 0.5, False),
    (False, "sigmoid", "mse", 0.0, True), (True, "sigmoid", "mse", 0.0, True),
    (True, "sigmoid", "mse", 0.3, True), (False, "sigmoid", "cross_entropy", 0.3, True),
    (True, "sigmoid", "cross_entropy", 0.0, False), (False, "relu", "mse", 0.0, True),
    (True, "linear", "cross_entropy", 0.0, True),
]


@pytest.mark.parametrize("tied,code,loss,beta,denoising", CASES)
def test_kernel_gradients_match_central_differences(tied, code, loss, beta, denoising):
    model = Autoencoder(9, 4, tied=tied, seed=2, dtype=np.float64, code_activation=code)
    model.bias[:] = np.random.default_rng(5).normal(0, 0.3, 4)
    model.decoder_bias[:] = np.random.default_rng(6).normal(0, 0.3, 9)
    x, xt = batch()
    xt = xt if denoising else x
    if code == "relu":  # no pre-activation near the kink
        assert np.min(np.abs(xt @ model.weight.T + model.bias)) > 1e-4
    total, grads = model.loss_and_gradients(x, xt, loss, 0.1, beta)
    numeric = numeric_gradients(model, lambda: model.loss_and_gradients(x, xt, loss, 0.1, beta)[0])
    assert set(grads) == set(model.weight_names) == set(numeric)
    for name in grads:
        assert np.linalg.norm(grads[name]) > 1e-6, name  # every parameter really takes part
        assert rel_error(grads[name], numeric[name]) <= TOL, name
    assert total == pytest.approx(R.loss(x, xt, model.weight, model.bias, model.decoder_weight, model.decoder_bias,
                                         code, loss, 0.1, beta), rel=1e-12)


@pytest.mark.parametrize("tied", [False, True])
def test_reference_gradients_match_central_differences(tied):
    model = Autoencoder(9, 4, tied=tied, seed=3, dtype=np.float64)
    x, xt = batch(1)
    params = model.get_weights()
    args = lambda p: (x, xt, p["weight"], p["bias"], p.get("decoder_weight"), p["decoder_bias"], "sigmoid", "mse",
                      0.1, 0.5)
    _, grads = R.loss_and_gradients(*args(params))
    for name, g in grads.items():
        num = np.zeros_like(g)
        for idx in np.ndindex(g.shape):
            for sign in (1, -1):
                p = {k: v.copy() for k, v in params.items()}
                p[name][idx] += sign * EPS
                num[idx] += sign * R.loss(*args(p)) / (2 * EPS)
        assert rel_error(g, num) <= TOL, name


def test_tied_gradient_is_the_sum_of_the_encoder_and_decoder_terms():
    untied = Autoencoder(9, 4, tied=False, seed=0, dtype=np.float64)
    tied = Autoencoder(9, 4, tied=True, seed=0, dtype=np.float64)
    untied.decoder_weight[:] = untied.weight.T  # the same function
    tied.weight[:] = untied.weight
    x, xt = batch(2)
    loss_u, g_u = untied.loss_and_gradients(x, xt)
    loss_t, g_t = tied.loss_and_gradients(x, xt)
    assert loss_t == pytest.approx(loss_u, rel=1e-14)
    np.testing.assert_allclose(g_t["weight"], g_u["weight"] + g_u["decoder_weight"].T, rtol=1e-12, atol=1e-14)
