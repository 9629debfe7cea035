"""Exact partition function and probabilities of tiny RBMs against brute-force enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nnsim.core.errors import TrainingError
from nnsim.engine import rbm_exact as X
from nnsim.engine.rbm import RBM


def params(nv, nh, seed=0, scale=1.5):
    rng = np.random.default_rng(seed)
    return rng.normal(0, scale, (nv, nh)), rng.normal(0, scale, nv), rng.normal(0, scale, nh)


def brute_force_table(w, b, d) -> tuple[float, dict]:
    """Z and exp(-E(x, h)) of every joint state, from the energy's definition, one state at a time."""
    nv, nh = w.shape
    weights = {}
    for x in itertools.product((0, 1), repeat=nv):
        for h in itertools.product((0, 1), repeat=nh):
            e = -sum(x[i] * w[i, j] * h[j] for i in range(nv) for j in range(nh))
            e -= sum(b[i] * x[i] for i in range(nv)) + sum(d[j] * h[j] for j in range(nh))
            weights[x, h] = math.exp(-e)
    return sum(weights.values()), weights


@pytest.mark.parametrize("nv,nh", [(1, 1), (2, 3), (3, 2), (4, 4), (5, 7), (7, 5), (1, 11)])
def test_exact_log_z_matches_brute_force_enumeration(nv, nh):
    w, b, d = params(nv, nh, seed=nv * 10 + nh)
    z, _ = brute_force_table(w, b, d)
    assert X.log_partition(w, b, d) == pytest.approx(math.log(z), rel=1e-12, abs=1e-12)


def test_one_by_one_rbm_has_the_hand_computed_partition_function():
    w, b, d = 0.5, -1.0, 2.0  # Z = e^0 + e^b + e^d + e^(w + b + d) over (x, h) = 00, 10, 01, 11
    z = 1 + math.exp(b) + math.exp(d) + math.exp(w + b + d)
    assert X.log_partition([[w]], [b], [d]) == pytest.approx(math.log(z), rel=1e-14)
    table = X.joint_probabilities([[w]], [b], [d])
    np.testing.assert_allclose(table, np.array([[1, math.exp(d)], [math.exp(b), math.exp(w + b + d)]]) / z,
                               rtol=1e-14)


@pytest.mark.parametrize("nv,nh", [(3, 2), (4, 4), (2, 6)])
def test_joint_table_matches_brute_force_in_counting_order(nv, nh):
    w, b, d = params(nv, nh, seed=3)
    z, weights = brute_force_table(w, b, d)
    table = X.joint_probabilities(w, b, d)
    assert table.shape == (2 ** nv, 2 ** nh)
    for r, x in enumerate(itertools.product((0, 1), repeat=nv)):
        for c, h in enumerate(itertools.product((0, 1), repeat=nh)):
            assert table[r, c] == pytest.approx(weights[x, h] / z, rel=1e-11)
    assert table.sum() == pytest.approx(1.0, rel=1e-12)


def test_marginals_are_sums_of_the_joint_table_and_match_log_probability():
    w, b, d = params(4, 3, seed=5)
    table = X.joint_probabilities(w, b, d)
    np.testing.assert_allclose(X.visible_marginals(w, b, d), table.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(X.hidden_marginals(w, b, d), table.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(np.exp(X.log_probability(X.binary_states(4), w, b, d)), table.sum(axis=1),
                               rtol=1e-12)


def test_large_weights_stay_finite_and_normalized():
    w, b, d = params(5, 6, seed=1, scale=80.0)
    table = X.joint_probabilities(w, b, d)
    assert np.all(np.isfinite(table)) and table.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.isfinite(X.log_partition(w, b, d))


def test_log_z_enumerates_the_smaller_layer_so_a_digits_sized_rbm_works():
    w, b, d = params(64, 12, seed=2, scale=0.1)
    flipped = X.log_partition(w.T, d, b)  # the same model with the layers' roles swapped
    assert X.log_partition(w, b, d) == pytest.approx(flipped, rel=1e-12)
    hidden_sum = np.log(np.sum(np.exp(X.binary_states(12) @ d + np.logaddexp(0, X.binary_states(12) @ w.T + b)
                                      .sum(axis=1))))
    assert X.log_partition(w, b, d) == pytest.approx(hidden_sum, rel=1e-12)


def test_enumeration_limits_raise_one_sentence_errors():
    with pytest.raises(TrainingError, match=r"joint table of a 9x8 RBM needs 2\^17 states"):
        X.joint_probabilities(*params(9, 8))
    with pytest.raises(TrainingError, match=r"at most 20 units"):
        X.log_partition(*params(21, 22, scale=0.01))
    with pytest.raises(TrainingError, match=r"p\(x\)"):
        X.visible_marginals(*params(21, 2, scale=0.01))


def test_rbm_model_exposes_the_exact_values():
    rbm = RBM(3, 2, seed=4, dtype=np.float64, init_std=1.0)
    w, b, d = rbm.weight, rbm.visible_bias, rbm.hidden_bias
    assert rbm.log_partition() == pytest.approx(math.log(brute_force_table(w, b, d)[0]), rel=1e-12)
    joint = rbm.joint_probabilities()
    np.testing.assert_allclose(rbm.visible_marginals(), joint.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(rbm.hidden_marginals(), joint.sum(axis=0), rtol=1e-12)
    x = X.binary_states(3)
    np.testing.assert_allclose(np.exp(rbm.log_probability(x)), joint.sum(axis=1), rtol=1e-12)
    h = X.binary_states(2)
    energies = rbm.energy(np.repeat(x, 4, axis=0), np.tile(h, (8, 1))).reshape(8, 4)
    np.testing.assert_allclose(np.exp(-energies - rbm.log_partition()), joint, rtol=1e-12)
