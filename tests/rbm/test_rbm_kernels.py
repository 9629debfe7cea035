"""The RBM kernels against their NumPy references (nnsim.engine.reference_rbm), same random draws."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.engine import reference as ref
from nnsim.engine import reference_rbm as R
from nnsim.engine.kernels import rbm as K
from nnsim.engine.kernels.rng import seed_state
from nnsim.engine.rbm_exact import binary_states

TOL = 1e-12


def model(nv=7, nh=5, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (nv, nh)), rng.normal(0, 0.5, nv), rng.normal(0, 0.5, nh)


def binary(n, units, seed=1):
    return (np.random.default_rng(seed).random((n, units)) < 0.4).astype(np.float64)


def hyper(lr=0.1, momentum=0.0, decay=0.0):
    hp = np.zeros(K.N_HP)
    hp[K.HP_LR], hp[K.HP_MOMENTUM], hp[K.HP_WEIGHT_DECAY] = lr, momentum, decay
    return hp


def twin_states(seed):
    """A kernel RNG state and a reference one that start equal."""
    state = seed_state(seed)
    return state, [int(state[0])]


# --- conditionals, sampling, measures ----------------------------------------------------------
@pytest.mark.parametrize("grey", [False, True])
def test_conditional_probabilities_match_reference(grey):
    w, b, d = model()
    x = np.random.default_rng(2).random((6, 7)) if grey else binary(6, 7)
    ph = np.empty((6, 5))
    K.hidden_probabilities(x, w, d, ph)
    np.testing.assert_allclose(ph, R.hidden_probabilities(x, w, d), rtol=TOL, atol=TOL)
    pv = np.empty((6, 7))
    K.visible_probabilities(ph, w, b, pv)
    np.testing.assert_allclose(pv, R.visible_probabilities(ph, w, b), rtol=TOL, atol=TOL)


def test_conditionals_saturate_without_overflow():
    w, b, d = model(scale=400.0)
    ph = np.empty((3, 5))
    K.hidden_probabilities(binary(3, 7), w, d, ph)
    assert np.all(np.isfinite(ph)) and ph.min() >= 0 and ph.max() <= 1


def test_bernoulli_samples_use_one_draw_per_value_in_row_order():
    p = np.random.default_rng(3).random((4, 9))
    state, pystate = twin_states(11)
    out = np.empty_like(p)
    K.sample_bernoulli(p, state, out)
    np.testing.assert_array_equal(out, R.sample_bernoulli(p, pystate))
    assert int(state[0]) == pystate[0]


def test_free_energy_matches_reference_and_sums_out_the_hidden_layer():
    w, b, d = model(4, 3)
    x = binary_states(4)
    out = np.empty(len(x))
    K.free_energies(x, w, b, d, out)
    np.testing.assert_allclose(out, R.free_energy(x, w, b, d), rtol=TOL, atol=TOL)
    hs = binary_states(3)
    for row, f in zip(x, out):  # F(x) = -log Σ_h exp(-E(x, h))
        energies = R.energy(np.repeat(row[None], 8, 0), hs, w, b, d)
        assert f == pytest.approx(-np.log(np.sum(np.exp(-energies))), rel=1e-12)


@pytest.mark.parametrize("grey", [False, True])
def test_reconstruction_error_and_mean_free_energy_match_reference(grey):
    w, b, d = model()
    x = np.random.default_rng(4).random((9, 7)) if grey else binary(9, 7)
    err, fe = K.reconstruction_and_free_energy(x, w, b, d)
    assert err == pytest.approx(R.reconstruction_error(x, w, b, d), rel=TOL)
    assert fe == pytest.approx(R.free_energy(x, w, b, d).mean(), rel=TOL)


def test_gibbs_steps_match_reference():
    w, b, d = model()
    v = binary(5, 7)
    state, pystate = twin_states(5)
    expected_v, expected_pv = R.gibbs_steps(v, 4, w, b, d, pystate)
    ph, h, pv = np.empty((5, 5)), np.empty((5, 5)), np.empty((5, 7))
    K.gibbs_steps(v, 4, w, b, d, state, ph, h, pv)
    np.testing.assert_array_equal(v, expected_v)
    np.testing.assert_allclose(pv, expected_pv, rtol=TOL, atol=TOL)
    assert int(state[0]) == pystate[0]


# --- CD updates --------------------------------------------------------------------------------
def test_one_cd1_update_matches_its_five_steps_in_numpy():
    w, b, d = model()
    x0 = binary(6, 7)
    lr = 0.1
    state, pystate = twin_states(7)
    # 1. sample h given x
    ph0 = ref.sigmoid(x0 @ w + d)
    h0 = (ref.uniforms(pystate, ph0.size).reshape(ph0.shape) < ph0).astype(float)
    # 2. sample x given h
    pv1 = ref.sigmoid(h0 @ w.T + b)
    x1 = (ref.uniforms(pystate, pv1.size).reshape(pv1.shape) < pv1).astype(float)
    # 3. the hidden layer again, given the reconstruction (probabilities, as in the gradient)
    ph1 = ref.sigmoid(x1 @ w + d)
    # 4. the gradient <x hᵀ>_data - <x hᵀ>_model, and the biases' counterparts
    gw = (x0.T @ ph0 - x1.T @ ph1) / len(x0)
    gb, gd = (x0 - x1).mean(axis=0), (ph0 - ph1).mean(axis=0)
    # 5. update w (and the biases)
    expected = (w + lr * gw, b + lr * gb, d + lr * gd)

    vel = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(d)]
    assert K.cd_update(x0, 1, False, np.zeros((1, 7)), w, b, d, *vel, hyper(lr), state)
    for got, want in zip((w, b, d), expected):
        np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    assert int(state[0]) == pystate[0]
    assert not np.array_equal(x1, x0)  # the test would be vacuous if the chain stood still


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("grey", [False, True])
def test_cd_k_with_momentum_and_weight_decay_matches_reference(k, grey):
    w, b, d = model()
    x0 = np.random.default_rng(8).random((6, 7)) if grey else binary(6, 7)
    rng = np.random.default_rng(9)
    vel = [rng.normal(0, 0.01, a.shape) for a in (w, b, d)]
    state, pystate = twin_states(k)
    expected = R.cd_update(x0, k, w, b, d, *vel, 0.05, 0.9, 0.01, pystate)
    assert K.cd_update(x0, k, False, np.zeros((1, 7)), w, b, d, *vel, hyper(0.05, 0.9, 0.01), state)
    for got, want in zip((w, b, d, *vel), expected):
        np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    assert int(state[0]) == pystate[0]


def test_pcd_chains_persist_between_updates():
    w, b, d = model()
    chains = binary(4, 7, seed=3)
    ref_chains = chains.copy()
    vel = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(d)]
    ref_params = (w.copy(), b.copy(), d.copy(), *[v.copy() for v in vel])
    state, pystate = twin_states(12)
    history = []
    for batch in (binary(6, 7, seed=20), binary(6, 7, seed=21)):
        assert K.cd_update(batch, 2, True, chains, w, b, d, *vel, hyper(0.1, 0.5), state)
        *ref_params, ref_chains = R.cd_update(batch, 2, *ref_params, 0.1, 0.5, 0.0, pystate, chains=ref_chains)
        np.testing.assert_array_equal(chains, ref_chains)  # the kernel kept the chains' new states
        history.append(chains.copy())
    for got, want in zip((w, b, d, *vel), ref_params):
        np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    assert not np.array_equal(history[0], history[1])


def test_cd_leaves_the_pcd_chains_alone():
    w, b, d = model()
    chains = binary(3, 7)
    before = chains.copy()
    vel = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(d)]
    K.cd_update(binary(5, 7), 1, False, chains, w, b, d, *vel, hyper(), seed_state(0))
    np.testing.assert_array_equal(chains, before)


def test_cd_updates_walk_the_order_in_batches_with_a_short_last_one():
    w, b, d = model()
    X = binary(11, 7, seed=30)
    order = np.random.default_rng(0).permutation(11).astype(np.int64)
    vel = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(d)]
    params = [w.copy(), b.copy(), d.copy(), *[v.copy() for v in vel]]
    state, pystate = twin_states(3)
    counters = np.zeros(K.N_COUNTERS, np.int64)
    done = K.cd_updates(X, order, 0, 11, 10, 4, 1, False, np.zeros((1, 7)), w, b, d, *vel, hyper(0.1, 0.5), state,
                        counters)
    assert done == 3 and counters[K.CT_UPDATES] == 3 and counters[K.CT_ERROR] == 0
    for start in (0, 4, 8):
        *params, _ = R.cd_update(X[order[start:start + 4]], 1, *params, 0.1, 0.5, 0.0, pystate)
    for got, want in zip((w, b, d, *vel), params):
        np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)


def test_a_non_finite_weight_stops_the_updates_with_an_error():
    w, b, d = model()
    w[0, 0] = np.nan
    counters = np.zeros(K.N_COUNTERS, np.int64)
    vel = [np.zeros_like(w), np.zeros_like(b), np.zeros_like(d)]
    done = K.cd_updates(binary(8, 7), np.arange(8), 0, 8, 4, 2, 1, False, np.zeros((1, 7)), w, b, d, *vel,
                        hyper(), seed_state(0), counters)
    assert done == 1 and counters[K.CT_ERROR] == 1


def test_float32_kernels_agree_with_float64_probabilities():
    w, b, d = model()
    x = binary(6, 7)
    ph32 = np.empty((6, 5), np.float32)
    K.hidden_probabilities(x.astype(np.float32), w.astype(np.float32), d.astype(np.float32), ph32)
    np.testing.assert_allclose(ph32, R.hidden_probabilities(x, w, d), rtol=1e-5, atol=1e-6)
    err, fe = K.reconstruction_and_free_energy(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32),
                                               d.astype(np.float32))
    assert err == pytest.approx(R.reconstruction_error(x, w, b, d), rel=1e-5)
    assert fe == pytest.approx(R.free_energy(x, w, b, d).mean(), rel=1e-5)
