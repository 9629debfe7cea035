"""The autoencoder kernels against their NumPy references (nnsim.engine.reference_autoencoder), same draws."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.engine import reference as ref
from nnsim.engine import reference_autoencoder as R
from nnsim.engine.autoencoder import Autoencoder
from nnsim.engine.kernels import autoencoder as K
from nnsim.engine.kernels.rng import seed_state

TOL = 1e-12


def twin_states(seed):
    state = seed_state(seed)
    return state, [int(state[0])]


def model(tied=False, code="sigmoid", seed=0, nv=7, nc=5) -> Autoencoder:
    ae = Autoencoder(nv, nc, tied=tied, seed=seed, dtype=np.float64, code_activation=code)
    rng = np.random.default_rng(seed + 100)
    ae.bias[:] = rng.normal(0, 0.5, nc)
    ae.decoder_bias[:] = rng.normal(0, 0.5, nv)
    return ae


def pixels(n=6, units=7, seed=1):
    return np.random.default_rng(seed).random((n, units))


def hyper(lr=0.1, momentum=0.0, decay=0.0, corruption=0.0, rho=0.05, beta=0.0):
    hp = np.zeros(K.N_HP)
    hp[K.HP_LR], hp[K.HP_MOMENTUM], hp[K.HP_WEIGHT_DECAY] = lr, momentum, decay
    hp[K.HP_CORRUPTION], hp[K.HP_SPARSITY_TARGET], hp[K.HP_SPARSITY_WEIGHT] = corruption, rho, beta
    return hp


def ref_params(ae: Autoencoder) -> dict[str, np.ndarray]:
    return ae.get_weights()


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("code", ["sigmoid", "relu", "linear"])
def test_encode_and_decode_match_reference(tied, code):
    ae = model(tied, code)
    x = pixels()
    h = ae.encode(x)
    np.testing.assert_allclose(h, R.encode(x, ae.weight, ae.bias, code), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(ae.decode(h), R.decode(h, ae.weight, ae.decoder_weight, ae.decoder_bias),
                               rtol=TOL, atol=TOL)
    assert ae.reconstruction_error(x) == pytest.approx(
        R.reconstruction_error(x, ae.weight, ae.bias, ae.decoder_weight, ae.decoder_bias, code), rel=TOL)


def test_masking_noise_draws_one_uniform_per_value_in_row_order():
    x = pixels(5, 9)
    state, pystate = twin_states(4)
    out = np.empty_like(x)
    K.corrupt(x, K.NOISE_MASK, 0.3, state, out)
    np.testing.assert_array_equal(out, R.corrupt(x, "mask", 0.3, pystate))
    assert int(state[0]) == pystate[0]
    u = ref.uniforms([int(seed_state(4)[0])], x.size).reshape(x.shape)  # by hand: zero where u < p
    np.testing.assert_array_equal(out, np.where(u < 0.3, 0.0, x))
    assert 0 < np.count_nonzero(out == 0) < x.size


def test_gaussian_noise_matches_reference_and_zero_level_draws_nothing():
    x = pixels(4, 6)
    state, pystate = twin_states(9)
    out = np.empty_like(x)
    K.corrupt(x, K.NOISE_GAUSSIAN, 0.2, state, out)
    np.testing.assert_allclose(out, R.corrupt(x, "gaussian", 0.2, pystate), rtol=TOL, atol=TOL)
    assert int(state[0]) == pystate[0]
    noise = (out - x) / 0.2
    assert 0.3 < noise.std() < 2.0 and not np.allclose(noise, 0)
    before = int(state[0])
    K.corrupt(x, K.NOISE_MASK, 0.0, state, out)
    np.testing.assert_array_equal(out, x)
    assert int(state[0]) == before


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_loss_and_gradients_match_reference(tied, loss, beta):
    ae = model(tied)
    x = pixels()
    xt = np.where(pixels(seed=2) < 0.25, 0.0, x)
    total, grads = ae.loss_and_gradients(x, xt, loss, 0.1, beta)
    want_total, want = R.loss_and_gradients(x, xt, ae.weight, ae.bias, ae.decoder_weight, ae.decoder_bias,
                                            "sigmoid", loss, 0.1, beta)
    assert total == pytest.approx(want_total, rel=TOL)
    assert set(grads) == set(want)
    for name in grads:
        np.testing.assert_allclose(grads[name], want[name], rtol=1e-10, atol=TOL)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("noise", ["mask", "gaussian"])
def test_sgd_update_with_momentum_decay_corruption_and_sparsity_matches_reference(tied, noise):
    ae = model(tied)
    x = pixels()
    rng = np.random.default_rng(9)
    vel = [rng.normal(0, 0.01, a.shape) for a in ae.parameters()]
    names = ae.weight_names
    ref_vel = dict(zip(names, [v.copy() for v in vel if v.size]))
    params = ref_params(ae)
    state, pystate = twin_states(3)
    opts = ae.options("mse", noise)
    hp = hyper(0.2, 0.9, 0.01, 0.3, 0.1, 0.5)
    total, ok = K.sgd_update(x, *ae.parameters(), *vel, opts, hp, state)
    want_total, want_p, want_v = R.sgd_update(x, params, ref_vel, pystate, lr=0.2, momentum=0.9, weight_decay=0.01,
                                              corruption=0.3, noise=noise, sparsity_target=0.1, sparsity_weight=0.5)
    assert ok and total == pytest.approx(want_total, rel=TOL)
    assert int(state[0]) == pystate[0]
    for name, got_v in zip(names, [v for v in vel if v.size]):
        np.testing.assert_allclose(getattr(ae, name), want_p[name], rtol=1e-10, atol=TOL)
        np.testing.assert_allclose(got_v, want_v[name], rtol=1e-10, atol=TOL)


def test_sgd_updates_walk_the_order_in_batches_with_a_short_last_one():
    ae = model()
    X = pixels(11, 7, seed=30)
    order = np.random.default_rng(0).permutation(11).astype(np.int64)
    vel = [np.zeros_like(a) for a in ae.parameters()]
    params, ref_vel = ref_params(ae), {k: np.zeros_like(v) for k, v in ref_params(ae).items()}
    state, pystate = twin_states(3)
    counters = np.zeros(K.N_COUNTERS, np.int64)
    done = K.sgd_updates(X, order, 0, 11, 10, 4, *ae.parameters(), *vel, ae.options(), hyper(0.3, 0.5, corruption=0.2),
                         state, counters)
    assert done == 3 and counters[K.CT_UPDATES] == 3 and counters[K.CT_ERROR] == 0
    for start in (0, 4, 8):
        _, params, ref_vel = R.sgd_update(X[order[start:start + 4]], params, ref_vel, pystate, lr=0.3, momentum=0.5,
                                          corruption=0.2)
    for name in ae.weight_names:
        np.testing.assert_allclose(getattr(ae, name), params[name], rtol=1e-10, atol=TOL)
    assert int(state[0]) == pystate[0]


def test_train_epochs_measure_each_epoch_like_the_model():
    ae = model(tied=True)
    X, T = pixels(10, 7, seed=3), pixels(4, 7, seed=4)
    order = np.concatenate([np.random.default_rng(e).permutation(10) for e in range(2)]).astype(np.int64)
    vel = [np.zeros_like(a) for a in ae.parameters()]
    metrics = np.full((2, K.N_EVAL), np.nan)
    counters = np.zeros(K.N_COUNTERS, np.int64)
    assert K.train_epochs(X, T, order, 2, 3, *ae.parameters(), *vel, ae.options(), hyper(0.5), seed_state(0), counters,
                          metrics) == 2
    assert counters[K.CT_UPDATES] == 8
    err, mean_code = ae.error_and_mean_code(X)
    assert metrics[1, K.EV_TRAIN_ERROR] == pytest.approx(err, rel=TOL)
    assert metrics[1, K.EV_MEAN_CODE] == pytest.approx(ae.encode(X).mean(), rel=TOL) == mean_code
    assert metrics[1, K.EV_TEST_ERROR] == pytest.approx(ae.reconstruction_error(T), rel=TOL)


def test_error_is_evaluated_in_blocks_over_many_rows():
    ae = model()
    X = pixels(600, 7, seed=5)  # more rows than one evaluation block
    err, _ = ae.error_and_mean_code(X)
    assert err == pytest.approx(R.reconstruction_error(X, ae.weight, ae.bias, ae.decoder_weight, ae.decoder_bias),
                                rel=1e-12)
    assert all(np.isnan(v) for v in ae.error_and_mean_code(X[:0]))


def test_a_non_finite_weight_stops_the_updates_with_an_error():
    ae = model()
    ae.weight[0, 0] = np.nan
    counters = np.zeros(K.N_COUNTERS, np.int64)
    vel = [np.zeros_like(a) for a in ae.parameters()]
    done = K.sgd_updates(pixels(8, 7), np.arange(8), 0, 8, 4, 2, *ae.parameters(), *vel, ae.options(), hyper(),
                         seed_state(0), counters)
    assert done == 1 and counters[K.CT_ERROR] == 1


def test_sigmoids_saturate_without_overflow():
    ae = model()
    ae.weight *= 1000
    h = ae.encode(pixels())
    assert np.all(np.isfinite(h)) and h.min() >= 0 and h.max() <= 1
    total, grads = ae.loss_and_gradients(pixels(), loss="cross_entropy", sparsity_weight=1.0)
    assert np.isfinite(total) and all(np.all(np.isfinite(g)) for g in grads.values())


@pytest.mark.parametrize("tied", [False, True])
def test_float32_kernels_agree_with_float64(tied):
    ae = model(tied)
    ae32 = Autoencoder(7, 5, tied=tied, dtype=np.float32)
    ae32.set_weights(ae.get_weights())
    x = pixels()
    np.testing.assert_allclose(ae32.reconstruct(x), ae.reconstruct(x), rtol=1e-5, atol=1e-6)
    assert ae32.reconstruction_error(x) == pytest.approx(ae.reconstruction_error(x), rel=1e-5)
    _, g32 = ae32.loss_and_gradients(x, sparsity_weight=0.5)
    _, g64 = ae.loss_and_gradients(x, sparsity_weight=0.5)
    for name in g64:
        np.testing.assert_allclose(g32[name], g64[name], rtol=1e-4, atol=1e-5)
