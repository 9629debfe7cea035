"""The RBM model class: construction, weights, conditionals, Gibbs sampling, one-sentence errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import TrainingError
from nnsim.engine import reference_rbm as R
from nnsim.engine.kernels.rng import seed_state
from nnsim.engine.rbm import RBM


def test_same_seed_same_weights_and_float32_by_default():
    a, b = RBM(6, 4, seed=3), RBM(6, 4, seed=3)
    assert a.weight.dtype == np.float32 and a.weight.shape == (6, 4)
    np.testing.assert_array_equal(a.weight, b.weight)
    assert not np.array_equal(a.weight, RBM(6, 4, seed=4).weight)
    assert a.visible_bias.shape == (6,) and a.hidden_bias.shape == (4,) and not a.hidden_bias.any()


@pytest.mark.parametrize("args,phrase", [((0, 3), "visible units from 1"), ((3, 2.5), "hidden units from 1"),
                                         ((3, True), "hidden units")])
def test_bad_sizes_raise(args, phrase):
    with pytest.raises(TrainingError, match=phrase):
        RBM(*args)


def test_bad_seed_and_dtype_raise():
    with pytest.raises(TrainingError, match="seed must be a whole number from 0 up"):
        RBM(3, 2, seed=-1)
    with pytest.raises(TrainingError, match="float32 or float64"):
        RBM(3, 2, dtype=np.int32)


def test_get_and_set_weights_round_trip_and_refuse_wrong_keys_or_shapes():
    rbm = RBM(5, 3, seed=1)
    weights = rbm.get_weights()
    assert set(weights) == {"weight", "visible_bias", "hidden_bias"}
    weights["weight"][:] = 0  # a copy
    assert rbm.weight.any()
    other = RBM(5, 3, seed=2)
    other.set_weights(rbm.get_weights())
    np.testing.assert_array_equal(other.weight, rbm.weight)
    with pytest.raises(TrainingError, match="has no weight 'W'"):
        rbm.set_weights({"W": np.zeros((5, 3))})
    with pytest.raises(TrainingError, match=r"shape \(3, 5\) but the RBM needs \(5, 3\)"):
        rbm.set_weights({"weight": np.zeros((3, 5))})


def test_methods_match_the_references():
    rbm = RBM(6, 4, seed=0, dtype=np.float64, init_std=1.0)
    rbm.visible_bias[:] = np.linspace(-1, 1, 6)
    x = (np.random.default_rng(0).random((5, 6)) < 0.5).astype(float)
    w, b, d = rbm.weight, rbm.visible_bias, rbm.hidden_bias
    np.testing.assert_allclose(rbm.hidden_probabilities(x), R.hidden_probabilities(x, w, d), rtol=1e-12)
    np.testing.assert_allclose(rbm.reconstruct(x), R.visible_probabilities(R.hidden_probabilities(x, w, d), w, b),
                               rtol=1e-12)
    np.testing.assert_allclose(rbm.free_energy(x), R.free_energy(x, w, b, d), rtol=1e-12)
    assert rbm.reconstruction_error(x) == pytest.approx(R.reconstruction_error(x, w, b, d), rel=1e-12)
    h = (np.random.default_rng(1).random((5, 4)) < 0.5).astype(float)
    np.testing.assert_allclose(rbm.energy(x, h), R.energy(x, h, w, b, d), rtol=1e-12)


def test_a_gibbs_chain_continues_from_its_state():
    rbm = RBM(6, 4, seed=0, dtype=np.float64, init_std=1.0)
    start = np.zeros((3, 6))
    whole, _ = rbm.gibbs_sample(start, 6, rng=seed_state(9))
    state = seed_state(9)
    half, _ = rbm.gibbs_sample(start, 3, rng=state)
    rest, probs = rbm.gibbs_sample(half, 3, rng=state)
    np.testing.assert_array_equal(rest, whole)
    assert probs.shape == (3, 6) and not start.any()  # the start is not changed
    with pytest.raises(TrainingError, match="at least 1 step"):
        rbm.gibbs_sample(start, 0)


def test_wrong_widths_raise_one_sentence():
    rbm = RBM(6, 4)
    with pytest.raises(TrainingError, match="has 6 visible units but the data has 5 values per sample"):
        rbm.free_energy(np.zeros((2, 5)))
    with pytest.raises(TrainingError, match="has 4 hidden units"):
        rbm.visible_probabilities(np.zeros((2, 3)))


def test_filters_are_hidden_units_as_images():
    rbm = RBM(64, 5)
    f = rbm.filters((8, 8))
    assert f.shape == (5, 8, 8)
    np.testing.assert_array_equal(f[2].ravel(), rbm.weight[:, 2])
